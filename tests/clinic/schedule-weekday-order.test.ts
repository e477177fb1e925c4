import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';

// Sorting by `hari` follows the week from Monday (as the document lists the days), not the
// alphabet (Jumat, Kamis, Minggu, …), in explore/search's default order and the tables' column.
const WEEK = ['Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu', 'Minggu'];
const HARI_COLUMN = 3; // schedules and doctor_schedules: id, id_doctors, doctors|id_doctor_services, hari, …

let t: TestApp;
let admin: TestUser;
let doctorId: number;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  const A = t.auth(admin);
  const service = await t.app.db.service.create({ data: { services_name: 'Facial', buffer_time: 60 } });
  doctorId = (await t.app.db.doctor.create({ data: { id_users: (await t.user(['DOCTOR'])).id, is_active: 1 } })).id;
  await t.app.db.doctorService.create({ data: { id_doctors: doctorId, id_services: service.id, is_active: 1 } });
  // created in alphabetical order, so neither the id nor the text sorts them by the week
  for (const hari of [...WEEK].sort()) {
    expect((await t.http.post('/schedules/create').set(A).send({ id_doctors: doctorId, hari, jam: '09:00', jam_selesai: '10:00' })).status).toBe(200);
  }
  expect((await t.http.post('/doctor_schedules/generate').set(A).send({ id_doctors: doctorId })).status).toBe(200);
});
afterAll(() => t.close());

describe.each(['schedules', 'doctor_schedules'])('%s sorted by hari', (name) => {
  it('lists the week from Monday in explore (page by page) and search', async () => {
    const pages: string[] = [];
    for (const page of [1, 2, 3]) {
      const res = await t.http.post(`/${name}/explore?page=${page}&length=3`).send({ id_doctors: doctorId });
      expect(res.status).toBe(200);
      pages.push(...res.body.data.map((r: any) => r.hari));
    }
    expect(pages).toEqual(WEEK);
    const search = await t.http.post(`/${name}/search`).send({ id_doctors: doctorId });
    expect(search.body[name].map((r: any) => r.hari)).toEqual(WEEK);
  });

  it('sorts the table column by the week, both ways, page by page', async () => {
    for (const dir of ['asc', 'desc']) {
      const days: string[] = [];
      for (const start of [0, 4]) {
        const res = await t.http.post(`/${name}/table`).send({ draw: 1, start, length: 4, id_doctors: doctorId, order: [{ column: HARI_COLUMN, dir }] });
        expect(res.status).toBe(200);
        days.push(...res.body.data.map((row: unknown[]) => row[HARI_COLUMN]));
      }
      expect(days).toEqual(dir === 'asc' ? WEEK : [...WEEK].reverse());
    }
  });
});
