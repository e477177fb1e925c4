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
