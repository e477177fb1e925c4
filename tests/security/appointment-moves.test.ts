import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { inspect } from './route-table.js';
import { appointment, bookableSlot } from './fixtures.js';

/**
 * Moving an appointment decides which doctor holds it, and the appointment's doctor reads its
 * patient's record (patientReadScope). So a move is the patient's manager's (or staff's) choice:
 * the customer who booked may move it only while they still manage the patient, and the
 * appointment's doctor only among their own slots.
 */
let t: TestApp;
let admin: TestUser;
let a: TestUser;
let c: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['OWNER', 'ADMIN']);
  a = await t.user(['CUSTOMER']);
  c = await t.user(['CUSTOMER']);
});
afterAll(() => t.close());

const move = (who: TestUser, id: number, path: 'reschedule' | 'update', to: { slot: { id: number }; tanggal: string }) =>
  t.http.put(`/user_schedules/${id}/${path}`).set(t.auth(who)).send({ id_doctor_schedules: to.slot.id, tanggal: to.tanggal });

describe('moving an appointment', () => {
  it('the customer who booked it cannot move it once staff gave the patient to another account', async () => {
    const patient = await t.app.db.patient.create({ data: { id_users: a.id, nama_lengkap_pasien: 'Pasien Pindah' } });
    const slot = await bookableSlot(t, 8);
    const other = await bookableSlot(t, 9);
    const row = await appointment(t, slot, a.id, patient.id);
    const link = await t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: c.id, id_patients: patient.id });
    expect(link.status).toBe(200);

    const before = await t.app.db.userSchedule.findUniqueOrThrow({ where: { id: row.id } });
    for (const path of ['reschedule', 'update'] as const) {
      const res = await move(a, row.id, path, other);
      inspect(res, `user_schedules/:id/${path} by the former manager`);
      expect(res.status, res.text).toBe(404);
    }
    expect(await t.app.db.userSchedule.findUniqueOrThrow({ where: { id: row.id } })).toEqual(before);
    // the other doctor got no appointment with C's patient, hence no access to its record
    expect((await t.http.get(`/patients/${patient.id}`).set(t.auth(other.doctorUser))).status).toBe(404);
    // the patient's manager now is C; staff still move it
    expect((await move(admin, row.id, 'reschedule', other)).status).toBe(200);
  });

  it('the appointment’s doctor moves it only to another of their own slots', async () => {
    const patient = await t.app.db.patient.create({ data: { id_users: a.id, nama_lengkap_pasien: 'Pasien Dokter' } });
    const slot = await bookableSlot(t, 8);
    const own = await bookableSlot(t, 10, { doctor: slot.doctorUser });
    const colleague = await bookableSlot(t, 11);
    const row = await appointment(t, slot, a.id, patient.id);

    const before = await t.app.db.userSchedule.findUniqueOrThrow({ where: { id: row.id } });
    for (const path of ['reschedule', 'update'] as const) {
      const res = await move(slot.doctorUser, row.id, path, colleague);
      inspect(res, `user_schedules/:id/${path} onto a colleague's slot`);
      expect(res.status, res.text).toBe(403);
    }
    expect(await t.app.db.userSchedule.findUniqueOrThrow({ where: { id: row.id } })).toEqual(before);
    expect(await t.app.db.userSchedule.count({ where: { id_doctors: colleague.doctor.id } })).toBe(0);
    expect((await t.http.get(`/patients/${patient.id}`).set(t.auth(colleague.doctorUser))).status).toBe(404);

    // within their own slots it moves; the customer who manages the patient chooses any doctor
    const mine = await move(slot.doctorUser, row.id, 'reschedule', own);
    expect(mine.status, mine.text).toBe(200);
    expect(mine.body.user_schedules).toMatchObject({ id_doctors: slot.doctor.id, id_doctor_schedules: own.slot.id, status: 'RESCHEDULE' });
    const byCustomer = await move(a, row.id, 'reschedule', colleague);
    expect(byCustomer.status, byCustomer.text).toBe(200);
    expect(byCustomer.body.user_schedules).toMatchObject({ id_doctors: colleague.doctor.id });
  });
});
