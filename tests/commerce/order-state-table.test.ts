import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { eCart, givePoints, menu, promotion, stockOf } from './fixtures.js';
import { stateTable } from '../helpers/state-table.js';

/**
 * The order state machine (orders.service.ts, payments.service.ts; docs/compat.md "Order state machine"),
 * for an e-commerce (E) order. States and the moves out of them:
 *
 *   SHOPPING CARTS ─checkout→ CHECKOUT ─paid (staff) / Midtrans settlement→ PAID ─prepared→ PREPARED
 *   ─processing→ PROCESSING ─pickup→ PICKUP; PROCESSING/PICKUP ─process/noresi→ DELIVERED (again: a new
 *   number) ─consignee→ DONE. Undo: unprepare, unprocessing, unpickup, uncheckout (CHECKOUT unpaid → cart),
 *   unpaid (PAID → CHECKOUT). cancel: CHECKOUT/PAID/PREPARED/PROCESSING → CANCEL; uncancel: a CANCEL never
 *   paid → cart. delete: a cart only (never checked out: gone; checked out before: CANCEL, which nothing moves
 *   any more, uncancel included).
 *   ratings/create: the customer's DONE order, once.
 *
 * Who: the state actions (paid … uncancel) are staff's (OWNER/ADMIN; anyone else 403). The cart actions
 * (checkout, uncheckout, apply/unapply points and promotions, delete) are the customer's own, staff may act
 * on any (another customer, a doctor: 404). A rating is the customer's own only (staff too: 404).
 * Wrong state: 409 (a rating: 422).
 *
 * Side effects of each allowed move (the cart: 2 × a 40,000 product, a 5,000 code, 1,000 points, a
 * 20,000 courier: 94,000 to pay; POINTS_EARN_PERCENT 1 → 940 earned):
 * - checkout:   stock −2, promotion quota reserved +1 (usage RESERVED), 1,000 points spent, a PENDING
 *               Midtrans attempt; nobody notified
 * - uncheckout: all of it given back (stock, quota, points; usage RELEASED), the attempt SUPERSEDED
 * - paid:       reserved → used (quota_used +1, usage USED), 940 points earned, the attempt SUPERSEDED,
 *               `order_paid` to the customer
 * - unpaid:     used → reserved again, the 940 earned taken back; nobody notified
 * - prepared, unprepare, processing, unprocessing, pickup, unpickup, consignee: the status and its stamp only
 * - process/noresi: DELIVERED with the number, `order_shipped` (once per new number)
 * - cancel:     stock, quota, points given back (and the earned points taken back when it was paid), a
 *               PENDING attempt CANCELLED, `order_cancelled` to the customer
 * - uncancel:   a cart again (its reservations already given back by the cancel); nobody notified
 * - apply/unapply points/promotions: the cart's poin_used / promotion and its totals only
 * - delete:     the cart (never checked out) removed
 * - every staff change writes one audit entry.
 * A refused move changes nothing: the order, stock, promotion, its usage, points, attempts,
 * notifications, ratings, the audit log.
 */

let t: TestApp;
let admin: TestUser;
let owner: TestUser;
let stranger: TestUser;
let doctor: TestUser;

beforeAll(async () => {
  t = await createTestApp({ POINTS_EARN_PERCENT: '1', POINTS_EXPIRY_DAYS: '30' });
  admin = await t.user(['ADMIN']);
  owner = await t.user(['CUSTOMER']);
  stranger = await t.user(['CUSTOMER']);
  doctor = await t.user(['DOCTOR']);
  await givePoints(t, owner.id, 1_000_000);
});
afterAll(() => t.close());

// DELETED_CART: a cart checked out before and then deleted, kept as a cancelled order (deleteCart)
type State = 'CART' | 'CHECKOUT' | 'PAID' | 'PREPARED' | 'PROCESSING' | 'PICKUP' | 'DELIVERED' | 'DONE' | 'CANCEL_UNPAID' | 'CANCEL_PAID' | 'DELETED_CART';
const STATES: State[] = ['CART', 'CHECKOUT', 'PAID', 'PREPARED', 'PROCESSING', 'PICKUP', 'DELIVERED', 'DONE', 'CANCEL_UNPAID', 'CANCEL_PAID', 'DELETED_CART'];
const STAFF_ACTIONS = ['paid', 'unpaid', 'prepared', 'unprepare', 'processing', 'unprocessing', 'pickup', 'unpickup', 'process/noresi', 'consignee', 'cancel', 'uncancel'] as const;
const CART_ACTIONS = ['checkout', 'uncheckout', 'apply/points', 'unapply/points', 'apply/promotions', 'unapply/promotions', 'delete', 'rate'] as const;
type Action = (typeof STAFF_ACTIONS)[number] | (typeof CART_ACTIONS)[number];
type Who = 'admin' | 'owner' | 'stranger' | 'doctor';
const WHO: Who[] = ['admin', 'owner', 'stranger', 'doctor'];
const caller = (w: Who) => ({ admin, owner, stranger, doctor })[w];

