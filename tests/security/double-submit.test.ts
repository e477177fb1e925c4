import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Method } from '../../src/http/route.js';
import { TEST_PASSWORD, type TestApp, type TestUser } from '../helpers/app.js';
import { formatDate } from '../../src/lib/dates.js';
import { hashSecret } from '../../src/modules/recovery/recovery.service.js';
import { clinicDateTime, clinicDayAhead, MIDTRANS_KEY, startWorld, type World } from '../journeys/world.js';
import { doctor as doctorProfile, eCart, givePoints, menu, patientOf, promotion, stockOf } from '../commerce/fixtures.js';
import { appointment, bookableSlot, createMenu, prescriptionSnapshot } from './fixtures.js';
import { endpoints, inspect, label } from './route-table.js';

/**
 * Double submits: phones double-tap and retry. Every state-changing route of the app's route table
 * gets the SAME valid request from its legitimate caller three times at once, and
 *  - never answers 5xx;
 *  - `once` (a unique thing, a state move, a payment, a redemption, a booking, a rating, a delete):
 *    exactly one success, the others 404/409/422, and the state afterwards is what ONE request
 *    leaves (compared with a twin world that got the request once);
 *  - `same` (an idempotent write: an update to the same values, a mark-as-read): one or more
 *    successes, and the state is what one request leaves;
 *  - `each` (legitimately repeatable: a message, a log line, a second patient of the same name): the
 *    rows the requests made are as many as the successes, and the case's `state` agrees;
 *  - what the requests tell (notifications, outbox messages, pushes), the stock movements and the
 *    Snap transactions asked for are what one request makes (`once`/`same`);
 *  - retried once more after all have answered (a phone retrying after a lost answer): no 5xx, a
 *    `once` action refused, the state still what one request leaves.
 * Coverage: every POST/PUT/DELETE of the route table is in CASES (a variant's key adds ' — …' to the
 * route's label) or in NOT_SWEPT with a reason.
 *
 * The copies race on PostgreSQL only (TEST_DATABASE_URL): PGlite runs one statement at a time, so
 * there only the coverage check runs.
 */

type Outcome = 'once' | 'same' | 'each';

interface Run {
  as: TestUser | null;
  /** the concrete path (default: the route's, for routes without parameters) */
  path?: string;
  body?: Record<string, unknown>;
  /** the state the request changes, free of ids (compared between the twin worlds) */
  state: () => Promise<unknown>;
  /** `each`: how many rows the requests made (must equal the successes) */
  made?: () => Promise<number>;
  /** a variant sends each copy a little differently (what a re-typed form sends) */
  vary?: (body: Record<string, unknown>) => Record<string, unknown>;
}

interface Case {
  outcome: Outcome;
  /** sets up one world and answers the request to repeat */
  prepare: () => Promise<Run>;
  /** statuses a losing duplicate may answer (default 404, 409, 422) */
  refusals?: number[];
  /** why each success is recorded (a ledger row): the side effects are not compared */
  recorded?: string;
}

// three copies by default; DOUBLE_SUBMIT_TIMES=<n> sends more by hand
const TIMES = Number(process.env.DOUBLE_SUBMIT_TIMES ?? 3);
const REFUSALS = [404, 409, 422];

let w: World;
let t: TestApp;
let admin: TestUser;
let seq = 0;
const uniq = (p: string) => `${p}${++seq}${Math.random().toString(36).slice(2, 6)}`;
const db = () => t.app.db;

// -------------------------------------------------------------------------------------- fixtures

async function customer() {
  const u = await t.user(['CUSTOMER']);
  const patient = await patientOf(t, u);
  return { u, patient };
}

/** An E cart with one product (stock 10), courier chosen: ready to check out. */
async function readyCart(opts: { qty?: number; stock?: number; points?: number } = {}) {
  const { u } = await customer();
  const m = await menu(t, { harga: 100_000 });
  const stock = await stockOf(t, m.id, opts.stock ?? 10);
  if (opts.points) await givePoints(t, u.id, opts.points);
  const orderId = await eCart(t, u, [{ id_menu: m.id, qty: opts.qty ?? 2 }], 20_000);
  return { u, menuId: m.id, stockId: stock.id, orderId };
}

async function checkedOut(opts: { points?: number; code?: string } = {}) {
  const c = await readyCart({ points: opts.points });
  if (opts.points) await ok(t.http.put(`/orders/${c.orderId}/apply/points`).set(t.auth(c.u)).send({ poin_used: opts.points }));
  if (opts.code) await ok(t.http.put(`/orders/${c.orderId}/apply/promotions`).set(t.auth(c.u)).send({ display_codes: opts.code }));
  const res = await ok(t.http.put(`/orders/${c.orderId}/checkout`).set(t.auth(c.u)).send({}));
  return { ...c, token: res.body.token as string, code: res.body.orders.order_code as string };
}

async function paid(opts: { points?: number; code?: string } = {}) {
  const c = await checkedOut(opts);
  await w.midtransSettles(c.token);
  return c;
}

/** A paid order walked through fulfilment up to `step` (prepared, processing, pickup, noresi). */
async function fulfilled(steps: string[]) {
  const c = await paid();
  for (const s of steps) {
    if (s === 'noresi') await ok(t.http.put(`/orders/${c.orderId}/process/noresi`).set(t.auth(admin)).send({ nomor_resi: uniq('RESI') }));
    else await ok(t.http.put(`/orders/${c.orderId}/${s}`).set(t.auth(admin)).send({}));
  }
  return c;
}

async function ok<T extends { status: number; body: any; text: string }>(req: PromiseLike<T>): Promise<T> {
  const res = await req;
  expect(res.status, res.text.slice(0, 300)).toBeLessThan(300);
  return res;
}

/** What an order's money, stock, points and quota look like (no ids). */
async function orderState(orderId: number, stockId?: number) {
  const o = await db().order.findUnique({ where: { id: orderId }, include: { items: true, extras: true, payments: true } });
  const stock = stockId ? await db().stock.findUnique({ where: { id: stockId } }) : null;
  const balance = o ? await db().userPointBalance.findUnique({ where: { id_users: o.id_member! } }) : null;
  const usages = o ? await db().promotionUsage.findMany({ where: { id_orders: orderId } }) : [];
  const points = o ? await db().userPoint.findMany({ where: { id_users: o.id_member! }, orderBy: { id: 'asc' } }) : [];
  return {
    order: o && {
      status: o.status,
      cart_open: o.cart_open,
      is_paid: o.is_paid,
      is_done: o.is_done,
      grand_totals: o.grand_totals,
      poin_used: o.poin_used,
      discount: o.total_discount, reservation: o.reservation_status,
      courier: o.courier_price,
      items: o.items.map((i) => [i.qty, i.price_total, i.idstock != null]),
      extras: o.extras.map((e) => [e.qty, e.extra_prices]),
      payments: o.payments.length,
    },
    stock: stock?.quantitytotal ?? null,
    balance: balance?.balance ?? null,
    points: points.map((p) => [p.add_point, p.remaining_point, p.usecase]),
    usages: usages.map((u) => [u.status, u.amount]),
  };
}

function midtransNotification(orderId: string, gross: number, status: string) {
  const status_code = status === 'settlement' || status.includes('refund') ? '200' : '202';
  const gross_amount = `${gross}.00`;
  const signature_key = createHash('sha512').update(orderId + status_code + gross_amount + MIDTRANS_KEY).digest('hex');
  return { transaction_status: status, transaction_id: `trx-${orderId}`, status_code, gross_amount, signature_key, payment_type: 'bank_transfer', order_id: orderId, fraud_status: 'accept' };
}

// ----------------------------------------------------------------------------------------- cases

/** The same case under a route's PUT and POST spellings. */
const putPost = (path: string, c: Case): Record<string, Case> => ({ [`PUT ${path}`]: c, [`POST ${path}`]: c });

/** A customer's appointment moved to a slot of the same doctor the next day. */
const appointmentMoved = (route: 'reschedule' | 'update'): Case => ({
  outcome: 'once',
  prepare: async () => {
    const { u, patient } = await customer();
    const s = await bookableSlot(t, 7);
    const a = await appointment(t, s, u.id, patient.id);
    const to = await bookableSlot(t, 8, { doctor: s.doctorUser });
    return {
      as: u,
      path: `/user_schedules/${a.id}/${route}`,
      body: { id_doctor_schedules: to.slot.id, tanggal: to.tanggal },
      state: () => appointmentsOf({ id_users: u.id }),
    };
  },
});

