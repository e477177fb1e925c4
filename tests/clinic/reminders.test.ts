import { afterAll, beforeAll, expect, it } from 'vitest';
import { clinicDay } from '../../src/lib/dates.js';
import { sendDueReminders } from '../../src/modules/clinic/reminders.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ BOOKING_REMINDER_MINUTES: '4320' });
});
afterAll(() => t.close());

it('stores one reminder per due appointment, even when runs overlap', async () => {
  const customer = await t.user(['CUSTOMER']);
  const doctorUser = await t.user(['DOCTOR']);
  const service = await t.app.db.service.create({ data: { services_name: 'Facial', buffer_time: 30 } });
  const doctor = await t.app.db.doctor.create({ data: { id_users: doctorUser.id } });
  const ds = await t.app.db.doctorService.create({ data: { id_doctors: doctor.id, id_services: service.id } });
  const jam = new Date('1970-01-01T11:30:00Z');
  const slot = await t.app.db.doctorSchedule.create({
    data: { id_doctors: doctor.id, id_doctor_services: ds.id, id_services: service.id, hari: 'Senin', jam, jam_selesai: new Date('1970-01-01T12:00:00Z') },
  });
  const patient = await t.app.db.patient.create({ data: { id_users: customer.id, nama_lengkap_pasien: 'Rita' } });
  const at = (days: number) => new Date(clinicDay(new Date()).getTime() + days * 86_400_000);
  const base = { id_doctors: doctor.id, id_services: service.id, id_doctor_schedules: slot.id, id_users: customer.id, id_patients: patient.id, hari: 'Senin', jam, jam_selesai: slot.jam_selesai };
  const soon = await t.app.db.userSchedule.create({ data: { ...base, tanggal: at(1) } });
  await t.app.db.userSchedule.create({ data: { ...base, tanggal: at(10) } });
  await t.app.db.userSchedule.create({ data: { ...base, tanggal: at(2), status: 'CANCEL', active_slot: null } });

  const sent = await Promise.all([sendDueReminders(t.app), sendDueReminders(t.app), sendDueReminders(t.app)]);
  expect(sent.reduce((a, b) => a + b, 0)).toBe(1);
  const notes = await t.app.db.notification.findMany({ where: { id_user_to: customer.id } });
  expect(notes).toEqual([expect.objectContaining({ intentions: 'APPOINTMENT_REMINDER', reference_type: 'user_schedules', reference_id: soon.id })]);
  expect(await sendDueReminders(t.app)).toBe(0);
});