/** the statuses each staff action is allowed from (E orders) */
const FROM: Record<(typeof STAFF_ACTIONS)[number], State[]> = {
  paid: ['CHECKOUT'],
  unpaid: ['PAID'],
  prepared: ['PAID'],
  unprepare: ['PREPARED'],
  processing: ['PREPARED'],
  unprocessing: ['PROCESSING'],
  pickup: ['PROCESSING'],
  unpickup: ['PICKUP'],
  'process/noresi': ['PROCESSING', 'PICKUP', 'DELIVERED'],
  consignee: ['DELIVERED'],
  cancel: ['CHECKOUT', 'PAID', 'PREPARED', 'PROCESSING'],
  uncancel: ['CANCEL_UNPAID'],
};

function expected(state: State, action: Action, who: Who): number {
  if ((STAFF_ACTIONS as readonly string[]).includes(action)) {
    if (who !== 'admin') return 403;
    return FROM[action as (typeof STAFF_ACTIONS)[number]].includes(state) ? 200 : 409;
  }
  if (action === 'rate') return who !== 'owner' ? 404 : state === 'DONE' ? 200 : 422;
  if (who !== 'admin' && who !== 'owner') return 404;
  if (action === 'uncheckout') return state === 'CHECKOUT' ? 200 : 409;
  return state === 'CART' ? 200 : 409;
}

type Fixture = { id: number; menuId: number; stockId: number; promoId: number; code: string };
const put = (path: string, u: TestUser, body: object = {}) => t.http.put(path).set(t.auth(u)).send(body);

/** a new order of `owner` brought to `state` through the API */
async function orderIn(state: State): Promise<Fixture> {
  const m = await menu(t, { harga: 40_000 });
  const stock = await stockOf(t, m.id, 10);
  const promo = await promotion(t, { value: 5_000, quota: 5 });
  const id = await eCart(t, owner, [{ id_menu: m.id, qty: 2 }], 20_000);
  await put(`/orders/${id}/apply/promotions`, owner, { display_codes: promo.display_codes }).expect(200);
  await put(`/orders/${id}/apply/points`, owner, { poin_used: 1_000 }).expect(200);
  const steps: Record<State, string[]> = {
    CART: [],
    CHECKOUT: ['checkout'],
    PAID: ['checkout', 'paid'],
    PREPARED: ['checkout', 'paid', 'prepared'],
    PROCESSING: ['checkout', 'paid', 'prepared', 'processing'],
    PICKUP: ['checkout', 'paid', 'prepared', 'processing', 'pickup'],
    DELIVERED: ['checkout', 'paid', 'prepared', 'processing', 'process/noresi'],
    DONE: ['checkout', 'paid', 'prepared', 'processing', 'process/noresi', 'consignee'],
    CANCEL_UNPAID: ['checkout', 'cancel'],
    CANCEL_PAID: ['checkout', 'paid', 'cancel'],
    DELETED_CART: ['checkout', 'uncheckout', 'delete'],
  };
  for (const step of steps[state]) {
    const res =
      step === 'checkout' || step === 'uncheckout'
        ? await put(`/orders/${id}/${step}`, owner)
        : step === 'delete'
          ? await t.http.delete(`/orders/${id}/delete`).set(t.auth(owner))
          : await put(`/orders/${id}/${step}`, admin, bodyOf(step));
    expect(res.status, `${step}: ${res.text}`).toBe(200);
  }
  return { id, menuId: m.id, stockId: stock.id, promoId: promo.id, code: promo.display_codes };
}

function bodyOf(action: string, f?: Fixture): object {
  if (action === 'paid') return { pay_channel: 'TRANSFER' };
  if (action === 'process/noresi') return { nomor_resi: 'JNE123' };
  if (action === 'cancel') return { cancel_reason: 'stok habis' };
  if (action === 'apply/points') return { poin_used: 500 };
  if (action === 'apply/promotions') return { display_codes: f!.code };
  if (action === 'rate') return { id_orders: f!.id, ratings: 5, rating_desc: 'bagus' };
  return {};
}

function act(action: Action, who: Who, f: Fixture) {
  const a = t.auth(caller(who));
  if (action === 'delete') return t.http.delete(`/orders/${f.id}/delete`).set(a);
  if (action === 'rate') return t.http.post('/ratings/create').set(a).send(bodyOf(action, f));
  return t.http.put(`/orders/${f.id}/${action}`).set(a).send(bodyOf(action, f));
}