const CASES: Record<string, Case> = {
  // ---------------------------------------------------------------- commerce: the money paths
  'POST /orders/init': {
    // the second init of the same patient and type answers the open cart (idempotent)
    outcome: 'same',
    prepare: async () => {
      const { u, patient } = await customer();
      return {
        as: u,
        body: { id_patients: patient.id, order_type: 'E' },
        state: async () => (await db().order.findMany({ where: { id_member: u.id } })).map((o) => [o.order_type, o.cart_open, o.status]),
      };
    },
  },
  'POST /orders/e_add_to_carts': {
    // a line's qty is set, not added to: the same request twice is the same cart
    outcome: 'same',
    prepare: async () => {
      const c = await readyCart({ qty: 1 });
      return { as: c.u, body: { id_order: c.orderId, items: [{ id_menu: c.menuId, qty: 3 }] }, state: () => orderState(c.orderId, c.stockId) };
    },
  },
  'POST /orders/c_add_to_carts': {
    outcome: 'same',
    prepare: async () => {
      const { u, patient } = await customer();
      const doc = await doctorProfile(t);
      const cart = await ok(t.http.post('/orders/init').set(t.auth(u)).send({ id_patients: patient.id, order_type: 'C' }));
      const id = cart.body.orders.id as number;
      return { as: u, body: { id_order: id, items: [{ id_doctors: doc.id, qty: 1 }] }, state: () => orderState(id) };
    },
  },
  'PUT /orders/:id/apply/points': {
    outcome: 'same',
    prepare: async () => {
      const c = await readyCart({ points: 30_000 });
      return { as: c.u, path: `/orders/${c.orderId}/apply/points`, body: { poin_used: 30_000 }, state: () => orderState(c.orderId, c.stockId) };
    },
  },
  'PUT /orders/:id/unapply/points': {
    outcome: 'same',
    prepare: async () => {
      const c = await readyCart({ points: 30_000 });
      await ok(t.http.put(`/orders/${c.orderId}/apply/points`).set(t.auth(c.u)).send({ poin_used: 30_000 }));
      return { as: c.u, path: `/orders/${c.orderId}/unapply/points`, state: () => orderState(c.orderId, c.stockId) };
    },
  },
  'PUT /orders/:id/apply/promotions': {
    outcome: 'same',
    prepare: async () => {
      const c = await readyCart();
      const p = await promotion(t, { quota: 5, max_uses_per_customer: 1 });
      return {
        as: c.u,
        path: `/orders/${c.orderId}/apply/promotions`,
        body: { display_codes: p.display_codes },
        state: async () => ({ ...(await orderState(c.orderId, c.stockId)), quota: (await db().promotion.findUniqueOrThrow({ where: { id: p.id } })).quota }),
      };
    },
  },
  'PUT /orders/:id/unapply/promotions': {
    outcome: 'same',
    prepare: async () => {
      const c = await readyCart();
      const p = await promotion(t, { quota: 5 });
      await ok(t.http.put(`/orders/${c.orderId}/apply/promotions`).set(t.auth(c.u)).send({ display_codes: p.display_codes }));
      return { as: c.u, path: `/orders/${c.orderId}/unapply/promotions`, state: () => orderState(c.orderId, c.stockId) };
    },
  },
  'PUT /orders/:id/checkout': {
    outcome: 'once',
    prepare: async () => {
      const c = await readyCart({ points: 10_000 });
      await ok(t.http.put(`/orders/${c.orderId}/apply/points`).set(t.auth(c.u)).send({ poin_used: 10_000 }));
      const p = await promotion(t, { quota: 5 });
      await ok(t.http.put(`/orders/${c.orderId}/apply/promotions`).set(t.auth(c.u)).send({ display_codes: p.display_codes }));
      const snaps = w.midtrans.snapRequests.length;
      return {
        as: c.u,
        path: `/orders/${c.orderId}/checkout`,
        body: { catatan_order: 'double tap' },
        state: async () => ({ ...(await orderState(c.orderId, c.stockId)), snaps: w.midtrans.snapRequests.length - snaps }),
      };
    },
  },
  'PUT /orders/:id/uncheckout': {
    outcome: 'once',
    prepare: async () => {
      const c = await checkedOut({ points: 10_000 });
      return { as: c.u, path: `/orders/${c.orderId}/uncheckout`, state: () => orderState(c.orderId, c.stockId) };
    },
  },
  'POST /payments/webhooks/midtrans': {
    // the same notification delivered twice at once: both acknowledged (200), applied once
    outcome: 'same',
    prepare: async () => notified(await checkedOut({ points: 10_000 }), 'settlement'),
  },
  'POST /payments/webhooks/midtrans — a consultation’s payment notified twice at once': {
    // the payment opens the consultation's thread: once
    outcome: 'same',
    prepare: async () => {
      const c = await consultationCart();
      const res = await ok(t.http.put(`/orders/${c.orderId}/checkout`).set(t.auth(c.u)).send({}));
      const n = await notified({ orderId: c.orderId, stockId: 0, token: res.body.token as string }, 'settlement');
      return { ...n, state: async () => ({ ...(await n.state()), threads: (await db().thread.findMany({ where: { id_order: c.orderId } })).map((th) => [th.thread_type, th.is_closed]) }) };
    },
  },
  'POST /payments/webhooks/midtrans — a refund notified twice at once': {
    outcome: 'same',
    prepare: async () => {
      const c = await paid({ points: 10_000 });
      return notified(c, 'refund', (gross) => ({ refund_amount: `${gross}.00` }));
    },
  },
  'POST /payments/webhooks/midtrans — an expiry notified twice at once': {
    outcome: 'same',
    prepare: async () => notified(await checkedOut({ points: 10_000 }), 'expire'),
  },
  'PUT /orders/:id/paid': {
    outcome: 'once',
    prepare: async () => {
      const c = await checkedOut({ points: 10_000 });
      return { as: admin, path: `/orders/${c.orderId}/paid`, body: { pay_channel: 'cash' }, state: () => orderState(c.orderId, c.stockId) };
    },
  },
  'PUT /orders/:id/unpaid': {
    outcome: 'once',
    prepare: async () => {
      const c = await paid({ points: 10_000 });
      return { as: admin, path: `/orders/${c.orderId}/unpaid`, body: { cancel_reason: 'wrong' }, state: () => orderState(c.orderId, c.stockId) };
    },
  },
  'PUT /orders/:id/cancel': {
    outcome: 'once',
    prepare: async () => {
      const c = await paid({ points: 10_000 });
      return { as: admin, path: `/orders/${c.orderId}/cancel`, body: { cancel_reason: 'out of stock' }, state: () => orderState(c.orderId, c.stockId) };
    },
  },
  'PUT /orders/:id/uncancel': {
    outcome: 'once',
    prepare: async () => {
      // only an order cancelled unpaid is restored
      const c = await checkedOut({ points: 10_000 });
      await ok(t.http.put(`/orders/${c.orderId}/cancel`).set(t.auth(admin)).send({ cancel_reason: 'x' }));
      return { as: admin, path: `/orders/${c.orderId}/uncancel`, body: {}, state: () => orderState(c.orderId, c.stockId) };
    },
  },
  ...putPost('/orders/:id/prepared', {
    outcome: 'once',
    prepare: async () => {
      const c = await paid();
      return { as: admin, path: `/orders/${c.orderId}/prepared`, state: () => orderState(c.orderId, c.stockId) };
    },
  }),
  ...putPost('/orders/:id/unprepare', {
    outcome: 'once',
    prepare: async () => {
      const c = await fulfilled(['prepared']);
      return { as: admin, path: `/orders/${c.orderId}/unprepare`, state: () => orderState(c.orderId, c.stockId) };
    },
  }),
  ...putPost('/orders/:id/processing', {
    outcome: 'once',
    prepare: async () => {
      const c = await fulfilled(['prepared']);
      return { as: admin, path: `/orders/${c.orderId}/processing`, state: () => orderState(c.orderId, c.stockId) };
    },
  }),
  ...putPost('/orders/:id/unprocessing', {
    outcome: 'once',
    prepare: async () => {
      const c = await fulfilled(['prepared', 'processing']);
      return { as: admin, path: `/orders/${c.orderId}/unprocessing`, state: () => orderState(c.orderId, c.stockId) };
    },
  }),
  ...putPost('/orders/:id/pickup', {
    outcome: 'once',
    prepare: async () => {
      const c = await fulfilled(['prepared', 'processing']);
      return { as: admin, path: `/orders/${c.orderId}/pickup`, state: () => orderState(c.orderId, c.stockId) };
    },
  }),
  ...putPost('/orders/:id/unpickup', {
    outcome: 'once',
    prepare: async () => {
      const c = await fulfilled(['prepared', 'processing', 'pickup']);
      return { as: admin, path: `/orders/${c.orderId}/unpickup`, state: () => orderState(c.orderId, c.stockId) };
    },
  }),
  'PUT /orders/:id/process/noresi': {
    outcome: 'same',
    prepare: async () => {
      const c = await fulfilled(['prepared', 'processing', 'pickup']);
      return { as: admin, path: `/orders/${c.orderId}/process/noresi`, body: { nomor_resi: 'JNE123' }, state: () => orderState(c.orderId, c.stockId) };
    },
  },
  ...putPost('/orders/:id/consignee', {
    outcome: 'once',
    prepare: async () => {
      const c = await fulfilled(['prepared', 'processing', 'pickup', 'noresi']);
      return { as: admin, path: `/orders/${c.orderId}/consignee`, state: () => orderState(c.orderId, c.stockId) };
    },
  }),
  'DELETE /orders/:id/delete': {
    outcome: 'once',
    prepare: async () => {
      const c = await readyCart({ points: 10_000 });
      await ok(t.http.put(`/orders/${c.orderId}/apply/points`).set(t.auth(c.u)).send({ poin_used: 10_000 }));
      return { as: c.u, path: `/orders/${c.orderId}/delete`, state: () => orderState(c.orderId, c.stockId) };
    },
  },
  'POST /ratings/create': {
    outcome: 'once',
    prepare: async () => {
      const c = await fulfilled(['prepared', 'processing', 'pickup', 'noresi']);
      await ok(t.http.put(`/orders/${c.orderId}/consignee`).set(t.auth(admin)).send({}));
      return {
        as: c.u,
        body: { id_orders: c.orderId, ratings: 5, rating_desc: 'Mantap' },
        state: async () => ({ ratings: (await db().rating.findMany({ where: { id_orders: c.orderId } })).map((r) => [r.ratings, r.rating_desc]), order: (await orderState(c.orderId)).order }),
      };
    },
  },

  // ---------------------------------------------------------------- the clinic: slots
  'POST /user_schedules/create': {
    outcome: 'once',
    prepare: async () => {
      const { u, patient } = await customer();
      const s = await bookableSlot(t, 7);
      return {
        as: u,
        body: { id_doctor_schedules: s.slot.id, tanggal: s.tanggal, id_patients: patient.id },
        state: () => appointmentsOf({ id_doctor_schedules: s.slot.id }),
      };
    },
  },
  // reschedule and update are the same move
  ...putPost('/user_schedules/:id/reschedule', appointmentMoved('reschedule')),
  ...putPost('/user_schedules/:id/update', appointmentMoved('update')),
  ...putPost('/user_schedules/:id/cancel', {
    outcome: 'once',
    prepare: async () => {
      const { u, patient } = await customer();
      const s = await bookableSlot(t, 7);
      const a = await appointment(t, s, u.id, patient.id);
      return { as: u, path: `/user_schedules/${a.id}/cancel`, body: { cancel_reason: 'sakit' }, state: () => appointmentsOf({ id_users: u.id }) };
    },
  }),
  ...putPost('/user_schedules/:id/arrived', {
    outcome: 'once',
    prepare: async () => {
      const { u, patient } = await customer();
      const s = await bookableSlot(t, 0);
      const a = await appointment(t, s, u.id, patient.id);
      return { as: s.doctorUser, path: `/user_schedules/${a.id}/arrived`, state: () => appointmentsOf({ id_users: u.id }) };
    },
  }),
  ...putPost('/user_schedules/:id/done', {
    outcome: 'once',
    prepare: async () => {
      const { u, patient } = await customer();
      const s = await bookableSlot(t, 0);
      const a = await appointment(t, s, u.id, patient.id, { status: 'ARRIVED', arrived_datetime: new Date() });
      return { as: s.doctorUser, path: `/user_schedules/${a.id}/done`, body: { digisoft_invoice_numbers: 'INV-1' }, state: () => appointmentsOf({ id_users: u.id }) };
    },
  }),
  'DELETE /user_schedules/:id/delete': {
    outcome: 'once',
    prepare: async () => {
      const { u, patient } = await customer();
      const s = await bookableSlot(t, 7);
      const a = await appointment(t, s, u.id, patient.id);
      return { as: admin, path: `/user_schedules/${a.id}/delete`, state: () => appointmentsOf({ id_users: u.id }) };
    },
  },

  // ---------------------------------------------------------------- consultations
  'POST /thread_messages/prescriptions': {
    // the same product and qty again within a minute is a double tap: one prescription, not two to redeem
    outcome: 'once',
    prepare: async () => {
      const c = await thread();
      const m = await createMenu(t, { nama_menus: uniq('Rx') });
      return {
        as: c.doctor,
        body: { id_threads: c.threadId, id_menu: m.id, qty: 1 },
        state: () => db().threadMessage.count({ where: { id_threads: c.threadId, content_type: 'prescriptions' } }),
      };
    },
  },
  'POST /thread_messages/text': {
    outcome: 'each',
    prepare: async () => {
      const c = await thread();
      return { as: c.customer, body: { id_threads: c.threadId, content: 'Halo dok' }, state: async () => null, made: () => db().threadMessage.count({ where: { id_threads: c.threadId } }) };
    },
  },
  'DELETE /thread_messages/:id/delete': {
    outcome: 'once',
    prepare: async () => {
      const c = await thread();
      const msg = await db().threadMessage.create({ data: { id_threads: c.threadId, id_user_from: c.customer.id, id_user_to: c.doctor.id, content_type: 'text', content: 'oops' } });
      return { as: c.customer, path: `/thread_messages/${msg.id}/delete`, state: () => messagesOf(c.threadId) };
    },
  },
  ...putPost('/thread_messages/:id/update_text', {
    outcome: 'same',
    prepare: async () => {
      const c = await thread();
      const msg = await db().threadMessage.create({ data: { id_threads: c.threadId, id_user_from: c.customer.id, id_user_to: c.doctor.id, content_type: 'text', content: 'oops' } });
      return { as: c.customer, path: `/thread_messages/${msg.id}/update_text`, body: { content: 'fixed' }, state: () => messagesOf(c.threadId) };
    },
  }),
  ...putPost('/threads/:id/close', {
    outcome: 'once',
    prepare: async () => {
      const c = await thread();
      return { as: c.doctor, path: `/threads/${c.threadId}/close`, state: () => threadState(c.threadId) };
    },
  }),
  ...putPost('/threads/:id/reopen', {
    outcome: 'once',
    prepare: async () => {
      const c = await thread({ is_closed: 1, closed_at: new Date() });
      return { as: c.doctor, path: `/threads/${c.threadId}/reopen`, state: () => threadState(c.threadId) };
    },
  }),
  ...putPost('/threads/:id/update', {
    outcome: 'same',
    prepare: async () => {
      const c = await thread();
      return { as: c.doctor, path: `/threads/${c.threadId}/update`, body: { queue_number: 3 }, state: () => threadState(c.threadId) };
    },
  }),
  'POST /threads/create': {
    outcome: 'each',
    prepare: async () => {
      const c = await thread();
      return {
        as: admin,
        body: { id_user_from: c.customer.id, id_user_to: c.doctor.id, id_patients: c.patientId },
        state: async () => null,
        made: async () => (await db().thread.count({ where: { id_user_from: c.customer.id } })) - 1,
      };
    },
  },
  'DELETE /threads/:id/delete': {
    outcome: 'once',
    prepare: async () => {
      const c = await thread();
      return { as: admin, path: `/threads/${c.threadId}/delete`, state: () => threadState(c.threadId) };
    },
  },
  'POST /menu_reedems/add_to_carts': {
    outcome: 'once',
    prepare: async () => {
      const c = await thread();
      const m = await createMenu(t, { nama_menus: uniq('Rx') });
      await stockOf(t, m.id, 10);
      await db().threadMessage.create({
        data: { id_threads: c.threadId, id_user_from: c.doctor.id, id_user_to: c.customer.id, content_type: 'prescriptions', content: m.nama_menus, id_menu: m.id, menu_snapshot: prescriptionSnapshot(t, m), qty: 2, valid_until: new Date(Date.now() + 86_400_000) },
      });
      return {
        as: c.customer,
        body: { id_threads: c.threadId, id_menu: m.id },
        state: async () => ({
          redeemed: await db().menuReedem.count({ where: { id_threads: c.threadId } }),
          carts: (await db().order.findMany({ where: { id_member: c.customer.id }, include: { items: true } })).map((o) => [o.order_type, o.cart_open, o.items.map((i) => [i.qty, i.price_total])]),
        }),
      };
    },
  },
  'POST /menus/prescriptions/requests': {
    outcome: 'same',
    prepare: async () => {
      const { u } = await customer();
      const m = await createMenu(t, { nama_menus: uniq('Rx') });
      return { as: u, body: { id_menu: m.id }, state: async () => db().prescriptionRequest.count({ where: { id_users: u.id } }) };
    },
  },

  // ---------------------------------------------------------------- accounts
  'POST /users/create': {
    outcome: 'once',
    prepare: async () => {
      const tag = uniq('dbl');
      const phone = `0813${String(seq).padStart(8, '0')}`;
      return {
        as: null,
        body: { username: tag, users_fullname: 'Double Tap', users_email: `${tag}@example.com`, users_phone: phone, password: 'pw-double-123', retype_password: 'pw-double-123' },
        state: async () => db().user.count({ where: { OR: [{ username: tag }, { users_email: `${tag}@example.com` }] } }),
      };
    },
  },
  'POST /users/create — the same e-mail and phone under other usernames': {
    outcome: 'once',
    prepare: async () => {
      const tag = uniq('dbm');
      const phone = `0813${String(seq).padStart(8, '0')}`;
      let n = 0;
      return {
        as: null,
        body: { username: tag, users_fullname: 'Double Tap', users_email: `${tag}@example.com`, users_phone: phone, password: 'pw-double-123', retype_password: 'pw-double-123' },
        // each copy another username (a form re-typed): the e-mail and the phone still make it one account
        vary: (body: Record<string, unknown>) => ({ ...body, username: `${tag}x${++n}` }),
        state: async () => db().user.count({ where: { OR: [{ users_email: `${tag}@example.com` }, { users_phone: phone }] } }),
      };
    },
  },
  'POST /users/create — the same phone written 08… and 628…, the same e-mail in other case': {
    outcome: 'once',
    prepare: async () => {
      const tag = uniq('dbp');
      const local = `0813${String(seq).padStart(8, '0')}`;
      let n = 0;
      return {
        as: null,
        body: { username: tag, users_fullname: 'Double Tap', users_email: `${tag}@example.com`, users_phone: local, password: 'pw-double-123', retype_password: 'pw-double-123' },
        vary: (body: Record<string, unknown>) => {
          n += 1;
          return { ...body, username: `${tag}y${n}`, users_email: n % 2 ? `${tag}@example.com` : `${tag.toUpperCase()}@EXAMPLE.COM`, users_phone: n % 2 ? local : `62${local.slice(1)}` };
        },
        state: async () => db().user.count({ where: { username: { startsWith: tag } } }),
      };
    },
  },
  ...putPost('/users/register_device_token', {
    outcome: 'same',
    prepare: async () => {
      const { u } = await customer();
      const token = uniq('device-');
      return { as: u, body: { device_token: token, already_login: false }, state: async () => (await db().userDeviceToken.findMany({ where: { device_token: token } })).map((d) => d.id_users === u.id) };
    },
  }),
  'POST /users/:email/forgot/:hash/password/email': {
    outcome: 'once',
    prepare: async () => {
      const u = await t.user(['CUSTOMER']);
      const row = await db().user.findUniqueOrThrow({ where: { id: u.id } });
      const secret = await resetSecret(u.id, 'email');
      return { as: null, path: `/users/${encodeURIComponent(row.users_email!)}/forgot/${secret}/password/email`, body: { new_password: 'brand-new-77', confirm_new_password: 'brand-new-77' }, state: () => resetState(u.id) };
    },
  },
  'POST /users/:phone/forgot/:hash/password/wa': {
    outcome: 'once',
    prepare: async () => {
      const u = await t.user(['CUSTOMER']);
      const row = await db().user.findUniqueOrThrow({ where: { id: u.id } });
      const secret = await resetSecret(u.id, 'wa');
      return { as: null, path: `/users/${row.users_phone}/forgot/${secret}/password/wa`, body: { new_password: 'brand-new-77', confirm_new_password: 'brand-new-77' }, state: () => resetState(u.id) };
    },
  },
  'POST /users/:email/recovery/password/email': {
    // each request mails a new link
    outcome: 'each',
    prepare: async () => {
      const u = await t.user(['CUSTOMER']);
      const row = await db().user.findUniqueOrThrow({ where: { id: u.id } });
      return {
        as: null,
        path: `/users/${encodeURIComponent(row.users_email!)}/recovery/password/email`,
        // a new request voids the older links: one usable link, however many were sent
        state: () => db().passwordReset.count({ where: { id_users: u.id, voided_at: null, used_at: null } }),
        made: () => db().passwordReset.count({ where: { id_users: u.id } }),
      };
    },
  },
  'POST /users/:id/update/password': {
    // the first change ends every session: the others were sent with an ended one (401), as a repeat
    outcome: 'once',
    refusals: [401],
    prepare: async () => {
      const u = await t.user(['CUSTOMER']);
      return { as: u, path: `/users/${u.id}/update/password`, body: { prev_password: TEST_PASSWORD, new_password: 'brand-new-77', new_password_confirm: 'brand-new-77' }, state: async () => (await db().user.findUniqueOrThrow({ where: { id: u.id } })).token_version };
    },
  },
  'POST /users/:id/update/password/admin': {
    // staff setting a password again set it again (and the user is told each time), as one after the other
    outcome: 'each',
    prepare: async () => {
      const u = await t.user(['CUSTOMER']);
      return { as: admin, path: `/users/${u.id}/update/password/admin`, body: { new_password: 'brand-new-77', new_password_confirm: 'brand-new-77' }, state: async () => null, made: () => db().messageOutbox.count({ where: { id_users: u.id, purpose: 'password_changed' } }) };
    },
  },
  'DELETE /users/:id/delete': {
    outcome: 'once',
    prepare: async () => {
      const u = await t.user(['CUSTOMER']);
      return { as: admin, path: `/users/${u.id}/delete`, state: async () => (await db().user.findUniqueOrThrow({ where: { id: u.id } })).deleted_at != null };
    },
  },
  ...putPost('/users/:id/update', {
    outcome: 'same',
    prepare: async () => {
      const u = await t.user(['CUSTOMER']);
      return { as: u, path: `/users/${u.id}/update`, body: { users_fullname: 'Renamed', users_address: 'Jl. Baru 2' }, state: async () => pick(await db().user.findUniqueOrThrow({ where: { id: u.id } }), ['users_fullname', 'users_address']) };
    },
  }),
  'POST /users/:id/unblock': {
    outcome: 'same',
    prepare: async () => {
      const u = await t.user(['CUSTOMER'], { is_blocked: 1 });
      return { as: admin, path: `/users/${u.id}/unblock`, state: async () => (await db().user.findUniqueOrThrow({ where: { id: u.id } })).is_blocked };
    },
  },

  // ---------------------------------------------------------------- staff's rows (resources)
  ...resource('roles', 'userRole', {
    unique: true,
    create: async () => ({ iduser: (await t.user(['CUSTOMER'])).id, rolecodes: 'DOCTOR' }),
    update: async () => ({ iduser: (await t.user(['CUSTOMER'])).id, rolecodes: 'ADMIN', descriptions: 'x' }),
  }),
  ...resource('departments', 'department', {
    unique: true,
    create: async () => ({ department_name: 'Klinik', department_codes: uniq('DEP') }),
    update: async () => ({ department_name: 'Klinik Baru', department_descriptions: 'x' }),
  }),
  ...resource('user_departments', 'userDepartment', {
    unique: true,
    create: async () => ({ id_departments: (await db().department.create({ data: { department_name: 'D', department_codes: uniq('UD') } })).id, id_users: (await t.user(['ADMIN'])).id }),
    update: async () => ({ id_departments: (await db().department.create({ data: { department_name: 'D', department_codes: uniq('UD') } })).id, id_users: (await t.user(['ADMIN'])).id, descriptions: 'moved' }),
  }),
  ...resource('deliveries', 'delivery', {
    // same-day segments may not overlap: the same segment three times is one
    unique: true,
    create: async () => ({ distance_fr: 100 + ++seq * 10, distance_to: 105 + seq * 10, price_in_km: 2_000 }),
    update: async () => ({ distance_fr: 5_000 + ++seq * 10, distance_to: 5_005 + seq * 10, price_in_km: 3_000 }),
  }),
  ...resource('menu_categories', 'menuCategory', { create: async () => ({ menu_categories: uniq('Kategori') }), update: async () => ({ menu_categories: 'Renamed' }) }),
  ...resource('menus', 'menu', {
    create: async () => ({ nama_menus: uniq('Serum'), brief: 'x', harga: 50_000, pajak: 0, is_resep_required: 0, satuan: 'Botol', berat: '100' }),
    update: async () => ({ nama_menus: 'Serum Baru', harga: 60_000 }),
  }),
  ...resource('brandstore', 'brandstore', { create: async () => ({ nama: uniq('Toko') }), update: async () => ({ nama: 'Toko Baru', city: 'Bandung' }) }),
  ...resource('promotions', 'promotion', {
    unique: true,
    create: async () => ({ type: 'POTONGAN', value: 10_000, quota: 5, start_datetime: clinicDateTime(-1), expired_datetime: clinicDateTime(30), display_codes: uniq('DBL').toUpperCase() }),
    update: async () => ({ quota: 9, title: 'Renamed' }),
  }),
  ...resource('static_contents', 'staticContent', { create: async () => ({ type: uniq('about'), contents: 'Tentang kami' }), update: async () => ({ contents: 'Baru' }) }),
  ...resource('service_categories', 'serviceCategory', { create: async () => ({ service_categories: uniq('Facial') }), update: async () => ({ service_categories: 'Renamed' }) }),
  ...resource('services', 'service', { create: async () => ({ services_name: uniq('Peeling'), services_price: 100_000, buffer_time: 15 }), update: async () => ({ services_price: 120_000 }) }),
  ...resource('doctors', 'doctor', {
    unique: true,
    create: async () => ({ id_users: (await t.user(['DOCTOR'])).id, custom_price: 100_000 }),
    update: async () => ({ custom_price: 125_000, short_description: 'Sp.KK' }),
  }),
  ...resource('doctor_services', 'doctorService', {
    unique: true,
    create: async () => ({ id_doctors: (await doctorProfile(t)).id, id_services: (await db().service.create({ data: { services_name: uniq('S'), services_price: 1 } })).id }),
    update: async () => ({ custom_price: 99_000 }),
  }),
  ...resource('schedules', 'schedule', {
    // one weekly slot a doctor cannot hold twice: overlapping ones are refused
    unique: true,
    create: async () => ({ id_doctors: (await doctorProfile(t)).id, hari: 'Senin', jam: '09:00', jam_selesai: '12:00' }),
    update: async () => ({ hari: 'Selasa', jam: '13:00', jam_selesai: '15:00' }),
  }),
  ...resource('doctor_schedules', 'doctorSchedule', {
    unique: true,
    create: async () => {
      const s = await bookableSlot(t, 7);
      return { id_doctor_services: s.slot.id_doctor_services, hari: s.slot.hari === 'Senin' ? 'Selasa' : 'Senin', jam: '07:00' };
    },
    update: async () => ({ custom_price: 90_000 }),
  }),
  ...resource('holidays', 'holiday', {
    unique: true,
    create: async () => ({ dates: clinicDayAhead(400 + ++seq).dmy, descriptions: 'Libur' }),
    update: async () => ({ descriptions: 'Libur nasional' }),
  }),
  ...resource('patients', 'patient', {
    as: 'customer',
    create: async () => ({ nama_lengkap_pasien: uniq('Pasien'), jenis_kelamin: 'P', tanggal_lahir: '12/03/1990', alamat_domisili: 'Bandung' }),
    update: async () => ({ nama_lengkap_pasien: 'Nama Baru', alamat_domisili: 'Jakarta' }),
  }),
  ...resource('patient_allergies', 'patientAllergy', {
    as: 'customer',
    create: async (u) => ({ id_patients: (await patientOf(t, u!)).id, allergies: 'Debu' }),
    update: async (u) => ({ id_patients: (await patientOf(t, u!)).id, allergies: 'Serbuk sari' }),
  }),

  // ---------------------------------------------------------------- patients and records
  ...putPost('/patients/:id/update/address', {
    outcome: 'same',
    prepare: async () => {
      const { u, patient } = await customer();
      return { as: u, path: `/patients/${patient.id}/update/address`, body: { kode_provinsi: 9, kode_kota: 23, kode_kecamatan: 330, lat: -6.9, lng: 107.6 }, state: async () => pick(await db().patient.findUniqueOrThrow({ where: { id: patient.id } }), ['kode_kota', 'kode_kecamatan', 'lat', 'lng']) };
    },
  }),
  ...putPost('/users/patients/link', {
    outcome: 'same',
    prepare: async () => {
      const { patient } = await customer();
      const to = await t.user(['CUSTOMER']);
      return { as: admin, body: { id_users: to.id, id_patients: patient.id }, state: async () => (await db().patient.findUniqueOrThrow({ where: { id: patient.id } })).id_users === to.id };
    },
  }),
  'PUT /users/patients/link — the patient has a coming visit (handed over and told once)': {
    outcome: 'same',
    prepare: async () => {
      const { u, patient } = await customer();
      const a = await appointment(t, await bookableSlot(t, 7), u.id, patient.id);
      const to = await t.user(['CUSTOMER']);
      return {
        as: admin,
        body: { id_users: to.id, id_patients: patient.id },
        state: async () => [(await db().patient.findUniqueOrThrow({ where: { id: patient.id } })).id_users === to.id, (await db().userSchedule.findUniqueOrThrow({ where: { id: a.id } })).id_users === to.id],
      };
    },
  },
  ...putPost('/users/patients/unlink', {
    outcome: 'same',
    prepare: async () => {
      const { patient } = await customer();
      return { as: admin, body: { id_patients: patient.id }, state: async () => (await db().patient.findUniqueOrThrow({ where: { id: patient.id } })).id_users };
    },
  }),
  'POST /patient_rekam_medis/create': {
    // two records of one visit are two rows (a record is not unique by date)
    outcome: 'each',
    prepare: async () => {
      const { patient } = await customer();
      return { as: admin, body: { id_patients: patient.id, tanggal_konsul: '01/12/2026', keluhan: 'Gatal' }, state: async () => null, made: () => db().patientRekamMedis.count({ where: { id_patients: patient.id } }) };
    },
  },
  ...putPost('/patient_rekam_medis/:id/update', {
    outcome: 'same',
    prepare: async () => {
      const r = await record();
      return { as: admin, path: `/patient_rekam_medis/${r.id}/update`, body: { keluhan: 'Gatal sekali', diagnosa: 'Dermatitis' }, state: () => recordState(r.id) };
    },
  }),
  'DELETE /patient_rekam_medis/:id/delete': {
    outcome: 'once',
    prepare: async () => {
      const r = await record();
      return { as: admin, path: `/patient_rekam_medis/${r.id}/delete`, state: () => recordState(r.id) };
    },
  },
  ...putPost('/patient_rekam_medis/:id/verify', {
    outcome: 'once',
    prepare: async () => {
      const r = await record();
      return { as: admin, path: `/patient_rekam_medis/${r.id}/verify`, body: { catatan_kaki: 'final' }, state: () => recordState(r.id) };
    },
  }),
  ...putPost('/patient_rekam_medis/:id/unverify', {
    outcome: 'once',
    prepare: async () => {
      const r = await record({ is_verified: 1, verified_at: new Date() });
      return { as: admin, path: `/patient_rekam_medis/${r.id}/unverify`, body: { reason: 'typo' }, state: () => recordState(r.id) };
    },
  }),

  // ---------------------------------------------------------------- shipping
  ...putPost('/deliveries/settings/update', {
    outcome: 'same',
    prepare: async () => {
      const store = await db().brandstore.create({ data: { nama: uniq('Gudang') } });
      return { as: admin, body: { id_brandstore_gudang: store.id, kode_kurir: ['jne', 'pos'] }, state: async () => { const d = await db().deliverySetting.findUniqueOrThrow({ where: { scope: 'default' } }); return [d.id_brandstore_gudang === store.id, d.kode_kurir]; } };
    },
  }),
  'POST /deliveries/calculate': {
    // a quote asked for twice: the stored quotes are what one asking leaves (one per service)
    outcome: 'same',
    prepare: async () => {
      const c = await addressedCart();
      return { as: c.u, body: { id_order: c.orderId, courier: 'jne' }, state: async () => (await db().courierQuote.findMany({ where: { id_orders: c.orderId }, orderBy: [{ courier: 'asc' }, { service: 'asc' }] })).map((q) => [q.courier, q.service, q.cost]) };
    },
  },
  'PUT /orders/:id/update/address': {
    outcome: 'same',
    prepare: async () => {
      const c = await readyCart();
      return { as: c.u, path: `/orders/${c.orderId}/update/address`, body: { lat_kirim: -6.89, lng_kirim: 107.61, kode_provinsi: '9', kode_kota: '23', kode_kecamatan: '330', alamat_kirim: 'Jl. Tubagus Ismail 5' }, state: () => orderState(c.orderId, c.stockId) };
    },
  },
  'PUT /orders/:id/process/courier': {
    outcome: 'same',
    prepare: async () => {
      const c = await addressedCart();
      const quotes = (await ok(t.http.post('/deliveries/calculate').set(t.auth(c.u)).send({ id_order: c.orderId, courier: 'jne' }))).body;
      const reg = quotes[0].costs.find((x: { service: string }) => x.service === 'REG');
      return { as: c.u, path: `/orders/${c.orderId}/process/courier`, body: { courier: 'jne', costs: reg.cost[0].value }, state: () => orderState(c.orderId, c.stockId) };
    },
  },
  'PUT /orders/:id/process/sameday/courier': {
    outcome: 'same',
    prepare: async () => {
      const c = await readyCart();
      await db().deliverySetting.update({ where: { scope: 'default' }, data: { lat_gudang: -6.2, lng_gudang: 106.8 } });
      if (!(await db().delivery.count({ where: { distance_fr: 0 } }))) await db().delivery.create({ data: { distance_fr: 0, distance_to: 50, price_in_km: 5_000 } });
      return { as: c.u, path: `/orders/${c.orderId}/process/sameday/courier`, body: { lat_kirim: -6.2, lng_kirim: 106.83, courier: 'sameday' }, state: () => orderState(c.orderId, c.stockId) };
    },
  },
  'PUT /orders/:id/unprocess/courier': {
    outcome: 'same',
    prepare: async () => {
      const c = await readyCart();
      return { as: c.u, path: `/orders/${c.orderId}/unprocess/courier`, state: () => orderState(c.orderId, c.stockId) };
    },
  },

  // ---------------------------------------------------------------- catalogue: stores and stock
  'POST /brandstore_menus/create': {
    outcome: 'once',
    prepare: async () => {
      const m = await menu(t);
      const store = await db().brandstore.create({ data: { nama: uniq('Toko') } });
      return { as: admin, body: { idmenu: m.id, idbrandstore: store.id, quantitytotal: 5 }, state: () => storeMenus(store.id) };
    },
  },
  'POST /brandstore_menus/create/bulk': {
    outcome: 'once',
    prepare: async () => {
      const [a, b] = [await menu(t), await menu(t)];
      const store = await db().brandstore.create({ data: { nama: uniq('Toko') } });
      return { as: admin, body: { data: [{ idmenu: a.id, idbrandstore: store.id, quantitytotal: 3 }, { idmenu: b.id, idbrandstore: store.id, quantitytotal: 4 }] }, state: () => storeMenus(store.id) };
    },
  },
  'POST /brandstore_menus/:id/duplicates': {
    outcome: 'once',
    prepare: async () => {
      const bm = await storeMenu();
      const to = await db().brandstore.create({ data: { nama: uniq('Toko') } });
      return { as: admin, path: `/brandstore_menus/${bm.id}/duplicates`, body: { idbrandstore: to.id }, state: () => storeMenus(to.id) };
    },
  },
  ...putPost('/brandstore_menus/:id/stocks', {
    // a stock count set (quantitytotal) is the same count however often it is sent
    outcome: 'same',
    recorded: 'every stock count staff set is an ADJUST movement (delta 0 for a repeat), as one after the other',
    prepare: async () => {
      const bm = await storeMenu();
      return { as: admin, path: `/brandstore_menus/${bm.id}/stocks`, body: { quantitytotal: 42, note: 'opname' }, state: () => storeMenus(bm.idbrandstore) };
    },
  }),
  'DELETE /brandstore_menus/:id/delete': {
    outcome: 'once',
    prepare: async () => {
      const bm = await storeMenu();
      return { as: admin, path: `/brandstore_menus/${bm.id}/delete`, state: () => storeMenus(bm.idbrandstore) };
    },
  },

  // ---------------------------------------------------------------- clinic: the weekly slots
  'POST /doctor_schedules/generate': {
    outcome: 'same',
    prepare: async () => {
      const doc = await doctorProfile(t);
      const service = await db().service.create({ data: { services_name: uniq('S'), services_price: 100_000, buffer_time: 0 } });
      await db().doctorService.create({ data: { id_doctors: doc.id, id_services: service.id, is_active: 1 } });
      await db().schedule.create({ data: { id_doctors: doc.id, hari: 'Senin', jam: new Date(Date.UTC(1970, 0, 1, 9)), jam_selesai: new Date(Date.UTC(1970, 0, 1, 11)) } });
      return { as: admin, body: { id_doctors: doc.id }, state: async () => (await db().doctorSchedule.findMany({ where: { id_doctors: doc.id, deleted_at: null }, orderBy: { jam: 'asc' } })).map((d) => [d.hari, d.jam.toISOString(), d.is_active]) };
    },
  },
  ...putPost('/doctor_schedules/:id/activate', {
    outcome: 'same',
    prepare: async () => {
      const s = await bookableSlot(t, 7);
      await db().doctorSchedule.update({ where: { id: s.slot.id }, data: { is_active: 0 } });
      return { as: admin, path: `/doctor_schedules/${s.slot.id}/activate`, state: async () => (await db().doctorSchedule.findUniqueOrThrow({ where: { id: s.slot.id } })).is_active };
    },
  }),
  ...putPost('/doctor_schedules/:id/unactivate', {
    outcome: 'same',
    prepare: async () => {
      const s = await bookableSlot(t, 7);
      return { as: admin, path: `/doctor_schedules/${s.slot.id}/unactivate`, state: async () => (await db().doctorSchedule.findUniqueOrThrow({ where: { id: s.slot.id } })).is_active };
    },
  }),

  // ---------------------------------------------------------------- notifications, lines, ratings, points, logs
  ...putPost('/notifications/:id/mark/as/read', {
    outcome: 'same',
    prepare: async () => {
      const { u } = await customer();
      const n = await db().notification.create({ data: { id_user_to: u.id, intentions: 'order_paid', title: 'x', content: 'y' } });
      return { as: u, path: `/notifications/${n.id}/mark/as/read`, state: async () => (await db().notification.findUniqueOrThrow({ where: { id: n.id } })).is_read };
    },
  }),
  ...putPost('/notifications/mark/all', {
    outcome: 'same',
    prepare: async () => {
      const { u } = await customer();
      for (let i = 0; i < 3; i++) await db().notification.create({ data: { id_user_to: u.id, intentions: 'order_paid', title: 'x', content: 'y' } });
      return { as: u, body: {}, state: async () => db().notification.count({ where: { id_user_to: u.id, is_read: 0 } }) };
    },
  }),
  ...putPost('/order_items/:id/update', {
    outcome: 'same',
    prepare: async () => {
      const c = await readyCart();
      const line = await db().orderItem.findFirstOrThrow({ where: { id_order: c.orderId } });
      return { as: c.u, path: `/order_items/${line.id}/update`, body: { qty: 4, catatan_menu: 'x' }, state: () => orderState(c.orderId, c.stockId) };
    },
  }),
  'DELETE /order_items/:id/delete': {
    outcome: 'once',
    prepare: async () => {
      const c = await readyCart();
      const line = await db().orderItem.findFirstOrThrow({ where: { id_order: c.orderId } });
      return { as: c.u, path: `/order_items/${line.id}/delete`, state: () => orderState(c.orderId, c.stockId) };
    },
  },
  ...putPost('/order_extras/:id/update', {
    outcome: 'same',
    prepare: async () => {
      const c = await consultationCart();
      return { as: c.u, path: `/order_extras/${c.extraId}/update`, body: { extra_notes: 'pagi saja' }, state: () => orderState(c.orderId) };
    },
  }),
  'DELETE /order_extras/:id/delete': {
    outcome: 'once',
    prepare: async () => {
      const c = await consultationCart();
      return { as: c.u, path: `/order_extras/${c.extraId}/delete`, state: () => orderState(c.orderId) };
    },
  },
  ...putPost('/ratings/:id/update', {
    outcome: 'same',
    prepare: async () => {
      const r = await rating();
      return { as: r.u, path: `/ratings/${r.id}/update`, body: { ratings: 3, rating_desc: 'Lumayan' }, state: async () => pick(await db().rating.findUniqueOrThrow({ where: { id: r.id } }), ['ratings', 'rating_desc']) };
    },
  }),
  'DELETE /ratings/:id/delete': {
    outcome: 'once',
    prepare: async () => {
      const r = await rating();
      return { as: admin, path: `/ratings/${r.id}/delete`, state: async () => ({ ratings: await db().rating.count({ where: { id: r.id } }), order: (await db().order.findUniqueOrThrow({ where: { id: r.orderId } })).ratings }) };
    },
  },
  'DELETE /user_points/:id/delete': {
    outcome: 'once',
    prepare: async () => {
      const { u } = await customer();
      await givePoints(t, u.id, 7_000);
      const row = await db().userPoint.findFirstOrThrow({ where: { id_users: u.id } });
      return { as: admin, path: `/user_points/${row.id}/delete`, state: async () => ({ rows: await db().userPoint.count({ where: { id_users: u.id } }), balance: (await db().userPointBalance.findUnique({ where: { id_users: u.id } }))?.balance }) };
    },
  },
  'DELETE /menu_images/:id/delete': {
    outcome: 'once',
    prepare: async () => {
      const m = await menu(t);
      const img = await db().menuImage.create({ data: { id_menus: m.id, menu_image: `${uniq('img')}.png`, is_primary: 1 } });
      return { as: admin, path: `/menu_images/${img.id}/delete`, state: () => db().menuImage.count({ where: { id_menus: m.id } }) };
    },
  },
  'DELETE /service_images/:id/delete': {
    outcome: 'once',
    prepare: async () => {
      const sv = await db().service.create({ data: { services_name: uniq('S'), services_price: 1 } });
      const img = await db().serviceImage.create({ data: { id_services: sv.id, service_image: `${uniq('img')}.png`, is_primary: 1 } });
      return { as: admin, path: `/service_images/${img.id}/delete`, state: () => db().serviceImage.count({ where: { id_services: sv.id } }) };
    },
  },
  'POST /logs/create': {
    outcome: 'each',
    prepare: async () => {
      const { u } = await customer();
      return { as: u, body: { action: 'viewed', resource: 'menus', resource_id: '1' }, state: async () => null, made: () => db().log.count({ where: { id_users: u.id, action: 'client_event' } }) };
    },
  },
  'POST /users/login': {
    // signing in twice is two sessions; the account is as one sign-in leaves it
    outcome: 'same',
    prepare: async () => {
      const u = await t.user(['CUSTOMER']);
      return { as: null, body: { act: 'login', username: u.username, password: TEST_PASSWORD, app: 'mobile' }, state: async () => pick(await db().user.findUniqueOrThrow({ where: { id: u.id } }), ['token_version', 'is_blocked']) };
    },
  },
};

