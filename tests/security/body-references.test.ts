import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Method } from '../../src/http/route.js';
import { createTestApp, PNG_1PX, type TestApp, type TestUser } from '../helpers/app.js';
import { call, endpoints, inspect, label } from './route-table.js';
import { clinicDay, formatDate } from '../../src/lib/dates.js';
import { appointment, bookableSlot, createMenu, prescriptionSnapshot } from './fixtures.js';
import { doctor as createDoctor, menu as createProduct, patientOf } from '../commerce/fixtures.js';

/**
 * Broken object-level authorization through REFERENCES IN REQUEST BODIES AND LIST FILTERS (path ids
 * are ownership.test.ts's). One world: customer A with two patients, PA1 (treated by doctor D1: an
 * appointment and a consultation) and PA2 (treated by a third doctor, DX, who never calls), and
 * A's carts, orders, consultations, records, notifications, ratings and points; customer B and
 * doctor D2 with nothing of A's. Every case names one of A's rows in a body or filter field, sent by
 * B, by D2 (uninvolved) or by D1 (involved with PA1 only, so aimed at A's other rows). A refused case
 * answers 403/404/422, a list answers without A's rows, and neither writes anything.
 *
 * Coverage: every route a CUSTOMER or a DOCTOR may call (public, authenticated, or one of those
 * roles) whose body or query schema has a reference field (id_*, id<name>, *_id, at any depth) is
 * either in CASES or in NOT_OWNED with the reason its references cannot reach another customer's
 * rows. A new route with a reference field fails the coverage test until it is decided.
 */

type Who = 'B' | 'D1' | 'D2';

interface Case {
  who: Who[];
  method?: Method;
  /** default: the table key's path */
  path?: string;
  body?: Record<string, unknown>;
  attach?: { field: string; file: Buffer; name: string };
  /** refused: 403/404/422 and nothing written; no-leak: 200 (or 403), without A's rows, nothing written */
  expect: 'refused' | 'no-leak';
  /** a case that writes the caller's own row: what it must (not) have written, instead of "nothing" */
  wrote?: (w: World, who: TestUser) => Promise<void>;
}

interface World {
  a: TestUser;
  b: TestUser;
  d1: TestUser;
  d2: TestUser;
  /** in every row of A's that only A (and staff) may read */
  secret: string;
  /** in PA1's rows: D1 reads them (their patient), B and D2 do not */
  shared: string;
  pa1: number;
  pa2: number;
  pb: number;
  pa2Allergy: number;
  bAllergy: number;
  pa1Record: number;
  pa2Record: number;
  d1Record: number;
  /** A ↔ D1 about PA1, with D1's prescription */
  threadD1: number;
  rxD1: number;
  /** A ↔ DX about PA2 */
  threadDX: number;
  /** A ↔ DX about PA1 (D1's patient, not D1's consultation) */
  threadDX1: number;
  /** B ↔ D1 about PB, with a prescription of the same product */
  bThread: number;
  rxMenu: number;
  cartE: number;
  cartC: number;
  checkedOut: number;
  orderCode: string;
  unrated: number;
  apptD1: number;
  apptDX: number;
  /** PA1 (D1's patient) with DX: not D1's appointment */
  apptDX1: number;
  dxDoctor: number;
  d1Doctor: number;
  slotFree: { id: number; tanggal: string };
  product: number;
  notification: number;
  /**
   * PC: B's patient once, now A's (staff moved it): B's old appointment, carts, order and consultation
   * about PC stay B's, but PC's data (details, allergies, the consultation's messages since) is A's now
   */
  pc: number;
  pcThread: number;
  pcCart: number;
  /** a timeline range holding every appointment of the world */
  days: { date_from: string; date_to: string };
}

const table = (extra: Record<string, unknown> = {}) => ({ draw: 1, start: 0, length: 100, ...extra });
/** explore, search and table of resource `r`: the same filters to each (the table's with its paging and a global search for each text) */
function listsOf(r: string, filters: (w: World) => Record<string, unknown>[], search: (w: World) => string[] = () => [], who: Who[] = ['B', 'D1', 'D2']) {
  return {
    [`POST /${r}/explore`]: lists(filters, who),
    [`POST /${r}/search`]: lists(filters, who),
    [`POST /${r}/table`]: lists((w) => [...filters(w).map((f) => table(f)), ...search(w).map((value) => table({ search: { value } }))], who),
  };
}
const lists = (filters: (w: World) => Record<string, unknown>[], who: Who[] = ['B', 'D1', 'D2']) =>
  (w: World): Case[] => filters(w).map((body) => ({ who, body, expect: 'no-leak' as const }));