const omitTimes = <T extends { updated_at?: unknown; created_at?: unknown }>(r: T) => {
  const { updated_at: _u, created_at: _c, ...rest } = r;
  return rest;
};

/** everything a move of the order may touch */
async function snapshot(f: Fixture) {
  const db = t.app.db;
  // read side by side (nothing else runs meanwhile): the table asks this twice per cell
  const [order, promo, stock, usage, balance, points, payments, told, ratings, logs] = await Promise.all([
    db.order.findUnique({ where: { id: f.id } }),
    db.promotion.findUniqueOrThrow({ where: { id: f.promoId }, select: { quota_reserved: true, quota_used: true } }),
    db.stock.findUniqueOrThrow({ where: { id: f.stockId } }),
    db.promotionUsage.findMany({ where: { id_orders: f.id } }),
    db.userPointBalance.findUniqueOrThrow({ where: { id_users: owner.id } }),
    db.userPoint.findMany({ where: { OR: [{ id_orders: f.id }, { id_orders_earned: f.id }] }, orderBy: { id: 'asc' } }),
    db.orderPayment.findMany({ where: { id_orders: f.id }, orderBy: { id: 'asc' } }),
    db.notification.findMany({ where: { reference_type: 'orders', reference_id: f.id }, orderBy: { id: 'asc' } }),
    db.rating.count({ where: { id_orders: f.id } }),
    db.log.count(),
  ]);
  return {
    order: order && omitTimes(order),
    stock: stock.quantitytotal,
    promo,
    usage: usage.map((u) => u.status),
    balance: balance.balance,
    points: points.map(omitTimes),
    payments: payments.map((p) => p.status),
    told: told.map((n) => n.intentions),
    ratings,
    logs,
  };
}
type Snap = Awaited<ReturnType<typeof snapshot>>;

const STATUS: Record<State, string> = {
  CART: 'SHOPPING CARTS', CHECKOUT: 'CHECKOUT', PAID: 'PAID', PREPARED: 'PREPARED', PROCESSING: 'PROCESSING', PICKUP: 'PICKUP',
  DELIVERED: 'DELIVERED', DONE: 'DONE', CANCEL_UNPAID: 'CANCEL', CANCEL_PAID: 'CANCEL', DELETED_CART: 'CANCEL',
};
const wasPaid = (s: State) => ['PAID', 'PREPARED', 'PROCESSING'].includes(s);