async function record(fields: Record<string, unknown> = {}) {
  const { patient } = await customer();
  return db().patientRekamMedis.create({ data: { id_patients: patient.id, tanggal_konsul: new Date(Date.UTC(2026, 10, 1)), keluhan: 'Gatal', ...fields } });
}

async function recordState(id: number) {
  const r = await db().patientRekamMedis.findUniqueOrThrow({ where: { id } });
  return { keluhan: r.keluhan, diagnosa: r.diagnosa, catatan_kaki: r.catatan_kaki, verified: r.is_verified, deleted: r.deleted_at != null };
}

/** A cart with an address in a district RajaOngkir quotes, no courier yet. */
async function addressedCart() {
  const c = await readyCart();
  await db().order.update({ where: { id: c.orderId }, data: { courier: '', courier_price: 0, is_courier: 0 } });
  await db().courierQuote.deleteMany({ where: { id_orders: c.orderId } });
  await ok(t.http.put(`/orders/${c.orderId}/update/address`).set(t.auth(c.u)).send({ lat_kirim: -6.89, lng_kirim: 107.61, kode_provinsi: '9', kode_kota: '23', kode_kecamatan: '330', alamat_kirim: 'Jl. Tubagus Ismail 5' }));
  return c;
}

async function consultationCart() {
  const { u, patient } = await customer();
  const doc = await doctorProfile(t);
  const cart = await ok(t.http.post('/orders/init').set(t.auth(u)).send({ id_patients: patient.id, order_type: 'C' }));
  const orderId = cart.body.orders.id as number;
  await ok(t.http.post('/orders/c_add_to_carts').set(t.auth(u)).send({ id_order: orderId, items: [{ id_doctors: doc.id, qty: 1 }] }));
  const extra = await db().orderExtra.findFirstOrThrow({ where: { id_orders: orderId } });
  return { u, orderId, extraId: extra.id };
}

