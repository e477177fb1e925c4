import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { consultationFixture, pay } from './fixtures.js';

/**
 * The document prints a nested account (threads/create, threads/:id, threads/:id/update,
 * threads/overview's patients.users, patient_rekam_medis/:id verified_user, notifications/:id) with
 * num_of_login_attempts and the department fields, and notifications/:id also with `roles`.
 */
let t: TestApp;
let f: Awaited<ReturnType<typeof consultationFixture>>;
let admin: TestUser;
let threadId: number;

const DEPARTMENT_KEYS = ['num_of_login_attempts', 'department_ids', 'department_name', 'department_descriptions', 'department_codes'];

beforeAll(async () => {
  t = await createTestApp();
  f = await consultationFixture(t);
  admin = await t.user(['ADMIN']);
  const dep = await t.app.db.department.create({ data: { department_name: 'Dermatology', department_descriptions: 'Skin clinic', department_codes: 'DERM' } });
  await t.app.db.userDepartment.create({ data: { id_users: f.doctor.id, id_departments: dep.id } });
  await pay(t, f.order.id);
  threadId = (await t.app.db.thread.findFirstOrThrow({ where: { id_order: f.order.id } })).id;
});
afterAll(() => t.close());

describe('nested accounts carry the documented department fields', () => {
  it('threads/:id, threads/:id/update and threads/create: user_from and user_to', async () => {
    const one = await t.http.get(`/threads/${threadId}`).set(t.auth(admin));
    expect(one.status).toBe(200);
    expect(Object.keys(one.body.threads.user_to)).toEqual(expect.arrayContaining(DEPARTMENT_KEYS));
    expect(one.body.threads.user_to).toMatchObject({ department_ids: expect.any(String), department_name: 'Dermatology', department_codes: 'DERM', num_of_login_attempts: 0 });
    expect(Object.keys(one.body.threads.user_from)).toEqual(expect.arrayContaining(DEPARTMENT_KEYS));
    // the customer's view of the doctor still has the keys (the public view blanks contact data only)
    const asCustomer = await t.http.get(`/threads/${threadId}`).set(t.auth(f.customer));
    expect(asCustomer.body.threads.user_to).toMatchObject({ department_name: 'Dermatology', num_of_login_attempts: 0, users_email: '' });

    const upd = await t.http.put(`/threads/${threadId}/update`).set(t.auth(admin)).send({ queue_number: 2 });
    expect(upd.status).toBe(200);
    expect(upd.body.threads.user_to).toMatchObject({ department_name: 'Dermatology' });

    // a thread without a doctor: every key null but the picture link, as the document prints it
    const made = await t.http.post('/threads/create').set(t.auth(admin)).send({ id_user_from: f.customer.id, thread_type: 'prescriptions' });
    expect(made.status).toBe(200);
    for (const k of DEPARTMENT_KEYS) expect(made.body.threads.user_to[k]).toBeNull();
    expect(Object.keys(made.body.threads.user_from)).toEqual(expect.arrayContaining(DEPARTMENT_KEYS));
  });

  it("threads/overview: the patient's users", async () => {
    const ov = await t.http.post('/threads/overview').set(t.auth(f.customer)).send({});
    expect(ov.status).toBe(200);
    const item = ov.body.active.online_consultations.find((x: { id: number }) => x.id === threadId);
    expect(item.patients.users).toMatchObject({ id: f.customer.id, num_of_login_attempts: 0, department_ids: '', department_name: '' });
  });

  it('patient_rekam_medis/:id: verified_user (and its all-null form before verification)', async () => {
    const rec = await t.http
      .post('/patient_rekam_medis/create')
      .set(t.auth(admin))
      .send({ id_patients: f.patient.id, tanggal_konsul: '21/03/2023', keluhan: 'Gatal', diagnosa: 'Dermatitis', catatan_kaki: '-' });
    expect(rec.status).toBe(200);
    const id = rec.body.patient_rekam_medis.id;
    const before = await t.http.get(`/patient_rekam_medis/${id}`).set(t.auth(admin));
    for (const k of DEPARTMENT_KEYS) expect(before.body.patient_rekam_medis.verified_user[k]).toBeNull();
    expect((await t.http.put(`/patient_rekam_medis/${id}/verify`).set(t.auth(f.doctor)).send({})).status).toBe(200);
    const after = await t.http.get(`/patient_rekam_medis/${id}`).set(t.auth(admin));
    expect(after.body.patient_rekam_medis.verified_user).toMatchObject({ id: f.doctor.id, department_name: 'Dermatology', department_codes: 'DERM', num_of_login_attempts: 0 });
  });

  it('notifications/:id: user_from and user_to with roles', async () => {
    const n = await t.app.db.notification.findFirstOrThrow({ where: { id_user_to: f.doctor.id, intentions: 'consultation_opened' } });
    const res = await t.http.get(`/notifications/${n.id}`).set(t.auth(f.doctor));
    expect(res.status).toBe(200);
    expect(res.body.notifications.user_to).toMatchObject({ id: f.doctor.id, department_name: 'Dermatology', num_of_login_attempts: 0, roles: 'DOCTOR' });
    // from the system: the same keys, all null but the picture link
    expect(res.body.notifications.user_from).toMatchObject({ id: null, department_name: null, num_of_login_attempts: null, roles: null });
  });
});
