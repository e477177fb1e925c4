import type { AppContext } from '../../app-context.js';
import { isDoctor, isStaff, knownRoles, type AuthUser } from '../../http/auth-user.js';
import { conflict, notFound } from '../../http/errors.js';
import { pageClause, Prisma, sqlRows, type Db, type Tx } from '../../db/client.js';
import { emit } from '../../lib/events.js';
import { notify } from '../notifications/notifications.service.js';
import { holdPatient, patientReadScope } from '../patients/access.js';
import { holdConsultationDoctor } from '../commerce/orders.service.js';
import { threadPatientInclude } from './serializers.js';
import { liveRedemptionSql } from './redemptions.js';

/**
 * Prescription requests nobody has taken yet: every doctor sees them (the first to answer takes
 * it). Only those without a patient: a thread about a patient shows that patient's data, which a
 * doctor may read only once the thread is theirs (patientReadScope), so an admin assigns it.
 */
export const untakenRequests = { thread_type: 'prescriptions', id_user_to: null, id_patients: null } as const;

/**
 * Who sees a thread: admins every one; others only the threads they take part in. A doctor also
 * sees the untaken prescription requests.
 */
export function threadScope(user: AuthUser | undefined): Record<string, unknown> | undefined {
  if (isStaff(user)) return undefined;
  const id = user?.id ?? -1;
  const or: Record<string, unknown>[] = [{ id_user_from: id }, { id_user_to: id }];
  if (isDoctor(user)) or.push(untakenRequests);
  return { OR: or };
}

/**
 * Who reads and writes a thread's messages: threadScope, and for a thread about a patient only while
 * the caller may read that patient now (patientReadScope, a live patient: the overview's rule,
 * withReadablePatients). What a message says is that patient's health data: a customer whose patient
 * staff moved to another account, a doctor whose DOCTOR role was taken away, or anyone but staff once
 * the patient was deleted no longer gets it (404, as any thread not theirs). The thread itself (who,
 * when, which order) stays in their lists.
 */
export function messageScope(user: AuthUser | undefined): Record<string, unknown> | undefined {
  const scope = threadScope(user);
  if (!scope) return undefined;
  return { AND: [scope, { OR: [{ id_patients: null }, { patient: { is: { deleted_at: null, ...patientReadScope(user) } } }] }] };
}

/**
 * Whether account `userId` may read thread `threadId`'s messages now (messageScope, with the roles
 * the account has now): a participant is told of a new message only then (notifications' thread.message).
 */
export async function readsMessages(db: Db, userId: number, threadId: number) {
  const roles = await db.userRole.findMany({ where: { id_users: userId }, select: { role_codes: true } });
  const user: AuthUser = { id: userId, username: '', roles: knownRoles(roles.map((r) => r.role_codes)) };
  const scope = messageScope(user);
  return !!(await db.thread.findFirst({ where: { id: threadId, ...(scope ? { AND: [scope] } : {}) }, select: { id: true } }));
}

/**
 * messageScope in SQL, for the `threads` row of a hand-written statement whose $2 is the caller's id:
 * patientReadScope of that row's patient (managed by the caller; for a doctor also a patient of a
 * thread addressed to them or of their appointment), live.
 */
function readablePatientSql(user: AuthUser) {
  const doctor = isDoctor(user)
    ? ` OR EXISTS (SELECT 1 FROM threads dt WHERE dt.id_patients = p.id AND dt.id_user_to = $2 AND dt.deleted_at IS NULL)
        OR EXISTS (SELECT 1 FROM user_schedules us JOIN doctors d ON d.id = us.id_doctors WHERE us.id_patients = p.id AND us.deleted_at IS NULL AND d.id_users = $2)`
    : '';
  return ` AND (threads.id_patients IS NULL OR EXISTS (SELECT 1 FROM patients p WHERE p.id = threads.id_patients AND p.deleted_at IS NULL AND (p.id_users = $2${doctor})))`;
}