/** the side effects of an allowed move, from `b` (before) to `a` (after) */
function checkEffects(state: State, action: Action, who: Who, b: Snap, a: Snap) {
  const newTold = a.told.slice(b.told.length);
  if (action !== 'rate') expect(a.logs - b.logs, 'audit entries').toBe(who === 'admin' ? 1 : 0);
  const same = (keys: (keyof Snap)[]) => {
    for (const k of keys) expect(a[k], k).toEqual(b[k]);
  };
  switch (action) {
    case 'checkout':
      expect(a.order!.status).toBe('CHECKOUT');
      expect(a.stock).toBe(b.stock - 2);
      expect(a.promo).toEqual({ quota_reserved: b.promo.quota_reserved + 1, quota_used: b.promo.quota_used });
      expect(a.usage).toEqual(['RESERVED']);
      expect(a.balance).toBe(b.balance - 1_000);
      expect(a.payments).toEqual(['PENDING']);
      expect(newTold).toEqual([]);
      break;
    case 'uncheckout':
      expect(a.order!.status).toBe('SHOPPING CARTS');
      expect(a.stock).toBe(b.stock + 2);
      expect(a.promo).toEqual({ quota_reserved: b.promo.quota_reserved - 1, quota_used: b.promo.quota_used });
      expect(a.usage).toEqual(['RELEASED']);
      expect(a.balance).toBe(b.balance + 1_000);
      expect(a.payments).toEqual(['SUPERSEDED']);
      expect(newTold).toEqual([]);
      break;
    case 'paid':
      expect(a.order).toMatchObject({ status: 'PAID', is_paid: 1, pay_channel: 'TRANSFER', reservation_status: 'CONSUMED' });
      expect(a.stock).toBe(b.stock);
      expect(a.promo).toEqual({ quota_reserved: b.promo.quota_reserved - 1, quota_used: b.promo.quota_used + 1 });
      expect(a.usage).toEqual(['USED']);
      expect(a.balance).toBe(b.balance + 940);
      expect(a.payments).toEqual(['SUPERSEDED']);
      expect(newTold).toEqual(['order_paid']);
      break;
    case 'unpaid':
      expect(a.order).toMatchObject({ status: 'CHECKOUT', is_paid: 0, paid_date: null, reservation_status: 'RESERVED' });
      expect(a.stock).toBe(b.stock);
      expect(a.promo).toEqual({ quota_reserved: b.promo.quota_reserved + 1, quota_used: b.promo.quota_used - 1 });
      expect(a.usage).toEqual(['RESERVED']);
      expect(a.balance).toBe(b.balance - 940);
      // the checkout's attempt a manual payment superseded is how the order is paid again
      expect(a.payments).toEqual(['PENDING']);
      expect(newTold).toEqual([]);
      break;
    case 'prepared':
    case 'unprepare':
    case 'processing':
    case 'unprocessing':
    case 'pickup':
    case 'unpickup':
    case 'consignee': {
      const to = { prepared: 'PREPARED', unprepare: 'PAID', processing: 'PROCESSING', unprocessing: 'PREPARED', pickup: 'PICKUP', unpickup: 'PROCESSING', consignee: 'DONE' }[action];
      expect(a.order!.status).toBe(to);
      same(['stock', 'promo', 'usage', 'balance', 'points', 'payments', 'told', 'ratings']);
      break;
    }
    case 'process/noresi':
      expect(a.order).toMatchObject({ status: 'DELIVERED', nomor_resi: 'JNE123', is_delivered: 1 });
      same(['stock', 'promo', 'usage', 'balance', 'points', 'payments', 'ratings']);
      // told once: the same number recorded again is no news
      expect(newTold).toEqual(state === 'DELIVERED' ? [] : ['order_shipped']);
      break;
    case 'cancel':
      expect(a.order).toMatchObject({ status: 'CANCEL', is_canceled: 1, cancel_reason: 'stok habis', reservation_status: 'RELEASED' });
      expect(a.stock).toBe(b.stock + 2);
      expect(a.promo).toEqual(wasPaid(state) ? { quota_reserved: b.promo.quota_reserved, quota_used: b.promo.quota_used - 1 } : { quota_reserved: b.promo.quota_reserved - 1, quota_used: b.promo.quota_used });
      expect(a.usage).toEqual(['RELEASED']);
      // the points spent come back; what a paid order earned goes
      expect(a.balance).toBe(b.balance + 1_000 - (wasPaid(state) ? 940 : 0));
      expect(a.payments).toEqual(state === 'CHECKOUT' ? ['CANCELLED'] : b.payments);
      expect(newTold).toEqual(['order_cancelled']);
      break;
    case 'uncancel':
      expect(a.order).toMatchObject({ status: 'SHOPPING CARTS', is_canceled: 0, cart_open: 1, reservation_status: 'NONE' });
      same(['stock', 'promo', 'usage', 'balance', 'points', 'payments', 'told']);
      break;
    case 'apply/points':
      expect(a.order!.poin_used).toBe(500);
      expect(a.order!.grand_totals).toBe(b.order!.grand_totals + 500);
      same(['stock', 'promo', 'usage', 'balance', 'points', 'payments', 'told']);
      break;
    case 'unapply/points':
      expect(a.order!.poin_used).toBe(0);
      expect(a.order!.grand_totals).toBe(b.order!.grand_totals + 1_000);
      same(['stock', 'promo', 'usage', 'balance', 'points', 'payments', 'told']);
      break;
    case 'apply/promotions':
      expect(a.order!.id_promo_discount_applied).toBe(b.order!.id_promo_discount_applied);
      expect(a.order!.grand_totals).toBe(b.order!.grand_totals);
      same(['stock', 'promo', 'usage', 'balance', 'points', 'payments', 'told']);
      break;
    case 'unapply/promotions':
      expect(a.order!.id_promo_discount_applied).toBeNull();
      expect(a.order!.grand_totals).toBe(b.order!.grand_totals + 5_000);
      same(['stock', 'promo', 'usage', 'balance', 'points', 'payments', 'told']);
      break;
    case 'delete':
      expect(a.order).toBeNull();
      same(['stock', 'promo', 'balance', 'told']);
      break;
    case 'rate':
      expect(a.ratings).toBe(1);
      expect(a.order).toMatchObject({ ratings: 5, rating_desc: 'bagus' });
      break;
  }
}

describe('every order action in every state, by every kind of caller', () => {
  const { cells, fixtureFor } = stateTable({ states: STATES, actions: [...STAFF_ACTIONS, ...CART_ACTIONS], who: WHO }, expected, orderIn);

  it.each(cells)('$action in $state by $who → $code', async ({ state, action, who, code }) => {
    const f = await fixtureFor(state, code);
    const before = await snapshot(f);
    expect(before.order!.status).toBe(STATUS[state]);
    const res = await act(action, who, f);
    expect(res.status, res.text).toBe(code);
    const after = await snapshot(f);
    if (code !== 200) expect(after).toEqual(before);
    else checkEffects(state, action, who, before, after);
  });
});

