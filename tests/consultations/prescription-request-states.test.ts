import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { createMenu } from './fixtures.js';
import { stateTable } from '../helpers/state-table.js';

/**
 * A prescription request and its prescriptions thread (menus/prescriptions/requests; threads.service.ts
 * postMessage, followRequest, openPrescriptionThread; docs/compat.md "Prescription requests"):
 *
 *   (request) → UNTAKEN: a thread customer → nobody, no time window, the request OPEN; every doctor and
 *               admin told (`prescription_requested`)
 *   UNTAKEN ─a doctor writes (text or prescription)→ TAKEN by that doctor (id_user_to), the request OPEN
 *   TAKEN ─prescription→ PRESCRIBED (request PRESCRIBED)
 *   any open ─close (staff; its doctor once taken)→ CLOSED (request CLOSED)
 *   CLOSED ─reopen→ open again as it was (request PRESCRIBED or OPEN), still without a time window
 *   any ─delete (staff)→ hidden (request CLOSED)
 *
 * Who: any doctor sees and may take an untaken request (by writing in it); once taken it is that doctor's
 * (another doctor 404). close/reopen: staff, the thread's doctor (a doctor on an untaken one 403: visible,
 * not theirs; customers 403). Messages: its customer, its doctor, staff; prescriptions: doctors only
 * (staff and customers 403). A thread not accepting messages: 409.
 *
 * Side effects: the request's status follows the thread; a message notifies the other participant
 * (none while nobody took it: a customer's message is addressed to nobody).
 */

let t: TestApp;
let admin: TestUser;
let doctor: TestUser;
let otherDoctor: TestUser;
let owner: TestUser;
let stranger: TestUser;

beforeAll(async () => {
  t = await createTestApp({ CONSULTATION_WINDOW_MINUTES: '60' });
  admin = await t.user(['ADMIN']);
  doctor = await t.user(['DOCTOR']);
  otherDoctor = await t.user(['DOCTOR']);
  owner = await t.user(['CUSTOMER']);
  stranger = await t.user(['CUSTOMER']);
});
afterAll(() => t.close());

type State = 'UNTAKEN' | 'TAKEN' | 'PRESCRIBED' | 'CLOSED' | 'CLOSED_UNTAKEN' | 'DELETED';
const STATES: State[] = ['UNTAKEN', 'TAKEN', 'PRESCRIBED', 'CLOSED', 'CLOSED_UNTAKEN', 'DELETED'];
const ACTIONS = ['text', 'prescription', 'close', 'reopen', 'delete'] as const;
type Action = (typeof ACTIONS)[number];
type Who = 'admin' | 'doctor' | 'otherDoctor' | 'owner' | 'stranger';
const WHO: Who[] = ['admin', 'doctor', 'otherDoctor', 'owner', 'stranger'];
const caller = (w: Who) => ({ admin, doctor, otherDoctor, owner, stranger })[w];
const put = (path: string, u: TestUser, body: object = {}) => t.http.put(path).set(t.auth(u)).send(body);

type Fixture = { requestId: number; threadId: number; menuId: number };

/** a new request of `owner` (a product of its own: one request per product and day) brought to `state` */
async function requestIn(state: State): Promise<Fixture> {
  const menu = await createMenu(t);
  await t.http.post('/menus/prescriptions/requests').set(t.auth(owner)).send({ id_menu: menu.id }).expect(200);
  const request = await t.app.db.prescriptionRequest.findFirstOrThrow({ where: { id_users: owner.id, id_menu: menu.id } });
  const f = { requestId: request.id, threadId: request.id_threads!, menuId: menu.id };
  const text = () => t.http.post('/thread_messages/text').set(t.auth(doctor)).send({ id_threads: f.threadId, content: 'Saya bantu' }).expect(200);
  const prescribe = () => t.http.post('/thread_messages/prescriptions').set(t.auth(doctor)).send({ id_threads: f.threadId, id_menu: menu.id, qty: 1 }).expect(200);
  const steps: Record<State, (() => Promise<unknown>)[]> = {
    UNTAKEN: [],
    TAKEN: [text],
    PRESCRIBED: [text, prescribe],
    CLOSED: [text, prescribe, () => put(`/threads/${f.threadId}/close`, doctor).expect(200)],
    CLOSED_UNTAKEN: [() => put(`/threads/${f.threadId}/close`, admin).expect(200)],
    DELETED: [text, () => t.http.delete(`/threads/${f.threadId}/delete`).set(t.auth(admin)).expect(200)],
  };
  for (const step of steps[state]) await step();
  return f;
}

function expected(state: State, action: Action, who: Who): number {
  const untaken = state === 'UNTAKEN' || state === 'CLOSED_UNTAKEN';
  const closed = state === 'CLOSED' || state === 'CLOSED_UNTAKEN';
  if (action === 'delete') return who !== 'admin' ? 403 : state === 'DELETED' ? 404 : 200;
  if (action === 'prescription' && who !== 'doctor' && who !== 'otherDoctor') return 403;
  if ((action === 'close' || action === 'reopen') && (who === 'owner' || who === 'stranger')) return 403;
  if (state === 'DELETED' || who === 'stranger') return 404;
  // a doctor sees every untaken request; a taken one is its doctor's
  if (who === 'otherDoctor' && !untaken) return 404;
  if (action === 'close' || action === 'reopen') {
    if (untaken && who !== 'admin') return 403;
    if (action === 'close') return closed ? 409 : 200;
    return closed ? 200 : 409;
  }
  return closed ? 409 : 200;
}

