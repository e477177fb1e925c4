import type { Method } from '../../src/http/route.js';
import type { TestApp, TestUser } from '../helpers/app.js';
import { audit } from '../../src/modules/audit/audit.service.js';
import { clinicDay, formatDate } from '../../src/lib/dates.js';
import { PNG_1PX } from '../helpers/app.js';
import { appointment, bookableSlot, createMenu, prescriptionSnapshot } from './fixtures.js';
import { doctor as createDoctor, givePoints, menu as createProduct, patientOf, promotion } from '../commerce/fixtures.js';

/**
 * Resources a customer owns. Each entry creates a row as customer A, then lists what customer B
 * tries against it. `denied` attempts must answer 403 or 404 and leave the row unchanged;
 * every answer to B must be free of A's `marker`. To cover a new resource, append an entry.
 */
export interface Attempt {
  method: Method;
  path: string;
  body?: Record<string, unknown>;
  /** sent as multipart: `body` as form fields plus this file */
  attach?: { field: string; file: Buffer; name: string };
  /**
   * denied (403/404) — or allowed but scoped to B, so it must not leak A's marker — or refused to
   * everyone (any 4xx, e.g. 405 for a create that only exists elsewhere)
   */
  expect: 'denied' | 'no-leak' | 'refused';
}

export type Refs = Record<string, any>;

export interface OwnedResource {
  resource: string;
  /**
   * creates A's row (directly with Prisma); returns its id, a string only A's rows contain, and
   * other ids the attempts need (A's related rows, B's own rows, a free slot...)
   */
  create: (t: TestApp, a: TestUser, b: TestUser) => Promise<{ id: number; marker: string; refs?: Refs }>;
  attempts: (id: number, a: TestUser, b: TestUser, refs: Refs) => Attempt[];
  /**
   * the row as stored (with what hangs off it, and counts of A's rows of the kind), to prove a
   * refused request changed nothing and that nothing was created on A's behalf
   */
  snapshot: (t: TestApp, id: number, a: TestUser, refs: Refs) => Promise<unknown>;
}

/** order codes are unique: each create (customer and doctor runs) makes new ones */
let codeSeq = 0;
const orderCode = (prefix: string, a: TestUser) => `${prefix}${a.id}N${++codeSeq}QZ`;