async function rating() {
  const { u, patient } = await customer();
  const o = await db().order.create({ data: { order_type: 'E', id_member: u.id, id_patients: patient.id, status: 'DONE', cart_open: null, is_paid: 1, is_done: 1, order_code: uniq('RT') } });
  const res = await ok(t.http.post('/ratings/create').set(t.auth(u)).send({ id_orders: o.id, ratings: 5, rating_desc: 'Bagus' }));
  return { u, orderId: o.id, id: Number(res.body.ratings.id) };
}

async function storeMenu() {
  const m = await menu(t);
  const store = await db().brandstore.create({ data: { nama: uniq('Toko') } });
  const res = await ok(t.http.post('/brandstore_menus/create').set(t.auth(admin)).send({ idmenu: m.id, idbrandstore: store.id, quantitytotal: 5 }));
  return { id: Number(Object.values(res.body as Record<string, { id: number }>)[0]!.id), idbrandstore: store.id };
}

async function storeMenus(storeId: number) {
  return (await db().brandstoreMenu.findMany({ where: { idbrandstore: storeId }, include: { stock: true }, orderBy: { id: 'asc' } })).map((b: any) => [b.deleted_at != null, b.stock?.quantitytotal ?? null]);
}

type Model = 'userRole' | 'department' | 'userDepartment' | 'delivery' | 'menuCategory' | 'menu' | 'brandstore' | 'promotion' | 'staticContent' | 'serviceCategory' | 'service' | 'doctor' | 'doctorService' | 'schedule' | 'doctorSchedule' | 'holiday' | 'patient' | 'patientAllergy';

