import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PNG_1PX, type TestApp, type TestUser } from '../helpers/app.js';

// The pictures of categories, service categories and promotions: one column per row holds the
// file's name. Uploads for one row at the same moment must leave exactly that row's file.

let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
});
afterAll(() => t.close());

const files = (folder: string) => {
  try {
    return readdirSync(path.join(t.app.config.UPLOAD_DIR, folder)).sort();
  } catch {
    return [];
  }
};

const cases = [
  {
    folder: 'menu_categories',
    create: async () => (await t.http.post('/menu_categories/create').set(t.auth(admin)).send({ menu_categories: 'Serum', codes: 'SR', color: '#000AAF' })).body.menu_categories.id,
    stored: async (id: number) => (await t.app.db.menuCategory.findUniqueOrThrow({ where: { id } })).images,
    remove: (id: number) => t.app.db.menuCategory.update({ where: { id }, data: { deleted_at: new Date() } }),
  },
  {
    folder: 'service_categories',
    create: async () => (await t.http.post('/service_categories/create').set(t.auth(admin)).send({ service_categories: 'Facial', codes: 'F1', color: '#ffffff' })).body.service_categories.id,
    stored: async (id: number) => (await t.app.db.serviceCategory.findUniqueOrThrow({ where: { id } })).images,
    remove: (id: number) => t.app.db.serviceCategory.update({ where: { id }, data: { deleted_at: new Date() } }),
  },
  {
    folder: 'promotions',
    create: async () =>
      (
        await t.http.post('/promotions/create').set(t.auth(admin)).send({
          type: 'POTONGAN', value: 25000, quota: 10, start_datetime: '20/10/2025 00:00', expired_datetime: '20/12/2099 23:00', display_codes: `PIC${Math.random().toString(36).slice(2, 8)}`,
        })
      ).body.promotions.id,
    stored: async (id: number) => (await t.app.db.promotion.findUniqueOrThrow({ where: { id } })).img_promotions,
    remove: (id: number) => t.app.db.promotion.update({ where: { id }, data: { deleted_at: new Date() } }),
  },
];

describe('picture uploads', () => {
  for (const c of cases) {
    it(`${c.folder}: concurrent uploads keep only the row's picture, a refused one keeps no file`, async () => {
      const id = await c.create();
      const answers = await Promise.all([1, 2, 3, 4].map(() => t.http.post(`/${c.folder}/${id}/uploads`).set(t.auth(admin)).attach('picture', PNG_1PX, 'a.png')));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      const name = await c.stored(id);
      expect(name).toMatch(/^[A-Za-z0-9]+\.png$/);
      expect(files(c.folder)).toEqual([name]);

      await c.remove(id);
      expect((await t.http.post(`/${c.folder}/${id}/uploads`).set(t.auth(admin)).attach('picture', PNG_1PX, 'a.png')).status).toBe(404);
      expect(files(c.folder)).toEqual([name]);
    });
  }
});

const galleries = [
  {
    folder: 'menus',
    path: 'menu_images',
    parent: 'id_menus',
    make: async () => (await t.app.db.menu.create({ data: { nama_menus: 'Toner', harga: 1000 } })).id,
    stored: async () => (await t.app.db.menuImage.findMany()).map((r) => r.menu_image),
  },
  {
    folder: 'services',
    path: 'service_images',
    parent: 'id_services',
    make: async () => (await t.app.db.service.create({ data: { services_name: 'Peeling' } })).id,
    stored: async () => (await t.app.db.serviceImage.findMany()).map((r) => r.service_image),
  },
];

describe('gallery pictures', () => {
  for (const g of galleries) {
    it(`${g.path}: concurrent replacements of one picture, and a replacement racing a delete, leave only referenced files`, async () => {
      const parent = await g.make();
      const create = () => t.http.post(`/${g.path}/create`).set(t.auth(admin)).field(g.parent, String(parent)).attach('picture', PNG_1PX, 'a.png');
      const first = await create();
      expect(first.status).toBe(200);
      const id = first.body[g.path].id;
      const replace = (imageId: number) => t.http.post(`/${g.path}/${imageId}/update`).set(t.auth(admin)).attach('picture', PNG_1PX, 'b.png');
      expect((await Promise.all([1, 2, 3, 4].map(() => replace(id)))).map((a) => a.status)).toEqual([200, 200, 200, 200]);
      expect(files(g.folder)).toEqual((await g.stored()).sort());

      const second = (await create()).body[g.path].id;
      const answers = await Promise.all([replace(second), t.http.delete(`/${g.path}/${second}/delete`).set(t.auth(admin)), replace(second)]);
      expect(answers[1]!.status).toBe(200);
      expect(files(g.folder)).toEqual((await g.stored()).sort());
    });
  }
});