/**
 * thread_messages/explore of one thread, in one plain statement (sqlRows): the chat screen polls
 * this, and the four steps as separate calls (thread check, read receipts, count, page) cost more
 * round trips and Node CPU than the work itself. In order:
 * - `t`: the thread if the caller may read its messages, by the same rule as messageScope (staff:
 *   every thread; others: their own; a doctor also the untaken prescription requests,
 *   untakenRequests; a thread about a patient while the caller may read that patient);
 * - `seen`, `marked`: reading is a participant's: the messages addressed to the reader become
 *   read and the reader's last-seen time moves (admins reading change nothing). Addressed by the
 *   message's id_user_to, not "the other side": after an admin hands the thread to another doctor,
 *   the previous doctor's messages to the customer stay unread until the customer reads them. A
 *   customer's message written while the thread had no doctor (an untaken request) is addressed to
 *   nobody; it counts as the doctor's who holds the thread now. One statement, so atomic;
 * - one page of the messages (newest first) and their count, the page showing the receipts just
 *   written (a statement does not see its own CTEs' updates, hence the join on `marked`).
 * Rows come back in the shape messageJSON reads (thread.id_patients, userFrom/userTo names and
 * pictures, is_redeemed: liveRedemptionSql decided in the statement). 404 when the thread is missing or not the caller's.
 */