/** The cases, by route. Builders get the world; the route's own path unless a case says otherwise. */
const CASES: Record<string, (w: World) => Case[]> = {
  ...listsOf('notifications', (w) => [{ id_user_to: w.a.id }, { id_user_from: w.d1.id }], (w) => [String(w.notification), w.secret]),
  ...listsOf('order_extras', (w) => [{ id_orders: w.cartC }, { id_doctors: w.d1Doctor }], (w) => [w.secret]),
  ...listsOf('order_items', (w) => [{ id_order: w.cartE }, { id_order: w.checkedOut }, { id_menu: w.product }], (w) => [w.secret]),
  ...listsOf('orders', (w) => [{ id_users: w.a.id }, { id_patients: w.pa1 }, { id_patients: w.pa2 }, { id_patients: w.pc }, { order_code: w.orderCode }], (w) => [w.orderCode, String(w.cartE)]),
  ...listsOf('patient_allergies', (w) => [{ id_patients: w.pa2 }, { id_patients: w.pa1 }, { id_patients: w.pc }], (w) => [w.secret, w.shared]),
  ...listsOf('patient_rekam_medis', (w) => [{ id_patients: w.pa2 }, { id_patients: w.pa1 }, { id_patients: w.pc }, { id_rekam_medis_asal: w.pa2Record }], (w) => [w.secret, String(w.pa2Record)]),
  ...listsOf('patients', (w) => [{ id_users: w.a.id }], (w) => [w.secret, String(w.pa2)]),
  ...listsOf('ratings', (w) => [{ id_users: w.a.id }, { id_orders: w.checkedOut }], (w) => [w.secret, w.orderCode]),
  ...listsOf('thread_messages', (w) => [{ id_threads: w.threadDX }, { id_threads: w.threadDX1 }, { id_threads: w.pcThread }, { id_user_from: w.a.id }, { id_user_to: w.a.id }], (w) => [w.secret]),
  ...listsOf('threads', (w) => [{ id_user_from: w.a.id }, { id_patients: w.pa2 }, { id_patients: w.pa1 }, { id_patients: w.pc }, { id_user_to: w.d1.id }, { id_order: w.cartC }], (w) => [String(w.threadDX), String(w.threadDX1)]),
  'POST /threads/overview': lists((w) => [{ id_user_from: w.a.id }, { id_patients: w.pa2 }, { id_patients: w.pa1 }, { id_patients: w.pc }, { id_user_to: w.d1.id }, { id_order: w.cartC }]),
  'POST /threads/overview/doctors': lists((w) => [{ id_user_from: w.a.id }, { id_patients: w.pa2 }, { id_patients: w.pa1 }, { id_patients: w.pc }, { id_user_to: w.d1.id }, { id_order: w.cartC }], ['D1', 'D2']),
  ...listsOf('user_points', (w) => [{ id_users: w.a.id }, { id_orders: w.checkedOut }], (w) => [w.orderCode]),
  ...listsOf('user_schedules', (w) => [{ id_users: w.a.id }, { id_patients: w.pa2 }, { id_patients: w.pa1 }, { id_patients: w.pc }, { id_doctors: w.dxDoctor }, { id_doctor_schedules: w.slotFree.id }], (w) => [String(w.apptDX), String(w.apptDX1), w.secret]),
  'POST /deliveries/calculate': (w) => [
    { who: ['B', 'D1', 'D2'], body: { id_order: w.cartE, courier: 'jne' }, expect: 'refused' },
    { who: ['B', 'D1', 'D2'], body: { id_order: w.checkedOut, courier: 'jne', city_id_destination: 330 }, expect: 'refused' },
  ],
  'POST /logs/create': (w) => [
    { who: ['B', 'D1', 'D2'], body: { action: 'viewed', resource: 'orders', resource_id: w.checkedOut, id_users: w.a.id }, expect: 'no-leak', wrote: ownLogOnly },
  ],
  'POST /menu_reedems/add_to_carts': (w) => [
    { who: ['B'], body: { id_threads: w.threadD1, id_menu: w.rxMenu }, expect: 'refused' },
    { who: ['B'], body: { id_threads: w.bThread, id_menu: w.rxMenu, id_thread_messages: w.rxD1 }, expect: 'refused' },
    { who: ['B'], body: { id_threads: w.bThread, id_menu: w.rxMenu, id_orders: w.cartE }, expect: 'refused' },
    // PC's prescription (B's old consultation), into B's old cart for PC or a new one
    { who: ['B'], body: { id_threads: w.pcThread, id_menu: w.rxMenu }, expect: 'refused' },
    { who: ['B'], body: { id_threads: w.pcThread, id_menu: w.rxMenu, id_orders: w.pcCart }, expect: 'refused' },
  ],
  'POST /menus/prescriptions/requests': (w) => [
    { who: ['B'], body: { id_menu: w.rxMenu, id_threads: w.threadD1, id_patients: w.pa1, id_users: w.a.id }, expect: 'no-leak', wrote: ownRequestOnly },
  ],
  'POST /notifications/mark/all': (w) => [{ who: ['B', 'D1', 'D2'], body: { id_users: w.a.id }, expect: 'refused' }],
  'PUT /notifications/mark/all': (w) => [{ who: ['B', 'D1', 'D2'], body: { id_users: w.a.id }, expect: 'refused' }],
  'POST /orders/init': (w) => [
    { who: ['B'], body: { id_patients: w.pc, order_type: 'E' }, expect: 'refused' },
    { who: ['B', 'D1', 'D2'], body: { id_patients: w.pa1, order_type: 'E' }, expect: 'refused' },
    { who: ['B', 'D1', 'D2'], body: { id_users: w.a.id, id_patients: w.pa2, order_type: 'C' }, expect: 'refused' },
  ],
  'POST /orders/e_add_to_carts': (w) => [
    { who: ['B'], body: { id_order: w.pcCart, items: [{ id_menu: w.product, qty: 2 }] }, expect: 'refused' },{ who: ['B', 'D1', 'D2'], body: { id_order: w.cartE, items: [{ id_menu: w.product, qty: 3 }] }, expect: 'refused' }],
  'POST /orders/c_add_to_carts': (w) => [{ who: ['B', 'D1', 'D2'], body: { id_order: w.cartC, items: [{ id_doctors: w.d1Doctor, qty: 1 }] }, expect: 'refused' }],
  'POST /patient_allergies/create': (w) => [
    { who: ['B'], body: { id_patients: w.pc, allergies: 'Planted' }, expect: 'refused' },
    { who: ['B', 'D1', 'D2'], body: { id_patients: w.pa1, allergies: 'Planted' }, expect: 'refused' },
    { who: ['B', 'D1', 'D2'], body: { id_patients: w.pa2, allergies: 'Planted' }, expect: 'refused' },
  ],
  'PUT /patient_allergies/:id/update': (w) => [
    // B's own allergy moved onto A's patient
    { who: ['B'], path: `/patient_allergies/${w.bAllergy}/update`, body: { id_patients: w.pa1, allergies: 'Planted' }, expect: 'refused' },
    { who: ['B'], path: `/patient_allergies/${w.pa2Allergy}/update`, body: { id_patients: w.pb, allergies: 'Taken' }, expect: 'refused' },
  ],
  'POST /patient_allergies/:id/update': (w) => [{ who: ['B'], path: `/patient_allergies/${w.bAllergy}/update`, body: { id_patients: w.pa2, allergies: 'Planted' }, expect: 'refused' }],
  'POST /patient_rekam_medis/create': (w) => [
    { who: ['D1', 'D2'], body: { id_patients: w.pa2, tanggal_konsul: '01/12/2026', keluhan: 'Planted' }, expect: 'refused' },
    { who: ['D2'], body: { id_patients: w.pa1, tanggal_konsul: '01/12/2026', keluhan: 'Planted' }, expect: 'refused' },
    // D1's own patient, as a correction of another patient's record
    { who: ['D1'], body: { id_patients: w.pa1, id_rekam_medis_asal: w.pa2Record, tanggal_konsul: '01/12/2026', keluhan: 'x' }, expect: 'refused' },
  ],
  'PUT /patient_rekam_medis/:id/update': (w) => [
    // D1's record of their patient moved onto A's other patient
    { who: ['D1'], path: `/patient_rekam_medis/${w.d1Record}/update`, body: { id_patients: w.pa2, keluhan: 'Moved' }, expect: 'refused' },
    { who: ['D1', 'D2'], path: `/patient_rekam_medis/${w.pa2Record}/update`, body: { id_patients: w.pa1, keluhan: 'Taken' }, expect: 'refused' },
  ],
  'POST /patient_rekam_medis/:id/update': (w) => [{ who: ['D1'], path: `/patient_rekam_medis/${w.d1Record}/update`, body: { id_patients: w.pa2 }, expect: 'refused' }],
  'POST /patients/create': (w) => [
    { who: ['B'], body: { id_users: w.a.id, nama_lengkap_pasien: 'Titipan', patient_external_id: 'EXT-A' }, expect: 'no-leak', wrote: ownPatientOnly },
  ],
  'PUT /patients/:id/update': (w) => [
    // B's own patient handed to A (planting a patient on A's account)
    { who: ['B'], path: `/patients/${w.pb}/update`, body: { id_users: w.a.id, nama_lengkap_pasien: 'Pasien B' }, expect: 'no-leak', wrote: bKeepsPatient },
    { who: ['B'], path: `/patients/${w.pa1}/update`, body: { id_users: w.b.id }, expect: 'refused' },
  ],
  'POST /patients/:id/update': (w) => [{ who: ['B'], path: `/patients/${w.pb}/update`, body: { id_users: w.a.id }, expect: 'no-leak', wrote: bKeepsPatient }],
  'POST /patients/picture/upload': (w) => [
    { who: ['B'], body: { id_patients: w.pa1 }, attach: { field: 'picture', file: PNG_1PX, name: 'p.png' }, expect: 'refused' },
  ],
  'POST /ratings/create': (w) => [{ who: ['B', 'D1', 'D2'], body: { id_orders: w.unrated, ratings: 1, rating_desc: 'Planted' }, expect: 'refused' }],
  'POST /thread_messages/text': (w) => [
    { who: ['B', 'D2'], body: { id_threads: w.threadD1, content: 'Planted' }, expect: 'refused' },
    { who: ['B', 'D1', 'D2'], body: { id_threads: w.threadDX, content: 'Planted' }, expect: 'refused' },
    { who: ['B', 'D1', 'D2'], body: { id_threads: w.threadDX1, content: 'Planted' }, expect: 'refused' },
    { who: ['B'], body: { id_threads: w.pcThread, content: 'Planted' }, expect: 'refused' },
  ],
  'POST /thread_messages/image': (w) => [
    { who: ['B', 'D1', 'D2'], body: { id_threads: w.threadDX }, attach: { field: 'image', file: PNG_1PX, name: 'x.png' }, expect: 'refused' },
  ],
  'POST /thread_messages/attachments': (w) => [
    { who: ['B', 'D1', 'D2'], body: { id_threads: w.threadDX }, attach: { field: 'attachments', file: PNG_1PX, name: 'x.png' }, expect: 'refused' },
  ],
  'POST /thread_messages/prescriptions': (w) => [
    { who: ['D1', 'D2'], body: { id_threads: w.threadDX, id_menu: w.rxMenu, qty: 1 }, expect: 'refused' },
    { who: ['D2'], body: { id_threads: w.threadD1, id_menu: w.rxMenu, qty: 1 }, expect: 'refused' },
    { who: ['D1', 'D2'], body: { id_threads: w.threadDX1, id_menu: w.rxMenu, qty: 1 }, expect: 'refused' },
  ],
  'POST /thread_messages/explore': (w) => [
    { who: ['B', 'D1', 'D2'], body: { id_threads: w.threadDX }, expect: 'refused' },
    { who: ['B', 'D2'], body: { id_threads: w.threadD1 }, expect: 'refused' },
    { who: ['B', 'D1', 'D2'], body: { id_threads: w.threadDX1 }, expect: 'refused' },
    // B's own consultation about PC, whose messages are A's patient's data now
    { who: ['B', 'D1', 'D2'], body: { id_threads: w.pcThread }, expect: 'refused' },
    { who: ['B', 'D1', 'D2'], body: { id_user_from: w.a.id }, expect: 'no-leak' },
    { who: ['B', 'D1', 'D2'], body: { id_user_to: w.a.id }, expect: 'no-leak' },
  ],
  'PUT /threads/:id/update': (w) => [
    // the thread's doctor hands it to a colleague (only staff reassign)
    { who: ['D1'], path: `/threads/${w.threadD1}/update`, body: { id_user_to: w.d2.id }, expect: 'no-leak', wrote: threadStaysWithD1 },
    { who: ['D1', 'D2'], path: `/threads/${w.threadDX}/update`, body: { id_user_to: w.d2.id }, expect: 'refused' },
  ],
  'POST /threads/:id/update': (w) => [{ who: ['D1'], path: `/threads/${w.threadD1}/update`, body: { id_user_to: w.d2.id }, expect: 'no-leak', wrote: threadStaysWithD1 }],
  'POST /user_schedules/create': (w) => [
    { who: ['B'], body: { id_doctor_schedules: w.slotFree.id, tanggal: w.slotFree.tanggal, id_patients: w.pc }, expect: 'refused' },
    { who: ['B', 'D1', 'D2'], body: { id_doctor_schedules: w.slotFree.id, tanggal: w.slotFree.tanggal, id_patients: w.pa2 }, expect: 'refused' },
    { who: ['B', 'D1', 'D2'], body: { id_doctor_schedules: w.slotFree.id, tanggal: w.slotFree.tanggal, id_patients: w.pa1, id_users: w.a.id }, expect: 'refused' },
  ],
  'POST /user_schedules/timeline': lists((w) => [{ ...w.days, id_doctors: w.dxDoctor }, w.days]),
  'POST /users/picture/upload': (w) => [
    { who: ['B', 'D1', 'D2'], body: { id_users: w.a.id }, attach: { field: 'picture', file: PNG_1PX, name: 'me.png' }, expect: 'refused' },
  ],
};

