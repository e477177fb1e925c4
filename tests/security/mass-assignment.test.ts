import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { inspect } from './route-table.js';
import { appointment, bookableSlot, createMenu } from './fixtures.js';

/**
 * Fields a client must not set are ignored (or refused) on create and update. Each entry sends
 * such fields as a customer and reads the database afterwards; other modules append their own
 * (orders: totals/status/is_paid; points; prices).
 */
const PRIVILEGED = { roles: ['OWNER', 'ADMIN'], is_blocked: 1, is_email_confirmed: 1, is_phone_confirmed: 1, token_version: 99, num_of_login_attempts: 0, positions: 'Owner', id_departments: [1], password_hash: 'x', id: 1 };

let t: TestApp;
let customer: TestUser;
let other: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  customer = await t.user(['CUSTOMER']);
  other = await t.user(['CUSTOMER']);
});
afterAll(() => t.close());

describe('mass assignment', () => {
  it('registration ignores roles, flags, position and ids', async () => {
    const res = await t.http.post('/users/create').send({ ...PRIVILEGED, username: 'massreg', users_fullname: 'Mass', password: 'qwerty123', retype_password: 'qwerty123' });
    inspect(res, 'users/create');
    expect(res.status).toBe(200);
    const u = await t.app.db.user.findUniqueOrThrow({ where: { username: 'massreg' }, include: { roles: true, departments: true } });
    expect(u).toMatchObject({ is_blocked: 0, is_email_confirmed: 0, is_phone_confirmed: 0, token_version: 0, positions: '-' });
    expect(u.id).not.toBe(1);
    expect(u.roles.map((r) => r.role_codes)).toEqual(['CUSTOMER']);
    expect(u.departments).toEqual([]);
  });

  it('a customer updating their profile cannot set roles, flags or position', async () => {
    const before = await t.app.db.user.findUniqueOrThrow({ where: { id: customer.id } });
    const res = await t.http.put(`/users/${customer.id}/update`).set(t.auth(customer)).send({ ...PRIVILEGED, users_fullname: 'Renamed' });
    inspect(res, 'users/:id/update');
    expect(res.status).toBe(200);
    const after = await t.app.db.user.findUniqueOrThrow({ where: { id: customer.id }, include: { roles: true, departments: true } });
    expect(after.users_fullname).toBe('Renamed');
    expect(after).toMatchObject({ is_blocked: 0, is_email_confirmed: before.is_email_confirmed, token_version: before.token_version, positions: before.positions, password_hash: before.password_hash });
    expect(after.roles.map((r) => r.role_codes)).toEqual(['CUSTOMER']);
    expect(after.departments).toEqual([]);
  });

  it('a client event cannot claim another user, role or outcome', async () => {
    const res = await t.http.post('/logs/create').set(t.auth(customer)).send({ action: 'x', id_users: 1, role: 'OWNER', outcome: 'denied', hash: 'f'.repeat(64), seq: 1 });
    expect(res.status).toBe(200);
    expect(res.body.logs).toMatchObject({ id_users: customer.id, role: 'CUSTOMER', outcome: 'success' });
    expect(res.body.logs.hash).not.toBe('f'.repeat(64));
  });
});