export async function readThreadMessages(
  app: AppContext,
  user: AuthUser,
  threadId: number,
  f: { id_user_from?: number; id_user_to?: number | null; content_type?: string },
  skip: number,
  take: number,
) {
  const values: unknown[] = [threadId, user.id, app.now().toISOString()];
  const scope = isStaff(user)
    ? ''
    : ` AND (id_user_from = $2 OR id_user_to = $2${isDoctor(user) ? ` OR (thread_type = 'prescriptions' AND id_user_to IS NULL AND id_patients IS NULL)` : ''})${readablePatientSql(user)}`;
  let where = 'm.id_threads = t.id AND m.deleted_at IS NULL';
  if (f.id_user_from !== undefined) where += ` AND m.id_user_from = $${values.push(f.id_user_from)}`;
  if (f.id_user_to === null) where += ' AND m.id_user_to IS NULL';
  else if (f.id_user_to !== undefined) where += ` AND m.id_user_to = $${values.push(f.id_user_to)}`;
  if (f.content_type !== undefined) where += ` AND m.content_type = $${values.push(f.content_type)}`;
  const rows = await sqlRows<Record<string, unknown> & { total: number }>(
    app.db,
    `WITH t AS (SELECT id, id_patients FROM threads WHERE id = $1 AND deleted_at IS NULL${scope}),
     seen AS (
       UPDATE threads th SET last_seen_at = $3::timestamptz, updated_at = $3::timestamptz,
         user_from_last_seen_at = CASE WHEN th.id_user_from = $2 THEN $3::timestamptz ELSE th.user_from_last_seen_at END,
         user_to_last_seen_at = CASE WHEN th.id_user_from <> $2 THEN $3::timestamptz ELSE th.user_to_last_seen_at END
       FROM t WHERE th.id = t.id AND (th.id_user_from = $2 OR th.id_user_to = $2) RETURNING th.id, th.id_user_to),
     marked AS (
       UPDATE thread_messages mm SET is_read = 1, read_at = $3::timestamptz, updated_at = $3::timestamptz
       FROM seen WHERE mm.id_threads = seen.id AND mm.is_read = 0 AND mm.deleted_at IS NULL AND mm.id_user_from <> $2
         AND (mm.id_user_to = $2 OR (mm.id_user_to IS NULL AND seen.id_user_to = $2))
       RETURNING mm.id)
     SELECT c.total, t.id_patients, p.*
     FROM t CROSS JOIN LATERAL (SELECT count(*)::int AS total FROM thread_messages m WHERE ${where}) c
     LEFT JOIN LATERAL (
       SELECT m.id, m.id_threads, m.id_user_from, m.id_user_to, m.intentions, m.title, m.content_type, m.content,
              m.file_name, m.file_mime, m.file_size, m.menu_snapshot::text AS menu_snapshot, m.qty, m.valid_until,
              m.priority, m.labels, m.remark,
              CASE WHEN mk.id IS NULL THEN m.is_read ELSE 1 END AS is_read,
              CASE WHEN mk.id IS NULL THEN m.read_at ELSE $3::timestamptz END AS read_at,
              m.edited_at, m.created_at,
              CASE WHEN mk.id IS NULL THEN m.updated_at ELSE $3::timestamptz END AS updated_at,
              uf.users_fullname AS from_name, uf.users_picture AS from_picture,
              ut.users_fullname AS to_name, ut.users_picture AS to_picture,
              EXISTS (SELECT 1 FROM menu_reedems r WHERE r.id_thread_messages = m.id AND ${liveRedemptionSql}) AS redeemed
       FROM thread_messages m
       LEFT JOIN marked mk ON mk.id = m.id
       LEFT JOIN users uf ON uf.id = m.id_user_from
       LEFT JOIN users ut ON ut.id = m.id_user_to
       WHERE ${where}
       ORDER BY m.created_at DESC, m.id DESC
       ${pageClause(skip, take)}
     ) p ON true`,
    values,
    { prepared: true },
  );
  if (!rows.length) throw notFound(`threads ${threadId} not found`);
  // Built field by field: the rest/spread form (`{ total, ...m }`) cost more Node CPU than the
  // statement (V8 copies an object minus named keys through a slow runtime path).
  const data = [];
  for (const r of rows) {
    if (r.id == null) continue; // a page past the end is one row with the count and no message
    data.push({
      id: r.id,
      id_threads: r.id_threads,
      id_user_from: r.id_user_from,
      id_user_to: r.id_user_to,
      intentions: r.intentions,
      title: r.title,
      content_type: r.content_type,
      content: r.content,
      file_name: r.file_name,
      file_mime: r.file_mime,
      file_size: r.file_size,
      menu_snapshot: r.menu_snapshot == null ? null : JSON.parse(r.menu_snapshot as string),
      qty: r.qty,
      valid_until: r.valid_until,
      priority: r.priority,
      labels: r.labels,
      remark: r.remark,
      is_read: r.is_read,
      read_at: r.read_at,
      edited_at: r.edited_at,
      created_at: r.created_at,
      updated_at: r.updated_at,
      thread: { id_patients: r.id_patients },
      userFrom: r.from_name == null ? null : { users_fullname: r.from_name, users_picture: r.from_picture },
      userTo: r.to_name == null ? null : { users_fullname: r.to_name, users_picture: r.to_picture },
      is_redeemed: r.redeemed,
    });
  }
  return { total: rows[0]!.total, rows: data };
}

/**
 * The overview's patients, one query for the page: only those the caller may read now (the patients
 * module's patientReadScope). A thread keeps naming its patient after the patient was soft-deleted or
 * linked to another account; its notes and allergies must not follow. Unreadable → `patient: null`.
 */
export async function withReadablePatients<T extends { id_patients: number | null }>(db: Db, user: AuthUser | undefined, rows: T[]) {
  const ids = [...new Set(rows.flatMap((t) => (t.id_patients ? [t.id_patients] : [])))];
  const scope = patientReadScope(user);
  const patients = ids.length
    ? await db.patient.findMany({ where: { id: { in: ids }, deleted_at: null, ...(scope ? { AND: [scope] } : {}) }, include: threadPatientInclude })
    : [];
  const byId = new Map(patients.map((p) => [p.id, p]));
  // set in place (the rows are this request's own): no copy of each row
  const out = rows as (T & { patient: (typeof patients)[number] | null })[];
  for (const t of out) t.patient = (t.id_patients && byId.get(t.id_patients)) || null;
  return out;
}

