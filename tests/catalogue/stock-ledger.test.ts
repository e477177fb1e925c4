import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireUnpaidCheckouts } from '../../src/modules/commerce/payments.service.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { eCart, menu, setCourier } from '../commerce/fixtures.js';

let t: TestApp;
let admin: TestUser;
let gudang: number;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  // a warehouse is a back-office store: hidden from customers, still the e-commerce stock source
  gudang = (await t.app.db.brandstore.create({ data: { nama: 'Gudang', is_show: 0 } })).id;
  await t.app.db.deliverySetting.upsert({
    where: { scope: 'default' },
    create: { scope: 'default', kode_kurir: ['jne'], id_brandstore_gudang: gudang },
    update: { id_brandstore_gudang: gudang },
  });
});
afterAll(() => t.close());

const put = (path: string, u: TestUser, body: object = {}) => t.http.put(path).set(t.auth(u)).send(body);

/** The stock level and the sum of its movements, each movement's quantity_after checked on the way. */
async function ledger(stockId: number) {
  const { quantitytotal } = await t.app.db.stock.findUniqueOrThrow({ where: { id: stockId } });
  const moves = await t.app.db.stockMovement.findMany({ where: { idstock: stockId }, orderBy: { id: 'asc' } });
  let sum = 0;
  for (const m of moves) {
    sum += m.delta;
    expect(m.quantity_after).toBe(sum);
  }
  return { level: quantitytotal, sum };
}

describe('the stock ledger (stock_movements)', () => {
  it('sums to the level shown through opening stock, staff changes and every order step that moves stock', async () => {
    const m = await menu(t, { harga: 10_000 });
    const created = await t.http.post('/brandstore_menus/create').set(t.auth(admin)).send({ idmenu: m.id, idbrandstore: gudang, quantitytotal: 10 });
    expect(created.status, created.text).toBe(200);
    const sm = created.body.brandstoremenus.id as number;
    const stock = await t.app.db.stock.findUniqueOrThrow({ where: { idbrandstoremenus: sm } });
    expect(await ledger(stock.id)).toEqual({ level: 10, sum: 10 });

    await put(`/brandstore_menus/${sm}/stocks`, admin, { delta: 5 }).expect(200);
    await put(`/brandstore_menus/${sm}/stocks`, admin, { quantitytotal: 8 }).expect(200);
    expect(await ledger(stock.id)).toEqual({ level: 8, sum: 8 });

    const u = await t.user(['CUSTOMER']);
    const paid = await eCart(t, u, [{ id_menu: m.id, qty: 3 }], 10_000);
    await put(`/orders/${paid}/checkout`, u).expect(200);
    expect(await ledger(stock.id)).toEqual({ level: 5, sum: 5 });
    await put(`/orders/${paid}/uncheckout`, u).expect(200);
    expect(await ledger(stock.id)).toEqual({ level: 8, sum: 8 });
    await setCourier(t, paid, 10_000);
    await put(`/orders/${paid}/checkout`, u).expect(200);
    // paid, unpaid, paid again: the stock stays taken, once
    await put(`/orders/${paid}/paid`, admin, { pay_channel: 'CASH' }).expect(200);
    await put(`/orders/${paid}/unpaid`, admin).expect(200);
    await put(`/orders/${paid}/paid`, admin, { pay_channel: 'CASH' }).expect(200);
    expect(await ledger(stock.id)).toEqual({ level: 5, sum: 5 });
    // a staff change while an order holds stock, then the paid order cancelled: given back once
    await put(`/brandstore_menus/${sm}/stocks`, admin, { delta: -1 }).expect(200);
    await put(`/orders/${paid}/cancel`, admin).expect(200);
    await put(`/orders/${paid}/cancel`, admin).expect(409);
    expect(await ledger(stock.id)).toEqual({ level: 7, sum: 7 });

    // an unpaid checkout cancelled, restored to the cart, checked out again, then expired
    const other = await eCart(t, u, [{ id_menu: m.id, qty: 2 }], 10_000);
    await put(`/orders/${other}/checkout`, u).expect(200);
    await put(`/orders/${other}/cancel`, admin).expect(200);
    await put(`/orders/${other}/uncancel`, admin).expect(200);
    expect(await ledger(stock.id)).toEqual({ level: 7, sum: 7 });
    await setCourier(t, other, 10_000);
    await put(`/orders/${other}/checkout`, u).expect(200);
    expect(await ledger(stock.id)).toEqual({ level: 5, sum: 5 });
    t.app.now = () => new Date(Date.now() + 7 * 86_400_000);
    try {
      expect(await expireUnpaidCheckouts(t.app)).toBe(1);
    } finally {
      t.app.now = () => new Date();
    }
    expect(await ledger(stock.id)).toEqual({ level: 7, sum: 7 });

    // more than the stock: refused whole, nothing moves
    const tooMany = await eCart(t, u, [{ id_menu: m.id, qty: 8 }], 10_000);
    expect((await put(`/orders/${tooMany}/checkout`, u)).status).toBe(409);
    expect(await ledger(stock.id)).toEqual({ level: 7, sum: 7 });
  });

  it('records opening stock of bulk-created store products; a duplicate starts at 0 with no movement', async () => {
    const [a, b] = [await menu(t), await menu(t)];
    const bulk = await t.http
      .post('/brandstore_menus/create/bulk')
      .set(t.auth(admin))
      .send([{ idmenu: a.id, idbrandstore: gudang, quantitytotal: 4 }, { idmenu: b.id, idbrandstore: gudang }]);
    expect(bulk.status, bulk.text).toBe(200);
    const store = (await t.app.db.brandstore.create({ data: { nama: 'Toko' } })).id;
    const dup = await t.http.post(`/brandstore_menus/${bulk.body.brandstoremenus[0].id}/duplicates`).set(t.auth(admin)).send({ idbrandstore: store });
    expect(dup.status, dup.text).toBe(200);
    const rows = await t.app.db.stock.findMany({ where: { brandstoreMenu: { idmenu: { in: [a.id, b.id] } } }, orderBy: { id: 'asc' } });
    expect(await Promise.all(rows.map((r) => ledger(r.id)))).toEqual([
      { level: 4, sum: 4 },
      { level: 0, sum: 0 },
      { level: 0, sum: 0 },
    ]);
  });
});
