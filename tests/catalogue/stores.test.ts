import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseStock, reserveStock } from '../../src/modules/catalogue/stock.service.js';
import { HttpError } from '../../src/http/errors.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { whileHolding } from '../helpers/interleave.js';

let t: TestApp;
let admin: TestUser;
let customer: TestUser;
let cat: number;
let m1: number;
let m2: number;
let m3: number;
let bandung: number;
let jakarta: number;
let hidden: number;

const store = (extra: Record<string, unknown>) => ({
  nama: 'IORA',
  alamat: 'Testing 1',
  notelp: '08137771312',
  opentime: '09:00',
  closetime: '20:00',
  city: 'KOTA BANDUNG',
  lat: 0,
  lng: 0,
  is_show: 1,
  groupname: 'STS',
  ...extra,
});

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
  cat = (await t.app.db.menuCategory.create({ data: { menu_categories: 'Serum' } })).id;
  const cat2 = (await t.app.db.menuCategory.create({ data: { menu_categories: 'Sunscreen' } })).id;
  m1 = (await t.app.db.menu.create({ data: { nama_menus: 'Serum Niacinamide 10%', harga: 123000, id_menu_categories_1: cat } })).id;
  m2 = (await t.app.db.menu.create({ data: { nama_menus: 'Sunscreen SPF 50', harga: 89000, id_menu_categories_1: cat2 } })).id;
  m3 = (await t.app.db.menu.create({ data: { nama_menus: 'Serum Retinol', harga: 150000, id_menu_categories_1: cat } })).id;
});
afterAll(() => t.close());

