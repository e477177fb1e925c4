import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { doctor, eCart, givePoints, menu, patientOf, promotion } from './fixtures.js';

let t: TestApp;
let admin: TestUser;
let customer: TestUser;
let other: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
  other = await t.user(['CUSTOMER']);
});
afterAll(() => t.close());

describe('orders/init', () => {
  it('opens one cart per patient and type, defaults contact and address, and returns it again', async () => {
    const patient = await patientOf(t, customer);
    const a = await t.http.post('/orders/init').set(t.auth(customer)).send({ id_users: 999, id_patients: patient.id, order_type: 'E' });
    expect(a.status).toBe(200);
    expect(a.body.orders).toMatchObject({ status: 'SHOPPING CARTS', order_type: 'E', order_code: '', id_member: customer.id, alamat_kirim: 'Jalan Buahbatu 1, Bandung', nama_penerima: patient.nama_lengkap_pasien, order_items: [], order_extras: [], counts_carts: 0 });
    expect(a.body.orders.member.id).toBe(customer.id);
    expect(a.body.orders.patients.id).toBe(patient.id);
    const parallel = await Promise.all(Array.from({ length: 5 }, () => t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: patient.id, order_type: 'E' })));
    expect(new Set(parallel.map((r) => r.body.orders.id))).toEqual(new Set([a.body.orders.id]));
    expect(await t.app.db.order.count({ where: { id_member: customer.id, id_patients: patient.id, order_type: 'E' } })).toBe(1);
  });

  it("refuses another customer's patient (404) and bad input (400)", async () => {
    const theirs = await patientOf(t, other);
    expect((await t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: theirs.id, order_type: 'E' })).status).toBe(404);
    expect((await t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: theirs.id, order_type: 'X' })).status).toBe(400);
    expect((await t.http.post('/orders/init').send({ id_patients: theirs.id, order_type: 'E' })).status).toBe(401);
  });

  it("shows the patient's data only to staff and the customer managing the patient", async () => {
    const patient = await patientOf(t, customer, { catatan: 'Kulit berminyak', golongan_darah: 'O', no_identitas: '3273000000000001' });
    const a = await t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: patient.id, order_type: 'C' });
    expect(a.body.orders.patients).toMatchObject({ id: patient.id, catatan: 'Kulit berminyak', golongan_darah: 'O', no_identitas: '3273000000000001' });
    // the patient is handed to another account: the old order stays the customer's, the patient's data does not
    await t.app.db.patient.update({ where: { id: patient.id }, data: { id_users: other.id } });
    const mine = await t.http.get(`/orders/${a.body.orders.id}`).set(t.auth(customer));
    expect(mine.status).toBe(200);
    expect(mine.body.orders.patients).toMatchObject({ id: patient.id, nama_lengkap_pasien: patient.nama_lengkap_pasien, catatan: null, golongan_darah: null, no_identitas: null, alamat_domisili: null });
    const staff = await t.http.get(`/orders/${a.body.orders.id}`).set(t.auth(admin));
    expect(staff.body.orders.patients).toMatchObject({ catatan: 'Kulit berminyak', golongan_darah: 'O' });
  });
});