/** Routes with a reference field whose references cannot reach another customer's rows. */
const NOT_OWNED: Record<string, string> = {};
const catalogue = 'public catalogue rows (stores, products, doctors, services, slots, promotions): nobody owns them, every caller reads them';
for (const r of [
  'brandstore_menus',
  'doctor_schedules',
  'doctor_services',
  'doctors',
  'menu_images',
  'menus',
  'promotions',
  'schedules',
  'service_images',
  'services',
]) {
  for (const m of ['explore', 'search', 'table']) NOT_OWNED[`POST /${r}/${m}`] = catalogue;
}
NOT_OWNED['GET /brandstore_menus/explore'] = catalogue;
NOT_OWNED['POST /user_schedules/check/doctor/availability'] = `${catalogue}; the answer says which slots are taken, never by whom`;
for (const m of ['PUT', 'POST']) {
  for (const p of ['reschedule', 'update']) {
    NOT_OWNED[`${m} /user_schedules/:id/${p}`] =
      'its references are slots, doctors and services (catalogue); which doctor may hold the appointment is appointment-moves.test.ts, the path id ownership.test.ts';
  }
  NOT_OWNED[`${m} /users/:id/update`] = 'id_departments names a department (catalogue), and only staff set it (mass-assignment.test.ts); the path id is ownership.test.ts';
}
NOT_OWNED['POST /users/create'] = 'public sign-up: id_departments is staff-only (mass-assignment.test.ts), nothing else refers to a row';

