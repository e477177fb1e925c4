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