/** A row as stored, without its ids and clock columns. */
function plain(row: Record<string, unknown> | null) {
  if (!row) return null;
  return Object.fromEntries(Object.entries(row).filter(([k]) => !/^id$|_at$|datetime|^id_users$|^iduser$|^id_patients$|^id_departments$|^id_doctors$|^id_services$|^id_doctor_services$|_key$|display_codes|nama_lengkap_pasien|department_codes|^dates$|^distance_/.test(k)));
}

/**
 * create/update/delete of a resource: `create` makes a body for a new row (a unique one: `unique`,
 * one success; else each success is a row), `update` a new body for it (the same values thrice:
 * the row as one update leaves it), delete one success and the row gone.
 */
function resource(name: string, model: Model, spec: { unique?: boolean; as?: 'customer'; create: (u?: TestUser) => Promise<Record<string, unknown>>; update: (u?: TestUser) => Promise<Record<string, unknown>> }): Record<string, Case> {
  const table = () => (db() as any)[model];
  const caller = async () => (spec.as === 'customer' ? t.user(['CUSTOMER']) : admin);
  // the rows made after the body's own fixtures
  const newRows = (after: number) => table().findMany({ where: { id: { gt: after } }, orderBy: { id: 'asc' } }) as Promise<Record<string, unknown>[]>;
  const existing = async () => {
    const as = await caller();
    const res = await ok(t.http.post(`/${name}/create`).set(t.auth(as)).send(await spec.create(as)));
    const id = Number(Object.values(res.body as Record<string, { id: number }>)[0]!.id);
    return { as, id };
  };
  const update: Case = {
    outcome: 'same',
    prepare: async () => {
      const { as, id } = await existing();
      const body = await spec.update(as);
      // the fields the update names (the twins' other values differ)
      return { as, path: `/${name}/${id}/update`, body, state: async () => {
          const row = (await table().findUnique({ where: { id } })) as Record<string, unknown>;
          return Object.keys(plain(body)!).map((k) => [k, String(row[k])]);
        },
      };
    },
  };
  return {
    [`POST /${name}/create`]: {
      outcome: spec.unique ? 'once' : 'each',
      prepare: async () => {
        const as = await caller();
        const body = await spec.create(as);
        const before = ((await table().aggregate({ _max: { id: true } }))._max.id as number | null) ?? 0;
        // a unique row: the one row; else each success is a row (`made`)
        return { as, body, state: async () => (spec.unique ? (await newRows(before)).map(plain) : null), made: async () => (await newRows(before)).length };
      },
    },
    [`PUT /${name}/:id/update`]: update,
    [`POST /${name}/:id/update`]: update,
    [`DELETE /${name}/:id/delete`]: {
      outcome: 'once',
      prepare: async () => {
        const { as, id } = await existing();
        return { as, path: `/${name}/${id}/delete`, state: async () => { const r = await table().findUnique({ where: { id } }); return r ? r.deleted_at != null : 'gone'; } };
      },
    },
  };
}