describe('orders/e_add_to_carts', () => {
  it('applies + - replace and 0 with server prices (promotion price inside its window)', async () => {
    const m = await menu(t, { harga: 100_000, harga_promosi: 80_000, mulai_harga_promosi: new Date(Date.now() - 3600_000), selesai_harga_promosi: new Date(Date.now() + 3600_000) });
    const m2 = await menu(t, { harga: 50_000 });
    const patient = await patientOf(t, customer);
    const init = await t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: patient.id, order_type: 'E' });
    const id_order = init.body.orders.id;
    const add = (items: unknown[]) => t.http.post('/orders/e_add_to_carts').set(t.auth(customer)).send({ id_order, items });
    let r = await add([{ id_menu: m.id, qty: 2, price: 1 }, { id_menu: m2.id, qty: '+' }]);
    expect(r.status).toBe(200);
    expect(r.body.order_items[0]).toMatchObject({ qty: 2, price: 80_000, price_total: 160_000, menu: { id: m.id, harga: 100_000 }, order: { id: id_order } });
    // every line shows the order with the totals this request wrote, and its own product
    expect(r.body.order_items.map((i: any) => [i.menu.id, i.order.total_price, i.order.grand_totals])).toEqual([
      [m.id, 210_000, 210_000],
      [m2.id, 210_000, 210_000],
    ]);
    // a line changed twice in one request answers once, as it ended
    r = await add([{ id_menu: m.id, qty: '+' }, { id_menu: m2.id, qty: '+' }, { id_menu: m.id, qty: '+' }]);
    expect(r.body.order_items.map((i: any) => [i.menu.id, i.qty])).toEqual([[m.id, 4], [m2.id, 2]]);
    r = await add([{ id_menu: m.id, qty: '-' }]);
    expect(r.body.order_items.map((i: any) => i.qty)).toEqual([3]);
    // removed, then added again in the same request: a new line of one
    r = await add([{ id_menu: m2.id, qty: 0 }, { id_menu: m2.id, qty: '+' }]);
    expect(r.status).toBe(200);
    expect(r.body.order_items.map((i: any) => [i.menu.id, i.qty])).toEqual([[m2.id, 1]]);
    r = await add([{ id_menu: m2.id, qty: 2 }]);
    expect(r.body.order_items.map((i: any) => i.qty)).toEqual([2]);
    r = await add([{ id_menu: m.id, qty: '-' }]);
    expect(r.body.order_items[0].qty).toBe(2);
    expect(r.body.order_items[0].order.total_price).toBe(2 * 80_000 + 2 * 50_000);
    r = await add([{ id_menu: m2.id, qty: 0 }]);
    expect(r.body.order_items).toEqual([]);
    const order = await t.http.get(`/orders/${id_order}`).set(t.auth(customer));
    // counts_carts: the lines in the customer's open carts (the one product line left)
    expect(order.body.orders).toMatchObject({ total_price: 160_000, grand_totals: 160_000, counts_carts: 1 });
    expect(order.body.orders.order_items).toHaveLength(1);
    expect(order.body.orders.total_amount).toEqual([{ total_amount: '160000', types: 'E-commerce' }, { total_amount: '0', types: 'Online consultations' }]);
    expect((await add([{ id_menu: m.id, qty: 1000 }])).status).toBe(400);
    expect((await add([{ id_menu: 999999, qty: 1 }])).status).toBe(404);
  });

  it('refuses prescription-only products (422) and carts of others (404)', async () => {
    const rx = await menu(t, { is_resep_required: 1 });
    const orderId = await eCart(t, customer, [{ id_menu: (await menu(t)).id, qty: 1 }]);
    const r = await t.http.post('/orders/e_add_to_carts').set(t.auth(customer)).send({ id_order: orderId, items: [{ id_menu: rx.id, qty: 1 }] });
    expect(r.status).toBe(422);
    const o = await t.http.post('/orders/e_add_to_carts').set(t.auth(other)).send({ id_order: orderId, items: [{ id_menu: rx.id, qty: 1 }] });
    expect(o.status).toBe(404);
    expect((await t.http.get(`/orders/${orderId}`).set(t.auth(other))).status).toBe(404);
  });
});

