import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPerson, OWNER, register, startWorld, type World, clinicDayAhead, DAYS, onClinicDay } from './world.js';


let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

/** Staff create a doctor account (users/create with the DOCTOR role) and the doctor row, practising 09:00-12:00 daily. */
async function staffHireDoctor(admin: string, serviceId: number, prefix: string) {
  const login = newPerson(prefix);
  const user = await register(w, login, { roles: ['DOCTOR'], positions: 'Dokter' }, admin);
  const doctor = (await w.call('post', '/doctors/create', admin, { id_users: Number(user.id), id_services: serviceId, custom_price: 200_000, doctor_description: 'Sp.KK', is_active: 1 })).body.doctors;
  await w.call('post', '/doctor_services/create', admin, { id_doctors: doctor.id, id_services: serviceId, custom_price: 0, doctor_buffer_time: 0, is_active: 1 });
  for (const hari of DAYS) await w.call('post', '/schedules/create', admin, { id_doctors: doctor.id, hari, jam: '09:00', jam_selesai: '12:00' });
  await w.call('post', '/doctor_schedules/generate', admin, { id_doctors: doctor.id });
  return { doctorId: doctor.id as number, login };
}

describe("journey: a doctor's day", () => {
  it('the doctor sees the day, reads the file, writes the record; staff verify it; the customer reads it; another doctor cannot', async () => {
    const owner = await w.signIn(OWNER.username, OWNER.password);
    const adminPerson = newPerson('admin');
    await register(w, adminPerson, { roles: ['ADMIN'], positions: 'Admin' }, owner.bearer);
    const admin = (await w.signIn(adminPerson.username, adminPerson.password)).bearer;
    const cat = (await w.call('post', '/service_categories/create', admin, { service_categories: 'Facial', codes: 'FC', color: '#ffffff' })).body.service_categories;
    const service = (await w.call('post', '/services/create', admin, { services_name: 'Facial Acne', services_price: '150000', buffer_time: '30', id_service_categories: cat.id })).body.services;
    const drA = await staffHireDoctor(admin, service.id, 'dra');
    const drB = await staffHireDoctor(admin, service.id, 'drb');
    const visit = clinicDayAhead(2);

    // a customer with an allergic patient books drA at 10:00
    const person = newPerson('pasien');
    await register(w, person);
    const me = await w.signIn(person.username, person.password);
    await w.call('post', '/users/register_device_token', me.bearer, { device_token: 'dev-pasien', already_login: false });
    const patient = (await w.call('post', '/patients/create', me.bearer, { nama_lengkap_pasien: 'Sari Kulit', jenis_kelamin: 'P', allergies: ['Sulfa'] })).body.patients;
    const days = (await w.call('post', '/user_schedules/check/doctor/availability', me.bearer, { id_doctors: drA.doctorId, id_services: service.id })).body as any[];
    const slot = days.find((d) => d.schedule === visit.iso).doctors.find((s: { jam_mulai: string }) => s.jam_mulai === '10:00');
    const booked = (await w.call('post', '/user_schedules/create', me.bearer, { id_doctor_schedules: slot.id, tanggal: visit.dmy, id_patients: patient.id })).body.user_schedules;

    const doctor = (await w.signIn(drA.login.username, drA.login.password)).bearer;
    const other = (await w.signIn(drB.login.username, drB.login.password)).bearer;
    await onClinicDay(w, visit.iso, '08:30', async () => {
      // the doctor's calendar shows the day's visit, with the patient's name
      const timeline = (await w.call('post', '/user_schedules/timeline', doctor, { date_from: visit.dmy, date_to: visit.dmy })).body.events as any[];
      expect(timeline.map((e) => e.extendedProps.id)).toEqual([booked.id]);
      expect(timeline[0]).toMatchObject({ start: `${visit.iso}T10:00:00`, extendedProps: { patients: 'Sari Kulit', status: 'BOOKING' } });
      // the other doctor's calendar is empty
      expect((await w.call('post', '/user_schedules/timeline', other, { date_from: visit.dmy, date_to: visit.dmy })).body.events).toEqual([]);
      // the clinic's dashboard is the front desk's, not the doctor's (compat: reports and dashboards are staff only)
      await w.call('post', '/dashboard/upcoming/offline_appoinments', doctor, {}, 403);
      // the doctor's appointment list gives the patient to open
      const list = (await w.call('post', '/user_schedules/explore?page=1&length=10', doctor, {})).body.data as any[];
      expect(list.map((a) => a.id)).toEqual([booked.id]);
      const appointment = (await w.call('get', `/user_schedules/${booked.id}`, doctor)).body.user_schedules;
      const patientId = Number(appointment.id_patients ?? appointment.patients?.id);
      expect(patientId).toBe(patient.id);

      // the patient's file: allergies, no earlier record
      const file = (await w.call('get', `/patients/${patientId}`, doctor)).body.patients;
      expect(file.allergies.map((a: { allergies: string }) => a.allergies)).toEqual(['Sulfa']);
      expect((await w.call('post', '/patient_rekam_medis/explore?page=1&length=10', doctor, { id_patients: patientId })).body.data).toEqual([]);
    });

    await onClinicDay(w, visit.iso, '09:55', async () => {
      // the patient arrives; the doctor checks the visit in, sees them and writes the record
      await w.call('put', `/user_schedules/${booked.id}/arrived`, doctor, {});
      const record = (
        await w.call('post', '/patient_rekam_medis/create', doctor, { id_patients: patient.id, tanggal_konsul: visit.dmy, keluhan: 'Jerawat meradang', diagnosa: 'Acne vulgaris', catatan_kaki: 'Kontrol 2 minggu' })
      ).body.patient_rekam_medis;
      expect(record).toMatchObject({ tanggal_konsul: visit.iso, diagnosa: 'Acne vulgaris', patients: { id: patient.id } });
      await w.call('put', `/user_schedules/${booked.id}/done`, doctor, { digisoft_invoice_numbers: '0002/2026/12-CLD' });
      // (no attachment: the API document has no upload endpoint for medical records)

      // the other doctor can neither read the patient nor the record, nor verify it
      await w.call('get', `/patients/${patient.id}`, other, undefined, 404);
      await w.call('get', `/patient_rekam_medis/${record.id}`, other, undefined, 404);
      await w.call('put', `/patient_rekam_medis/${record.id}/verify`, other, { catatan_kaki: 'x' }, 404);
      expect((await w.call('post', '/patient_rekam_medis/explore?page=1&length=10', other, { id_patients: patient.id })).body.data).toEqual([]);

      // before verification the customer reads it unverified
      expect((await w.call('get', `/patient_rekam_medis/${record.id}`, me.bearer)).body.patient_rekam_medis).toMatchObject({ is_verified: 0 });

      // staff verify it; the customer is told and reads the verified record with its verifier
      await w.call('put', `/patient_rekam_medis/${record.id}/verify`, admin, { catatan_kaki: 'Kontrol 2 minggu, krim malam' });
      const notes = (await w.call('post', '/notifications/explore?page=1&length=20', me.bearer, {})).body.data as { intentions: string; reference_id: number | string }[];
      expect(notes.filter((n) => n.intentions === 'medical_record_verified').map((n) => Number(n.reference_id))).toEqual([record.id]);
      expect(await w.pushesTo('dev-pasien')).toHaveLength(notes.length);
      const read = (await w.call('get', `/patient_rekam_medis/${record.id}`, me.bearer)).body.patient_rekam_medis;
      expect(read).toMatchObject({ is_verified: 1, catatan_kaki: 'Kontrol 2 minggu, krim malam', verified_user: { users_fullname: `Journey ${adminPerson.username}` } });
      // the record is now locked for the doctor and read-only for the customer
      await w.call('put', `/patient_rekam_medis/${record.id}/update`, doctor, { id_patients: patient.id, tanggal_konsul: visit.dmy, keluhan: 'x', diagnosa: 'y', catatan_kaki: '' }, 409);
      await w.call('put', `/patient_rekam_medis/${record.id}/update`, me.bearer, { id_patients: patient.id, tanggal_konsul: visit.dmy, keluhan: 'x', diagnosa: 'y', catatan_kaki: '' }, 403);
      // the doctor's next look at the file shows the earlier record
      const history = (await w.call('post', '/patient_rekam_medis/explore?page=1&length=10', doctor, { id_patients: patient.id })).body.data as any[];
      expect(history.map((r) => [r.id, r.is_verified])).toEqual([[record.id, 1]]);
    });
  });
});