export const OWNED: OwnedResource[] = [
  {
    resource: 'users',
    create: async (t, a) => {
      const marker = `a-private-address-${a.id}`;
      await t.app.db.user.update({ where: { id: a.id }, data: { users_address: marker } });
      return { id: a.id, marker };
    },
    attempts: (id) => [
      { method: 'get', path: `/users/${id}`, expect: 'denied' },
      { method: 'put', path: `/users/${id}/update`, body: { users_fullname: 'Hacked' }, expect: 'denied' },
      { method: 'post', path: `/users/${id}/update`, body: { users_fullname: 'Hacked' }, expect: 'denied' },
      { method: 'post', path: `/users/${id}/update/password`, body: { prev_password: 'x', new_password: 'hacked-123', new_password_confirm: 'hacked-123' }, expect: 'denied' },
      // the route takes POST only: PUT is 405 to everyone
      { method: 'put', path: `/users/${id}/update/password/admin`, body: { new_password: 'hacked-123', new_password_confirm: 'hacked-123' }, expect: 'refused' },
      { method: 'delete', path: `/users/${id}/delete`, expect: 'denied' },
      { method: 'post', path: `/users/${id}/unblock`, expect: 'denied' },
      { method: 'post', path: '/users/picture/upload', body: { id_users: id }, attach: { field: 'picture', file: PNG_1PX, name: 'me.png' }, expect: 'denied' },
      { method: 'post', path: '/users/explore', body: { users_fullname: 'Test' }, expect: 'denied' },
      { method: 'post', path: '/users/search', body: {}, expect: 'denied' },
      { method: 'post', path: '/users/table', body: { draw: 1, start: 0, length: 10 }, expect: 'denied' },
      { method: 'get', path: '/users/data', expect: 'no-leak' },
      { method: 'get', path: '/users/data/export', expect: 'no-leak' },
    ],
    snapshot: (t, id) => t.app.db.user.findUnique({ where: { id }, include: { roles: true } }),
  },
  {
    resource: 'user_device_tokens',
    create: async (t, a) => {
      const marker = `device-token-of-a-${a.id}-xyz`;
      const row = await t.app.db.userDeviceToken.upsert({ where: { device_token: marker }, create: { id_users: a.id, device_token: marker }, update: { id_users: a.id } });
      return { id: row.id, marker };
    },
    attempts: () => [
      { method: 'get', path: '/users/data', expect: 'no-leak' },
      { method: 'get', path: '/users/data/export', expect: 'no-leak' },
    ],
    snapshot: (t, id) => t.app.db.userDeviceToken.findUnique({ where: { id } }),
  },
  {
    resource: 'logs (client events recorded on B’s behalf only)',
    create: async (t, a) => {
      const marker = `log-of-a-${a.id}`;
      const row = await audit(t.app, { user: { id: a.id, roles: ['CUSTOMER'] }, action: 'client_event', resource: 'client', details: { note: marker } });
      return { id: row.id, marker };
    },
    attempts: (_id, a) => [
      { method: 'post', path: '/logs/create', body: { action: 'x', id_users: a.id, role: 'OWNER' }, expect: 'no-leak' },
      { method: 'post', path: '/logs/search', body: { id_users: a.id }, expect: 'denied' },
      { method: 'get', path: `/logs/${_id}`, expect: 'denied' },
      { method: 'put', path: `/logs/${_id}/update`, body: { action: 'x' }, expect: 'denied' },
      { method: 'delete', path: `/logs/${_id}/delete`, expect: 'denied' },
    ],
    snapshot: (t, id) => t.app.db.log.findUnique({ where: { id } }),
  },
  {
    resource: 'patients (and rows created for A’s patient through id_patients / id_users)',
    create: async (t, a, b) => {
      const marker = `patient-of-a-${a.id}-qz`;
      const p = await t.app.db.patient.create({
        data: { id_users: a.id, nama_lengkap_pasien: marker, no_handphone: '0812000111', allergies: { create: [{ allergies: `${marker}-alergi` }] } },
      });
      const bPatient = await t.app.db.patient.create({ data: { id_users: b.id, nama_lengkap_pasien: 'Pasien B' } });
      const slot = await bookableSlot(t, 8);
      return { id: p.id, marker, refs: { bPatient: bPatient.id, slot: slot.slot.id, tanggal: slot.tanggal } };
    },
    attempts: (id, a, b, r) => [
      { method: 'get', path: `/patients/${id}`, expect: 'denied' },
      { method: 'put', path: `/patients/${id}/update`, body: { nama_lengkap_pasien: 'Hacked', allergies: [] }, expect: 'denied' },
      { method: 'post', path: `/patients/${id}/update`, body: { nama_lengkap_pasien: 'Hacked', id_users: b.id }, expect: 'denied' },
      { method: 'put', path: `/patients/${id}/update/address`, body: { kota: 'Hacked' }, expect: 'denied' },
      { method: 'post', path: `/patients/${id}/update/address`, body: { kota: 'Hacked' }, expect: 'denied' },
      { method: 'delete', path: `/patients/${id}/delete`, expect: 'denied' },
      { method: 'post', path: '/patients/picture/upload', body: { id_patients: id }, attach: { field: 'picture', file: PNG_1PX, name: 'p.png' }, expect: 'denied' },
      { method: 'put', path: '/users/patients/link', body: { id_users: b.id, id_patients: id }, expect: 'denied' },
      { method: 'post', path: '/users/patients/unlink', body: { id_patients: id }, expect: 'denied' },
      // lists: scoped to B whatever the filter says
      { method: 'post', path: '/patients/explore', body: { id_users: a.id }, expect: 'no-leak' },
      { method: 'post', path: '/patients/explore', body: { keyword: 'patient-of-a' }, expect: 'no-leak' },
      { method: 'post', path: '/patients/search', body: { id_users: a.id }, expect: 'no-leak' },
      { method: 'post', path: '/patients/search', body: {}, expect: 'no-leak' },
      { method: 'post', path: '/patients/table', body: { draw: 1, start: 0, length: 100, id_users: a.id }, expect: 'no-leak' },
      { method: 'post', path: '/patients/table', body: { draw: 1, start: 0, length: 100, search: { value: String(id) } }, expect: 'no-leak' },
      // rows on A's behalf
      { method: 'post', path: '/patients/create', body: { id_users: a.id, nama_lengkap_pasien: 'Pasien Titipan' }, expect: 'no-leak' },
      { method: 'post', path: '/patient_allergies/create', body: { id_patients: id, allergies: 'Hacked' }, expect: 'denied' },
      { method: 'post', path: '/patient_rekam_medis/create', body: { id_patients: id, tanggal_konsul: '01/12/2026', keluhan: 'Hacked' }, expect: 'denied' },
      { method: 'post', path: '/user_schedules/create', body: { id_doctor_schedules: r.slot, tanggal: r.tanggal, id_patients: id, id_users: a.id }, expect: 'denied' },
      { method: 'get', path: '/users/data', expect: 'no-leak' },
      { method: 'get', path: '/users/data/export', expect: 'no-leak' },
    ],
    snapshot: async (t, id, a) => ({
      row: await t.app.db.patient.findUnique({ where: { id }, include: { allergies: true, rekamMedis: true, userSchedules: true, threads: true } }),
      managedByA: await t.app.db.patient.findMany({ where: { id_users: a.id }, select: { id: true } }),
    }),
  },
  {
    resource: 'patient_allergies',
    create: async (t, a, b) => {
      const marker = `allergy-of-a-${a.id}-qz`;
      const p = await t.app.db.patient.create({ data: { id_users: a.id, nama_lengkap_pasien: 'Pasien A' } });
      const row = await t.app.db.patientAllergy.create({ data: { id_patients: p.id, allergies: marker, diagnosa: marker } });
      const bPatient = await t.app.db.patient.create({ data: { id_users: b.id, nama_lengkap_pasien: 'Pasien B' } });
      const bAllergy = await t.app.db.patientAllergy.create({ data: { id_patients: bPatient.id, allergies: 'Debu' } });
      return { id: row.id, marker, refs: { patient: p.id, bPatient: bPatient.id, bAllergy: bAllergy.id } };
    },
    attempts: (id, _a, _b, r) => [
      { method: 'get', path: `/patient_allergies/${id}`, expect: 'denied' },
      { method: 'put', path: `/patient_allergies/${id}/update`, body: { id_patients: r.patient, allergies: 'Hacked' }, expect: 'denied' },
      // moving A's row into B's patient, and B's row into A's patient
      { method: 'post', path: `/patient_allergies/${id}/update`, body: { id_patients: r.bPatient, allergies: 'Moved' }, expect: 'denied' },
      { method: 'put', path: `/patient_allergies/${r.bAllergy}/update`, body: { id_patients: r.patient, allergies: 'Planted' }, expect: 'denied' },
      { method: 'delete', path: `/patient_allergies/${id}/delete`, expect: 'denied' },
      { method: 'post', path: '/patient_allergies/create', body: { id_patients: r.patient, allergies: 'Planted' }, expect: 'denied' },
      { method: 'post', path: '/patient_allergies/explore', body: { id_patients: r.patient }, expect: 'no-leak' },
      { method: 'post', path: '/patient_allergies/explore', body: {}, expect: 'no-leak' },
      { method: 'post', path: '/patient_allergies/search', body: { id_patients: r.patient }, expect: 'no-leak' },
      { method: 'post', path: '/patient_allergies/table', body: { draw: 1, start: 0, length: 100, id_patients: r.patient }, expect: 'no-leak' },
      { method: 'post', path: '/patient_allergies/table', body: { draw: 1, start: 0, length: 100, search: { value: 'allergy-of-a' } }, expect: 'no-leak' },
    ],
    snapshot: async (t, id, _a, r) => ({
      row: await t.app.db.patientAllergy.findUnique({ where: { id } }),
      ofA: await t.app.db.patientAllergy.findMany({ where: { id_patients: r.patient }, orderBy: { id: 'asc' } }),
      bRow: await t.app.db.patientAllergy.findUnique({ where: { id: r.bAllergy } }),
    }),
  },
  {
    resource: 'patient_rekam_medis (medical records)',
    create: async (t, a) => {
      const marker = `record-of-a-${a.id}-qz`;
      const p = await t.app.db.patient.create({ data: { id_users: a.id, nama_lengkap_pasien: 'Pasien A' } });
      const row = await t.app.db.patientRekamMedis.create({ data: { id_patients: p.id, tanggal_konsul: new Date(Date.UTC(2026, 0, 5)), keluhan: marker, diagnosa: marker } });
      return { id: row.id, marker, refs: { patient: p.id } };
    },
    attempts: (id, _a, b, r) => [
      { method: 'get', path: `/patient_rekam_medis/${id}`, expect: 'denied' },
      { method: 'put', path: `/patient_rekam_medis/${id}/update`, body: { keluhan: 'Hacked' }, expect: 'denied' },
      { method: 'post', path: `/patient_rekam_medis/${id}/update`, body: { keluhan: 'Hacked' }, expect: 'denied' },
      { method: 'delete', path: `/patient_rekam_medis/${id}/delete`, expect: 'denied' },
      { method: 'put', path: `/patient_rekam_medis/${id}/verify`, body: {}, expect: 'denied' },
      { method: 'post', path: `/patient_rekam_medis/${id}/verify`, body: { catatan_kaki: 'Hacked' }, expect: 'denied' },
      { method: 'put', path: `/patient_rekam_medis/${id}/unverify`, body: { reason: 'x' }, expect: 'denied' },
      { method: 'post', path: `/patient_rekam_medis/${id}/unverify`, body: { reason: 'x' }, expect: 'denied' },
      { method: 'post', path: '/patient_rekam_medis/create', body: { id_patients: r.patient, id_rekam_medis_asal: id, tanggal_konsul: '01/12/2026', keluhan: 'x', is_verified: 1, verified_iduser: b.id }, expect: 'denied' },
      { method: 'post', path: '/patient_rekam_medis/explore', body: { id_patients: r.patient }, expect: 'no-leak' },
      { method: 'post', path: '/patient_rekam_medis/explore', body: { id_rekam_medis_asal: id }, expect: 'no-leak' },
      { method: 'post', path: '/patient_rekam_medis/search', body: { id_patients: r.patient, is_verified: 0 }, expect: 'no-leak' },
      { method: 'post', path: '/patient_rekam_medis/search', body: {}, expect: 'no-leak' },
      { method: 'post', path: '/patient_rekam_medis/table', body: { draw: 1, start: 0, length: 100, id_patients: r.patient }, expect: 'no-leak' },
      { method: 'post', path: '/patient_rekam_medis/table', body: { draw: 1, start: 0, length: 100, search: { value: 'record-of-a' } }, expect: 'no-leak' },
    ],
    snapshot: async (t, id, _a, r) => ({
      row: await t.app.db.patientRekamMedis.findUnique({ where: { id } }),
      ofA: await t.app.db.patientRekamMedis.findMany({ where: { id_patients: r.patient }, select: { id: true } }),
    }),
  },
  {
    resource: 'user_schedules (appointments)',
    create: async (t, a) => {
      const marker = `appointment-of-a-${a.id}-qz`;
      const p = await t.app.db.patient.create({ data: { id_users: a.id, nama_lengkap_pasien: marker } });
      const slot = await bookableSlot(t, 9);
      const free = await bookableSlot(t, 10);
      const row = await appointment(t, slot, a.id, p.id, { digisoft_invoice_numbers: marker });
      return { id: row.id, marker, refs: { patient: p.id, free: free.slot.id, tanggal: free.tanggal, doctor: slot.doctor.id, from: formatDate(clinicDay(t.app.now())), to: free.tanggal } };
    },
    attempts: (id, a, _b, r) => {
      const move = { id_doctor_schedules: r.free, tanggal: r.tanggal, status: 'BOOKING', reschedule_counts: 0 };
      return [
        { method: 'get', path: `/user_schedules/${id}`, expect: 'denied' },
        { method: 'put', path: `/user_schedules/${id}/reschedule`, body: move, expect: 'denied' },
        { method: 'post', path: `/user_schedules/${id}/reschedule`, body: move, expect: 'denied' },
        { method: 'put', path: `/user_schedules/${id}/update`, body: move, expect: 'denied' },
        { method: 'post', path: `/user_schedules/${id}/update`, body: move, expect: 'denied' },
        { method: 'put', path: `/user_schedules/${id}/cancel`, body: { cancel_reason: 'Hacked' }, expect: 'denied' },
        { method: 'post', path: `/user_schedules/${id}/cancel`, body: { cancel_reason: 'Hacked' }, expect: 'denied' },
        { method: 'put', path: `/user_schedules/${id}/arrived`, expect: 'denied' },
        { method: 'post', path: `/user_schedules/${id}/done`, body: { digisoft_invoice_numbers: 'Hacked' }, expect: 'denied' },
        { method: 'delete', path: `/user_schedules/${id}/delete`, expect: 'denied' },
        { method: 'post', path: '/user_schedules/create', body: { id_doctor_schedules: r.free, tanggal: r.tanggal, id_patients: r.patient, id_users: a.id }, expect: 'denied' },
        { method: 'post', path: '/user_schedules/explore', body: { id_users: a.id }, expect: 'no-leak' },
        { method: 'post', path: '/user_schedules/explore', body: { id_patients: r.patient, id_doctors: r.doctor }, expect: 'no-leak' },
        { method: 'post', path: '/user_schedules/search', body: { id_users: a.id, status_array: ['BOOKING', 'RESCHEDULE'] }, expect: 'no-leak' },
        { method: 'post', path: '/user_schedules/search', body: {}, expect: 'no-leak' },
        { method: 'post', path: '/user_schedules/table', body: { draw: 1, start: 0, length: 100, id_users: a.id }, expect: 'no-leak' },
        { method: 'post', path: '/user_schedules/table', body: { draw: 1, start: 0, length: 100, search: { value: 'appointment-of-a' } }, expect: 'no-leak' },
        { method: 'post', path: '/user_schedules/timeline', body: { date_from: r.from, date_to: r.to, id_doctors: r.doctor }, expect: 'no-leak' },
        { method: 'post', path: '/user_schedules/timeline', body: { date_from: r.from, date_to: r.to, status_array: ['BOOKING', 'CANCEL'] }, expect: 'no-leak' },
        { method: 'get', path: '/users/data', expect: 'no-leak' },
        { method: 'get', path: '/users/data/export', expect: 'no-leak' },
      ];
    },
    snapshot: async (t, id, _a, r) => ({
      row: await t.app.db.userSchedule.findUnique({ where: { id } }),
      ofA: await t.app.db.userSchedule.findMany({ where: { id_patients: r.patient }, select: { id: true } }),
    }),
  },
  {
    resource: 'threads',
    create: async (t, a) => {
      // thread lists print the customer's name: A's name is the marker
      const marker = (await t.app.db.user.findUniqueOrThrow({ where: { id: a.id } })).users_fullname;
      const doctor = await t.user(['DOCTOR']);
      const p = await t.app.db.patient.create({ data: { id_users: a.id, nama_lengkap_pasien: `thread-patient-of-a-${a.id}` } });
      const row = await t.app.db.thread.create({
        data: { id_user_from: a.id, id_user_to: doctor.id, id_patients: p.id, estimate_done_at: new Date(Date.now() + 86_400_000) },
      });
      const menu = await createMenu(t);
      await t.app.db.threadMessage.create({
        data: { id_threads: row.id, id_user_from: doctor.id, id_user_to: a.id, content_type: 'prescriptions', content: menu.nama_menus, id_menu: menu.id, menu_snapshot: prescriptionSnapshot(t, menu), qty: 1, valid_until: new Date(Date.now() + 86_400_000) },
      });
      return { id: row.id, marker, refs: { patient: p.id, menu: menu.id } };
    },
    attempts: (id, a, _b, r) => [
      { method: 'get', path: `/threads/${id}`, expect: 'denied' },
      { method: 'put', path: `/threads/${id}/update`, body: { is_closed: 1 }, expect: 'denied' },
      { method: 'post', path: `/threads/${id}/update`, body: { estimate_done_at: '01/01/2020 10:00' }, expect: 'denied' },
      { method: 'put', path: `/threads/${id}/close`, expect: 'denied' },
      { method: 'post', path: `/threads/${id}/reopen`, expect: 'denied' },
      { method: 'delete', path: `/threads/${id}/delete`, expect: 'denied' },
      { method: 'post', path: '/threads/explore', body: { id_user_from: a.id }, expect: 'no-leak' },
      { method: 'post', path: '/threads/explore', body: {}, expect: 'no-leak' },
      { method: 'post', path: '/threads/search', body: { id_patients: r.patient }, expect: 'no-leak' },
      { method: 'post', path: '/threads/table', body: { draw: 1, start: 0, length: 100, id_user_from: a.id }, expect: 'no-leak' },
      { method: 'post', path: '/threads/overview', body: { id_user_from: a.id }, expect: 'no-leak' },
      { method: 'post', path: '/threads/overview', body: {}, expect: 'no-leak' },
      // writing into A's thread, reading it, redeeming A's prescription
      { method: 'post', path: '/thread_messages/text', body: { id_threads: id, content: 'Hacked' }, expect: 'denied' },
      { method: 'post', path: '/thread_messages/image', body: { id_threads: id }, attach: { field: 'image', file: PNG_1PX, name: 'x.png' }, expect: 'denied' },
      { method: 'post', path: '/thread_messages/attachments', body: { id_threads: id }, attach: { field: 'attachments', file: PNG_1PX, name: 'x.png' }, expect: 'denied' },
      { method: 'post', path: '/thread_messages/explore', body: { id_threads: id }, expect: 'denied' },
      { method: 'post', path: '/menu_reedems/add_to_carts', body: { id_threads: id, id_menu: r.menu }, expect: 'denied' },
      { method: 'get', path: '/users/data', expect: 'no-leak' },
      { method: 'get', path: '/users/data/export', expect: 'no-leak' },
    ],
    snapshot: async (t, id) => ({
      row: await t.app.db.thread.findUnique({ where: { id } }),
      messages: await t.app.db.threadMessage.findMany({ where: { id_threads: id }, orderBy: { id: 'asc' } }),
      redeemed: await t.app.db.menuReedem.count({ where: { id_threads: id } }),
    }),
  },
  {
    resource: 'thread_messages (and A’s cart through menu_reedems)',
    create: async (t, a, b) => {
      const marker = `message-of-a-${a.id}-qz`;
      const doctor = await t.user(['DOCTOR']);
      const db = t.app.db;
      const p = await db.patient.create({ data: { id_users: a.id, nama_lengkap_pasien: 'Pasien A' } });
      const later = new Date(Date.now() + 86_400_000);
      const thread = await db.thread.create({ data: { id_user_from: a.id, id_user_to: doctor.id, id_patients: p.id, estimate_done_at: later } });
      const row = await db.threadMessage.create({ data: { id_threads: thread.id, id_user_from: a.id, id_user_to: doctor.id, content_type: 'text', content: marker } });
      const menu = await createMenu(t);
      const rx = await db.threadMessage.create({
        data: { id_threads: thread.id, id_user_from: doctor.id, id_user_to: a.id, content_type: 'prescriptions', content: menu.nama_menus, id_menu: menu.id, menu_snapshot: prescriptionSnapshot(t, menu), qty: 2, valid_until: later },
      });
      const cart = await db.order.create({ data: { order_type: 'E', id_member: a.id, id_patients: p.id } });
      // B's own consultation with a prescription of the same product
      const bPatient = await db.patient.create({ data: { id_users: b.id, nama_lengkap_pasien: 'Pasien B' } });
      const bThread = await db.thread.create({ data: { id_user_from: b.id, id_user_to: doctor.id, id_patients: bPatient.id, estimate_done_at: later } });
      await db.threadMessage.create({
        data: { id_threads: bThread.id, id_user_from: doctor.id, id_user_to: b.id, content_type: 'prescriptions', content: menu.nama_menus, id_menu: menu.id, menu_snapshot: prescriptionSnapshot(t, menu), qty: 1, valid_until: later },
      });
      return { id: row.id, marker, refs: { thread: thread.id, rx: rx.id, menu: menu.id, cart: cart.id, bThread: bThread.id } };
    },
    attempts: (id, a, _b, r) => [
      { method: 'get', path: `/thread_messages/${id}`, expect: 'denied' },
      { method: 'get', path: `/thread_messages/${r.rx}`, expect: 'denied' },
      { method: 'put', path: `/thread_messages/${id}/update_text`, body: { content: 'Hacked' }, expect: 'denied' },
      { method: 'post', path: `/thread_messages/${id}/update_text`, body: { content: 'Hacked' }, expect: 'denied' },
      { method: 'delete', path: `/thread_messages/${id}/delete`, expect: 'denied' },
      { method: 'post', path: '/thread_messages/explore', body: { id_threads: r.thread }, expect: 'denied' },
      { method: 'post', path: '/thread_messages/explore', body: { id_user_from: a.id }, expect: 'no-leak' },
      { method: 'post', path: '/thread_messages/explore', body: {}, expect: 'no-leak' },
      { method: 'post', path: '/thread_messages/search', body: { id_threads: r.thread }, expect: 'no-leak' },
      { method: 'post', path: '/thread_messages/search', body: { id_user_from: a.id }, expect: 'no-leak' },
      { method: 'post', path: '/thread_messages/table', body: { draw: 1, start: 0, length: 100, id_threads: r.thread }, expect: 'no-leak' },
      { method: 'post', path: '/thread_messages/table', body: { draw: 1, start: 0, length: 100, search: { value: 'message-of-a' } }, expect: 'no-leak' },
      { method: 'post', path: '/menu_reedems/add_to_carts', body: { id_threads: r.thread, id_menu: r.menu, id_thread_messages: r.rx }, expect: 'denied' },
      { method: 'post', path: '/menu_reedems/add_to_carts', body: { id_threads: r.bThread, id_menu: r.menu, id_thread_messages: r.rx }, expect: 'denied' },
      // B's own prescription into A's cart
      { method: 'post', path: '/menu_reedems/add_to_carts', body: { id_threads: r.bThread, id_menu: r.menu, id_orders: r.cart }, expect: 'denied' },
      { method: 'get', path: '/users/data/export', expect: 'no-leak' },
    ],
    snapshot: async (t, id, _a, r) => ({
      row: await t.app.db.threadMessage.findUnique({ where: { id } }),
      rx: await t.app.db.threadMessage.findUnique({ where: { id: r.rx }, include: { menuReedem: true } }),
      thread: await t.app.db.thread.findUnique({ where: { id: r.thread } }),
      cart: await t.app.db.order.findUnique({ where: { id: r.cart }, include: { items: true } }),
    }),
  },
  {
    resource: 'notifications',
    create: async (t, a) => {
      const marker = `notification-of-a-${a.id}-qz`;
      const row = await t.app.db.notification.create({ data: { id_user_to: a.id, intentions: 'appointment_booked', title: marker, content: marker } });
      return { id: row.id, marker };
    },
    attempts: (id, a) => [
      { method: 'get', path: `/notifications/${id}`, expect: 'denied' },
      { method: 'put', path: `/notifications/${id}/mark/as/read`, expect: 'denied' },
      { method: 'post', path: `/notifications/${id}/mark/as/read`, body: { id_user_to: a.id }, expect: 'denied' },
      { method: 'put', path: '/notifications/mark/all', body: { id_users: a.id }, expect: 'denied' },
      { method: 'post', path: '/notifications/mark/all', body: { id_users: a.id }, expect: 'denied' },
      { method: 'post', path: '/notifications/explore', body: { id_user_to: a.id }, expect: 'no-leak' },
      { method: 'post', path: '/notifications/explore', body: {}, expect: 'no-leak' },
      { method: 'post', path: '/notifications/search', body: { id_user_to: a.id, is_read: 0 }, expect: 'no-leak' },
      { method: 'post', path: '/notifications/table', body: { draw: 1, start: 0, length: 100, id_user_to: a.id }, expect: 'no-leak' },
      { method: 'post', path: '/notifications/table', body: { draw: 1, start: 0, length: 100, search: { value: 'notification-of-a' } }, expect: 'no-leak' },
      // B's own "mark all" leaves A's alone
      { method: 'post', path: '/notifications/mark/all', body: {}, expect: 'no-leak' },
      { method: 'get', path: '/users/data', expect: 'no-leak' },
      { method: 'get', path: '/users/data/export', expect: 'no-leak' },
    ],
    snapshot: (t, id) => t.app.db.notification.findUnique({ where: { id } }),
  },
  {
    resource: 'orders (A’s carts and checked-out order)',
    create: async (t, a, b) => {
      const marker = `order-note-of-a-${a.id}-qz`;
      const code = orderCode('EA', a);
      const db = t.app.db;
      const p = await patientOf(t, a);
      const product = await createProduct(t);
      const doc = await createDoctor(t);
      const cart = await db.order.create({
        data: {
          order_type: 'E', id_member: a.id, id_patients: p.id, catatan_order: marker, nama_pemesan: marker, kode_kecamatan: '349', total_price: 100_000, grand_totals: 100_000,
          items: { create: { id_menu: product.id, qty: 1, price: 100_000, price_total: 100_000, nama_menus: product.nama_menus } },
        },
      });
      const cCart = await db.order.create({
        data: { order_type: 'C', id_member: a.id, id_patients: p.id, catatan_order: marker, extras: { create: { id_doctors: doc.id, item: 'Online consultation', qty: 1, extra_prices: 150_000 } } },
      });
      const checkedOut = await db.order.create({
        data: {
          order_type: 'E', id_member: a.id, id_patients: p.id, status: 'CHECKOUT', cart_open: null, order_code: code, catatan_order: marker, total_price: 100_000, grand_totals: 100_000,
          checkout_datetime: new Date(), items: { create: { id_menu: product.id, qty: 1, price: 100_000, price_total: 100_000, nama_menus: product.nama_menus } },
        },
      });
      await givePoints(t, a.id, 50_000);
      await givePoints(t, b.id, 50_000);
      const promo = await promotion(t);
      const bPatient = await patientOf(t, b);
      return { id: cart.id, marker, refs: { patient: p.id, bPatient: bPatient.id, cCart: cCart.id, checkedOut: checkedOut.id, menu: product.id, doctor: doc.id, promo: promo.display_codes, code } };
    },
    attempts: (id, a, _b, r) => [
      { method: 'get', path: `/orders/${id}`, expect: 'denied' },
      { method: 'get', path: `/orders/${r.cCart}`, expect: 'denied' },
      { method: 'get', path: `/orders/${r.checkedOut}`, expect: 'denied' },
      { method: 'get', path: `/orders/${r.checkedOut}/invoices`, expect: 'denied' },
      { method: 'get', path: `/orders/${id}/invoices`, expect: 'denied' },
      // a cart for A's patient, or on A's account
      { method: 'post', path: '/orders/init', body: { id_patients: r.patient, order_type: 'E' }, expect: 'denied' },
      { method: 'post', path: '/orders/init', body: { id_users: a.id, id_patients: r.patient, order_type: 'C' }, expect: 'denied' },
      { method: 'post', path: '/orders/init', body: { id_users: a.id, id_patients: r.bPatient, order_type: 'E' }, expect: 'no-leak' },
      { method: 'post', path: '/orders/e_add_to_carts', body: { id_order: id, items: [{ id_menu: r.menu, qty: 5 }] }, expect: 'denied' },
      { method: 'post', path: '/orders/e_add_to_carts', body: { id_order: id, items: [{ id_menu: r.menu, qty: 0 }] }, expect: 'denied' },
      { method: 'post', path: '/orders/c_add_to_carts', body: { id_order: r.cCart, items: [{ id_doctors: r.doctor, qty: '+' }] }, expect: 'denied' },
      { method: 'put', path: `/orders/${id}/apply/points`, body: { poin_used: 10_000 }, expect: 'denied' },
      { method: 'put', path: `/orders/${id}/unapply/points`, expect: 'denied' },
      { method: 'put', path: `/orders/${id}/apply/promotions`, body: { display_codes: r.promo }, expect: 'denied' },
      { method: 'put', path: `/orders/${id}/unapply/promotions`, expect: 'denied' },
      { method: 'put', path: `/orders/${id}/checkout`, body: { alamat_kirim: 'Hacked' }, expect: 'denied' },
      { method: 'put', path: `/orders/${r.cCart}/checkout`, body: {}, expect: 'denied' },
      { method: 'put', path: `/orders/${r.checkedOut}/uncheckout`, expect: 'denied' },
      { method: 'delete', path: `/orders/${id}/delete`, expect: 'denied' },
      { method: 'delete', path: `/orders/${r.cCart}/delete`, expect: 'denied' },
      // staff-only transitions
      { method: 'put', path: `/orders/${r.checkedOut}/paid`, body: { pay_channel: 'cash' }, expect: 'denied' },
      { method: 'put', path: `/orders/${r.checkedOut}/cancel`, body: {}, expect: 'denied' },
      // lists: scoped to B whatever the filter says
      { method: 'post', path: '/orders/explore', body: { id_users: a.id }, expect: 'no-leak' },
      { method: 'post', path: '/orders/explore', body: { id_patients: r.patient }, expect: 'no-leak' },
      { method: 'post', path: '/orders/search', body: { order_code: r.code }, expect: 'no-leak' },
      { method: 'post', path: '/orders/search', body: { id_users: a.id, status_array: ['SHOPPING CARTS', 'CHECKOUT'] }, expect: 'no-leak' },
      { method: 'post', path: '/orders/table', body: { draw: 1, start: 0, length: 100, id_users: a.id }, expect: 'no-leak' },
      { method: 'post', path: '/orders/table', body: { draw: 1, start: 0, length: 100, search: { value: 'order-note-of-a' } }, expect: 'no-leak' },
      { method: 'get', path: '/users/data', expect: 'no-leak' },
      { method: 'get', path: '/users/data/export', expect: 'no-leak' },
    ],
    snapshot: async (t, _id, a) => ({
      ofA: await t.app.db.order.findMany({
        where: { id_member: a.id },
        include: { items: { orderBy: { id: 'asc' } }, extras: { orderBy: { id: 'asc' } }, payments: true, promotionUsages: true, courierQuotes: true },
        orderBy: { id: 'asc' },
      }),
      points: await t.app.db.userPoint.findMany({ where: { id_users: a.id }, orderBy: { id: 'asc' } }),
      balance: await t.app.db.userPointBalance.findUnique({ where: { id_users: a.id } }),
    }),
  },
  {
    resource: 'order_items',
    create: async (t, a, b) => {
      const marker = `item-note-of-a-${a.id}-qz`;
      const db = t.app.db;
      const product = await createProduct(t);
      const p = await patientOf(t, a);
      const cart = await db.order.create({ data: { order_type: 'E', id_member: a.id, id_patients: p.id, total_price: 200_000, grand_totals: 200_000 } });
      const row = await db.orderItem.create({ data: { id_order: cart.id, id_menu: product.id, qty: 2, price: 100_000, price_total: 200_000, catatan_menu: marker } });
      // B's own cart line, which B may change (but not move into A's cart)
      const bp = await patientOf(t, b);
      const bCart = await db.order.create({ data: { order_type: 'E', id_member: b.id, id_patients: bp.id } });
      const bItem = await db.orderItem.create({ data: { id_order: bCart.id, id_menu: product.id, qty: 1, price: 100_000, price_total: 100_000 } });
      return { id: row.id, marker, refs: { cart: cart.id, menu: product.id, bItem: bItem.id } };
    },
    attempts: (id, _a, _b, r) => [
      { method: 'get', path: `/order_items/${id}`, expect: 'denied' },
      { method: 'put', path: `/order_items/${id}/update`, body: { qty: 9 }, expect: 'denied' },
      { method: 'post', path: `/order_items/${id}/update`, body: { qty: 1, catatan_menu: 'Hacked' }, expect: 'denied' },
      { method: 'delete', path: `/order_items/${id}/delete`, expect: 'denied' },
      { method: 'post', path: '/order_items/create', body: { id_order: r.cart, id_menu: r.menu, qty: 1 }, expect: 'refused' },
      { method: 'put', path: `/order_items/${r.bItem}/update`, body: { qty: 2, id_order: r.cart, price: 1 }, expect: 'no-leak' },
      { method: 'post', path: '/order_items/explore', body: { id_order: r.cart }, expect: 'no-leak' },
      { method: 'post', path: '/order_items/explore', body: {}, expect: 'no-leak' },
      { method: 'post', path: '/order_items/search', body: { id_menu: r.menu }, expect: 'no-leak' },
      { method: 'post', path: '/order_items/table', body: { draw: 1, start: 0, length: 100, id_order: r.cart }, expect: 'no-leak' },
      { method: 'post', path: '/order_items/table', body: { draw: 1, start: 0, length: 100, search: { value: 'item-note-of-a' } }, expect: 'no-leak' },
    ],
    snapshot: async (t, _id, _a, r) => t.app.db.order.findUnique({ where: { id: r.cart }, include: { items: { orderBy: { id: 'asc' } } } }),
  },
  {
    resource: 'order_extras',
    create: async (t, a, b) => {
      const marker = `extra-note-of-a-${a.id}-qz`;
      const db = t.app.db;
      const doc = await createDoctor(t);
      const p = await patientOf(t, a);
      const cart = await db.order.create({ data: { order_type: 'C', id_member: a.id, id_patients: p.id, total_price: 150_000, grand_totals: 150_000 } });
      const row = await db.orderExtra.create({ data: { id_orders: cart.id, id_doctors: doc.id, item: 'Online consultation', qty: 1, extra_prices: 150_000, extra_notes: marker } });
      const bp = await patientOf(t, b);
      const bCart = await db.order.create({ data: { order_type: 'C', id_member: b.id, id_patients: bp.id } });
      const bExtra = await db.orderExtra.create({ data: { id_orders: bCart.id, id_doctors: doc.id, item: 'Online consultation', qty: 1, extra_prices: 150_000 } });
      return { id: row.id, marker, refs: { cart: cart.id, doctor: doc.id, bExtra: bExtra.id } };
    },
    attempts: (id, _a, _b, r) => [
      { method: 'get', path: `/order_extras/${id}`, expect: 'denied' },
      { method: 'put', path: `/order_extras/${id}/update`, body: { qty: 5 }, expect: 'denied' },
      { method: 'post', path: `/order_extras/${id}/update`, body: { extra_notes: 'Hacked' }, expect: 'denied' },
      { method: 'delete', path: `/order_extras/${id}/delete`, expect: 'denied' },
      { method: 'post', path: '/order_extras/create', body: { id_orders: r.cart, id_doctors: r.doctor, qty: 1 }, expect: 'refused' },
      { method: 'put', path: `/order_extras/${r.bExtra}/update`, body: { qty: 1, extra_notes: 'moved?', id_orders: r.cart, extra_prices: 1 }, expect: 'no-leak' },
      { method: 'post', path: '/order_extras/explore', body: { id_orders: r.cart }, expect: 'no-leak' },
      { method: 'post', path: '/order_extras/search', body: { id_doctors: r.doctor }, expect: 'no-leak' },
      { method: 'post', path: '/order_extras/table', body: { draw: 1, start: 0, length: 100, id_orders: r.cart }, expect: 'no-leak' },
      { method: 'post', path: '/order_extras/table', body: { draw: 1, start: 0, length: 100, search: { value: 'extra-note-of-a' } }, expect: 'no-leak' },
    ],
    snapshot: async (t, _id, _a, r) => t.app.db.order.findUnique({ where: { id: r.cart }, include: { extras: { orderBy: { id: 'asc' } } } }),
  },
  {
    resource: 'user_points',
    create: async (t, a) => {
      const code = orderCode('PA', a);
      const p = await patientOf(t, a);
      const order = await t.app.db.order.create({ data: { order_type: 'E', id_member: a.id, id_patients: p.id, status: 'PAID', cart_open: null, is_paid: 1, order_code: code } });
      await givePoints(t, a.id, 30_000);
      const row = await t.app.db.userPoint.create({
        data: { id_users: a.id, id_orders: order.id, id_orders_earned: order.id, add_point: 5_000, remaining_point: 5_000, usecase: 'webhook-midtrans', expired_date: new Date(Date.now() + 30 * 86_400_000) },
      });
      await t.app.db.userPointBalance.update({ where: { id_users: a.id }, data: { balance: { increment: 5_000 } } });
      return { id: row.id, marker: code, refs: { order: order.id, code } };
    },
    attempts: (id, a, _b, r) => [
      { method: 'get', path: `/user_points/${id}`, expect: 'denied' },
      { method: 'put', path: `/user_points/${id}/update`, body: { add_point: 1 }, expect: 'denied' },
      { method: 'delete', path: `/user_points/${id}/delete`, expect: 'denied' },
      // no such route (points are earned and spent by orders): 405 to everyone, as /user_points/:id is GET
      { method: 'post', path: '/user_points/create', body: { id_users: a.id, add_point: 1_000_000 }, expect: 'refused' },
      { method: 'post', path: '/user_points/explore', body: { id_users: a.id }, expect: 'no-leak' },
      { method: 'post', path: '/user_points/search', body: { id_orders: r.order }, expect: 'no-leak' },
      { method: 'post', path: '/user_points/table', body: { draw: 1, start: 0, length: 100, id_users: a.id }, expect: 'no-leak' },
      { method: 'post', path: '/user_points/table', body: { draw: 1, start: 0, length: 100, search: { value: r.code } }, expect: 'no-leak' },
      { method: 'get', path: '/users/data', expect: 'no-leak' },
      { method: 'get', path: '/users/data/export', expect: 'no-leak' },
    ],
    snapshot: async (t, _id, a) => ({
      rows: await t.app.db.userPoint.findMany({ where: { id_users: a.id }, orderBy: { id: 'asc' } }),
      balance: await t.app.db.userPointBalance.findUnique({ where: { id_users: a.id } }),
    }),
  },
  {
    resource: 'ratings (and rating A’s orders)',
    create: async (t, a) => {
      const marker = `rating-of-a-${a.id}-qz`;
      const db = t.app.db;
      const p = await patientOf(t, a);
      const done = { order_type: 'E', id_member: a.id, id_patients: p.id, status: 'DONE', cart_open: null, is_paid: 1, is_done: 1 };
      const rated = await db.order.create({ data: { ...done, order_code: orderCode('RA', a), ratings: 5, rating_desc: marker } });
      const row = await db.rating.create({ data: { id_orders: rated.id, id_users: a.id, ratings: 5, rating_desc: marker } });
      const unrated = await db.order.create({ data: { ...done, order_code: orderCode('RB', a) } });
      return { id: row.id, marker, refs: { rated: rated.id, unrated: unrated.id } };
    },
    attempts: (id, a, _b, r) => [
      { method: 'get', path: `/ratings/${id}`, expect: 'denied' },
      { method: 'put', path: `/ratings/${id}/update`, body: { ratings: 1, rating_desc: 'Hacked' }, expect: 'denied' },
      { method: 'post', path: `/ratings/${id}/update`, body: { ratings: 1 }, expect: 'denied' },
      { method: 'delete', path: `/ratings/${id}/delete`, expect: 'denied' },
      { method: 'post', path: '/ratings/create', body: { id_orders: r.unrated, ratings: 1, rating_desc: 'Hacked' }, expect: 'denied' },
      { method: 'post', path: '/ratings/create', body: { id_orders: r.rated, ratings: 1, id_users: a.id }, expect: 'denied' },
      { method: 'post', path: '/ratings/explore', body: { id_users: a.id }, expect: 'no-leak' },
      { method: 'post', path: '/ratings/explore', body: { id_orders: r.rated }, expect: 'no-leak' },
      { method: 'post', path: '/ratings/search', body: { ratings: 5 }, expect: 'no-leak' },
      { method: 'post', path: '/ratings/table', body: { draw: 1, start: 0, length: 100, id_users: a.id }, expect: 'no-leak' },
      { method: 'post', path: '/ratings/table', body: { draw: 1, start: 0, length: 100, search: { value: 'rating-of-a' } }, expect: 'no-leak' },
    ],
    snapshot: async (t, _id, a) => ({
      ratings: await t.app.db.rating.findMany({ where: { order: { id_member: a.id } }, orderBy: { id: 'asc' } }),
      orders: await t.app.db.order.findMany({ where: { id_member: a.id }, orderBy: { id: 'asc' } }),
    }),
  },
  {
    resource: 'shipping on A’s order (address, courier, quotes)',
    create: async (t, a) => {
      const marker = `shipping-address-of-a-${a.id}-qz`;
      const db = t.app.db;
      const product = await createProduct(t);
      const p = await patientOf(t, a);
      const cart = await db.order.create({
        data: {
          order_type: 'E', id_member: a.id, id_patients: p.id, alamat_kirim: marker, kode_provinsi: '9', kode_kota: '23', kode_kecamatan: '349', lat_kirim: -6.9, lng_kirim: 107.6,
          courier: 'jne', courier_service: 'REG', courier_price: 20_000, is_courier: 1, total_price: 100_000, grand_totals: 120_000,
          items: { create: { id_menu: product.id, qty: 1, price: 100_000, price_total: 100_000 } },
        },
      });
      await db.courierQuote.create({
        data: { id_orders: cart.id, courier: 'jne', service: 'YES', cost: 1_000, weight: 200, origin: '1376', destination: '349', expires_at: new Date(Date.now() + 3600_000) },
      });
      return { id: cart.id, marker };
    },
    attempts: (id) => [
      { method: 'put', path: `/orders/${id}/update/address`, body: { kode_provinsi: 9, kode_kota: 23, kode_kecamatan: 330, alamat_kirim: 'Hacked', lat_kirim: -6.2, lng_kirim: 106.8 }, expect: 'denied' },
      { method: 'put', path: `/orders/${id}/process/courier`, body: { courier: 'jne', costs: 1_000, service: 'YES' }, expect: 'denied' },
      { method: 'put', path: `/orders/${id}/process/sameday/courier`, body: { lat_kirim: -6.2, lng_kirim: 106.8 }, expect: 'denied' },
      { method: 'put', path: `/orders/${id}/unprocess/courier`, expect: 'denied' },
      { method: 'post', path: '/deliveries/calculate', body: { id_order: id, courier: 'jne' }, expect: 'denied' },
      { method: 'post', path: '/deliveries/calculate', body: { id_order: id, courier: 'jne', city_id_destination: 330 }, expect: 'denied' },
    ],
    snapshot: async (t, id) => t.app.db.order.findUnique({ where: { id }, include: { courierQuotes: { orderBy: { id: 'asc' } } } }),
  },
];