describe('orders/c_add_to_carts', () => {
  it("prices the consultation with the doctor's custom_price", async () => {
    const d = await doctor(t, 123_000);
    const patient = await patientOf(t, customer);
    const init = await t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: patient.id, order_type: 'C' });
    const r = await t.http.post('/orders/c_add_to_carts').set(t.auth(customer)).send({ id_order: init.body.orders.id, items: [{ id_doctors: d.id, qty: 1, extra_prices: 1 }] });
    expect(r.status).toBe(200);
    expect(r.body.order_extras[0]).toMatchObject({ items: { item: 'Online consultation', id_doctors: d.id }, qty: 1, extra_prices: 123_000, orders: { id: init.body.orders.id, total_price: 123_000 } });
    const wrong = await t.http.post('/orders/e_add_to_carts').set(t.auth(customer)).send({ id_order: init.body.orders.id, items: [{ id_menu: (await menu(t)).id, qty: 1 }] });
    expect(wrong.status).toBe(422);
    const removed = await t.http.post('/orders/c_add_to_carts').set(t.auth(customer)).send({ id_order: init.body.orders.id, items: [{ id_doctors: d.id, qty: 0 }] });
    expect(removed.body.order_extras).toEqual([]);
  });

  it('holds one consultation: one doctor, qty 1 (a paid order opens one thread, with one doctor, for one window)', async () => {
    const a = await doctor(t, 100_000);
    const b = await doctor(t, 200_000);
    const patient = await patientOf(t, customer);
    const id = (await t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: patient.id, order_type: 'C' })).body.orders.id;
    const add = (items: unknown[]) => t.http.post('/orders/c_add_to_carts').set(t.auth(customer)).send({ id_order: id, items });
    await add([{ id_doctors: a.id, qty: 1 }]).expect(200);
    expect((await add([{ id_doctors: b.id, qty: 1 }])).status).toBe(422);
    expect((await add([{ id_doctors: a.id, qty: '+' }])).status).toBe(422);
    expect((await add([{ id_doctors: a.id, qty: 3 }])).status).toBe(422);
    const extra = await t.app.db.orderExtra.findFirstOrThrow({ where: { id_orders: id } });
    expect((await t.http.put(`/order_extras/${extra.id}/update`).set(t.auth(customer)).send({ qty: 2 })).status).toBe(422);
    expect(await t.app.db.orderExtra.findMany({ where: { id_orders: id }, select: { id_doctors: true, qty: true } })).toEqual([{ id_doctors: a.id, qty: 1 }]);
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id } })).total_price).toBe(100_000);
    // changing doctor: remove one and add the other in the same request
    const swap = await add([{ id_doctors: a.id, qty: 0 }, { id_doctors: b.id, qty: 1 }]);
    expect(swap.status).toBe(200);
    expect(await t.app.db.orderExtra.findMany({ where: { id_orders: id }, select: { id_doctors: true, qty: true } })).toEqual([{ id_doctors: b.id, qty: 1 }]);
    // a cart holding more (written before this rule) is refused at checkout
    await t.app.db.orderExtra.create({ data: { id_orders: id, id_doctors: a.id, extra_prices: 100_000 } });
    const r = await t.http.put(`/orders/${id}/checkout`).set(t.auth(customer)).send({});
    expect(r.status).toBe(422);
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id } })).status).toBe('SHOPPING CARTS');
  });
});

describe('points and promotions on the cart', () => {
  it('applies points up to the balance and the payable amount', async () => {
    const u = await t.user(['CUSTOMER']);
    await givePoints(t, u.id, 50_000);
    const orderId = await eCart(t, u, [{ id_menu: (await menu(t, { harga: 30_000 })).id, qty: 1 }], 10_000);
    expect((await t.http.put(`/orders/${orderId}/apply/points`).set(t.auth(u)).send({ poin_used: 60_000 })).status).toBe(422);
    expect((await t.http.put(`/orders/${orderId}/apply/points`).set(t.auth(u)).send({ poin_used: 45_000 })).status).toBe(422);
    const ok = await t.http.put(`/orders/${orderId}/apply/points`).set(t.auth(u)).send({ poin_used: 15_000 });
    expect(ok.body).toEqual({ apply_points: true, poin_used: 15_000 });
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id: orderId } })).grand_totals).toBe(25_000);
    expect((await t.http.put(`/orders/${orderId}/unapply/points`).set(t.auth(u))).body).toEqual({ unapply_points: true, poin_used: 0 });
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id: orderId } })).grand_totals).toBe(40_000);
  });

  it('applies a valid code (case-insensitive), refuses expired, used-up and product codes for other products', async () => {
    const m = await menu(t, { harga: 100_000 });
    const orderId = await eCart(t, customer, [{ id_menu: m.id, qty: 1 }]);
    const p = await promotion(t, { type: 'PERSEN', value: 10 });
    const r = await t.http.put(`/orders/${orderId}/apply/promotions`).set(t.auth(customer)).send({ display_codes: p.display_codes.toLowerCase() });
    expect(r.body).toEqual({ apply_promotions: true, type: 'PERSEN', value: 10 });
    const o = await t.app.db.order.findUniqueOrThrow({ where: { id: orderId } });
    expect(o).toMatchObject({ total_price: 100_000, total_discount: 10_000, courier_price: 20_000, grand_totals: 110_000 });
    const expired = await promotion(t, { expired_datetime: new Date(Date.now() - 1000) });
    expect((await t.http.put(`/orders/${orderId}/apply/promotions`).set(t.auth(customer)).send({ display_codes: expired.display_codes })).status).toBe(422);
    const full = await promotion(t, { quota: 1, quota_used: 1 });
    expect((await t.http.put(`/orders/${orderId}/apply/promotions`).set(t.auth(customer)).send({ display_codes: full.display_codes })).status).toBe(422);
    const other = await promotion(t, { id_menu: (await menu(t)).id });
    expect((await t.http.put(`/orders/${orderId}/apply/promotions`).set(t.auth(customer)).send({ display_codes: other.display_codes })).status).toBe(422);
    expect((await t.http.put(`/orders/${orderId}/apply/promotions`).set(t.auth(customer)).send({ display_codes: 'NOPE' })).status).toBe(404);
    const product = await promotion(t, { id_menu: m.id, type: 'NOMINAL', value: 150_000 });
    await t.http.put(`/orders/${orderId}/apply/promotions`).set(t.auth(customer)).send({ display_codes: product.display_codes }).expect(200);
    // a product code never discounts more than that product's line
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id: orderId } })).total_discount).toBe(100_000);
    expect((await t.http.put(`/orders/${orderId}/unapply/promotions`).set(t.auth(customer))).body).toEqual({ unapply_promotions: true });
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id: orderId } })).total_discount).toBe(0);
  });
});