/** Midtrans notifies `status` for the order's checkout (its status API says the same from then on). */
async function notified(c: { orderId: number; stockId: number; token: string }, status: string, extra: (gross: number) => Record<string, unknown> = () => ({})) {
  const snap = w.midtrans.snapRequests.find((r) => c.token.endsWith(`-${r.transaction_details.order_id}`))!;
  const { order_id, gross_amount } = snap.transaction_details;
  const body = { ...midtransNotification(order_id, gross_amount, status), ...extra(gross_amount) };
  w.midtrans.statuses.set(order_id, { ...body, status_message: 'Success' });
  return {
    as: null,
    body,
    state: async () => ({
      ...(await orderState(c.orderId, c.stockId)),
      payments: (await db().orderPayment.findMany({ where: { id_orders: c.orderId }, orderBy: { id: 'asc' } })).map((p) => p.status),
      notifications: await db().paymentNotification.count({ where: { order_id } }),
      told: await db().notification.count({ where: { reference_id: c.orderId } }),
    }),
  };
}

async function appointmentsOf(where: Record<string, unknown>) {
  return (await db().userSchedule.findMany({ where, orderBy: { id: 'asc' } })).map((a) => [a.status, a.active_slot, formatDate(a.tanggal), a.cancel_reason, a.digisoft_invoice_numbers, a.reschedule_counts]);
}

