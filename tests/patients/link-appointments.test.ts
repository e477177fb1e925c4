import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinicDay, formatDate } from '../../src/lib/dates.js';
import { dayName } from '../../src/modules/clinic/booking.service.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { whileHolding } from '../helpers/interleave.js';
import { patientBody } from './fixtures.js';

// A patient staff move to another account (users/patients/link) takes its coming appointments along,
// into the new manager's name. Before, they stayed in the name of the account that booked them, which
// no longer managed the patient: it could not move or cancel them (404) yet kept seeing them and being
// reminded of them, while the new manager could not see them at all.
let t: TestApp;
let admin: TestUser;
let before: TestUser;
let after: TestUser;
let doctorUser: TestUser;

beforeAll(async () => {
  // FCM configured (never reached: no background job runs here), so that notifications queue pushes
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  t = await createTestApp({
    FCM_PROJECT_ID: 'colederma-test',
    FCM_CLIENT_EMAIL: 'fcm@colederma-test.iam.gserviceaccount.com',
    FCM_PRIVATE_KEY: privateKey,
    FCM_TOKEN_URL: 'http://127.0.0.1:9/token',
    FCM_API_URL: 'http://127.0.0.1:9',
  });
  admin = await t.user(['ADMIN']);
  doctorUser = await t.user(['DOCTOR']);
  before = await t.user(['CUSTOMER']);
  after = await t.user(['CUSTOMER']);
});
afterAll(() => t.close());

