import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';

let t: TestApp;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  owner = await t.user(['OWNER', 'ADMIN']);
});
afterAll(() => t.close());

describe('input the database cannot store', () => {
  it('refuses NUL characters in bodies, nested values, filters and paths with a 400 naming the field', async () => {
    const reg = await t.http.post('/users/create').send({ username: 'abcde', users_fullname: 'a\u0000b', password: 'qwerty123', retype_password: 'qwerty123' });
    expect(reg.status).toBe(400);
    expect(reg.body.errors).toEqual([{ field: 'body.users_fullname', message: 'must not contain NUL characters' }]);
    const nested = await t.http.post('/logs/create').set(t.auth(owner)).send({ action: 'x', details: { a: 'b\u0000' } });
    expect(nested.status).toBe(400);
    expect(nested.body.errors[0].field).toBe('body.details.a');
    expect((await t.http.post('/users/explore').set(t.auth(owner)).send({ users_fullname: 'x\u0000' })).status).toBe(400);
    expect((await t.http.post('/users/a%00b@example.com/recovery/password/email')).status).toBe(400);
    expect(await t.app.db.user.count({ where: { username: 'abcde' } })).toBe(0);
  });

  it('sends security headers and answers CORS only to configured origins', async () => {
    const res = await t.http.get('/health').set('Origin', 'https://evil.example');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const ok = await t.http.get('/health').set('Origin', t.app.config.CORS_ORIGINS[0]!);
    expect(ok.headers['access-control-allow-origin']).toBe(t.app.config.CORS_ORIGINS[0]);
  });
});

describe('searches take % and _ literally', () => {
  it('in filters (contains and case-insensitive equals), DataTables global search, plain-SQL lists and the dashboard', async () => {
    const db = t.app.db;
    const plain = await t.user(['CUSTOMER'], { users_fullname: 'Sari Dewi Literal' });
    const underscored = await t.user(['CUSTOMER'], { users_fullname: 'Sari_Dewi Literal' });
    const names = async (body: object) =>
      ((await t.http.post('/users/search').set(t.auth(owner)).send(body)).body.users as { id: number }[]).map((u) => u.id).sort();
    expect(await names({ users_fullname: 'Sari_Dewi' })).toEqual([underscored.id]);
    expect(await names({ users_fullname: 'Sari Dewi Lit' })).toEqual([plain.id]);
    expect(await names({ users_fullname: '%' })).toEqual([]);
    const table = await t.http.post('/users/table').set(t.auth(owner)).send({ draw: 1, start: 0, length: 10, 'search[value]': 'ri_De' });
    expect(table.body).toMatchObject({ recordsFiltered: 1 });
    expect(table.body.data[0][0]).toBe(underscored.id);
    // brandstore's city is a case-insensitive equals, which Prisma sends as ILIKE
    await db.brandstore.create({ data: { nama: '100% Store', city: 'KOTA BANDUNG', lat: -6.9, lng: 107.6, is_show: 1 } });
    const stores = async (body: object) => (await t.http.post('/brandstore/explore').send(body)).body.data.map((s: { nama: string }) => s.nama);
    expect(await stores({ city: 'kota bandung' })).toEqual(['100% Store']);
    expect(await stores({ city: '%' })).toEqual([]);
    expect(await stores({ city: 'KOTA_BANDUNG' })).toEqual([]);
    expect(await stores({ nama: '0%' })).toEqual(['100% Store']);
    expect(await stores({ nama: '_' })).toEqual([]);
    // the product list is plain SQL (menus.service.ts): the same rule
    await db.menu.create({ data: { nama_menus: 'Serum 10% Niacinamide', harga: 1000 } });
    await db.menu.create({ data: { nama_menus: 'Serum 100 ml', harga: 1000 } });
    const menus = async (nama_menus: string) => (await t.http.post('/menus/explore').send({ nama_menus })).body.data.map((m: { nama_menus: string }) => m.nama_menus);
    expect(await menus('10%')).toEqual(['Serum 10% Niacinamide']);
    expect(await menus('_')).toEqual([]);
  });
});

