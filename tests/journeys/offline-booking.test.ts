import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendAppointmentReminders } from '../../src/modules/notifications/notifications.service.js';
import { staffSignsIn } from './shop.js';
import { newPerson, register, startWorld, type World, clinicDayAhead, DAYS, onClinicDay } from './world.js';


let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

/** Staff open a service with a doctor who practises 09:00-12:00 every day, slots generated. */
async function staffOpenTheClinic(admin: string) {
  const cat = (await w.call('post', '/service_categories/create', admin, { service_categories: 'Facial', codes: 'FC', color: '#ffffff' })).body.service_categories;
  const service = (await w.call('post', '/services/create', admin, { services_name: 'Facial Acne', services_price: '150000', buffer_time: '30', id_service_categories: cat.id })).body.services;
  const doctorPerson = newPerson('dr');
  const doctorUser = await register(w, doctorPerson, { roles: ['DOCTOR'], positions: 'Dokter' }, admin);
  const doctor = (await w.call('post', '/doctors/create', admin, { id_users: Number(doctorUser.id), id_services: service.id, custom_price: 200_000, doctor_description: 'Sp.KK', is_active: 1 })).body.doctors;
  await w.call('post', '/doctor_services/create', admin, { id_doctors: doctor.id, id_services: service.id, custom_price: 0, doctor_buffer_time: 0, is_active: 1 });
  for (const hari of DAYS) await w.call('post', '/schedules/create', admin, { id_doctors: doctor.id, hari, jam: '09:00', jam_selesai: '12:00' });
  const generated = (await w.call('post', '/doctor_schedules/generate', admin, { id_doctors: doctor.id })).body;
  expect(generated.data.length).toBe(7 * 6);
  return { serviceId: service.id as number, doctorId: doctor.id as number, doctorLogin: doctorPerson };
}

/** The free slots the app shows for a day (availability, as the booking screen asks for it). */
async function freeSlots(customer: string, doctorId: number, serviceId: number, iso: string) {
  const days = (await w.call('post', '/user_schedules/check/doctor/availability', customer, { id_doctors: doctorId, id_services: serviceId })).body as any[];
  return { listed: days.map((d) => d.schedule as string), slots: (days.find((d) => d.schedule === iso)?.doctors ?? []) as { id: number; jam_mulai: string }[] };
}

