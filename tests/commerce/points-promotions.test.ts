import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireUnpaidCheckouts } from '../../src/modules/commerce/payments.service.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { eCart, givePoints, menu, promotion, stockOf } from './fixtures.js';

// Promotion codes and points through an order's whole life (payment simulator, no Midtrans keys).
let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await createTestApp({ POINTS_EARN_PERCENT: '1', PAYMENT_EXPIRY_MINUTES: '60' });
  admin = await t.user(['ADMIN']);
});
afterAll(() => t.close());

const put = (path: string, u: TestUser, body: object = {}) => t.http.put(path).set(t.auth(u)).send(body);
const order = (id: number) => t.app.db.order.findUniqueOrThrow({ where: { id } });
const counters = async (id: number) => {
  const p = await t.app.db.promotion.findUniqueOrThrow({ where: { id } });
  const usages = await t.app.db.promotionUsage.findMany({ where: { id_promotions: id }, select: { status: true } });
  return { quota_reserved: p.quota_reserved, quota_used: p.quota_used, usages: usages.map((u) => u.status).sort() };
};
async function product(harga = 100_000) {
  const m = await menu(t, { harga });
  await stockOf(t, m.id, 20);
  return m;
}

describe('a once-per-customer code through expiry, restore, payment, unpaid and payment again', () => {
  it('is held, given back and taken again exactly once each time', async () => {
    const u = await t.user(['CUSTOMER']);
    const m = await product();
    const p = await promotion(t, { quota: 5, max_uses_per_customer: 1 });
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 10_000);
    await put(`/orders/${id}/apply/promotions`, u, { display_codes: p.display_codes }).expect(200);
    await put(`/orders/${id}/checkout`, u).expect(200);
    expect(await counters(p.id)).toEqual({ quota_reserved: 1, quota_used: 0, usages: ['RESERVED'] });

    // unpaid past its time: the expiry job cancels it and gives the use back
    const real = t.app.now;
    t.app.now = () => new Date(Date.now() + 2 * 3600_000);
    try {
      expect(await expireUnpaidCheckouts(t.app)).toBe(1);
    } finally {
      t.app.now = real;
    }
    expect(await counters(p.id)).toEqual({ quota_reserved: 0, quota_used: 0, usages: ['RELEASED'] });

    // restored as the cart and checked out again: held once more, on the same usage row
    await put(`/orders/${id}/uncancel`, admin).expect(200);
    await put(`/orders/${id}/checkout`, u).expect(200);
    expect(await counters(p.id)).toEqual({ quota_reserved: 1, quota_used: 0, usages: ['RESERVED'] });
    await put(`/orders/${id}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
    expect(await counters(p.id)).toEqual({ quota_reserved: 0, quota_used: 1, usages: ['USED'] });

    // payment undone: held again, not used; paid again: used once
    await put(`/orders/${id}/unpaid`, admin).expect(200);
    expect(await counters(p.id)).toEqual({ quota_reserved: 1, quota_used: 0, usages: ['RESERVED'] });
    await put(`/orders/${id}/paid`, admin, { pay_channel: 'TRANSFER' }).expect(200);
    expect(await counters(p.id)).toEqual({ quota_reserved: 0, quota_used: 1, usages: ['USED'] });

    // the customer's one use is made: another cart cannot apply it
    const other = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 10_000);
    expect((await put(`/orders/${other}/apply/promotions`, u, { display_codes: p.display_codes })).status).toBe(422);
  });
});

describe('a promotion and points together', () => {
  it('never take the total below zero: the discount stops at the products, points at what is payable (shipping included)', async () => {
    const u = await t.user(['CUSTOMER']);
    await givePoints(t, u.id, 50_000);
    const id = await eCart(t, u, [{ id_menu: (await product()).id, qty: 1 }], 20_000);
    const p = await promotion(t, { type: 'NOMINAL', value: 150_000 });
    await put(`/orders/${id}/apply/promotions`, u, { display_codes: p.display_codes }).expect(200);
    expect(await order(id)).toMatchObject({ total_price: 100_000, total_discount: 100_000, grand_totals: 20_000 });
    expect((await put(`/orders/${id}/apply/points`, u, { poin_used: 25_000 })).status).toBe(422);
    await put(`/orders/${id}/apply/points`, u, { poin_used: 20_000 }).expect(200);
    expect(await order(id)).toMatchObject({ poin_used: 20_000, grand_totals: 0 });
    // nothing to pay: paid at once, 20,000 points spent, nothing earned on 0
    const co = await put(`/orders/${id}/checkout`, u).expect(200);
    expect(co.body.token).toBe('');
    expect(await order(id)).toMatchObject({ status: 'PAID', pay_channel: 'points', grand_totals: 0 });
    expect((await t.app.db.userPointBalance.findUniqueOrThrow({ where: { id_users: u.id } })).balance).toBe(30_000);
    expect(await t.app.db.userPoint.count({ where: { id_orders_earned: id } })).toBe(0);
  });

  it('points applied first are capped when a code lowers what is payable', async () => {
    const u = await t.user(['CUSTOMER']);
    await givePoints(t, u.id, 200_000);
    const id = await eCart(t, u, [{ id_menu: (await product()).id, qty: 1 }], 10_000);
    await put(`/orders/${id}/apply/points`, u, { poin_used: 110_000 }).expect(200);
    const p = await promotion(t, { type: 'PERSEN', value: 50 });
    await put(`/orders/${id}/apply/promotions`, u, { display_codes: p.display_codes }).expect(200);
    expect(await order(id)).toMatchObject({ total_discount: 50_000, poin_used: 60_000, grand_totals: 0 });
  });

  it('points are earned on what was paid: after the discount and the points, shipping included', async () => {
    const u = await t.user(['CUSTOMER']);
    await givePoints(t, u.id, 5_000);
    const id = await eCart(t, u, [{ id_menu: (await product()).id, qty: 1 }], 10_000);
    const p = await promotion(t, { type: 'NOMINAL', value: 20_000 });
    await put(`/orders/${id}/apply/promotions`, u, { display_codes: p.display_codes }).expect(200);
    await put(`/orders/${id}/apply/points`, u, { poin_used: 5_000 }).expect(200);
    await put(`/orders/${id}/checkout`, u).expect(200);
    await put(`/orders/${id}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
    expect(await order(id)).toMatchObject({ grand_totals: 85_000 });
    expect((await t.app.db.userPoint.findUniqueOrThrow({ where: { id_orders_earned: id } })).add_point).toBe(850);
  });
});