describe('brandstore', () => {
  it('creates, reads, updates and deletes with the documented shapes (times as HH:mm:ss)', async () => {
    const res = await t.http.post('/brandstore/create').set(t.auth(admin)).send(store({ nama: 'Colederma Dago', lat: -6.8915, lng: 107.6107 }));
    expect(res.status).toBe(200);
    expect(res.body.brandstore).toMatchObject({ nama: 'Colederma Dago', opentime: '09:00:00', closetime: '20:00:00', city: 'KOTA BANDUNG', lat: -6.8915, lng: 107.6107, is_show: 1, groupname: 'STS' });
    bandung = res.body.brandstore.id;
    const jkt = await t.http.post('/brandstore/create').set(t.auth(admin)).send(store({ nama: 'Colederma Kelapa Gading', city: 'KOTA JAKARTA UTARA', lat: -6.1584, lng: 106.9056 }));
    jakarta = jkt.body.brandstore.id;
    const hid = await t.http.post('/brandstore/create').set(t.auth(admin)).send(store({ nama: 'Gudang', city: 'KOTA CIMAHI', lat: -6.87, lng: 107.54, is_show: 0 }));
    hidden = hid.body.brandstore.id;

    const upd = await t.http.post(`/brandstore/${bandung}/update`).set(t.auth(admin)).send({ alamat: 'Jl. Ir. H. Juanda No. 100' });
    expect(upd.body.brandstore).toMatchObject({ id: bandung, alamat: 'Jl. Ir. H. Juanda No. 100', nama: 'Colederma Dago' });
    expect((await t.http.get(`/brandstore/${bandung}`)).body.brandstore.id).toBe(bandung);

    // hidden stores exist for staff only
    expect((await t.http.get(`/brandstore/${hidden}`)).status).toBe(404);
    expect((await t.http.get(`/brandstore/${hidden}`).set(t.auth(admin))).status).toBe(200);

    expect((await t.http.post('/brandstore/create').set(t.auth(customer)).send(store({}))).status).toBe(403);
    expect((await t.http.post('/brandstore/create').set(t.auth(admin)).send(store({ opentime: '25:00', lat: 200 }))).status).toBe(400);

    const tmp = (await t.http.post('/brandstore/create').set(t.auth(admin)).send(store({ nama: 'Tutup' }))).body.brandstore.id;
    expect((await t.http.delete(`/brandstore/${tmp}/delete`).set(t.auth(admin))).body).toEqual({ deleted: true });
    expect((await t.http.get(`/brandstore/${tmp}`).set(t.auth(admin))).status).toBe(404);
  });

  it('lists distinct visible cities', async () => {
    const res = await t.http.get('/brandstore/city');
    expect(res.body).toEqual([{ city: 'KOTA BANDUNG' }, { city: 'KOTA JAKARTA UTARA' }]);
    const staff = await t.http.get('/brandstore/city').set(t.auth(admin));
    expect(staff.body).toContainEqual({ city: 'KOTA CIMAHI' });
  });

  // the far end of the haversine formula, where rounding can take asin's argument above 1 (an error
  // in PostgreSQL: the SQL caps it, as shipping's distance does)
  it('measures a store on the other side of the earth as half its circumference', async () => {
    const far = await t.http.post('/brandstore/create').set(t.auth(admin)).send(store({ nama: 'Antipode', city: 'ANTIPODE', lat: 50.88233121454124, lng: 96.03625386859835 }));
    expect(far.status).toBe(200);
    const res = await t.http.post('/brandstore/search').send({ latlng: { lat: -50.88233121454124, lng: -83.96374613140165 }, city: 'ANTIPODE' });
    expect(res.status).toBe(200);
    expect(res.body.brandstore).toMatchObject([{ id: far.body.brandstore.id, meter_in_distance: Math.round(Math.PI * 6371000) }]);
    expect((await t.http.delete(`/brandstore/${far.body.brandstore.id}/delete`).set(t.auth(admin))).status).toBe(200);
  });

  it('searches nearest first with meter_in_distance, and groups by city', async () => {
    // a point in Jakarta (Tanjung Priok)
    const near = await t.http.post('/brandstore/search').send({ latlng: { lat: -6.1339, lng: 106.8853 } });
    expect(near.status).toBe(200);
    const ids = near.body.brandstore.map((s: any) => s.id);
    expect(ids[0]).toBe(jakarta);
    expect(ids).not.toContain(hidden);
    const d0 = near.body.brandstore[0].meter_in_distance;
    const d1 = near.body.brandstore[1].meter_in_distance;
    expect(d0).toBeGreaterThan(2000);
    expect(d0).toBeLessThan(5000);
    expect(d1).toBeGreaterThan(d0);

    const fromBandung = await t.http.post('/brandstore/search').send({ latlng: { lat: -6.9175, lng: 107.6191 }, limit: 1 });
    expect(fromBandung.body.brandstore.map((s: any) => s.id)).toEqual([bandung]);

    const grouped = await t.http.post('/brandstore/search').send({ groupby: 'city', latlng: { lat: -6.1339, lng: 106.8853 } });
    expect(Object.keys(grouped.body.brandstore)).toEqual(['KOTA JAKARTA UTARA', 'KOTA BANDUNG']);
    expect(grouped.body.brandstore['KOTA BANDUNG'][0]).toMatchObject({ id: bandung, meter_in_distance: expect.any(Number) });

    const byCity = await t.http.post('/brandstore/search').send({ city: 'kota bandung' });
    expect(byCity.body.brandstore.map((s: any) => s.id)).toEqual([bandung]);
    expect((await t.http.post('/brandstore/search').send({ latlng: { lat: 'x' } })).status).toBe(400);
  });

  it('answers the DataTables table with the documented column order', async () => {
    const res = await t.http.post('/brandstore/table').set(t.auth(admin)).send({ draw: 1, start: 0, length: 10, order: [{ column: 6, dir: 'desc' }] });
    expect(res.body.recordsTotal).toBe(3);
    expect(res.body.data.map((r: unknown[]) => r[6])).toEqual(['KOTA JAKARTA UTARA', 'KOTA CIMAHI', 'KOTA BANDUNG']);
    expect(res.body.data[0]).toHaveLength(11);
    for (const row of res.body.data) {
      const one = (await t.http.get(`/brandstore/${row[0]}`).set(t.auth(admin))).body.brandstore;
      expect([row[4], row[5]]).toEqual([one.opentime, one.closetime]);
    }
    const pub = await t.http.post('/brandstore/table').send({ is_show: 0 });
    expect(pub.body.recordsFiltered).toBe(0);
  });
});

