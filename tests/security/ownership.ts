import type { Method } from '../../src/http/route.js';
import type { TestApp, TestUser } from '../helpers/app.js';
import { audit } from '../../src/modules/audit/audit.service.js';
import { formatDate } from '../../src/lib/dates.js';
import { PNG_1PX } from '../helpers/app.js';
import { appointment, bookableSlot, createMenu } from './fixtures.js';

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
  /** denied (403/404) — or allowed but scoped to B, so it must not leak A's marker */
  expect: 'denied' | 'no-leak';
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
      { method: 'put', path: `/users/${id}/update/password/admin`, body: { new_password: 'hacked-123', new_password_confirm: 'hacked-123' }, expect: 'denied' },
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
      return { id: row.id, marker, refs: { patient: p.id, free: free.slot.id, tanggal: free.tanggal, doctor: slot.doctor.id, from: formatDate(new Date()), to: free.tanggal } };
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
        data: { id_threads: row.id, id_user_from: doctor.id, id_user_to: a.id, content_type: 'prescriptions', content: menu.nama_menus, id_menu: menu.id, qty: 1, valid_until: new Date(Date.now() + 86_400_000) },
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
        data: { id_threads: thread.id, id_user_from: doctor.id, id_user_to: a.id, content_type: 'prescriptions', content: menu.nama_menus, id_menu: menu.id, qty: 2, valid_until: later },
      });
      const cart = await db.order.create({ data: { order_type: 'E', id_member: a.id, id_patients: p.id } });
      // B's own consultation with a prescription of the same product
      const bPatient = await db.patient.create({ data: { id_users: b.id, nama_lengkap_pasien: 'Pasien B' } });
      const bThread = await db.thread.create({ data: { id_user_from: b.id, id_user_to: doctor.id, id_patients: bPatient.id, estimate_done_at: later } });
      await db.threadMessage.create({
        data: { id_threads: bThread.id, id_user_from: doctor.id, id_user_to: b.id, content_type: 'prescriptions', content: menu.nama_menus, id_menu: menu.id, qty: 1, valid_until: later },
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
];