/** the thread if `scope` (default threadScope; messageScope to write a message) lets the caller at it, else 404 */
export async function loadThread(db: Db, user: AuthUser | undefined, id: number, scope = threadScope(user)) {
  const t = await db.thread.findFirst({ where: { id, deleted_at: null, ...(scope ? { AND: [scope] } : {}) } });
  if (!t) throw notFound(`threads ${id} not found`);
  return t;
}

/** a thread accepts messages while not closed and inside its window */
export const openWhere = (now: Date) => ({ is_closed: 0, deleted_at: null, OR: [{ estimate_done_at: null }, { estimate_done_at: { gt: now } }] });
export const isActive = (t: { is_closed: number; estimate_done_at: Date | null }, now: Date) =>
  t.is_closed === 0 && (!t.estimate_done_at || t.estimate_done_at > now);

export const windowEnd = (app: AppContext, from = app.now()) => new Date(from.getTime() + app.config.CONSULTATION_WINDOW_MINUTES * 60_000);

export interface NewMessage {
  content_type: 'text' | 'image' | 'attachments' | 'prescriptions';
  content: string;
  file?: { file_name: string; file_mime: string; file_size: number };
  prescription?: { id_menu: number; menu_snapshot: object; qty: number; valid_until: Date };
  remark?: string;
}

/**
 * Adds a message. The thread row is touched first with a conditional update carrying the rules
 * "open and inside the window" and "the caller still acts in it" (for a doctor answering an untaken
 * prescriptions thread, "nobody took it"): a concurrent close, an admin handing the thread to another
 * doctor, or a second doctor makes it match nothing → 409. Who the message goes to is read from the
 * row as updated (locked until the commit), not as loaded before.
 */
export async function postMessage(app: AppContext, tx: Tx, user: AuthUser, threadId: number, msg: NewMessage): Promise<number> {
  const t = await loadThread(tx, user, threadId, messageScope(user));
  const now = app.now();
  const participant = t.id_user_from === user.id || t.id_user_to === user.id;
  const takes = !participant && t.id_user_to === null && t.thread_type === 'prescriptions' && isDoctor(user);
  // A prescription is the doctor's word: only the thread's doctor (or the doctor taking it now)
  // writes one. A doctor on the customer side (their own request, no doctor yet) would otherwise
  // prescribe to themselves and redeem it. 404 like any thread that is not theirs to act in.
  if (msg.content_type === 'prescriptions' && t.id_user_to !== user.id && !takes) throw notFound(`threads ${threadId} not found`);
  const actsIn = takes
    ? { id_user_to: null }
    : msg.content_type === 'prescriptions'
      ? { id_user_to: user.id }
      : isStaff(user)
        ? {}
        : { OR: [{ id_user_from: user.id }, { id_user_to: user.id }] };
  const [row] = await tx.thread.updateManyAndReturn({
    where: { id: t.id, AND: [openWhere(now), actsIn] },
    data: { last_update_at: now, ...(takes ? { id_user_to: user.id } : {}) },
    select: { id_user_from: true, id_user_to: true },
  });
  if (!row) {
    throw conflict(takes ? 'This thread was closed or taken by another doctor' : 'The consultation is closed, its time window has ended, or it was handed to another doctor');
  }
  if (msg.prescription) await refuseTwinPrescription(tx, t.id, user.id, msg.prescription);
  const to = user.id === row.id_user_from ? row.id_user_to : row.id_user_from;
  const m = await tx.threadMessage.create({
    data: {
      id_threads: t.id,
      id_user_from: user.id,
      id_user_to: to === user.id ? null : to,
      content_type: msg.content_type,
      content: msg.content,
      remark: msg.remark ?? '',
      ...(msg.file ?? {}),
      ...(msg.prescription ?? {}),
    },
    select: { id: true },
  });
  await emit(app, 'thread.message', { threadId: t.id, messageId: m.id, authorId: user.id, kind: msg.content_type }, tx);
  if (msg.content_type === 'prescriptions') await followRequest(tx, t.id);
  return m.id;
}

