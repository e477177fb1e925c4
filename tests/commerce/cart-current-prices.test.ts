import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { doctor, eCart, givePoints, menu, patientOf, promotion } from './fixtures.js';

// A cart showed the price each line had when it was added: staff changing a product's price, or a
// promotion price starting or ending, while it sat in the cart left orders/:id, the order lists and
// orders/init showing the old line prices and totals, while checkout charged the current ones. An
// open cart is now shown as its checkout charges it; a checked-out order keeps its prices.

let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
});
afterAll(() => t.close());

const get = async (u: TestUser, id: number) => {
  const res = await t.http.get(`/orders/${id}`).set(t.auth(u));
  expect(res.status, res.text).toBe(200);
  return res.body.orders;
};
const listed = async (u: TestUser, path: 'explore' | 'search', id: number) => {
  const res = await t.http.post(`/orders/${path}${path === 'explore' ? '?page=1&length=100' : ''}`).set(t.auth(u)).send({});
  expect(res.status, res.text).toBe(200);
  return (path === 'explore' ? res.body.data : res.body.orders).find((o: { id: number }) => o.id === id);
};
const tableRow = async (u: TestUser, id: number) => {
  const res = await t.http.post('/orders/table').set(t.auth(u)).send({ draw: 1, start: 0, length: 100 });
  expect(res.status, res.text).toBe(200);
  return res.body.data.find((r: unknown[]) => r[0] === id) as unknown[];
};
/** what the answers show of a cart's money */
const money = (o: any) => ({
  total_price: o.total_price,
  total_discount: o.total_discount,
  grand_totals: o.grand_totals,
  lines: [...(o.order_items ?? o.details ?? [])].map((l: any) => [l.price ?? l.extra_prices, l.price_total ?? l.extra_prices * l.qty]),
});

describe('an open cart after a price change', () => {
  it('shows the current price in orders/:id, orders/init, explore, search and table, as checkout then charges; nothing is written on a read', async () => {
    const u = await t.user(['CUSTOMER']);
    const m = await menu(t, { harga: 100_000 });
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 2 }], 20_000);
    const p = await promotion(t, { type: 'PERSEN', value: 10 });
    await t.http.put(`/orders/${id}/apply/promotions`).set(t.auth(u)).send({ display_codes: p.display_codes }).expect(200);
    expect(money(await get(u, id))).toEqual({ total_price: 200_000, total_discount: 20_000, grand_totals: 200_000, lines: [[100_000, 200_000]] });

    // staff raise the price while it sits in the cart
    const upd = await t.http.put(`/menus/${m.id}/update`).set(t.auth(admin)).send({ harga: 125_000 });
    expect(upd.status, upd.text).toBe(200);

    const expected = { total_price: 250_000, total_discount: 25_000, grand_totals: 245_000, lines: [[125_000, 250_000]] };
    const detail = await get(u, id);
    expect(money(detail)).toEqual(expected);
    expect(detail.total_amount[0]).toEqual({ total_amount: '250000', types: 'E-commerce' });
    const patient = detail.id_patients;
    const init = await t.http.post('/orders/init').set(t.auth(u)).send({ id_patients: patient, order_type: 'E' });
    expect(init.status, init.text).toBe(200);
    expect(money(init.body.orders)).toEqual(expected);
    expect(money(await listed(u, 'explore', id))).toEqual(expected);
    expect(money(await listed(u, 'search', id))).toEqual(expected);
    expect(money(await listed(admin, 'explore', id))).toEqual(expected);
    const row = await tableRow(admin, id);
    // columns 16 total_price, 17 total_discount, 46 grand_totals
    expect([row[16], row[17], row[46]]).toEqual([250_000, 25_000, 245_000]);

    // a GET writes nothing: the stored line keeps its price until the cart is written or checked out
    expect(await t.app.db.orderItem.findFirstOrThrow({ where: { id_order: id } })).toMatchObject({ price: 100_000, price_total: 200_000 });
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ grand_totals: 200_000 });

    // checkout charges what was shown
    const checkout = await t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({});
    expect(checkout.status, checkout.text).toBe(200);
    expect(checkout.body.orders.grand_totals).toBe(245_000);
    expect((await t.app.db.orderPayment.findFirstOrThrow({ where: { id_orders: id } })).gross_amount).toBe(245_000);

    // a checked-out order keeps the prices it was checked out at
    await t.app.db.menu.update({ where: { id: m.id }, data: { harga: 90_000 } });
    expect(money(await get(u, id))).toEqual(expected);
    expect(money(await listed(u, 'explore', id))).toEqual(expected);
  });

  it('a promotion price that ends or starts while it sits in the cart, and a doctor’s new consultation price', async () => {
    const u = await t.user(['CUSTOMER']);
    const now = Date.now();
    const ending = await menu(t, { harga: 100_000, harga_promosi: 80_000, mulai_harga_promosi: new Date(now - 86_400_000), selesai_harga_promosi: new Date(now + 86_400_000) });
    const starting = await menu(t, { harga: 50_000, harga_promosi: 40_000, mulai_harga_promosi: new Date(now + 86_400_000) });
    const id = await eCart(t, u, [{ id_menu: ending.id, qty: 1 }, { id_menu: starting.id, qty: 1 }], 0);
    expect(money(await get(u, id)).lines).toEqual([[80_000, 80_000], [50_000, 50_000]]);
    // a day and a half later: the first promotion has ended, the second begun
    const clock = t.app.now;
    t.app.now = () => new Date(now + 36 * 3600_000);
    try {
      expect(money(await get(u, id))).toEqual({ total_price: 140_000, total_discount: 0, grand_totals: 140_000, lines: [[100_000, 100_000], [40_000, 40_000]] });
    } finally {
      t.app.now = clock;
    }

    // a consultation cart: the doctor's price changed
    const d = await doctor(t, 150_000);
    const patient = await patientOf(t, u);
    const c = (await t.http.post('/orders/init').set(t.auth(u)).send({ id_patients: patient.id, order_type: 'C' })).body.orders.id;
    await t.http.post('/orders/c_add_to_carts').set(t.auth(u)).send({ id_order: c, items: [{ id_doctors: d.id, qty: 1 }] }).expect(200);
    await t.app.db.doctor.update({ where: { id: d.id }, data: { custom_price: 175_000 } });
    const cart = await get(u, c);
    expect(cart.order_extras.map((e: any) => e.extra_prices)).toEqual([175_000]);
    expect([cart.total_price, cart.grand_totals]).toEqual([175_000, 175_000]);
    expect(cart.total_amount[1]).toEqual({ total_amount: '175000', types: 'Online consultations' });
  });
});

