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
