import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinicDay, formatDate } from '../../src/lib/dates.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { DAYS } from '../journeys/world.js';
import { stateTable } from '../helpers/state-table.js';

/**
 * The appointment (user_schedules) state machine, as booking.service.ts implements it:
 *
 *   (book) → BOOKING ─reschedule/update→ RESCHEDULE ─reschedule/update→ RESCHEDULE
 *   BOOKING/RESCHEDULE ─arrived→ ARRIVED ─done→ DONE
 *   BOOKING/RESCHEDULE ─cancel→ CANCEL
 *   any live state ─delete→ (deleted: hidden, 404 from then on)
 *
 * Who may act (anyone else: 404, as for a row that is not theirs; a role the route does not take: 403):
 * - cancel:     staff, the customer who booked it (until BOOKING_CHANGE_CUTOFF_MINUTES before it), its doctor
 * - reschedule: staff, the customer who booked it (while managing the patient), its doctor (own slots only)
 * - arrived:    staff, its doctor (CLINICIANS route: customers 403); from its day on (Asia/Jakarta)
 * - done:       staff, its doctor (ARRIVED only)
 * - delete:     staff only (STAFF route)
 * A move from any other state: 409 (arrived of a later day: 422).
 *
 * Side effects of each allowed move:
 * - cancel:     status CANCEL, cancel_reason + cancel_datetime, active_slot NULL (the slot is free again: it
 *               can be booked), `appointment_cancelled` to the customer and the doctor
 * - reschedule: the new slot/date, status RESCHEDULE, reschedule_counts + 1, the old slot free again,
 *               `appointment_rescheduled` to the customer and the doctor
 * - arrived:    status ARRIVED, arrived_datetime; nobody notified
 * - done:       status DONE, done_datetime, digisoft_invoice_numbers; nobody notified
 * - delete:     deleted_at, active_slot NULL (slot free); `appointment_cancelled` to both only when it ends a
 *               BOOKING/RESCHEDULE appointment (an ARRIVED, DONE or CANCEL one is not cancelled by it)
 * - staff's change writes one audit entry, and so does the doctor's (arrived/done, a route of roles, and
 *   cancel/reschedule/update through the customers' route, made as a clinician); a customer's none.
 * A refused move changes nothing: the row, the notifications, the audit log.
 */

let t: TestApp;
let admin: TestUser;
let doctorUser: TestUser;
let otherDoctor: TestUser;
let owner: TestUser;
let stranger: TestUser;
let doctorId: number;
let serviceId: number;
const patients: number[] = [];

// the day every appointment is on (three clinic days ahead), the app's clock fixed at its 00:05 WIB:
// each slot of the day is bookable and changeable, and `arrived` is allowed (its day has come)
const DAY = new Date(clinicDay(new Date()).getTime() + 3 * 86_400_000);
const ISO = formatDate(DAY)!;
const HARI = DAYS[DAY.getUTCDay()]!;
const NOW = new Date(DAY.getTime() - 7 * 3_600_000 + 5 * 60_000);

let slotIds: number[] = [];
/** the day's slots, each used once (bookings and reschedules) */
const nextSlot = () => {
  const id = slotIds.shift();
  if (!id) throw new Error('no free slot left');
  return id;
};

beforeAll(async () => {
  t = await createTestApp({ BOOKING_MIN_NOTICE_MINUTES: '0', BOOKING_CHANGE_CUTOFF_MINUTES: '30', BOOKING_MAX_RESCHEDULES: '10' });
  t.app.now = () => NOW;
  admin = await t.user(['ADMIN']);
  doctorUser = await t.user(['DOCTOR']);
  otherDoctor = await t.user(['DOCTOR']);
  owner = await t.user(['CUSTOMER']);
  stranger = await t.user(['CUSTOMER']);
  const A = t.auth(admin);
  const cat = await t.http.post('/service_categories/create').set(A).send({ service_categories: 'Facial', codes: 'F1', color: '#ffffff' });
  const svc = await t.http.post('/services/create').set(A).send({ services_name: 'Facial', services_price: '150000', buffer_time: '15', id_service_categories: cat.body.service_categories.id });
  serviceId = svc.body.services.id;
  const doc = await t.http.post('/doctors/create').set(A).send({ id_users: doctorUser.id, id_services: serviceId, custom_price: 200000, doctor_description: 'Sp.KK', is_active: 1 });
  expect(doc.status).toBe(200);
  doctorId = doc.body.doctors.id;
  await t.http.post('/doctor_services/create').set(A).send({ id_doctors: doctorId, id_services: serviceId, custom_price: 0, doctor_buffer_time: 0, is_active: 1 }).expect(200);
  await t.http.post('/schedules/create').set(A).send({ id_doctors: doctorId, hari: HARI, jam: '01:00', jam_selesai: '23:30' }).expect(200);
  await t.http.post('/doctor_schedules/generate').set(A).send({ id_doctors: doctorId }).expect(200);
  slotIds = (await t.app.db.doctorSchedule.findMany({ where: { id_doctors: doctorId, hari: HARI }, orderBy: { jam: 'asc' } })).map((s) => s.id);
  expect(slotIds.length).toBeGreaterThanOrEqual(80);
  for (let i = 0; i < 3; i++) patients.push((await t.app.db.patient.create({ data: { id_users: owner.id, nama_lengkap_pasien: `Pasien ${i}` } })).id);
});
afterAll(() => t.close());