describe('mass assignment: patients, records, appointments, threads, notifications', () => {
  it('a customer cannot give a patient to someone else or set its picture, id or deletion', async () => {
    const res = await t.http
      .post('/patients/create')
      .set(t.auth(customer))
      .send({ nama_lengkap_pasien: 'Mass Patient', id_users: other.id, patient_picture: '../../etc/passwd', deleted_at: '2020-01-01', id: 1, created_at: '2000-01-01' });
    inspect(res, 'patients/create');
    expect(res.status).toBe(200);
    const id = res.body.patients.id;
    let p = await t.app.db.patient.findUniqueOrThrow({ where: { id } });
    expect(p).toMatchObject({ id_users: customer.id, patient_picture: null, deleted_at: null });
    expect(p.created_at.getUTCFullYear()).toBeGreaterThan(2000);

    for (const method of ['put', 'post'] as const) {
      const up = await t.http[method](`/patients/${id}/update`).set(t.auth(customer)).send({ id_users: other.id, patient_picture: 'x.png', deleted_at: '2020-01-01', catatan: 'ok' });
      inspect(up, 'patients/:id/update');
      expect(up.status).toBe(200);
    }
    p = await t.app.db.patient.findUniqueOrThrow({ where: { id } });
    expect(p).toMatchObject({ id_users: customer.id, patient_picture: null, deleted_at: null, catatan: 'ok' });
    const addr = await t.http.put(`/patients/${id}/update/address`).set(t.auth(customer)).send({ kota: 'BANDUNG', id_users: other.id, nama_lengkap_pasien: 'Renamed' });
    expect(addr.status).toBe(200);
    expect(await t.app.db.patient.findUniqueOrThrow({ where: { id } })).toMatchObject({ id_users: customer.id, kota: 'BANDUNG', nama_lengkap_pasien: 'Mass Patient' });
  });

  it('a medical record cannot be created or changed as verified, or by someone else’s hand', async () => {
    const patient = await t.app.db.patient.create({ data: { id_users: customer.id, nama_lengkap_pasien: 'Rekam Pasien' } });
    const slot = await bookableSlot(t, 6);
    await appointment(t, slot, customer.id, patient.id);
    const doctor = { id: slot.doctorUser.id, token: slot.doctorUser.token } as TestUser;
    const forged = { is_verified: 1, verified_iduser: other.id, verified_at: '2026-01-01 10:00', created_by_iduser: other.id, deleted_at: '2026-01-01' };

    // customers do not write records at all
    const byCustomer = await t.http.post('/patient_rekam_medis/create').set(t.auth(customer)).send({ id_patients: patient.id, tanggal_konsul: '01/11/2026', keluhan: 'x', ...forged });
    expect(byCustomer.status).toBe(403);
    expect(await t.app.db.patientRekamMedis.count({ where: { id_patients: patient.id } })).toBe(0);

    const res = await t.http.post('/patient_rekam_medis/create').set(t.auth(doctor)).send({ id_patients: patient.id, tanggal_konsul: '01/11/2026', keluhan: 'Gatal', ...forged });
    inspect(res, 'patient_rekam_medis/create');
    expect(res.status).toBe(200);
    const id = res.body.patient_rekam_medis.id;
    let r = await t.app.db.patientRekamMedis.findUniqueOrThrow({ where: { id } });
    expect(r).toMatchObject({ is_verified: 0, verified_iduser: null, verified_at: null, created_by_iduser: doctor.id, deleted_at: null });

    const up = await t.http.put(`/patient_rekam_medis/${id}/update`).set(t.auth(doctor)).send({ keluhan: 'Gatal sekali', ...forged });
    inspect(up, 'patient_rekam_medis/:id/update');
    expect(up.status).toBe(200);
    r = await t.app.db.patientRekamMedis.findUniqueOrThrow({ where: { id } });
    expect(r).toMatchObject({ keluhan: 'Gatal sekali', is_verified: 0, verified_iduser: null, verified_at: null, created_by_iduser: doctor.id, deleted_at: null });

    // verify records the caller as verifier, whatever the body says
    const v = await t.http.post(`/patient_rekam_medis/${id}/verify`).set(t.auth(doctor)).send({ verified_iduser: other.id, is_verified: 0 });
    expect(v.status).toBe(200);
    expect(await t.app.db.patientRekamMedis.findUniqueOrThrow({ where: { id } })).toMatchObject({ is_verified: 1, verified_iduser: doctor.id });
  });

  it('an appointment’s status, counters, price and owner are the server’s', async () => {
    const patient = await t.app.db.patient.create({ data: { id_users: customer.id, nama_lengkap_pasien: 'Janji Pasien' } });
    const otherPatient = await t.app.db.patient.create({ data: { id_users: other.id, nama_lengkap_pasien: 'Pasien Lain' } });
    const slot = await bookableSlot(t, 11, { price: 175_000 });
    const forged = {
      status: 'DONE', reschedule_counts: 3, custom_price: 1, active_slot: 0, digisoft_invoice_numbers: 'INV-FORGED', cancel_reason: 'forged',
      id_users: other.id, arrived_datetime: '2026-01-01 10:00', done_datetime: '2026-01-01 10:00', deleted_at: '2026-01-01', reminder_sent_at: '2026-01-01 10:00',
    };
    const res = await t.http.post('/user_schedules/create').set(t.auth(customer)).send({ id_doctor_schedules: slot.slot.id, tanggal: slot.tanggal, id_patients: patient.id, ...forged });
    inspect(res, 'user_schedules/create');
    expect(res.status).toBe(200);
    const id = res.body.user_schedules.id;
    let row = await t.app.db.userSchedule.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({
      status: 'BOOKING', reschedule_counts: 0, custom_price: 175_000, active_slot: 1, digisoft_invoice_numbers: '', cancel_reason: '',
      id_users: customer.id, id_patients: patient.id, arrived_datetime: null, done_datetime: null, deleted_at: null, reminder_sent_at: null,
    });

    const to = await bookableSlot(t, 12, { price: 90_000 });
    for (const path of ['reschedule', 'update']) {
      const move = await t.http.put(`/user_schedules/${id}/${path}`).set(t.auth(customer)).send({ ...forged, reschedule_counts: 0, id_patients: otherPatient.id, id_doctor_schedules: to.slot.id, tanggal: to.tanggal });
      inspect(move, `user_schedules/:id/${path}`);
      expect(move.status).toBe(200);
    }
    row = await t.app.db.userSchedule.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: 'RESCHEDULE', reschedule_counts: 2, custom_price: 90_000, id_users: customer.id, id_patients: patient.id, digisoft_invoice_numbers: '', active_slot: 1, deleted_at: null });

    const cancel = await t.http.post(`/user_schedules/${id}/cancel`).set(t.auth(customer)).send({ ...forged, cancel_reason: 'sakit' });
    expect(cancel.status).toBe(200);
    row = await t.app.db.userSchedule.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: 'CANCEL', active_slot: null, cancel_reason: 'sakit', reschedule_counts: 2, custom_price: 90_000, deleted_at: null });
  });

  it('notifications: marking read changes only the read flags of one’s own', async () => {
    const mine = await t.app.db.notification.create({ data: { id_user_to: customer.id, title: 'Halo', content: 'Isi' } });
    const theirs = await t.app.db.notification.create({ data: { id_user_to: other.id, title: 'Lain', content: 'Isi' } });
    const res = await t.http.post(`/notifications/${mine.id}/mark/as/read`).set(t.auth(customer)).send({ id_user_to: other.id, title: 'Forged', content: 'Forged', is_read: 0, intentions: 'x' });
    expect(res.status).toBe(200);
    expect(await t.app.db.notification.findUniqueOrThrow({ where: { id: mine.id } })).toMatchObject({ id_user_to: customer.id, title: 'Halo', content: 'Isi', is_read: 1, intentions: '' });
    const all = await t.http.put('/notifications/mark/all').set(t.auth(customer)).send({ id_user_to: other.id, is_read: 1 });
    expect(all.status).toBe(200);
    expect(await t.app.db.notification.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ is_read: 0, read_at: null });
  });

  it('messages: author, recipient, type, read flag and prescription fields are the server’s', async () => {
    const doctor = await t.user(['DOCTOR']);
    const menu = await createMenu(t);
    const thread = await t.app.db.thread.create({ data: { id_user_from: customer.id, id_user_to: doctor.id, estimate_done_at: new Date(Date.now() + 86_400_000) } });
    const forged = {
      id_user_from: doctor.id, id_user_to: other.id, is_read: 1, id_menu: menu.id, qty: 50, valid_until: '01/01/2030 10:00',
      remark: 'forged', file_name: '../../etc/passwd', file_mime: 'text/html', is_redeemed: 1, deleted_at: '2026-01-01',
    };
    const res = await t.http.post('/thread_messages/text').set(t.auth(customer)).send({ id_threads: thread.id, content: 'Halo dokter', content_type: 'text', ...forged });
    inspect(res, 'thread_messages/text');
    expect(res.status).toBe(200);
    const id = res.body.thread_messages.id;
    const expected = { id_user_from: customer.id, id_user_to: doctor.id, is_read: 0, content_type: 'text', id_menu: null, qty: null, valid_until: null, remark: '', file_name: null, file_mime: null, deleted_at: null };
    expect(await t.app.db.threadMessage.findUniqueOrThrow({ where: { id } })).toMatchObject(expected);
    const edit = await t.http.put(`/thread_messages/${id}/update_text`).set(t.auth(customer)).send({ content: 'Halo lagi', content_type: 'prescriptions', ...forged });
    expect(edit.status).toBe(200);
    expect(await t.app.db.threadMessage.findUniqueOrThrow({ where: { id } })).toMatchObject({ ...expected, content: 'Halo lagi' });
    // a customer cannot prescribe
    const rx = await t.http.post('/thread_messages/prescriptions').set(t.auth(customer)).send({ id_threads: thread.id, id_menu: menu.id, qty: 5 });
    expect(rx.status).toBe(403);
    expect(await t.app.db.threadMessage.count({ where: { id_threads: thread.id, content_type: 'prescriptions' } })).toBe(0);
  });

  it('threads: the doctor cannot reassign the thread, its customer or patient', async () => {
    const doctor = await t.user(['DOCTOR']);
    const otherDoctor = await t.user(['DOCTOR']);
    const patient = await t.app.db.patient.create({ data: { id_users: customer.id, nama_lengkap_pasien: 'Thread Pasien' } });
    const thread = await t.app.db.thread.create({ data: { id_user_from: customer.id, id_user_to: doctor.id, id_patients: patient.id } });
    const res = await t.http.put(`/threads/${thread.id}/update`).set(t.auth(doctor)).send({ queue_number: 4, id_user_to: otherDoctor.id, id_user_from: other.id, id_patients: 1, id_order: 1, thread_type: 'prescriptions' });
    inspect(res, 'threads/:id/update');
    expect(res.status).toBe(200);
    expect(await t.app.db.thread.findUniqueOrThrow({ where: { id: thread.id } })).toMatchObject({
      queue_number: 4, id_user_to: doctor.id, id_user_from: customer.id, id_patients: patient.id, id_order: null, thread_type: 'online_consultations',
    });
    // the customer cannot change the thread at all
    expect((await t.http.put(`/threads/${thread.id}/update`).set(t.auth(customer)).send({ is_closed: 1 })).status).toBe(403);
  });
});
