import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { settlementNotification, startFakeMidtrans } from './fake-midtrans.js';
import { eCart, givePoints, menu, promotion, setCourier, stockOf } from './fixtures.js';

// orders/:id/delete of a cart checked out before (uncheckout, a failed payment start, uncancel, or
// paid → unpaid → uncheckout): its Midtrans attempts may still be paid, and the money must then
// meet an order staff can see and refund. Deleted with the cart, the attempts were gone and such
// money was `unknown_order`. Such a cart is now closed (a cancelled order keeping its attempts);
// a cart never checked out is deleted as before.

const SERVER_KEY = 'SB-Mid-server-test-key';
let t: TestApp;
let fake: Awaited<ReturnType<typeof startFakeMidtrans>>;
let admin: TestUser;
beforeAll(async () => {
  fake = await startFakeMidtrans(SERVER_KEY);
  t = await createTestApp({ MIDTRANS_SERVER_KEY: SERVER_KEY, MIDTRANS_CLIENT_KEY: 'SB-Mid-client-test', MIDTRANS_SNAP_URL: `${fake.url}/snap/v1`, MIDTRANS_API_URL: fake.url });
  admin = await t.user(['ADMIN']);
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

const put = (path: string, u: TestUser, body: object = {}) => t.http.put(path).set(t.auth(u)).send(body);
const del = (id: number, u: TestUser) => t.http.delete(`/orders/${id}/delete`).set(t.auth(u));
const order = (id: number) => t.app.db.order.findUniqueOrThrow({ where: { id } });
const attempts = (id: number) => t.app.db.orderPayment.findMany({ where: { id_orders: id }, orderBy: { attempt: 'asc' } });

/** A customer's E cart (one product with stock, a promotion and points applied) and what it could hold. */
async function cart() {
  const u = await t.user(['CUSTOMER']);
  await givePoints(t, u.id, 5_000);
  const m = await menu(t, { harga: 100_000 });
  const stock = await stockOf(t, m.id, 3);
  const p = await promotion(t, { quota: 5, max_uses_per_customer: 1 });
  const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 10_000);
  await put(`/orders/${id}/apply/promotions`, u, { display_codes: p.display_codes }).expect(200);
  await put(`/orders/${id}/apply/points`, u, { poin_used: 5_000 }).expect(200);
  /** stock left, promotion quota taken (reserved + used), the customer's point balance */
  const held = async () => {
    const promo = await t.app.db.promotion.findUniqueOrThrow({ where: { id: p.id } });
    return [
      (await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal,
      promo.quota_reserved + promo.quota_used,
      (await t.app.db.userPointBalance.findUniqueOrThrow({ where: { id_users: u.id } })).balance,
    ];
  };
  return { u, m, p, id, held };
}

/** The cart checked out (Snap page made: 100000 − 25000 + 10000 − 5000) and back in the cart. */
async function cartCheckedOutBefore() {
  const c = await cart();
  await put(`/orders/${c.id}/checkout`, c.u).expect(200);
  await put(`/orders/${c.id}/uncheckout`, c.u).expect(200);
  return { ...c, code: (await order(c.id)).order_code!, grand: 80_000 };
}

describe('deleting a cart never checked out', () => {
  it('deletes it, as before', async () => {
    const c = await cart();
    expect((await del(c.id, c.u)).body).toEqual({ deleted: true });
    expect(await t.app.db.order.findUnique({ where: { id: c.id } })).toBeNull();
    expect(await c.held()).toEqual([3, 0, 5_000]);
  });
});

describe('deleting a cart checked out before (uncheckout)', () => {
  it('closes it as a cancelled order with its attempts, holding nothing; a new cart opens for the patient', async () => {
    const c = await cartCheckedOutBefore();
    expect(await c.held()).toEqual([3, 0, 5_000]);
    const notifications = await t.app.db.notification.count({ where: { id_user_to: c.u.id } });
    expect((await del(c.id, c.u)).body).toEqual({ deleted: true });
    const closed = await order(c.id);
    expect(closed).toMatchObject({
      status: 'CANCEL', is_canceled: 1, cart_open: null, is_paid: 0, reservation_status: 'NONE', checkout_datetime: null, expires_at: null,
      cancel_pic: c.u.username, cancel_reason: 'cart deleted by the customer', order_code: c.code, payment_attempts: 1,
    });
    expect(closed.cancel_datetime).not.toBeNull();
    expect(await attempts(c.id)).toMatchObject([{ attempt: 1, midtrans_order_id: c.code, status: 'SUPERSEDED' }]);
    // nothing held or taken back: stock, promotion quota and points as the cart left them
    expect(await c.held()).toEqual([3, 0, 5_000]);
    // the customer deleted it: no "your order was cancelled" notification
    expect(await t.app.db.notification.count({ where: { id_user_to: c.u.id } })).toBe(notifications);
    // the customer sees it among the orders, cancelled; it is no cart any more
    expect((await t.http.get(`/orders/${c.id}`).set(t.auth(c.u)).expect(200)).body.orders.status).toBe('CANCEL');
    expect((await del(c.id, c.u)).status).toBe(409);
    // a new cart for the same patient and type, in which the promotion (once per customer) and the points are used
    const init = await t.http.post('/orders/init').set(t.auth(c.u)).send({ id_patients: closed.id_patients, order_type: 'E' }).expect(200);
    const next = init.body.orders.id as number;
    expect(next).not.toBe(c.id);
    expect(init.body.orders.counts_carts).toBe(0);
    await t.http.post('/orders/e_add_to_carts').set(t.auth(c.u)).send({ id_order: next, items: [{ id_menu: c.m.id, qty: 1 }] }).expect(200);
    await setCourier(t, next, 10_000);
    await put(`/orders/${next}/apply/promotions`, c.u, { display_codes: c.p.display_codes }).expect(200);
    await put(`/orders/${next}/apply/points`, c.u, { poin_used: 5_000 }).expect(200);
    await put(`/orders/${next}/checkout`, c.u).expect(200);
    expect(await c.held()).toEqual([2, 1, 0]);
  });

  it('by staff names them and says so', async () => {
    const c = await cartCheckedOutBefore();
    expect((await del(c.id, admin)).body).toEqual({ deleted: true });
    expect(await order(c.id)).toMatchObject({ status: 'CANCEL', cancel_pic: admin.username, cancel_reason: 'cart deleted by staff' });
  });

  it("its old Snap page paid later is paid_not_current: recorded on its attempt, logged for a refund, the order left cancelled", async () => {
    const c = await cartCheckedOutBefore();
    await del(c.id, c.u).expect(200);
    const errors = vi.spyOn(t.app.logger, 'error');
    try {
      const paid = await t.http.post('/payments/webhooks/midtrans').send(settlementNotification(SERVER_KEY, c.code, c.grand));
      expect(paid.body.result).toBe('paid_not_current');
      expect(errors).toHaveBeenCalledWith(expect.objectContaining({ orderId: c.id }), expect.stringMatching(/superseded or cancelled attempt/));
    } finally {
      errors.mockRestore();
    }
    expect(await attempts(c.id)).toMatchObject([{ status: 'SUPERSEDED', transaction_id: `trx-${c.code}`, payment_type: 'bank_transfer' }]);
    expect(await t.app.db.paymentNotification.findFirstOrThrow({ where: { order_id: c.code } })).toMatchObject({ id_orders: c.id, process_result: 'paid_not_current' });
    expect(await order(c.id)).toMatchObject({ status: 'CANCEL', is_paid: 0, paid_date: null });
    expect(await c.held()).toEqual([3, 0, 5_000]);
  });

  it('cannot be restored by uncancel (409): the customer deleted it', async () => {
    const c = await cartCheckedOutBefore();
    await del(c.id, c.u).expect(200);
    const before = await order(c.id);
    const res = await put(`/orders/${c.id}/uncancel`, admin);
    expect([res.status, res.body.message]).toEqual([409, 'This order is a deleted cart (kept for its payment attempts): it cannot be restored']);
    expect(await order(c.id)).toEqual(before);
  });
});

describe('deleting a cart with an attempt from another way back', () => {
  it('a failed payment start (Snap down): closed', async () => {
    const c = await cart();
    fake.setSnapDown(true);
    try {
      expect((await put(`/orders/${c.id}/checkout`, c.u)).status).toBe(503);
    } finally {
      fake.setSnapDown(false);
    }
    expect(await order(c.id)).toMatchObject({ status: 'SHOPPING CARTS', payment_attempts: 1 });
    await del(c.id, c.u).expect(200);
    expect(await order(c.id)).toMatchObject({ status: 'CANCEL', cart_open: null });
    expect(await attempts(c.id)).toMatchObject([{ status: 'FAILED' }]);
    expect(await c.held()).toEqual([3, 0, 5_000]);
  });

  it('a cancelled checkout restored by uncancel: closed', async () => {
    const c = await cart();
    await put(`/orders/${c.id}/checkout`, c.u).expect(200);
    await put(`/orders/${c.id}/cancel`, admin).expect(200);
    await put(`/orders/${c.id}/uncancel`, admin).expect(200);
    await del(c.id, c.u).expect(200);
    expect(await order(c.id)).toMatchObject({ status: 'CANCEL', cart_open: null, cancel_reason: 'cart deleted by the customer' });
    expect(await attempts(c.id)).toMatchObject([{ status: 'CANCELLED' }]);
    expect(await c.held()).toEqual([3, 0, 5_000]);
  });

  it('paid at once by points (no attempt row, but counted), its payment undone and back in the cart: closed', async () => {
    const u = await t.user(['CUSTOMER']);
    await givePoints(t, u.id, 200_000);
    const m = await menu(t, { harga: 100_000 });
    const stock = await stockOf(t, m.id, 3);
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 10_000);
    await put(`/orders/${id}/apply/points`, u, { poin_used: 110_000 }).expect(200);
    await put(`/orders/${id}/checkout`, u).expect(200);
    expect(await order(id)).toMatchObject({ status: 'PAID', pay_channel: 'points' });
    await put(`/orders/${id}/unpaid`, admin).expect(200);
    await put(`/orders/${id}/uncheckout`, u).expect(200);
    expect(await order(id)).toMatchObject({ status: 'SHOPPING CARTS', payment_attempts: 1 });
    expect(await attempts(id)).toEqual([]);
    await del(id, u).expect(200);
    expect(await order(id)).toMatchObject({ status: 'CANCEL', cart_open: null, is_paid: 0 });
    expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(3);
    expect((await t.app.db.userPointBalance.findUniqueOrThrow({ where: { id_users: u.id } })).balance).toBe(200_000);
  });
});