describe('an empty number field is not 0', () => {
  const menu = { nama_menus: 'Krim Harga', harga: 23000, pajak: 1000, berat: '380' };

  it('a required or NOT NULL number sent as "" or null is a 400 naming the field, on create and update; nothing is written', async () => {
    for (const empty of ['', null]) {
      const created = await t.http.post('/menus/create').set(t.auth(owner)).send({ ...menu, harga: empty });
      expect(created.status).toBe(400);
      expect(created.body.errors).toEqual([{ field: 'harga', message: 'expected a number, not empty' }]);
    }
    expect(await t.app.db.menu.count({ where: { nama_menus: 'Krim Harga' } })).toBe(0);

    const ok = await t.http.post('/menus/create').set(t.auth(owner)).send({ ...menu, harga: '15000' });
    expect(ok.status).toBe(200);
    const id = ok.body.menus.id;
    for (const method of ['put', 'post'] as const) {
      for (const [field, empty] of [['harga', null], ['harga', ''], ['pajak', ''], ['berat', null], ['is_featured', '']] as const) {
        const res = await t.http[method](`/menus/${id}/update`).set(t.auth(owner)).send({ [field]: empty });
        expect(res.status, `${method} ${field}: ${JSON.stringify(empty)}`).toBe(400);
        expect(res.body.errors).toEqual([{ field, message: 'expected a number, not empty' }]);
      }
    }
    expect(await t.app.db.menu.findUniqueOrThrow({ where: { id } })).toMatchObject({ harga: 15000, pajak: 1000, berat: 380 });

    // the forms the app sends still work
    const upd = await t.http.put(`/menus/${id}/update`).set(t.auth(owner)).send({ harga: '16000', pajak: 0, berat: 400 });
    expect(upd.status).toBe(200);
    expect(upd.body.menus).toMatchObject({ harga: 16000, pajak: 0, berat: 400 });
  });

  it('stock, coordinates and quantities sent empty are refused too, not set to 0', async () => {
    const store = await t.http.post('/brandstore/create').set(t.auth(owner)).send({ nama: 'Toko Kosong', city: 'KOTA BANDUNG', lat: -6.9, lng: 107.6 });
    expect(store.status).toBe(200);
    const storeId = store.body.brandstore.id;
    const m = await t.http.post('/menus/create').set(t.auth(owner)).send({ ...menu, nama_menus: 'Krim Stok' });
    const sm = await t.http.post('/brandstore_menus/create').set(t.auth(owner)).send({ idmenu: m.body.menus.id, idbrandstore: storeId, quantitytotal: 7 });
    expect(sm.status).toBe(200);
    const smId = sm.body.brandstoremenus.id;

    const stock = await t.http.put(`/brandstore_menus/${smId}/stocks`).set(t.auth(owner)).send({ quantitytotal: '' });
    expect(stock.status).toBe(400);
    expect(stock.body.errors[0].field).toBe('quantitytotal');
    expect((await t.app.db.stock.findFirstOrThrow({ where: { idbrandstoremenus: smId } })).quantitytotal).toBe(7);

    const moved = await t.http.put(`/brandstore/${storeId}/update`).set(t.auth(owner)).send({ lat: '', lng: null });
    expect(moved.status).toBe(400);
    expect(moved.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['lat', 'lng']);
    expect(await t.app.db.brandstore.findUniqueOrThrow({ where: { id: storeId } })).toMatchObject({ lat: -6.9, lng: 107.6 });
  });

  it('a nullable reference sent as "" or null is "none" (NULL), and empty filters stay no filter, also in the store searches', async () => {
    const cat = await t.http.post('/menu_categories/create').set(t.auth(owner)).send({ menu_categories: 'Kosong', codes: 'KS' });
    const m = await t.http.post('/menus/create').set(t.auth(owner)).send({ ...menu, nama_menus: 'Krim Kategori', id_menu_categories_1: cat.body.menu_categories.id, id_menu_categories_2: cat.body.menu_categories.id });
    const id = m.body.menus.id;
    const upd = await t.http.put(`/menus/${id}/update`).set(t.auth(owner)).send({ id_menu_categories_1: '', id_menu_categories_2: null });
    expect(upd.status).toBe(200);
    expect(await t.app.db.menu.findUniqueOrThrow({ where: { id } })).toMatchObject({ id_menu_categories_1: null, id_menu_categories_2: null });

    for (const [nama, is_show] of [['Toko Tersembunyi', 0], ['Toko Terlihat', 1]] as const) {
      expect((await t.http.post('/brandstore/create').set(t.auth(owner)).send({ nama, city: 'KOTA CIMAHI', is_show })).status).toBe(200);
    }
    const names = (res: { body: { brandstore: { nama: string }[] } }) => res.body.brandstore.map((s) => s.nama).sort();
    const all = await t.http.post('/brandstore/search').set(t.auth(owner)).send({ city: 'KOTA CIMAHI', is_show: '' });
    expect(all.status).toBe(200);
    expect(names(all)).toEqual(['Toko Terlihat', 'Toko Tersembunyi']);
    const explore = await t.http.post('/menus/explore').set(t.auth(owner)).send({ is_featured: '', id_menu_categories_1: null, nama_menus: 'Krim Kategori' });
    expect(explore.status).toBe(200);
    expect(explore.body.data.map((r: { id: number }) => r.id)).toEqual([id]);
    const storeMenus = await t.http.post('/brandstore_menus/search').send({ is_resep_required: '', idmenu: '' });
    expect(storeMenus.status).toBe(200);
  });
});