type State = 'BOOKING' | 'RESCHEDULE' | 'ARRIVED' | 'DONE' | 'CANCEL' | 'DELETED';
type Action = 'cancel' | 'reschedule' | 'update' | 'arrived' | 'done' | 'delete';
type Who = 'admin' | 'doctor' | 'otherDoctor' | 'owner' | 'stranger';
const STATES: State[] = ['BOOKING', 'RESCHEDULE', 'ARRIVED', 'DONE', 'CANCEL', 'DELETED'];
const ACTIONS: Action[] = ['cancel', 'reschedule', 'update', 'arrived', 'done', 'delete'];
const WHO: Who[] = ['admin', 'doctor', 'otherDoctor', 'owner', 'stranger'];
const caller = (w: Who) => ({ admin, doctor: doctorUser, otherDoctor, owner, stranger })[w];

let patientTurn = 0;
/** a new appointment of `owner` with the doctor, brought to `state` through the API */
async function appointmentIn(state: State) {
  const res = await t.http
    .post('/user_schedules/create')
    .set(t.auth(owner))
    .send({ id_doctor_schedules: nextSlot(), tanggal: ISO, id_patients: patients[patientTurn++ % patients.length] });
  expect(res.status, res.text).toBe(200);
  const id = res.body.user_schedules.id as number;
  const A = t.auth(admin);
  if (state === 'RESCHEDULE') await t.http.put(`/user_schedules/${id}/reschedule`).set(A).send({ id_doctor_schedules: nextSlot(), tanggal: ISO }).expect(200);
  if (state === 'ARRIVED' || state === 'DONE') await t.http.put(`/user_schedules/${id}/arrived`).set(A).expect(200);
  if (state === 'DONE') await t.http.put(`/user_schedules/${id}/done`).set(A).send({ digisoft_invoice_numbers: 'INV-1' }).expect(200);
  if (state === 'CANCEL') await t.http.put(`/user_schedules/${id}/cancel`).set(A).send({ cancel_reason: 'set up' }).expect(200);
  if (state === 'DELETED') await t.http.delete(`/user_schedules/${id}/delete`).set(A).expect(200);
  return id;
}

function act(action: Action, who: Who, id: number, target?: number) {
  const a = t.auth(caller(who));
  switch (action) {
    case 'cancel':
      return t.http.put(`/user_schedules/${id}/cancel`).set(a).send({ cancel_reason: 'tidak bisa datang' });
    case 'reschedule':
    case 'update':
      return t.http.put(`/user_schedules/${id}/${action}`).set(a).send({ id_doctor_schedules: target, tanggal: ISO });
    case 'arrived':
      return t.http.put(`/user_schedules/${id}/arrived`).set(a);
    case 'done':
      return t.http.put(`/user_schedules/${id}/done`).set(a).send({ digisoft_invoice_numbers: 'INV-9' });
    case 'delete':
      return t.http.delete(`/user_schedules/${id}/delete`).set(a);
  }
}

/** the answer the state machine gives (docs/compat.md, Clinic) */
function expected(state: State, action: Action, who: Who): number {
  // the route's roles first
  if ((action === 'arrived' || action === 'done') && (who === 'owner' || who === 'stranger')) return 403;
  if (action === 'delete' && who !== 'admin') return 403;
  if (state === 'DELETED') return 404;
  // rows that are not the caller's
  const sees = who === 'admin' || who === 'doctor' || (who === 'owner' && action !== 'arrived' && action !== 'done');
  if (!sees) return 404;
  if (action === 'delete') return 200;
  if (action === 'done') return state === 'ARRIVED' ? 200 : 409;
  return state === 'BOOKING' || state === 'RESCHEDULE' ? 200 : 409;
}

/** what an allowed or refused move may touch */
async function snapshot(id: number) {
  const row = await t.app.db.userSchedule.findUniqueOrThrow({ where: { id } });
  const { updated_at: _u, ...rest } = row;
  return {
    row: rest,
    notifications: await t.app.db.notification.findMany({ where: { reference_type: 'user_schedules', reference_id: id }, select: { id_user_to: true, intentions: true, content: true }, orderBy: { id: 'asc' } }),
    logs: await t.app.db.log.count(),
    // the slots held on the day, by any appointment
    held: (await t.app.db.userSchedule.findMany({ where: { tanggal: DAY, active_slot: 1 }, select: { id_doctor_schedules: true }, orderBy: { id_doctor_schedules: 'asc' } })).map((r) => r.id_doctor_schedules),
  };
}

