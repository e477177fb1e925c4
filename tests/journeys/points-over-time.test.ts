import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expirePoints } from '../../src/modules/commerce/points.service.js';
import { fillCart, newCustomer, pointsOf, staffSignsIn, staffStockTheShop } from './shop.js';
import { startWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

type Row = { add_point: number; use_point: number; usecase: string; is_expired: number; id_orders: number | null; expired_date: string | null };

/** users/data's balance, the same figure in users/:id, and read from the user_points list (what was added less what was used). */
async function balanceAgrees(bearer: string) {
  const { balance, rows } = await pointsOf(w, bearer);
  const ledger = (rows as Row[]).reduce((sum, r) => sum + Number(r.add_point) - Number(r.use_point), 0);
  const me = (await w.call('get', '/users/data', bearer)).body.users.id as number;
  const profile = (await w.call('get', `/users/${me}`, bearer)).body.users.total_point as number;
  expect({ balance, ledger, profile }).toEqual({ balance, ledger: balance, profile: balance });
  return { balance, rows: rows as Row[] };
}

describe('journey: a customer’s points over a year', () => {
  it('earns points, spends some on an order staff then cancel (they come back), and loses the rest when their day passes', async () => {
    const admin = (await staffSignsIn(w)).bearer;
    const shop = await staffStockTheShop(w, admin);
    const c = await newCustomer(w, 'points', 'points-phone');
    expect((await balanceAgrees(c.bearer)).balance).toBe(0);

    // a first order, paid: 10 % of what was paid, for POINTS_EXPIRY_DAYS (365)
    const first = await fillCart(w, c.bearer, c.patientId, shop.menuId, 2);
    await w.midtransSettles((await w.call('put', `/orders/${first.orderId}/checkout`, c.bearer, {})).body.token);
    const earned = Math.floor((200_000 + first.shipping) / 10);
    const afterFirst = await balanceAgrees(c.bearer);
    expect(afterFirst.balance).toBe(earned);
    expect(afterFirst.rows.find((r) => r.usecase === 'webhook-midtrans')).toMatchObject({ id_orders: first.orderId, add_point: earned, is_expired: 0 });
    expect(afterFirst.rows[0]!.expired_date).not.toBeNull();

    // a second order spends 5,000 of them and is paid: it earns its own
    const second = await fillCart(w, c.bearer, c.patientId, shop.menuId, 1);
    expect((await w.call('put', `/orders/${second.orderId}/apply/points`, c.bearer, { poin_used: 5_000 })).body).toEqual({ apply_points: true, poin_used: 5_000 });
    const checkout = (await w.call('put', `/orders/${second.orderId}/checkout`, c.bearer, {})).body;
    expect((await balanceAgrees(c.bearer)).balance).toBe(earned - 5_000);
    await w.midtransSettles(checkout.token);
    const earnedSecond = Math.floor((100_000 + second.shipping - 5_000) / 10);
    expect((await balanceAgrees(c.bearer)).balance).toBe(earned - 5_000 + earnedSecond);

    // the customer changes their mind; staff cancel the paid order: the 5,000 come back, what it earned goes
    await w.call('put', `/orders/${second.orderId}/cancel`, admin, { cancel_reason: 'customer asked by phone' });
    expect((await w.call('get', `/orders/${second.orderId}`, c.bearer)).body.orders.status).toBe('CANCEL');
    const afterCancel = await balanceAgrees(c.bearer);
    expect(afterCancel.balance).toBe(earned);
    expect(afterCancel.rows.map((r) => r.usecase)).toEqual(expect.arrayContaining(['order-use', 'order-release', 'order-reverse']));

    // a year and two days later: the points' day has passed; the balance leaves them out before the job runs
    w.clockMovesOn(367 * 86_400_000);
    const me = await w.signIn(c.person.username, c.person.password); // the old session is long over
    expect((await w.call('get', '/users/data', me.bearer)).body.users.total_point).toBe(0);
    expect((await w.call('get', `/users/${me.id}`, me.bearer)).body.users.total_point).toBe(0);
    const third = await fillCart(w, me.bearer, c.patientId, shop.menuId, 1);
    await w.call('put', `/orders/${third.orderId}/apply/points`, me.bearer, { poin_used: 1_000 }, 422);

    // the hourly job writes the expiry down; the list and the balance agree again
    await expirePoints(w.t.app);
    const expired = await balanceAgrees(me.bearer);
    expect(expired.balance).toBe(0);
    expect(expired.rows.map((r) => r.usecase)).toContain('expire');
    expect(expired.rows.find((r) => r.usecase === 'webhook-midtrans' && r.id_orders === first.orderId)).toMatchObject({ is_expired: 1 });
  });
});
