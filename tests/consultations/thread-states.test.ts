import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { patientOf } from '../commerce/fixtures.js';
import { createMenu } from './fixtures.js';
import { stateTable } from '../helpers/state-table.js';

/**
 * The online consultation thread's state machine (threads.routes.ts, threads.service.ts, and commerce's
 * order events; docs/compat.md "Online consultations"):
 *
 *   (a consultation order paid) → OPEN: is_closed 0, estimate_done_at = payment + CONSULTATION_WINDOW_MINUTES
 *   OPEN ─window passes (or `update` of estimate_done_at)→ EXPIRED (is_closed 0, past its window), until
 *     the job closes it (consultations.close-ended: CLOSED, closed_at = the window's end; thread-window-job.test.ts)
 *   OPEN/EXPIRED ─close / update is_closed 1→ CLOSED (the order's consultation_closed: the close, or the
 *     window's end when that passed first)
 *   EXPIRED/CLOSED ─reopen / update is_closed 0→ OPEN for a new window (the order's consultation_closed with it)
 *   the order's payment undone (`unpaid`) or the order cancelled → CLOSED, the order's window cleared;
 *   reopen then refused (409) until it is paid again
 *   the order completed (`consignee` → DONE): the thread as it was (open until its window ends)
 *   any ─delete (staff)→ hidden
 *
 * Who: close, reopen and update are for staff and the thread's doctor (customers 403, another doctor 404);
 * messages for its two participants and staff (anyone else 404); prescriptions for its doctor only
 * (the route is doctors': staff and customers 403, another doctor 404); delete for staff (others 403).
 * A message, prescription, edit in a thread not accepting messages: 409. Close of a closed one, reopen of
 * an open one: 409.
 *
 * Side effects: close: is_closed 1, closed_at, the order's consultation_closed the earlier of closed_at
 * and the window's end; reopen (and update is_closed 0 of a thread accepting no messages): is_closed 0,
 * closed_at null, a new window, written to the order's consultation_closed too; a message: the message, last_update_at,
 * `new_message` (`new_prescription`) to the other participant; delete: deleted_at. Staff's and the doctor's
 * changes on the doctors' routes are audited (one entry each).
 * A refused move changes nothing: the thread, its order, its messages, notifications, the audit log.
 */

const WINDOW_MIN = 60;
let t: TestApp;
let admin: TestUser;
let doctor: TestUser;
let otherDoctor: TestUser;
let owner: TestUser;
let stranger: TestUser;
let doctorId: number;
let menuId: number;

beforeAll(async () => {
  t = await createTestApp({ CONSULTATION_WINDOW_MINUTES: String(WINDOW_MIN) });
  admin = await t.user(['ADMIN']);
  doctor = await t.user(['DOCTOR']);
  otherDoctor = await t.user(['DOCTOR']);
  owner = await t.user(['CUSTOMER']);
  stranger = await t.user(['CUSTOMER']);
  doctorId = (await t.app.db.doctor.create({ data: { id_users: doctor.id, custom_price: 100_000 } })).id;
  await t.app.db.doctor.create({ data: { id_users: otherDoctor.id, custom_price: 100_000 } });
  menuId = (await createMenu(t)).id;
});
afterAll(() => t.close());

type State = 'OPEN' | 'EXPIRED' | 'CLOSED' | 'UNPAID' | 'ORDER_CANCELLED' | 'ORDER_DONE' | 'DELETED';
const STATES: State[] = ['OPEN', 'EXPIRED', 'CLOSED', 'UNPAID', 'ORDER_CANCELLED', 'ORDER_DONE', 'DELETED'];
const ACTIONS = ['close', 'reopen', 'update-close', 'update-open', 'text', 'prescription', 'delete'] as const;
type Action = (typeof ACTIONS)[number];
type Who = 'admin' | 'doctor' | 'otherDoctor' | 'owner' | 'stranger';
const WHO: Who[] = ['admin', 'doctor', 'otherDoctor', 'owner', 'stranger'];
const caller = (w: Who) => ({ admin, doctor, otherDoctor, owner, stranger })[w];

const put = (path: string, u: TestUser, body: object = {}) => t.http.put(path).set(t.auth(u)).send(body);