async function thread(fields: Record<string, unknown> = {}) {
  const { u, patient } = await customer();
  const doctor = await t.user(['DOCTOR']);
  await db().doctor.create({ data: { id_users: doctor.id, custom_price: 100_000, is_active: 1 } });
  const th = await db().thread.create({ data: { id_user_from: u.id, id_user_to: doctor.id, id_patients: patient.id, thread_type: 'online_consultations', estimate_done_at: new Date(Date.now() + 86_400_000), ...fields } });
  return { customer: u, doctor, patientId: patient.id, threadId: th.id };
}

async function messagesOf(threadId: number) {
  return (await db().threadMessage.findMany({ where: { id_threads: threadId }, orderBy: { id: 'asc' } })).map((m) => [m.content_type, m.content, m.deleted_at != null]);
}

async function threadState(threadId: number) {
  const th = await db().thread.findUnique({ where: { id: threadId } });
  return th && { closed: th.is_closed, queue: th.queue_number, deleted: th.deleted_at != null, messages: await messagesOf(threadId) };
}

async function resetSecret(userId: number, channel: 'email' | 'wa') {
  const secret = `S${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`.slice(0, 24);
  await db().passwordReset.create({ data: { id_users: userId, channel, token_hash: hashSecret(secret), expires_at: new Date(Date.now() + 3_600_000) } });
  return secret;
}