/** the day's slots availability offers (public) */
async function offered() {
  const res = await t.http.post('/user_schedules/check/doctor/availability').send({ id_doctors: doctorId }).expect(200);
  const day = (res.body as { schedule: string; doctors: { id: number }[] }[]).find((d) => d.schedule === ISO);
  return day?.doctors.map((d) => d.id) ?? [];
}

describe('every appointment action in every state, by every kind of caller', () => {
  const { cells, fixtureFor } = stateTable({ states: STATES, actions: ACTIONS, who: WHO }, expected, appointmentIn);

  it.each(cells)('$action in $state by $who → $code', async ({ state, action, who, code }) => {
    const id = await fixtureFor(state, code);
    const target = action === 'reschedule' || action === 'update' ? slotIds[0] : undefined;
    const before = await snapshot(id);
    const res = await act(action, who, id, target);
    expect(res.status, res.text).toBe(code);
    const after = await snapshot(id);
    if (code !== 200) {
      expect(after).toEqual(before);
      return;
    }
    if (target) slotIds.shift();
    // staff's changes and the doctor's are audited (a doctor's cancel or move through the customers'
    // route too: made as a clinician, past the cutoff); a customer's are not
    const audited = who === 'admin' || who === 'doctor' ? 1 : 0;
    expect(after.logs - before.logs).toBe(audited);
    const told = after.notifications.slice(before.notifications.length);
    const both = (intentions: string) => [
      expect.objectContaining({ id_user_to: owner.id, intentions }),
      expect.objectContaining({ id_user_to: doctorUser.id, intentions }),
    ];
    const slot = before.row.id_doctor_schedules;
    switch (action) {
      case 'cancel':
        expect(after.row).toEqual({ ...before.row, status: 'CANCEL', active_slot: null, cancel_reason: 'tidak bisa datang', cancel_datetime: NOW });
        expect(told).toEqual(both('appointment_cancelled'));
        expect(told[0]!.content).toContain('dibatalkan');
        expect(after.held).not.toContain(slot);
        break;
      case 'reschedule':
      case 'update':
        expect(after.row).toMatchObject({ status: 'RESCHEDULE', id_doctor_schedules: target, reschedule_counts: before.row.reschedule_counts + 1, active_slot: 1 });
        expect(told).toEqual(both('appointment_rescheduled'));
        expect(after.held).not.toContain(slot);
        expect(after.held).toContain(target);
        break;
      case 'arrived':
        expect(after.row).toEqual({ ...before.row, status: 'ARRIVED', arrived_datetime: NOW });
        expect(told).toEqual([]);
        // still held
        expect(await offered()).not.toContain(slot);
        break;
      case 'done':
        expect(after.row).toEqual({ ...before.row, status: 'DONE', done_datetime: NOW, digisoft_invoice_numbers: 'INV-9' });
        expect(told).toEqual([]);
        break;
      case 'delete':
        expect(after.row).toEqual({ ...before.row, deleted_at: NOW, active_slot: null });
        expect(told).toEqual(state === 'BOOKING' || state === 'RESCHEDULE' ? both('appointment_cancelled') : []);
        expect(after.held).not.toContain(slot);
        break;
    }
    // the freed slot is offered again (availability), and can be booked again (by someone else)
    if (action !== 'arrived' && action !== 'done' && !(action === 'delete' && state === 'CANCEL')) {
      expect(await offered()).toContain(slot);
      const again = await t.http.post('/user_schedules/create').set(t.auth(admin)).send({ id_doctor_schedules: slot, tanggal: ISO, id_patients: patients[patientTurn++ % patients.length] });
      expect(again.status, again.text).toBe(200);
    }
  });
});

describe('an appointment round trip', () => {
  it('arrived before its day is 422 and changes nothing; a cancelled appointment cannot be cancelled again, nor arrive', async () => {
    const id = await appointmentIn('BOOKING');
    const before = await snapshot(id);
    const early = t.app.now;
    t.app.now = () => new Date(NOW.getTime() - 86_400_000);
    try {
      const res = await t.http.put(`/user_schedules/${id}/arrived`).set(t.auth(admin));
      expect(res.status).toBe(422);
    } finally {
      t.app.now = early;
    }
    expect(await snapshot(id)).toEqual(before);
    await t.http.put(`/user_schedules/${id}/cancel`).set(t.auth(owner)).send({}).expect(200);
    const cancelled = await snapshot(id);
    for (const path of ['cancel', 'arrived', 'reschedule']) {
      const res = await t.http.put(`/user_schedules/${id}/${path}`).set(t.auth(admin)).send({ id_doctor_schedules: slotIds[0], tanggal: ISO });
      expect(res.status).toBe(409);
    }
    expect(await snapshot(id)).toEqual(cancelled);
  });
});
