import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinicDay, formatDate } from '../../src/lib/dates.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';

const DAYS = ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu'];

let t: TestApp;
let admin: TestUser;
let customer: TestUser;
let other: TestUser;
let doctorUser: TestUser;
let doctorId: number;
let facial: number; // 30-minute service
let peel: number; // 60-minute service
let patient: number;
let otherPatient: number;

// The clinic day the file started on, not the day at each call: later tests look again for what
// earlier ones booked (ahead(10) and ahead(16), found again by the availability test), so a run
// across midnight in Asia/Jakarta (17:00 UTC) must not shift those dates by a day in between. The
// app keeps its real clock: every use below holds whether the app's day is this one or the next.
const TODAY = clinicDay(new Date());

/** a clinic date `days` ahead of TODAY as dd/mm/yyyy with its weekday name */
function ahead(days: number) {
  const d = new Date(TODAY.getTime() + days * 86_400_000);
  const iso = formatDate(d)!;
  return { iso, dmy: `${iso.slice(8)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`, hari: DAYS[d.getUTCDay()]! };
}

async function slotOf(service: number, hari: string, jam: string) {
  const slot = await t.app.db.doctorSchedule.findFirst({
    where: { id_doctors: doctorId, id_services: service, hari, jam: new Date(`1970-01-01T${jam}:00Z`) },
  });
  return slot!;
}

const book = (u: TestUser, slotId: number, tanggal: string, id_patients = patient) =>
  t.http.post('/user_schedules/create').set(t.auth(u)).send({ id_doctor_schedules: slotId, tanggal, id_patients, custom_price: '999' });

beforeAll(async () => {
  t = await createTestApp({ BOOKING_AVAILABILITY_DAYS: '30', BOOKING_CHANGE_CUTOFF_MINUTES: '4320' });
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
  other = await t.user(['CUSTOMER']);
  doctorUser = await t.user(['DOCTOR']);
  const A = t.auth(admin);
  const cat = await t.http.post('/service_categories/create').set(A).send({ service_categories: 'Facial', codes: 'F1', color: '#ffffff' });
  expect(cat.status).toBe(200);
  const s1 = await t.http.post('/services/create').set(A).send({ services_name: 'Facial', services_price: '150000', buffer_time: '30', id_service_categories: cat.body.service_categories.id });
  const s2 = await t.http.post('/services/create').set(A).send({ services_name: 'Art Peel', services_price: '300000', buffer_time: 60, id_service_categories: cat.body.service_categories.id });
  facial = s1.body.services.id;
  peel = s2.body.services.id;
  const doc = await t.http.post('/doctors/create').set(A).send({ id_users: doctorUser.id, id_services: facial, custom_price: 200000, doctor_description: 'Sp.KK', is_active: 1 });
  expect(doc.status).toBe(200);
  doctorId = doc.body.doctors.id;
  for (const id_services of [facial, peel]) {
    const ds = await t.http.post('/doctor_services/create').set(A).send({ id_doctors: doctorId, id_services, custom_price: 0, doctor_buffer_time: 0, is_active: 1 });
    expect(ds.status).toBe(200);
  }
  for (const hari of DAYS) {
    const res = await t.http.post('/schedules/create').set(A).send({ id_doctors: doctorId, hari, jam: '09:00', jam_selesai: '12:00' });
    expect(res.status).toBe(200);
  }
  const gen = await t.http.post('/doctor_schedules/generate').set(A).send({ id_doctors: doctorId });
  expect(gen.status).toBe(200);
  // 7 days × (6 half-hour facial slots + 3 one-hour peel slots)
  expect(gen.body.generate).toBe(true);
  expect(gen.body.data).toHaveLength(7 * 9);
  patient = (await t.app.db.patient.create({ data: { id_users: customer.id, nama_lengkap_pasien: 'Rita Ambar' } })).id;
  otherPatient = (await t.app.db.patient.create({ data: { id_users: other.id, nama_lengkap_pasien: 'Orang Lain' } })).id;
});
afterAll(() => t.close());

describe('doctor_schedules/generate', () => {
  it('creates no duplicates when run again and keeps slot lengths', async () => {
    const again = await t.http.post('/doctor_schedules/generate').set(t.auth(admin)).send({ id_doctors: doctorId });
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual([]);
    expect(await t.app.db.doctorSchedule.count({ where: { id_doctors: doctorId } })).toBe(63);
    const list = await t.http.post('/doctor_schedules/search').send({ id_doctors: doctorId, id_services: peel, hari: 'Senin' });
    expect(list.body.doctor_schedules.map((s: any) => [s.jam, s.jam_selesai])).toEqual([
      ['09:00:00', '10:00:00'],
      ['10:00:00', '11:00:00'],
      ['11:00:00', '12:00:00'],
    ]);
    expect(list.body.doctor_schedules[0]).toMatchObject({ services_name: 'Art Peel', service_categories: 'Facial', doctors: expect.any(String) });
  });

  it('makes only slots of the full service length that end within the hours, also when they end at 23:59', async () => {
    const A = t.auth(admin);
    const u = await t.user(['DOCTOR']);
    const doc = (await t.http.post('/doctors/create').set(A).send({ id_users: u.id, is_active: 1 })).body.doctors.id;
    await t.http.post('/doctor_services/create').set(A).send({ id_doctors: doc, id_services: peel });
    await t.http.post('/doctor_services/create').set(A).send({ id_doctors: doc, id_services: facial });
    expect((await t.http.post('/schedules/create').set(A).send({ id_doctors: doc, hari: 'Senin', jam: '23:00', jam_selesai: '23:59' })).status).toBe(200);
    expect((await t.http.post('/schedules/create').set(A).send({ id_doctors: doc, hari: 'Selasa', jam: '21:45', jam_selesai: '23:59' })).status).toBe(200);
    const gen = await t.http.post('/doctor_schedules/generate').set(A).send({ id_doctors: doc });
    expect(gen.status).toBe(200);
    // 60-minute peel: none in 23:00-23:59, 21:45-22:45 only on Selasa; 30-minute facial: 23:00 and 23:29 would not fit
    expect(gen.body.data.map((s: any) => [s.id_services, s.day, s.open, s.close]).sort()).toEqual(
      [
        [facial, 'Senin', '23:00', '23:30'],
        [facial, 'Selasa', '21:45', '22:15'],
        [facial, 'Selasa', '22:15', '22:45'],
        [facial, 'Selasa', '22:45', '23:15'],
        [facial, 'Selasa', '23:15', '23:45'],
        [peel, 'Selasa', '21:45', '22:45'],
        [peel, 'Selasa', '22:45', '23:45'],
      ].sort(),
    );
    expect(await t.app.db.doctorSchedule.count({ where: { id_doctors: doc } })).toBe(7);
  });

  it('is staff only', async () => {
    const res = await t.http.post('/doctor_schedules/generate').set(t.auth(customer)).send({ id_doctors: doctorId });
    expect(res.status).toBe(403);
  });
});