describe('the warehouse store (delivery_settings.id_brandstore_gudang)', () => {
  const warehouse = (id: number | null) =>
    t.app.db.deliverySetting.upsert({ where: { scope: 'default' }, create: { scope: 'default', kode_kurir: ['jne'], id_brandstore_gudang: id }, update: { id_brandstore_gudang: id } });

  it('cannot be deleted (409): every e-commerce checkout takes its stock from it', async () => {
    const gudang = (await t.http.post('/brandstore/create').set(t.auth(admin)).send(store({ nama: 'Gudang Utama', is_show: 0 }))).body.brandstore.id;
    await warehouse(gudang);
    try {
      const res = await t.http.delete(`/brandstore/${gudang}/delete`).set(t.auth(admin));
      expect({ status: res.status, message: res.body.message }).toEqual({ status: 409, message: expect.stringMatching(/warehouse/) });
      expect((await t.http.get(`/brandstore/${gudang}`).set(t.auth(admin))).status).toBe(200);
    } finally {
      await warehouse(null);
    }
    // no longer the warehouse: deleted as any store
    expect((await t.http.delete(`/brandstore/${gudang}/delete`).set(t.auth(admin))).body).toEqual({ deleted: true });
  });

  it('is named by staff through deliveries/settings/update, which GET deliveries/settings then shows', async () => {
    const gudang = (await t.http.post('/brandstore/create').set(t.auth(admin)).send(store({ nama: 'Gudang Online', is_show: 0 }))).body.brandstore.id;
    const update = (body: object, who = admin) => t.http.put('/deliveries/settings/update').set(t.auth(who)).send(body);
    try {
      expect((await t.http.put('/deliveries/settings/update').send({ id_brandstore_gudang: gudang })).status).toBe(401);
      expect((await update({ id_brandstore_gudang: gudang }, customer)).status).toBe(403);
      const unknown = await update({ id_brandstore_gudang: 999_999 });
      expect(unknown.status).toBe(422);
      expect(unknown.body.errors).toEqual([{ field: 'id_brandstore_gudang', message: 'not an existing store' }]);
      expect((await update({ kode_kurir: [] })).status).toBe(400);
      expect((await update({ kode_kurir: ['jne tiki'] })).status).toBe(400);
      expect((await update({ coordinate_gudang: { lat: 91, lng: 0 } })).status).toBe(400);
      expect((await t.app.db.deliverySetting.findUnique({ where: { scope: 'default' } }))?.id_brandstore_gudang ?? null).toBeNull();

      const set = await update({ id_brandstore_gudang: gudang, kode_kurir: ['JNE', 'sicepat', 'jne'], alamat_gudang: 'Jl. Gudang 1, Bandung', coordinate_gudang: { lat: -6.9, lng: 107.6 } });
      expect(set.status, set.text).toBe(200);
      expect(set.body).toMatchObject({ id_brandstore_gudang: gudang, kode_kurir: ['jne', 'sicepat'], alamat_gudang: 'Jl. Gudang 1, Bandung', coordinate_gudang: { lat: -6.9, lng: 107.6 } });
      expect((await t.http.get('/deliveries/settings').set(t.auth(customer))).body).toMatchObject({ id_brandstore_gudang: gudang, kode_kurir: ['jne', 'sicepat'] });
      // the warehouse now: its delete is refused, and a deleted store cannot be named
      expect((await t.http.delete(`/brandstore/${gudang}/delete`).set(t.auth(admin))).status).toBe(409);
      const other = (await t.http.post('/brandstore/create').set(t.auth(admin)).send(store({ nama: 'Toko Tutup' }))).body.brandstore.id;
      expect((await t.http.delete(`/brandstore/${other}/delete`).set(t.auth(admin))).status).toBe(200);
      expect((await update({ id_brandstore_gudang: other })).status).toBe(422);
      // the audit log names the change
      expect(await t.app.db.log.count({ where: { resource: 'deliveries', action: { contains: 'settings' } } })).toBeGreaterThan(0);
      // null (or 0) stops taking stock for orders
      expect((await update({ id_brandstore_gudang: 0 })).body.id_brandstore_gudang).toBeNull();
    } finally {
      await warehouse(null);
    }
  });

  // pg_stat_activity shows the delete waiting for the settings row's key lock on the store (PostgreSQL only)
  it.runIf(process.env.TEST_DATABASE_URL)('cannot be deleted while the settings row naming it is being created', async () => {
    const gudang = (await t.http.post('/brandstore/create').set(t.auth(admin)).send(store({ nama: 'Gudang Baru', is_show: 0 }))).body.brandstore.id;
    await t.app.db.deliverySetting.deleteMany({ where: { scope: 'default' } });
    try {
      const res = await whileHolding(
        t.app.db,
        (tx) => tx.deliverySetting.create({ data: { scope: 'default', kode_kurir: ['jne'], id_brandstore_gudang: gudang } }),
        () => t.http.delete(`/brandstore/${gudang}/delete`).set(t.auth(admin)).then((r) => r),
      );
      expect(res.status, res.text).toBe(409);
      expect((await t.app.db.brandstore.findUniqueOrThrow({ where: { id: gudang } })).deleted_at).toBeNull();
    } finally {
      await warehouse(null);
    }
  });
});

