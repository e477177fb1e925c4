import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { eCart, givePoints, menu } from './fixtures.js';

// The point balance (user_point_balances.balance) is a 32-bit integer that every paid order's
// earning raises: enough earnings took it past 2,147,483,647 and the payment failed with a 500
// ("integer out of range"; Midtrans' webhook retried for ever, the order never paid). A give-back
// of held points onto a balance so filled failed the same way.

const MAX = 2_147_483_647;
let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await createTestApp({ POINTS_EARN_PERCENT: '1' });
  admin = await t.user(['ADMIN']);
});
afterAll(() => t.close());

const balance = async (u: TestUser) => (await t.app.db.userPointBalance.findUniqueOrThrow({ where: { id_users: u.id } })).balance;

describe('points near the balance column’s maximum', () => {
  it('a paid order’s earning fills the balance up to 2,147,483,647 and credits no more: the payment succeeds', async () => {
    const u = await t.user(['CUSTOMER']);
    await givePoints(t, u.id, MAX - 500);
    const m = await menu(t, { harga: 100_000 });
    const orderId = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 0);
    const checkout = await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(u)).send({});
    expect(checkout.status, checkout.text).toBe(200);
    // 1 % of 100,000 would be 1,000 points
    const paid = await t.http.put(`/orders/${orderId}/paid`).set(t.auth(admin)).send({ pay_channel: 'transfer' });
    expect(paid.status, paid.text).toBe(200);
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id: orderId } })).status).toBe('PAID');
    expect(await balance(u)).toBe(MAX);
    expect(await t.app.db.userPoint.findUniqueOrThrow({ where: { id_orders_earned: orderId } })).toMatchObject({ add_point: 500, remaining_point: 500 });
    const data = await t.http.get('/users/data').set(t.auth(u));
    expect(data.status, data.text).toBe(200);
    expect(data.body.total_point ?? data.body.users?.total_point).toBe(MAX);
  });

  it('points held by a checkout that the balance can no longer take back: 422, the checkout stays as it is', async () => {
    const u = await t.user(['CUSTOMER']);
    await givePoints(t, u.id, 10_000);
    const m = await menu(t, { harga: 100_000 });
    const orderId = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 0);
    await t.http.put(`/orders/${orderId}/apply/points`).set(t.auth(u)).send({ poin_used: 5_000 }).expect(200);
    await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(u)).send({}).expect(200);
    // meanwhile credits filled the balance (as paid orders' earnings do, up to the maximum)
    await givePoints(t, u.id, MAX - 5_000 - 10);
    const res = await t.http.put(`/orders/${orderId}/uncheckout`).set(t.auth(u));
    expect(res.status, res.text).toBe(422);
    expect(res.body.message).toMatch(/point balance/);
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id: orderId } })).status).toBe('CHECKOUT');
    expect(await balance(u)).toBe(MAX - 10);
  });
});
