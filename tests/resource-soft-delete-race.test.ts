import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from './helpers/app.js';
import { whileHolding } from './helpers/interleave.js';

// A soft delete (resource.ts's shared one, and the resources' own: services, doctors, slots,
// promotions) read the row as live, then set deleted_at by id alone: a delete committing in between (another admin's
// click) was not seen, so both answered {deleted: true}, both were logged, and the second moved the
// deletion time. The race shows on PostgreSQL (TEST_DATABASE_URL); PGlite runs one statement at a time.
let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
});
afterAll(() => t.close());

type Model = 'serviceCategory' | 'service' | 'doctor' | 'doctorSchedule' | 'promotion';
/** each resource's soft delete: the shared one (service_categories) and those with a delete of their own */
const cases: { path: string; table: string; model: Model; make: () => Promise<number> }[] = [
  { path: 'service_categories', table: 'service_categories', model: 'serviceCategory', make: async () => (await t.app.db.serviceCategory.create({ data: { service_categories: 'Laser' } })).id },
  { path: 'services', table: 'services', model: 'service', make: async () => (await t.app.db.service.create({ data: { services_name: 'Peeling' } })).id },
  { path: 'doctors', table: 'doctors', model: 'doctor', make: async () => (await t.app.db.doctor.create({ data: { id_users: (await t.user(['DOCTOR'])).id } })).id },
  {
    path: 'doctor_schedules',
    table: 'doctor_schedules',
    model: 'doctorSchedule',
    make: async () => {
      const service = await t.app.db.service.create({ data: { services_name: 'Facial', buffer_time: 30 } });
      const doctor = await t.app.db.doctor.create({ data: { id_users: (await t.user(['DOCTOR'])).id } });
      const ds = await t.app.db.doctorService.create({ data: { id_doctors: doctor.id, id_services: service.id } });
      const slot = await t.app.db.doctorSchedule.create({
        data: { id_doctors: doctor.id, id_doctor_services: ds.id, id_services: service.id, hari: 'Senin', jam: new Date('1970-01-01T09:00:00Z'), jam_selesai: new Date('1970-01-01T09:30:00Z') },
      });
      return slot.id;
    },
  },
  {
    path: 'promotions',
    table: 'promotions',
    model: 'promotion',
    make: async () =>
      (
        await t.app.db.promotion.create({
          data: { type: 'NOMINAL', value: 1000, quota: 5, start_datetime: new Date('2030-01-01'), expired_datetime: new Date('2030-02-01'), display_codes: 'RACE', display_codes_key: 'RACE' },
        })
      ).id,
  },
];

describe.skipIf(!process.env.TEST_DATABASE_URL)('a soft delete racing another delete of the same row', () => {
  it.each(cases)('$path: answers 404 to the later one and keeps the first deletion time', async ({ path, table, model, make }) => {
    const id = await make();
    const first = new Date('2026-01-02T03:04:05Z');
    const db = t.app.db as any;
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.$queryRawUnsafe(`SELECT id FROM "${table}" WHERE id = $1 FOR UPDATE`, id),
      () => t.http.delete(`/${path}/${id}/delete`).set(t.auth(admin)),
      // the other delete, committed while this one waits for the row
      (tx) => (tx as any)[model].update({ where: { id }, data: { deleted_at: first } }),
    );
    expect(res.status).toBe(404);
    const row = await db[model].findUniqueOrThrow({ where: { id } });
    expect(row.deleted_at).toEqual(first);
  });
});
