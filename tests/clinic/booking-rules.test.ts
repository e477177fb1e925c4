import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinicDay, formatDate } from '../../src/lib/dates.js';
import { dayName } from '../../src/modules/clinic/booking.service.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { whileHolding } from '../helpers/interleave.js';

// Booking rules beyond booking.test.ts: the patient's other appointments, how far ahead, the catalogue
// changes bookings rely on, concurrent moves/cancels/bookings, the WIB day boundary and access. The
// races show on PostgreSQL (TEST_DATABASE_URL); PGlite runs one statement at a time (there they run
// one after the other, and the tests holding a lock in a second connection are skipped).
let t: TestApp;
let admin: TestUser;
let customer: TestUser;
let other: TestUser;
let patient: number;
let otherPatient: number;
let facial: number;

/** the clinic date `days` from today, or from the day of `from` (UTC midnight) */
const ahead = (days: number, from = new Date()) => new Date(clinicDay(from).getTime() + days * 86_400_000);
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
    // the window ends with a clinic day: the app's clock held still, so that a run across midnight
    // in Asia/Jakarta (17:00 UTC) cannot move the window between the dates taken here and its checks
    const realNow = t.app.now;
    const now = realNow();
    t.app.now = () => now;
    try {
      const last = ahead(days - 1, now);
      const beyond = ahead(days, now);
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
    } finally {
      t.app.now = realNow;
    }
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

describe('moving, cancelling and booking one slot at the same time', () => {
  it('a reschedule into a slot being booked: exactly one gets it', async () => {
    const doc = await newDoctor();
    const day = ahead(7);
    for (let i = 0; i < 4; i++) {
      const from = await book(customer, await doc.slot(day, 12 + i), day);
      expect(from.status).toBe(200);
      const target = await doc.slot(day, 16 + i);
      const [moved, booked] = await Promise.all([reschedule(customer, from.body.user_schedules.id, target, day), book(other, target, day, otherPatient)]);
      expect([moved.status, booked.status].sort()).toEqual([200, 409]);
      expect(await active({ id_doctor_schedules: target, tanggal: day })).toBe(1);
    }
  });

  it('two appointments rescheduled into one free slot at once: one moves, the other stays where it was', async () => {
    const doc = await newDoctor();
    const day = ahead(8);
    for (let i = 0; i < 4; i++) {
      const a = await book(customer, await doc.slot(day, 8 + i), day);
      const b = await book(other, await doc.slot(day, 12 + i), day, otherPatient);
      expect([a.status, b.status]).toEqual([200, 200]);
      const target = await doc.slot(day, 16 + i);
      const results = await Promise.all([a, b].map((r) => reschedule(admin, r.body.user_schedules.id, target, day)));
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const rows = await t.app.db.userSchedule.findMany({ where: { id: { in: [a, b].map((r) => r.body.user_schedules.id) } } });
      expect(rows.filter((r) => r.id_doctor_schedules === target)).toHaveLength(1);
      expect(rows.every((r) => r.active_slot === 1)).toBe(true);
    }
  });

  it('a cancel and a booking of the same slot: the booking gets it only once the cancel has freed it', async () => {
    const doc = await newDoctor();
    const day = ahead(9);
    for (let i = 0; i < 4; i++) {
      const slot = await doc.slot(day, 9 + i);
      const first = await book(customer, slot, day);
      expect(first.status).toBe(200);
      const [cancelled, booked] = await Promise.all([
        t.http.put(`/user_schedules/${first.body.user_schedules.id}/cancel`).set(t.auth(admin)).send({ cancel_reason: 'x' }),
        book(other, slot, day, otherPatient),
      ]);
      expect(cancelled.status).toBe(200);
      expect([200, 409]).toContain(booked.status);
      expect(await active({ id_doctor_schedules: slot, tanggal: day })).toBe(booked.status === 200 ? 1 : 0);
      // once cancelled, the slot can be booked again
      if (booked.status === 409) expect((await book(other, slot, day, otherPatient)).status).toBe(200);
    }
  });
});

/**
 * Holds the doctor's booking lock in a transaction of its own, runs `request` (which then waits for
 * that lock, after its first look at the slot), lets `change` commit meanwhile, then releases the lock.
 */