describe('user_schedules/create', () => {
  it('books a slot for an own patient with the documented shape and server price', async () => {
    const d = ahead(10);
    const slot = await slotOf(facial, d.hari, '09:00');
    const res = await book(customer, slot.id, d.dmy);
    expect(res.status).toBe(200);
    expect(res.body.user_schedules).toMatchObject({
      status: 'BOOKING',
      tanggal: d.iso,
      hari: d.hari,
      jam: '09:00:00',
      jam_selesai: '09:30:00',
      reschedule_counts: 0,
      custom_price: 150000,
      doctors: { id: doctorId },
      services: { id: facial, services_name: 'Facial' },
      doctor_schedules: { id: slot.id },
      users: { id: customer.id },
      patients: { id: patient, nama_lengkap_pasien: 'Rita Ambar' },
    });
  });

  it('refuses past dates, wrong weekdays, holidays, inactive slots and inactive doctors', async () => {
    const past = ahead(-7);
    const pastSlot = await slotOf(facial, past.hari, '10:00');
    expect((await book(customer, pastSlot.id, past.dmy)).status).toBe(422);

    const d = ahead(11);
    const wrongDay = await slotOf(facial, ahead(12).hari, '10:00');
    const res = await book(customer, wrongDay.id, d.dmy);
    expect(res.status).toBe(422);
    expect(res.body.errors[0].field).toBe('tanggal');

    const h = ahead(13);
    const hol = await t.http.post('/holidays/create').set(t.auth(admin)).send({ dates: h.dmy, descriptions: 'Libur' });
    expect(hol.status).toBe(200);
    expect(hol.body.holidays).toMatchObject({ dates: h.iso, descriptions: 'Libur' });
    expect((await book(customer, (await slotOf(facial, h.hari, '10:00')).id, h.dmy)).status).toBe(422);

    const s = await slotOf(facial, d.hari, '11:00');
    expect((await t.http.put(`/doctor_schedules/${s.id}/unactivate`).set(t.auth(admin))).body).toEqual({ unactivate: true });
    expect((await book(customer, s.id, d.dmy)).status).toBe(422);
    expect((await t.http.put(`/doctor_schedules/${s.id}/activate`).set(t.auth(admin))).body).toEqual({ activate: true });

    await t.app.db.doctor.update({ where: { id: doctorId }, data: { is_active: 0 } });
    expect((await book(customer, s.id, d.dmy)).status).toBe(422);
    await t.app.db.doctor.update({ where: { id: doctorId }, data: { is_active: 1 } });
    expect(await t.app.db.userSchedule.count({ where: { tanggal: new Date(`${d.iso}T00:00:00Z`) } })).toBe(0);
  });

  it("never books someone else's patient (404) and refuses bad input with 400", async () => {
    const d = ahead(14);
    const slot = await slotOf(facial, d.hari, '09:00');
    expect((await book(customer, slot.id, d.dmy, otherPatient)).status).toBe(404);
    const bad = await t.http.post('/user_schedules/create').set(t.auth(customer)).send({ id_doctor_schedules: 'x', tanggal: '31/02/2030' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field)).toEqual(expect.arrayContaining(['id_doctor_schedules', 'tanggal', 'id_patients']));
  });

  it('lets exactly one of 10 concurrent bookings of one slot win', async () => {
    const d = ahead(15);
    const slot = await slotOf(facial, d.hari, '10:00');
    const results = await Promise.all(Array.from({ length: 10 }, () => book(customer, slot.id, d.dmy)));
    const codes = results.map((r) => r.status).sort();
    expect(codes).toEqual([200, ...Array(9).fill(409)]);
    expect(await t.app.db.userSchedule.count({ where: { id_doctor_schedules: slot.id, active_slot: 1 } })).toBe(1);
  });

  it('lets one of many concurrent bookings of overlapping slots of different services win', async () => {
    const d = ahead(19);
    const hour = await slotOf(peel, d.hari, '11:00'); // 11:00-12:00
    const half = await slotOf(facial, d.hari, '11:30'); // 11:30-12:00
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? book(customer, hour.id, d.dmy) : book(other, half.id, d.dmy, otherPatient))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, ...Array(7).fill(409)]);
    expect(await t.app.db.userSchedule.count({ where: { tanggal: new Date(`${d.iso}T00:00:00Z`), active_slot: 1 } })).toBe(1);
  });

  it('refuses a slot of another service that overlaps an active booking of the doctor, and a cancel frees it', async () => {
    const d = ahead(16);
    const half = await slotOf(facial, d.hari, '10:30');
    const first = await book(customer, half.id, d.dmy);
    expect(first.status).toBe(200);
    const hour = await slotOf(peel, d.hari, '10:00'); // 10:00-11:00 overlaps 10:30-11:00
    const clash = await book(other, hour.id, d.dmy, otherPatient);
    expect(clash.status).toBe(409);

    const cancel = await t.http.put(`/user_schedules/${first.body.user_schedules.id}/cancel`).set(t.auth(customer)).send({ cancel_reason: 'Sakit' });
    expect(cancel.body).toEqual({ cancel: true });
    const row = await t.app.db.userSchedule.findUniqueOrThrow({ where: { id: first.body.user_schedules.id } });
    expect(row).toMatchObject({ status: 'CANCEL', active_slot: null, cancel_reason: 'Sakit' });
    expect((await book(other, hour.id, d.dmy, otherPatient)).status).toBe(200);
    // a cancelled appointment cannot be cancelled again
    expect((await t.http.put(`/user_schedules/${row.id}/cancel`).set(t.auth(customer)).send({})).status).toBe(409);
  });
});

