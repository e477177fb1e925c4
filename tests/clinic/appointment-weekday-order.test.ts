import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';

// Sorting appointments by `hari` (dashboard/upcoming/offline_appoinments and user_schedules/table,
// DataTables column 7) follows the week from Monday, not the alphabet (Jumat, Kamis, Minggu, …),
// and within a weekday the date and time, then the id, so paging is deterministic.
// "Now" is Sunday 2026-03-15 10:00 WIB; the bookings run from Monday the 16th to Sunday the 29th.
const HARI_COLUMN = 7;
const WEEK = ['Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu', 'Minggu'];
const wib = (s: string) => new Date(`${s}+07:00`);
const day = (s: string) => new Date(`${s}T00:00:00Z`);
const tod = (s: string) => new Date(`1970-01-01T${s}:00Z`);

let t: TestApp;
let owner: TestUser;
/** [tanggal, jam] of each booking, created in an order that is neither the week's nor the alphabet's */
const BOOKINGS: [string, string][] = [
  ['2026-03-20', '09:00'], // Jumat
  ['2026-03-25', '09:00'], // Rabu (2nd week)
  ['2026-03-19', '09:00'], // Kamis
  ['2026-03-29', '09:00'], // Minggu (2nd week)
  ['2026-03-18', '11:00'], // Rabu, later
  ['2026-03-21', '09:00'], // Sabtu
  ['2026-03-17', '09:00'], // Selasa
  ['2026-03-18', '09:00'], // Rabu, earlier
  ['2026-03-16', '09:00'], // Senin
  ['2026-03-23', '09:00'], // Senin (2nd week)
];
const ids = new Map<string, number>();

beforeAll(async () => {
  t = await createTestApp();
  t.app.now = () => wib('2026-03-15T10:00:00');
  owner = await t.user(['OWNER']);
  const db = t.app.db;
  const customer = await t.user(['CUSTOMER']);
  const patient = await db.patient.create({ data: { nama_lengkap_pasien: 'Pasien', id_users: customer.id } });
  const service = await db.service.create({ data: { services_name: 'Facial', buffer_time: 60 } });
  const doctor = await db.doctor.create({ data: { id_users: (await t.user(['DOCTOR'])).id, custom_price: 100000, id_services: service.id } });
  const ds = await db.doctorService.create({ data: { id_doctors: doctor.id, id_services: service.id } });
  for (const [tanggal, jam] of BOOKINGS) {
    const hari = WEEK[(day(tanggal).getUTCDay() + 6) % 7];
    const end = `${String(Number(jam.slice(0, 2)) + 1).padStart(2, '0')}:00`;
    const slot = await db.doctorSchedule.upsert({
      where: { id_doctor_services_hari_jam: { id_doctor_services: ds.id, hari, jam: tod(jam) } },
      update: {},
      create: { id_doctors: doctor.id, id_doctor_services: ds.id, id_services: service.id, hari, jam: tod(jam), jam_selesai: tod(end) },
    });
    const u = await db.userSchedule.create({
      data: {
        id_doctors: doctor.id, id_services: service.id, id_doctor_schedules: slot.id, id_users: customer.id, id_patients: patient.id,
        hari, tanggal: day(tanggal), jam: tod(jam), jam_selesai: tod(end), status: 'BOOKING', active_slot: 1,
      },
    });
    ids.set(`${tanggal} ${jam}`, u.id);
  }
});
afterAll(() => t.close());

/** the bookings by weekday from Monday, then date, then time */
const ASC = [
  '2026-03-16 09:00', '2026-03-23 09:00', // Senin
  '2026-03-17 09:00', // Selasa
  '2026-03-18 09:00', '2026-03-18 11:00', '2026-03-25 09:00', // Rabu
  '2026-03-19 09:00', // Kamis
  '2026-03-20 09:00', // Jumat
  '2026-03-21 09:00', // Sabtu
  '2026-03-29 09:00', // Minggu
];

describe.each([
  ['dashboard/upcoming/offline_appoinments', '/dashboard/upcoming/offline_appoinments'],
  ['user_schedules/table', '/user_schedules/table'],
])('%s sorted by hari', (_name, path) => {
  it('follows the week, then the date and time, both ways, page by page', async () => {
    for (const dir of ['asc', 'desc'] as const) {
      const got: number[] = [];
      const days: string[] = [];
      for (const start of [0, 4, 8]) {
        const res = await t.http.post(path).set(t.auth(owner)).send({ draw: 1, start, length: 4, order: [{ column: HARI_COLUMN, dir }] });
        expect(res.status).toBe(200);
        expect(res.body.recordsTotal).toBe(BOOKINGS.length);
        got.push(...res.body.data.map((r: unknown[]) => r[0] as number));
        days.push(...res.body.data.map((r: unknown[]) => r[HARI_COLUMN] as string));
      }
      const expected = (dir === 'asc' ? ASC : [...ASC].reverse()).map((k) => ids.get(k));
      expect(got, dir).toEqual(expected);
      const week = dir === 'asc' ? WEEK : [...WEEK].reverse();
      expect([...new Set(days)], dir).toEqual(week);
    }
  });
});