const day = (days: number) => new Date(clinicDay(new Date()).getTime() + days * 86_400_000);
const dmy = (d: Date) => {
  const iso = formatDate(d)!;
  return `${iso.slice(8)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
};

/** 09:00 and 10:00 slots of one doctor on the weekday of `d` */
async function slotsOn(d: Date) {
  const db = t.app.db;
  const service = await db.service.create({ data: { services_name: 'Facial', buffer_time: 30 } });
  const doctor = await db.doctor.upsert({ where: { id_users: doctorUser.id }, create: { id_users: doctorUser.id, is_active: 1 }, update: {} });
  const ds = await db.doctorService.create({ data: { id_doctors: doctor.id, id_services: service.id, is_active: 1 } });
  const slot = (h: number) =>
    db.doctorSchedule.create({ data: { id_doctors: doctor.id, id_doctor_services: ds.id, id_services: service.id, hari: dayName(d), jam: new Date(Date.UTC(1970, 0, 1, h)), jam_selesai: new Date(Date.UTC(1970, 0, 1, h, 30)) } });
  return { nine: (await slot(9)).id, ten: (await slot(10)).id, doctor: doctor.id, service: service.id };
}

describe('users/patients/link hands the patient’s coming appointments to the new manager', () => {
  it('the coming visit moves to the new account (seen and changeable there); past and cancelled ones stay with the booker', async () => {
    const patient = (await t.http.post('/patients/create').set(t.auth(before)).send(patientBody({ nama_lengkap_pasien: 'Pak Harjo' }))).body.patients.id as number;
    const visitDay = day(4);
    const slots = await slotsOn(visitDay);
    const coming = await t.http.post('/user_schedules/create').set(t.auth(before)).send({ id_doctor_schedules: slots.nine, tanggal: dmy(visitDay), id_patients: patient });
    expect(coming.status).toBe(200);
    const cancelled = await t.http.post('/user_schedules/create').set(t.auth(before)).send({ id_doctor_schedules: slots.ten, tanggal: dmy(visitDay), id_patients: patient });
    expect((await t.http.put(`/user_schedules/${cancelled.body.user_schedules.id}/cancel`).set(t.auth(before)).send({ cancel_reason: 'salah jam' })).status).toBe(200);
    const lastWeek = day(-7);
    const past = await t.app.db.userSchedule.create({
      data: { id_doctors: slots.doctor, id_services: slots.service, id_doctor_schedules: slots.nine, id_users: before.id, id_patients: patient, hari: dayName(lastWeek), tanggal: lastWeek, jam: new Date(Date.UTC(1970, 0, 1, 9)), jam_selesai: new Date(Date.UTC(1970, 0, 1, 9, 30)), status: 'DONE', active_slot: 1 },
    });

    expect((await t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: after.id, id_patients: patient })).status).toBe(200);

    const owners = Object.fromEntries((await t.app.db.userSchedule.findMany({ where: { id_patients: patient } })).map((a) => [a.id, a.id_users]));
    expect(owners).toEqual({ [coming.body.user_schedules.id]: after.id, [cancelled.body.user_schedules.id]: before.id, [past.id]: before.id });
    const id = coming.body.user_schedules.id as number;
    // the new manager sees and may move it; the booker no longer sees it
    expect((await t.http.get(`/user_schedules/${id}`).set(t.auth(after))).status).toBe(200);
    expect((await t.http.get(`/user_schedules/${id}`).set(t.auth(before))).status).toBe(404);
    const moved = await t.http.put(`/user_schedules/${id}/reschedule`).set(t.auth(after)).send({ id_doctor_schedules: slots.ten, tanggal: dmy(visitDay) });
    expect([moved.status, moved.body.user_schedules?.id_users]).toEqual([200, after.id]);
    // what stays with the booker is the history
    const mine = (await t.http.post('/user_schedules/search').set(t.auth(before)).send({})).body.user_schedules as { id: number }[];
    expect(mine.map((a) => a.id).sort((a, b) => a - b)).toEqual([cancelled.body.user_schedules.id, past.id].sort((a, b) => a - b));
  });
});

describe('patients/:id/update with another id_users (staff) hands them over as link does', () => {
  it('the coming visit goes to the account staff name; an update from the customer changes no manager', async () => {
    const patient = (await t.http.post('/patients/create').set(t.auth(before)).send(patientBody({ nama_lengkap_pasien: 'Bu Tini' }))).body.patients.id as number;
    const visitDay = day(6);
    const slots = await slotsOn(visitDay);
    const coming = await t.http.post('/user_schedules/create').set(t.auth(before)).send({ id_doctor_schedules: slots.nine, tanggal: dmy(visitDay), id_patients: patient });
    expect(coming.status).toBe(200);
    expect((await t.http.put(`/patients/${patient}/update`).set(t.auth(before)).send({ id_users: after.id, alamat_domisili: 'Cimahi' })).status).toBe(200);
    expect((await t.app.db.userSchedule.findUniqueOrThrow({ where: { id: coming.body.user_schedules.id } })).id_users).toBe(before.id);
    expect((await t.http.put(`/patients/${patient}/update`).set(t.auth(admin)).send({ id_users: after.id })).status).toBe(200);
    expect((await t.app.db.userSchedule.findUniqueOrThrow({ where: { id: coming.body.user_schedules.id } })).id_users).toBe(after.id);
  });
});

// PostgreSQL only: PGlite runs one statement at a time and never waits for a lock.
describe.runIf(process.env.TEST_DATABASE_URL)('a booking committing while staff move the patient', () => {
  it('is handed over too: the move takes the patient row first, then finds the booking', async () => {
    const patient = (await t.http.post('/patients/create').set(t.auth(before)).send(patientBody({ nama_lengkap_pasien: 'Bu Sri' }))).body.patients.id as number;
    const visitDay = day(5);
    const slots = await slotsOn(visitDay);
    const res = await whileHolding(
      t.app.db,
      // a booking holds the patient's row (as user_schedules/create does) and commits its appointment while the move waits
      (tx) => tx.$queryRaw`SELECT id FROM patients WHERE id = ${patient} FOR UPDATE`,
      () => t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: after.id, id_patients: patient }),
      (tx) =>
        tx.userSchedule.create({
          data: { id_doctors: slots.doctor, id_services: slots.service, id_doctor_schedules: slots.nine, id_users: before.id, id_patients: patient, hari: dayName(visitDay), tanggal: visitDay, jam: new Date(Date.UTC(1970, 0, 1, 9)), jam_selesai: new Date(Date.UTC(1970, 0, 1, 9, 30)) },
        }),
    );
    expect(res.status).toBe(200);
    expect((await t.app.db.userSchedule.findMany({ where: { id_patients: patient } })).map((a) => a.id_users)).toEqual([after.id]);
  });
});

// A doctor is not booked with a patient their own account manages (user_schedules/create refuses it,
// bookingOneself). Moving the patient into the account of the doctor it has coming visits with would
// make exactly that booking (the visits move into the new manager's name): refused with 409 naming
// the visits, nothing written. Before, the move went through.
describe('moving a patient into the account of the doctor it is booked with', () => {
  /** a patient of `before` with a coming visit with doctorUser; its past visit and a cancelled one do not count */
  async function bookedWithTheDoctor(name: string, days: number) {
    const patient = (await t.http.post('/patients/create').set(t.auth(before)).send(patientBody({ nama_lengkap_pasien: name }))).body.patients.id as number;
    const visitDay = day(days);
    const slots = await slotsOn(visitDay);
    const coming = await t.http.post('/user_schedules/create').set(t.auth(before)).send({ id_doctor_schedules: slots.nine, tanggal: dmy(visitDay), id_patients: patient });
    expect(coming.status, coming.text).toBe(200);
    const cancelled = await t.http.post('/user_schedules/create').set(t.auth(before)).send({ id_doctor_schedules: slots.ten, tanggal: dmy(visitDay), id_patients: patient });
    await t.http.put(`/user_schedules/${cancelled.body.user_schedules.id}/cancel`).set(t.auth(before)).send({ cancel_reason: 'salah jam' }).expect(200);
    const lastWeek = day(-days);
    await t.app.db.userSchedule.create({
      data: { id_doctors: slots.doctor, id_services: slots.service, id_doctor_schedules: slots.nine, id_users: before.id, id_patients: patient, hari: dayName(lastWeek), tanggal: lastWeek, jam: new Date(Date.UTC(1970, 0, 1, 9)), jam_selesai: new Date(Date.UTC(1970, 0, 1, 9, 30)), status: 'DONE', active_slot: 1 },
    });
    return { patient, id: coming.body.user_schedules.id as number };
  }
  /** everything a move writes: the patient, its appointments, notifications, the audit log */
  const written = async (patient: number) => ({
    patient: await t.app.db.patient.findUniqueOrThrow({ where: { id: patient } }),
    appointments: await t.app.db.userSchedule.findMany({ where: { id_patients: patient }, orderBy: { id: 'asc' } }),
    notifications: await t.app.db.notification.count(),
    logs: await t.app.db.log.count(),
  });

  it('users/patients/link: 409 naming the visit to cancel or move first; then the move is made', async () => {
    const { patient, id } = await bookedWithTheDoctor('Pak Budi', 8);
    const was = await written(patient);
    const res = await t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: doctorUser.id, id_patients: patient });
    expect(res.status).toBe(409);
    expect(res.body.message).toContain(`user_schedules ${id}`);
    expect(res.body.message).toContain('cancel it or move it to another doctor first');
    expect(await written(patient)).toEqual(was);
    // once the visit is cancelled, nothing stands in the way
    await t.http.put(`/user_schedules/${id}/cancel`).set(t.auth(before)).send({ cancel_reason: 'pindah akun' }).expect(200);
    await t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: doctorUser.id, id_patients: patient }).expect(200);
    expect((await t.app.db.patient.findUniqueOrThrow({ where: { id: patient } })).id_users).toBe(doctorUser.id);
  });

  it("staff's patients/:id/update with that id_users: the same 409, none of the update written", async () => {
    const { patient, id } = await bookedWithTheDoctor('Bu Ani', 9);
    const was = await written(patient);
    const res = await t.http.put(`/patients/${patient}/update`).set(t.auth(admin)).send({ id_users: doctorUser.id, alamat_domisili: 'Cimahi', allergies: ['Debu'] });
    expect(res.status).toBe(409);
    expect(res.body.message).toContain(`user_schedules ${id}`);
    expect(await written(patient)).toEqual(was);
    expect(await t.app.db.patientAllergy.count({ where: { id_patients: patient, allergies: 'Debu' } })).toBe(0);
    // to another account it moves as before
    await t.http.put(`/patients/${patient}/update`).set(t.auth(admin)).send({ id_users: after.id }).expect(200);
    expect((await t.app.db.userSchedule.findUniqueOrThrow({ where: { id } })).id_users).toBe(after.id);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('a booking with the doctor committing while staff move the patient into the doctor’s account', () => {
  it('is seen by the move (the patient row first): 409, nothing moved', async () => {
    const patient = (await t.http.post('/patients/create').set(t.auth(before)).send(patientBody({ nama_lengkap_pasien: 'Bu Wati' }))).body.patients.id as number;
    const visitDay = day(10);
    const slots = await slotsOn(visitDay);
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM patients WHERE id = ${patient} FOR UPDATE`,
      () => t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: doctorUser.id, id_patients: patient }),
      (tx) =>
        tx.userSchedule.create({
          data: { id_doctors: slots.doctor, id_services: slots.service, id_doctor_schedules: slots.nine, id_users: before.id, id_patients: patient, hari: dayName(visitDay), tanggal: visitDay, jam: new Date(Date.UTC(1970, 0, 1, 9)), jam_selesai: new Date(Date.UTC(1970, 0, 1, 9, 30)) },
        }),
    );
    expect(res.status).toBe(409);
    expect((await t.app.db.patient.findUniqueOrThrow({ where: { id: patient } })).id_users).toBe(before.id);
    expect((await t.app.db.userSchedule.findMany({ where: { id_patients: patient } })).map((a) => a.id_users)).toEqual([before.id]);
  });
});