const REF = /^id_|^id[a-z]+$|_id$/;

/**
 * Reference fields naming catalogue rows (products, doctors, services, slots) or a staff-only field
 * (ignored for customers and doctors, mass-assignment.test.ts): nobody's own rows, so a case need not
 * aim them at another customer.
 */
const CATALOGUE_FIELDS = new Set(['id_menu', 'id_doctors', 'id_services', 'id_doctor_schedules', 'patient_external_id']);

/** the field names of a request body, at any depth */
function bodyKeys(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(bodyKeys);
  if (!v || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => [k, ...bodyKeys(x)]);
}

/** Field names of a zod schema at any depth (objects, arrays, optional/default/pipe wrappers, unions). */
function deepKeys(schema: unknown, seen = new Set<unknown>()): string[] {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return [];
  seen.add(schema);
  const s = schema as { shape?: Record<string, unknown>; def?: Record<string, any> };
  const out: string[] = [];
  if (s.shape && typeof s.shape === 'object') for (const [k, v] of Object.entries(s.shape)) out.push(k, ...deepKeys(v, seen));
  const d = s.def ?? {};
  for (const inner of [d.innerType, d.in, d.out, d.schema, d.element, d.left, d.right, ...(Array.isArray(d.options) ? d.options : [])]) out.push(...deepKeys(inner, seen));
  return out;
}

