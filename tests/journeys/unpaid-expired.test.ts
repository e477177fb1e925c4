import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireUnpaidCheckouts } from '../../src/modules/commerce/payments.service.js';
import { fillCart, midtransNotifies, newCustomer, notificationsAbout, pointsOf, staffSignsIn, staffStockTheShop, stockIn } from './shop.js';
import { startWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

describe('journey: a customer checks out and never pays', () => {
  it('the expiry job cancels the order, gives back stock, promotion quota and points, tells the customer, and a late payment is left for staff to refund', async () => {
    const admin = (await staffSignsIn(w)).bearer;
    const shop = await staffStockTheShop(w, admin);
    const quotaLeft = async () => (await w.call('get', `/promotions/${shop.promoId}`, admin)).body.promotions.quota_remaining as number;
    expect(await quotaLeft()).toBe(100);

    // a first order, paid, earns the customer points
    const c = await newCustomer(w, 'late', 'late-phone');
    const first = await fillCart(w, c.bearer, c.patientId, shop.menuId, 1);
    await w.midtransSettles((await w.call('put', `/orders/${first.orderId}/checkout`, c.bearer, {})).body.token);
    const earned = (await pointsOf(w, c.bearer)).balance;
    expect(earned).toBe(Math.floor(((100_000 + first.shipping) * 10) / 100));
    expect(await stockIn(w, admin, shop.storeId, shop.menuId)).toBe(9);

    // a second cart: two units, the promotion code and some points, checked out, never paid
    const { orderId } = await fillCart(w, c.bearer, c.patientId, shop.menuId, 2);
    await w.call('put', `/orders/${orderId}/apply/promotions`, c.bearer, { display_codes: shop.code });
    await w.call('put', `/orders/${orderId}/apply/points`, c.bearer, { poin_used: 5_000 });
    const checkout = (await w.call('put', `/orders/${orderId}/checkout`, c.bearer, {})).body;
    expect(checkout.orders.status).toBe('CHECKOUT');
    expect(await stockIn(w, admin, shop.storeId, shop.menuId)).toBe(7);
    expect(await quotaLeft()).toBe(99);
    expect((await pointsOf(w, c.bearer)).balance).toBe(earned - 5_000);

    // the job runs before the payment window closes: nothing happens
    expect(await expireUnpaidCheckouts(w.t.app)).toBe(0);
    // an hour and a minute later (PAYMENT_EXPIRY_MINUTES is 60) the job asks Midtrans, which never heard of a payment
    w.clockMovesOn(61 * 60_000);
    expect(await expireUnpaidCheckouts(w.t.app)).toBe(1);
    expect(w.midtrans.statusRequests).toContain(checkout.orders.order_code);

    // the order is cancelled, and everything it held is back
    expect((await w.call('get', `/orders/${orderId}`, c.bearer)).body.orders).toMatchObject({ status: 'CANCEL', is_paid: 0 });
    expect(await stockIn(w, admin, shop.storeId, shop.menuId)).toBe(9);
    expect(await quotaLeft()).toBe(100);
    const after = await pointsOf(w, c.bearer);
    expect(after.balance).toBe(earned);
    expect(after.rows.map((r) => r.usecase)).toEqual(expect.arrayContaining(['webhook-midtrans', 'order-use', 'order-release']));

    // the customer is told, in the app and on the phone
    const notes = await notificationsAbout(w, c.bearer, orderId);
    expect(notes.map((n) => n.intentions)).toContain('order_cancelled');
    // in Indonesian, as the rest of the notice; the order keeps the reason's code for staff
    expect(notes.find((n) => n.intentions === 'order_cancelled')!.content).toBe(`Pesanan ${checkout.orders.order_code} dibatalkan: batas waktu pembayaran telah habis`);
    expect((await w.call('get', `/orders/${orderId}`, c.bearer)).body.orders.cancel_reason).toBe('payment expired');
    expect(await w.pushesTo('late-phone')).toContain('Pesanan dibatalkan');

    // the customer pays the old Midtrans page after all: the money is recorded for staff to refund, the order stays cancelled
    expect((await midtransNotifies(w, checkout.token, 'settlement')).result).toBe('paid_not_current');
    expect((await w.call('get', `/orders/${orderId}`, c.bearer)).body.orders).toMatchObject({ status: 'CANCEL', is_paid: 0 });
    expect(await stockIn(w, admin, shop.storeId, shop.menuId)).toBe(9);
    expect((await pointsOf(w, c.bearer)).balance).toBe(earned);
    // staff learn of the money to give back from the audit log, with what they need to refund it in Midtrans' dashboard
    const logs = (await w.call('post', '/logs/explore?page=1&length=10', admin, { resource: 'orders', resource_id: String(orderId) })).body.data as any[];
    expect(logs.find((l) => l.action === 'payment_alert')).toMatchObject({
      outcome: 'failure',
      details: { result: 'paid_not_current', midtrans_order_id: checkout.orders.order_code, gross_amount: 200_000 + (checkout.orders.courier_price as number) - 25_000 - 5_000 },
    });

    // the customer starts again: a new cart, the same code and points, and this time pays
    const retry = await fillCart(w, c.bearer, c.patientId, shop.menuId, 2);
    expect((await w.call('put', `/orders/${retry.orderId}/apply/promotions`, c.bearer, { display_codes: shop.code })).body).toMatchObject({ apply_promotions: true });
    await w.call('put', `/orders/${retry.orderId}/apply/points`, c.bearer, { poin_used: 5_000 });
    const paid = (await w.call('put', `/orders/${retry.orderId}/checkout`, c.bearer, {})).body;
    expect(paid.orders.order_code).not.toBe(checkout.orders.order_code);
    await w.midtransSettles(paid.token);
    expect((await w.call('get', `/orders/${retry.orderId}`, c.bearer)).body.orders).toMatchObject({ status: 'PAID', is_paid: 1 });
    expect(await stockIn(w, admin, shop.storeId, shop.menuId)).toBe(7);
    expect(await quotaLeft()).toBe(99);
  });
});
