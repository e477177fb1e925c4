import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from './helpers/app.js';
import { whileHolding } from './helpers/interleave.js';

// The shared soft delete (resource.ts, a resource with softDelete and no delete.run of its own) read
// the row as live, then set deleted_at by id alone: a delete committing in between (another admin's
// click) was not seen, so both answered {deleted: true}, both were logged, and the second moved the
// deletion time. The race shows on PostgreSQL (TEST_DATABASE_URL); PGlite runs one statement at a time.
let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
});
afterAll(() => t.close());

describe.skipIf(!process.env.TEST_DATABASE_URL)('a soft delete racing another delete of the same row', () => {
  it('answers 404 to the later one and keeps the first deletion time', async () => {
    const category = await t.app.db.serviceCategory.create({ data: { service_categories: 'Laser' } });
    const first = new Date('2026-01-02T03:04:05Z');
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM service_categories WHERE id = ${category.id} FOR UPDATE`,
      () => t.http.delete(`/service_categories/${category.id}/delete`).set(t.auth(admin)),
      // the other delete, committed while this one waits for the row
      (tx) => tx.serviceCategory.update({ where: { id: category.id }, data: { deleted_at: first } }),
    );
    expect(res.status).toBe(404);
    const row = await t.app.db.serviceCategory.findUniqueOrThrow({ where: { id: category.id } });
    expect(row.deleted_at).toEqual(first);
  });
});