// The coming visits that go with the patient (above) were moved silently: the new manager found them
// only by looking, and the account that booked them saw them vanish. Now the move tells both, once per
// moved visit, in its transaction (with its pushes); the doctor, whose visit is unchanged, is not told.
describe('a visit handed over with its patient is told to the new manager and to the account it leaves', () => {
  const told = (id: number) =>
    t.app.db.notification.findMany({ where: { reference_type: 'user_schedules', reference_id: id, intentions: 'appointment_transferred' }, select: { id_user_to: true, title: true, content: true, labels: true }, orderBy: { id: 'asc' } });

  it('users/patients/link: one notice each (Indonesian, with the visit), pushes queued; a repeat of the move tells nobody again', async () => {
    await t.app.db.userDeviceToken.createMany({ data: [{ device_token: `phone-of-${after.id}`, id_users: after.id }, { device_token: `phone-of-${before.id}`, id_users: before.id }] });
    const patient = (await t.http.post('/patients/create').set(t.auth(before)).send(patientBody({ nama_lengkap_pasien: 'Pak Darto' }))).body.patients.id as number;
    const visitDay = day(11);
    const slots = await slotsOn(visitDay);
    const coming = await t.http.post('/user_schedules/create').set(t.auth(before)).send({ id_doctor_schedules: slots.nine, tanggal: dmy(visitDay), id_patients: patient });
    expect(coming.status, coming.text).toBe(200);
    const cancelled = await t.http.post('/user_schedules/create').set(t.auth(before)).send({ id_doctor_schedules: slots.ten, tanggal: dmy(visitDay), id_patients: patient });
    await t.http.put(`/user_schedules/${cancelled.body.user_schedules.id}/cancel`).set(t.auth(before)).send({}).expect(200);
    const id = coming.body.user_schedules.id as number;
    const doctorName = (await t.app.db.user.findUniqueOrThrow({ where: { id: doctorUser.id } })).users_fullname;
    const pushes = await t.app.db.pushDelivery.count();

    await t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: after.id, id_patients: patient }).expect(200);
    const visit = `Janji temu Pak Darto dengan ${doctorName} ${formatDate(visitDay)} 09:00`;
    const base = { title: 'Janji temu dialihkan', labels: 'Info' };
    expect(await told(id)).toEqual([
      { ...base, id_user_to: after.id, content: `${visit} kini tercatat di akun Anda.` },
      { ...base, id_user_to: before.id, content: `${visit} dipindahkan ke akun lain yang kini mengelola pasien.` },
    ]);
    // the cancelled one stays with the booker: nothing to tell of it
    expect(await told(cancelled.body.user_schedules.id)).toEqual([]);
    expect(await t.app.db.pushDelivery.count()).toBe(pushes + 2);
    // the new manager reads it among their notifications
    const mine = await t.http.post('/notifications/search').set(t.auth(after)).send({});
    expect(mine.body.notifications.filter((n: { intentions: string; reference_id: unknown }) => n.intentions === 'appointment_transferred' && Number(n.reference_id) === id)).toHaveLength(1);

    // the same move again (a retry) moves nothing and tells nobody
    await t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: after.id, id_patients: patient }).expect(200);
    expect(await told(id)).toHaveLength(2);
    expect(await t.app.db.pushDelivery.count()).toBe(pushes + 2);
  });

  it("staff's patients/:id/update with another id_users tells them as link does; a refused move tells nobody", async () => {
    const patient = (await t.http.post('/patients/create').set(t.auth(before)).send(patientBody({ nama_lengkap_pasien: 'Bu Surti' }))).body.patients.id as number;
    const visitDay = day(12);
    const slots = await slotsOn(visitDay);
    const coming = await t.http.post('/user_schedules/create').set(t.auth(before)).send({ id_doctor_schedules: slots.nine, tanggal: dmy(visitDay), id_patients: patient });
    const id = coming.body.user_schedules.id as number;
    // into the doctor's own account: refused (409), nothing told
    await t.http.put(`/patients/${patient}/update`).set(t.auth(admin)).send({ id_users: doctorUser.id }).expect(409);
    expect(await told(id)).toEqual([]);
    await t.http.put(`/patients/${patient}/update`).set(t.auth(admin)).send({ id_users: after.id }).expect(200);
    expect((await told(id)).map((n) => n.id_user_to)).toEqual([after.id, before.id]);
    // nor is the doctor told
    expect(await t.app.db.notification.count({ where: { reference_id: id, id_user_to: doctorUser.id, intentions: 'appointment_transferred' } })).toBe(0);
  });
});