describe('availability', () => {
  it('lists free slots per day, without holidays and taken or overlapping times', async () => {
    const res = await t.http.post('/user_schedules/check/doctor/availability').send({ id_doctors: doctorId, id_services: peel });
    expect(res.status).toBe(200);
    const days = res.body as any[];
    const holiday = ahead(13).iso;
    expect(days.map((d) => d.schedule)).not.toContain(holiday);
    const day16 = days.find((d) => d.schedule === ahead(16).iso);
    // 10:00 peel is booked → only 09:00 and 11:00 are left
    expect(day16.doctors.map((s: any) => s.jam_mulai)).toEqual(['09:00', '11:00']);
    const day10 = days.find((d) => d.schedule === ahead(10).iso);
    // facial 09:00-09:30 is booked → the 09:00 peel hour overlaps it
    expect(day10.doctors.map((s: any) => s.jam_mulai)).toEqual(['10:00', '11:00']);
    expect(day10).toMatchObject({ schedule_format: ahead(10).dmy, day_id: ahead(10).hari, day_en: expect.any(String) });
    expect(day10.doctors[0]).toMatchObject({ id_doctors: doctorId, id_services: peel, jam: '10:00:00', jam_selesai: '11:00', services_name: 'Art Peel' });
    expect(day10.schedule_array).toHaveLength(30);
  });

  it('answers from memory only while nothing it shows has changed: the notice, bookings, holidays', async () => {
    const d = ahead(1);
    const at = (hhmm: string) => new Date(`${d.iso}T${hhmm}:00+07:00`);
    const day = async (u?: TestUser) => {
      const req = t.http.post('/user_schedules/check/doctor/availability').send({ id_doctors: doctorId, id_services: facial });
      const res = await (u ? req.set(t.auth(u)) : req);
      expect(res.status).toBe(200);
      return (res.body as any[]).find((x) => x.schedule === d.iso)?.doctors.map((s: any) => s.jam_mulai).slice(0, 3);
    };
    let booked: number | undefined;
    try {
      t.app.now = () => at('07:00');
      expect(await day()).toEqual(['09:00', '09:30', '10:00']);
      t.app.now = () => at('07:59');
      expect(await day()).toEqual(['09:00', '09:30', '10:00']);
      // an hour's notice: at 08:00 the 09:00 slot is still bookable (exactly the notice), a moment
      // later it is gone for customers, though nothing changed in the database
      t.app.now = () => at('08:00');
      expect(await day()).toEqual(['09:00', '09:30', '10:00']);
      t.app.now = () => new Date(at('08:00').getTime() + 1);
      expect(await day()).toEqual(['09:30', '10:00', '10:30']);
      expect(await day(admin)).toEqual(['09:00', '09:30', '10:00']);
      expect(await day()).toEqual(['09:30', '10:00', '10:30']);

      const res = await book(customer, (await slotOf(facial, d.hari, '09:30')).id, d.dmy);
      expect(res.status).toBe(200);
      booked = res.body.user_schedules.id;
      expect(await day()).toEqual(['10:00', '10:30', '11:00']);

      // a holiday written outside the API is heard through the database's notification
      await t.app.db.holiday.create({ data: { dates: new Date(`${d.iso}T00:00:00Z`), descriptions: 'Cuti bersama' } });
      await t.app.reads.settle(); // heard by now (a polling deadline could pass first on a loaded machine)
      expect(await day()).toBeUndefined();
    } finally {
      t.app.now = () => new Date();
      await t.app.db.holiday.deleteMany({ where: { dates: new Date(`${d.iso}T00:00:00Z`) } });
      if (booked) await t.app.db.userSchedule.delete({ where: { id: booked } });
    }
  });

  it('lists a slot exactly BOOKING_MIN_NOTICE_MINUTES ahead, as booking accepts it, and not a moment later', async () => {
    const d = ahead(2);
    const at = (ms: number) => new Date(new Date(`${d.iso}T09:00:00+07:00`).getTime() + ms); // facial 10:00 is 60 minutes ahead
    const listed = async () =>
      ((await t.http.post('/user_schedules/check/doctor/availability').send({ id_doctors: doctorId, id_services: facial })).body as any[])
        .find((x) => x.schedule === d.iso)
        ?.doctors.map((s: any) => s.jam_mulai)
        .slice(0, 2);
    const slot = (await slotOf(facial, d.hari, '10:00')).id;
    try {
      t.app.now = () => at(1);
      expect(await listed()).toEqual(['10:30', '11:00']);
      expect((await book(customer, slot, d.dmy)).status).toBe(422);
      t.app.now = () => at(0);
      expect(await listed()).toEqual(['10:00', '10:30']);
      const res = await book(customer, slot, d.dmy);
      expect(res.status).toBe(200);
      await t.app.db.userSchedule.delete({ where: { id: res.body.user_schedules.id } });
    } finally {
      t.app.now = () => new Date();
    }
  });

  it("shows the doctor's new name once it changes, however it was changed", async () => {
    const names = async () => {
      const res = await t.http.post('/user_schedules/check/doctor/availability').send({ id_doctors: doctorId, id_services: facial });
      expect(res.status).toBe(200);
      return [...new Set((res.body as any[]).flatMap((d) => d.doctors.map((s: any) => s.doctors)))];
    };
    const old = await names();
    expect(old).toHaveLength(1);
    try {
      await t.app.db.user.update({ where: { id: doctorUser.id }, data: { users_fullname: 'dr. Renamed, Sp.KK' } });
      await t.app.reads.settle(); // heard by now (a polling deadline could pass first on a loaded machine)
      expect(await names()).toEqual(['dr. Renamed, Sp.KK']);
    } finally {
      await t.app.db.user.update({ where: { id: doctorUser.id }, data: { users_fullname: old[0] } });
    }
  });

  it('404s for an unknown doctor and 400s without one', async () => {
    expect((await t.http.post('/user_schedules/check/doctor/availability').send({ id_doctors: 99999 })).status).toBe(404);
    expect((await t.http.post('/user_schedules/check/doctor/availability').send({})).status).toBe(400);
  });
});