/**
 * A doctor's "prescribe" tapped twice, or retried after its answer was lost, would write a second
 * prescription that the customer could redeem as well: twice the quantity prescribed. The same
 * product and qty from the same doctor in the same thread within a minute is refused (409); a doctor
 * who means more prescribes a larger qty. The caller holds the thread's row (postMessage's update),
 * so of two sent at once the second sees the first. Measured on the database's clock, which stamps
 * `created_at`.
 */
async function refuseTwinPrescription(tx: Tx, threadId: number, doctorId: number, p: { id_menu: number; qty: number }) {
  const [twin] = await tx.$queryRaw<{ id: number }[]>`
    SELECT id FROM thread_messages
    WHERE id_threads = ${threadId} AND id_user_from = ${doctorId} AND content_type = 'prescriptions' AND deleted_at IS NULL
      AND id_menu = ${p.id_menu} AND qty = ${p.qty} AND created_at > now() - interval '1 minute'
    LIMIT 1`;
  if (twin) throw conflict(`The same prescription was written a moment ago (thread_messages ${twin.id}); to prescribe more, change its qty`);
}

/**
 * The prescription request behind a prescriptions thread follows the thread (its `status`, which
 * the customer's data export shows): CLOSED while the thread is closed, else PRESCRIBED while a
 * prescription (not deleted) was written in it, else OPEN. Called, in the same transaction, by
 * whatever changes one of these: a prescription written or deleted, the thread closed, reopened or deleted.
 */
export async function followRequest(tx: Tx, threadId: number) {
  const t = await tx.thread.findUnique({ where: { id: threadId }, select: { is_closed: true, thread_type: true, deleted_at: true } });
  if (!t || t.thread_type !== 'prescriptions') return;
  // a deleted thread is over as a closed one is
  const closed = t.is_closed === 1 || t.deleted_at !== null;
  const prescribed = !closed && (await tx.threadMessage.count({ where: { id_threads: threadId, content_type: 'prescriptions', deleted_at: null } })) > 0;
  const status = closed ? 'CLOSED' : prescribed ? 'PRESCRIBED' : 'OPEN';
  await tx.prescriptionRequest.updateMany({ where: { id_threads: threadId, NOT: { status } }, data: { status } });
}


/**
 * `order.paid` of a consultation (type C): open its thread (customer → the doctor's user of the
 * order's extra), copy the window, tell both. The unique (id_order, thread_type) makes a repeated
 * or concurrent paid event a no-op (ON CONFLICT DO NOTHING, count 0 → nothing more to do).
 */