function act(action: Action, who: Who, f: Fixture) {
  const u = caller(who);
  switch (action) {
    case 'text':
      return t.http.post('/thread_messages/text').set(t.auth(u)).send({ id_threads: f.threadId, content: `pesan ${who}` });
    case 'prescription':
      // qty 2: the state PRESCRIBED was reached with qty 1, and the same again within a minute is a double tap
      return t.http.post('/thread_messages/prescriptions').set(t.auth(u)).send({ id_threads: f.threadId, id_menu: f.menuId, qty: 2 });
    case 'close':
    case 'reopen':
      return put(`/threads/${f.threadId}/${action}`, u);
    case 'delete':
      return t.http.delete(`/threads/${f.threadId}/delete`).set(t.auth(u));
  }
}

async function snapshot(f: Fixture) {
  const db = t.app.db;
  const { updated_at: _u, last_seen_at: _s, user_from_last_seen_at: _f, user_to_last_seen_at: _t, ...thread } = await db.thread.findUniqueOrThrow({ where: { id: f.threadId } });
  return {
    request: (await db.prescriptionRequest.findUniqueOrThrow({ where: { id: f.requestId } })).status,
    thread,
    messages: await db.threadMessage.findMany({ where: { id_threads: f.threadId }, orderBy: { id: 'asc' }, select: { id_user_from: true, id_user_to: true, content_type: true } }),
    told: await db.notification.findMany({ where: { reference_type: 'threads', reference_id: f.threadId }, orderBy: { id: 'asc' }, select: { id_user_to: true, intentions: true } }),
    logs: await db.log.count(),
  };
}

describe('every prescription request action in every state, by every kind of caller', () => {
  const { cells, fixtureFor } = stateTable({ states: STATES, actions: ACTIONS, who: WHO }, expected, requestIn);

  it.each(cells)('$action in $state by $who → $code', async ({ state, action, who, code }) => {
    const f = await fixtureFor(state, code);
    const before = await snapshot(f);
    const res = await act(action, who, f);
    expect(res.status, res.text).toBe(code);
    const after = await snapshot(f);
    if (code !== 200) {
      expect(after).toEqual(before);
      return;
    }
    const told = after.told.slice(before.told.length);
    const untaken = before.thread.id_user_to === null;
    switch (action) {
      case 'text':
      case 'prescription': {
        const author = caller(who).id;
        // a doctor writing in an untaken request takes it
        const takes = untaken && (who === 'doctor' || who === 'otherDoctor');
        expect(after.thread.id_user_to).toBe(takes ? author : before.thread.id_user_to);
        expect(after.messages.slice(before.messages.length)).toEqual([expect.objectContaining({ id_user_from: author, content_type: action === 'text' ? 'text' : 'prescriptions' })]);
        const to = author === owner.id ? after.thread.id_user_to : owner.id;
        expect(told).toEqual(to ? [{ id_user_to: to, intentions: action === 'text' ? 'new_message' : 'new_prescription' }] : []);
        expect(after.request).toBe(action === 'prescription' ? 'PRESCRIBED' : before.request);
        // still no time window
        expect(after.thread.estimate_done_at).toBeNull();
        break;
      }
      case 'close':
        expect(after.thread).toMatchObject({ is_closed: 1, id_user_to: before.thread.id_user_to, estimate_done_at: null });
        expect(after.request).toBe('CLOSED');
        expect(told).toEqual([]);
        break;
      case 'reopen':
        // open again as it was: no time window (a prescriptions thread has none), the request as before its close
        expect(after.thread).toMatchObject({ is_closed: 0, closed_at: null, id_user_to: before.thread.id_user_to, estimate_done_at: null });
        expect(after.request).toBe(state === 'CLOSED' ? 'PRESCRIBED' : 'OPEN');
        expect(told).toEqual([]);
        break;
      case 'delete':
        expect(after.thread.deleted_at).not.toBeNull();
        // the request is over with its thread (the customer's export shows it CLOSED, not OPEN for good)
        expect(after.request).toBe('CLOSED');
        break;
    }
  });
});

describe('a prescription request closed and reopened', () => {
  it('still takes messages a day later, as every prescriptions thread does (no time window)', async () => {
    const f = await requestIn('PRESCRIBED');
    await put(`/threads/${f.threadId}/close`, doctor).expect(200);
    await put(`/threads/${f.threadId}/reopen`, doctor).expect(200);
    const real = t.app.now;
    const later = new Date(Date.now() + 2 * 86_400_000);
    t.app.now = () => later;
    try {
      const res = await t.http.post('/thread_messages/text').set(t.auth(owner)).send({ id_threads: f.threadId, content: 'Dok, resepnya sudah saya pakai' });
      expect(res.status, res.text).toBe(200);
      const overview = await t.http.post('/threads/overview').set(t.auth(owner)).send({}).expect(200);
      expect(overview.body.active.prescriptions.map((x: { id: number }) => x.id)).toContain(f.threadId);
    } finally {
      t.app.now = real;
    }
  });
});