describe('appointment lifecycle and access', () => {
  let id: number;
  it('reschedules to a free slot, counts, and refuses a taken one', async () => {
    const d = ahead(17);
    const created = await book(customer, (await slotOf(facial, d.hari, '09:00')).id, d.dmy);
    id = created.body.user_schedules.id;
    const taken = await book(other, (await slotOf(facial, d.hari, '09:30')).id, d.dmy, otherPatient);
    expect(taken.status).toBe(200);
    const clash = await t.http.put(`/user_schedules/${id}/reschedule`).set(t.auth(customer)).send({ id_doctor_schedules: (await slotOf(facial, d.hari, '09:30')).id, tanggal: d.dmy });
    expect(clash.status).toBe(409);
    const moved = await t.http.put(`/user_schedules/${id}/reschedule`).set(t.auth(customer)).send({ id_doctor_schedules: (await slotOf(facial, d.hari, '11:30')).id, tanggal: d.iso });
    expect(moved.status).toBe(200);
    expect(moved.body.user_schedules).toMatchObject({ status: 'RESCHEDULE', jam: '11:30:00', reschedule_counts: 1 });
    // the old 09:00 slot is free again
    expect((await book(other, (await slotOf(facial, d.hari, '09:00')).id, d.dmy, otherPatient)).status).toBe(200);
  });

  it('stops at the maximum number of reschedules', async () => {
    const d = ahead(18);
    for (const jam of ['09:00', '09:30', '10:00']) {
      const r = await t.http.put(`/user_schedules/${id}/reschedule`).set(t.auth(admin)).send({ id_doctor_schedules: (await slotOf(facial, d.hari, jam)).id, tanggal: d.dmy });
      expect(r.status).toBe(jam === '10:00' ? 422 : 200);
    }
  });

  it('keeps customers to their own appointments', async () => {
    expect((await t.http.get(`/user_schedules/${id}`).set(t.auth(other))).status).toBe(404);
    expect((await t.http.put(`/user_schedules/${id}/cancel`).set(t.auth(other)).send({})).status).toBe(404);
    const mine = await t.http.post('/user_schedules/explore?page=1&length=100').set(t.auth(other)).send({});
    expect(mine.body.data.every((r: any) => r.id_users === other.id)).toBe(true);
    const doc = await t.http.post('/user_schedules/search').set(t.auth(doctorUser)).send({ status_array: ['BOOKING', 'RESCHEDULE'] });
    expect(doc.body.user_schedules.length).toBeGreaterThan(0);
    expect(doc.body.user_schedules.every((r: any) => r.id_doctors === doctorId)).toBe(true);
    expect((await t.http.put(`/user_schedules/${id}/arrived`).set(t.auth(customer))).status).toBe(403);
  });

  it('moves ARRIVED → DONE and refuses wrong transitions with 409', async () => {
    expect((await t.http.put(`/user_schedules/${id}/done`).set(t.auth(admin)).send({ digisoft_invoice_numbers: 'X' })).status).toBe(409);
    // the patient arrives on the appointment's day (08:00 WIB = 01:00 UTC)
    const realNow = t.app.now;
    t.app.now = () => new Date(`${ahead(18).iso}T01:00:00Z`);
    try {
      expect((await t.http.put(`/user_schedules/${id}/arrived`).set(t.auth(doctorUser))).body).toEqual({ arrived: true });
    } finally {
      t.app.now = realNow;
    }
    expect((await t.http.put(`/user_schedules/${id}/done`).set(t.auth(admin)).send({ digisoft_invoice_numbers: '0001/2023/02-IORA' })).body).toEqual({ done: true });
    const row = await t.app.db.userSchedule.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: 'DONE', digisoft_invoice_numbers: '0001/2023/02-IORA' });
    expect((await t.http.put(`/user_schedules/${id}/cancel`).set(t.auth(admin)).send({})).status).toBe(409);
  });

  it('refuses a customer cancel inside the cut-off, but lets staff cancel', async () => {
    // tomorrow is always less than the 3-day cut-off configured above away
    const d = ahead(1);
    const late = await t.app.db.userSchedule.create({
      data: {
        id_doctors: doctorId,
        id_services: facial,
        id_doctor_schedules: (await slotOf(facial, d.hari, '11:30')).id,
        id_users: customer.id,
        id_patients: patient,
        hari: d.hari,
        tanggal: new Date(`${d.iso}T00:00:00Z`),
        jam: new Date('1970-01-01T11:30:00Z'),
        jam_selesai: new Date('1970-01-01T12:00:00Z'),
      },
    });
    expect((await t.http.put(`/user_schedules/${late.id}/cancel`).set(t.auth(customer)).send({})).status).toBe(422);
    expect((await t.http.put(`/user_schedules/${late.id}/cancel`).set(t.auth(admin)).send({})).status).toBe(200);
  });

  it('moves through update like reschedule, and staff delete hides the row and frees the slot', async () => {
    const d = ahead(20);
    const created = await book(customer, (await slotOf(facial, d.hari, '09:00')).id, d.dmy);
    const aid = created.body.user_schedules.id;
    const upd = await t.http.put(`/user_schedules/${aid}/update`).set(t.auth(customer)).send({ id_doctor_schedules: (await slotOf(facial, d.hari, '10:00')).id, tanggal: d.dmy });
    expect(upd.body.user_schedules).toMatchObject({ status: 'RESCHEDULE', jam: '10:00:00', reschedule_counts: 1 });
    expect((await t.http.delete(`/user_schedules/${aid}/delete`).set(t.auth(customer))).status).toBe(403);
    expect((await t.http.delete(`/user_schedules/${aid}/delete`).set(t.auth(admin))).body).toEqual({ deleted: true });
    expect((await t.http.get(`/user_schedules/${aid}`).set(t.auth(admin))).status).toBe(404);
    expect((await book(other, (await slotOf(facial, d.hari, '10:00')).id, d.dmy, otherPatient)).status).toBe(200);
  });

  it('gives the table, timeline and users/data next_appointments', async () => {
    const table = await t.http.post('/user_schedules/table').set(t.auth(admin)).send({ draw: 3, start: 0, length: 5, order: [{ column: 9, dir: 'asc' }] });
    expect(table.status).toBe(200);
    expect(table.body).toMatchObject({ draw: 3, recordsTotal: expect.any(Number) });
    expect(table.body.data[0]).toHaveLength(20);

    const tl = await t.http.post('/user_schedules/timeline').set(t.auth(admin)).send({ date_from: ahead(0).dmy, date_to: ahead(20).dmy });
    expect(tl.status).toBe(200);
    const ev = tl.body.events.find((e: any) => e.extendedProps.id === id);
    expect(ev).toMatchObject({ title: expect.any(String), description: 'Facial', extendedProps: { status: 'DONE', patients: 'Rita Ambar' } });
    expect(ev.start).toMatch(/^\d{4}-\d{2}-\d{2}T09:30:00$/);
    expect(tl.body.events.every((e: any) => e.extendedProps.status !== 'CANCEL')).toBe(true);

    const me = await t.http.get('/users/data').set(t.auth(other));
    expect(me.body.users.next_appointments.length).toBeGreaterThan(0);
    expect(me.body.users.next_appointments[0]).toMatchObject({ extendedProps: { client: expect.any(String), status: expect.any(String) } });
    const docMe = await t.http.get('/users/data').set(t.auth(doctorUser));
    // a list, as the document's `"doctors": []`: the doctor's own profile in it
    expect(docMe.body.users.doctors).toEqual([expect.objectContaining({ id: doctorId, users: expect.objectContaining({ id: doctorUser.id }) })]);
    expect((await t.http.get('/users/data').set(t.auth(other))).body.users.doctors).toEqual([]);
  });

  it('sorts the table by starts (column 17) in time order, also within one day', async () => {
    const d = ahead(29);
    // the later time booked first and the earlier one after it: not the order of the ids
    for (const [jam, who, p] of [['10:30', customer, patient], ['09:00', other, otherPatient]] as const) {
      expect((await book(who, (await slotOf(facial, d.hari, jam)).id, d.dmy, p)).status).toBe(200);
    }
    expect((await book(customer, (await slotOf(facial, d.hari, '11:30')).id, d.dmy)).status).toBe(200);
    const sorted = async (dir: string) => {
      const res = await t.http.post('/user_schedules/table').set(t.auth(admin)).send({ draw: 1, start: 0, length: 10, date_from: d.dmy, date_to: d.dmy, order: [{ column: 17, dir }] });
      expect(res.status).toBe(200);
      return (res.body.data as unknown[][]).map((row) => row[17]);
    };
    expect(await sorted('asc')).toEqual([`${d.iso}T09:00:00`, `${d.iso}T10:30:00`, `${d.iso}T11:30:00`]);
    expect(await sorted('desc')).toEqual([`${d.iso}T11:30:00`, `${d.iso}T10:30:00`, `${d.iso}T09:00:00`]);
  });
});