const whileBookingWaits = <T>(id_doctors: number, request: () => Promise<T>, change: (tx: any) => Promise<unknown>) =>
  whileHolding(t.app.db, (tx) => tx.$queryRaw`SELECT id FROM doctors WHERE id = ${id_doctors} FOR UPDATE`, request, change);

describe.runIf(process.env.TEST_DATABASE_URL)('a day or slot closed while a booking for it waits for the doctor', () => {
  it('a holiday committed meanwhile (as holidays/create does, under the lock): the booking is refused, nothing booked', async () => {
    const doc = await newDoctor();
    const day = ahead(10);
    const slot = await doc.slot(day, 9);
    const res = await whileBookingWaits(doc.id, () => book(customer, slot, day), (tx) => tx.holiday.create({ data: { dates: day, descriptions: 'Cuti bersama' } }));
    expect([res.status, res.body.errors[0].field]).toEqual([422, 'tanggal']);
    expect(res.body.message).toContain('the clinic is closed');
    expect(await active({ tanggal: day, id_doctors: doc.id })).toBe(0);
    await t.app.db.holiday.deleteMany({ where: { dates: day } });
  });

  it('the slot deactivated (doctor_schedules/:id/unactivate) or the doctor deactivated meanwhile: refused, nothing booked', async () => {
    const doc = await newDoctor();
    const day = ahead(11);
    const slot = await doc.slot(day, 9);
    const closeSlot = () => t.http.put(`/doctor_schedules/${slot}/unactivate`).set(t.auth(admin));
    const res = await whileBookingWaits(doc.id, () => book(customer, slot, day), async () => expect((await closeSlot()).status).toBe(200));
    expect([res.status, res.body.errors[0]]).toEqual([422, { field: 'id_doctor_schedules', message: 'the slot is not active' }]);

    const other2 = await doc.slot(day, 10);
    const off = await whileBookingWaits(doc.id, () => book(customer, other2, day), (tx) => tx.doctor.update({ where: { id: doc.id }, data: { is_active: 0 } }));
    expect([off.status, off.body.errors[0]]).toEqual([422, { field: 'id_doctors', message: 'the doctor is not available' }]);
    expect(await active({ id_doctors: doc.id })).toBe(0);
  });
});

describe('deactivating what existing bookings rely on', () => {
  it('keeps the booked appointments (nobody is told; staff reschedule or cancel them, which tells them)', async () => {
    const doc = await newDoctor();
    const day = ahead(12);
    const slot = await doc.slot(day, 9);
    const booked = await book(customer, slot, day);
    expect(booked.status).toBe(200);
    const id = booked.body.user_schedules.id;
    const told = () => t.app.db.notification.count({ where: { reference_type: 'user_schedules', reference_id: id, intentions: { not: 'appointment_booked' } } });
    expect((await t.http.put(`/doctor_schedules/${slot}/unactivate`).set(t.auth(admin))).status).toBe(200);
    expect((await t.http.put(`/doctors/${doc.id}/update`).set(t.auth(admin)).send({ is_active: 0 })).status).toBe(200);
    expect(await t.app.db.userSchedule.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'BOOKING', active_slot: 1 });
    expect(await told()).toBe(0);
    expect((await t.http.put(`/user_schedules/${id}/cancel`).set(t.auth(admin)).send({ cancel_reason: 'Dokter cuti' })).status).toBe(200);
    expect(await t.app.db.notification.count({ where: { reference_id: id, intentions: 'appointment_cancelled', id_user_to: customer.id } })).toBe(1);
  });
});

