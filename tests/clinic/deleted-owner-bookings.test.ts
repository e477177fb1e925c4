import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinicDay, formatDate } from '../../src/lib/dates.js';
import { dayName } from '../../src/modules/clinic/booking.service.js';
import { deleteAccount } from '../../src/modules/identity/users.service.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { whileHolding } from '../helpers/interleave.js';

// The bookings of a deleted patient or account: its coming appointments are cancelled with it, and
// a booking made at the same moment is either cancelled with them or refused. The races show on
// PostgreSQL (TEST_DATABASE_URL); PGlite runs one statement at a time.
let t: TestApp;
let admin: TestUser;
let doctorUser: TestUser;
let doctorId: number;
let service: number;
let ds: number;

// customers may not cancel within 30 days of the start here (BOOKING_CHANGE_CUTOFF_MINUTES)
const CUTOFF_DAYS = 30;
beforeAll(async () => {
  t = await createTestApp({ BOOKING_CHANGE_CUTOFF_MINUTES: String(CUTOFF_DAYS * 1440) });
  admin = await t.user(['ADMIN']);
  // users/:id/delete keeps the clinic's last owner
  await t.user(['OWNER']);
  doctorUser = await t.user(['DOCTOR']);
  service = (await t.app.db.service.create({ data: { services_name: 'Facial', buffer_time: 30 } })).id;
  doctorId = (await t.app.db.doctor.create({ data: { id_users: doctorUser.id, is_active: 1 } })).id;
  ds = (await t.app.db.doctorService.create({ data: { id_doctors: doctorId, id_services: service, is_active: 1 } })).id;
});
afterAll(() => t.close());

/** the clinic date `days` from today (UTC midnight) */
const ahead = (days: number) => new Date(clinicDay(new Date()).getTime() + days * 86_400_000);
const dmy = (d: Date) => formatDate(d)!.split('-').reverse().join('/');
const time = (h: number, m = 0) => new Date(Date.UTC(1970, 0, 1, h, m));
/** the doctor's 30-minute slot on the weekday of `day` at h:00 */
const slotOn = async (day: Date, h: number) => {
  const key = { id_doctor_services: ds, hari: dayName(day), jam: time(h) };
  return (await t.app.db.doctorSchedule.upsert({ where: { id_doctor_services_hari_jam: key }, create: { ...key, id_doctors: doctorId, id_services: service, jam_selesai: time(h, 30) }, update: {} })).id;
};
const book = (u: TestUser, slot: number, day: Date, id_patients: number, extra: Record<string, unknown> = {}) =>
  t.http.post('/user_schedules/create').set(t.auth(u)).send({ id_doctor_schedules: slot, tanggal: dmy(day), id_patients, ...extra });
const patientOf = async (u: TestUser | null, name = 'Rita Ambar') => (await t.app.db.patient.create({ data: { id_users: u?.id ?? null, nama_lengkap_pasien: name } })).id;
/** an appointment row written directly (e.g. one whose time has passed) */
const bookingRow = async (u: TestUser, id_patients: number, day: Date, h: number, slot: number) =>
  (
    await t.app.db.userSchedule.create({
      data: { id_doctors: doctorId, id_services: service, id_doctor_schedules: slot, id_users: u.id, id_patients, hari: dayName(day), tanggal: day, jam: time(h), jam_selesai: time(h, 30) },
    })
  ).id;
const row = (id: number) => t.app.db.userSchedule.findUniqueOrThrow({ where: { id } });
const cancelNotices = async (id: number) =>
  (await t.app.db.notification.findMany({ where: { intentions: 'appointment_cancelled', reference_id: id }, orderBy: { id: 'asc' } })).map((n) => n.id_user_to).sort();

describe("a deleted account's coming appointments (PostgreSQL: races)", () => {
  it.runIf(process.env.TEST_DATABASE_URL)("a booking in the account's name committed while the account's delete waits: cancelled with the others", async () => {
    const customer = await t.user(['CUSTOMER']);
    const p = await patientOf(customer);
    const day = ahead(7);
    const slot = await slotOn(day, 9);
    let booked = 0;
    const res = await whileHolding(
      t.app.db,
      // the booking holds the account's row as book() does
      (tx) => tx.$queryRaw`SELECT id FROM users WHERE id = ${customer.id} FOR SHARE`,
      () => t.http.delete(`/users/${customer.id}/delete`).set(t.auth(admin)).then((r) => r),
      async (tx) => {
        booked = (await tx.userSchedule.create({ data: { id_doctors: doctorId, id_services: service, id_doctor_schedules: slot, id_users: customer.id, id_patients: p, hari: dayName(day), tanggal: day, jam: time(9), jam_selesai: time(9, 30) } })).id;
      },
    );
    expect(res.status).toBe(200);
    expect(await row(booked)).toMatchObject({ status: 'CANCEL', active_slot: null, cancel_reason: 'account deleted' });
  });

  it.runIf(process.env.TEST_DATABASE_URL)("a reminder being written for one of its appointments when the account's delete comes: the reminder commits, then the appointment is cancelled (no deadlock)", async () => {
    const customer = await t.user(['CUSTOMER']);
    const p = await patientOf(customer);
    const day = ahead(9);
    const booked = await bookingRow(customer, p, day, 9, await slotOn(day, 9));
    const res = await whileHolding(
      t.app.db,
      // as the reminder job does: the appointment held FOR SHARE, then a notification to its account
      (tx) => tx.$queryRaw`SELECT id FROM user_schedules WHERE id = ${booked} FOR SHARE`,
      () => t.http.delete(`/users/${customer.id}/delete`).set(t.auth(admin)).then((r) => r),
      (tx) => tx.notification.create({ data: { id_user_to: customer.id, title: 'Pengingat janji temu', intentions: 'appointment_reminder', reference_type: 'user_schedules', reference_id: booked } }),
    );
    expect(res.status).toBe(200);
    expect(await row(booked)).toMatchObject({ status: 'CANCEL', active_slot: null, cancel_reason: 'account deleted' });
    expect(await t.app.db.notification.count({ where: { reference_id: booked, intentions: 'appointment_reminder' } })).toBe(1);
  });
});