describe('the nested patient', () => {
  it("carries the patient's profile and health notes only to callers who may read that patient", async () => {
    await t.app.db.patient.update({ where: { id: patient }, data: { catatan: 'Kurang gizi', golongan_darah: 'O', no_identitas: '3173000000000001' } });
    const d = ahead(26);
    // staff books the customer's patient under another account (e.g. a relative who pays)
    const res = await t.http
      .post('/user_schedules/create')
      .set(t.auth(admin))
      .send({ id_doctor_schedules: (await slotOf(facial, d.hari, '11:30')).id, tanggal: d.dmy, id_patients: patient, id_users: other.id });
    expect(res.status).toBe(200);
    expect(res.body.user_schedules.patients).toMatchObject({ id: patient, catatan: 'Kurang gizi', golongan_darah: 'O' });
    const id = res.body.user_schedules.id;

    // the account holding the booking sees it, but not the profile of a patient it does not manage
    const holder = await t.http.get(`/user_schedules/${id}`).set(t.auth(other));
    expect(holder.status).toBe(200);
    expect(holder.body.user_schedules.patients).toMatchObject({ id: patient, nama_lengkap_pasien: 'Rita Ambar', catatan: null, golongan_darah: null, no_identitas: null, tanggal_lahir: null });
    // the appointment's doctor and the managing customer (through their own booking) do
    const doc = await t.http.get(`/user_schedules/${id}`).set(t.auth(doctorUser));
    expect(doc.body.user_schedules.patients).toMatchObject({ catatan: 'Kurang gizi', no_identitas: '3173000000000001' });
    const e = ahead(26);
    const own = await book(customer, (await slotOf(facial, e.hari, '10:30')).id, e.dmy);
    expect(own.status).toBe(200);
    expect(own.body.user_schedules.patients).toMatchObject({ catatan: 'Kurang gizi', golongan_darah: 'O' });
  });

  // The patients module hides a soft-deleted patient; its appointments used to go on serving the
  // patient's health and identity data to the doctor and the customer.
  it('carries only the name of a soft-deleted patient to the doctor and the customer (staff still see it)', async () => {
    const pid = (await t.app.db.patient.create({ data: { id_users: customer.id, nama_lengkap_pasien: 'Dihapus Nanti', catatan: 'Riwayat psoriasis', golongan_darah: 'AB', no_identitas: '3173000000000002' } })).id;
    const d = ahead(28);
    const booked = await book(customer, (await slotOf(facial, d.hari, '09:00')).id, d.dmy, pid);
    expect(booked.status).toBe(200);
    expect(booked.body.user_schedules.patients).toMatchObject({ catatan: 'Riwayat psoriasis' });
    expect((await t.http.delete(`/patients/${pid}/delete`).set(t.auth(customer))).status).toBe(200);
    for (const u of [doctorUser, customer]) {
      expect((await t.http.get(`/patients/${pid}`).set(t.auth(u))).status).toBe(404);
      const res = await t.http.get(`/user_schedules/${booked.body.user_schedules.id}`).set(t.auth(u));
      expect(res.status).toBe(200);
      expect(res.body.user_schedules.patients).toMatchObject({ id: pid, nama_lengkap_pasien: 'Dihapus Nanti', catatan: null, golongan_darah: null, no_identitas: null, tanggal_lahir: null });
    }
    const staff = await t.http.get(`/user_schedules/${booked.body.user_schedules.id}`).set(t.auth(admin));
    expect(staff.body.user_schedules.patients).toMatchObject({ catatan: 'Riwayat psoriasis', golongan_darah: 'AB' });
  });
});