describe('dates before the year 1000', () => {
  it('are answered as yyyy-mm-dd, which the API takes back', async () => {
    const created = await t.http.post('/holidays/create').set(t.auth(owner)).send({ dates: '31/12/0999', descriptions: 'typo' });
    expect(created.status).toBe(200);
    // was "999-12-31": not the documented yyyy-mm-dd, and refused when sent back
    expect(created.body.holidays.dates).toBe('0999-12-31');
    const again = await t.http.put(`/holidays/${created.body.holidays.id}/update`).set(t.auth(owner)).send({ dates: created.body.holidays.dates });
    expect(again.status).toBe(200);
  });
});

describe('numbers are read as decimal text only', () => {
  it('a path id written in hex, as an exponent or with spaces is a 400, not another row', async () => {
    const menu = await t.app.db.menu.create({ data: { nama_menus: 'Krim Enam Belas', harga: 1000 } });
    const hex = `0x${menu.id.toString(16)}`;
    for (const path of [hex, `${menu.id}e0`, `%20${menu.id}`, `${menu.id}.0`, '+1']) {
      const res = await t.http.get(`/menus/${path}`);
      expect(res.status, path).toBe(400);
      expect(res.body).toMatchObject({ status: 400, message: 'Invalid path parameter' });
      expect(res.body.errors[0].field).toBe('params.id');
    }
    expect((await t.http.get(`/menus/${menu.id}`)).body.menus.nama_menus).toBe('Krim Enam Belas');
    // leading zeros are still the same decimal number
    expect((await t.http.get(`/menus/0${menu.id}`)).status).toBe(200);
    expect((await t.http.get('/menus/0')).status).toBe(400);
  });

  it('a number field sent as hex or exponent text is a 400 naming it; decimal text is read as before', async () => {
    const base = { nama_menus: 'Krim Heks', pajak: 0, berat: 10 };
    for (const harga of ['0x3A98', '1.5e4', 'Infinity', '15 000']) {
      const res = await t.http.post('/menus/create').set(t.auth(owner)).send({ ...base, harga });
      expect(res.status, harga).toBe(400);
      expect(res.body.errors[0].field).toBe('harga');
    }
    expect(await t.app.db.menu.count({ where: { nama_menus: 'Krim Heks' } })).toBe(0);
    const ok = await t.http.post('/menus/create').set(t.auth(owner)).send({ ...base, harga: ' 15000 ' });
    expect(ok.status).toBe(200);
    expect(ok.body.menus.harga).toBe(15000);
  });

  it('paging, table windows, limits and coordinates sent as hex or exponent text are a 400; decimal text is read as before', async () => {
    const list = (q: string) => t.http.post(`/menus/explore?${q}`).set(t.auth(owner)).send({});
    for (const q of ['page=1e1', 'length=0x10', 'page=%201e0']) {
      const res = await list(q);
      expect(res.status, q).toBe(400);
      expect(res.body.errors[0].field).toMatch(/^query\.(page|length)$/);
    }
    expect((await list('page=2&length=5')).body).toMatchObject({ page: 2, length: 5 });

    const table = (body: object) => t.http.post('/menus/table').set(t.auth(owner)).send(body);
    for (const body of [{ start: '1e1' }, { length: '0x10' }, { draw: '2e0' }, { 'order[0][column]': '1e0' }]) {
      expect((await table(body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await table({ draw: '3', start: '0', length: '5' })).body).toMatchObject({ draw: 3 });

    const near = (latlng: object) => t.http.post('/brandstore/search').set(t.auth(owner)).send({ latlng });
    expect((await near({ lat: '-6.9e0', lng: '107.6' })).status).toBe(400);
    expect((await near({ lat: '', lng: '107.6' })).status).toBe(400); // was read as the equator
    expect((await near({ lat: '-6.9', lng: '107.6' })).status).toBe(200);
  });
});