describe('order_items and order_extras', () => {
  it('updates and deletes lines of a cart, recomputing totals; create is unavailable', async () => {
    const orderId = await eCart(t, customer, [{ id_menu: (await menu(t, { harga: 10_000 })).id, qty: 1 }], 0);
    const item = await t.app.db.orderItem.findFirstOrThrow({ where: { id_order: orderId } });
    const u = await t.http.put(`/order_items/${item.id}/update`).set(t.auth(customer)).send({ qty: 4, catatan_menu: 'pagi', price: 1 });
    expect(u.status).toBe(200);
    expect(u.body.order_items).toMatchObject({ id: item.id, qty: 4, price: 10_000, price_total: 40_000, catatan_menu: 'pagi', order: { total_price: 40_000 } });
    expect((await t.http.get(`/order_items/${item.id}`).set(t.auth(other))).status).toBe(404);
    const ex = await t.http.post('/order_items/explore?page=1&length=10').set(t.auth(customer)).send({ id_order: orderId });
    expect(ex.body).toMatchObject({ totaldata: 1, data: [{ id: item.id, qty: 4 }] });
    const tb = await t.http.post('/order_items/table').set(t.auth(admin)).send({ draw: 2, start: 0, length: 10, id_order: orderId });
    expect(tb.body.data[0].slice(0, 4)).toEqual([item.id, orderId, item.id_menu, 4]);
    expect((await t.http.post('/order_items/search').set(t.auth(other)).send({ id_order: orderId })).body.order_items).toEqual([]);
    expect((await t.http.post('/order_items/create').set(t.auth(customer)).send({})).status).toBe(405);
    expect((await t.http.delete(`/order_items/${item.id}/delete`).set(t.auth(customer))).body).toEqual({ deleted: true });
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id: orderId } })).total_price).toBe(0);
  });

  it('order_extras update/delete on a consultation cart', async () => {
    const d = await doctor(t, 100_000);
    const patient = await patientOf(t, customer);
    const init = await t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: patient.id, order_type: 'C' });
    await t.http.post('/orders/c_add_to_carts').set(t.auth(customer)).send({ id_order: init.body.orders.id, items: [{ id_doctors: d.id, qty: 1 }] }).expect(200);
    const extra = await t.app.db.orderExtra.findFirstOrThrow({ where: { id_orders: init.body.orders.id } });
    const g = await t.http.get(`/order_extras/${extra.id}`).set(t.auth(customer));
    expect(g.body.order_extras).toMatchObject({ id: extra.id, orders: { id: init.body.orders.id }, items: { id_doctors: d.id }, extra_prices: 100_000 });
    const u = await t.http.put(`/order_extras/${extra.id}/update`).set(t.auth(customer)).send({ extra_notes: 'gatal', extra_prices: 1 });
    expect(u.body.order_extras).toMatchObject({ extra_notes: 'gatal', extra_prices: 100_000 });
    expect((await t.http.post('/order_extras/explore').set(t.auth(customer)).send({ id_orders: init.body.orders.id })).body.totaldata).toBe(1);
    expect((await t.http.post('/order_extras/table').set(t.auth(admin)).send({ id_orders: init.body.orders.id })).body.recordsFiltered).toBe(1);
    expect((await t.http.post('/order_extras/search').set(t.auth(customer)).send({})).body.order_extras.length).toBeGreaterThan(0);
    expect((await t.http.delete(`/order_extras/${extra.id}/delete`).set(t.auth(other))).status).toBe(404);
    expect((await t.http.delete(`/order_extras/${extra.id}/delete`).set(t.auth(customer))).body).toEqual({ deleted: true });
  });
});