describe('rescheduling to another doctor', () => {
  it('tells the customer, the new doctor and the doctor who loses the appointment (each once)', async () => {
    const A = t.auth(admin);
    const secondUser = await t.user(['DOCTOR']);
    const second = (await t.http.post('/doctors/create').set(A).send({ id_users: secondUser.id, id_services: facial, is_active: 1 })).body.doctors.id;
    expect((await t.http.post('/doctor_services/create').set(A).send({ id_doctors: second, id_services: facial, is_active: 1 })).status).toBe(200);
    for (const hari of DAYS) await t.http.post('/schedules/create').set(A).send({ id_doctors: second, hari, jam: '09:00', jam_selesai: '10:00' });
    expect((await t.http.post('/doctor_schedules/generate').set(A).send({ id_doctors: second })).status).toBe(200);
    const secondSlot = async (hari: string, jam: string) =>
      (await t.app.db.doctorSchedule.findFirstOrThrow({ where: { id_doctors: second, hari, jam: new Date(`1970-01-01T${jam}:00Z`) } })).id;

    const d = ahead(22);
    const booked = await book(customer, (await slotOf(facial, d.hari, '10:30')).id, d.dmy);
    expect(booked.status).toBe(200);
    const id = booked.body.user_schedules.id;
    const moved = await t.http.put(`/user_schedules/${id}/reschedule`).set(t.auth(customer)).send({ id_doctor_schedules: await secondSlot(d.hari, '09:00'), tanggal: d.dmy });
    expect(moved.status).toBe(200);
    expect(moved.body.user_schedules).toMatchObject({ id_doctors: second, status: 'RESCHEDULE' });
    const rescheduled = async () =>
      (await t.app.db.notification.findMany({ where: { reference_type: 'user_schedules', reference_id: id, intentions: 'appointment_rescheduled' }, orderBy: { id: 'asc' } })).map((n) => [n.id_user_to, n.content]);
    expect(await rescheduled()).toEqual([
      [customer.id, expect.stringContaining('dijadwalkan ulang ke')],
      [secondUser.id, expect.stringContaining('dijadwalkan ulang ke')],
      [doctorUser.id, expect.stringContaining(`dipindahkan ke Test ${secondUser.username}`)],
    ]);
    // moved within the same doctor: the first doctor hears nothing more
    expect((await t.http.put(`/user_schedules/${id}/reschedule`).set(t.auth(customer)).send({ id_doctor_schedules: await secondSlot(d.hari, '09:30'), tanggal: d.dmy })).status).toBe(200);
    expect((await rescheduled()).map(([to]) => to)).toEqual([customer.id, secondUser.id, doctorUser.id, customer.id, secondUser.id]);
  });
});