export async function openConsultationThread(app: AppContext, tx: Tx, orderId: number) {
  const o = await tx.order.findUnique({
    where: { id: orderId },
    select: {
      order_type: true,
      order_code: true,
      id_member: true,
      id_patients: true,
      consultation_closed: true,
      extras: { where: { id_doctors: { not: null } }, orderBy: { id: 'asc' }, take: 1, select: { doctor: { select: { id_users: true } } } },
    },
  });
  if (!o || o.order_type !== 'C') return;
  const doctorUser = o.extras[0]?.doctor?.id_users ?? null;
  // The thread shows its patient to the buyer (and gives its doctor the patient's record): only a
  // patient the buyer manages now (orders/init checked it at the cart; staff may have moved it since,
  // or an older order may not hold), else the thread opens without one. Decided with the patient's
  // row held (holdPatient), after the order's lock (the payment holds it): a move meanwhile
  // (users/patients/link, unlink) either commits first and is seen here, or waits for the thread.
  // Not locked FOR UPDATE: a checkout paid at once already holds the row FOR SHARE (the carts'
  // rule), and its upgrade would wait for another cart action of the patient holding it too, which
  // may itself wait for this checkout (the customer's point balance): a deadlock.
  if (o.id_patients) await holdPatient(tx, o.id_patients);
  // and the doctor's row (after the patient's, as booking locks them): doctors/:id/delete at the same
  // moment has seen this order as a checkout awaiting payment and refused, or waits for the thread
  await holdConsultationDoctor(tx, orderId);
  const patient = o.id_patients
    ? await tx.patient.findFirst({ where: { id: o.id_patients, id_users: o.id_member, deleted_at: null }, select: { id: true } })
    : null;
  let closes = o.consultation_closed;
  // whether this payment set the window (a repeated or concurrent paid event finds it set)
  let newWindow = false;
  if (!closes) {
    const candidate = windowEnd(app);
    const { count: set } = await tx.order.updateMany({ where: { id: orderId, consultation_closed: null }, data: { consultation_closed: candidate } });
    newWindow = set > 0;
    closes = newWindow ? candidate : (await tx.order.findUniqueOrThrow({ where: { id: orderId }, select: { consultation_closed: true } })).consultation_closed;
  }
  const { count } = await tx.thread.createMany({
    data: [
      {
        thread_type: 'online_consultations',
        id_order: orderId,
        id_user_from: o.id_member,
        id_user_to: doctorUser,
        id_patients: patient?.id ?? null,
        estimate_done_at: closes,
      },
    ],
    skipDuplicates: true,
  });
  if (!count) {
    if (!newWindow) return;
    // paid again after its payment was undone (closeConsultationThread): the thread opens for the new
    // window, as this payment would open it: with the doctor now paid for (the customer may have
    // chosen another in the cart after `uncheckout`) and the patient the buyer manages now. Restored
    // too if staff deleted it meanwhile: the customer paid for this consultation, it must be visible.
    await tx.thread.updateMany({
      where: { id_order: orderId, thread_type: 'online_consultations' },
      data: { is_closed: 0, closed_at: null, deleted_at: null, estimate_done_at: closes, id_user_to: doctorUser, id_patients: patient?.id ?? null },
    });
  }
  const t = await tx.thread.findUniqueOrThrow({ where: { id_order_thread_type: { id_order: orderId, thread_type: 'online_consultations' } }, select: { id: true } });
  const base = { intentions: 'consultation_opened', title: 'Konsultasi online dibuka', labels: 'Success', reference_type: 'threads', reference_id: t.id };
  await notify(app, tx, [
    { ...base, id_user_to: o.id_member, content: `Konsultasi untuk pesanan ${o.order_code ?? ''} sudah dapat dimulai.` },
    ...(doctorUser ? [{ ...base, id_user_to: doctorUser, content: `Konsultasi baru dari pesanan ${o.order_code ?? ''}.` }] : []),
  ]);
}

/**
 * An admin gave a thread its doctor: handed it to another one (threads/:id/update with a new
 * id_user_to) or opened it by hand with one (threads/create). While it accepts messages, that doctor
 * is told a consultation is waiting for them, and the customer who will be answered by them
 * (`consultation_opened`, referencing the thread, as when a paid consultation opens). A thread
 * without a doctor, closed or past its window tells nobody.
 */
export async function tellNewDoctor(app: AppContext, tx: Tx, threadId: number, opened = false) {
  const t = await tx.thread.findUnique({
    where: { id: threadId },
    select: { id: true, is_closed: true, estimate_done_at: true, deleted_at: true, id_user_from: true, id_user_to: true, order: { select: { order_code: true } }, userTo: { select: { users_fullname: true } } },
  });
  if (!t?.id_user_to || t.deleted_at || !isActive(t, app.now())) return;
  const code = t.order?.order_code ? ` untuk pesanan ${t.order.order_code}` : '';
  const doctor = t.userTo?.users_fullname ?? 'dokter';
  const base = { intentions: 'consultation_opened', title: opened ? 'Konsultasi online dibuka' : 'Konsultasi online dialihkan', labels: opened ? 'Success' : 'Info', reference_type: 'threads', reference_id: t.id };
  await notify(app, tx, [
    { ...base, id_user_to: t.id_user_from, content: opened ? `Konsultasi${code} dengan ${doctor} sudah dapat dimulai.` : `Konsultasi${code} kini dilanjutkan oleh ${doctor}.` },
    { ...base, id_user_to: t.id_user_to, content: opened ? `Konsultasi baru${code}.` : `Konsultasi${code} dialihkan kepada Anda.` },
  ]);
}