// A change of the cart (a line added, points or a code applied) starts from today's prices: the limits
// it checks are those of the cart the customer is shown, and the stored lines (order_items/*) follow.
describe('a change of an open cart after a price change', () => {
  it('applies points up to what the cart now comes to, and the stored lines take today’s price', async () => {
    const u = await t.user(['CUSTOMER']);
    const m = await menu(t, { harga: 100_000 });
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 20_000);
    await givePoints(t, u.id, 200_000);
    await t.http.put(`/menus/${m.id}/update`).set(t.auth(admin)).send({ harga: 150_000 }).expect(200);
    // the cart shows 150,000 + 20,000: all of it may be paid with points (it was refused above 120,000)
    const res = await t.http.put(`/orders/${id}/apply/points`).set(t.auth(u)).send({ poin_used: 170_000 });
    expect([res.status, res.body]).toEqual([200, { apply_points: true, poin_used: 170_000 }]);
    expect(money(await get(u, id))).toEqual({ total_price: 150_000, total_discount: 0, grand_totals: 0, lines: [[150_000, 150_000]] });
    const line = await t.app.db.orderItem.findFirstOrThrow({ where: { id_order: id } });
    expect([line.price, line.price_total]).toEqual([150_000, 150_000]);
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ total_price: 150_000, poin_used: 170_000, grand_totals: 0 });
    // more than that is refused with today's figure
    const over = await t.http.put(`/orders/${id}/apply/points`).set(t.auth(u)).send({ poin_used: 170_001 });
    expect([over.status, over.body.message]).toEqual([422, 'At most 170000 points can be used on this order']);
  });

  it('after a price cut, points above the new amount are refused, not silently capped', async () => {
    const u = await t.user(['CUSTOMER']);
    const m = await menu(t, { harga: 100_000 });
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 20_000);
    await givePoints(t, u.id, 200_000);
    await t.http.put(`/menus/${m.id}/update`).set(t.auth(admin)).send({ harga: 50_000 }).expect(200);
    const over = await t.http.put(`/orders/${id}/apply/points`).set(t.auth(u)).send({ poin_used: 100_000 });
    expect([over.status, over.body.message]).toEqual([422, 'At most 70000 points can be used on this order']);
    // a line added now leaves every line at today's price in the stored cart too
    const other = await menu(t, { harga: 10_000 });
    await t.http.post('/orders/e_add_to_carts').set(t.auth(u)).send({ id_order: id, items: [{ id_menu: other.id, qty: 1 }] }).expect(200);
    const prices = (await t.app.db.orderItem.findMany({ where: { id_order: id }, orderBy: { id: 'asc' } })).map((l) => l.price);
    expect(prices).toEqual([50_000, 10_000]);
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ total_price: 60_000 });
  });
});