describe('round trips', () => {
  it('paid → unpaid → uncheckout → delete gives everything back once, and the deleted cart is a cancelled order nothing moves', async () => {
    const f = await orderIn('CART');
    const start = await snapshot(f);
    await put(`/orders/${f.id}/checkout`, owner).expect(200);
    await put(`/orders/${f.id}/paid`, admin, bodyOf('paid')).expect(200);
    await put(`/orders/${f.id}/unpaid`, admin).expect(200);
    await put(`/orders/${f.id}/uncheckout`, owner).expect(200);
    await t.http.delete(`/orders/${f.id}/delete`).set(t.auth(owner)).expect(200);
    const end = await snapshot(f);
    expect(end.order).toMatchObject({ status: 'CANCEL', cart_open: null, checkout_datetime: null });
    expect(end.stock).toBe(start.stock);
    expect(end.promo).toEqual(start.promo);
    expect(end.usage).toEqual(['RELEASED']);
    expect(end.balance).toBe(start.balance);
    // told it was paid, never that it was cancelled (the customer deleted it)
    expect(end.told).toEqual(['order_paid']);
    for (const path of ['uncancel', 'cancel', 'paid', 'checkout']) {
      const who = path === 'checkout' ? owner : admin;
      expect((await put(`/orders/${f.id}/${path}`, who, bodyOf(path))).status).toBe(409);
    }
    expect(await snapshot(f)).toEqual(end);
  });

  it('checkout/uncheckout, paid/unpaid and cancel/uncancel repeated leave stock, quota and points as they were', async () => {
    const f = await orderIn('CART');
    const start = await snapshot(f);
    const step = async (path: string, who: TestUser) => {
      const res = await put(`/orders/${f.id}/${path}`, who, bodyOf(path));
      expect(res.status, `${path}: ${res.text}`).toBe(200);
    };
    for (let i = 0; i < 2; i++) {
      await step('checkout', owner);
      await step('uncheckout', owner);
    }
    await step('checkout', owner);
    await step('cancel', admin);
    await step('uncancel', admin);
    await step('checkout', owner);
    for (let i = 0; i < 2; i++) {
      await step('paid', admin);
      await step('unpaid', admin);
    }
    await step('paid', admin);
    const paid = await snapshot(f);
    // held once: the stock, the code's use, the points spent; earned once
    expect(paid.stock).toBe(start.stock - 2);
    expect(paid.promo).toEqual({ quota_reserved: 0, quota_used: 1 });
    expect(paid.balance).toBe(start.balance - 1_000 + 940);
    expect(await t.app.db.userPoint.count({ where: { id_orders_earned: f.id } })).toBe(1);
    await step('cancel', admin);
    const end = await snapshot(f);
    expect(end.stock).toBe(start.stock);
    expect(end.promo).toEqual(start.promo);
    expect(end.balance).toBe(start.balance);
    // the ledger adds up to the balance
    const sums = await t.app.db.userPoint.aggregate({ where: { id_users: owner.id, is_expired: 0 }, _sum: { remaining_point: true } });
    expect(sums._sum.remaining_point).toBe(end.balance);
    // told: paid three times, cancelled twice
    expect(end.told.filter((x) => x === 'order_paid')).toHaveLength(3);
    expect(end.told.filter((x) => x === 'order_cancelled')).toHaveLength(2);
    // and nothing more can happen to a cancelled paid order
    for (const path of ['uncancel', 'paid', 'unpaid', 'cancel', 'consignee']) {
      expect((await put(`/orders/${f.id}/${path}`, admin, bodyOf(path))).status).toBe(409);
    }
    expect(await snapshot(f)).toEqual(end);
  });
});

/**
 * A consultation (C) order: the same machine without shipping (pickup, unpickup, process/noresi: 409 in
 * every state, "only e-commerce orders are shipped"), `consignee` from PAID/PREPARED/PROCESSING. Its payment
 * opens the consultation thread (both sides told `consultation_opened`), `unpaid` and `cancel` close it (a
 * paid one's doctor told `consultation_cancelled`), `consignee` leaves it as it is. The doctor of the
 * consultation is a customer of the order's as far as the order goes: none of its actions are theirs (403/404).
 */
