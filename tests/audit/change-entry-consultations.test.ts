import { generateKeyPairSync } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clinicDay } from '../../src/lib/dates.js';
import { createTestApp, PNG_1PX, type TestApp, type TestUser } from '../helpers/app.js';
import { breakAuditLog, repairAuditLog, entryOf, lastSeq, logsAfter, REFUSED } from '../helpers/audit-log.js';
import { createMenu } from '../consultations/fixtures.js';

// The generic audit entry of a change the route machinery audits (staff, or anyone on a
// role-restricted route, or a doctor cancelling or moving an appointment: register.ts staffChange) is
// written in the change's own transaction, for
// the consultation, booking, notification and prescription-request routes too: when it cannot be
// written, nothing of the change stays, and no notification or push is queued for it.

let t: TestApp;
let admin: TestUser;
let customer: TestUser;
let doctor: TestUser;
let patientId: number;
let slot: { id: number; id_doctors: number; id_services: number; hari: string; jam: Date; jam_selesai: Date };

beforeAll(async () => {
  // FCM configured (never reached: no background job runs here), so that notifications queue pushes
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  t = await createTestApp({
    BOOKING_AVAILABILITY_DAYS: '90', // the doctor's moves go to Mondays after those the cases used before
    FCM_PROJECT_ID: 'colederma-test',
    FCM_CLIENT_EMAIL: 'fcm@colederma-test.iam.gserviceaccount.com',
    FCM_PRIVATE_KEY: privateKey,
    FCM_TOKEN_URL: 'http://127.0.0.1:9/token',
    FCM_API_URL: 'http://127.0.0.1:9',
  });
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
  doctor = await t.user(['DOCTOR']);
  for (const u of [admin, customer, doctor]) await t.app.db.userDeviceToken.create({ data: { device_token: `phone-of-${u.id}`, id_users: u.id } });
  patientId = (await t.app.db.patient.create({ data: { id_users: customer.id, nama_lengkap_pasien: 'Rita Ambar' } })).id;
  const service = await t.app.db.service.create({ data: { services_name: 'Facial', buffer_time: 30 } });
  const doctorRow = await t.app.db.doctor.create({ data: { id_users: doctor.id, is_active: 1 } });
  const ds = await t.app.db.doctorService.create({ data: { id_doctors: doctorRow.id, id_services: service.id, is_active: 1 } });
  slot = await t.app.db.doctorSchedule.create({
    data: { id_doctors: doctorRow.id, id_doctor_services: ds.id, id_services: service.id, hari: 'Senin', jam: new Date('1970-01-01T09:00:00Z'), jam_selesai: new Date('1970-01-01T09:30:00Z') },
  });
});
afterAll(() => t.close());

afterEach(() => repairAuditLog(t));

/** Every table these routes write, row by row, and the stored message files. */
const TABLES = ['threads', 'thread_messages', 'notifications', 'push_deliveries', 'user_schedules', 'prescription_requests', 'menu_reedems', 'orders', 'order_items', 'logs'];
async function state() {
  const rows = await Promise.all(TABLES.map((table) => t.app.db.$queryRawUnsafe(`SELECT * FROM ${table} ORDER BY id`)));
  const files = await readdir(path.join(t.app.config.PRIVATE_UPLOAD_DIR, 'thread_messages')).catch(() => []);
  return { ...Object.fromEntries(TABLES.map((table, i) => [table, rows[i]])), files };
}

const send = (method: 'post' | 'put' | 'delete', url: string, by: TestUser, body: object = {}) =>
  t.http[method](url).set(t.auth(by)).set('User-Agent', 'audit-test/1').send(body);

// ---- fixtures

