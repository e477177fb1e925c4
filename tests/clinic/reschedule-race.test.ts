import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { twiceWhileHolding } from '../helpers/interleave.js';
import { appointment, bookableSlot } from '../security/fixtures.js';
import { patientOf } from '../commerce/fixtures.js';

// The same reschedule sent twice at once (a double tap) or again after it was made (a retry). The
// race is made deterministic by holding the patient's row, which a reschedule locks first, until
// both wait for it; it runs on PostgreSQL only (TEST_DATABASE_URL): PGlite runs one statement at a time.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe.runIf(process.env.TEST_DATABASE_URL)('user_schedules/:id/reschedule sent twice at once', () => {
  it('moves the appointment once: one 200, the other 409; one reschedule counted, the doctor and customer told once', async () => {
    const u = await t.user(['CUSTOMER']);
    const patient = await patientOf(t, u);
    const from = await bookableSlot(t, 7);
    const a = await appointment(t, from, u.id, patient.id);
    const to = await bookableSlot(t, 8, { doctor: from.doctorUser });
    const told = await t.app.db.notification.count();
    const answers = await twiceWhileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM patients WHERE id = ${patient.id} FOR UPDATE`,
      () => t.http.put(`/user_schedules/${a.id}/reschedule`).set(t.auth(u)).send({ id_doctor_schedules: to.slot.id, tanggal: to.tanggal }),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    const moved = await t.app.db.userSchedule.findUniqueOrThrow({ where: { id: a.id } });
    expect([moved.status, moved.id_doctor_schedules, moved.reschedule_counts]).toEqual(['RESCHEDULE', to.slot.id, 1]);
    // what one reschedule tells (the customer and the doctor), once
    const once = (await t.app.db.notification.count()) - told;
    const single = await bookableSlot(t, 9, { doctor: from.doctorUser });
    const toldBefore = await t.app.db.notification.count();
    const again = await t.http.put(`/user_schedules/${a.id}/reschedule`).set(t.auth(u)).send({ id_doctor_schedules: single.slot.id, tanggal: single.tanggal });
    expect(again.status).toBe(200);
    expect(once).toBe((await t.app.db.notification.count()) - toldBefore);
  });
});

describe('a reschedule retried after it was made (its answer lost)', () => {
  it('is refused (409): the appointment already is on that slot and date; one reschedule counted, told once', async () => {
    const u = await t.user(['CUSTOMER']);
    const patient = await patientOf(t, u);
    const from = await bookableSlot(t, 7);
    const a = await appointment(t, from, u.id, patient.id);
    const to = await bookableSlot(t, 8, { doctor: from.doctorUser });
    const move = () => t.http.post(`/user_schedules/${a.id}/reschedule`).set(t.auth(u)).send({ id_doctor_schedules: to.slot.id, tanggal: to.tanggal });
    expect((await move()).status).toBe(200);
    const told = await t.app.db.notification.count();
    const retry = await move();
    expect([retry.status, retry.body.message]).toEqual([409, 'The appointment is already on this slot and date']);
    const row = await t.app.db.userSchedule.findUniqueOrThrow({ where: { id: a.id } });
    expect([row.id_doctor_schedules, row.reschedule_counts]).toEqual([to.slot.id, 1]);
    expect(await t.app.db.notification.count()).toBe(told);
  });
});