describe('orders/:id/delete', () => {
  it('deletes only carts', async () => {
    const orderId = await eCart(t, customer, [{ id_menu: (await menu(t)).id, qty: 1 }]);
    expect((await t.http.delete(`/orders/${orderId}/delete`).set(t.auth(other))).status).toBe(404);
    expect((await t.http.delete(`/orders/${orderId}/delete`).set(t.auth(customer))).body).toEqual({ deleted: true });
    expect(await t.app.db.order.findUnique({ where: { id: orderId } })).toBeNull();
  });
});

describe('prescribed lines', () => {
  it('a customer can lower but not raise the qty of a prescription-only line (it came from a prescription)', async () => {
    const patient = await patientOf(t, customer);
    const rxMenu = await menu(t, { is_resep_required: 1, harga: 90_000 });
    // what menu_reedems/add_to_carts leaves: the prescribed qty (2) at the server's price
    const cart = await t.app.db.order.create({
      data: { order_type: 'E', id_member: customer.id, id_patients: patient.id, items: { create: { id_menu: rxMenu.id, qty: 2, price: 90_000, price_total: 180_000 } } },
      include: { items: true },
    });
    const itemId = cart.items[0]!.id;
    for (const method of ['put', 'post'] as const) {
      const up = await t.http[method](`/order_items/${itemId}/update`).set(t.auth(customer)).send({ qty: 999 });
      expect(up.status, up.text).toBe(422);
    }
    expect(await t.app.db.orderItem.findUniqueOrThrow({ where: { id: itemId } })).toMatchObject({ qty: 2, price_total: 180_000 });
    const down = await t.http.put(`/order_items/${itemId}/update`).set(t.auth(customer)).send({ qty: 1 });
    expect(down.status, down.text).toBe(200);
    expect(await t.app.db.orderItem.findUniqueOrThrow({ where: { id: itemId } })).toMatchObject({ qty: 1, price_total: 90_000 });
    // and not back up again
    expect((await t.http.put(`/order_items/${itemId}/update`).set(t.auth(customer)).send({ qty: 2 })).status).toBe(422);
  });
});

describe('order_items/:id/update of a deleted product', () => {
  it('lowers its line but does not raise it (404), as e_add_to_carts: a product no longer sold is not added to', async () => {
    const gone = await menu(t, { harga: 10_000 });
    const orderId = await eCart(t, customer, [{ id_menu: gone.id, qty: 2 }], 0);
    const item = await t.app.db.orderItem.findFirstOrThrow({ where: { id_order: orderId } });
    await t.app.db.menu.update({ where: { id: gone.id }, data: { deleted_at: new Date() } });
    const up = await t.http.put(`/order_items/${item.id}/update`).set(t.auth(customer)).send({ qty: 5 });
    expect(up.status, up.text).toBe(404);
    expect(await t.app.db.orderItem.findUniqueOrThrow({ where: { id: item.id } })).toMatchObject({ qty: 2, price_total: 20_000 });
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id: orderId } })).total_price).toBe(20_000);
    const down = await t.http.put(`/order_items/${item.id}/update`).set(t.auth(customer)).send({ qty: 1 });
    expect(down.status, down.text).toBe(200);
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id: orderId } })).total_price).toBe(10_000);
  });
});