const customerOrDoctor = (access: unknown) => access === 'public' || access === 'authenticated' || (Array.isArray(access) && (access.includes('CUSTOMER') || access.includes('DOCTOR')));

// ------------------------------------------------------------------------------- what was written

async function ownLogOnly(w: World, who: TestUser) {
  const rows = await t.app.db.log.findMany({ where: { resource: 'orders', resource_id: String(w.checkedOut) } });
  expect(rows.map((r) => r.id_users)).not.toContain(w.a.id);
  expect(rows.map((r) => r.id_users)).toContain(who.id);
}
async function ownRequestOnly(w: World, who: TestUser) {
  const rows = await t.app.db.prescriptionRequest.findMany({ where: { id_menu: w.rxMenu } });
  expect(rows.map((r) => r.id_users)).not.toContain(w.a.id);
  expect(rows.map((r) => r.id_users)).toContain(who.id);
}
async function ownPatientOnly(w: World, who: TestUser) {
  const p = await t.app.db.patient.findFirstOrThrow({ where: { nama_lengkap_pasien: 'Titipan' }, orderBy: { id: 'desc' } });
  expect(p.id_users).toBe(who.id);
  expect(p.patient_external_id ?? '').not.toBe('EXT-A');
}
async function bKeepsPatient(w: World) {
  expect((await t.app.db.patient.findUniqueOrThrow({ where: { id: w.pb } })).id_users).toBe(w.b.id);
}
async function threadStaysWithD1(w: World) {
  expect((await t.app.db.thread.findUniqueOrThrow({ where: { id: w.threadD1 } })).id_user_to).toBe(w.d1.id);
}

// ------------------------------------------------------------------------------------------ world

let t: TestApp;
let admin: TestUser;
let w: World;