describe('journey: an offline clinic appointment', () => {
  it('staff open a schedule, a customer books and reschedules, the visit is served and recorded, reports count it', async () => {
    const admin = (await staffSignsIn(w)).bearer;
    const clinic = await staffOpenTheClinic(admin);
    const holiday = clinicDayAhead(3);
    const visit = clinicDayAhead(5);
    await w.call('post', '/holidays/create', admin, { dates: holiday.dmy, descriptions: 'Cuti bersama' });

    // a customer signs up, adds a patient and finds the service and the doctor in the app
    const person = newPerson('patient');
    await register(w, person);
    const customer = (await w.signIn(person.username, person.password)).bearer;
    const patient = (await w.call('post', '/patients/create', customer, { nama_lengkap_pasien: 'Rina Booking', jenis_kelamin: 'P' })).body.patients;
    const services = (await w.call('post', '/services/search', customer, {})).body.services as { id: number }[];
    expect(services.map((s) => s.id)).toContain(clinic.serviceId);
    const doctors = (await w.call('post', '/doctors/search', customer, {})).body.doctors as { id: number }[];
    expect(doctors.map((d) => d.id)).toContain(clinic.doctorId);

    // checks availability: the holiday is not offered, the visit day has the six half-hour slots
    const free = await freeSlots(customer, clinic.doctorId, clinic.serviceId, visit.iso);
    expect(free.listed).not.toContain(holiday.iso);
    expect(free.slots.map((s) => s.jam_mulai)).toEqual(['09:00', '09:30', '10:00', '10:30', '11:00', '11:30']);

    // books 09:00, then moves to 10:30 the same day
    const booked = (await w.call('post', '/user_schedules/create', customer, { id_doctor_schedules: free.slots[0]!.id, tanggal: visit.dmy, id_patients: patient.id })).body.user_schedules;
    expect(booked).toMatchObject({ status: 'BOOKING', jam: '09:00:00' });
    const after = await freeSlots(customer, clinic.doctorId, clinic.serviceId, visit.iso);
    expect(after.slots.map((s) => s.jam_mulai)).not.toContain('09:00');
    const later = after.slots.find((s) => s.jam_mulai === '10:30')!;
    const moved = (await w.call('put', `/user_schedules/${booked.id}/reschedule`, customer, { id_doctor_schedules: later.id, tanggal: visit.dmy })).body.user_schedules;
    expect(moved).toMatchObject({ status: 'RESCHEDULE', jam: '10:30:00', reschedule_counts: 1 });
    // the app shows 09:00 free again and 10:30 taken
    const now = (await freeSlots(customer, clinic.doctorId, clinic.serviceId, visit.iso)).slots.map((s) => s.jam_mulai);
    expect(now).toEqual(['09:00', '09:30', '10:00', '11:00', '11:30']);

    // the evening before, the reminder job runs; the customer's app shows the appointment's story
    await onClinicDay(w, clinicDayAhead(4).iso, '19:00', () => sendAppointmentReminders(w.t.app));
    const notes = (await w.call('post', '/notifications/explore?page=1&length=50', customer, {})).body.data as { intentions: string; reference_id: number | string }[];
    expect(notes.filter((n) => Number(n.reference_id) === booked.id).map((n) => n.intentions).sort()).toEqual(['appointment_booked', 'appointment_reminder', 'appointment_rescheduled']);

    // on the day: the patient arrives, is served; the doctor writes the medical record
    const doctor = (await w.signIn(clinic.doctorLogin.username, clinic.doctorLogin.password)).bearer;
    await onClinicDay(w, visit.iso, '10:20', async () => {
      const mine = (await w.call('post', '/user_schedules/search', doctor, { status_array: ['BOOKING', 'RESCHEDULE'] })).body.user_schedules as { id: number }[];
      expect(mine.map((a) => a.id)).toContain(booked.id);
      // the front desk finds today's visit in the dashboard's upcoming appointments
      const upcoming = (await w.call('post', '/dashboard/upcoming/offline_appoinments', admin, {})).body.data as unknown[][];
      const row = upcoming.find((r) => r[0] === booked.id);
      expect(row, 'the visit among the upcoming appointments').toBeDefined();
      await w.call('put', `/user_schedules/${row![0]}/arrived`, admin, {});
      await w.call('put', `/user_schedules/${booked.id}/done`, admin, { digisoft_invoice_numbers: '0001/2026/12-CLD' });
      const record = (
        await w.call('post', '/patient_rekam_medis/create', doctor, { id_patients: patient.id, tanggal_konsul: visit.dmy, keluhan: 'Jerawat meradang', diagnosa: 'Acne vulgaris', catatan_kaki: 'Kontrol 2 minggu' })
      ).body.patient_rekam_medis;
      expect((await w.call('get', `/patient_rekam_medis/${record.id}`, customer)).body.patient_rekam_medis).toMatchObject({ diagnosa: 'Acne vulgaris' });

      // the reports count the served visit
      const perf = (await w.call('post', '/report/offline/appoinment/performance', admin, { tgl_awal: visit.dmy, tgl_akhir: visit.dmy })).body;
      expect(perf.data).toEqual([[`Journey ${clinic.doctorLogin.username}`, 'Facial Acne', 1, 30, '']]);
      const top = (await w.call('post', '/dashboard/total/services', admin, {})).body.items;
      expect(top).toEqual([{ id_services: clinic.serviceId, services_name: 'Facial Acne', counts: 1 }]);
    });
    const done = (await w.call('get', `/user_schedules/${booked.id}`, customer)).body.user_schedules;
    expect(done).toMatchObject({ status: 'DONE' });
  });
});