/**
 * A consultation order going back to unpaid (`unpaid`) or cancelled: its thread closes now, and
 * the order's window is cleared, so a new payment opens a new one (openConsultationThread). Also
 * when the order shows no window end (threads/:id/update set estimate_done_at null on both).
 */
export async function closeConsultationThread(app: AppContext, tx: Tx, orderId: number) {
  const o = await tx.order.findUnique({ where: { id: orderId }, select: { order_type: true } });
  if (!o || o.order_type !== 'C') return;
  await tx.order.updateMany({ where: { id: orderId }, data: { consultation_closed: null } });
  await tx.thread.updateMany({ where: { id_order: orderId, thread_type: 'online_consultations', is_closed: 0 }, data: { is_closed: 1, closed_at: app.now() } });
}

/**
 * `prescription.requested`: a prescriptions thread (customer → nobody yet) with the customer's
 * request as its first message; the first doctor to answer takes it (see postMessage). The
 * request row is linked with a conditional update, so a request that already has a thread keeps it.
 */
export async function openPrescriptionThread(app: AppContext, tx: Tx, requestId: number) {
  const r = await tx.prescriptionRequest.findUnique({ where: { id: requestId }, select: { id_users: true, id_threads: true, menu: { select: { nama_menus: true } } } });
  if (!r || r.id_threads) return;
  const now = app.now();
  const t = await tx.thread.create({ data: { thread_type: 'prescriptions', id_user_from: r.id_users, last_update_at: now }, select: { id: true } });
  await tx.threadMessage.create({
    data: { id_threads: t.id, id_user_from: r.id_users, content_type: 'text', content: `Hallo, saya ingin memesan ${r.menu.nama_menus}.`, remark: 'auto-messages' },
  });
  const { count } = await tx.prescriptionRequest.updateMany({ where: { id: requestId, id_threads: null }, data: { id_threads: t.id } });
  if (!count) throw new Error(`prescription request ${requestId} was linked concurrently`);
}

const CLOSE_PAGE = 200;

/**
 * A consultation whose window has passed accepts no messages (openWhere), yet its row said
 * `is_closed: 0` in every read (threads/:id, the lists and their `is_closed` filter). This job
 * (every minute) closes such threads as they stand: `is_closed` 1, `closed_at` = the window's end
 * (when the consultation ended; the order's `consultation_closed` already says so). A prescriptions
 * thread (given a window by an admin) takes its request along (followRequest).
 *
 * A page of threads at a time, in one statement and transaction each (the first run on an older
 * database may find tens of thousands). The rows are locked in id order and "open, not deleted, past
 * its window" is checked again on each locked row: a reopen or a new window (threads/:id/reopen,
 * update) in progress holds the row, and the job waits for it and then leaves the thread open; one
 * that comes after finds the thread closed and reopens it as any closed thread. Idempotent: a second
 * run finds nothing. `stopping` ends a run between pages.
 */
export async function closeEndedConsultations(app: AppContext, stopping?: AbortSignal) {
  let closed = 0;
  while (!stopping?.aborted) {
    const page = await app.db.$transaction(async (tx) => {
      const now = app.now();
      const ended = Prisma.sql`is_closed = 0 AND deleted_at IS NULL AND estimate_done_at <= ${now}`;
      const rows = await tx.$queryRaw<{ id: number; thread_type: string }[]>`
        UPDATE threads SET is_closed = 1, closed_at = estimate_done_at, updated_at = ${now}
        WHERE id IN (SELECT id FROM threads WHERE ${ended} ORDER BY id LIMIT ${CLOSE_PAGE} FOR UPDATE) AND ${ended}
        RETURNING id, thread_type`;
      for (const r of rows.sort((a, b) => a.id - b.id)) if (r.thread_type === 'prescriptions') await followRequest(tx, r.id);
      return rows.length;
    });
    closed += page;
    if (page < CLOSE_PAGE) break;
  }
  return closed;
}
