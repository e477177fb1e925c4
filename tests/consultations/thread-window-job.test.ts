import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emit } from '../../src/lib/events.js';
import { closeEndedConsultations } from '../../src/modules/consultations/threads.service.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { whileHolding } from '../helpers/interleave.js';
import { consultationFixture, createMenu, pay } from './fixtures.js';

// A consultation past its window accepts no messages, yet said `is_closed: 0` in every read (only
// the grouped views put it in `archive`). The job closes it: is_closed 1, closed_at = the window's end.
let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await createTestApp({ CONSULTATION_WINDOW_MINUTES: '60' });
  admin = await t.user(['ADMIN']);
});
afterAll(() => t.close());

const put = (path: string, u: TestUser, body: object = {}) => t.http.put(path).set(t.auth(u)).send(body);
const thread = (id: number) => t.app.db.thread.findUniqueOrThrow({ where: { id } });
const ended = new Date('2020-01-02T03:04:05.000Z');

async function paidThread() {
  const f = await consultationFixture(t);
  await pay(t, f.order.id);
  return { ...f, threadId: (await t.app.db.thread.findFirstOrThrow({ where: { id_order: f.order.id } })).id };
}
/** a paid consultation whose window passed (its order's window with it, as an update of estimate_done_at leaves it) */
async function endedThread() {
  const f = await paidThread();
  await put(`/threads/${f.threadId}/update`, admin, { estimate_done_at: '2020-01-02 10:04:05' }).expect(200);
  return f;
}

describe('the job closing consultations past their window', () => {
  it('closes them as they stand (closed_at = the window’s end), which every read then shows; leaves the others', async () => {
    const past = await endedThread();
    const running = await paidThread();
    const noEnd = await paidThread();
    await put(`/threads/${noEnd.threadId}/update`, admin, { estimate_done_at: null }).expect(200);
    const deleted = await endedThread();
    await t.http.delete(`/threads/${deleted.threadId}/delete`).set(t.auth(admin)).expect(200);
    // before: the read says open although no message is accepted
    const before = await t.http.get(`/threads/${past.threadId}`).set(t.auth(past.customer)).expect(200);
    expect(before.body.threads).toMatchObject({ is_closed: 0, closed_at: null });

    expect(await closeEndedConsultations(t.app)).toBe(1);
    expect(await thread(past.threadId)).toMatchObject({ is_closed: 1, closed_at: ended, estimate_done_at: ended });
    const read = await t.http.get(`/threads/${past.threadId}`).set(t.auth(past.customer)).expect(200);
    expect(read.body.threads).toMatchObject({ is_closed: 1, closed_at: '2020-01-02 10:04:05' });
    const closedList = await t.http.post('/threads/explore').set(t.auth(past.customer)).send({ is_closed: 0 }).expect(200);
    expect(closedList.body.data.map((x: { id: number }) => x.id)).not.toContain(past.threadId);
    // the order still says when it ended
    const o = await t.http.get(`/orders/${past.order.id}`).set(t.auth(admin)).expect(200);
    expect(o.body.orders.consultation_closed).toBe('2020-01-02 10:04:05');
    for (const other of [running, noEnd]) expect(await thread(other.threadId)).toMatchObject({ is_closed: 0, closed_at: null });
    expect(await thread(deleted.threadId)).toMatchObject({ is_closed: 0 });
    // a second run finds nothing, and changes nothing
    expect(await closeEndedConsultations(t.app)).toBe(0);
    expect(await thread(past.threadId)).toMatchObject({ closed_at: ended });
    // reopened as any closed consultation: a new window
    expect((await put(`/threads/${past.threadId}/reopen`, past.doctor)).body).toEqual({ reopen: true });
    expect(await thread(past.threadId)).toMatchObject({ is_closed: 0, closed_at: null });
  });

  it('takes a backlog a page at a time: every one of 450 ended threads is closed in one run', async () => {
    const customer = await t.user(['CUSTOMER']);
    const { count } = await t.app.db.thread.createMany({ data: Array.from({ length: 450 }, () => ({ id_user_from: customer.id, estimate_done_at: ended })) });
    expect(count).toBe(450);
    expect(await closeEndedConsultations(t.app)).toBe(450);
    expect(await t.app.db.thread.count({ where: { id_user_from: customer.id, is_closed: 1, closed_at: ended } })).toBe(450);
  });

  it('a prescriptions thread given a window that passed is closed with its request', async () => {
    const customer = await t.user(['CUSTOMER']);
    const menu = await createMenu(t);
    const req = await t.app.db.prescriptionRequest.create({ data: { id_users: customer.id, id_menu: menu.id, request_date: new Date() } });
    await t.app.db.$transaction((x) => emit(t.app, 'prescription.requested', { requestId: req.id, userId: customer.id, menuId: menu.id }, x));
    const { id_threads } = await t.app.db.prescriptionRequest.findUniqueOrThrow({ where: { id: req.id } });
    await put(`/threads/${id_threads}/update`, admin, { estimate_done_at: '2020-01-02 10:04:05' }).expect(200);
    await closeEndedConsultations(t.app);
    expect(await thread(id_threads!)).toMatchObject({ is_closed: 1, closed_at: ended });
    expect((await t.app.db.prescriptionRequest.findUniqueOrThrow({ where: { id: req.id } })).status).toBe('CLOSED');
  });

  it.runIf(process.env.TEST_DATABASE_URL)('leaves open a consultation reopened at the same moment: it waits for the reopen, then finds its new window', async () => {
    const f = await endedThread();
    const window = new Date(Date.now() + 3600_000);
    // what threads/:id/reopen does, under the thread's lock
    const closedNow = await whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM threads WHERE id = ${f.threadId} FOR UPDATE`,
      () => closeEndedConsultations(t.app),
      (tx) => tx.thread.update({ where: { id: f.threadId }, data: { is_closed: 0, closed_at: null, estimate_done_at: window } }),
    );
    expect(closedNow).toBe(0);
    expect(await thread(f.threadId)).toMatchObject({ is_closed: 0, closed_at: null, estimate_done_at: window });
    const say = await t.http.post('/thread_messages/text').set(t.auth(f.customer)).send({ id_threads: f.threadId, content: 'Halo' });
    expect(say.status, say.text).toBe(200);
  });
});
