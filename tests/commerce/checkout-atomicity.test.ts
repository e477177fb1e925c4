import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { on } from '../../src/lib/events.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { eCart, givePoints, menu, stockOf } from './fixtures.js';

// A checkout whose points cover everything is paid at once. Reserving and paying are one change:
// when paying fails (here a subscriber of order.paid fails), nothing of the checkout stays.
let t: TestApp;
let customer: TestUser;
let failPaid = false;

beforeAll(async () => {
  t = await createTestApp();
  customer = await t.user(['CUSTOMER']);
  on('order.paid', async () => {
    if (failPaid) throw new Error('a subscriber of order.paid failed');
  });
});
afterAll(() => t.close());

describe('a checkout paid at once by points', () => {
  it('is all or nothing: a failure while paying leaves the cart as it was (no reservation held)', async () => {
    const m = await menu(t, { harga: 100_000 });
    const stock = await stockOf(t, m.id, 5);
    await givePoints(t, customer.id, 200_000);
    const orderId = await eCart(t, customer, [{ id_menu: m.id, qty: 1 }], 20_000);
    await t.http.put(`/orders/${orderId}/apply/points`).set(t.auth(customer)).send({ poin_used: 120_000 }).expect(200);

    failPaid = true;
    const failed = await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({});
    failPaid = false;
    expect(failed.status).toBe(500);
    const o = await t.app.db.order.findUniqueOrThrow({ where: { id: orderId } });
    const balance = await t.app.db.userPointBalance.findUniqueOrThrow({ where: { id_users: customer.id } });
    const left = await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } });
    expect({ status: o.status, reservation: o.reservation_status, cart_open: o.cart_open, points: balance.balance, stock: left.quantitytotal }).toEqual({
      status: 'SHOPPING CARTS',
      reservation: 'NONE',
      cart_open: 1,
      points: 200_000,
      stock: 5,
    });

    // tried again, it goes through: paid by points, no Snap transaction
    const ok = await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({});
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token: '', redirect_url: '' });
    const paid = await t.app.db.order.findUniqueOrThrow({ where: { id: orderId } });
    expect({ status: paid.status, is_paid: paid.is_paid, pay_channel: paid.pay_channel, reservation: paid.reservation_status }).toEqual({
      status: 'PAID',
      is_paid: 1,
      pay_channel: 'points',
      reservation: 'CONSUMED',
    });
    expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(4);
  });
});
