import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { consultationFixture, pay } from './fixtures.js';

let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
});
afterAll(() => t.close());

const fullname = async (u: TestUser) => (await t.app.db.user.findUniqueOrThrow({ where: { id: u.id } })).users_fullname;

describe('the new_message notification', () => {
  it("names the message's author: an admin writing in a consultation is not announced as its doctor", async () => {
    const g = await consultationFixture(t);
    await pay(t, g.order.id);
    const id = (await t.app.db.thread.findFirstOrThrow({ where: { id_order: g.order.id } })).id;
    const sent = await t.http.post('/thread_messages/text').set(t.auth(admin)).send({ id_threads: id, content: 'Jadwal dokter berubah' }).expect(200);
    expect(sent.body.thread_messages.id_user_to).toBe(g.customer.id);
    const note = await t.app.db.notification.findFirstOrThrow({ where: { intentions: 'new_message', id_user_to: g.customer.id } });
    expect(note.id_user_from).toBe(admin.id);
    expect(note.content).toBe(`${await fullname(admin)} mengirim pesan baru.`);
    // the doctor's own message is still theirs
    await t.http.post('/thread_messages/text').set(t.auth(g.doctor)).send({ id_threads: id, content: 'Halo' }).expect(200);
    const fromDoctor = await t.app.db.notification.findFirstOrThrow({ where: { intentions: 'new_message', id_user_to: g.customer.id, id_user_from: g.doctor.id } });
    expect(fromDoctor.content).toBe(`${await fullname(g.doctor)} mengirim pesan baru.`);
  });
});

// A consultation's messages reach only who may read that patient now (thread_messages'
// rule): the customer whose patient staff moved to another account no longer reads them, so a
// message written after the move is not announced to them (a notice of a message they cannot open).
// The new manager does not take part in the consultation (it stays the buyer's): not told either.
// The doctor still reads and writes the consultation (their patient's record stays theirs to read).
describe('new_message / new_prescription after staff moved the patient to another account', () => {
  it('goes to nobody on the customer side: neither the former account nor the new manager', async () => {
    const g = await consultationFixture(t);
    await pay(t, g.order.id);
    const id = (await t.app.db.thread.findFirstOrThrow({ where: { id_order: g.order.id } })).id;
    await t.http.post('/thread_messages/text').set(t.auth(g.doctor)).send({ id_threads: id, content: 'Sebelum' }).expect(200);
    expect(await t.app.db.notification.count({ where: { intentions: 'new_message', reference_id: id, id_user_to: g.customer.id } })).toBe(1);

    const guardian = await t.user(['CUSTOMER']);
    await t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: guardian.id, id_patients: g.patient.id }).expect(200);
    // the doctor may still write: the consultation is the patient's and still theirs
    const after = await t.http.post('/thread_messages/text').set(t.auth(g.doctor)).send({ id_threads: id, content: 'Sesudah' });
    expect(after.status).toBe(200);
    // ... but the former account, who can no longer open the message, is not told of it
    expect(await t.app.db.notification.count({ where: { reference_type: 'threads', reference_id: id, id_user_to: g.customer.id, intentions: 'new_message' } })).toBe(1);
    expect(await t.app.db.notification.count({ where: { reference_type: 'threads', reference_id: id, id_user_to: guardian.id } })).toBe(0);
    // the new manager does not see the thread (it stays the buyer's)
    expect((await t.http.get(`/threads/${id}`).set(t.auth(guardian))).status).toBe(404);

    // linked back: the customer reads the messages again, and is told again
    await t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: g.customer.id, id_patients: g.patient.id }).expect(200);
    await t.http.post('/thread_messages/text').set(t.auth(g.doctor)).send({ id_threads: id, content: 'Lagi' }).expect(200);
    expect(await t.app.db.notification.count({ where: { intentions: 'new_message', reference_id: id, id_user_to: g.customer.id } })).toBe(2);
  });
});
