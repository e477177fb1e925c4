import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';

// DataTables ordering of dashboard/upcoming/offline_appoinments by every documented column,
// including the names that come from the booking's relations and the start/end times.
// "Now" is 2026-03-15 10:00 WIB; booking 1 is on the 16th, booking 2 on the 17th (the default
// order), and every other column sorts booking 2 first when ascending.

let t: TestApp;
let owner: TestUser;
const ids: Record<string, number> = {};
const wib = (s: string) => new Date(`${s}+07:00`);
const day = (s: string) => new Date(`${s}T00:00:00Z`);
const tod = (s: string) => new Date(`1970-01-01T${s}:00Z`);

beforeAll(async () => {
  t = await createTestApp();
  t.app.now = () => wib('2026-03-15T10:00:00');
  owner = await t.user(['OWNER']);
  const db = t.app.db;
  const booking = async (who: { customer: string; patient: string; doctor: string; service: string }, tanggal: string, jam: string, end: string) => {
    const c = await t.user(['CUSTOMER'], { users_fullname: who.customer });
    const p = await db.patient.create({ data: { nama_lengkap_pasien: who.patient, id_users: c.id } });
    const du = await t.user(['DOCTOR'], { users_fullname: who.doctor });
    const s = await db.service.create({ data: { services_name: who.service, buffer_time: 60 } });
    const d = await db.doctor.create({ data: { id_users: du.id, custom_price: 100000, id_services: s.id } });
    const ds = await db.doctorService.create({ data: { id_doctors: d.id, id_services: s.id } });
    const k = await db.doctorSchedule.create({
      data: { id_doctors: d.id, id_doctor_services: ds.id, id_services: s.id, hari: 'Senin', jam: tod(jam), jam_selesai: tod(end) },
    });
    const u = await db.userSchedule.create({
      data: {
        id_doctors: d.id, id_services: s.id, id_doctor_schedules: k.id, id_users: c.id, id_patients: p.id,
        hari: 'Senin', tanggal: day(tanggal), jam: tod(jam), jam_selesai: tod(end), status: 'BOOKING', active_slot: 1,
      },
    });
    return u.id;
  };
  ids.u1 = await booking({ customer: 'Zainal', patient: 'Zed', doctor: 'dr. Zulu', service: 'Zeta Peel' }, '2026-03-16', '10:00', '11:00');
  ids.u2 = await booking({ customer: 'Andi', patient: 'Amy', doctor: 'dr. Alfa', service: 'Alpha Glow' }, '2026-03-17', '09:00', '09:30');
});
afterAll(() => t.close());

const post = (body: unknown) => t.http.post('/dashboard/upcoming/offline_appoinments').set(t.auth(owner)).send(body as object);

describe('dashboard/upcoming/offline_appoinments ordering', () => {
  it('sorts by the relation names and the start and end times, both ways', async () => {
    const byDefault = await post({});
    expect(byDefault.body.data.map((r: unknown[]) => r[0])).toEqual([ids.u1, ids.u2]);
    // users, nama_lengkap_pasien, services_name, doctors, starts, ends (and tanggal)
    for (const column of [11, 12, 13, 14, 17, 18]) {
      const asc = await post({ order: [{ column, dir: 'asc' }] });
      expect(asc.body.data.map((r: unknown[]) => r[0]), `column ${column} asc`).toEqual([ids.u2, ids.u1]);
      const desc = await post({ 'order[0][column]': column, 'order[0][dir]': 'desc' });
      expect(desc.body.data.map((r: unknown[]) => r[0]), `column ${column} desc`).toEqual([ids.u1, ids.u2]);
    }
    const one = await post({ order: [{ column: 14, dir: 'asc' }], start: 0, length: 1 });
    expect(one.body).toMatchObject({ recordsTotal: 2, recordsFiltered: 2 });
    expect(one.body.data.map((r: unknown[]) => [r[11], r[12], r[13], r[14], r[17], r[18]])).toEqual([['Andi', 'Amy', 'Alpha Glow', 'dr. Alfa', '09:00:00', '09:30:00']]);
  });
});
