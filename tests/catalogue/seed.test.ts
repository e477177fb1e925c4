import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../src/seed/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('catalogue demo data', () => {
  it('is idempotent and browsable through the public endpoints', async () => {
    await seedDemoData(t.app);
    const counts = async () => ({
      menus: await t.app.db.menu.count(),
      stores: await t.app.db.brandstore.count(),
      storeMenus: await t.app.db.brandstoreMenu.count(),
      promos: await t.app.db.promotion.count(),
      pages: await t.app.db.staticContent.count(),
    });
    const first = await counts();
    await seedDemoData(t.app);
    expect(await counts()).toEqual(first);
    expect(first).toMatchObject({ stores: 2, promos: 1, pages: 4 });
    expect(first.storeMenus).toBe(first.menus * 2);

    const cities = await t.http.get('/brandstore/city');
    expect(cities.body).toEqual([{ city: 'KOTA BANDUNG' }, { city: 'KOTA JAKARTA SELATAN' }]);
    const near = await t.http.post('/brandstore/search').send({ latlng: { lat: -6.9147, lng: 107.6098 } });
    expect(near.body.brandstore[0].nama).toBe('Colederma Dago');
    // the demo's online orders take their stock from the Bandung store
    const settings = await t.app.db.deliverySetting.findUniqueOrThrow({ where: { scope: 'default' } });
    expect(settings.id_brandstore_gudang).toBe(near.body.brandstore[0].id);
    // named once, when the demo stores are made: a later start (SEED_DEMO_DATA=true) keeps staff's choice
    await t.app.db.deliverySetting.update({ where: { scope: 'default' }, data: { id_brandstore_gudang: null } });
    await seedDemoData(t.app);
    expect((await t.app.db.deliverySetting.findUniqueOrThrow({ where: { scope: 'default' } })).id_brandstore_gudang).toBeNull();
    await t.app.db.deliverySetting.update({ where: { scope: 'default' }, data: { id_brandstore_gudang: settings.id_brandstore_gudang } });
    const featured = await t.http.post('/menus/search').send({ is_featured: 1 });
    const serum = featured.body.menus.find((m: any) => m.nama_menus.includes('Niacinamide'));
    expect(serum).toMatchObject({ harga: 129000, harga_aktif: 99000 });
    const grouped = await t.http.post('/brandstore_menus/search').send({ groupby: 'menu', groupname: 'CLD' });
    expect(Object.keys(grouped.body.brandstoremenus)).toEqual(expect.arrayContaining(['Skincare', 'Obat Resep']));
    expect((await t.http.post('/static_contents/search').send({ type: 'privacy' })).body.static_contents).toHaveLength(1);
  });

  it('lists with a constant number of database operations whatever the page size', async () => {
    const original = t.app.db;
    let ops = 0;
    t.app.db = original.$extends({
      query: {
        async $allOperations({ args, query }) {
          ops += 1;
          return query(args);
        },
      },
    }) as unknown as typeof original;
    try {
      const measure = async (call: () => Promise<{ status: number }>) => {
        ops = 0;
        const res = await call();
        expect(res.status).toBe(200);
        expect(ops).toBeGreaterThan(0);
        return ops;
      };
      const calls: Array<[() => Promise<any>, () => Promise<any>]> = [
        [() => t.http.post('/menus/explore?page=1&length=1').send({}), () => t.http.post('/menus/explore?page=1&length=7').send({})],
        [() => t.http.post('/menus/table').send({ length: 1 }), () => t.http.post('/menus/table').send({ length: 7 })],
        [() => t.http.post('/brandstore_menus/search').send({ limit: 1 }), () => t.http.post('/brandstore_menus/search').send({ limit: 14, groupby: 'menu' })],
        [() => t.http.get('/brandstore_menus/explore?page=1&length=1'), () => t.http.get('/brandstore_menus/explore?page=1&length=14')],
        [() => t.http.post('/brandstore/search').send({ latlng: { lat: -6.9, lng: 107.6 }, limit: 1 }), () => t.http.post('/brandstore/search').send({ latlng: { lat: -6.9, lng: 107.6 } })],
      ];
      for (const [small, large] of calls) expect(await measure(large)).toBe(await measure(small));
    } finally {
      t.app.db = original;
    }
  });
});
