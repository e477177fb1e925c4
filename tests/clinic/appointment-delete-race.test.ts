import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinicDay } from '../../src/lib/dates.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { whileHolding } from '../helpers/interleave.js';

// Deleting an appointment tells its customer and doctor that it is cancelled only when the
// delete is what ended it: decided on the row as the delete finds it under its lock, not as read
// before (a cancel or an "arrived" committing in between was told or is no cancellation). The race
// shows on PostgreSQL (TEST_DATABASE_URL); PGlite runs one statement at a time.
let t: TestApp;
let admin: TestUser;
let customer: TestUser;
let doctorUser: TestUser;
let slot: { id: number; id_doctors: number; id_services: number; hari: string; jam: Date; jam_selesai: Date };
let patientId: number;

const DAYS = ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu'];
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
  doctorUser = await t.user(['DOCTOR']);
  const service = await t.app.db.service.create({ data: { services_name: 'Facial', buffer_time: 30 } });
  const doctor = await t.app.db.doctor.create({ data: { id_users: doctorUser.id, is_active: 1 } });
  const ds = await t.app.db.doctorService.create({ data: { id_doctors: doctor.id, id_services: service.id, is_active: 1 } });
  slot = await t.app.db.doctorSchedule.create({
    data: { id_doctors: doctor.id, id_doctor_services: ds.id, id_services: service.id, hari: 'Senin', jam: new Date('1970-01-01T09:00:00Z'), jam_selesai: new Date('1970-01-01T09:30:00Z') },
  });
  patientId = (await t.app.db.patient.create({ data: { id_users: customer.id, nama_lengkap_pasien: 'Rita Ambar' } })).id;
});
afterAll(() => t.close());

/** a booked appointment on the n-th Monday from now (one per date: the slot's unique key) */
async function appointment(n: number) {
  const today = clinicDay(new Date());
  const toMonday = (8 - today.getUTCDay()) % 7 || 7;
  const tanggal = new Date(today.getTime() + (toMonday + 7 * n) * 86_400_000);
  expect(DAYS[tanggal.getUTCDay()]).toBe('Senin');
  return t.app.db.userSchedule.create({
    data: { id_doctors: slot.id_doctors, id_services: slot.id_services, id_doctor_schedules: slot.id, id_users: customer.id, id_patients: patientId, hari: 'Senin', tanggal, jam: slot.jam, jam_selesai: slot.jam_selesai },
  });
}

describe('user_schedules delete racing the customer\'s cancel', () => {
  it('tells the customer of the cancellation once', async () => {
    const twice: number[] = [];
    for (let i = 0; i < 16; i++) {
      const a = await appointment(i);
      const [cancel, del] = await Promise.all([
        t.http.put(`/user_schedules/${a.id}/cancel`).set(t.auth(customer)).send({ cancel_reason: 'sakit' }),
        pause(i % 4).then(() => t.http.delete(`/user_schedules/${a.id}/delete`).set(t.auth(admin))),
      ]);
      expect([200, 409]).toContain(cancel.status);
      expect([200, 404]).toContain(del.status);
      const told = await t.app.db.notification.count({ where: { id_user_to: customer.id, intentions: 'appointment_cancelled', reference_id: a.id } });
      if (told !== 1) twice.push(told);
    }
    expect(twice).toEqual([]);
  }, 120_000);
});

describe.runIf(process.env.TEST_DATABASE_URL)('user_schedules done racing another done', () => {
  it('refuses the later one naming the status it found (DONE), not the one read before', async () => {
    const a = await appointment(40);
    await t.app.db.userSchedule.update({ where: { id: a.id }, data: { status: 'ARRIVED' } });
    // another `done` holds the row and commits DONE while this one waits for it
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM user_schedules WHERE id = ${a.id} FOR UPDATE`,
      () => t.http.put(`/user_schedules/${a.id}/done`).set(t.auth(admin)).send({ digisoft_invoice_numbers: 'INV-2' }).then((r) => r),
      (tx) => tx.userSchedule.update({ where: { id: a.id }, data: { status: 'DONE', digisoft_invoice_numbers: 'INV-1' } }),
    );
    expect([res.status, res.body.message]).toEqual([409, 'An appointment in status DONE cannot be marked as done']);
    expect(await t.app.db.userSchedule.findUniqueOrThrow({ where: { id: a.id } })).toMatchObject({ status: 'DONE', digisoft_invoice_numbers: 'INV-1' });
  });
});