async function thread(fields: Record<string, unknown> = {}) {
  return t.app.db.thread.create({
    data: { thread_type: 'online_consultations', id_user_from: customer.id, id_user_to: doctor.id, id_patients: patientId, estimate_done_at: new Date(Date.now() + 86_400_000), ...fields },
  });
}
let weeks = 0;
/** the next Monday not used yet by this file (one booking per slot and date) */
function nextMonday() {
  const today = clinicDay(new Date());
  const toMonday = (8 - today.getUTCDay()) % 7 || 7;
  return new Date(today.getTime() + (toMonday + 7 * weeks++) * 86_400_000);
}
const dmy = (d: Date) => d.toISOString().slice(0, 10);
/** the customer's booking below: the first Monday, within the days a customer may book */
const customerMonday = nextMonday();
async function appointment(fields: Record<string, unknown> = {}) {
  return t.app.db.userSchedule.create({
    data: {
      id_doctors: slot.id_doctors,
      id_services: slot.id_services,
      id_doctor_schedules: slot.id,
      id_users: customer.id,
      id_patients: patientId,
      hari: 'Senin',
      tanggal: nextMonday(),
      jam: slot.jam,
      jam_selesai: slot.jam_selesai,
      ...fields,
    },
  });
}
const notification = (to: TestUser) => t.app.db.notification.create({ data: { id_user_to: to.id, intentions: 'test', title: 'Halo', content: 'Halo' } });

// ---- the routes: how to make a fresh change, and the entry it has

interface Case {
  /** what the change answers with a working log */
  call: () => Promise<{ status: number; body: any }>;
  by: TestUser;
  action: string;
  resource: string;
  /** the entry's resource id (read from the successful answer for a create) */
  id: number | null | ((body: any) => number);
}

