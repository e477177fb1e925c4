import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemoData } from '../../src/seed/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

it('seeds the demo clinic idempotently, with bookable slots for the demo doctors', async () => {
  await seedDemoData(t.app);
  const counts = async () => ({
    doctors: await t.app.db.doctor.count(),
    services: await t.app.db.service.count(),
    slots: await t.app.db.doctorSchedule.count(),
    holidays: await t.app.db.holiday.count(),
  });
  const first = await counts();
  expect(first.doctors).toBe(2);
  expect(first.slots).toBeGreaterThan(20);
  await seedDemoData(t.app);
  expect(await counts()).toEqual(first);

  const andini = await t.app.db.doctor.findFirstOrThrow({ where: { user: { username: 'dr.andini' } } });
  const res = await t.http.post('/user_schedules/check/doctor/availability').send({ id_doctors: andini.id });
  expect(res.status).toBe(200);
  expect(res.body.length).toBeGreaterThan(0);
  expect(res.body.every((d: any) => ['Senin', 'Rabu', 'Jumat'].includes(d.day_id))).toBe(true);
});
