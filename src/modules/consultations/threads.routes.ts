import { z } from 'zod';
import { STAFF, isStaff, type Role } from '../../http/auth-user.js';
import { conflict, forbidden, notFound, unprocessable } from '../../http/errors.js';
import { emptyFiltersAbsent, resourceRoutes, softDeleteLive, type Caller } from '../../http/resource.js';
import { route, type RequestContext } from '../../http/route.js';
import * as s from '../../lib/schemas.js';
import { formatDateTime } from '../../lib/dates.js';
import { addUserSection, type UserSection } from '../identity/user-sections.js';
import { holdLiveDoctor } from '../identity/account-holds.js';
import { lockOrder, standsAsSale } from '../commerce/reservations.js';
import { lockPatient } from '../patients/access.js';
import {
  groupedSchema,
  THREAD_TYPES,
  threadDetailInclude,
  threadDetailJSON,
  threadDetailSchema,
  threadInclude,
  threadJSON,
  threadOverviewInclude,
  threadOverviewJSON,
  threadOverviewSchema,
  threadSchema,
} from './serializers.js';
import { followRequest, isActive, loadThread, openWhere, tellNewDoctor, threadScope, untakenRequests, windowEnd, withReadablePatients } from './threads.service.js';
import type { Tx } from '../../db/client.js';
import type { AppContext } from '../../app-context.js';

const STAFF_OR_DOCTOR: Role[] = [...STAFF, 'DOCTOR'];

const filters = z.object({
  id_order: s.id.optional(),
  id_user_from: s.id.optional(),
  id_user_to: s.optionalRef.optional(),
  id_patients: s.id.optional(),
  is_closed: s.flag.optional(),
  thread_type: z.enum(THREAD_TYPES).optional(),
});
type Filters = z.infer<typeof filters>;
const filterWhere = (f: Filters) => ({
  id_order: f.id_order,
  id_user_from: f.id_user_from,
  id_user_to: s.refFilter(f.id_user_to),
  id_patients: f.id_patients,
  is_closed: f.is_closed,
  thread_type: f.thread_type,
});

const createBody = z.object({
  thread_type: z.enum(THREAD_TYPES).default('online_consultations'),
  id_order: s.optionalRef.optional(),
  id_user_from: s.id,
  id_user_to: s.optionalRef.optional(),
  id_patients: s.optionalRef.optional(),
  queue_number: s.count.optional(),
  estimate_done_at: s.dateTime.optional(),
});
const updateBody = z.object({
  is_closed: s.flag.optional(),
  queue_number: s.count.optional(),
  estimate_done_at: s.dateTime.nullable().optional(),
  id_user_to: s.optionalRef.optional(),
});

const scope = (c: Caller) => threadScope(c.user);
/** a doctor manages only threads they have taken (an untaken prescription request is visible, not theirs) */
function assertManages(user: Caller['user'], t: { id_user_to: number | null }) {
  if (!isStaff(user) && t.id_user_to !== user?.id) throw forbidden('Only the thread’s doctor or an admin can do this');
}
/**
 * close, reopen, update: the thread's row locked, then whether the caller manages it decided on the
 * committed row, so an admin handing the thread to another doctor meanwhile is seen (404 then, as for
 * any thread no longer the caller's). Returns the thread as locked, with its order's payment state.
 * The order's row is locked first, in the order the payment's transaction takes them (commerce locks
 * the order, then opens or closes its thread): `unpaid` or a cancellation at the same moment comes
 * first and is seen, or waits.
 */
async function lockManaged(tx: Tx, user: Caller['user'], id: number) {
  const [ref] = await tx.$queryRaw<{ id_order: number | null }[]>`SELECT id_order FROM threads WHERE id = ${id}`;
  if (ref?.id_order) await lockOrder(tx, ref.id_order);
  await tx.$queryRaw`SELECT id FROM threads WHERE id = ${id} FOR UPDATE`;
  const t = await loadThread(tx, user, id);
  assertManages(user, t);
  const order = t.id_order ? await tx.order.findUnique({ where: { id: t.id_order }, select: saleState }) : null;
  // a thread without an order (made by an admin) is not a sale: left as it is
  return { ...t, unpaid: !!order && !standsAsSale(order) };
}
/** what standsAsSale reads of an order */
const saleState = { is_paid: true, status: true, refunded_amount: true, grand_totals: true } as const;
/** A consultation whose payment was undone, or whose order was cancelled or taken back in full, is not reopened. */
const notPaid = () => conflict('The consultation’s order is not paid: the thread cannot be reopened');
/** A thread's state that decides when its consultation ends. */
type WindowState = { is_closed: number; closed_at: Date | null; estimate_done_at: Date | null };
/**
 * When the consultation ends, or ended: its window's end (null: none) while open; once closed, its
 * close, or its window's end when that came first (a thread closed after its window had passed ended
 * with the window).
 */
