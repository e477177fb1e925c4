import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { consultationFixture, pay } from './fixtures.js';

// An admin handing a consultation to another doctor (threads/:id/update with id_user_to) tells the
// doctor who takes it over and the customer (`consultation_opened`, referencing the thread). Before,
// nobody was told: the new doctor did not know a paid patient was waiting for them (when the first
// doctor leaves the clinic, staff must hand their consultations over before deleting the profile).
let t: TestApp;
let f: Awaited<ReturnType<typeof consultationFixture>>;
let admin: TestUser;
let second: TestUser;
let threadId: number;

beforeAll(async () => {
  t = await createTestApp();
  f = await consultationFixture(t);
  admin = await t.user(['ADMIN']);
  second = await t.user(['DOCTOR']);
  await pay(t, f.order.id);
  threadId = (await t.app.db.thread.findFirstOrThrow({ where: { id_order: f.order.id } })).id;
});
afterAll(() => t.close());

/** the `consultation_opened` notifications about the thread: recipient and content */
const told = async () =>
  (await t.app.db.notification.findMany({ where: { intentions: 'consultation_opened', reference_type: 'threads', reference_id: threadId }, orderBy: { id: 'asc' } })).map((n) => [n.id_user_to, n.title, n.content]);
const handTo = (id_user_to: number, extra: Record<string, unknown> = {}) => t.http.put(`/threads/${threadId}/update`).set(t.auth(admin)).send({ id_user_to, ...extra });

describe('threads/:id/update handing a consultation to another doctor', () => {
  it('tells the doctor taking it over and the customer; an update keeping the doctor, or handing it to nobody, tells nobody', async () => {
    const opened = await told();
    expect(opened.map((n) => n[0]).sort()).toEqual([f.customer.id, f.doctor.id].sort());
    const name = (await t.app.db.user.findUniqueOrThrow({ where: { id: second.id } })).users_fullname;
    expect((await handTo(second.id)).status).toBe(200);
    expect((await told()).slice(2)).toEqual([
      [f.customer.id, 'Konsultasi online dialihkan', `Konsultasi untuk pesanan ${f.order.order_code} kini dilanjutkan oleh ${name}.`],
      [second.id, 'Konsultasi online dialihkan', `Konsultasi untuk pesanan ${f.order.order_code} dialihkan kepada Anda.`],
    ]);
    // the same doctor again, another field, or nobody: no new notification
    expect((await handTo(second.id, { queue_number: 3 })).status).toBe(200);
    expect((await handTo(0)).status).toBe(200);
    expect(await told()).toHaveLength(4);
  });

  it('tells nobody when the consultation no longer accepts messages (closed)', async () => {
    expect((await handTo(f.doctor.id, { is_closed: 1 })).status).toBe(200);
    expect((await handTo(second.id)).status).toBe(200);
    expect(await told()).toHaveLength(4);
    // handed over and reopened in one request: told
    expect((await handTo(f.doctor.id, { is_closed: 0 })).status).toBe(200);
    expect((await told()).slice(4).map((n) => n[0])).toEqual([f.customer.id, f.doctor.id]);
  });
});

describe('threads/create (admin) with a doctor', () => {
  it('tells the doctor and the customer, as a payment opening one does; one made without a doctor tells nobody', async () => {
    const made = await t.http.post('/threads/create').set(t.auth(admin)).send({ id_user_from: f.customer.id, id_user_to: second.id });
    expect(made.status).toBe(200);
    const notes = await t.app.db.notification.findMany({ where: { reference_type: 'threads', reference_id: made.body.threads.id }, orderBy: { id: 'asc' } });
    expect(notes.map((n) => [n.id_user_to, n.intentions, n.title])).toEqual([
      [f.customer.id, 'consultation_opened', 'Konsultasi online dibuka'],
      [second.id, 'consultation_opened', 'Konsultasi online dibuka'],
    ]);
    const bare = await t.http.post('/threads/create').set(t.auth(admin)).send({ id_user_from: f.customer.id });
    expect(bare.status).toBe(200);
    expect(await t.app.db.notification.count({ where: { reference_type: 'threads', reference_id: bare.body.threads.id } })).toBe(0);
  });
});