describe('orders/e_add_to_carts on lines that could no longer be added', () => {
  it('lowers and removes (-, a lower qty, 0) a prescribed line or one of a deleted product, never raises it', async () => {
    const patient = await patientOf(t, customer);
    const rx = await menu(t, { is_resep_required: 1, harga: 90_000 });
    const gone = await menu(t, { harga: 10_000 });
    // what menu_reedems/add_to_carts leaves: the prescribed qty (3); and a product deleted since it was added
    const cart = await t.app.db.order.create({
      data: {
        order_type: 'E', id_member: customer.id, id_patients: patient.id,
        items: { create: [{ id_menu: rx.id, qty: 3, price: 90_000, price_total: 270_000 }, { id_menu: gone.id, qty: 2, price: 10_000, price_total: 20_000 }] },
      },
    });
    await t.app.db.menu.update({ where: { id: gone.id }, data: { deleted_at: new Date() } });
    const send = (items: object[]) => t.http.post('/orders/e_add_to_carts').set(t.auth(customer)).send({ id_order: cart.id, items });
    const qtyOf = async (id_menu: number) => (await t.app.db.orderItem.findFirst({ where: { id_order: cart.id, id_menu } }))?.qty ?? 0;

    // raising stays refused: a prescription-only product comes through a prescription, a deleted one not at all
    expect((await send([{ id_menu: rx.id, qty: '+' }])).status).toBe(422);
    expect((await send([{ id_menu: rx.id, qty: 4 }])).status).toBe(422);
    expect((await send([{ id_menu: gone.id, qty: '+' }])).status).toBe(404);
    expect([await qtyOf(rx.id), await qtyOf(gone.id)]).toEqual([3, 2]);

    const minus = await send([{ id_menu: rx.id, qty: '-' }, { id_menu: gone.id, qty: '-' }]);
    expect(minus.status, minus.text).toBe(200);
    expect([await qtyOf(rx.id), await qtyOf(gone.id)]).toEqual([2, 1]);
    expect((await send([{ id_menu: rx.id, qty: 2 }])).status).toBe(200);
    expect((await send([{ id_menu: rx.id, qty: 1 }])).status).toBe(200);
    expect(await qtyOf(rx.id)).toBe(1);
    const removed = await send([{ id_menu: rx.id, qty: 0 }, { id_menu: gone.id, qty: 0 }]);
    expect(removed.status, removed.text).toBe(200);
    expect(await t.app.db.orderItem.count({ where: { id_order: cart.id } })).toBe(0);
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id: cart.id } })).total_price).toBe(0);
    // removed, it cannot come back through the cart either
    expect((await send([{ id_menu: rx.id, qty: 1 }])).status).toBe(422);
    expect((await send([{ id_menu: gone.id, qty: 1 }])).status).toBe(404);
  });
});