describe('percentage codes', () => {
  it('discount whole rupiah, rounded down, and the Snap amount is what the cart shows', async () => {
    const u = await t.user(['CUSTOMER']);
    const id = await eCart(t, u, [{ id_menu: (await product(33_333)).id, qty: 3 }], 9_001);
    const p = await promotion(t, { type: 'PERSEN', value: 33 });
    await put(`/orders/${id}/apply/promotions`, u, { display_codes: p.display_codes }).expect(200);
    // 33% of 99,999 = 32,999.67
    expect(await order(id)).toMatchObject({ total_price: 99_999, total_discount: 32_999, grand_totals: 99_999 - 32_999 + 9_001 });
    await put(`/orders/${id}/checkout`, u).expect(200);
    const attempt = await t.app.db.orderPayment.findFirstOrThrow({ where: { id_orders: id } });
    expect(attempt.gross_amount).toBe(76_001);
  });
});

describe('the validity window', () => {
  it('starts at its start instant and ends before its end instant (Asia/Jakarta as entered), at apply and at checkout', async () => {
    const u = await t.user(['CUSTOMER']);
    const id = await eCart(t, u, [{ id_menu: (await product()).id, qty: 1 }], 10_000);
    const created = await t.http.post('/promotions/create').set(t.auth(admin)).send({
      type: 'NOMINAL', value: 10_000, quota: 5, display_codes: `WIB${Date.now() % 1e6}`,
      start_datetime: '01/03/2026 00:00', expired_datetime: '31/03/2026 23:59',
    }).expect(200);
    const code = created.body.promotions.display_codes;
    const real = t.app.now;
    const at = (iso: string) => (t.app.now = () => new Date(iso));
    try {
      at('2026-02-28T16:59:59.999Z'); // 28 Feb 23:59:59.999 WIB
      expect((await put(`/orders/${id}/apply/promotions`, u, { display_codes: code })).status).toBe(422);
      at('2026-02-28T17:00:00Z'); // 1 March 00:00 WIB
      await put(`/orders/${id}/apply/promotions`, u, { display_codes: code }).expect(200);
      at('2026-03-31T16:59:00Z'); // 31 March 23:59 WIB: ended
      expect((await put(`/orders/${id}/checkout`, u)).status).toBe(422);
      expect((await order(id)).status).toBe('SHOPPING CARTS');
      expect((await put(`/orders/${id}/apply/promotions`, u, { display_codes: code })).status).toBe(422);
      at('2026-03-31T16:58:59Z');
      await put(`/orders/${id}/checkout`, u).expect(200);
      // paid after the window ended: the discount checked out with is kept, and the use counted
      at('2026-04-01T03:00:00Z');
      await put(`/orders/${id}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
      expect(await order(id)).toMatchObject({ status: 'PAID', total_discount: 10_000 });
      expect(await counters(created.body.promotions.id)).toEqual({ quota_reserved: 0, quota_used: 1, usages: ['USED'] });
    } finally {
      t.app.now = real;
    }
  });
});

describe('a product code whose product left the cart', () => {
  it('discounts nothing, and the checkout says why (422) instead of charging without it', async () => {
    const u = await t.user(['CUSTOMER']);
    const a = await product();
    const b = await product(50_000);
    const id = await eCart(t, u, [{ id_menu: a.id, qty: 1 }, { id_menu: b.id, qty: 1 }], 10_000);
    const p = await promotion(t, { id_menu: a.id, type: 'PERSEN', value: 20 });
    await put(`/orders/${id}/apply/promotions`, u, { display_codes: p.display_codes }).expect(200);
    expect(await order(id)).toMatchObject({ total_discount: 20_000 });
    await t.http.post('/orders/e_add_to_carts').set(t.auth(u)).send({ id_order: id, items: [{ id_menu: a.id, qty: 0 }] }).expect(200);
    expect(await order(id)).toMatchObject({ total_discount: 0, grand_totals: 60_000 });
    expect((await put(`/orders/${id}/checkout`, u)).status).toBe(422);
    expect(await counters(p.id)).toEqual({ quota_reserved: 0, quota_used: 0, usages: [] });
  });
});

describe("another customer's cart and points", () => {
  it('cannot be given a code or points, nor its ledger read', async () => {
    const owner = await t.user(['CUSTOMER']);
    const intruder = await t.user(['CUSTOMER']);
    await givePoints(t, owner.id, 1_000);
    await givePoints(t, intruder.id, 1_000);
    const id = await eCart(t, owner, [{ id_menu: (await product()).id, qty: 1 }], 10_000);
    const p = await promotion(t);
    expect((await put(`/orders/${id}/apply/promotions`, intruder, { display_codes: p.display_codes })).status).toBe(404);
    expect((await put(`/orders/${id}/apply/points`, intruder, { poin_used: 1_000 })).status).toBe(404);
    expect((await put(`/orders/${id}/unapply/points`, intruder)).status).toBe(404);
    expect(await order(id)).toMatchObject({ id_promo_discount_applied: null, poin_used: 0 });
    const rows = await t.app.db.userPoint.findMany({ where: { id_users: owner.id } });
    expect((await t.http.get(`/user_points/${rows[0]!.id}`).set(t.auth(intruder))).status).toBe(404);
    const table = await t.http.post('/user_points/table').set(t.auth(intruder)).send({ id_users: owner.id });
    expect(table.body.data).toEqual([]);
    const explore = await t.http.post('/user_points/explore?page=1&length=10').set(t.auth(intruder)).send({ id_users: owner.id });
    expect(explore.body.data).toEqual([]);
  });
});

// docs/compat.md: "cancelling or `unpaid` takes back the unspent part of them" (the points a paid
// order earned). Points of it that a checkout held when the order was cancelled were not unspent
// then; given back by that checkout (uncheckout, cancel, expiry) they went to the earn row of the
// cancelled order as spendable points: the customer kept points for a refunded order.
describe('points earned by an order that is cancelled, or its payment undone, while another checkout holds them', () => {
  const balance = async (u: TestUser) => (await t.app.db.userPointBalance.findUnique({ where: { id_users: u.id } }))?.balance ?? 0;
  for (const undo of ['cancel', 'unpaid'] as const) {
    it(`${undo}: given back by that checkout, they are taken back with the order that earned them`, async () => {
      const u = await t.user(['CUSTOMER']);
      const earning = await eCart(t, u, [{ id_menu: (await product(1_000_000)).id, qty: 1 }], 0);
      await put(`/orders/${earning}/checkout`, u).expect(200);
      await put(`/orders/${earning}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
      expect(await balance(u)).toBe(10_000);
      const spending = await eCart(t, u, [{ id_menu: (await product(50_000)).id, qty: 1 }], 0);
      await put(`/orders/${spending}/apply/points`, u, { poin_used: 10_000 }).expect(200);
      await put(`/orders/${spending}/checkout`, u).expect(200);
      expect(await balance(u)).toBe(0);

      await put(`/orders/${earning}/${undo}`, admin).expect(200);
      await put(`/orders/${spending}/uncheckout`, u).expect(200);
      expect(await balance(u)).toBe(0);
      expect((await t.http.get('/users/data').set(t.auth(u))).body.users.total_point).toBe(0);
      // the ledger says so: the spending's points back, then taken back for the order that earned them
      const rows = await t.app.db.userPoint.findMany({ where: { id_users: u.id }, orderBy: { id: 'asc' } });
      expect(rows.reduce((s, r) => s + r.add_point - r.use_point, 0)).toBe(0);
      expect(rows.filter((r) => r.remaining_point > 0)).toEqual([]);
      if (undo === 'unpaid') {
        // paid again, the order earns its points once
        await put(`/orders/${earning}/paid`, admin, { pay_channel: 'CASH' }).expect(200);
        expect(await balance(u)).toBe(10_000);
      }
    });
  }
});