// users/patients/unlink (the status quo, kept: docs/compat.md, Patients): the patient gets no manager,
// and its coming visits stay in the name of the account that booked them, which keeps them (listed,
// the patient shown by name only, reminded and told of changes) and may still cancel them, but no
// longer moves them; staff move or cancel them. Nobody is told of the unlink itself.
describe('users/patients/unlink leaves the coming visits with the account that booked them', () => {
  it('the booker keeps and may cancel them, not move them; staff may move them; a later link hands them over', async () => {
    const patient = (await t.http.post('/patients/create').set(t.auth(before)).send(patientBody({ nama_lengkap_pasien: 'Mbak Rini' }))).body.patients.id as number;
    const visitDay = day(13);
    const slots = await slotsOn(visitDay);
    const book = (slot: number) => t.http.post('/user_schedules/create').set(t.auth(before)).send({ id_doctor_schedules: slot, tanggal: dmy(visitDay), id_patients: patient });
    const first = (await book(slots.nine)).body.user_schedules.id as number;
    const second = (await book(slots.ten)).body.user_schedules.id as number;
    const notes = await t.app.db.notification.count();

    await t.http.put('/users/patients/unlink').set(t.auth(admin)).send({ id_patients: patient }).expect(200);
    expect((await t.app.db.patient.findUniqueOrThrow({ where: { id: patient } })).id_users).toBeNull();
    expect((await t.app.db.userSchedule.findMany({ where: { id_patients: patient }, orderBy: { id: 'asc' } })).map((a) => [a.id_users, a.status])).toEqual([
      [before.id, 'BOOKING'],
      [before.id, 'BOOKING'],
    ]);
    expect(await t.app.db.notification.count()).toBe(notes);
    // the booker sees it, the patient by name only (no longer theirs to read)
    const seen = await t.http.get(`/user_schedules/${first}`).set(t.auth(before));
    expect(seen.status).toBe(200);
    expect(seen.body.user_schedules.patients).toMatchObject({ id: patient, nama_lengkap_pasien: 'Mbak Rini', no_handphone: null });
    // moving it is refused as for a patient not theirs; cancelling it is not
    const nextSlot = await t.app.db.doctorSchedule.create({
      data: { id_doctors: slots.doctor, id_doctor_services: (await t.app.db.doctorService.findFirstOrThrow({ where: { id_doctors: slots.doctor, id_services: slots.service } })).id, id_services: slots.service, hari: dayName(visitDay), jam: new Date(Date.UTC(1970, 0, 1, 11)), jam_selesai: new Date(Date.UTC(1970, 0, 1, 11, 30)) },
    });
    expect((await t.http.put(`/user_schedules/${first}/reschedule`).set(t.auth(before)).send({ id_doctor_schedules: nextSlot.id, tanggal: dmy(visitDay) })).status).toBe(404);
    await t.http.put(`/user_schedules/${first}/reschedule`).set(t.auth(admin)).send({ id_doctor_schedules: nextSlot.id, tanggal: dmy(visitDay) }).expect(200);
    await t.http.put(`/user_schedules/${first}/cancel`).set(t.auth(before)).send({ cancel_reason: 'bukan keluarga lagi' }).expect(200);
    // linked to an account later: the visit still coming goes there (and both are told)
    await t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: after.id, id_patients: patient }).expect(200);
    expect((await t.app.db.userSchedule.findMany({ where: { id_patients: patient }, orderBy: { id: 'asc' } })).map((a) => [a.id, a.id_users, a.status])).toEqual([
      [first, before.id, 'CANCEL'],
      [second, after.id, 'BOOKING'],
    ]);
  });
});