describe('checkout of prescription-only products', () => {
  it('refuses (422) a line of a product made prescription-only after it was added, beyond what prescriptions put in', async () => {
    const m = await menu(t, { harga: 40_000 });
    const orderId = await eCart(t, customer, [{ id_menu: m.id, qty: 3 }]);
    // the clinic reclassifies the product while it sits in the cart
    expect((await t.http.put(`/menus/${m.id}/update`).set(t.auth(admin)).send({ is_resep_required: 1 })).status).toBe(200);
    const refused = await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({});
    expect(refused.status, refused.text).toBe(422);
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id: orderId } })).status).toBe('SHOPPING CARTS');

    // a doctor prescribes 2 for the cart's patient: redeemed, the line holds 3 + 2, 2 of them prescribed
    const doc = await doctor(t);
    const o = await t.app.db.order.findUniqueOrThrow({ where: { id: orderId } });
    const thread = await t.app.db.thread.create({ data: { id_user_from: customer.id, id_user_to: doc.id_users, id_patients: o.id_patients, thread_type: 'online_consultations' } });
    await t.app.db.threadMessage.create({ data: { id_threads: thread.id, id_user_from: doc.id_users, content_type: 'prescriptions', id_menu: m.id, qty: 2, valid_until: new Date(Date.now() + 86_400_000) } });
    expect((await t.http.post('/menu_reedems/add_to_carts').set(t.auth(customer)).send({ id_threads: thread.id, id_menu: m.id, id_orders: orderId })).status).toBe(200);
    expect((await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({})).status).toBe(422);
    // lowered to the prescribed qty it checks out
    const item = await t.app.db.orderItem.findFirstOrThrow({ where: { id_order: orderId, id_menu: m.id } });
    expect(item.qty).toBe(5);
    expect((await t.http.put(`/order_items/${item.id}/update`).set(t.auth(customer)).send({ qty: 2 })).status).toBe(200);
    const { setCourier } = await import('./fixtures.js');
    await setCourier(t, orderId);
    const ok = await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({});
    expect(ok.status, ok.text).toBe(200);
  });

  it('refuses (422) a prescribed line whose prescription expired or was withdrawn since it was redeemed', async () => {
    const rx = await menu(t, { harga: 60_000, is_resep_required: 1 });
    const patient = await patientOf(t, customer);
    const cart = await t.app.db.order.create({ data: { order_type: 'E', id_member: customer.id, id_patients: patient.id, alamat_kirim: 'Jalan Dago 1', kode_kecamatan: '349' } });
    const doc = await doctor(t);
    const thread = await t.app.db.thread.create({ data: { id_user_from: customer.id, id_user_to: doc.id_users, id_patients: patient.id, thread_type: 'online_consultations' } });
    const msg = await t.app.db.threadMessage.create({ data: { id_threads: thread.id, id_user_from: doc.id_users, content_type: 'prescriptions', id_menu: rx.id, qty: 1, valid_until: new Date(Date.now() + 86_400_000) } });
    expect((await t.http.post('/menu_reedems/add_to_carts').set(t.auth(customer)).send({ id_threads: thread.id, id_menu: rx.id, id_orders: cart.id })).status).toBe(200);
    const { setCourier } = await import('./fixtures.js');
    await setCourier(t, cart.id);
    await t.app.db.threadMessage.update({ where: { id: msg.id }, data: { valid_until: new Date(Date.now() - 1000) } });
    const expired = await t.http.put(`/orders/${cart.id}/checkout`).set(t.auth(customer)).send({});
    expect(expired.status, expired.text).toBe(422);
    await t.app.db.threadMessage.update({ where: { id: msg.id }, data: { valid_until: new Date(Date.now() + 86_400_000), deleted_at: new Date() } });
    expect((await t.http.put(`/orders/${cart.id}/checkout`).set(t.auth(customer)).send({})).status).toBe(422);
    await t.app.db.threadMessage.update({ where: { id: msg.id }, data: { deleted_at: null } });
    const ok = await t.http.put(`/orders/${cart.id}/checkout`).set(t.auth(customer)).send({});
    expect(ok.status, ok.text).toBe(200);
  });
});

