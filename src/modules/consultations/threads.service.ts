import type { AppContext } from '../../app-context.js';
import { isDoctor, isStaff, type AuthUser } from '../../http/auth-user.js';
import { conflict, notFound } from '../../http/errors.js';
import { emit } from '../../lib/events.js';
import { notify, type Db } from '../notifications/notifications.service.js';

type Tx = Parameters<Parameters<AppContext['db']['$transaction']>[0]>[0];

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

export async function loadThread(db: Db, user: AuthUser | undefined, id: number) {
  const t = await db.thread.findFirst({ where: { id, deleted_at: null, ...(threadScope(user) ? { AND: [threadScope(user)!] } : {}) } });
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
 * Adds a message. The thread row is touched first with a conditional update carrying the rule
 * "open and inside the window" (and, for a doctor answering an untaken prescriptions thread,
 * "nobody took it"): a concurrent close or a second doctor makes it match nothing → 409.
 */
export async function postMessage(app: AppContext, tx: Tx, user: AuthUser, threadId: number, msg: NewMessage): Promise<number> {
  const t = await loadThread(tx, user, threadId);
  const now = app.now();
  const participant = t.id_user_from === user.id || t.id_user_to === user.id;
  const takes = !participant && t.id_user_to === null && t.thread_type === 'prescriptions' && isDoctor(user);
  const { count } = await tx.thread.updateMany({
    where: { id: t.id, ...openWhere(now), ...(takes ? { id_user_to: null } : {}) },
    data: { last_update_at: now, ...(takes ? { id_user_to: user.id } : {}) },
  });
  if (!count) {
    throw conflict(takes ? 'This thread was closed or taken by another doctor' : 'The consultation is closed or its time window has ended');
  }
  const to = user.id === t.id_user_from ? (takes ? user.id : t.id_user_to) : t.id_user_from;
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
  return m.id;
}

/**
 * A participant reads a thread: the other side's messages become read and the reader's
 * last-seen time moves. Admins reading do not change read receipts.
 */
export async function markThreadRead(app: AppContext, user: AuthUser, t: { id: number; id_user_from: number; id_user_to: number | null }) {
  const side = t.id_user_from === user.id ? 'user_from_last_seen_at' : t.id_user_to === user.id ? 'user_to_last_seen_at' : undefined;
  if (!side) return;
  const now = app.now();
  await app.db.$transaction([
    app.db.threadMessage.updateMany({
      where: { id_threads: t.id, is_read: 0, deleted_at: null, id_user_from: { not: user.id } },
      data: { is_read: 1, read_at: now },
    }),
    app.db.thread.update({ where: { id: t.id }, data: { [side]: now, last_seen_at: now } }),
  ]);
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
  let closes = o.consultation_closed;
  if (!closes) {
    closes = windowEnd(app);
    await tx.order.updateMany({ where: { id: orderId, consultation_closed: null }, data: { consultation_closed: closes } });
  }
  const { count } = await tx.thread.createMany({
    data: [
      {
        thread_type: 'online_consultations',
        id_order: orderId,
        id_user_from: o.id_member,
        id_user_to: doctorUser,
        id_patients: o.id_patients,
        estimate_done_at: closes,
      },
    ],
    skipDuplicates: true,
  });
  if (!count) return;
  const t = await tx.thread.findUniqueOrThrow({ where: { id_order_thread_type: { id_order: orderId, thread_type: 'online_consultations' } }, select: { id: true } });
  const base = { intentions: 'consultation_opened', title: 'Konsultasi online dibuka', labels: 'Success', reference_type: 'threads', reference_id: t.id };
  await notify(app, tx, [
    { ...base, id_user_to: o.id_member, content: `Konsultasi untuk pesanan ${o.order_code ?? ''} sudah dapat dimulai.` },
    ...(doctorUser ? [{ ...base, id_user_to: doctorUser, content: `Konsultasi baru dari pesanan ${o.order_code ?? ''}.` }] : []),
  ]);
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