async function buildWorld(): Promise<World> {
  const db = t.app.db;
  const [a, b, d1, d2] = [await t.user(['CUSTOMER']), await t.user(['CUSTOMER']), await t.user(['DOCTOR']), await t.user(['DOCTOR'])];
  const secret = `body-ref-secret-${a.id}-qz`;
  const shared = `body-ref-shared-${a.id}-qz`;
  const pa1 = await patientOf(t, a, { nama_lengkap_pasien: shared, allergies: { create: [{ allergies: `${shared}-alergi` }] } });
  const pa2 = await patientOf(t, a, { nama_lengkap_pasien: secret, no_handphone: '0812999000', allergies: { create: [{ allergies: `${secret}-alergi` }] } });
  const pb = await patientOf(t, b, { nama_lengkap_pasien: 'Pasien B', allergies: { create: [{ allergies: 'Debu' }] } });
  const pa2Allergy = (await db.patientAllergy.findFirstOrThrow({ where: { id_patients: pa2.id } })).id;
  const bAllergy = (await db.patientAllergy.findFirstOrThrow({ where: { id_patients: pb.id } })).id;

  // D1: an appointment and a consultation with PA1; DX (never a caller): PA2's
  const s1 = await bookableSlot(t, 8, { doctor: d1 });
  const sx = await bookableSlot(t, 9);
  const free = await bookableSlot(t, 10);
  const apptD1 = await appointment(t, s1, a.id, pa1.id, { digisoft_invoice_numbers: `INV-${a.id}` });
  const apptDX = await appointment(t, sx, a.id, pa2.id, { digisoft_invoice_numbers: secret });
  const dx = sx.doctorUser;
  const sx1 = await bookableSlot(t, 11, { doctor: dx });
  const apptDX1 = await appointment(t, sx1, a.id, pa1.id, { digisoft_invoice_numbers: `${secret}-1` });

  const later = new Date(Date.now() + 86_400_000);
  const menu = await createMenu(t, { nama_menus: `Rx cream ${a.id}` });
  const rxSnap = prescriptionSnapshot(t, menu);
  const threadD1 = await db.thread.create({ data: { id_user_from: a.id, id_user_to: d1.id, id_patients: pa1.id, estimate_done_at: later } });
  await db.threadMessage.create({ data: { id_threads: threadD1.id, id_user_from: a.id, id_user_to: d1.id, content_type: 'text', content: shared } });
  const rxD1 = await db.threadMessage.create({
    data: { id_threads: threadD1.id, id_user_from: d1.id, id_user_to: a.id, content_type: 'prescriptions', content: menu.nama_menus, id_menu: menu.id, menu_snapshot: rxSnap, qty: 2, valid_until: later },
  });
  const threadDX = await db.thread.create({ data: { id_user_from: a.id, id_user_to: dx.id, id_patients: pa2.id, estimate_done_at: later } });
  await db.threadMessage.create({ data: { id_threads: threadDX.id, id_user_from: a.id, id_user_to: dx.id, content_type: 'text', content: secret } });
  const threadDX1 = await db.thread.create({ data: { id_user_from: a.id, id_user_to: dx.id, id_patients: pa1.id, estimate_done_at: later } });
  await db.threadMessage.create({ data: { id_threads: threadDX1.id, id_user_from: a.id, id_user_to: dx.id, content_type: 'text', content: `${secret}-1` } });
  const bThread = await db.thread.create({ data: { id_user_from: b.id, id_user_to: d1.id, id_patients: pb.id, estimate_done_at: later } });
  await db.threadMessage.create({
    data: { id_threads: bThread.id, id_user_from: d1.id, id_user_to: b.id, content_type: 'prescriptions', content: menu.nama_menus, id_menu: menu.id, menu_snapshot: rxSnap, qty: 1, valid_until: later },
  });

  // PC, moved from B to A: B's old rows about it stay B's, its data is A's now
  const pc = await patientOf(t, a, { nama_lengkap_pasien: 'Pasien Pindahan', alamat_domisili: `${secret}-pc`, no_handphone: '0812777000', allergies: { create: [{ allergies: `${secret}-pc-alergi` }] } });
  const spc = await bookableSlot(t, 12, { doctor: dx });
  await appointment(t, spc, b.id, pc.id);
  const pcThread = await db.thread.create({ data: { id_user_from: b.id, id_user_to: dx.id, id_patients: pc.id, estimate_done_at: later } });
  await db.threadMessage.create({ data: { id_threads: pcThread.id, id_user_from: dx.id, id_user_to: b.id, content_type: 'text', content: `${secret}-pc-message` } });
  await db.threadMessage.create({
    data: { id_threads: pcThread.id, id_user_from: dx.id, id_user_to: b.id, content_type: 'prescriptions', content: menu.nama_menus, id_menu: menu.id, menu_snapshot: rxSnap, qty: 1, valid_until: later },
  });
  await db.patientRekamMedis.create({ data: { id_patients: pc.id, tanggal_konsul: new Date(Date.UTC(2026, 0, 6)), keluhan: `${secret}-pc-record` } });

  const at = new Date(Date.UTC(2026, 0, 5));
  const pa1Record = await db.patientRekamMedis.create({ data: { id_patients: pa1.id, tanggal_konsul: at, keluhan: shared } });
  const d1Record = await db.patientRekamMedis.create({ data: { id_patients: pa1.id, tanggal_konsul: at, keluhan: `${shared}-d1` } });
  const pa2Record = await db.patientRekamMedis.create({ data: { id_patients: pa2.id, tanggal_konsul: at, keluhan: secret, diagnosa: secret } });

  // A's orders: an E cart, a C cart with D1's consultation, a checked-out order, a done order to rate
  const product = await createProduct(t);
  const d1Doctor = s1.doctor;
  const line = { id_menu: product.id, qty: 1, price: 100_000, price_total: 100_000, nama_menus: product.nama_menus, catatan_menu: secret };
  const cartE = await db.order.create({ data: { order_type: 'E', id_member: a.id, id_patients: pa1.id, catatan_order: secret, nama_pemesan: secret, items: { create: line } } });
  const cartC = await db.order.create({
    data: { order_type: 'C', id_member: a.id, id_patients: pa1.id, catatan_order: secret, extras: { create: { id_doctors: d1Doctor.id, item: 'Online consultation', qty: 1, extra_prices: 150_000, extra_notes: secret } } },
  });
  const orderCode = `BR${a.id}QZ`;
  const checkedOut = await db.order.create({
    data: { order_type: 'E', id_member: a.id, id_patients: pa2.id, status: 'DONE', cart_open: null, is_paid: 1, is_done: 1, order_code: orderCode, catatan_order: secret, ratings: 5, rating_desc: secret, items: { create: line } },
  });
  const pcCart = await db.order.create({ data: { order_type: 'E', id_member: b.id, id_patients: pc.id, items: { create: { ...line, catatan_menu: '' } } } });
  await db.order.create({ data: { order_type: 'E', id_member: b.id, id_patients: pc.id, status: 'DONE', cart_open: null, is_paid: 1, is_done: 1, order_code: `BP${a.id}QZ` } });
  await db.rating.create({ data: { id_orders: checkedOut.id, id_users: a.id, ratings: 5, rating_desc: secret } });
  const unrated = await db.order.create({ data: { order_type: 'E', id_member: a.id, id_patients: pa2.id, status: 'DONE', cart_open: null, is_paid: 1, is_done: 1, order_code: `BU${a.id}QZ`, catatan_order: secret } });
  await db.userPoint.create({
    data: { id_users: a.id, id_orders: checkedOut.id, id_orders_earned: checkedOut.id, add_point: 5_000, remaining_point: 5_000, usecase: secret.slice(0, 50), expired_date: later },
  });
  const notification = await db.notification.create({ data: { id_user_to: a.id, id_user_from: d1.id, intentions: 'appointment_booked', title: secret, content: secret } });

  return {
    a, b, d1, d2, secret, shared,
    pa1: pa1.id, pa2: pa2.id, pb: pb.id, pa2Allergy, bAllergy,
    pa1Record: pa1Record.id, pa2Record: pa2Record.id, d1Record: d1Record.id,
    threadD1: threadD1.id, rxD1: rxD1.id, threadDX: threadDX.id, threadDX1: threadDX1.id, bThread: bThread.id, rxMenu: menu.id,
    cartE: cartE.id, cartC: cartC.id, checkedOut: checkedOut.id, orderCode, unrated: unrated.id,
    apptD1: apptD1.id, apptDX: apptDX.id, apptDX1: apptDX1.id, dxDoctor: sx.doctor.id, d1Doctor: d1Doctor.id,
    slotFree: { id: free.slot.id, tanggal: free.tanggal }, product: product.id, notification: notification.id,
    pc: pc.id, pcThread: pcThread.id, pcCart: pcCart.id,
    days: { date_from: formatDate(clinicDay(t.app.now()))!, date_to: free.tanggal },
  };
}