describe('orders/:id', () => {
  it('answers exactly what the order read through Prisma with its relations gives (lines, extras, promotion, patient, dates)', async () => {
    const birthday = await t.user(['CUSTOMER']);
    await t.app.db.user.update({ where: { id: birthday.id }, data: { users_birthday: new Date('1990-02-28T00:00:00Z'), users_picture: 'me.png' } });
    const patient = await patientOf(t, birthday, { tanggal_lahir: new Date('2001-12-31T00:00:00Z'), lat: -6.9175, lng: 107.6191, golongan_darah: 'AB' });
    const pictured = await menu(t, { harga: 120_000, brief: 'Serum', komposisi: 'Niacinamide' });
    await t.app.db.menuImage.createMany({
      data: [
        { id_menus: pictured.id, menu_image: 'second.png', is_primary: 0, nomor_urut_tampil: 1 },
        { id_menus: pictured.id, menu_image: 'primary.png', is_primary: 1, nomor_urut_tampil: 2 },
      ],
    });
    const plain = await menu(t, { harga: 40_000 });
    const promo = await promotion(t, { type: 'PERSEN', value: 10 });
    const e = (await t.http.post('/orders/init').set(t.auth(birthday)).send({ id_patients: patient.id, order_type: 'E' })).body.orders.id;
    await t.http.post('/orders/e_add_to_carts').set(t.auth(birthday)).send({ id_order: e, items: [{ id_menu: pictured.id, qty: 2 }, { id_menu: plain.id, qty: 1 }] });
    await t.app.db.orderItem.updateMany({ where: { id_order: e, id_menu: plain.id }, data: { is_canceled: 1, catatan_menu: 'out of stock' } });
    await t.app.db.order.update({ where: { id: e }, data: { id_promo_discount_applied: promo.id, checkout_datetime: new Date('2026-11-24T16:59:59Z') } });
    const dr = await doctor(t, 175_000);
    const service = await t.app.db.service.create({ data: { services_name: 'Konsultasi Jerawat' } });
    await t.app.db.doctor.update({ where: { id: dr.id }, data: { id_services: service.id } });
    const c = (await t.http.post('/orders/init').set(t.auth(birthday)).send({ id_patients: patient.id, order_type: 'C' })).body.orders.id;
    await t.http.post('/orders/c_add_to_carts').set(t.auth(birthday)).send({ id_order: c, items: [{ id_doctors: dr.id, qty: 1, extra_notes: 'jerawat' }] });

    const { orderDetailInclude, countCarts } = await import('../../src/modules/commerce/orders.routes.js');
    const { orderDetailJSON } = await import('../../src/modules/commerce/serializers.js');
    // an open cart is shown at its checkout's prices (its promotion, applied above, discounts it), whichever read
    const { priceOpenCarts } = await import('../../src/modules/commerce/prices.js');
    for (const id of [e, c]) {
      for (const who of [birthday, admin]) {
        const res = await t.http.get(`/orders/${id}`).set(t.auth(who));
        expect(res.status).toBe(200);
        const viaPrisma = await t.app.db.order.findFirstOrThrow({ where: { id }, include: orderDetailInclude });
        await priceOpenCarts(t.app, t.app.db, [viaPrisma]);
        const expected = orderDetailJSON(t.app, viaPrisma, await countCarts(t.app.db, viaPrisma.id_member), { id: who.id, username: who.username, roles: who.roles } as never);
        expect(res.body.orders).toEqual(JSON.parse(JSON.stringify(expected)));
      }
    }
    const detail = (await t.http.get(`/orders/${e}`).set(t.auth(birthday))).body.orders;
    expect(detail.order_items.map((i: any) => i.images)).toEqual([expect.stringContaining('primary.png'), '']);
    expect(detail).toMatchObject({ member: { users_birthday: '1990-02-28' }, patients: { tanggal_lahir: '2001-12-31', lat: -6.9175 }, checkout_datetime: '2026-11-24 23:59:59' });
    // the member's lines in open carts (two product lines, one cancelled, and one consultation), whoever reads it
    expect(detail.counts_carts).toBe(3);
    expect((await t.http.get(`/orders/${c}`).set(t.auth(admin))).body.orders.counts_carts).toBe(3);
    expect(detail.promo_discount_applied).toMatchObject({ id: promo.id, type: 'PERSEN', value: 10 });
    expect((await t.http.get(`/orders/${c}`).set(t.auth(birthday))).body.orders.order_extras[0].items.doctors).toMatchObject({ id: dr.id, custom_price: 175_000, services_name: 'Konsultasi Jerawat' });
    expect((await t.http.get(`/orders/${e}`).set(t.auth(other))).status).toBe(404);
    expect((await t.http.get('/orders/999999').set(t.auth(admin))).status).toBe(404);
  });
});

describe('checkout a moment before midnight in Jakarta', () => {
  it('names the order code after the day of checkout_datetime: one reading of the clock for both', async () => {
    const m = await menu(t, { harga: 40_000 });
    const orderId = await eCart(t, customer, [{ id_menu: m.id, qty: 1 }]);
    // the latest midnight in Jakarta (UTC+7), and the last millisecond before it
    const midnight = Math.floor((Date.now() + 7 * 3_600_000) / 86_400_000) * 86_400_000 - 7 * 3_600_000;
    const before = new Date(midnight - 1);
    const day = new Date(midnight - 86_400_000 + 7 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
    // midnight passes just after the checkout reads the clock: any later reading is the next day
    const realNow = t.app.now;
    let passed = false;
    t.app.now = () => {
      if (passed) return new Date(midnight);
      if (new Error().stack!.split('\n')[2]!.includes('orders.service')) passed = true;
      return before;
    };
    try {
      const r = await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({});
      expect(r.status, r.text).toBe(200);
      expect(passed).toBe(true);
      const o = await t.app.db.order.findUniqueOrThrow({ where: { id: orderId } });
      expect({ code: o.order_code, at: o.checkout_datetime }).toEqual({ code: expect.stringMatching(new RegExp(`^E-${day}-\\d{3}$`)), at: before });
      expect(r.body.orders).toMatchObject({ order_code: o.order_code, checkout_datetime: expect.stringMatching(/ 23:59:59$/) });
    } finally {
      t.app.now = realNow;
    }
  });
});