function consultationEnd(t: WindowState): Date | null {
  if (t.is_closed !== 1 || !t.closed_at) return t.estimate_done_at;
  return t.estimate_done_at && t.estimate_done_at < t.closed_at ? t.estimate_done_at : t.closed_at;
}
/**
 * orders/:id shows when the consultation ends (consultation_closed): moved with the thread's window
 * (estimate_done_at, which decides the messages) and its close (consultationEnd), in the same
 * transaction. Not while the order is unpaid: its window is cleared then (closeConsultationThread),
 * and its next payment opens a new one.
 */
async function keepOrderWindow(tx: Tx, t: { id_order: number | null; unpaid: boolean }, after: WindowState) {
  if (t.id_order && !t.unpaid) await tx.order.updateMany({ where: { id: t.id_order, order_type: 'C' }, data: { consultation_closed: consultationEnd(after) } });
}
/** the window a reopen gives: CONSULTATION_WINDOW_MINUTES from now; a prescriptions thread none, as it opened */
const reopenedWindow = (app: AppContext, t: { thread_type: string }, now: Date) => (t.thread_type === 'prescriptions' ? null : windowEnd(app, now));
/**
 * A thread's doctor (id_user_to; 0 = none yet) is a live account with the DOCTOR role, other than the
 * thread's customer: it reads the consultation and prescribes in it. The account is held (FOR SHARE,
 * as doctors/create holds it), so its deletion at the same moment comes first (422) or waits.
 */
async function checkThreadDoctor(tx: Tx, id: number, customer: number) {
  if (!id) return;
  if (id === customer || !(await holdLiveDoctor(tx, id))) {
    throw unprocessable("id_user_to must be a doctor's account other than the customer's", [{ field: 'id_user_to', message: 'not a doctor' }]);
  }
}
/**
 * A closed thread's doctor may have gone meanwhile (account deleted, DOCTOR role taken away: both
 * allowed while no paid consultation of theirs is open): reopening would give the customer a
 * consultation nobody answers. Decided under the thread's lock with the account held, so such a
 * change at the same moment comes first (refused here) or waits and then sees the thread open.
 * An untaken thread (no doctor) is not concerned.
 */
async function assertDoctorAvailable(tx: Tx, doctor: number | null) {
  if (doctor && !(await holdLiveDoctor(tx, doctor))) throw conflict('The thread’s doctor is no longer available: hand it to another doctor first');
}
/** the grouped views list at most this many threads (newest activity first) */
const GROUPED_LIMIT = 500;

function grouped(rows: any[], now: Date, toJSON: (t: any) => unknown) {
  const out = { active: { prescriptions: [] as unknown[], online_consultations: [] as unknown[] }, archive: { prescriptions: [] as unknown[], online_consultations: [] as unknown[] } };
  for (const t of rows) {
    const kind = t.thread_type === 'prescriptions' ? 'prescriptions' : 'online_consultations';
    out[isActive(t, now) ? 'active' : 'archive'][kind].push(toJSON(t));
  }
  return out;
}

function groupedRoute(path: string, access: 'authenticated' | Role[], summary: string, mine: (ctx: RequestContext) => Record<string, unknown> | undefined, overview: boolean) {
  return route({
    method: 'post',
    path,
    access,
    readOnly: true, // a list sent as POST, as the document has it
    tag: 'threads',
    summary,
    // a filter sent empty ("" or null) is no filter, as in explore/search/table
    body: emptyFiltersAbsent(filters).optional(),
    response: groupedSchema(overview ? threadOverviewSchema : threadSchema),
    handler: async (ctx) => {
      const rows = await ctx.app.db.thread.findMany({
        where: { AND: [{ deleted_at: null }, mine(ctx) ?? {}, filterWhere(ctx.body ?? {})] },
        include: overview ? threadOverviewInclude : threadInclude,
        orderBy: [{ last_update_at: { sort: 'desc', nulls: 'last' } }, { id: 'desc' }],
        take: GROUPED_LIMIT,
      });
      if (!overview) return grouped(rows, ctx.app.now(), (t) => threadJSON(ctx.app, t));
      return grouped(await withReadablePatients(ctx.app.db, ctx.user, rows), ctx.app.now(), (t) => threadOverviewJSON(ctx.app, t, ctx.user));
    },
  });
}