const CASES: [name: string, setup: () => Promise<Case>][] = [
  [
    'threads/:id/close (admin)',
    async () => {
      const { id } = await thread();
      return { call: () => send('put', `/threads/${id}/close`, admin), by: admin, action: 'PUT /threads/:id/close', resource: 'threads', id };
    },
  ],
  [
    "threads/:id/close (the thread's doctor: a role-restricted route)",
    async () => {
      const { id } = await thread();
      return { call: () => send('post', `/threads/${id}/close`, doctor), by: doctor, action: 'POST /threads/:id/close', resource: 'threads', id };
    },
  ],
  [
    'threads/:id/reopen (admin)',
    async () => {
      const { id } = await thread({ is_closed: 1, closed_at: new Date() });
      return { call: () => send('put', `/threads/${id}/reopen`, admin), by: admin, action: 'PUT /threads/:id/reopen', resource: 'threads', id };
    },
  ],
  [
    'thread_messages/text (admin; the customer is notified)',
    async () => {
      const { id } = await thread();
      return {
        call: () => send('post', '/thread_messages/text', admin, { id_threads: id, content: 'Jadwal kontrol besok' }),
        by: admin,
        action: 'POST /thread_messages/text',
        resource: 'thread_messages',
        id: (body) => body.thread_messages.id,
      };
    },
  ],
  [
    'thread_messages/image (admin; the stored file is removed again)',
    async () => {
      const { id } = await thread();
      return {
        call: () => t.http.post('/thread_messages/image').set(t.auth(admin)).set('User-Agent', 'audit-test/1').field('id_threads', String(id)).attach('image', PNG_1PX, 'kulit.png'),
        by: admin,
        action: 'POST /thread_messages/image',
        resource: 'thread_messages',
        id: (body) => body.thread_messages.id,
      };
    },
  ],
  [
    'thread_messages/prescriptions (the doctor: a role-restricted route)',
    async () => {
      const { id } = await thread();
      const menu = await createMenu(t);
      return {
        call: () => send('post', '/thread_messages/prescriptions', doctor, { id_threads: id, id_menu: menu.id, qty: 2 }),
        by: doctor,
        action: 'POST /thread_messages/prescriptions',
        resource: 'thread_messages',
        id: (body) => body.thread_messages.id,
      };
    },
  ],
  [
    'thread_messages/:id/update_text (admin, their own message)',
    async () => {
      const { id: threadId } = await thread();
      const { id } = await t.app.db.threadMessage.create({ data: { id_threads: threadId, id_user_from: admin.id, id_user_to: customer.id, content_type: 'text', content: 'Halo' } });
      return {
        call: () => send('put', `/thread_messages/${id}/update_text`, admin, { content: 'Halo, Bu' }),
        by: admin,
        action: 'PUT /thread_messages/:id/update_text',
        resource: 'thread_messages',
        id,
      };
    },
  ],
  [
    'user_schedules/create (admin; customer and doctor are notified)',
    async () => {
      const tanggal = dmy(nextMonday());
      return {
        call: () => send('post', '/user_schedules/create', admin, { id_doctor_schedules: slot.id, tanggal, id_patients: patientId }),
        by: admin,
        action: 'POST /user_schedules/create',
        resource: 'user_schedules',
        id: (body) => body.user_schedules.id,
      };
    },
  ],
  ...(['reschedule', 'update'] as const).map(
    (name): [string, () => Promise<Case>] => [
      `user_schedules/:id/${name} (admin)`,
      async () => {
        const { id } = await appointment();
        const tanggal = dmy(nextMonday());
        return { call: () => send('put', `/user_schedules/${id}/${name}`, admin, { id_doctor_schedules: slot.id, tanggal }), by: admin, action: `PUT /user_schedules/:id/${name}`, resource: 'user_schedules', id };
      },
    ],
  ),
  [
    'user_schedules/:id/cancel (admin)',
    async () => {
      const { id } = await appointment();
      return { call: () => send('put', `/user_schedules/${id}/cancel`, admin, { cancel_reason: 'dokter cuti' }), by: admin, action: 'PUT /user_schedules/:id/cancel', resource: 'user_schedules', id };
    },
  ],
  ...(['reschedule', 'update'] as const).map(
    (name): [string, () => Promise<Case>] => [
      `user_schedules/:id/${name} (the appointment's doctor, through the customers' route: audited as staff)`,
      async () => {
        const { id } = await appointment();
        const tanggal = dmy(nextMonday());
        return { call: () => send('post', `/user_schedules/${id}/${name}`, doctor, { id_doctor_schedules: slot.id, tanggal }), by: doctor, action: `POST /user_schedules/:id/${name}`, resource: 'user_schedules', id };
      },
    ],
  ),
  [
    "user_schedules/:id/cancel (the appointment's doctor, through the customers' route: audited as staff)",
    async () => {
      const { id } = await appointment();
      return { call: () => send('put', `/user_schedules/${id}/cancel`, doctor, { cancel_reason: 'dokter cuti' }), by: doctor, action: 'PUT /user_schedules/:id/cancel', resource: 'user_schedules', id };
    },
  ],
  [
    "user_schedules/:id/arrived (the appointment's doctor: a role-restricted route)",
    async () => {
      const { id } = await appointment({ tanggal: clinicDay(new Date()) });
      return { call: () => send('put', `/user_schedules/${id}/arrived`, doctor), by: doctor, action: 'PUT /user_schedules/:id/arrived', resource: 'user_schedules', id };
    },
  ],
  [
    'user_schedules/:id/done (admin)',
    async () => {
      const { id } = await appointment({ status: 'ARRIVED' });
      return { call: () => send('post', `/user_schedules/${id}/done`, admin, { digisoft_invoice_numbers: 'INV-1' }), by: admin, action: 'POST /user_schedules/:id/done', resource: 'user_schedules', id };
    },
  ],
  [
    'user_schedules/:id/delete (admin; a booked appointment: its customer and doctor are told)',
    async () => {
      const { id } = await appointment();
      return { call: () => send('delete', `/user_schedules/${id}/delete`, admin), by: admin, action: 'DELETE /user_schedules/:id/delete', resource: 'user_schedules', id };
    },
  ],
  [
    'notifications/:id/mark/as/read (admin, their own)',
    async () => {
      const { id } = await notification(admin);
      return { call: () => send('put', `/notifications/${id}/mark/as/read`, admin), by: admin, action: 'PUT /notifications/:id/mark/as/read', resource: 'notifications', id };
    },
  ],
  [
    'notifications/mark/all (admin)',
    async () => {
      await notification(admin);
      await notification(admin);
      return { call: () => send('post', '/notifications/mark/all', admin), by: admin, action: 'POST /notifications/mark/all', resource: 'notifications', id: null };
    },
  ],
  [
    'menus/prescriptions/requests (admin; doctors and staff are notified, a thread opens)',
    async () => {
      const menu = await createMenu(t);
      return { call: () => send('post', '/menus/prescriptions/requests', admin, { id_menu: menu.id }), by: admin, action: 'POST /menus/prescriptions/requests', resource: 'menus', id: null };
    },
  ],
  [
    'menu_reedems/add_to_carts (the customer: a role-restricted route)',
    async () => {
      const { id: threadId } = await thread();
      const menu = await createMenu(t);
      await t.app.db.threadMessage.create({
        data: { id_threads: threadId, id_user_from: doctor.id, id_user_to: customer.id, content_type: 'prescriptions', content: menu.nama_menus, id_menu: menu.id, qty: 1, valid_until: new Date(Date.now() + 86_400_000) },
      });
      return {
        call: () => send('post', '/menu_reedems/add_to_carts', customer, { id_threads: threadId, id_menu: menu.id }),
        by: customer,
        action: 'POST /menu_reedems/add_to_carts',
        resource: 'menu_reedems',
        id: null,
      };
    },
  ],
];