describe('every action on a consultation order, by staff, its customer and its doctor', () => {
  type CState = 'CART' | 'CHECKOUT' | 'PAID' | 'PREPARED' | 'PROCESSING' | 'DONE' | 'CANCEL_UNPAID' | 'CANCEL_PAID';
  const C_STATES: CState[] = ['CART', 'CHECKOUT', 'PAID', 'PREPARED', 'PROCESSING', 'DONE', 'CANCEL_UNPAID', 'CANCEL_PAID'];
  const C_FROM: Record<(typeof STAFF_ACTIONS)[number], CState[]> = {
    ...(FROM as unknown as Record<(typeof STAFF_ACTIONS)[number], CState[]>),
    pickup: [],
    unpickup: [],
    'process/noresi': [],
    consignee: ['PAID', 'PREPARED', 'PROCESSING'],
  };
  let cDoctor: TestUser;
  let cDoctorId: number;

  async function consultationIn(state: CState) {
    if (!cDoctor) {
      cDoctor = await t.user(['DOCTOR']);
      cDoctorId = (await t.app.db.doctor.create({ data: { id_users: cDoctor.id, custom_price: 100_000 } })).id;
    }
    const { patientOf } = await import('./fixtures.js');
    const patient = await patientOf(t, owner);
    const id = (await t.http.post('/orders/init').set(t.auth(owner)).send({ id_patients: patient.id, order_type: 'C' })).body.orders.id as number;
    await t.http.post('/orders/c_add_to_carts').set(t.auth(owner)).send({ id_order: id, items: [{ id_doctors: cDoctorId, qty: 1 }] }).expect(200);
    const steps: Record<CState, string[]> = {
      CART: [],
      CHECKOUT: ['checkout'],
      PAID: ['checkout', 'paid'],
      PREPARED: ['checkout', 'paid', 'prepared'],
      PROCESSING: ['checkout', 'paid', 'prepared', 'processing'],
      DONE: ['checkout', 'paid', 'consignee'],
      CANCEL_UNPAID: ['checkout', 'cancel'],
      CANCEL_PAID: ['checkout', 'paid', 'cancel'],
    };
    for (const step of steps[state]) {
      const res = step === 'checkout' ? await put(`/orders/${id}/checkout`, owner) : await put(`/orders/${id}/${step}`, admin, bodyOf(step));
      expect(res.status, `${step}: ${res.text}`).toBe(200);
    }
    return { id, threadOf: () => t.app.db.thread.findFirst({ where: { id_order: id }, select: { is_closed: true } }) };
  }
  const { cells, fixtureFor } = stateTable(
    { states: C_STATES, actions: STAFF_ACTIONS, who: ['admin', 'owner', 'doctor'] as const },
    (state, action, who) => (who !== 'admin' ? 403 : C_FROM[action].includes(state) ? 200 : 409),
    consultationIn,
  );

  it.each(cells)('$action in $state by $who → $code', async ({ state, action, who, code }) => {
    const c = await fixtureFor(state, code);
    const read = async () => ({
      order: omitTimes(await t.app.db.order.findUniqueOrThrow({ where: { id: c.id } })),
      thread: await c.threadOf(),
      told: (await t.app.db.notification.findMany({ where: { OR: [{ reference_type: 'orders', reference_id: c.id }, { reference_type: 'threads', id_user_to: { in: [owner.id, cDoctor.id] } }] }, orderBy: { id: 'asc' }, select: { id_user_to: true, intentions: true } })),
    });
    const before = await read();
    const u = who === 'admin' ? admin : who === 'owner' ? owner : cDoctor;
    const res = await put(`/orders/${c.id}/${action}`, u, bodyOf(action));
    expect(res.status, res.text).toBe(code);
    const after = await read();
    if (code !== 200) {
      expect(after).toEqual(before);
      return;
    }
    const told = after.told.slice(before.told.length);
    const both = (intentions: string) => [{ id_user_to: owner.id, intentions }, { id_user_to: cDoctor.id, intentions }];
    switch (action) {
      case 'paid':
        expect(after.thread).toEqual({ is_closed: 0 });
        expect(told).toHaveLength(3);
        expect(told).toEqual(expect.arrayContaining([{ id_user_to: owner.id, intentions: 'order_paid' }, ...both('consultation_opened')]));
        break;
      case 'unpaid':
        expect(after.thread).toEqual({ is_closed: 1 });
        expect(after.order.consultation_closed).toBeNull();
        expect(told).toEqual([]);
        break;
      case 'cancel':
        expect(after.order.status).toBe('CANCEL');
        if (state === 'CHECKOUT') {
          expect(after.thread).toBeNull();
          expect(told).toEqual([{ id_user_to: owner.id, intentions: 'order_cancelled' }]);
        } else {
          expect(after.thread).toEqual({ is_closed: 1 });
          expect(told).toEqual([{ id_user_to: owner.id, intentions: 'order_cancelled' }, { id_user_to: cDoctor.id, intentions: 'consultation_cancelled' }]);
        }
        break;
      case 'uncancel':
        expect(after.order.status).toBe('SHOPPING CARTS');
        expect(told).toEqual([]);
        break;
      default:
        // fulfilment steps move the order only: the consultation goes on as it was
        expect(after.thread).toEqual(before.thread);
        expect(told).toEqual([]);
    }
  });
});