export const threadRoutes = [
  ...resourceRoutes({
    name: 'threads',
    model: (db) => db.thread,
    access: { read: 'authenticated', write: STAFF, update: STAFF_OR_DOCTOR },
    softDelete: true,
    scope,
    filters,
    where: (f) => filterWhere(f),
    include: threadInclude,
    // no index yields this order: joined, the accounts and order of every thread were built before
    // the sort kept the page (224 ms for 5,000 threads); loaded after it, for the page's only
    relationLoadStrategy: 'query',
    detailInclude: threadDetailInclude,
    defaultOrder: [{ last_update_at: { sort: 'desc', nulls: 'last' } }, { id: 'desc' }],
    searchFields: ['userFrom.users_fullname', 'userTo.users_fullname', 'order.order_code'],
    toJSON: (t, c) => threadJSON(c.app, t),
    toDetail: (t, c) => threadDetailJSON(c.app, t, c.user),
    schema: threadSchema,
    detailSchema: threadDetailSchema,
    columns: [
      { name: 'id', value: (t) => t.id, orderBy: (d) => ({ id: d }) },
      { name: 'id_order', value: (t) => t.id_order ?? 0, orderBy: (d) => ({ id_order: d }) },
      { name: 'order_date', value: (t) => formatDateTime(t.order?.order_date), orderBy: (d) => ({ order: { order_date: d } }) },
      { name: 'queue_number', value: (t) => t.queue_number, orderBy: (d) => ({ queue_number: d }) },
      { name: 'estimate_done_at', value: (t) => formatDateTime(t.estimate_done_at), orderBy: (d) => ({ estimate_done_at: d }) },
      { name: 'last_update_at', value: (t) => formatDateTime(t.last_update_at), orderBy: (d) => ({ last_update_at: d }) },
      { name: 'last_seen_at', value: (t) => formatDateTime(t.last_seen_at), orderBy: (d) => ({ last_seen_at: d }) },
      { name: 'is_closed', value: (t) => t.is_closed, orderBy: (d) => ({ is_closed: d }) },
      { name: 'id_user_from', value: (t) => t.id_user_from, orderBy: (d) => ({ id_user_from: d }) },
      { name: 'id_user_to', value: (t) => t.id_user_to ?? 0, orderBy: (d) => ({ id_user_to: d }) },
      { name: 'created', value: (t) => formatDateTime(t.created_at), orderBy: (d) => ({ created_at: d }) },
      { name: 'modified', value: (t) => formatDateTime(t.updated_at), orderBy: (d) => ({ updated_at: d }) },
      { name: 'user_from', value: (t) => t.userFrom?.users_fullname, orderBy: (d) => ({ userFrom: { users_fullname: d } }) },
      // the file names, as the lists print user_from_picture / user_to_picture (their URLs are the *_url fields there)
      { name: 'user_from_picture', value: (t) => t.userFrom?.users_picture ?? '' },
      { name: 'user_to', value: (t) => t.userTo?.users_fullname ?? '', orderBy: (d) => ({ userTo: { users_fullname: d } }) },
      { name: 'user_to_picture', value: (t) => t.userTo?.users_picture ?? '' },
    ],
    create: {
      body: createBody,
      // By hand (admins): normally the paid-order event opens the thread.
      run: async (b, c, tx) => {
        // the order locked first, as its payment's transaction does: `unpaid` or a cancellation at the
        // same moment comes first and is seen, or waits and then closes the thread
        if (b.id_order) await lockOrder(tx, b.id_order);
        const order = b.id_order
          ? await tx.order.findUnique({ where: { id: b.id_order }, select: { id_member: true, id_patients: true, consultation_closed: true, order_type: true, ...saleState } })
          : null;
        if (b.id_order && !order) throw notFound(`orders ${b.id_order} not found`);
        // A consultation's thread is of a consultation (C) order: the order's cancellation or undone payment
        // closes it and its window is the order's (closeConsultationThread, keepOrderWindow), never an e-commerce one's.
        if (order && b.thread_type === 'online_consultations' && order.order_type !== 'C') {
          throw unprocessable('A consultation thread is of a consultation (C) order', [{ field: 'id_order', message: 'not a consultation order' }]);
        }
        // The thread shows its patient's record to its customer: both must be that customer's own.
        if (order && order.id_member !== b.id_user_from) {
          throw unprocessable('The order must be one of the customer (id_user_from)', [{ field: 'id_order', message: "not the customer's order" }]);
        }
        await checkThreadDoctor(tx, b.id_user_to ?? 0, b.id_user_from);
        const patientId = b.id_patients || order?.id_patients || null;
        // decided under the patient's row lock: staff moving it to another account meanwhile
        // (users/patients/link, unlink) either commits first and is seen here, or waits for the thread
        if (patientId) await lockPatient(tx, patientId);
        if (patientId && !(await tx.patient.findFirst({ where: { id: patientId, id_users: b.id_user_from, deleted_at: null }, select: { id: true } }))) {
          throw unprocessable('The patient must be one the customer (id_user_from) manages', [{ field: 'id_patients', message: "not the customer's patient" }]);
        }
        // a thread of an order is a consultation paid for (reopen's rule): not one unpaid or cancelled
        if (order && !standsAsSale(order)) {
          throw unprocessable('The order is not paid (or was cancelled or refunded): no consultation to open', [{ field: 'id_order', message: 'not paid' }]);
        }
        const t = await tx.thread.create({
          data: {
            thread_type: b.thread_type,
            id_order: b.id_order || null,
            id_user_from: b.id_user_from,
            id_user_to: b.id_user_to || null,
            id_patients: patientId,
            queue_number: b.queue_number ?? 0,
            estimate_done_at: b.estimate_done_at ?? order?.consultation_closed ?? null,
          },
        });
        // an explicit window is the order's too (orders/:id shows it), as reopen and update keep it
        if (b.estimate_done_at !== undefined) await keepOrderWindow(tx, { id_order: t.id_order, unpaid: false }, t);
        // its doctor and customer are told, as when a payment opens one
        await tellNewDoctor(c.app, tx, t.id, true);
        return t.id;
      },
    },
    update: {
      body: updateBody,
      run: async (id, b, c, tx) => {
        // who manages it decided under the row lock, as close/reopen (not on the row loaded before)
        const current = await lockManaged(tx, c.user, id);
        const now = c.app.now();
        const accepting = isActive(current, now);
        // `is_closed: 0` of a thread that accepts no messages now (closed, or open past its window) is
        // a reopen, as threads/:id/reopen: for a paid consultation, with a doctor, for a new window
        // from now unless this update sets estimate_done_at itself. (It used to answer 200 and leave
        // a thread past its window refusing every message.)
        const reopens = b.is_closed === 0 && !accepting;
        if (reopens && current.unpaid) throw notPaid();
        const estimate = b.estimate_done_at !== undefined ? b.estimate_done_at : reopens ? reopenedWindow(c.app, current, now) : undefined;
        // closed_at is when it closed: set only by a change of is_closed (the state read under the row lock)
        const closing = b.is_closed === undefined || b.is_closed === current.is_closed ? {} : { is_closed: b.is_closed, closed_at: b.is_closed ? now : null };
        const after: WindowState = { ...current, ...(estimate !== undefined ? { estimate_done_at: estimate } : {}), ...closing };
        const handsOver = isStaff(c.user) && b.id_user_to !== undefined;
        if (handsOver && b.id_user_to && b.id_user_to !== current.id_user_to) await checkThreadDoctor(tx, b.id_user_to, current.id_user_from);
        // Reopened, or given a window that makes it accept messages again: with the doctor it will have
        // (an admin may hand it to another in the same request), not for a customer nobody answers.
        if (reopens || (!accepting && isActive(after, now))) await assertDoctorAvailable(tx, handsOver ? b.id_user_to || null : current.id_user_to);
        await tx.thread.update({
          where: { id },
          data: {
            queue_number: b.queue_number,
            estimate_done_at: estimate,
            // only admins reassign the doctor
            id_user_to: handsOver ? b.id_user_to || null : undefined,
            ...closing,
          },
        });
        // the order's window follows a new window and a close or reopen
        if (estimate !== undefined || 'is_closed' in closing) await keepOrderWindow(tx, current, after);
        if (b.is_closed !== undefined) await followRequest(tx, id);
        // the doctor taking it over, and the customer, are told (while it accepts messages)
        if (handsOver && b.id_user_to && b.id_user_to !== current.id_user_to) await tellNewDoctor(c.app, tx, id);
      },
    },
    delete: {
      access: STAFF,
      run: async (id, c, tx) => {
        await softDeleteLive(tx.thread, 'threads', id, c.app.now());
        // a prescription request's thread deleted: the request is over (CLOSED), not left OPEN
        await followRequest(tx, id);
      },
    },
  }),
  route({
    method: ['put', 'post'],
    path: '/threads/:id/close',
    access: STAFF_OR_DOCTOR,
    tag: 'threads',
    summary: 'Close a consultation: no new messages until reopened',
    response: z.object({ close: z.literal(true) }),
    handler: ({ app, user, params, auditChange }) =>
      app.db.$transaction(async (tx) => {
        const t = await lockManaged(tx, user, params.id);
        const [closed] = await tx.thread.updateManyAndReturn({
          where: { id: params.id, is_closed: 0 },
          data: { is_closed: 1, closed_at: app.now() },
          select: { is_closed: true, closed_at: true, estimate_done_at: true },
        });
        if (!closed) throw conflict('The thread is already closed');
        // orders/:id shows that the consultation ended now (or with its window, when that passed first)
        await keepOrderWindow(tx, t, closed);
        await followRequest(tx, params.id);
        await auditChange(tx);
        return { close: true as const };
      }),
  }),
  route({
    method: ['put', 'post'],
    path: '/threads/:id/reopen',
    access: STAFF_OR_DOCTOR,
    tag: 'threads',
    summary: 'Reopen a closed or expired consultation for a new window of CONSULTATION_WINDOW_MINUTES (a prescriptions thread: without a window, as it opened)',
    response: z.object({ reopen: z.literal(true) }),
    handler: ({ app, user, params, auditChange }) =>
      app.db.$transaction(async (tx) => {
        const t = await lockManaged(tx, user, params.id);
        if (t.unpaid) throw notPaid();
        await assertDoctorAvailable(tx, t.id_user_to);
        const now = app.now();
        // a prescriptions thread has no time window (it opened without one): reopened, it has none again
        const window = reopenedWindow(app, t, now);
        // Only a thread that does not accept messages now can be reopened (the same rule, negated).
        const { count } = await tx.thread.updateMany({
          where: { id: params.id, deleted_at: null, NOT: openWhere(now) },
          data: { is_closed: 0, closed_at: null, estimate_done_at: window },
        });
        if (!count) throw conflict('The thread is already open');
        await followRequest(tx, params.id);
        await keepOrderWindow(tx, t, { is_closed: 0, closed_at: null, estimate_done_at: window });
        await auditChange(tx);
        return { reopen: true as const };
      }),
  }),
  groupedRoute('/threads/adminview', STAFF, 'Every thread, grouped active/archive × prescriptions/online_consultations', () => undefined, false),
  groupedRoute(
    '/threads/overview',
    'authenticated',
    "The signed-in user's threads (as customer or doctor), grouped, with patient and doctor",
    (ctx) => ({ OR: [{ id_user_from: ctx.user!.id }, { id_user_to: ctx.user!.id }] }),
    true,
  ),
  groupedRoute(
    '/threads/overview/doctors',
    ['DOCTOR'],
    "The signed-in doctor's threads and the prescription requests nobody has taken yet, grouped, with patient and doctor",
    (ctx) => ({ OR: [{ id_user_to: ctx.user!.id }, untakenRequests] }),
    true,
  ),
];

// users/data: the user's active threads (as customer or doctor), newest activity first.
// `schema` documents the keys it adds (a variable, so it also compiles where UserSection has no `schema` yet).
const activeThreadsSection = {
  in: ['data'],
  schema: { threads: z.array(threadSchema) },
  load: async (userId, c) => {
    const now = c.app.now();
    const rows = await c.app.db.thread.findMany({
      where: { AND: [openWhere(now), { OR: [{ id_user_from: userId }, { id_user_to: userId }] }] },
      include: threadInclude,
      orderBy: [{ last_update_at: { sort: 'desc', nulls: 'last' } }, { id: 'desc' }],
      take: 20,
    });
    return { threads: rows.map((t) => threadJSON(c.app, t)) };
  },
} satisfies UserSection & { schema: z.ZodRawShape };
addUserSection(activeThreadsSection);

