import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PNG_1PX, type TestApp, type TestUser } from '../helpers/app.js';

// A product or service picture's file is removed once its row's delete has committed: a delete
// whose commit fails (here a deferred check refuses it, as a lost connection or a failover would)
// keeps the row, and the row keeps the file it shows. PostgreSQL only (TEST_DATABASE_URL): the
// PGlite adapter (pglite-prisma-adapter 0.7) reports a failed COMMIT as done.
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  if (onPostgres) await t.app.db.$executeRawUnsafe(`CREATE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'commit refused'; END $$`);
});
afterAll(() => t.close());

async function refusingCommit<T>(table: string, run: () => Promise<T>): Promise<T> {
  await t.app.db.$executeRawUnsafe(`CREATE CONSTRAINT TRIGGER ${table}_refuse AFTER DELETE ON ${table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_commit()`);
  try {
    return await run();
  } finally {
    await t.app.db.$executeRawUnsafe(`DROP TRIGGER ${table}_refuse ON ${table}`);
  }
}

const file = (folder: string, name: string) => path.join(t.app.config.UPLOAD_DIR, folder, name);

describe.skipIf(!onPostgres)('picture deletes and their files', () => {
  it('menu_images: a delete that does not commit keeps the file; one that does removes it', async () => {
    const menu = await t.app.db.menu.create({ data: { nama_menus: 'Serum', harga: 100_000 } });
    const up = await t.http.post('/menu_images/create').set(t.auth(admin)).field('id_menus', String(menu.id)).attach('picture', PNG_1PX, 'p.png');
    expect(up.status).toBe(200);
    const { id, menu_image } = await t.app.db.menuImage.findFirstOrThrow({ where: { id_menus: menu.id } });
    const failed = await refusingCommit('menu_images', () => t.http.delete(`/menu_images/${id}/delete`).set(t.auth(admin)));
    expect(failed.status).toBe(500);
    expect([await t.app.db.menuImage.count({ where: { id } }), existsSync(file('menus', menu_image))]).toEqual([1, true]);
    await t.http.delete(`/menu_images/${id}/delete`).set(t.auth(admin)).expect(200);
    expect([await t.app.db.menuImage.count({ where: { id } }), existsSync(file('menus', menu_image))]).toEqual([0, false]);
  });

  it('service_images: the same', async () => {
    const service = await t.app.db.service.create({ data: { services_name: 'Facial' } });
    const up = await t.http.post('/service_images/create').set(t.auth(admin)).field('id_services', String(service.id)).attach('picture', PNG_1PX, 'p.png');
    expect(up.status).toBe(200);
    const { id, service_image } = await t.app.db.serviceImage.findFirstOrThrow({ where: { id_services: service.id } });
    const failed = await refusingCommit('service_images', () => t.http.delete(`/service_images/${id}/delete`).set(t.auth(admin)));
    expect(failed.status).toBe(500);
    expect([await t.app.db.serviceImage.count({ where: { id } }), existsSync(file('services', service_image))]).toEqual([1, true]);
    await t.http.delete(`/service_images/${id}/delete`).set(t.auth(admin)).expect(200);
    expect([await t.app.db.serviceImage.count({ where: { id } }), existsSync(file('services', service_image))]).toEqual([0, false]);
  });
});