/** a doctor profile of `owner` with 09:00 and 10:00 slots on the weekday of `d` */
async function profileWithSlots(owner: TestUser, d: Date) {
  const db = t.app.db;
  const service = await db.service.create({ data: { services_name: 'Peeling', buffer_time: 30 } });
  const doctor = await db.doctor.create({ data: { id_users: owner.id, is_active: 1 } });
  const ds = await db.doctorService.create({ data: { id_doctors: doctor.id, id_services: service.id, is_active: 1 } });
  const slot = (h: number) =>
    db.doctorSchedule.create({ data: { id_doctors: doctor.id, id_doctor_services: ds.id, id_services: service.id, hari: dayName(d), jam: new Date(Date.UTC(1970, 0, 1, h)), jam_selesai: new Date(Date.UTC(1970, 0, 1, h, 30)) } });
  return { nine: (await slot(9)).id, ten: (await slot(10)).id, doctor: doctor.id, service: service.id };
}

// The same rule from the other side: a doctor profile handed to another account (doctors/:id/update
// with id_users) keeps its visits, so the visits from today on in that account's name, or of a patient
// it manages, would leave the doctor booked with themselves. Refused (409) naming them, nothing
// written; before, the profile moved.
describe('handing a doctor profile to an account booked with it', () => {
  const visit = (slots: Awaited<ReturnType<typeof profileWithSlots>>, d: Date, id_users: number, id_patients: number, status = 'BOOKING') =>
    t.app.db.userSchedule.create({
      data: { id_doctors: slots.doctor, id_services: slots.service, id_doctor_schedules: slots.nine, id_users, id_patients, hari: dayName(d), tanggal: d, jam: new Date(Date.UTC(1970, 0, 1, 9)), jam_selesai: new Date(Date.UTC(1970, 0, 1, 9, 30)), status, active_slot: 1 },
    });
  const handTo = (doctor: number, id_users: number) => t.http.put(`/doctors/${doctor}/update`).set(t.auth(admin)).send({ id_users });

  it('409 naming the account’s coming visits with it (its own, its patients’); past and cancelled ones do not count; then it is handed over', async () => {
    const giver = await t.user(['DOCTOR']);
    const taker = await t.user(['DOCTOR']);
    const visitDay = day(11);
    const slots = await profileWithSlots(giver, visitDay);
    // the taker's own patient record, made by staff (a doctor's account books as a customer)
    const ownRes = await t.http.post('/patients/create').set(t.auth(admin)).send(patientBody({ nama_lengkap_pasien: 'Dr. Taker', id_users: taker.id }));
    expect(ownRes.status, ownRes.text).toBe(200);
    const own = ownRes.body.patients.id as number;
    const coming = await t.http.post('/user_schedules/create').set(t.auth(taker)).send({ id_doctor_schedules: slots.nine, tanggal: dmy(visitDay), id_patients: own });
    expect(coming.status, coming.text).toBe(200);
    const cancelled = await t.http.post('/user_schedules/create').set(t.auth(taker)).send({ id_doctor_schedules: slots.ten, tanggal: dmy(visitDay), id_patients: own });
    await t.http.put(`/user_schedules/${cancelled.body.user_schedules.id}/cancel`).set(t.auth(taker)).send({ cancel_reason: 'salah jam' }).expect(200);
    await visit(slots, day(-11), taker.id, own, 'DONE');
    // a patient the taker manages now, booked in another account's name before it moved (a later unlink and link)
    const managed = (await t.http.post('/patients/create').set(t.auth(admin)).send(patientBody({ nama_lengkap_pasien: 'Anak Taker', id_users: taker.id }))).body.patients.id as number;
    const other = await visit(slots, day(18), before.id, managed);
    const was = { doctor: await t.app.db.doctor.findUniqueOrThrow({ where: { id: slots.doctor } }), logs: await t.app.db.log.count() };

    const res = await handTo(slots.doctor, taker.id);
    expect(res.status).toBe(409);
    expect(res.body.message).toContain(`(user_schedules ${coming.body.user_schedules.id}, ${other.id})`);
    expect(res.body.message).toContain('cancel them or move them to another doctor first');
    expect({ doctor: await t.app.db.doctor.findUniqueOrThrow({ where: { id: slots.doctor } }), logs: await t.app.db.log.count() }).toEqual(was);

    await t.http.put(`/user_schedules/${coming.body.user_schedules.id}/cancel`).set(t.auth(taker)).send({ cancel_reason: 'ganti dokter' }).expect(200);
    await t.http.put(`/user_schedules/${other.id}/cancel`).set(t.auth(admin)).send({ cancel_reason: 'ganti dokter' }).expect(200);
    const ok = await handTo(slots.doctor, taker.id);
    expect([ok.status, ok.body.doctors?.id_users]).toEqual([200, taker.id]);
  });

  it('another account’s visits with it do not stand in the way', async () => {
    const giver = await t.user(['DOCTOR']);
    const taker = await t.user(['DOCTOR']);
    const visitDay = day(12);
    const slots = await profileWithSlots(giver, visitDay);
    const patient = (await t.http.post('/patients/create').set(t.auth(before)).send(patientBody({ nama_lengkap_pasien: 'Bu Tini' }))).body.patients.id as number;
    await t.http.post('/user_schedules/create').set(t.auth(before)).send({ id_doctor_schedules: slots.nine, tanggal: dmy(visitDay), id_patients: patient }).expect(200);
    expect((await handTo(slots.doctor, taker.id)).status).toBe(200);
  });
});

