import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestUser } from '../helpers/app.js';
import { consultationFixture, pay } from './fixtures.js';

/**
 * What a consultation's messages say is its patient's health data (content and url are clinical,
 * named by id_patients): a participant reads and writes them only while they may read that patient.
 * The thread itself (who, when, which order) stays listed.
 */
let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
});
afterAll(() => t.close());

async function consultation() {
  const g = await consultationFixture(t);
  await pay(t, g.order.id);
  const id = (await t.app.db.thread.findFirstOrThrow({ where: { id_order: g.order.id } })).id;
  const m = await t.http.post('/thread_messages/text').set(t.auth(g.doctor)).send({ id_threads: id, content: 'Diagnosis: dermatitis atopik' }).expect(200);
  return { ...g, id, messageId: m.body.thread_messages.id as number };
}

/** every way a caller reaches a thread's messages: 404 each (explore and search list none) */
async function expectNoMessages(auth: Record<string, string>, id: number, messageId: number) {
  expect((await t.http.post('/thread_messages/explore').set(auth).send({ id_threads: id })).status).toBe(404);
  const all = await t.http.post('/thread_messages/explore').set(auth).send({});
  expect(all.status).toBe(200);
  expect(all.body.data.filter((m: { id_threads: number }) => m.id_threads === id)).toEqual([]);
  const search = await t.http.post('/thread_messages/search').set(auth).send({ id_threads: id });
  expect(search.status).toBe(200);
  expect(search.body.thread_messages).toEqual([]);
  expect((await t.http.get(`/thread_messages/${messageId}`).set(auth)).status).toBe(404);
  expect((await t.http.post('/thread_messages/text').set(auth).send({ id_threads: id, content: 'Halo' })).status).toBe(404);
}

describe("a consultation's messages", () => {
  it('no longer reach the customer once staff moved the patient to another account; the doctor still reads them', async () => {
    const g = await consultation();
    const guardian = await t.user(['CUSTOMER']);
    await t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: guardian.id, id_patients: g.patient.id }).expect(200);
    await expectNoMessages(t.auth(g.customer), g.id, g.messageId);
    expect((await t.http.put(`/thread_messages/${g.messageId}/update_text`).set(t.auth(g.customer)).send({ content: 'x' })).status).toBe(404);
    // the thread itself is still listed for the customer who paid for it
    expect((await t.http.get(`/threads/${g.id}`).set(t.auth(g.customer))).status).toBe(200);
    // the doctor still reads the patient (their consultation) and its messages
    const ex = await t.http.post('/thread_messages/explore').set(t.auth(g.doctor)).send({ id_threads: g.id });
    expect(ex.status).toBe(200);
    expect(ex.body.data.map((m: { id: number }) => m.id)).toEqual([g.messageId]);
  });

  it('no longer reach a doctor whose DOCTOR role was taken away', async () => {
    const g = await consultation();
    await t.http.put(`/threads/${g.id}/close`).set(t.auth(g.doctor)).expect(200);
    await t.app.db.doctor.update({ where: { id: g.doctorRow.id }, data: { deleted_at: new Date() } });
    await t.http.put(`/users/${g.doctor.id}/update`).set(t.auth(admin)).send({ roles: ['CUSTOMER'] }).expect(200);
    const login = await t.http.post('/users/login').send({ username: g.doctor.username, password: TEST_PASSWORD }).expect(200);
    await expectNoMessages({ Authorization: `Bearer ${login.body.bearer}` }, g.id, g.messageId);
    // staff still read them
    expect((await t.http.post('/thread_messages/explore').set(t.auth(admin)).send({ id_threads: g.id })).status).toBe(200);
  });

  it('no longer reach the customer or the doctor once the patient was deleted (staff still read them)', async () => {
    const g = await consultation();
    await t.http.delete(`/patients/${g.patient.id}/delete`).set(t.auth(g.customer)).expect(200);
    await expectNoMessages(t.auth(g.customer), g.id, g.messageId);
    await expectNoMessages(t.auth(g.doctor), g.id, g.messageId);
    expect((await t.http.post('/thread_messages/explore').set(t.auth(admin)).send({ id_threads: g.id })).status).toBe(200);
  });

  it("threads/:id shows the customer's contact data to the thread's doctor only while a DOCTOR", async () => {
    const g = await consultation();
    const customerEmail = (await t.app.db.user.findUniqueOrThrow({ where: { id: g.customer.id } })).users_email;
    const before = await t.http.get(`/threads/${g.id}`).set(t.auth(g.doctor)).expect(200);
    expect(before.body.threads.user_from).toMatchObject({ id: g.customer.id, users_email: customerEmail });
    expect(before.body.threads.user_from.users_phone).not.toBe('');

    await t.http.put(`/threads/${g.id}/close`).set(t.auth(g.doctor)).expect(200);
    await t.app.db.doctor.update({ where: { id: g.doctorRow.id }, data: { deleted_at: new Date() } });
    await t.http.put(`/users/${g.doctor.id}/update`).set(t.auth(admin)).send({ roles: ['CUSTOMER'] }).expect(200);
    const login = await t.http.post('/users/login').send({ username: g.doctor.username, password: TEST_PASSWORD }).expect(200);
    const former = { Authorization: `Bearer ${login.body.bearer}` };
    // the thread itself stays listed, with the customer's public view only
    const after = await t.http.get(`/threads/${g.id}`).set(former).expect(200);
    expect(after.body.threads.user_from).toMatchObject({ id: g.customer.id, users_email: '', users_phone: '', users_address: '', users_birthday: null });
    // the former doctor still sees their own account whole
    expect(after.body.threads.user_to).toMatchObject({ id: g.doctor.id, users_email: expect.stringContaining('@') });
    // staff and the customer themselves still see the customer's whole
    const asAdmin = await t.http.get(`/threads/${g.id}`).set(t.auth(admin)).expect(200);
    expect(asAdmin.body.threads.user_from).toMatchObject({ users_email: customerEmail });
    const asCustomer = await t.http.get(`/threads/${g.id}`).set(t.auth(g.customer)).expect(200);
    expect(asCustomer.body.threads.user_from).toMatchObject({ users_email: customerEmail });
  });
});