/**
 * Midtrans' notifications are the other way orders move (payments.service.ts applyStatus; docs/compat.md
 * "Webhook"). For the order's latest attempt, in each state the order can be in when it arrives:
 * - settlement: the current unpaid checkout → PAID (as `paid`, the attempt PAID); an attempt that already
 *   paid → the same notification again (duplicate); an attempt no longer the order's (uncheckout, cancelled) → paid_not_current, the
 *   order unchanged and staff alerted (a `payment_alert` audit entry) to refund it
 * - expire / deny of the current checkout → CANCEL (as `cancel`); expire of a paid attempt, or either of an
 *   attempt no longer current → ignored_late
 * - deny / refund of the attempt that paid → the order cancelled (reversed) while it can be, staff alerted
 *   once shipped or done (reversed_manual: the order stays, the customer told `order_refunded`), noted once
 *   already cancelled; refund of the current unpaid
 *   checkout (paid and refunded before its settlement arrived) → cancelled; of an attempt that never paid → noted
 * The same notification again: duplicate, nothing more changes.
 */
describe('every Midtrans notification of the latest attempt, in every state', () => {
  type WState = 'CART' | 'CHECKOUT' | 'PAID' | 'PREPARED' | 'PROCESSING' | 'DELIVERED' | 'DONE' | 'CANCEL_UNPAID' | 'CANCEL_PAID';
  const W_STATES: WState[] = ['CART', 'CHECKOUT', 'PAID', 'PREPARED', 'PROCESSING', 'DELIVERED', 'DONE', 'CANCEL_UNPAID', 'CANCEL_PAID'];
  const KINDS = ['settlement', 'expire', 'deny', 'refund'] as const;
  type Kind = (typeof KINDS)[number];
  const RESULT: Record<Kind, Record<WState, string>> = {
    // (the settlement that paid it, arriving again: a duplicate)
    settlement: { CART: 'paid_not_current', CHECKOUT: 'paid', PAID: 'duplicate', PREPARED: 'duplicate', PROCESSING: 'duplicate', DELIVERED: 'duplicate', DONE: 'duplicate', CANCEL_UNPAID: 'paid_not_current', CANCEL_PAID: 'duplicate' },
    expire: { CART: 'ignored_late', CHECKOUT: 'cancelled', PAID: 'ignored_late', PREPARED: 'ignored_late', PROCESSING: 'ignored_late', DELIVERED: 'ignored_late', DONE: 'ignored_late', CANCEL_UNPAID: 'ignored_late', CANCEL_PAID: 'ignored_late' },
    deny: { CART: 'ignored_late', CHECKOUT: 'cancelled', PAID: 'reversed', PREPARED: 'reversed', PROCESSING: 'reversed', DELIVERED: 'reversed_manual', DONE: 'reversed_manual', CANCEL_UNPAID: 'ignored_late', CANCEL_PAID: 'noted' },
    refund: { CART: 'noted', CHECKOUT: 'cancelled', PAID: 'reversed', PREPARED: 'reversed', PROCESSING: 'reversed', DELIVERED: 'reversed_manual', DONE: 'reversed_manual', CANCEL_UNPAID: 'noted', CANCEL_PAID: 'noted' },
  };

  /** an order brought to `state`, paid (where it is) through its Midtrans attempt (the simulator) */
  async function midtransOrderIn(state: WState) {
    const f = await orderIn('CHECKOUT');
    const token = (await t.app.db.order.findUniqueOrThrow({ where: { id: f.id } })).token;
    const steps: Record<WState, string[]> = {
      CART: ['uncheckout'],
      CHECKOUT: [],
      PAID: ['pay'],
      PREPARED: ['pay', 'prepared'],
      PROCESSING: ['pay', 'prepared', 'processing'],
      DELIVERED: ['pay', 'prepared', 'processing', 'process/noresi'],
      DONE: ['pay', 'prepared', 'processing', 'process/noresi', 'consignee'],
      CANCEL_UNPAID: ['cancel'],
      CANCEL_PAID: ['pay', 'cancel'],
    };
    for (const step of steps[state]) {
      const res =
        step === 'pay'
          ? await t.http.post(`/payments/simulator/${token}/pay`)
          : step === 'uncheckout'
            ? await put(`/orders/${f.id}/uncheckout`, owner)
            : await put(`/orders/${f.id}/${step}`, admin, bodyOf(step));
      expect(res.status, `${step}: ${res.text}`).toBe(200);
    }
    return f;
  }

  async function notification(orderId: number, kind: Kind) {
    const { signature, signingKey } = await import('../../src/adapters/midtrans.js');
    const { simulatedNotification } = await import('../../src/modules/commerce/payments.service.js');
    const attempt = await t.app.db.orderPayment.findFirstOrThrow({ where: { id_orders: orderId }, orderBy: { attempt: 'desc' } });
    if (kind !== 'refund') return simulatedNotification(t.app, attempt, kind);
    const gross_amount = `${attempt.gross_amount}.00`;
    return {
      order_id: attempt.midtrans_order_id,
      transaction_id: `sim-${attempt.id}-settlement`,
      transaction_status: 'refund',
      status_code: '200',
      gross_amount,
      refund_amount: gross_amount,
      signature_key: signature(attempt.midtrans_order_id, '200', gross_amount, signingKey(t.app)),
      payment_type: 'simulator',
    };
  }

  const alerts = () => t.app.db.log.count({ where: { action: 'payment_alert' } });
  const cells = W_STATES.flatMap((state) => KINDS.map((kind) => ({ state, kind, result: RESULT[kind][state] })));

  it.each(cells)('$kind in $state → $result', async ({ state, kind, result }) => {
    const f = await midtransOrderIn(state);
    const before = await snapshot(f);
    const alertsBefore = await alerts();
    const body = await notification(f.id, kind);
    const res = await t.http.post('/payments/webhooks/midtrans').send(body);
    expect(res.status, res.text).toBe(200);
    expect(res.body.result).toBe(result);
    const after = await snapshot(f);
    const staffAlerted = (await alerts()) - alertsBefore;
    const newTold = after.told.slice(before.told.length);
    switch (result) {
      case 'paid':
        expect(after.order).toMatchObject({ status: 'PAID', is_paid: 1, reservation_status: 'CONSUMED' });
        expect(after.promo).toEqual({ quota_reserved: before.promo.quota_reserved - 1, quota_used: before.promo.quota_used + 1 });
        expect(after.balance).toBe(before.balance + 940);
        expect(after.payments).toEqual(['PAID']);
        expect(newTold).toEqual(['order_paid']);
        expect(staffAlerted).toBe(0);
        break;
      case 'cancelled':
      case 'reversed': {
        const paid = result === 'reversed';
        expect(after.order).toMatchObject({ status: 'CANCEL', is_canceled: 1, reservation_status: 'RELEASED', cancel_reason: `payment ${kind}`, refunded_amount: paid ? before.order!.grand_totals : 0 });
        expect(after.stock).toBe(before.stock + 2);
        expect(after.promo).toEqual(paid ? { quota_reserved: 0, quota_used: before.promo.quota_used - 1 } : { quota_reserved: before.promo.quota_reserved - 1, quota_used: 0 });
        expect(after.usage).toEqual(['RELEASED']);
        expect(after.balance).toBe(before.balance + 1_000 - (paid ? 940 : 0));
        expect(after.payments).toEqual([kind === 'expire' ? 'EXPIRED' : kind === 'deny' && !paid ? 'FAILED' : 'REFUNDED']);
        expect(newTold).toEqual(['order_cancelled']);
        expect(staffAlerted).toBe(0);
        break;
      }
      default: {
        // the order (but for the money Midtrans says it took back of a shipped one, for the reports),
        // its stock, quota, points and the customer's notifications as they were
        const { payments: _p, logs: _l, ...rest } = after;
        const { payments: _pb, logs: _lb, ...restBefore } = before;
        const manual = result === 'reversed_manual';
        const refunded = manual ? before.order!.grand_totals : before.order!.refunded_amount;
        // a shipped order given back in full is not cancelled: the customer is told of the money, as of a partial refund
        const told = manual ? [...before.told, 'order_refunded'] : before.told;
        expect(rest).toEqual({ ...restBefore, order: { ...restBefore.order, refunded_amount: refunded }, told });
        if (manual) {
          const n = await t.app.db.notification.findFirstOrThrow({ where: { reference_type: 'orders', reference_id: f.id, intentions: 'order_refunded' } });
          expect(n.content).toBe(`Pembayaran pesanan ${before.order!.order_code} telah dikembalikan seluruhnya: IDR 94.000.`);
        }
        expect(staffAlerted).toBe(result === 'paid_not_current' || result === 'reversed_manual' ? 1 : 0);
      }
    }
    // the same notification again changes nothing more
    const again = await t.http.post('/payments/webhooks/midtrans').send(body);
    expect(again.body.result).toBe('duplicate');
    expect(await snapshot(f)).toEqual(after);
  });
});