// PostgreSQL only: the two moves at the same moment are decided one after the other (the doctor's row).
describe.runIf(process.env.TEST_DATABASE_URL)('a doctor profile handed over while its patient moves into that account', () => {
  async function setUp(name: string, days: number) {
    const giver = await t.user(['DOCTOR']);
    const taker = await t.user(['DOCTOR']);
    const visitDay = day(days);
    const slots = await profileWithSlots(giver, visitDay);
    const patient = (await t.http.post('/patients/create').set(t.auth(before)).send(patientBody({ nama_lengkap_pasien: name }))).body.patients.id as number;
    await t.http.post('/user_schedules/create').set(t.auth(before)).send({ id_doctor_schedules: slots.nine, tanggal: dmy(visitDay), id_patients: patient }).expect(200);
    return { giver, taker, doctor: slots.doctor, patient };
  }

  it('the profile handed over first: the patient’s move waits for it, then sees it (409)', async () => {
    const { taker, doctor, patient } = await setUp('Pak Joko', 13);
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM doctors WHERE id = ${doctor} FOR UPDATE`,
      () => t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: taker.id, id_patients: patient }),
      (tx) => tx.doctor.update({ where: { id: doctor }, data: { id_users: taker.id } }),
    );
    expect(res.status).toBe(409);
    expect((await t.app.db.patient.findUniqueOrThrow({ where: { id: patient } })).id_users).toBe(before.id);
  });

  it('the patient moved first: the profile’s hand-over waits for it, then sees its visit (409)', async () => {
    const { giver, taker, doctor, patient } = await setUp('Bu Yani', 14);
    const res = await whileHolding(
      t.app.db,
      // as users/patients/link holds them: the patient, its visits, their doctors (FOR SHARE)
      (tx) => tx.$queryRaw`SELECT id FROM doctors WHERE id = ${doctor} FOR SHARE`,
      () => t.http.put(`/doctors/${doctor}/update`).set(t.auth(admin)).send({ id_users: taker.id }),
      async (tx) => {
        await tx.patient.update({ where: { id: patient }, data: { id_users: taker.id } });
        await tx.userSchedule.updateMany({ where: { id_patients: patient }, data: { id_users: taker.id } });
      },
    );
    expect(res.status).toBe(409);
    expect((await t.app.db.doctor.findUniqueOrThrow({ where: { id: doctor } })).id_users).toBe(giver.id);
  });
});
