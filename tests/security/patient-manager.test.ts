import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { inspect } from './route-table.js';

/**
 * A doctor reads the patients of their consultations and appointments, and the patient's answer nests
 * the account managing it. That account's contact data and account state are its own: a doctor gets
 * them with the relation that justifies it (their thread's customer), not because they read a
 * patient that staff have since given to another account.
 */
let t: TestApp;
let admin: TestUser;
let a: TestUser;
let c: TestUser;
let doctor: TestUser;
const cPrivate = { users_email: 'c-private@example.com', users_phone: '081299990001', users_address: 'Jalan Rahasia C 7' };

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['OWNER', 'ADMIN']);
  a = await t.user(['CUSTOMER']);
  c = await t.user(['CUSTOMER']);
  doctor = await t.user(['DOCTOR']);
  await t.app.db.user.update({ where: { id: c.id }, data: { ...cPrivate, num_of_login_attempts: 3 } });
});
afterAll(() => t.close());

const leaksC = (text: string) => Object.values(cPrivate).some((v) => text.includes(v));

describe('the account managing a patient, nested in answers to a doctor', () => {
  it('does not show another account’s contact data once the patient moved to it', async () => {
    const patient = await t.app.db.patient.create({ data: { id_users: a.id, nama_lengkap_pasien: 'Pasien Konsultasi' } });
    const thread = await t.app.db.thread.create({ data: { id_user_from: a.id, id_user_to: doctor.id, id_patients: patient.id, estimate_done_at: new Date(Date.now() + 86_400_000) } });
    expect((await t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: c.id, id_patients: patient.id })).status).toBe(200);

    // the doctor still reads the patient of their consultation...
    const read = await t.http.get(`/patients/${patient.id}`).set(t.auth(doctor));
    inspect(read, 'patients/:id as the doctor');
    expect(read.status).toBe(200);
    expect(read.body.patients.users).toMatchObject({ id: c.id, users_email: '', users_phone: '', users_address: '', num_of_login_attempts: 0 });
    expect(leaksC(read.text), read.text).toBe(false);

    const overview = await t.http.post('/threads/overview').set(t.auth(doctor)).send({});
    inspect(overview, 'threads/overview as the doctor');
    const item = overview.body.active.online_consultations.find((x: { id: number }) => x.id === thread.id);
    expect(item.patients.users).toMatchObject({ id: c.id, users_email: '' });
    expect(leaksC(overview.text), overview.text).toBe(false);

    // control: staff and the manager see the account whole
    for (const who of [admin, c]) {
      const whole = await t.http.get(`/patients/${patient.id}`).set(t.auth(who));
      expect(whole.body.patients.users).toMatchObject({ id: c.id, ...cPrivate });
    }
  });

  it('the thread’s doctor still sees their own customer’s account in the overview', async () => {
    await t.app.db.user.update({ where: { id: a.id }, data: { users_email: 'a-visible@example.com' } });
    const patient = await t.app.db.patient.create({ data: { id_users: a.id, nama_lengkap_pasien: 'Pasien A' } });
    const thread = await t.app.db.thread.create({ data: { id_user_from: a.id, id_user_to: doctor.id, id_patients: patient.id, estimate_done_at: new Date(Date.now() + 86_400_000) } });
    const overview = await t.http.post('/threads/overview').set(t.auth(doctor)).send({});
    const item = overview.body.active.online_consultations.find((x: { id: number }) => x.id === thread.id);
    expect(item.patients.users).toMatchObject({ id: a.id, users_email: 'a-visible@example.com' });
  });
});