describe('an audited change whose entry cannot be written is not made; with the log working it has one entry', () => {
  it.each(CASES)('%s', async (_name, setup) => {
    const c = await setup();
    const before = await state();
    await breakAuditLog(t);
    const res = await c.call();
    expect(res.status).toBe(500);
    expect(res.body).toEqual(REFUSED);
    // nothing of the change, no notification and no push queued for it, no file kept
    expect(await state()).toEqual(before);

    await repairAuditLog(t);
    const from = await lastSeq(t);
    const ok = await c.call();
    expect(ok.status).toBe(200);
    const id = typeof c.id === 'function' ? c.id(ok.body) : c.id;
    expect(await logsAfter(t, from)).toEqual([expect.objectContaining(entryOf(c.action, c.resource, id, c.by))]);
  });
});

describe('changes the machinery does not audit (customers and doctors on routes open to every signed-in user) are made as before', () => {
  it('with the log broken: a message, a booking, its cancellation, a prescription request, notifications marked read', async () => {
    const { id: threadId } = await thread();
    const { id: noteId } = await notification(customer);
    await notification(customer);
    const menu = await createMenu(t);
    const from = await lastSeq(t);
    const pushes = await t.app.db.pushDelivery.count();
    await breakAuditLog(t);

    await send('post', '/thread_messages/text', customer, { id_threads: threadId, content: 'Dok, masih gatal' }).expect(200);
    await send('post', '/thread_messages/text', doctor, { id_threads: threadId, content: 'Oleskan tipis' }).expect(200);
    expect(await t.app.db.threadMessage.count({ where: { id_threads: threadId } })).toBe(2);
    const booked = await send('post', '/user_schedules/create', customer, { id_doctor_schedules: slot.id, tanggal: dmy(customerMonday), id_patients: patientId }).expect(200);
    await send('put', `/user_schedules/${booked.body.user_schedules.id}/cancel`, customer, { cancel_reason: 'sakit' }).expect(200);
    expect(await t.app.db.userSchedule.findUniqueOrThrow({ where: { id: booked.body.user_schedules.id } })).toMatchObject({ status: 'CANCEL' });
    await send('post', '/menus/prescriptions/requests', customer, { id_menu: menu.id }).expect(200);
    expect(await t.app.db.prescriptionRequest.count({ where: { id_users: customer.id, id_menu: menu.id } })).toBe(1);
    await send('put', `/notifications/${noteId}/mark/as/read`, customer).expect(200);
    await send('put', '/notifications/mark/all', customer).expect(200);
    expect(await t.app.db.notification.count({ where: { id_user_to: customer.id, is_read: 0 } })).toBe(0);
    // messages, booking, cancellation and request told the other side, with their pushes
    expect(await t.app.db.pushDelivery.count()).toBeGreaterThan(pushes + 4);
    expect(await logsAfter(t, from)).toEqual([]);
  });
});