describe('changes that upcoming bookings rely on', () => {
  /** a new doctor with facial and peel slots 09:00-12:00 every day */
  async function newDoctor() {
    const A = t.auth(admin);
    const u = await t.user(['DOCTOR']);
    const id = (await t.http.post('/doctors/create').set(A).send({ id_users: u.id, is_active: 1 })).body.doctors.id as number;
    for (const id_services of [facial, peel]) await t.http.post('/doctor_services/create').set(A).send({ id_doctors: id, id_services });
    for (const hari of DAYS) await t.http.post('/schedules/create').set(A).send({ id_doctors: id, hari, jam: '09:00', jam_selesai: '12:00' });
    expect((await t.http.post('/doctor_schedules/generate').set(A).send({ id_doctors: id })).status).toBe(200);
    const slot = async (service: number, hari: string, jam: string) =>
      t.app.db.doctorSchedule.findFirstOrThrow({ where: { id_doctors: id, id_services: service, hari, jam: new Date(`1970-01-01T${jam}:00Z`), deleted_at: null } });
    return { id, slot };
  }
  const free = async (id_doctors: number, iso: string) =>
    (((await t.http.post('/user_schedules/check/doctor/availability').send({ id_doctors, id_services: peel })).body as any[]).find((x) => x.schedule === iso)?.doctors ?? []).map(
      (s: any) => [s.id, s.jam_mulai],
    );

  it("refuses to move a slot's time while it has active upcoming bookings (409), but allows other edits", async () => {
    const A = t.auth(admin);
    const doc = await newDoctor();
    const d = ahead(23);
    const slot = await doc.slot(peel, d.hari, '09:00');
    const booked = await book(customer, slot.id, d.dmy);
    expect(booked.status).toBe(200);
    const facialDs = (await doc.slot(facial, d.hari, '09:00')).id_doctor_services;
    for (const change of [{ jam: '11:30' }, { hari: ahead(24).hari, jam: '12:30' }, { id_doctor_services: facialDs, jam: '12:30' }]) {
      const res = await t.http.put(`/doctor_schedules/${slot.id}/update`).set(A).send(change);
      expect([res.status, res.body.message]).toEqual([409, 'This slot has 1 active booking from today on; reschedule or cancel it first']);
    }
    expect(await t.app.db.doctorSchedule.findUniqueOrThrow({ where: { id: slot.id } })).toMatchObject({ jam: slot.jam, hari: slot.hari, id_services: peel });
    expect(await free(doc.id, d.iso)).toEqual([[(await doc.slot(peel, d.hari, '10:00')).id, '10:00'], [(await doc.slot(peel, d.hari, '11:00')).id, '11:00']]);
    // edits that keep the time stay allowed
    const price = await t.http.put(`/doctor_schedules/${slot.id}/update`).set(A).send({ custom_price: 250000, is_active: 0, jam: '09:00' });
    expect(price.status).toBe(200);
    expect(price.body.doctor_schedules).toMatchObject({ custom_price: 250000, is_active: 0, jam: '09:00:00' });
    // once the booking is cancelled the slot may move
    await t.http.put(`/user_schedules/${booked.body.user_schedules.id}/cancel`).set(t.auth(customer)).send({ cancel_reason: 'x' });
    const moved = await t.http.put(`/doctor_schedules/${slot.id}/update`).set(A).send({ jam: '11:30', is_active: 1 });
    expect(moved.status).toBe(200);
    expect(await free(doc.id, d.iso)).toContainEqual([slot.id, '11:30']);
  });

  it('a booking and a move of its slot at the same time: the booking never keeps a time the slot left', async () => {
    const A = t.auth(admin);
    const doc = await newDoctor();
    const d = ahead(23);
    const slot = await doc.slot(peel, d.hari, '10:00');
    for (const jam of ['11:30', '10:00', '11:30', '10:00']) {
      const [booked, moved] = await Promise.all([book(other, slot.id, d.dmy, otherPatient), t.http.put(`/doctor_schedules/${slot.id}/update`).set(A).send({ jam })]);
      const now = await t.app.db.doctorSchedule.findUniqueOrThrow({ where: { id: slot.id } });
      const active = await t.app.db.userSchedule.findMany({ where: { id_doctor_schedules: slot.id, active_slot: 1 } });
      expect(active.every((a) => a.jam.getTime() === now.jam.getTime())).toBe(true);
      expect([booked.status, moved.status]).not.toContainEqual(500);
      if (booked.status === 200) await t.http.delete(`/user_schedules/${booked.body.user_schedules.id}/delete`).set(A);
      if (moved.status !== 200) expect((await t.http.put(`/doctor_schedules/${slot.id}/update`).set(A).send({ jam })).status).toBe(200);
    }
  });

  it('refuses to delete a slot or a doctor with active upcoming bookings (409); past and cancelled ones do not count', async () => {
    const A = t.auth(admin);
    const doc = await newDoctor();
    const d = ahead(24);
    const slot = await doc.slot(peel, d.hari, '09:00');
    const other2 = await doc.slot(facial, d.hari, '11:00');
    const first = await book(customer, slot.id, d.dmy);
    expect(first.status).toBe(200);
    expect((await book(other, other2.id, d.dmy, otherPatient)).status).toBe(200);
    // a booking in the past that was never closed does not hold the doctor
    const past = ahead(-3);
    await t.app.db.userSchedule.create({
      data: { id_doctors: doc.id, id_services: facial, id_doctor_schedules: (await doc.slot(facial, past.hari, '10:00')).id, id_users: customer.id, id_patients: patient, hari: past.hari, tanggal: new Date(`${past.iso}T00:00:00Z`), jam: new Date('1970-01-01T10:00:00Z'), jam_selesai: new Date('1970-01-01T10:30:00Z'), status: 'BOOKING', active_slot: 1 },
    });

    const delSlot = await t.http.delete(`/doctor_schedules/${slot.id}/delete`).set(A);
    expect([delSlot.status, delSlot.body.message]).toEqual([409, 'This slot has 1 active booking from today on; reschedule or cancel it first']);
    const delDoc = await t.http.delete(`/doctors/${doc.id}/delete`).set(A);
    expect([delDoc.status, delDoc.body.message]).toEqual([409, 'This doctor has 2 active bookings from today on; reschedule or cancel them first']);
    expect(await t.app.db.doctorSchedule.findUniqueOrThrow({ where: { id: slot.id } })).toMatchObject({ deleted_at: null });
    expect(await t.app.db.doctor.findUniqueOrThrow({ where: { id: doc.id } })).toMatchObject({ deleted_at: null });
    expect(await t.app.db.userSchedule.count({ where: { id_doctors: doc.id, status: 'BOOKING', active_slot: 1 } })).toBe(3);

    await t.http.put(`/user_schedules/${first.body.user_schedules.id}/cancel`).set(A).send({ cancel_reason: 'x' });
    expect((await t.http.delete(`/doctor_schedules/${slot.id}/delete`).set(A)).body).toEqual({ deleted: true });
    expect((await t.http.delete(`/doctors/${doc.id}/delete`).set(A)).status).toBe(409);
    await t.app.db.userSchedule.updateMany({ where: { id_doctors: doc.id, tanggal: new Date(`${d.iso}T00:00:00Z`) }, data: { status: 'CANCEL', active_slot: null } });
    expect((await t.http.delete(`/doctors/${doc.id}/delete`).set(A)).body).toEqual({ deleted: true });
  });

  it('refuses a holiday over a day with active bookings of any doctor (409), on create and on update', async () => {
    const A = t.auth(admin);
    const doc = await newDoctor();
    const d = ahead(25);
    const a = await book(customer, (await doc.slot(peel, d.hari, '09:00')).id, d.dmy);
    const b = await book(other, (await slotOf(facial, d.hari, '11:00')).id, d.dmy, otherPatient);
    expect([a.status, b.status]).toEqual([200, 200]);
    const refused = `${d.iso} has 2 active bookings from today on; reschedule or cancel them first`;
    const create = await t.http.post('/holidays/create').set(A).send({ dates: d.dmy, descriptions: 'Cuti bersama' });
    expect([create.status, create.body.message]).toEqual([409, refused]);
    expect(await t.app.db.holiday.count({ where: { dates: new Date(`${d.iso}T00:00:00Z`) } })).toBe(0);

    const elsewhere = await t.http.post('/holidays/create').set(A).send({ dates: ahead(27).dmy, descriptions: 'Cuti' });
    expect(elsewhere.status).toBe(200);
    const hid = elsewhere.body.holidays.id;
    const move = await t.http.put(`/holidays/${hid}/update`).set(A).send({ dates: d.dmy });
    expect([move.status, move.body.message]).toEqual([409, refused]);
    expect((await t.http.put(`/holidays/${hid}/update`).set(A).send({ descriptions: 'Cuti bersama' })).status).toBe(200);
    expect(await t.app.db.holiday.findUniqueOrThrow({ where: { id: hid } })).toMatchObject({ dates: new Date(`${ahead(27).iso}T00:00:00Z`), descriptions: 'Cuti bersama' });
    // the bookings stay as they were, and availability still shows the day
    expect(await t.app.db.userSchedule.count({ where: { tanggal: new Date(`${d.iso}T00:00:00Z`), status: 'BOOKING', active_slot: 1 } })).toBe(2);
    expect((await free(doc.id, d.iso)).length).toBeGreaterThan(0);

    for (const r of [a, b]) await t.http.put(`/user_schedules/${r.body.user_schedules.id}/cancel`).set(A).send({ cancel_reason: 'Libur' });
    expect((await t.http.put(`/holidays/${hid}/update`).set(A).send({ dates: d.dmy })).status).toBe(200);
    expect((await t.http.delete(`/holidays/${hid}/delete`).set(A)).body).toEqual({ deleted: true });
  });
});