/** a consultation of `owner` with `doctor`, paid through the API, its thread brought to `state` */
async function threadIn(state: State) {
  const patient = await patientOf(t, owner);
  const id = (await t.http.post('/orders/init').set(t.auth(owner)).send({ id_patients: patient.id, order_type: 'C' })).body.orders.id as number;
  await t.http.post('/orders/c_add_to_carts').set(t.auth(owner)).send({ id_order: id, items: [{ id_doctors: doctorId, qty: 1 }] }).expect(200);
  await put(`/orders/${id}/checkout`, owner).expect(200);
  await put(`/orders/${id}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
  const threadId = (await t.app.db.thread.findFirstOrThrow({ where: { id_order: id } })).id;
  const past = new Date(Date.now() - 3600_000);
  const p = (d: Date) => `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()} 00:00`;
  const steps: Record<State, () => Promise<unknown>> = {
    OPEN: async () => undefined,
    EXPIRED: () => put(`/threads/${threadId}/update`, admin, { estimate_done_at: p(new Date(past.getTime() - 2 * 86_400_000)) }).expect(200),
    CLOSED: () => put(`/threads/${threadId}/close`, doctor).expect(200),
    UNPAID: () => put(`/orders/${id}/unpaid`, admin).expect(200),
    ORDER_CANCELLED: () => put(`/orders/${id}/cancel`, admin, { cancel_reason: 'dokter berhalangan' }).expect(200),
    ORDER_DONE: () => put(`/orders/${id}/consignee`, admin).expect(200),
    DELETED: () => t.http.delete(`/threads/${threadId}/delete`).set(t.auth(admin)).expect(200),
  };
  await steps[state]();
  return { orderId: id, threadId };
}

function expected(state: State, action: Action, who: Who): number {
  const closedByOrder = state === 'UNPAID' || state === 'ORDER_CANCELLED';
  const accepting = state === 'OPEN' || state === 'ORDER_DONE';
  if (action === 'delete') return who !== 'admin' ? 403 : state === 'DELETED' ? 404 : 200;
  if (action === 'prescription') {
    if (who !== 'doctor' && who !== 'otherDoctor') return 403;
    if (who === 'otherDoctor' || state === 'DELETED') return 404;
    return accepting ? 200 : 409;
  }
  if (action === 'text') {
    if (who === 'otherDoctor' || who === 'stranger' || state === 'DELETED') return 404;
    return accepting ? 200 : 409;
  }
  // close, reopen, update
  if (who === 'owner' || who === 'stranger') return 403;
  if (who === 'otherDoctor' || state === 'DELETED') return 404;
  switch (action) {
    case 'close':
      return state === 'CLOSED' || closedByOrder ? 409 : 200;
    case 'reopen':
      return closedByOrder || accepting ? 409 : 200;
    case 'update-close':
      return 200;
    case 'update-open':
      return closedByOrder ? 409 : 200;
  }
}

function act(action: Action, who: Who, threadId: number) {
  const u = caller(who);
  switch (action) {
    case 'close':
    case 'reopen':
      return put(`/threads/${threadId}/${action}`, u);
    case 'update-close':
      return put(`/threads/${threadId}/update`, u, { is_closed: 1 });
    case 'update-open':
      return put(`/threads/${threadId}/update`, u, { is_closed: 0 });
    case 'text':
      return t.http.post('/thread_messages/text').set(t.auth(u)).send({ id_threads: threadId, content: `pesan dari ${who}` });
    case 'prescription':
      return t.http.post('/thread_messages/prescriptions').set(t.auth(u)).send({ id_threads: threadId, id_menu: menuId, qty: 2 });
    case 'delete':
      return t.http.delete(`/threads/${threadId}/delete`).set(t.auth(u));
  }
}

async function snapshot(ids: { orderId: number; threadId: number }) {
  const db = t.app.db;
  const { updated_at: _u, last_seen_at: _s, user_from_last_seen_at: _f, user_to_last_seen_at: _t, ...thread } = await db.thread.findUniqueOrThrow({ where: { id: ids.threadId } });
  const order = await db.order.findUniqueOrThrow({ where: { id: ids.orderId }, select: { status: true, is_paid: true, consultation_closed: true } });
  return {
    thread,
    order,
    messages: (await db.threadMessage.findMany({ where: { id_threads: ids.threadId }, orderBy: { id: 'asc' }, select: { id_user_from: true, id_user_to: true, content_type: true, content: true, deleted_at: true } })),
    told: (await db.notification.findMany({ where: { reference_type: 'threads', reference_id: ids.threadId }, orderBy: { id: 'asc' }, select: { id_user_to: true, intentions: true } })),
    logs: await db.log.count(),
  };
}

describe('every consultation thread action in every state, by every kind of caller', () => {
  const { cells, fixtureFor } = stateTable({ states: STATES, actions: ACTIONS, who: WHO }, expected, threadIn);

  it.each(cells)('$action in $state by $who → $code', async ({ state, action, who, code }) => {
    const ids = await fixtureFor(state, code);
    const before = await snapshot(ids);
    const started = Date.now();
    const res = await act(action, who, ids.threadId);
    expect(res.status, res.text).toBe(code);
    const after = await snapshot(ids);
    if (code !== 200) {
      expect(after).toEqual(before);
      return;
    }
    const audited = who === 'admin' || action === 'prescription' || (who === 'doctor' && action !== 'text') ? 1 : 0;
    expect(after.logs - before.logs, 'audit entries').toBe(audited);
    const told = after.told.slice(before.told.length);
    const window = (d: Date | null) => {
      expect(d!.getTime()).toBeGreaterThanOrEqual(started + WINDOW_MIN * 60_000 - 1000);
      expect(d!.getTime()).toBeLessThanOrEqual(Date.now() + WINDOW_MIN * 60_000 + 1000);
    };
    switch (action) {
      case 'close':
      case 'update-close':
        expect(after.thread).toMatchObject({ is_closed: 1, estimate_done_at: before.thread.estimate_done_at });
        if (before.thread.is_closed === 0) {
          expect(after.thread.closed_at).not.toBeNull();
          // the consultation ended now, or with its window when that passed first (EXPIRED)
          const end = state === 'EXPIRED' ? before.thread.estimate_done_at : after.thread.closed_at;
          expect(after.order).toEqual({ ...before.order, consultation_closed: end });
        } else {
          expect(after.thread.closed_at).toEqual(before.thread.closed_at);
          expect(after.order).toEqual(before.order);
        }
        expect(after.messages).toEqual(before.messages);
        expect(told).toEqual([]);
        break;
      case 'reopen':
        expect(after.thread).toMatchObject({ is_closed: 0, closed_at: null });
        window(after.thread.estimate_done_at);
        expect(after.order).toEqual({ ...before.order, consultation_closed: after.thread.estimate_done_at });
        expect(told).toEqual([]);
        break;
      case 'update-open':
        expect(after.thread).toMatchObject({ is_closed: 0, closed_at: null });
        if (state === 'EXPIRED' || state === 'CLOSED') {
          // accepting no messages: reopened as reopen does it
          window(after.thread.estimate_done_at);
          expect(after.order).toEqual({ ...before.order, consultation_closed: after.thread.estimate_done_at });
        } else {
          expect(after.thread.estimate_done_at).toEqual(before.thread.estimate_done_at);
          expect(after.order).toEqual(before.order);
        }
        expect(told).toEqual([]);
        break;
      case 'text':
      case 'prescription': {
        const author = caller(who).id;
        expect(after.messages.slice(before.messages.length)).toEqual([
          expect.objectContaining({ id_user_from: author, content_type: action === 'text' ? 'text' : 'prescriptions' }),
        ]);
        // the other participant is told (staff writing: the customer)
        const to = author === owner.id ? doctor.id : owner.id;
        expect(told).toEqual([{ id_user_to: to, intentions: action === 'text' ? 'new_message' : 'new_prescription' }]);
        expect(after.order).toEqual(before.order);
        expect(after.thread.is_closed).toBe(0);
        break;
      }
      case 'delete':
        expect(after.thread.deleted_at).not.toBeNull();
        expect(after.order).toEqual(before.order);
        expect(told).toEqual([]);
        break;
    }
  });
});

describe('a consultation round trip', () => {
  it('close → reopen → close → reopen: one window each time, the order following; unpaid closes it and clears the window; paid again opens it once', async () => {
    const ids = await threadIn('OPEN');
    for (let i = 0; i < 2; i++) {
      await put(`/threads/${ids.threadId}/close`, doctor).expect(200);
      await put(`/threads/${ids.threadId}/close`, doctor).expect(409);
      await put(`/threads/${ids.threadId}/reopen`, admin).expect(200);
      await put(`/threads/${ids.threadId}/reopen`, admin).expect(409);
      const s = await snapshot(ids);
      expect(s.order.consultation_closed).toEqual(s.thread.estimate_done_at);
    }
    await put(`/orders/${ids.orderId}/unpaid`, admin).expect(200);
    let s = await snapshot(ids);
    expect(s.thread.is_closed).toBe(1);
    expect(s.order.consultation_closed).toBeNull();
    const opened = s.told.filter((n) => n.intentions === 'consultation_opened').length;
    await put(`/orders/${ids.orderId}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
    s = await snapshot(ids);
    expect(s.thread.is_closed).toBe(0);
    expect(s.order.consultation_closed).toEqual(s.thread.estimate_done_at);
    // both sides told once more that it is open
    expect(s.told.filter((n) => n.intentions === 'consultation_opened').length).toBe(opened + 2);
    expect(await t.app.db.thread.count({ where: { id_order: ids.orderId } })).toBe(1);
  });
});