describe('brandstore_menus', () => {
  let sm1: number;
  it('creates a store product with its stock row and prints the documented nesting', async () => {
    const res = await t.http.post('/brandstore_menus/create').set(t.auth(admin)).send({ idmenu: m1, idbrandstore: bandung, quantitytotal: 5 });
    expect(res.status).toBe(200);
    sm1 = res.body.brandstoremenus.id;
    expect(res.body.brandstoremenus).toMatchObject({
      menu: { id: m1, nama: 'Serum Niacinamide 10%', harga: 123000, kategori: 'Serum', stocks: 5, display_harga: 'IDR 123.000' },
      brandstore: { id: bandung, nama: 'Colederma Dago', opentime: '09:00:00' },
      stocks: [{ idbrandstoremenus: sm1, quantitytotal: 5, datetimeupdateat: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) }],
    });
    expect(await t.app.db.stockMovement.count({ where: { stock: { idbrandstoremenus: sm1 }, reason: 'ADJUST' } })).toBe(1);
    const dup = await t.http.post('/brandstore_menus/create').set(t.auth(admin)).send({ idmenu: m1, idbrandstore: bandung });
    expect(dup.status).toBe(409);
    expect((await t.http.post('/brandstore_menus/create').set(t.auth(admin)).send({ idmenu: 999999, idbrandstore: bandung })).status).toBe(400);
    expect((await t.http.post('/brandstore_menus/create').set(t.auth(customer)).send({ idmenu: m2, idbrandstore: bandung })).status).toBe(403);
  });

  it('bulk-creates all or nothing', async () => {
    const before = await t.app.db.brandstoreMenu.count();
    const bad = await t.http.post('/brandstore_menus/create/bulk').set(t.auth(admin)).send([
      { idmenu: m2, idbrandstore: bandung },
      { idmenu: m1, idbrandstore: bandung }, // already there
    ]);
    expect(bad.status).toBe(409);
    expect(await t.app.db.brandstoreMenu.count()).toBe(before);

    const ok = await t.http.post('/brandstore_menus/create/bulk').set(t.auth(admin)).send([
      { idmenu: m2, idbrandstore: bandung, quantitytotal: 3 },
      { idmenu: m3, idbrandstore: bandung },
      { idmenu: m1, idbrandstore: jakarta, quantitytotal: 7 },
    ]);
    expect(ok.status).toBe(200);
    expect(ok.body.brandstoremenus).toHaveLength(3);
    expect(ok.body.brandstoremenus.map((r: any) => [r.idmenu, r.idbrandstore, r.menu.stocks])).toEqual([
      [m2, bandung, 3],
      [m3, bandung, 0],
      [m1, jakarta, 7],
    ]);
    expect((await t.http.post('/brandstore_menus/create/bulk').set(t.auth(admin)).send([])).status).toBe(400);
  });

  it('duplicates a store product into another store', async () => {
    const res = await t.http.post(`/brandstore_menus/${sm1}/duplicates`).set(t.auth(admin)).send({ idbrandstore: hidden });
    expect(res.status).toBe(200);
    expect(res.body.menus).toMatchObject({ idmenu: m1, idbrandstore: hidden, nama: 'Serum Niacinamide 10%', brandstore: { id: hidden }, stocks: 0 });
    const again = await t.http.post(`/brandstore_menus/${sm1}/duplicates`).set(t.auth(admin)).send({ idbrandstore: hidden });
    expect(again.status).toBe(409);
    expect((await t.http.post(`/brandstore_menus/999999/duplicates`).set(t.auth(admin)).send({ idbrandstore: hidden })).status).toBe(404);
  });

  it('explores via POST and GET, searches with limit and groupby', async () => {
    const post = await t.http.post('/brandstore_menus/explore?page=1&length=10').send({ idbrandstore: bandung });
    expect(post.body.totaldata).toBe(3);
    expect(post.body.data[0]).toMatchObject({ idbrandstore: bandung, brandstores: 'Colederma Dago', city: 'KOTA BANDUNG', idstock: expect.any(Number), editable: false });
    const get = await t.http.get(`/brandstore_menus/explore?page=1&length=10&idbrandstore=${bandung}&kategori=Serum`);
    expect(get.status).toBe(200);
    expect(get.body.data.map((r: any) => r.idmenu).sort()).toEqual([m1, m3].sort());

    // the hidden store's row is not public
    const all = await t.http.post('/brandstore_menus/search').send({ idmenu: m1 });
    expect(all.body.brandstoremenus.map((r: any) => r.idbrandstore).sort()).toEqual([bandung, jakarta].sort());
    const staff = await t.http.post('/brandstore_menus/search').set(t.auth(admin)).send({ idmenu: m1 });
    expect(staff.body.brandstoremenus).toHaveLength(3);
    expect(staff.body.brandstoremenus[0].editable).toBe(true);

    const limited = await t.http.post('/brandstore_menus/search').send({ limit: 2 });
    expect(limited.body.brandstoremenus).toHaveLength(2);

    const grouped = await t.http.post('/brandstore_menus/search').send({ groupby: 'menu', idbrandstore: bandung });
    expect(Object.keys(grouped.body.brandstoremenus).sort()).toEqual(['Serum', 'Sunscreen']);
    expect(grouped.body.brandstoremenus.Serum.map((r: any) => r.idmenu).sort()).toEqual([m1, m3].sort());
    expect(grouped.body.brandstoremenus.Sunscreen[0]).toMatchObject({ idmenu: m2, stocks: 3, display_harga: 'IDR 89.000', display_harga_promosi: 'IDR 0', harga_promosi: null });

    const byCity = await t.http.post('/brandstore_menus/search').send({ groupby: 'city' });
    expect(Object.keys(byCity.body.brandstoremenus).sort()).toEqual(['KOTA BANDUNG', 'KOTA JAKARTA UTARA']);
  });

  it('shows the store product alone with its stock rows, and a running promotion price', async () => {
    await t.app.db.menu.update({ where: { id: m2 }, data: { harga_promosi: 79000, mulai_harga_promosi: new Date(Date.now() - 3600_000), selesai_harga_promosi: new Date(Date.now() + 3600_000) } });
    // changed behind the API's back: the read cache hears of it a moment after the commit
    await t.app.reads.settle();
    const row = await t.app.db.brandstoreMenu.findFirstOrThrow({ where: { idmenu: m2, idbrandstore: bandung } });
    const res = await t.http.get(`/brandstore_menus/${row.id}`);
    expect(res.body.brandstoremenus).toMatchObject({ id: row.id, menu: { harga: 89000, harga_promosi: 79000, harga_aktif: 79000 }, stocks: [{ quantitytotal: 3 }] });
    const list = await t.http.post('/brandstore_menus/search').send({ idmenu: m2 });
    expect(list.body.brandstoremenus[0]).toMatchObject({ harga_promosi: 79000, display_harga_promosi: 'IDR 79.000', harga_aktif: 79000 });
  });

  it('orders the DataTables table by stock', async () => {
    const res = await t.http.post('/brandstore_menus/table').set(t.auth(admin)).send({ draw: 2, idbrandstore: bandung, order: [{ column: 13, dir: 'desc' }] });
    expect(res.body.data.map((r: unknown[]) => r[13])).toEqual([5, 3, 0]);
    expect(res.body.data[0]).toHaveLength(16);
  });

  it('sets and changes stock, never below zero, recording movements', async () => {
    const set = await t.http.put(`/brandstore_menus/${sm1}/stocks`).set(t.auth(admin)).send({ quantitytotal: 10 });
    expect(set.status).toBe(200);
    expect(set.body.brandstoremenus.stocks[0].quantitytotal).toBe(10);
    const minus = await t.http.post(`/brandstore_menus/${sm1}/stocks`).set(t.auth(admin)).send({ delta: -4 });
    expect(minus.body.brandstoremenus.stocks[0].quantitytotal).toBe(6);
    const tooMuch = await t.http.post(`/brandstore_menus/${sm1}/stocks`).set(t.auth(admin)).send({ delta: -7 });
    expect(tooMuch.status).toBe(409);
    expect((await t.http.post(`/brandstore_menus/${sm1}/stocks`).set(t.auth(admin)).send({ quantitytotal: -1 })).status).toBe(400);
    expect((await t.http.post(`/brandstore_menus/${sm1}/stocks`).set(t.auth(admin)).send({})).status).toBe(400);
    expect((await t.http.post(`/brandstore_menus/${sm1}/stocks`).set(t.auth(admin)).send({ quantitytotal: 1, delta: 1 })).status).toBe(400);
    expect((await t.http.post(`/brandstore_menus/999999/stocks`).set(t.auth(admin)).send({ delta: 1 })).status).toBe(404);
    expect((await t.http.post(`/brandstore_menus/${sm1}/stocks`).set(t.auth(customer)).send({ delta: 1 })).status).toBe(403);

    // concurrent decrements of 1 from 6: exactly 6 succeed
    const results = await Promise.all(Array.from({ length: 10 }, () => t.http.post(`/brandstore_menus/${sm1}/stocks`).set(t.auth(admin)).send({ delta: -1 })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(6);
    expect(results.filter((r) => r.status === 409)).toHaveLength(4);
    const stock = await t.app.db.stock.findUniqueOrThrow({ where: { idbrandstoremenus: sm1 } });
    expect(stock.quantitytotal).toBe(0);
    const moves = await t.app.db.stockMovement.findMany({ where: { idstock: stock.id }, orderBy: { id: 'asc' } });
    expect(moves.reduce((sum, m) => sum + m.delta, 0)).toBe(0);
    expect(moves.at(-1)).toMatchObject({ quantity_after: 0, reason: 'ADJUST', id_users: admin.id });
  });

  it('deletes a store product (hard delete with its stock)', async () => {
    const row = await t.app.db.brandstoreMenu.findFirstOrThrow({ where: { idmenu: m3, idbrandstore: bandung } });
    expect((await t.http.delete(`/brandstore_menus/${row.id}/delete`).set(t.auth(customer))).status).toBe(403);
    expect((await t.http.delete(`/brandstore_menus/${row.id}/delete`).set(t.auth(admin))).body).toEqual({ deleted: true });
    expect((await t.http.get(`/brandstore_menus/${row.id}`)).status).toBe(404);
    expect(await t.app.db.stock.count({ where: { idbrandstoremenus: row.id } })).toBe(0);
  });

  // pg_stat_activity shows the delete waiting for the checkout's row lock (PostgreSQL only)
  it.runIf(process.env.TEST_DATABASE_URL)('refuses (409) to delete a store product whose stock a checkout reserves meanwhile', async () => {
    const menu = (await t.http.post('/menus/create').set(t.auth(admin)).send({ nama_menus: 'Toner race', harga: 10000 })).body.menus.id;
    const store = (await t.http.post('/brandstore/create').set(t.auth(admin)).send({ nama: 'Gudang race', is_show: 1 })).body.brandstore.id;
    const sm = (await t.http.post('/brandstore_menus/create').set(t.auth(admin)).send({ idmenu: menu, idbrandstore: store, quantitytotal: 10 })).body.brandstoremenus.id;
    const patient = await t.app.db.patient.create({ data: { nama_lengkap_pasien: 'P', id_users: customer.id } });
    const order = await t.app.db.order.create({
      data: { order_type: 'E', id_member: customer.id, id_patients: patient.id, items: { create: { id_menu: menu, qty: 2, price: 10000, price_total: 20000 } } },
      include: { items: true },
    });
    // the checkout's transaction (commerce/reservations.ts): reserve, point the line at the stock row, commit later
    const res = await whileHolding(
      t.app.db,
      async (tx) => {
        const [taken] = await reserveStock(tx, [{ idbrandstore: store, idmenu: menu, qty: 2 }], { id_orders: order.id });
        await tx.orderItem.update({ where: { id: order.items[0]!.id }, data: { idstock: taken!.idstock } });
      },
      () => t.http.delete(`/brandstore_menus/${sm}/delete`).set(t.auth(admin)).then((r) => r),
    );
    expect({ status: res.status, message: res.body.message }).toEqual({ status: 409, message: expect.stringMatching(/referenced by orders/) });
    const line = await t.app.db.orderItem.findUniqueOrThrow({ where: { id: order.items[0]!.id } });
    const stock = await t.app.db.stock.findUniqueOrThrow({ where: { idbrandstoremenus: sm } });
    expect({ idstock: line.idstock, quantitytotal: stock.quantitytotal }).toEqual({ idstock: stock.id, quantitytotal: 8 });
    expect(await t.app.db.stockMovement.count({ where: { id_orders: order.id, idstock: stock.id } })).toBe(1);
  });
});

describe('brandstore_menus with a deleted category', () => {
  it('treats the deleted category as absent: no kategori name, no match by the kategori filter', async () => {
    const gone = (await t.app.db.menuCategory.create({ data: { menu_categories: 'Kategori Hapus' } })).id;
    const kept = (await t.app.db.menuCategory.create({ data: { menu_categories: 'Kategori Tetap' } })).id;
    const menu = (await t.app.db.menu.create({ data: { nama_menus: 'Toner Kategori', harga: 10000, id_menu_categories_1: gone, id_menu_categories_2: kept } })).id;
    const shop = (await t.http.post('/brandstore/create').set(t.auth(admin)).send(store({ nama: 'Toko Kategori', city: 'KOTA BOGOR' }))).body.brandstore.id;
    const sm = (await t.http.post('/brandstore_menus/create').set(t.auth(admin)).send({ idmenu: menu, idbrandstore: shop })).body.brandstoremenus.id;
    const ids = (rows: any[]) => rows.map((r) => r.id);
    // every read of a store product, public (read cache) and staff
    const reads = async () => ({
      explore: (await t.http.post('/brandstore_menus/explore?page=1&length=10').send({ idbrandstore: shop })).body.data.map((r: any) => r.kategori),
      search: (await t.http.post('/brandstore_menus/search').send({ idbrandstore: shop })).body.brandstoremenus.map((r: any) => r.kategori),
      grouped: Object.keys((await t.http.post('/brandstore_menus/search').send({ idbrandstore: shop, groupby: 'kategori' })).body.brandstoremenus),
      detail: (await t.http.get(`/brandstore_menus/${sm}`)).body.brandstoremenus.menu.kategori,
      table: (await t.http.post('/brandstore_menus/table').set(t.auth(admin)).send({ idbrandstore: shop })).body.data.map((r: unknown[]) => r[9]),
      byName: ids((await t.http.post('/brandstore_menus/search').send({ kategori: 'kategori hapus' })).body.brandstoremenus),
      byNameExplore: ids((await t.http.get('/brandstore_menus/explore?page=1&length=10&kategori=Kategori%20Hapus')).body.data),
      byNameTable: (await t.http.post('/brandstore_menus/table').set(t.auth(admin)).send({ kategori: 'Kategori Hapus' })).body.recordsFiltered,
      byKept: ids((await t.http.post('/brandstore_menus/search').send({ kategori: 'Kategori Tetap' })).body.brandstoremenus),
    });
    expect(await reads()).toEqual({
      explore: ['Kategori Hapus'],
      search: ['Kategori Hapus'],
      grouped: ['Kategori Hapus'],
      detail: 'Kategori Hapus',
      table: ['Kategori Hapus'],
      byName: [sm],
      byNameExplore: [sm],
      byNameTable: 1,
      byKept: [sm],
    });
    expect((await t.http.delete(`/menu_categories/${gone}/delete`).set(t.auth(admin))).body).toEqual({ deleted: true });
    // the answers kept above are retired by the category's delete
    expect(await reads()).toEqual({ explore: [''], search: [''], grouped: ['-'], detail: '', table: [''], byName: [], byNameExplore: [], byNameTable: 0, byKept: [sm] });
  });
});

describe('brandstore_menus/:id/stocks racing a delete of the store product', () => {
  // pg_stat_activity shows the stock change waiting for the delete's row lock (PostgreSQL only)
  it.runIf(process.env.TEST_DATABASE_URL)('answers 404, not 500, when the store product is deleted while its stock change waits', async () => {
    const menu = (await t.http.post('/menus/create').set(t.auth(admin)).send({ nama_menus: 'Toner gone', harga: 10000 })).body.menus.id;
    const store = (await t.http.post('/brandstore/create').set(t.auth(admin)).send({ nama: 'Toko gone', is_show: 1 })).body.brandstore.id;
    const sm = (await t.http.post('/brandstore_menus/create').set(t.auth(admin)).send({ idmenu: menu, idbrandstore: store, quantitytotal: 4 })).body.brandstoremenus.id;
    // the delete's transaction (stores.routes.ts): lock the stock row, delete the store product, commit later
    const res = await whileHolding(
      t.app.db,
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM stocks WHERE idbrandstoremenus = ${sm} FOR UPDATE`;
        await tx.brandstoreMenu.delete({ where: { id: sm } });
      },
      () => t.http.put(`/brandstore_menus/${sm}/stocks`).set(t.auth(admin)).send({ delta: 1 }).then((r) => r),
    );
    expect(res.status, res.text).toBe(404);
  });
});

describe('reserveStock / releaseStock', () => {
  it('takes the last units exactly once under N parallel reservations', async () => {
    const sm = await t.app.db.brandstoreMenu.findFirstOrThrow({ where: { idmenu: m1, idbrandstore: jakarta }, include: { stock: true } });
    await t.app.db.stock.update({ where: { id: sm.stock!.id }, data: { quantitytotal: 3 } });
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, () => t.app.db.$transaction((tx) => reserveStock(tx, [{ idbrandstore: jakarta, idmenu: m1, qty: 1 }]))),
    );
    const ok = attempts.filter((a) => a.status === 'fulfilled');
    const failed = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(ok).toHaveLength(3);
    expect(failed).toHaveLength(5);
    for (const f of failed) {
      expect(f.reason).toBeInstanceOf(HttpError);
      expect(f.reason.status).toBe(409);
      expect(f.reason.message).toContain('Serum Niacinamide 10%');
    }
    expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: sm.stock!.id } })).quantitytotal).toBe(0);
    expect(await t.app.db.stockMovement.count({ where: { idstock: sm.stock!.id, reason: 'CHECKOUT' } })).toBe(3);
  });

  it('is all or nothing across lines and gives stock back on release', async () => {
    const a = await t.app.db.brandstoreMenu.findFirstOrThrow({ where: { idmenu: m2, idbrandstore: bandung }, include: { stock: true } });
    const b = await t.app.db.brandstoreMenu.findFirstOrThrow({ where: { idmenu: m1, idbrandstore: jakarta }, include: { stock: true } });
    await t.app.db.stock.update({ where: { id: a.stock!.id }, data: { quantitytotal: 5 } });
    await t.app.db.stock.update({ where: { id: b.stock!.id }, data: { quantitytotal: 1 } });

    await expect(
      t.app.db.$transaction((tx) => reserveStock(tx, [{ idbrandstoremenus: a.id, qty: 2 }, { idstock: b.stock!.id, qty: 2 }])),
    ).rejects.toMatchObject({ status: 409 });
    expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: a.stock!.id } })).quantitytotal).toBe(5);

    const taken = await t.app.db.$transaction((tx) =>
      reserveStock(tx, [{ idbrandstoremenus: a.id, qty: 2 }, { idstock: b.stock!.id, qty: 1 }, { idbrandstore: bandung, idmenu: m2, qty: 1 }], { id_users: customer.id }),
    );
    expect(taken).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ idstock: a.stock!.id, qty: 3, quantity_after: 2 }),
        expect.objectContaining({ idstock: b.stock!.id, qty: 1, quantity_after: 0 }),
      ]),
    );
    const back = await t.app.db.$transaction((tx) => releaseStock(tx, taken.map((x) => ({ idstock: x.idstock, qty: x.qty }))));
    expect(back.map((x) => x.quantity_after).sort()).toEqual([1, 5]);
    expect(await t.app.db.stockMovement.count({ where: { reason: 'RELEASE' } })).toBe(2);

    await expect(t.app.db.$transaction((tx) => reserveStock(tx, [{ idbrandstore: hidden, idmenu: m2, qty: 1 }]))).rejects.toMatchObject({ status: 409 });
  });

  it('refuses to reserve a product deleted since, but still gives its stock back', async () => {
    const a = await t.app.db.brandstoreMenu.findFirstOrThrow({ where: { idmenu: m2, idbrandstore: bandung }, include: { stock: true } });
    await t.app.db.menu.update({ where: { id: m2 }, data: { deleted_at: new Date() } });
    try {
      await expect(t.app.db.$transaction((tx) => reserveStock(tx, [{ idbrandstoremenus: a.id, qty: 1 }]))).rejects.toMatchObject({
        status: 409,
        message: 'Sunscreen SPF 50 is no longer available',
      });
      const [back] = await t.app.db.$transaction((tx) => releaseStock(tx, [{ idstock: a.stock!.id, qty: 1 }]));
      expect(back!.quantity_after).toBe(a.stock!.quantitytotal + 1);
    } finally {
      await t.app.db.menu.update({ where: { id: m2 }, data: { deleted_at: null } });
    }
  });
});
