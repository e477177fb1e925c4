import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { patientOf } from '../commerce/fixtures.js';

// A consultation thread and its order: reopening is for a paid consultation.
// No Midtrans keys: the built-in payment simulator.
let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await createTestApp({ CONSULTATION_WINDOW_MINUTES: '60' });
  admin = await t.user(['ADMIN']);
});
afterAll(() => t.close());

const put = (path: string, u: TestUser, body: object = {}) => t.http.put(path).set(t.auth(u)).send(body);

async function paidConsultation() {
  const doctorUser = await t.user(['DOCTOR']);
  const d = await t.app.db.doctor.create({ data: { id_users: doctorUser.id, custom_price: 100_000 } });
  const u = await t.user(['CUSTOMER']);
  const patient = await patientOf(t, u);
  const id = (await t.http.post('/orders/init').set(t.auth(u)).send({ id_patients: patient.id, order_type: 'C' })).body.orders.id as number;
  await t.http.post('/orders/c_add_to_carts').set(t.auth(u)).send({ id_order: id, items: [{ id_doctors: d.id, qty: 1 }] }).expect(200);
  await put(`/orders/${id}/checkout`, u).expect(200);
  await put(`/orders/${id}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
  const thread = await t.app.db.thread.findFirstOrThrow({ where: { id_order: id } });
  return { id, threadId: thread.id, customer: u, doctor: doctorUser };
}
const thread = (id: number) => t.app.db.thread.findUniqueOrThrow({ where: { id } });

describe('reopening a consultation nobody pays for', () => {
  for (const [undo, body] of [
    ['unpaid', {}],
    ['cancel', { cancel_reason: 'refund' }],
  ] as const) {
    it(`is refused (409) once its order was ${undo === 'unpaid' ? 'unpaid' : 'cancelled'}: reopen and update is_closed 0`, async () => {
      const c = await paidConsultation();
      await put(`/orders/${c.id}/${undo}`, admin, body).expect(200);
      expect((await thread(c.threadId)).is_closed).toBe(1);
      for (const caller of [admin, c.doctor]) {
        const reopen = await put(`/threads/${c.threadId}/reopen`, caller);
        expect([reopen.status, reopen.body.message]).toEqual([409, 'The consultation’s order is not paid: the thread cannot be reopened']);
        const update = await put(`/threads/${c.threadId}/update`, caller, { is_closed: 0 });
        expect([update.status, update.body.message]).toEqual([409, 'The consultation’s order is not paid: the thread cannot be reopened']);
      }
      expect(await thread(c.threadId)).toMatchObject({ is_closed: 1 });
      // other edits of the closed thread stay possible
      expect((await put(`/threads/${c.threadId}/update`, admin, { queue_number: 4, is_closed: 1 })).status).toBe(200);
    });
  }

  it('a thread without an order (made by an admin) is reopened as before', async () => {
    const c = await paidConsultation();
    const made = await t.http.post('/threads/create').set(t.auth(admin)).send({ id_user_from: c.customer.id, id_user_to: c.doctor.id });
    const id = made.body.threads.id as number;
    await put(`/threads/${id}/close`, admin).expect(200);
    expect((await put(`/threads/${id}/reopen`, admin)).body).toEqual({ reopen: true });
    await put(`/threads/${id}/close`, admin).expect(200);
    expect((await put(`/threads/${id}/update`, admin, { is_closed: 0 })).body.threads.is_closed).toBe(0);
  });
});