/** A's rows as stored, and how many rows each table has: a refused request changes neither. */
async function snapshot(w: World) {
  const db = t.app.db;
  const ofA = { id_users: w.a.id };
  return {
    patients: await db.patient.findMany({ where: ofA, include: { allergies: { orderBy: { id: 'asc' } } }, orderBy: { id: 'asc' } }),
    records: await db.patientRekamMedis.findMany({ where: { id_patients: { in: [w.pa1, w.pa2, w.pb, w.pc] } }, orderBy: { id: 'asc' } }),
    threads: await db.thread.findMany({ where: { id: { in: [w.threadD1, w.threadDX, w.threadDX1, w.bThread, w.pcThread] } }, include: { messages: { orderBy: { id: 'asc' } } }, orderBy: { id: 'asc' } }),
    orders: await db.order.findMany({ where: { OR: [{ id_member: w.a.id }, { id_patients: w.pc }] }, include: { items: { orderBy: { id: 'asc' } }, extras: { orderBy: { id: 'asc' } }, courierQuotes: true }, orderBy: { id: 'asc' } }),
    appointments: await db.userSchedule.findMany({ where: { OR: [ofA, { id_patients: w.pc }] }, orderBy: { id: 'asc' } }),
    notifications: await db.notification.findMany({ where: { id_user_to: w.a.id }, orderBy: { id: 'asc' } }),
    ratings: await db.rating.findMany({ where: ofA, orderBy: { id: 'asc' } }),
    points: await db.userPoint.findMany({ where: ofA, orderBy: { id: 'asc' } }),
    user: await db.user.findUnique({ where: { id: w.a.id } }),
    /** B's own rows a refused request must not change either (a case that writes them says what) */
    ofB: await db.patient.findUnique({ where: { id: w.pb }, include: { allergies: { orderBy: { id: 'asc' } } } }),
    counts: {
      patients: await db.patient.count(),
      allergies: await db.patientAllergy.count(),
      records: await db.patientRekamMedis.count(),
      threads: await db.thread.count(),
      messages: await db.threadMessage.count(),
      orders: await db.order.count(),
      items: await db.orderItem.count(),
      extras: await db.orderExtra.count(),
      appointments: await db.userSchedule.count(),
      ratings: await db.rating.count(),
      redemptions: await db.menuReedem.count(),
      requests: await db.prescriptionRequest.count(),
      quotes: await db.courierQuote.count(),
    },
  };
}

