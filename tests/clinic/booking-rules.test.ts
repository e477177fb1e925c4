import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinicDay, formatDate } from '../../src/lib/dates.js';
import { dayName } from '../../src/modules/clinic/booking.service.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';

// Booking rules around the patient, the date window and the catalogue. The races show on PostgreSQL
// (TEST_DATABASE_URL); PGlite runs one statement at a time, so there they run one after the other.
let t: TestApp;
let admin: TestUser;
let customer: TestUser;
let other: TestUser;
let patient: number;
let otherPatient: number;
let facial: number;

/** the clinic date `days` from today (UTC midnight) */
const ahead = (days: number) => new Date(clinicDay(new Date()).getTime() + days * 86_400_000);
const dmy = (d: Date) => {
  const iso = formatDate(d)!;
  return `${iso.slice(8)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
};

/** a new active doctor offering `service` (facial by default) */
async function newDoctor(service = facial) {
  const u = await t.user(['DOCTOR']);
  const doctor = await t.app.db.doctor.create({ data: { id_users: u.id, is_active: 1 } });
  const ds = await t.app.db.doctorService.create({ data: { id_doctors: doctor.id, id_services: service, is_active: 1 } });
  /** a 30-minute slot of this doctor on the weekday of `day` at h:m */
  const slot = async (day: Date, h: number, m = 0) =>
    (
      await t.app.db.doctorSchedule.create({
        data: { id_doctors: doctor.id, id_doctor_services: ds.id, id_services: service, hari: dayName(day), jam: new Date(Date.UTC(1970, 0, 1, h, m)), jam_selesai: new Date(Date.UTC(1970, 0, 1, h, m + 30)) },
      })
    ).id;
  return { id: doctor.id, user: u, slot };
}

const book = (u: TestUser, slot: number, day: Date, id_patients = patient) =>
  t.http.post('/user_schedules/create').set(t.auth(u)).send({ id_doctor_schedules: slot, tanggal: dmy(day), id_patients });
const reschedule = (u: TestUser, id: number, slot: number, day: Date) =>
  t.http.put(`/user_schedules/${id}/reschedule`).set(t.auth(u)).send({ id_doctor_schedules: slot, tanggal: dmy(day) });
const active = (where: Record<string, unknown>) => t.app.db.userSchedule.count({ where: { ...where, active_slot: 1 } });

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
  other = await t.user(['CUSTOMER']);
  facial = (await t.app.db.service.create({ data: { services_name: 'Facial', buffer_time: 30 } })).id;
  patient = (await t.app.db.patient.create({ data: { id_users: customer.id, nama_lengkap_pasien: 'Rita Ambar' } })).id;
  otherPatient = (await t.app.db.patient.create({ data: { id_users: other.id, nama_lengkap_pasien: 'Orang Lain' } })).id;
});
afterAll(() => t.close());

describe('a patient is in one place at a time', () => {
  it('refuses a second booking of the patient at an overlapping time with another doctor (409), also to staff', async () => {
    const [a, b] = [await newDoctor(), await newDoctor()];
    const day = ahead(3);
    expect((await book(customer, await a.slot(day, 9), day)).status).toBe(200);
    const [same, partly] = [await b.slot(day, 9), await b.slot(day, 9, 15)];
    for (const [u, slot] of [[customer, partly], [admin, same]] as const) {
      const res = await book(u, slot, day);
      expect([res.status, res.body.message]).toEqual([409, 'The patient has another appointment at that time']);
    }
    expect(await active({ id_patients: patient, tanggal: day })).toBe(1);
    // right after it, or another patient at the same time, is fine
    expect((await book(customer, await b.slot(day, 9, 30), day)).status).toBe(200);
    expect((await book(other, same, day, otherPatient)).status).toBe(200);
  });

  it('refuses a reschedule onto a time the patient is booked at with another doctor (409)', async () => {
    const [a, b] = [await newDoctor(), await newDoctor()];
    const day = ahead(4);
    const first = await book(customer, await a.slot(day, 10), day);
    const second = await book(customer, await b.slot(day, 11), day);
    expect([first.status, second.status]).toEqual([200, 200]);
    const target = await b.slot(day, 10);
    const res = await reschedule(customer, second.body.user_schedules.id, target, day);
    expect([res.status, res.body.message]).toEqual([409, 'The patient has another appointment at that time']);
    // moving over its own time, or once the other is cancelled, is fine
    expect((await reschedule(customer, first.body.user_schedules.id, await a.slot(day, 10, 15), day)).status).toBe(200);
    await t.http.put(`/user_schedules/${first.body.user_schedules.id}/cancel`).set(t.auth(admin)).send({ cancel_reason: 'x' });
    expect((await reschedule(customer, second.body.user_schedules.id, target, day)).status).toBe(200);
  });

  it('lets one of concurrent bookings and reschedules of one patient at one time (different doctors) win', async () => {
    const doctors = [await newDoctor(), await newDoctor(), await newDoctor(), await newDoctor()];
    const day = ahead(5);
    const elsewhere = await book(customer, await doctors[0]!.slot(day, 14), day);
    expect(elsewhere.status).toBe(200);
    const slots = await Promise.all(doctors.map((d) => d.slot(day, 9)));
    const results = await Promise.all([
      ...slots.slice(1).map((s) => book(customer, s, day)),
      reschedule(customer, elsewhere.body.user_schedules.id, slots[0]!, day),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    const rows = await t.app.db.userSchedule.findMany({ where: { id_patients: patient, tanggal: day, active_slot: 1 } });
    expect(rows.filter((r) => r.jam.getUTCHours() === 9)).toHaveLength(1);
  });
});

describe('how far ahead', () => {
  it('lets customers book and reschedule only within the days availability shows (BOOKING_AVAILABILITY_DAYS); staff further', async () => {
    const doc = await newDoctor();
    const days = t.app.config.BOOKING_AVAILABILITY_DAYS;
    const last = ahead(days - 1);
    const beyond = ahead(days);
    const far = new Date(Date.UTC(2099, 0, 5));
    const [lastSlot, beyondSlot, farSlot] = [await doc.slot(last, 9), await doc.slot(beyond, 10), await doc.slot(far, 11)];
    const listed = ((await t.http.post('/user_schedules/check/doctor/availability').send({ id_doctors: doc.id })).body as any[]).map((d) => d.schedule);
    expect(listed).toContain(formatDate(last));
    expect(listed).not.toContain(formatDate(beyond));

    const message = `appointments can be booked at most ${days} days ahead (until ${formatDate(last)})`;
    for (const [slot, day] of [[beyondSlot, beyond], [farSlot, far]] as const) {
      const res = await book(customer, slot, day);
      expect([res.status, res.body.errors]).toEqual([422, [{ field: 'tanggal', message }]]);
    }
    const ok = await book(customer, lastSlot, last);
    expect(ok.status).toBe(200);
    const moved = await reschedule(customer, ok.body.user_schedules.id, beyondSlot, beyond);
    expect([moved.status, moved.body.errors]).toEqual([422, [{ field: 'tanggal', message }]]);
    expect(await active({ id_doctors: doc.id })).toBe(1);
    // staff plan further ahead (a follow-up in some months)
    expect((await book(admin, farSlot, far)).status).toBe(200);
    expect((await reschedule(admin, ok.body.user_schedules.id, beyondSlot, beyond)).status).toBe(200);
  });
});

describe('deleting a service that upcoming bookings rely on', () => {
  it('is refused with 409 like a slot or doctor; a booking racing it never keeps a deleted service', async () => {
    const peel = (await t.app.db.service.create({ data: { services_name: 'Art Peel', buffer_time: 30 } })).id;
    const doc = await newDoctor(peel);
    const day = ahead(6);
    const booked = await book(customer, await doc.slot(day, 9), day);
    expect(booked.status).toBe(200);
    const del = await t.http.delete(`/services/${peel}/delete`).set(t.auth(admin));
    expect([del.status, del.body.message]).toEqual([409, 'This service has 1 active booking from today on; reschedule or cancel it first']);
    expect(await t.app.db.service.findUniqueOrThrow({ where: { id: peel } })).toMatchObject({ deleted_at: null });

    await t.http.put(`/user_schedules/${booked.body.user_schedules.id}/cancel`).set(t.auth(admin)).send({ cancel_reason: 'x' });
    // a booking and the delete at the same time: one of them comes first
    const slot = await doc.slot(day, 10);
    const [again, deleted] = await Promise.all([book(other, slot, day, otherPatient), t.http.delete(`/services/${peel}/delete`).set(t.auth(admin))]);
    expect([again.status, deleted.status].sort()).toEqual(again.status === 200 ? [200, 409] : [200, 422]);
    const live = await t.app.db.service.findUniqueOrThrow({ where: { id: peel } });
    expect(await active({ id_services: peel })).toBe(live.deleted_at ? 0 : 1);
  });
});
