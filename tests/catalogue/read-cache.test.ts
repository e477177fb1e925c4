// The read cache through the API (src/db/read-cache.ts, src/db/table-changes.ts): the product
// lists, the product page and a store's shelf answer from memory until a table they read changes,
// however it changes, and a change through the API shows in the very next answer.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { LISTENER_APPLICATION_NAME } from '../../src/db/table-changes.js';
import { resourceRoutes } from '../../src/http/resource.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';

let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
});
afterAll(() => t.close());
afterEach(() => {
  t.app.now = () => new Date();
});

/** A change the cache is not told about (triggers off for the transaction): shows whether an answer came from memory. */
async function changeUnheard(sql: string) {
  await t.app.db.$transaction([t.app.db.$executeRawUnsafe('SET LOCAL session_replication_role = replica'), t.app.db.$executeRawUnsafe(sql)]);
}

async function product(nama_menus: string, extra: Record<string, unknown> = {}) {
  const res = await t.http
    .post('/menus/create')
    .set(t.auth(admin))
    .send({ nama_menus, brief: 'b', harga: 50_000, pajak: 0, is_resep_required: 0, is_featured: 0, ...extra });
  expect(res.status).toBe(200);
  return res.body.menus.id as number;
}

/** The product as the three public reads answer it: explore, search, the product page. */
async function reads(id: number, search: string) {
  const [explore, found, page] = await Promise.all([
    t.http.post('/menus/explore?page=1&length=10').send({ nama_menus: search }),
    t.http.post('/menus/search').send({ nama_menus: search }),
    t.http.get(`/menus/${id}`),
  ]);
  return {
    explore: explore.body.data.find((m: any) => m.id === id)?.nama_menus,
    search: found.body.menus.find((m: any) => m.id === id)?.nama_menus,
    page: page.status === 200 ? page.body.menus.nama_menus : page.status,
  };
}

