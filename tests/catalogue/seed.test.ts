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
    const featured = await t.http.post('/menus/search').send({ is_featured: 1 });
    const serum = featured.body.menus.find((m: any) => m.nama_menus.includes('Niacinamide'));
    expect(serum).toMatchObject({ harga: 129000, harga_aktif: 99000 });
    const grouped = await t.http.post('/brandstore_menus/search').send({ groupby: 'menu', groupname: 'CLD' });
    expect(Object.keys(grouped.body.brandstoremenus)).toEqual(expect.arrayContaining(['Skincare', 'Obat Resep']));
    expect((await t.http.post('/static_contents/search').send({ type: 'privacy' })).body.static_contents).toHaveLength(1);
  });
});