function send(c: Case, path: string, method: Method, who: TestUser) {
  const req = call(t, method, path).set(t.auth(who));
  if (!c.attach) return req.send(c.body ?? {});
  for (const [k, v] of Object.entries(c.body ?? {})) req.field(k, String(v));
  return req.attach(c.attach.field, c.attach.file, c.attach.name);
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['OWNER', 'ADMIN']);
  w = await buildWorld();
});
afterAll(() => t.close());

describe('body and filter references never reach another customer’s rows', () => {
  it('every route a customer or doctor calls with a reference field is in CASES or NOT_OWNED', () => {
    const known = new Set(endpoints().map(label));
    const missing: string[] = [];
    for (const e of endpoints()) {
      if (!customerOrDoctor(e.def.access)) continue;
      const refs = [...new Set([...deepKeys(e.def.body), ...deepKeys(e.def.query)])].filter((k) => REF.test(k));
      if (!refs.length) continue;
      const key = label(e);
      if (!(key in CASES) && !(key in NOT_OWNED)) missing.push(`${key} (${refs.join(', ')})`);
    }
    expect(missing, 'routes with reference fields to decide: add cases to CASES, or a reason to NOT_OWNED').toEqual([]);
    const stale = [...Object.keys(CASES), ...Object.keys(NOT_OWNED)].filter((k) => !known.has(k));
    expect(stale, 'entries naming no route').toEqual([]);
  });

  it('every reference field of a route in CASES is named by one of its cases, or in CATALOGUE_FIELDS', () => {
    const unnamed: string[] = [];
    for (const e of endpoints()) {
      const key = label(e);
      if (!(key in CASES)) continue;
      const named = new Set(CASES[key]!(w).flatMap((c) => bodyKeys(c.body ?? {})));
      for (const k of new Set([...deepKeys(e.def.body), ...deepKeys(e.def.query)])) {
        if (REF.test(k) && !named.has(k) && !CATALOGUE_FIELDS.has(k)) unnamed.push(`${key}: ${k}`);
      }
    }
    expect(unnamed, 'reference fields no case sends: add a case naming another customer’s row through it').toEqual([]);
  });

  it.each(Object.keys(CASES))('%s', async (key) => {
    const [m, routePath] = key.split(' ') as [string, string];
    const method = m.toLowerCase() as Method;
    const callers = { B: w.b, D1: w.d1, D2: w.d2 };
    for (const c of CASES[key]!(w)) {
      for (const who of c.who) {
        const path = c.path ?? routePath;
        const where = `${key} ${path} ${JSON.stringify(c.body ?? {})} as ${who}`;
        const before = await snapshot(w);
        const res = await send(c, path, method, callers[who]);
        inspect(res, where);
        if (c.expect === 'refused') expect([403, 404, 422], `${where}: ${res.status} ${res.text.slice(0, 300)}`).toContain(res.status);
        else expect([200, 403], `${where}: ${res.status} ${res.text.slice(0, 300)}`).toContain(res.status);
        expect(res.text.includes(w.secret), `${where} leaks A's data: ${res.text.slice(0, 400)}`).toBe(false);
        if (who !== 'D1') expect(res.text.includes(w.shared), `${where} leaks PA1's data: ${res.text.slice(0, 400)}`).toBe(false);
        const after = await snapshot(w);
        if (c.wrote) {
          // the caller's own row was written (a count moved): none of A's rows changed
          await c.wrote(w, callers[who]);
          expect({ ...after, counts: undefined, ofB: undefined }, `${where} changed A's rows`).toEqual({ ...before, counts: undefined, ofB: undefined });
        } else expect(after, `${where} wrote something`).toEqual(before);
      }
    }
  });

  it('control: the filters do find A’s rows for staff, so the silence above means something', async () => {
    const found: string[] = [];
    for (const key of Object.keys(CASES).filter((k) => /\/(explore|search|table|overview|timeline)$/.test(k))) {
      const routePath = key.split(' ')[1]!;
      for (const c of CASES[key]!(w).filter((x) => x.expect === 'no-leak')) {
        const res = await send(c, routePath, 'post', admin);
        if (res.text.includes(w.secret)) found.push(key);
      }
    }
    for (const k of ['POST /orders/explore', 'POST /patients/explore', 'POST /patient_rekam_medis/explore', 'POST /thread_messages/search', 'POST /user_schedules/explore', 'POST /notifications/explore', 'POST /ratings/explore', 'POST /order_items/explore']) {
      expect(found, `${k}: no filter shows A's rows even to an admin`).toContain(k);
    }
  });
});
