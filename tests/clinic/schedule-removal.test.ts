import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinicDay, formatDate } from '../../src/lib/dates.js';
import { dayName } from '../../src/modules/clinic/booking.service.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { whileHolding } from '../helpers/interleave.js';

// Practice hours (schedules) taken away take their generated slots with them: a block deleted,
// shortened or moved leaves no bookable slot in the hours the doctor no longer practises. Before,
// the slots stayed, and the app kept offering (and booking) those times.
let t: TestApp;
let admin: TestUser;
let customer: TestUser;
let patient: number;
let facial: number;

const ahead = (days: number) => new Date(clinicDay(new Date()).getTime() + days * 86_400_000);
const dmy = (d: Date) => {
  const iso = formatDate(d)!;
  return `${iso.slice(8)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
};
const hours = (body: Record<string, unknown>) => t.http.post('/schedules/create').set(t.auth(admin)).send(body);
const generate = (id_doctors: number) => t.http.post('/doctor_schedules/generate').set(t.auth(admin)).send({ id_doctors });
/** the doctor's live slots on a weekday as start times, and whether each is active */
async function slotsOn(doctor: number, hari: string) {
  const rows = await t.app.db.doctorSchedule.findMany({ where: { id_doctors: doctor, hari, deleted_at: null }, orderBy: { jam: 'asc' } });
  return rows.map((r) => `${r.jam.toISOString().slice(11, 16)}${r.is_active ? '' : ' (inactive)'}`);
}
/** the start times availability offers the customer on `day` */
async function offered(doctor: number, day: Date) {
  const res = await t.http.post('/user_schedules/check/doctor/availability').set(t.auth(customer)).send({ id_doctors: doctor });
  expect(res.status).toBe(200);
  return ((res.body as any[]).find((d) => d.schedule === formatDate(day))?.doctors ?? []).map((s: { jam_mulai: string }) => s.jam_mulai);
}
/** a doctor offering facial (30 minutes) with practice hours 09:00-11:00 on the weekday of `day`, slots generated */
async function doctorOn(day: Date) {
  const u = await t.user(['DOCTOR']);
  const doctor = await t.app.db.doctor.create({ data: { id_users: u.id, is_active: 1 } });
  await t.app.db.doctorService.create({ data: { id_doctors: doctor.id, id_services: facial, is_active: 1 } });
  const block = await hours({ id_doctors: doctor.id, hari: dayName(day), jam: '09:00', jam_selesai: '11:00' });
  expect(block.status).toBe(200);
  expect((await generate(doctor.id)).body.data).toHaveLength(4);
  return { id: doctor.id, hours: block.body.schedules.id as number, hari: dayName(day) };
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
  facial = (await t.app.db.service.create({ data: { services_name: 'Facial', buffer_time: 30 } })).id;
  patient = (await t.app.db.patient.create({ data: { id_users: customer.id, nama_lengkap_pasien: 'Rita Ambar' } })).id;
});
afterAll(() => t.close());

describe('practice hours taken away take their slots', () => {
  it('deleting the hours removes their slots: no longer offered nor bookable; hours given back and generate bring them back', async () => {
    const day = ahead(3);
    const dr = await doctorOn(day);
    const slot = (await t.app.db.doctorSchedule.findFirstOrThrow({ where: { id_doctors: dr.id, hari: dr.hari } })).id;
    expect(await offered(dr.id, day)).toEqual(['09:00', '09:30', '10:00', '10:30']);
    expect((await t.http.delete(`/schedules/${dr.hours}/delete`).set(t.auth(admin))).status).toBe(200);
    expect(await slotsOn(dr.id, dr.hari)).toEqual([]);
    expect(await offered(dr.id, day)).toEqual([]);
    const res = await t.http.post('/user_schedules/create').set(t.auth(customer)).send({ id_doctor_schedules: slot, tanggal: dmy(day), id_patients: patient });
    expect(res.status).toBe(404);
    expect((await hours({ id_doctors: dr.id, hari: dr.hari, jam: '09:00', jam_selesai: '10:00' })).status).toBe(200);
    expect((await generate(dr.id)).body.data).toHaveLength(2);
    expect(await offered(dr.id, day)).toEqual(['09:00', '09:30']);
  });

  it('shortening or moving the hours removes only the slots outside what is left; other blocks and slots made by hand stay', async () => {
    const day = ahead(4);
    const dr = await doctorOn(day);
    expect((await hours({ id_doctors: dr.id, hari: dr.hari, jam: '13:00', jam_selesai: '14:00' })).status).toBe(200);
    await generate(dr.id);
    const ds = await t.app.db.doctorService.findFirstOrThrow({ where: { id_doctors: dr.id } });
    await t.app.db.doctorSchedule.create({ data: { id_doctors: dr.id, id_doctor_services: ds.id, id_services: facial, hari: dr.hari, jam: new Date('1970-01-01T16:00:00Z'), jam_selesai: new Date('1970-01-01T16:30:00Z') } });
    expect((await t.http.put(`/schedules/${dr.hours}/update`).set(t.auth(admin)).send({ jam_selesai: '10:00' })).status).toBe(200);
    expect(await slotsOn(dr.id, dr.hari)).toEqual(['09:00', '09:30', '13:00', '13:30', '16:00']);
    // moved to another weekday: that day's slots go, generate builds the new day's
    const other = dayName(ahead(5));
    expect((await t.http.put(`/schedules/${dr.hours}/update`).set(t.auth(admin)).send({ hari: other })).status).toBe(200);
    expect(await slotsOn(dr.id, dr.hari)).toEqual(['13:00', '13:30', '16:00']);
    await generate(dr.id);
    expect(await slotsOn(dr.id, other)).toEqual(['09:00', '09:30']);
  });

  it('is refused (409) while a slot in the hours taken away is booked from today on; hours and slots stay', async () => {
    const day = ahead(6);
    const dr = await doctorOn(day);
    const slot = (await t.app.db.doctorSchedule.findFirstOrThrow({ where: { id_doctors: dr.id, hari: dr.hari, jam: new Date('1970-01-01T10:30:00Z') } })).id;
    const booked = await t.http.post('/user_schedules/create').set(t.auth(customer)).send({ id_doctor_schedules: slot, tanggal: dmy(day), id_patients: patient });
    expect(booked.status).toBe(200);
    const shorten = await t.http.put(`/schedules/${dr.hours}/update`).set(t.auth(admin)).send({ jam_selesai: '10:30' });
    expect([shorten.status, shorten.body.message]).toEqual([409, `${dr.hari} 09:00–11:00 has 1 active booking from today on; reschedule or cancel it first`]);
    expect((await t.http.delete(`/schedules/${dr.hours}/delete`).set(t.auth(admin))).status).toBe(409);
    expect((await t.http.get(`/schedules/${dr.hours}`)).body.schedules).toMatchObject({ jam_selesai: '11:00:00' });
    expect(await slotsOn(dr.id, dr.hari)).toEqual(['09:00', '09:30', '10:00', '10:30']);
    // shortening before the booked slot's time is fine, the booked slot lies within what is left
    expect((await t.http.put(`/schedules/${dr.hours}/update`).set(t.auth(admin)).send({ jam: '10:00' })).status).toBe(200);
    expect(await slotsOn(dr.id, dr.hari)).toEqual(['10:00', '10:30']);
    // once cancelled, the hours go; the slot stays as the appointment's history, deactivated
    expect((await t.http.put(`/user_schedules/${booked.body.user_schedules.id}/cancel`).set(t.auth(admin)).send({ cancel_reason: 'jadwal dokter berubah' })).status).toBe(200);
    expect((await t.http.delete(`/schedules/${dr.hours}/delete`).set(t.auth(admin))).status).toBe(200);
    expect(await slotsOn(dr.id, dr.hari)).toEqual(['10:30 (inactive)']);
    expect(await offered(dr.id, day)).toEqual([]);
    expect((await t.http.get(`/user_schedules/${booked.body.user_schedules.id}`).set(t.auth(customer))).body.user_schedules).toMatchObject({ status: 'CANCEL', jam: '10:30:00' });
  });
});

// PostgreSQL only: PGlite runs one statement at a time and never waits for a lock.
describe.runIf(process.env.TEST_DATABASE_URL)('hours taken away while a booking in them commits', () => {
  it('counts the bookings under the doctor lock: a booking that got there first keeps the hours (409)', async () => {
    const day = ahead(7);
    const dr = await doctorOn(day);
    const slot = await t.app.db.doctorSchedule.findFirstOrThrow({ where: { id_doctors: dr.id, hari: dr.hari, jam: new Date('1970-01-01T10:00:00Z') } });
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM doctors WHERE id = ${dr.id} FOR UPDATE`,
      () => t.http.delete(`/schedules/${dr.hours}/delete`).set(t.auth(admin)),
      // a booking holding the doctor's lock commits while the delete waits for it
      (tx) =>
        tx.userSchedule.create({
          data: { id_doctors: dr.id, id_services: facial, id_doctor_schedules: slot.id, id_users: customer.id, id_patients: patient, hari: dr.hari, tanggal: day, jam: slot.jam, jam_selesai: slot.jam_selesai },
        }),
    );
    expect(res.status).toBe(409);
    expect(await slotsOn(dr.id, dr.hari)).toEqual(['09:00', '09:30', '10:00', '10:30']);
  });
});