describe('availability and booking agree', () => {
  it('at the clinic day boundary, 23:00, 23:30 and 00:10 WIB: today is the WIB date, the notice counts across midnight, and what is listed is bookable', async () => {
    const doc = await newDoctor();
    // Monday 6 January 2031 and the Tuesday after it, far from any other test's dates
    const mon = new Date(Date.UTC(2031, 0, 6));
    const tue = new Date(Date.UTC(2031, 0, 7));
    const late = await doc.slot(mon, 23, 15); // ends 23:45 (a slot ends by midnight)
    const [early, half, later] = [await doc.slot(tue, 0, 0), await doc.slot(tue, 0, 30), await doc.slot(tue, 1, 30)];
    const listed = async (u?: TestUser) => {
      const req = t.http.post('/user_schedules/check/doctor/availability').send({ id_doctors: doc.id });
      const res = await (u ? req.set(t.auth(u)) : req);
      expect(res.status).toBe(200);
      return (res.body as any[]).filter((d) => d.schedule <= '2031-01-07').map((d) => [d.schedule, d.doctors.map((s: any) => s.jam_mulai)]);
    };
    const realNow = t.app.now;
    try {
      t.app.now = () => new Date('2031-01-06T16:00:00Z'); // Monday 23:00 WIB (16:00 UTC)
      // Tuesday 00:00 is exactly the hour's notice ahead: listed for customers too
      expect(await listed()).toEqual([['2031-01-07', ['00:00', '00:30', '01:30']]]);
      expect(await listed(admin)).toEqual([['2031-01-06', ['23:15']], ['2031-01-07', ['00:00', '00:30', '01:30']]]);
      expect((await book(customer, late, mon)).status).toBe(422);

      t.app.now = () => new Date('2031-01-06T16:30:00Z'); // Monday 23:30 WIB
      expect(await listed()).toEqual([['2031-01-07', ['00:30', '01:30']]]);
      expect(await listed(admin)).toEqual([['2031-01-07', ['00:00', '00:30', '01:30']]]);
      expect((await book(customer, early, tue)).status).toBe(422);

      t.app.now = () => new Date('2031-01-06T17:10:00Z'); // Tuesday 00:10 WIB (Monday in UTC)
      expect(await listed()).toEqual([['2031-01-07', ['01:30']]]);
      expect(await listed(admin)).toEqual([['2031-01-07', ['00:30', '01:30']]]);
      const tooSoon = await book(customer, half, tue);
      expect([tooSoon.status, tooSoon.body.errors[0].message]).toEqual([422, 'appointments must be booked at least 60 minutes ahead']);
      const past = await book(admin, late, mon);
      expect([past.status, past.body.errors[0].message]).toEqual([422, 'the appointment time is in the past']);
      const ok = await book(customer, later, tue);
      expect(ok.status).toBe(200);
      expect(ok.body.user_schedules).toMatchObject({ tanggal: '2031-01-07', hari: 'Selasa', jam: '01:30:00' });
      expect((await book(admin, half, tue)).status).toBe(200);
      expect(await listed(admin)).toEqual([]);
    } finally {
      t.app.now = realNow;
    }
  });
  it("count the slot as the service's minutes plus the doctor's buffer, in availability and in create alike", async () => {
    const doc = await newDoctor();
    await t.app.db.doctorService.updateMany({ where: { id_doctors: doc.id }, data: { doctor_buffer_time: 15 } });
    const day = ahead(14);
    // stored 30 minutes long; the live length is 30 + 15
    const [nine, half, ten] = [await doc.slot(day, 9), await doc.slot(day, 9, 30), await doc.slot(day, 10)];
    const booked = await book(customer, nine, day);
    expect(booked.status).toBe(200);
    expect(booked.body.user_schedules).toMatchObject({ jam: '09:00:00', jam_selesai: '09:45:00' });
    const free = ((await t.http.post('/user_schedules/check/doctor/availability').send({ id_doctors: doc.id })).body as any[]).find((d) => d.schedule === formatDate(day));
    expect(free.doctors.map((s: any) => [s.jam_mulai, s.jam_selesai])).toEqual([['10:00', '10:45']]);
    const clash = await book(other, half, day, otherPatient);
    expect([clash.status, clash.body.message]).toEqual([409, 'The doctor has another appointment at that time']);
    expect((await book(other, ten, day, otherPatient)).status).toBe(200);
  });
});