describe('read cache', () => {
  it('answers the product lists and page from memory until a table they read changes, by whatever means', async () => {
    // something kept, so that the create below waits until its change has been heard (settle):
    // else its notification could arrive after the first reads and retire what they kept
    await t.http.post('/menus/search').send({ nama_menus: 'warm' });
    expect(t.app.reads.size).toBeGreaterThan(0);
    const id = await product('Cache Serum');
    expect(await reads(id, 'Cache Serum')).toEqual({ explore: 'Cache Serum', search: 'Cache Serum', page: 'Cache Serum' });

    await changeUnheard(`UPDATE menus SET nama_menus = 'Cache Serum Renamed' WHERE id = ${id}`);
    expect(await reads(id, 'Cache Serum')).toEqual({ explore: 'Cache Serum', search: 'Cache Serum', page: 'Cache Serum' });
    expect(t.app.reads.size).toBeGreaterThanOrEqual(3);

    // a change made outside the API (another server, a script): heard through PostgreSQL's notification
    await t.app.db.$executeRawUnsafe(`INSERT INTO menu_images (id_menus, menu_image, updated_at) VALUES (${id}, 'a.png', now())`);
    await t.app.reads.settle(); // heard by now (a polling deadline could pass first on a loaded machine)
    expect(await reads(id, 'Cache Serum')).toEqual({ explore: 'Cache Serum Renamed', search: 'Cache Serum Renamed', page: 'Cache Serum Renamed' });
  });

  it('shows a change made through the API in the very next answer', async () => {
    const id = await product('Fresh Toner');
    for (let i = 1; i <= 5; i++) {
      await reads(id, 'Fresh Toner'); // kept
      const upd = await t.http.put(`/menus/${id}/update`).set(t.auth(admin)).send({ nama_menus: `Fresh Toner v${i}` });
      expect(upd.status).toBe(200);
      expect(await reads(id, 'Fresh Toner')).toEqual({ explore: `Fresh Toner v${i}`, search: `Fresh Toner v${i}`, page: `Fresh Toner v${i}` });
    }
    expect((await t.http.delete(`/menus/${id}/delete`).set(t.auth(admin))).status).toBe(200);
    expect(await reads(id, 'Fresh Toner')).toEqual({ explore: undefined, search: undefined, page: 404 });
  });

  it("keeps a store's shelf per kind of caller, and shows a stock change at once", async () => {
    const menu = await product('Shelf Sunscreen');
    const store = await t.http
      .post('/brandstore/create')
      .set(t.auth(admin))
      .send({ nama: 'Cache Store', alamat: 'A', notelp: '0812', opentime: '09:00', closetime: '20:00', city: 'KOTA BANDUNG', lat: 0, lng: 0, is_show: 1, groupname: 'STS' });
    const shelf = await t.http.post('/brandstore_menus/create').set(t.auth(admin)).send({ idmenu: menu, idbrandstore: store.body.brandstore.id, quantitytotal: 5 });
    const sm = shelf.body.brandstoremenus.id as number;
    const search = (who?: TestUser) => {
      const req = t.http.post('/brandstore_menus/search').send({ idbrandstore: store.body.brandstore.id });
      return (who ? req.set(t.auth(who)) : req).then((r) => r.body.brandstoremenus.map((x: any) => [x.id, x.stocks, x.editable]));
    };
    expect(await search()).toEqual([[sm, 5, false]]);
    expect(await search(admin)).toEqual([[sm, 5, true]]);
    expect(await search()).toEqual([[sm, 5, false]]);

    const set = await t.http.put(`/brandstore_menus/${sm}/stocks`).set(t.auth(admin)).send({ delta: -2 });
    expect(set.status).toBe(200);
    expect(await search()).toEqual([[sm, 3, false]]);

    // hidden: staff still see it, customers no longer
    expect((await t.http.post(`/brandstore/${store.body.brandstore.id}/update`).set(t.auth(admin)).send({ is_show: 0 })).status).toBe(200);
    expect(await search()).toEqual([]);
    expect(await search(admin)).toEqual([[sm, 3, true]]);
  });

  it('shows a promotion from the moment it starts, with nothing changed in the database', async () => {
    const starts = new Date('2026-12-20T17:00:00Z'); // 21 December 00:00 WIB
    const id = await product('Promo Cleanser', { harga: 100_000 });
    await t.app.db.menu.update({ where: { id }, data: { harga_promosi: 80_000, mulai_harga_promosi: starts } });
    const price = async () => {
      const [page, list] = await Promise.all([t.http.get(`/menus/${id}`), t.http.post('/menus/explore?page=1&length=10').send({ nama_menus: 'Promo Cleanser' })]);
      return [page.body.menus.harga_aktif, list.body.data[0].harga_aktif];
    };
    t.app.now = () => new Date(starts.getTime() - 10_000);
    expect(await price()).toEqual([100_000, 100_000]);
    expect(await price()).toEqual([100_000, 100_000]);
    t.app.now = () => new Date(starts.getTime());
    expect(await price()).toEqual([80_000, 80_000]);
  });

  it('is refused, at start-up, to a resource that not everyone may read', () => {
    const spec = { name: 'secrets', model: () => ({}), toJSON: (r: unknown) => r, schema: z.unknown(), readCache: { tables: ['secrets'] } };
    expect(() => resourceRoutes({ ...spec, access: { read: ['ADMIN'], write: ['ADMIN'] } })).toThrow('secrets: readCache is for public reads only');
    expect(() => resourceRoutes({ ...spec, access: { read: 'public', list: 'authenticated', write: ['ADMIN'] } })).toThrow('public reads only');
    expect(() => resourceRoutes({ ...spec, access: { read: 'public', write: ['ADMIN'] } })).not.toThrow();
  });

  it.runIf(process.env.TEST_DATABASE_URL)('caches nothing while the listening connection is lost, and resumes once it is back', async () => {
    const id = await product('Outage Gel');
    await reads(id, 'Outage Gel');
    expect(t.app.reads.live).toBe(true);
    await t.app.db.$queryRawUnsafe(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '${LISTENER_APPLICATION_NAME}' AND datname = current_database()`,
    );
    await vi.waitFor(() => expect(t.app.reads.live).toBe(false), { timeout: 5000, interval: 10 });
    // unheard changes show at once: nothing is answered from memory
    await changeUnheard(`UPDATE menus SET nama_menus = 'Outage Gel 2' WHERE id = ${id}`);
    expect(await reads(id, 'Outage Gel')).toEqual({ explore: 'Outage Gel 2', search: 'Outage Gel 2', page: 'Outage Gel 2' });

    await vi.waitFor(() => expect(t.app.reads.live).toBe(true), { timeout: 10_000, interval: 50 });
    await reads(id, 'Outage Gel');
    await changeUnheard(`UPDATE menus SET nama_menus = 'Outage Gel 3' WHERE id = ${id}`);
    expect((await reads(id, 'Outage Gel')).page).toBe('Outage Gel 2');
  });
});
