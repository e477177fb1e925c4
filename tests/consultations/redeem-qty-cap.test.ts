import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { consultationFixture, createMenu, pay } from './fixtures.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('menu_reedems/add_to_carts growing a line of the same product', () => {
  it('is refused (422) when the line would pass 999, as every qty input is; up to 999 it grows', async () => {
    const f = await consultationFixture(t);
    await pay(t, f.order.id);
    const id_threads = (await t.app.db.thread.findFirstOrThrow({ where: { id_order: f.order.id } })).id;
    // sold without a prescription too: the customer may put 998 of it in the cart first
    const menuId = (await createMenu(t, { is_resep_required: 0, harga: 10_000 })).id;
    const init = await t.http.post('/orders/init').set(t.auth(f.customer)).send({ id_patients: f.patient.id, order_type: 'E' });
    expect(init.status, init.text).toBe(200);
    const cartId = init.body.orders.id;
    const add = await t.http.post('/orders/e_add_to_carts').set(t.auth(f.customer)).send({ id_order: cartId, items: [{ id_menu: menuId, qty: 998 }] });
    expect(add.status, add.text).toBe(200);

    const prescribe = async (qty: number) => {
      const res = await t.http.post('/thread_messages/prescriptions').set(t.auth(f.doctor)).send({ id_threads, id_menu: menuId, qty });
      expect(res.status, res.text).toBe(200);
      return res.body.thread_messages.id as number;
    };
    const redeem = (id: number) => t.http.post('/menu_reedems/add_to_carts').set(t.auth(f.customer)).send({ id_threads, id_menu: menuId, id_thread_messages: id });

    // 998 + 2 = 1000: refused, nothing written
    const two = await prescribe(2);
    const refused = await redeem(two);
    expect(refused.status, refused.text).toBe(422);
    expect(refused.body.message).toMatch(/999/);
    expect(await t.app.db.orderItem.findFirstOrThrow({ where: { id_order: cartId, id_menu: menuId } })).toMatchObject({ qty: 998, price_total: 9_980_000 });
    expect(await t.app.db.menuReedem.count({ where: { id_thread_messages: two } })).toBe(0);
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id: cartId } })).toMatchObject({ total_price: 9_980_000, grand_totals: 9_980_000 });

    // 998 + 1 = 999: the cap itself is allowed
    const one = await prescribe(1);
    const ok = await redeem(one);
    expect(ok.status, ok.text).toBe(200);
    expect(await t.app.db.orderItem.findFirstOrThrow({ where: { id_order: cartId, id_menu: menuId } })).toMatchObject({ qty: 999, price_total: 9_990_000 });
  });
});