describe('booking in the name of a deleted account', () => {
  it("staff booking without id_users: the appointment is in the staff member's name, as for a patient without an account (not the deleted one's)", async () => {
    const gone = await t.user(['CUSTOMER']);
    const p = await patientOf(gone);
    await t.http.delete(`/users/${gone.id}/delete`).set(t.auth(admin)).expect(200);
    const day = ahead(4);
    const res = await book(admin, await slotOn(day, 9), day, p);
    expect(res.status).toBe(200);
    expect((await row(res.body.user_schedules.id)).id_users).toBe(admin.id);
    // named explicitly, the deleted account is not found
    const named = await book(admin, await slotOn(day, 10), day, p, { id_users: gone.id });
    expect(named.status).toBe(404);
  });

  it.runIf(process.env.TEST_DATABASE_URL)("a booking by the account (token still valid when it came) while its delete commits: refused, nothing booked", async () => {
    const customer = await t.user(['CUSTOMER']);
    const p = await patientOf(customer);
    const day = ahead(8);
    const slot = await slotOn(day, 9);
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM users WHERE id = ${customer.id} FOR UPDATE`,
      () => book(customer, slot, day, p).then((r) => r),
      // what users/:id/delete does, under the row lock it takes first
      (tx) => deleteAccount({ app: t.app, user: { id: admin.id, username: admin.username, roles: admin.roles } }, tx, customer.id),
    );
    expect(res.status).toBe(404);
    expect(await t.app.db.userSchedule.count({ where: { id_patients: p, active_slot: 1 } })).toBe(0);
  });
});

describe('a deleted patient', () => {
  it("its coming appointments are cancelled (\"patient deleted\") and their slots freed, the customer and the doctor told as for a staff cancel; past ones stay", async () => {
    const customer = await t.user(['CUSTOMER']);
    const p = await patientOf(customer);
    const day = ahead(2);
    const [nine, ten] = [await slotOn(day, 9), await slotOn(day, 10)];
    const coming = (await book(customer, nine, day, p).expect(200)).body.user_schedules.id;
    // staff booked it further ahead in another account's name
    const other = await t.user(['CUSTOMER']);
    const later = (await book(admin, ten, day, p, { id_users: other.id }).expect(200)).body.user_schedules.id;
    const past = await bookingRow(customer, p, ahead(-1), 9, nine);

    expect((await t.http.delete(`/patients/${p}/delete`).set(t.auth(admin))).status).toBe(200);

    for (const id of [coming, later]) {
      const r = await row(id);
      expect(r).toMatchObject({ status: 'CANCEL', active_slot: null, cancel_reason: 'patient deleted', deleted_at: null });
      expect(r.cancel_datetime).not.toBeNull();
    }
    expect(await row(past)).toMatchObject({ status: 'BOOKING', active_slot: 1, cancel_reason: '', cancel_datetime: null });
    expect(await cancelNotices(coming)).toEqual([customer.id, doctorUser.id].sort());
    expect(await cancelNotices(later)).toEqual([other.id, doctorUser.id].sort());
    // the notices name the reason in Indonesian; the appointment keeps its code
    for (const n of await t.app.db.notification.findMany({ where: { intentions: 'appointment_cancelled', reference_id: { in: [coming, later] } } })) {
      expect(n.content).toMatch(/\(data pasien telah dihapus\)\.$/);
      expect(n.content).not.toContain('patient deleted');
    }
    // the slot is free for someone else
    expect((await book(other, nine, day, await patientOf(other))).status).toBe(200);
  });

  it("a customer deleting their patient: appointments beyond the cancel cutoff are cancelled; one within it refuses the delete (422), as its cancel would be", async () => {
    const customer = await t.user(['CUSTOMER']);
    const p = await patientOf(customer);
    const far = ahead(CUTOFF_DAYS + 5);
    const farId = (await book(admin, await slotOn(far, 9), far, p, { id_users: customer.id }).expect(200)).body.user_schedules.id;
    expect((await t.http.delete(`/patients/${p}/delete`).set(t.auth(customer))).status).toBe(200);
    expect(await row(farId)).toMatchObject({ status: 'CANCEL', active_slot: null, cancel_reason: 'patient deleted' });

    const q = await patientOf(customer, 'Budi');
    const soon = ahead(3);
    const soonId = (await book(customer, await slotOn(soon, 11), soon, q).expect(200)).body.user_schedules.id;
    const res = await t.http.delete(`/patients/${q}/delete`).set(t.auth(customer));
    expect([res.status, res.body.message]).toEqual([422, `Appointments can no longer be cancelled less than ${CUTOFF_DAYS * 1440} minutes before they start`]);
    expect(await t.app.db.patient.findUniqueOrThrow({ where: { id: q } })).toMatchObject({ deleted_at: null });
    expect(await row(soonId)).toMatchObject({ status: 'BOOKING', active_slot: 1 });
  });

  it.runIf(process.env.TEST_DATABASE_URL)('a booking committed while the patient delete waits for the patient: cancelled with the others', async () => {
    const customer = await t.user(['CUSTOMER']);
    const p = await patientOf(customer);
    const day = ahead(5);
    const slot = await slotOn(day, 9);
    let booked = 0;
    // the booking holds the patient's row (as book() does) and commits once the delete waits for it
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM patients WHERE id = ${p} FOR UPDATE`,
      () => t.http.delete(`/patients/${p}/delete`).set(t.auth(admin)).then((r) => r),
      async (tx) => {
        booked = (await tx.userSchedule.create({ data: { id_doctors: doctorId, id_services: service, id_doctor_schedules: slot, id_users: customer.id, id_patients: p, hari: dayName(day), tanggal: day, jam: time(9), jam_selesai: time(9, 30) } })).id;
      },
    );
    expect(res.status).toBe(200);
    expect(await row(booked)).toMatchObject({ status: 'CANCEL', active_slot: null, cancel_reason: 'patient deleted' });
  });

  it.runIf(process.env.TEST_DATABASE_URL)('a booking waiting for the patient while its delete commits: refused (404), nothing booked', async () => {
    const customer = await t.user(['CUSTOMER']);
    const p = await patientOf(customer);
    const day = ahead(6);
    const slot = await slotOn(day, 9);
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM patients WHERE id = ${p} FOR UPDATE`,
      () => book(customer, slot, day, p).then((r) => r),
      (tx) => tx.patient.update({ where: { id: p }, data: { deleted_at: new Date() } }),
    );
    expect(res.status).toBe(404);
    expect(await t.app.db.userSchedule.count({ where: { id_patients: p } })).toBe(0);
  });
});

describe('an appointment left as history by a deletion', () => {
  // A deletion cancels only the appointments still to come; one whose time has passed stays as it
  // was (BOOKING, holding its slot). Moving it to a coming date would give a deleted patient or a
  // deleted account a live booking, which booking refuses (404) and the deletion would have cancelled.
  it("is not moved to a coming date once its patient is deleted (404 to staff and to the doctor; nothing changes)", async () => {
    const customer = await t.user(['CUSTOMER']);
    const p = await patientOf(customer);
    const yesterday = ahead(-1);
    const past = await bookingRow(customer, p, yesterday, 15, await slotOn(yesterday, 15));
    await t.http.delete(`/patients/${p}/delete`).set(t.auth(admin)).expect(200);
    const day = ahead(3);
    const slot = await slotOn(day, 13);
    for (const u of [admin, doctorUser]) {
      const res = await t.http.put(`/user_schedules/${past}/reschedule`).set(t.auth(u)).send({ id_doctor_schedules: slot, tanggal: dmy(day) });
      expect([u.roles, res.status, res.body.message]).toEqual([u.roles, 404, `patients ${p} not found`]);
    }
    expect(await row(past)).toMatchObject({ status: 'BOOKING', tanggal: yesterday, reschedule_counts: 0 });
    expect(await t.app.db.userSchedule.count({ where: { id_patients: p, active_slot: 1, tanggal: { gt: yesterday } } })).toBe(0);
  });

  it("is not moved to a coming date once the account it is in the name of is deleted (404; nothing changes)", async () => {
    const customer = await t.user(['CUSTOMER']);
    const p = await patientOf(customer);
    const yesterday = ahead(-1);
    const past = await bookingRow(customer, p, yesterday, 16, await slotOn(yesterday, 16));
    await t.http.delete(`/users/${customer.id}/delete`).set(t.auth(admin)).expect(200);
    const day = ahead(3);
    const res = await t.http.put(`/user_schedules/${past}/reschedule`).set(t.auth(admin)).send({ id_doctor_schedules: await slotOn(day, 14), tanggal: dmy(day) });
    expect([res.status, res.body.message]).toEqual([404, `users ${customer.id} not found`]);
    expect(await row(past)).toMatchObject({ status: 'BOOKING', tanggal: yesterday, reschedule_counts: 0 });
  });
});