async function resetState(userId: number) {
  const u = await db().user.findUniqueOrThrow({ where: { id: userId } });
  return { token_version: u.token_version, used: await db().passwordReset.count({ where: { id_users: userId, used_at: { not: null } } }) };
}

const pick = <T extends Record<string, unknown>>(o: T, keys: (keyof T)[]) => Object.fromEntries(keys.map((k) => [k, o[k]]));

/** Routes not swept, each with the reason. */
const NOT_SWEPT: Record<string, string> = {
  ...Object.fromEntries(
    endpoints()
      .filter((e) => e.method !== 'get' && (/\/(explore|search|table)$/.test(e.path) || /^\/(report|dashboard)\//.test(e.path)))
      .map((e) => [label(e), 'a list or report sent as POST: it reads, nothing to double']),
  ),
  'POST /deliveries/calculate/byweight': 'a price lookup by weight: it reads RajaOngkir, stores nothing',
  'POST /user_schedules/check/doctor/availability': 'reads the free slots, writes nothing',
  'POST /user_schedules/timeline': 'a list of appointments (POST with filters), writes nothing',
  'POST /threads/adminview': 'a list of threads (POST with filters), writes nothing',
  'POST /threads/overview': 'a list of threads (POST with filters), writes nothing',
  'POST /threads/overview/doctors': 'a list of threads (POST with filters), writes nothing',
  'POST /order_items/create': 'always 405 (lines come from orders/e_add_to_carts, swept)',
  'POST /order_extras/create': 'always 405 (lines come from orders/c_add_to_carts, swept)',
  'PUT /logs/:id/update': 'always 403: the audit log is append-only',
  'POST /logs/:id/update': 'always 403: the audit log is append-only',
  'DELETE /logs/:id/delete': 'always 403: the audit log is append-only',
  'POST /payments/simulator/:token/:outcome': 'only without Midtrans keys; it forwards a signed notification to payments/webhooks/midtrans, whose double delivery is swept',
  'POST /users/:phone/recovery/password/wa': 'sends through Wablas (not in this world); each request makes a new link, as recovery/password/email, swept',
  // uploads: multipart, one file per request; tests/security/upload-*.test.ts and the modules' own tests
  'POST /users/picture/upload': 'an upload (a new picture replaces the old: tests/security/upload-*.test.ts)',
  'POST /patients/picture/upload': 'an upload (a new picture replaces the old: tests/security/upload-*.test.ts)',
  'POST /menu_categories/:id/uploads': 'an upload (a new picture replaces the old: tests/security/upload-*.test.ts)',
  'POST /service_categories/:id/uploads': 'an upload (a new picture replaces the old: tests/security/upload-*.test.ts)',
  'POST /promotions/:id/uploads': 'an upload (a new picture replaces the old: tests/security/upload-*.test.ts)',
  'POST /menu_images/create': 'an upload: each image is a row of its own (a gallery), tests/security/upload-*.test.ts',
  'PUT /menu_images/:id/update': 'an upload replacing an image file: tests/security/upload-*.test.ts',
  'POST /menu_images/:id/update': 'an upload replacing an image file: tests/security/upload-*.test.ts',
  'POST /service_images/create': 'an upload: each image is a row of its own (a gallery), tests/security/upload-*.test.ts',
  'PUT /service_images/:id/update': 'an upload replacing an image file: tests/security/upload-*.test.ts',
  'POST /service_images/:id/update': 'an upload replacing an image file: tests/security/upload-*.test.ts',
  'POST /thread_messages/image': 'an upload: each picture is a message of its own (as thread_messages/text, swept)',
  'POST /thread_messages/attachments': 'an upload: each attachment is a message of its own (as thread_messages/text, swept)',
};

// ------------------------------------------------------------------------------------------- run

beforeAll(async () => {
  w = await startWorld();
  t = w.t;
  admin = await t.user(['OWNER', 'ADMIN']);
}, 60_000);
afterAll(() => w?.close());

/** What a request leaves besides its rows: notifications, queued e-mails/WhatsApp messages, pushes, stock movements (over the whole database), Snap transactions asked for. */
async function sideEffects() {
  return { notifications: await db().notification.count(), messages: await db().messageOutbox.count(), pushes: await db().pushDelivery.count(), stockMoves: await db().stockMovement.count(), snaps: w.midtrans.snapRequests.length };
}
const delta = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.keys(a).map((k) => [k, b[k]! - a[k]!]));

const mutating = () => endpoints().filter((e) => e.method !== 'get');

describe('double submits', () => {
  it('every POST/PUT/DELETE route is swept or named with the reason it is not', () => {
    const known = new Set(mutating().map(label));
    const swept = new Set(Object.keys(CASES).map((k) => k.split(' — ')[0]!));
    const missing = [...known].filter((k) => !swept.has(k) && !(k in NOT_SWEPT));
    expect(missing, 'mutating routes to decide: add a case to CASES, or a reason to NOT_SWEPT').toEqual([]);
    expect([...swept, ...Object.keys(NOT_SWEPT)].filter((k) => !known.has(k)), 'entries naming no route').toEqual([]);
    expect([...swept].filter((k) => k in NOT_SWEPT), 'both swept and excused').toEqual([]);
  });

  describe.runIf(process.env.TEST_DATABASE_URL)(`the same request ${TIMES} times at once`, () => {
    it.each(Object.keys(CASES))('%s', async (key) => {
      const c = CASES[key]!;
      // a variant's key: the route's label, then ' — ' and what the variant does
      const [m, pattern] = key.split(' — ')[0]!.split(' ') as [string, string];
      const method = m.toLowerCase() as Method;
      const send = (r: Run) => {
        let req = t.http[method](r.path ?? pattern);
        if (r.as) req = req.set(t.auth(r.as));
        return req.send(r.vary ? r.vary(r.body ?? {}) : (r.body ?? {}));
      };
      // the twin: the request once, to know it is valid and what it leaves
      const single = await c.prepare();
      const told = await sideEffects();
      const one = await send(single);
      inspect(one, `${key} once`);
      expect(one.status, `${key} once: ${one.text.slice(0, 300)}`).toBeLessThan(300);
      const expected = await single.state();
      const toldOnce = delta(told, await sideEffects());

      const run = await c.prepare();
      const before = await sideEffects();
      const answers = await Promise.all(Array.from({ length: TIMES }, () => send(run)));
      const statuses = answers.map((a) => a.status);
      answers.forEach((a, i) => inspect(a, `${key} #${i + 1}`));
      const successes = statuses.filter((s) => s < 300).length;
      const where = `${key}: ${JSON.stringify(statuses)} ${answers.map((a) => (a.status >= 300 ? a.text.slice(0, 160) : '')).join(' | ')}`;
      expect(successes, where).toBeGreaterThanOrEqual(1);
      for (const s of statuses) if (s >= 300) expect(c.refusals ?? REFUSALS, where).toContain(s);
      if (c.outcome === 'once') expect(successes, where).toBe(1);
      if (c.outcome === 'each') {
        expect(await run.made!(), `${where}: rows made`).toBe(successes);
        expect(await run.state(), `${where}: the state after the repeats`).toEqual(expected);
      } else {
        expect(await run.state(), `${where}: the state after the repeats is not what one request leaves`).toEqual(expected);
        if (!c.recorded) expect(delta(before, await sideEffects()), `${where}: notifications, messages, pushes, stock movements, Snap transactions made`).toEqual(toldOnce);
      }
      // and a retry once they have all answered (a phone retrying after a lost answer)
      const retry = await send(run);
      inspect(retry, `${key} retried`);
      if (c.outcome === 'once') expect(c.refusals ?? REFUSALS, `${key} retried: ${retry.status} ${retry.text.slice(0, 200)}`).toContain(retry.status);
      if (c.outcome !== 'each') expect(await run.state(), `${key} retried: the state is no longer what one request leaves`).toEqual(expected);
    }, 60_000);
  });
});