describe("other people's appointments", () => {
  it('are 404 to other customers and other doctors for every action; check-in is for staff and the doctor only', async () => {
    const [a, b] = [await newDoctor(), await newDoctor()];
    const day = ahead(13);
    const mine = await book(customer, await a.slot(day, 9), day);
    expect(mine.status).toBe(200);
    const id = mine.body.user_schedules.id;
    const free = await a.slot(day, 11);
    for (const u of [other, b.user]) {
      expect((await t.http.get(`/user_schedules/${id}`).set(t.auth(u))).status).toBe(404);
      expect((await reschedule(u, id, free, day)).status).toBe(404);
      expect((await t.http.post(`/user_schedules/${id}/update`).set(t.auth(u)).send({ id_doctor_schedules: free, tanggal: dmy(day) })).status).toBe(404);
      expect((await t.http.put(`/user_schedules/${id}/cancel`).set(t.auth(u)).send({})).status).toBe(404);
      const tl = await t.http.post('/user_schedules/timeline').set(t.auth(u)).send({ date_from: dmy(day), date_to: dmy(day), id_doctors: a.id });
      expect(tl.body.events).toEqual([]);
      const list = await t.http.post('/user_schedules/search').set(t.auth(u)).send({ id_doctors: a.id });
      expect(list.body.user_schedules).toEqual([]);
    }
    const realNow = t.app.now;
    try {
      t.app.now = () => new Date(day.getTime() + 60_000 - 7 * 3_600_000); // 00:01 WIB that day
      expect((await t.http.put(`/user_schedules/${id}/arrived`).set(t.auth(customer))).status).toBe(403);
      expect((await t.http.put(`/user_schedules/${id}/arrived`).set(t.auth(b.user))).status).toBe(404);
      expect((await t.http.put(`/user_schedules/${id}/done`).set(t.auth(b.user)).send({})).status).toBe(404);
      expect((await t.http.put(`/user_schedules/${id}/arrived`).set(t.auth(a.user))).status).toBe(200);
    } finally {
      t.app.now = realNow;
    }
    expect(await t.app.db.userSchedule.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'ARRIVED', id_doctor_schedules: mine.body.user_schedules.id_doctor_schedules, reschedule_counts: 0 });
  });
});

describe('an appointment with oneself', () => {
  const SELF = [{ field: 'id_doctors', message: 'the doctor profile of the account the appointment is for' }];
  it('is refused (422) when the slot’s doctor is the account booking or managing the patient: create and reschedule, also by staff', async () => {
    const d = await newDoctor();
    const own = (await t.app.db.patient.create({ data: { id_users: d.user.id, nama_lengkap_pasien: 'Keluarga Dokter' } })).id;
    const day = ahead(5);
    const mySlot = await d.slot(day, 9);
    const attempts = [
      () => book(d.user, mySlot, day, own),
      () => book(admin, mySlot, day, own),
      // in another account's name, the patient still the doctor's
      () => t.http.post('/user_schedules/create').set(t.auth(admin)).send({ id_doctor_schedules: mySlot, tanggal: dmy(day), id_patients: own, id_users: customer.id }),
      // the doctor's account booking its own slot for a patient of another account (staff's choice of id_users)
      () => t.http.post('/user_schedules/create').set(t.auth(admin)).send({ id_doctor_schedules: mySlot, tanggal: dmy(day), id_patients: patient, id_users: d.user.id }),
    ];
    for (const attempt of attempts) {
      const res = await attempt();
      expect([res.status, res.body.errors]).toEqual([422, SELF]);
    }
    expect(await active({ id_doctors: d.id })).toBe(0);
    // with another doctor it is booked; moved onto the doctor's own slot, refused, and it stays
    const e = await newDoctor();
    const booked = await book(d.user, await e.slot(day, 10), day, own);
    expect(booked.status).toBe(200);
    for (const who of [d.user, admin]) {
      const res = await reschedule(who, booked.body.user_schedules.id, mySlot, day);
      expect([res.status, res.body.errors]).toEqual([422, SELF]);
    }
    expect(await t.app.db.userSchedule.findUniqueOrThrow({ where: { id: booked.body.user_schedules.id } })).toMatchObject({ id_doctors: e.id, status: 'BOOKING', reschedule_counts: 0 });
    // a customer's patient with that doctor is fine
    const theirs = (await t.app.db.patient.create({ data: { id_users: customer.id, nama_lengkap_pasien: 'Pasien Lain' } })).id;
    expect((await book(customer, mySlot, day, theirs)).status).toBe(200);
  });
});