describe('arrival (check-in) happens on the appointment day, Asia/Jakarta', () => {
  /** an appointment stored as booked, on `iso` at `jam` (HH:mm), of the facial slot of that weekday and time */
  async function stored(iso: string, jam: string) {
    const hari = DAYS[new Date(`${iso}T00:00:00Z`).getUTCDay()]!;
    const slot = await slotOf(facial, hari, jam);
    const [h, m] = jam.split(':').map(Number) as [number, number];
    return t.app.db.userSchedule.create({
      data: {
        id_doctors: doctorId,
        id_services: facial,
        id_doctor_schedules: slot.id,
        id_users: customer.id,
        id_patients: patient,
        hari,
        tanggal: new Date(`${iso}T00:00:00Z`),
        jam: new Date(Date.UTC(1970, 0, 1, h, m)),
        jam_selesai: new Date(Date.UTC(1970, 0, 1, h, m + 30)),
      },
    });
  }
  const arrive = (u: TestUser, id: number) => t.http.put(`/user_schedules/${id}/arrived`).set(t.auth(u));

  it('refuses an appointment of a later day (422, nothing changes), also for its doctor; accepts it on its day', async () => {
    const realNow = t.app.now;
    try {
      // 06:00 WIB on 2 March 2032 is still 1 March in UTC
      t.app.now = () => new Date('2032-03-01T23:00:00Z');
      const today = await stored('2032-03-02', '11:30');
      const tomorrow = await stored('2032-03-03', '09:00');
      for (const u of [admin, doctorUser]) {
        const early = await arrive(u, tomorrow.id);
        expect(early.status).toBe(422);
      }
      expect(await t.app.db.userSchedule.findUniqueOrThrow({ where: { id: tomorrow.id } })).toMatchObject({ status: 'BOOKING', arrived_datetime: null });
      // done needs an arrival first
      expect((await t.http.put(`/user_schedules/${tomorrow.id}/done`).set(t.auth(admin)).send({})).status).toBe(409);
      expect((await arrive(doctorUser, today.id)).body).toEqual({ arrived: true });
      // the next clinic day (00:00 WIB on 3 March), the other one may arrive too
      t.app.now = () => new Date('2032-03-02T17:00:00Z');
      expect((await arrive(admin, tomorrow.id)).body).toEqual({ arrived: true });
    } finally {
      t.app.now = realNow;
    }
  });
});
