import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { eCart, menu } from './fixtures.js';

// POINTS_EARN_PERCENT with decimals, as .env.example allows ("percent of grand_totals, rounded down")
let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await createTestApp({ POINTS_EARN_PERCENT: '0.7' });
  admin = await t.user(['ADMIN']);
});
afterAll(() => t.close());

const put = (path: string, u: TestUser, body: object = {}) => t.http.put(path).set(t.auth(u)).send(body);

describe('points earned at a decimal percentage', () => {
  it('are the exact percentage rounded down: 0.7 % of 11,000 is 77, not 76 (0.7 is 0.69999… in binary)', async () => {
    const u = await t.user(['CUSTOMER']);
    const id = await eCart(t, u, [{ id_menu: (await menu(t, { harga: 1_000 })).id, qty: 1 }], 10_000);
    await put(`/orders/${id}/checkout`, u).expect(200);
    await put(`/orders/${id}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
    const o = await t.app.db.order.findUniqueOrThrow({ where: { id } });
    expect(o.grand_totals).toBe(11_000);
    expect((await t.app.db.userPoint.findUniqueOrThrow({ where: { id_orders_earned: id } })).add_point).toBe(77);
    expect((await t.app.db.userPointBalance.findUniqueOrThrow({ where: { id_users: u.id } })).balance).toBe(77);
  });
});
