import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emit } from '../../src/lib/events.js';
import { deliverPendingPushes, notify, PUSH_MAX_ATTEMPTS, sendAppointmentReminders } from '../../src/modules/notifications/notifications.service.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { consultationFixture } from '../consultations/fixtures.js';
import { startFakeFcm } from './fake-fcm.js';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const clientEmail = 'firebase-adminsdk@colederma-test.iam.gserviceaccount.com';
let fcm: Awaited<ReturnType<typeof startFakeFcm>>;
let t: TestApp;
let f: Awaited<ReturnType<typeof consultationFixture>>;
let admin: TestUser;
let stranger: TestUser;
const realNow = () => new Date();
const FCM_SLOW_MS = 1500; // the fake FCM answers a slow-* token after this long

beforeAll(async () => {
  fcm = await startFakeFcm({ publicKey, clientEmail, projectId: 'colederma-test', flakyFailures: 2, slowMs: FCM_SLOW_MS });
  t = await createTestApp({
    FCM_PROJECT_ID: 'colederma-test',
    FCM_CLIENT_EMAIL: clientEmail,
    FCM_PRIVATE_KEY: privateKey.replace(/\n/g, '\\n'), // as pasted into .env
    FCM_TOKEN_URL: `${fcm.url}/token`,
    FCM_API_URL: fcm.url,
  });
  f = await consultationFixture(t);
  admin = await t.user(['ADMIN']);
  stranger = await t.user(['CUSTOMER']);
});
afterAll(async () => {
  await t.close();
  await fcm.close();
});

const tx = <T>(run: (tx: any) => Promise<T>) => t.app.db.$transaction(run);

describe('domain events become stored notifications', () => {
  it('orders: paid, shipped (with nomor_resi), cancelled → the customer', async () => {
    await tx((x) => emit(t.app, 'order.paid', { orderId: f.order.id }, x));
    await tx((x) => emit(t.app, 'order.shipped', { orderId: f.order.id, nomor_resi: 'JNE123456' }, x));
    await tx((x) => emit(t.app, 'order.cancelled', { orderId: f.order.id, reason: 'stok habis' }, x));
    const notes = await t.app.db.notification.findMany({ where: { id_user_to: f.customer.id, reference_type: 'orders' }, orderBy: { id: 'asc' } });
    expect(notes.map((n) => n.intentions)).toEqual(['order_paid', 'order_shipped', 'order_cancelled']);
    expect(notes[1]!.content).toContain('JNE123456');
    expect(notes[2]!.content).toContain('stok habis');
  });

  it('appointments → the customer and the doctor; medical record verified → the patient’s user', async () => {
    const service = await t.app.db.service.create({ data: { services_name: 'Konsultasi' } });
    const ds = await t.app.db.doctorService.create({ data: { id_doctors: f.doctorRow.id, id_services: service.id } });
    const jam = new Date('1970-01-01T09:00:00Z');
    const slot = await t.app.db.doctorSchedule.create({
      data: { id_doctors: f.doctorRow.id, id_doctor_services: ds.id, id_services: service.id, hari: 'Senin', jam, jam_selesai: new Date('1970-01-01T09:30:00Z') },
    });
    const appt = await t.app.db.userSchedule.create({
      data: {
        id_doctors: f.doctorRow.id, id_services: service.id, id_doctor_schedules: slot.id, id_users: f.customer.id, id_patients: f.patient.id,
        hari: 'Senin', tanggal: new Date('2026-12-07'), jam, jam_selesai: slot.jam_selesai,
      },
    });
    for (const e of ['appointment.booked', 'appointment.rescheduled', 'appointment.cancelled'] as const) await tx((x) => emit(t.app, e, { appointmentId: appt.id }, x));
    const notes = await t.app.db.notification.findMany({ where: { reference_type: 'user_schedules', reference_id: appt.id } });
    expect(notes).toHaveLength(6);
    expect(new Set(notes.map((n) => n.id_user_to))).toEqual(new Set([f.customer.id, f.doctor.id]));
    expect(notes.find((n) => n.id_user_to === f.customer.id && n.intentions === 'appointment_booked')!.content).toContain('2026-12-07 09:00');

    // the day before (Asia/Jakarta), one reminder however often or concurrently the job runs
    try {
      t.app.now = () => new Date('2026-12-05T23:00:00Z'); // 06:00 WIB on 6 December: before APPOINTMENT_REMINDER_HOUR (9)
      expect(await sendAppointmentReminders(t.app)).toBe(0);
      t.app.now = () => new Date('2026-12-06T02:00:00Z'); // 09:00 WIB on 6 December
      expect(await sendAppointmentReminders(t.app)).toBe(1);
      expect(await Promise.all([sendAppointmentReminders(t.app), sendAppointmentReminders(t.app)])).toEqual([0, 0]);
      t.app.now = () => new Date('2026-12-05T16:00:00Z'); // 23:00 WIB on 5 December: two days ahead
      expect(await sendAppointmentReminders(t.app)).toBe(0);
    } finally {
      t.app.now = realNow;
    }
    const reminders = await t.app.db.notification.findMany({ where: { intentions: 'appointment_reminder' } });
    expect(reminders).toHaveLength(1);
    expect(reminders[0]).toMatchObject({ id_user_to: f.customer.id, reference_id: appt.id });
    expect(reminders[0]!.content).toContain('2026-12-07 09:00');

    const record = await t.app.db.patientRekamMedis.create({ data: { id_patients: f.patient.id, tanggal_konsul: new Date('2026-11-20'), is_verified: 1 } });
    await tx((x) => emit(t.app, 'medical_record.verified', { recordId: record.id, patientId: f.patient.id }, x));
    expect(await t.app.db.notification.count({ where: { id_user_to: f.customer.id, intentions: 'medical_record_verified' } })).toBe(1);
  });

  it('a prescription request reaches every doctor and admin, not customers', async () => {
    const menu = await t.app.db.menu.create({ data: { nama_menus: 'Serum', harga: 250000, is_resep_required: 1 } });
    await tx((x) => emit(t.app, 'prescription.requested', { requestId: 77, userId: f.customer.id, menuId: menu.id }, x));
    const to = (await t.app.db.notification.findMany({ where: { intentions: 'prescription_requested' } })).map((n) => n.id_user_to);
    expect(to).toEqual(expect.arrayContaining([f.doctor.id, admin.id]));
    expect(to).not.toContain(f.customer.id);
    expect(to).not.toContain(stranger.id);
  });
});

describe('notifications endpoints', () => {
  it("a doctor sees a requesting customer's name and picture, not their e-mail, phone, address or birthday", async () => {
    const requester = await t.user(['CUSTOMER'], { users_address: 'Jl. Rahasia 1', users_birthday: new Date('1990-01-01'), users_picture: 'wajah.png' });
    const menu = await t.app.db.menu.create({ data: { nama_menus: 'Krim Malam', harga: 150000, is_resep_required: 1 } });
    expect((await t.http.post('/menus/prescriptions/requests').set(t.auth(requester)).send({ id_menu: menu.id })).status).toBe(200);
    const blank = { users_email: '', users_phone: '', users_address: '', users_birthday: null };
    const forDoctor = await t.app.db.notification.findFirstOrThrow({ where: { id_user_to: f.doctor.id, id_user_from: requester.id, intentions: 'prescription_requested' } });
    const seen = await t.http.get(`/notifications/${forDoctor.id}`).set(t.auth(f.doctor));
    expect(seen.status).toBe(200);
    expect(seen.body.notifications.user_from).toMatchObject({ id: requester.id, username: requester.username, users_fullname: `Test ${requester.username}`, users_picture: 'wajah.png', ...blank });
    // the recipient's own account stays whole
    expect(seen.body.notifications.user_to).toMatchObject({ id: f.doctor.id, users_email: `${f.doctor.username}@example.com` });
    // staff see the whole account
    const forAdmin = await t.app.db.notification.findFirstOrThrow({ where: { id_user_to: admin.id, id_user_from: requester.id, intentions: 'prescription_requested' } });
    const staff = await t.http.get(`/notifications/${forDoctor.id}`).set(t.auth(admin));
    expect(staff.body.notifications.user_from).toMatchObject({ users_email: `${requester.username}@example.com`, users_address: 'Jl. Rahasia 1', users_birthday: '1990-01-01' });
    expect((await t.http.get(`/notifications/${forAdmin.id}`).set(t.auth(admin))).body.notifications.user_from.users_address).toBe('Jl. Rahasia 1');
  });

  it('explore/search/table show only your own; admins see all', async () => {
    const mine = await t.http.post('/notifications/explore?page=1&length=5').set(t.auth(f.customer)).send({});
    expect(mine.status).toBe(200);
    expect(mine.body.totaldata).toBeGreaterThan(3);
    expect(mine.body.data[0]).toMatchObject({ id_user_to: f.customer.id, id_user_from: 0, priority: 'Low', is_read: 0 });
    expect(Object.keys(mine.body.data[0])).toEqual(expect.arrayContaining(['id', 'created', 'intentions', 'id_user_from', 'id_user_to', 'title', 'content', 'priority', 'labels', 'is_read', 'url', 'remark']));
    // asking for someone else's id_user_to still returns only your own (none)
    const peek = await t.http.post('/notifications/search').set(t.auth(stranger)).send({ id_user_to: f.customer.id });
    expect(peek.body.notifications).toEqual([]);
    const all = await t.http.post('/notifications/search').set(t.auth(admin)).send({ id_user_to: f.customer.id, is_read: 0 });
    expect(all.body.notifications.length).toBe(mine.body.totaldata);
    const table = await t.http.post('/notifications/table').set(t.auth(f.customer)).send({ draw: 1, start: 0, length: 2 });
    expect(table.body.recordsTotal).toBe(mine.body.totaldata);
    expect(table.body.data[0]).toHaveLength(11);
    const id = mine.body.data[0].id;
    const one = await t.http.get(`/notifications/${id}`).set(t.auth(f.customer));
    expect(one.body.notifications).toMatchObject({ id, user_to: { id: f.customer.id }, user_from: { id: null } });
    expect((await t.http.get(`/notifications/${id}`).set(t.auth(stranger))).status).toBe(404);
  });

  it('marks one and all as read, own only; users/data counts them', async () => {
    const before = await t.http.get('/users/data').set(t.auth(f.customer));
    const total = before.body.users.notifications.notifications;
    expect(before.body.users.notifications).toEqual({ notifications: total, unread: total, isread: 0 });
    expect(before.body.users.threads.map((x: { id_order: number }) => x.id_order)).toEqual([f.order.id]);
    const first = await t.app.db.notification.findFirstOrThrow({ where: { id_user_to: f.customer.id } });
    expect((await t.http.put(`/notifications/${first.id}/mark/as/read`).set(t.auth(stranger))).status).toBe(404);
    expect((await t.http.put(`/notifications/${first.id}/mark/as/read`).set(t.auth(admin))).status).toBe(404);
    expect((await t.http.put(`/notifications/${first.id}/mark/as/read`).set(t.auth(f.customer))).body).toEqual({ mark_as_read: true });
    const mid = await t.http.get('/users/data').set(t.auth(f.customer));
    expect(mid.body.users.notifications).toEqual({ notifications: total, unread: total - 1, isread: 1 });
    expect((await t.http.put('/notifications/mark/all').set(t.auth(stranger)).send({ id_users: f.customer.id })).status).toBe(404);
    expect((await t.http.put('/notifications/mark/all').set(t.auth(f.customer)).send({ id_users: f.customer.id })).body).toEqual({ mark_all: true });
    const after = await t.http.get('/users/data').set(t.auth(f.customer));
    expect(after.body.users.notifications).toEqual({ notifications: total, unread: 0, isread: total });
    expect(await t.app.db.notification.count({ where: { id_user_to: admin.id, is_read: 1 } })).toBe(0);
  });

  it('users/data lists the user’s active threads', async () => {
    const thread = await t.app.db.thread.findFirstOrThrow({ where: { id_order: f.order.id } });
    await t.app.db.thread.update({ where: { id: thread.id }, data: { estimate_done_at: new Date(Date.now() + 3600_000), is_closed: 0 } });
    const res = await t.http.get('/users/data').set(t.auth(f.doctor));
    expect(res.body.users.threads.map((x: { id: number }) => x.id)).toEqual([thread.id]);
  });
});

describe('push through FCM HTTP v1', () => {
  it('queues one delivery per device, sends with an OAuth2 token, drops dead tokens, retries with backoff', async () => {
    const reg = (u: TestUser, token: string) => t.http.post('/users/register_device_token').set(t.auth(u)).send({ device_token: token });
    expect((await reg(f.customer, 'ok-phone-0001')).status).toBe(200);
    await reg(f.customer, 'dead-tablet-0001');
    await reg(f.customer, 'flaky-phone-0002');
    await reg(f.doctor, 'bad-doctor-0001');
    // the request that causes the notification succeeds whatever the push service does
    const res = await t.http.post('/thread_messages/text').set(t.auth(f.doctor)).send({ id_threads: (await t.app.db.thread.findFirstOrThrow({ where: { id_order: f.order.id } })).id, content: 'Hasil lab sudah ada' });
    expect(res.status).toBe(200);
    const note = await t.app.db.notification.findFirstOrThrow({ where: { intentions: 'new_message', id_user_to: f.customer.id } });
    const queued = await t.app.db.pushDelivery.findMany({ where: { id_notifications: note.id } });
    expect(queued.map((q) => q.device_token).sort()).toEqual(['dead-tablet-0001', 'flaky-phone-0002', 'ok-phone-0001']);

    expect(await deliverPendingPushes(t.app)).toBe(3);
    expect(fcm.sent.map((s) => s.token)).toEqual(['ok-phone-0001']);
    expect(fcm.sent[0]).toMatchObject({ title: 'Pesan baru', data: { intentions: 'new_message', reference_type: 'threads' } });
    const rows = new Map((await t.app.db.pushDelivery.findMany({ where: { id_notifications: note.id } })).map((r) => [r.device_token, r]));
    expect(rows.get('ok-phone-0001')).toMatchObject({ status: 'SENT', attempts: 1 });
    expect(rows.get('dead-tablet-0001')).toMatchObject({ status: 'INVALID' });
    expect(rows.get('flaky-phone-0002')).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(rows.get('flaky-phone-0002')!.last_error).toContain('UNAVAILABLE');
    expect(await t.app.db.userDeviceToken.count({ where: { device_token: 'dead-tablet-0001' } })).toBe(0);
    expect(await t.app.db.userDeviceToken.count({ where: { id_users: f.customer.id } })).toBe(2);

    // not due yet: nothing is sent
    expect(await deliverPendingPushes(t.app)).toBe(0);
    const flaky = rows.get('flaky-phone-0002')!;
    expect(flaky.next_attempt_at.getTime()).toBeGreaterThan(Date.now());
    try {
      t.app.now = () => new Date(Date.now() + 10 * 60_000);
      expect(await deliverPendingPushes(t.app)).toBe(1); // second failure
      t.app.now = () => new Date(Date.now() + 20 * 60_000);
      expect(await deliverPendingPushes(t.app)).toBe(1); // third attempt succeeds
    } finally {
      t.app.now = realNow;
    }
    expect(await t.app.db.pushDelivery.findUniqueOrThrow({ where: { id: flaky.id } })).toMatchObject({ status: 'SENT', attempts: 3 });
    expect(fcm.sent.map((s) => s.token)).toEqual(['ok-phone-0001', 'flaky-phone-0002']);
    // one access token, shared by parallel sends and reused while valid
    expect(fcm.tokenRequests.length).toBe(1);
    // once it expires a new one is fetched
    const later = await t.app.db.notification.create({ data: { id_user_to: f.customer.id, title: 'z', intentions: 'test' } });
    await t.app.db.pushDelivery.create({ data: { id_notifications: later.id, id_users: f.customer.id, device_token: 'ok-phone-0001' } });
    try {
      t.app.now = () => new Date(Date.now() + 2 * 60 * 60_000);
      expect(await deliverPendingPushes(t.app)).toBe(1);
    } finally {
      t.app.now = realNow;
    }
    expect(fcm.tokenRequests.length).toBe(2);
  });

  it('gives up after the maximum attempts, and an INVALID_ARGUMENT token is removed', async () => {
    const note = await t.app.db.notification.create({ data: { id_user_to: f.doctor.id, title: 'x', intentions: 'test' } });
    await t.app.db.pushDelivery.create({ data: { id_notifications: note.id, id_users: f.doctor.id, device_token: 'bad-doctor-0001' } });
    await t.app.db.userDeviceToken.create({ data: { device_token: 'flaky-never-0001', id_users: f.doctor.id } });
    const failing = await t.app.db.pushDelivery.create({
      data: { id_notifications: note.id, id_users: f.doctor.id, device_token: 'flaky-never-0001', attempts: PUSH_MAX_ATTEMPTS - 1 },
    });
    await deliverPendingPushes(t.app);
    expect(await t.app.db.userDeviceToken.count({ where: { device_token: 'bad-doctor-0001' } })).toBe(0);
    expect((await t.app.db.pushDelivery.findFirstOrThrow({ where: { id_notifications: note.id, device_token: 'bad-doctor-0001' } })).status).toBe('INVALID');
    expect(await t.app.db.pushDelivery.findUniqueOrThrow({ where: { id: failing.id } })).toMatchObject({ status: 'FAILED', attempts: PUSH_MAX_ATTEMPTS });
  });

  it('honours Retry-After: a push FCM answers 429 QUOTA_EXCEEDED with Retry-After: 600 is not tried again before 10 minutes', async () => {
    const u = await t.user(['CUSTOMER']);
    await t.app.db.userDeviceToken.create({ data: { device_token: 'busy-phone-0001', id_users: u.id } });
    const note = await t.app.db.notification.create({ data: { id_user_to: u.id, title: 'Pesan baru', intentions: 'test' } });
    const row = await t.app.db.pushDelivery.create({ data: { id_notifications: note.id, id_users: u.id, device_token: 'busy-phone-0001' } });
    const start = Date.now();
    expect(await deliverPendingPushes(t.app)).toBe(1);
    const after = await t.app.db.pushDelivery.findUniqueOrThrow({ where: { id: row.id } });
    expect(after).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(after.last_error).toContain('QUOTA_EXCEEDED');
    expect(after.next_attempt_at.getTime()).toBeGreaterThanOrEqual(start + 600_000);
    // five minutes later (past the 30 s back-off) it is still not due, the token is kept
    try {
      t.app.now = () => new Date(start + 5 * 60_000);
      expect(await deliverPendingPushes(t.app)).toBe(0);
    } finally {
      t.app.now = realNow;
    }
    expect(await t.app.db.userDeviceToken.count({ where: { device_token: 'busy-phone-0001' } })).toBe(1);
  });

  it('a message FCM refuses as a bad request (too big: INVALID_ARGUMENT with a BadRequest detail) keeps the token and is not retried', async () => {
    const u = await t.user(['CUSTOMER']);
    await t.app.db.userDeviceToken.create({ data: { device_token: 'ok-bigmsg-phone-01', id_users: u.id } });
    const note = await t.app.db.notification.create({ data: { id_user_to: u.id, title: 'Hasil lab', content: 'x'.repeat(5000), intentions: 'test' } });
    const row = await t.app.db.pushDelivery.create({ data: { id_notifications: note.id, id_users: u.id, device_token: 'ok-bigmsg-phone-01' } });
    expect(await deliverPendingPushes(t.app)).toBe(1);
    // the device is fine: it keeps receiving the user's other pushes
    expect(await t.app.db.userDeviceToken.count({ where: { device_token: 'ok-bigmsg-phone-01' } })).toBe(1);
    const after = await t.app.db.pushDelivery.findUniqueOrThrow({ where: { id: row.id } });
    expect(after).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(after.last_error).toContain('too big');
    const next = await t.app.db.notification.create({ data: { id_user_to: u.id, title: 'Pesan baru', intentions: 'test' } });
    await t.app.db.pushDelivery.create({ data: { id_notifications: next.id, id_users: u.id, device_token: 'ok-bigmsg-phone-01' } });
    expect(await deliverPendingPushes(t.app)).toBe(1);
    expect(fcm.sent.at(-1)).toMatchObject({ token: 'ok-bigmsg-phone-01', title: 'Pesan baru' });
  });

  it("never pushes a user's notification to a device that has since gone to another user", async () => {
    const reg = (u: TestUser, token: string) => t.http.post('/users/register_device_token').set(t.auth(u)).send({ device_token: token }).expect(200);
    const owner = await t.user(['CUSTOMER']);
    const next = await t.user(['CUSTOMER']);
    const tell = (u: TestUser, title: string) => tx((x) => notify(t.app, x, [{ id_user_to: u.id, intentions: 'test', title, content: 'Hasil biopsi sudah keluar' }]));
    await reg(owner, 'ok-shared-phone-01');
    await reg(owner, 'ok-shared-phone-02');
    await tell(owner, 'untuk pemilik lama');
    // another account signs in on the first device; the second passes to it without the API (a script, a restore)
    await reg(next, 'ok-shared-phone-01');
    await t.app.db.userDeviceToken.update({ where: { device_token: 'ok-shared-phone-02' }, data: { id_users: next.id } });
    await tell(next, 'untuk pemilik baru');
    const before = fcm.sent.length;
    await deliverPendingPushes(t.app);
    expect(fcm.sent.slice(before).map((s) => [s.token, s.title]).sort()).toEqual([
      ['ok-shared-phone-01', 'untuk pemilik baru'],
      ['ok-shared-phone-02', 'untuk pemilik baru'],
    ]);
    const old = await t.app.db.pushDelivery.findMany({ where: { id_users: owner.id }, orderBy: { device_token: 'asc' } });
    expect(old.map((d) => [d.device_token, d.status, d.attempts])).toEqual([
      ['ok-shared-phone-01', 'INVALID', 0],
      ['ok-shared-phone-02', 'INVALID', 0],
    ]);
  });

  it("a prescription request's push does not put the customer's name or the prescription product on a lock screen", async () => {
    const doctor = await t.user(['DOCTOR']);
    const requester = await t.user(['CUSTOMER'], { users_fullname: 'Ratna Kusuma' });
    await t.http.post('/users/register_device_token').set(t.auth(doctor)).send({ device_token: 'ok-lockscreen-doctor-01' }).expect(200);
    const menu = await t.app.db.menu.create({ data: { nama_menus: 'Isotretinoin 20 mg', harga: 450000, is_resep_required: 1 } });
    await tx((x) => emit(t.app, 'prescription.requested', { requestId: 91, userId: requester.id, menuId: menu.id }, x));
    const before = fcm.sent.length;
    await deliverPendingPushes(t.app);
    const push = fcm.sent.slice(before).find((s) => s.token === 'ok-lockscreen-doctor-01')!;
    expect(push).toMatchObject({ title: 'Permintaan resep', data: { intentions: 'prescription_requested', reference_type: 'prescription_requests' } });
    expect(JSON.stringify(push)).not.toMatch(/Isotretinoin|Ratna|Kusuma/);
    // the app still shows the request in full
    const stored = await t.app.db.notification.findFirstOrThrow({ where: { id_user_to: doctor.id, intentions: 'prescription_requested' } });
    expect(stored.content).toBe('Ratna Kusuma meminta resep untuk Isotretinoin 20 mg.');
  });

  it('two workers never send the same row twice', async () => {
    const note = await t.app.db.notification.create({ data: { id_user_to: f.customer.id, title: 'y', intentions: 'test' } });
    await t.app.db.userDeviceToken.createMany({ data: Array.from({ length: 20 }, (_, i) => ({ id_users: f.customer.id, device_token: `ok-many-${i}` })) });
    await t.app.db.pushDelivery.createMany({ data: Array.from({ length: 20 }, (_, i) => ({ id_notifications: note.id, id_users: f.customer.id, device_token: `ok-many-${i}` })) });
    const before = fcm.sent.length;
    const counts = await Promise.all([deliverPendingPushes(t.app), deliverPendingPushes(t.app), deliverPendingPushes(t.app)]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(20);
    expect(fcm.sent.length - before).toBe(20);
    expect(new Set(fcm.sent.slice(before).map((s) => s.token)).size).toBe(20);
  });
});

describe('push: a worker that stops while sending', () => {
  it('has used an attempt: a push whose outcome is never recorded is given up after the last attempt, not sent forever', async () => {
    const note = await t.app.db.notification.create({ data: { id_user_to: f.customer.id, title: 'z', intentions: 'test' } });
    await t.app.db.userDeviceToken.create({ data: { id_users: f.customer.id, device_token: 'ok-crash-phone-01' } });
    const push = await t.app.db.pushDelivery.create({ data: { id_notifications: note.id, id_users: f.customer.id, device_token: 'ok-crash-phone-01' } });
    // the worker dies after FCM took the push (here: its "sent" cannot be written); its claim lapses and the next worker takes it again
    await t.app.db.$executeRawUnsafe(`CREATE FUNCTION test_refuse_sent() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'worker gone'; END $$`);
    await t.app.db.$executeRawUnsafe(`CREATE TRIGGER test_refuse_sent BEFORE UPDATE ON push_deliveries FOR EACH ROW WHEN (OLD.id = ${push.id} AND NEW.status = 'SENT') EXECUTE FUNCTION test_refuse_sent()`);
    const before = fcm.sent.length;
    let clock = Date.now();
    t.app.now = () => new Date(clock);
    try {
      for (let run = 0; run < PUSH_MAX_ATTEMPTS + 3; run++) {
        await deliverPendingPushes(t.app).catch(() => undefined);
        clock += 3 * t.app.config.PUSH_TIMEOUT_MS + 1_000;
      }
    } finally {
      t.app.now = realNow;
      await t.app.db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_refuse_sent ON push_deliveries`);
      await t.app.db.$executeRawUnsafe(`DROP FUNCTION IF EXISTS test_refuse_sent()`);
    }
    expect(fcm.sent.slice(before).filter((s) => s.token === 'ok-crash-phone-01')).toHaveLength(PUSH_MAX_ATTEMPTS);
    expect(await t.app.db.pushDelivery.findUniqueOrThrow({ where: { id: push.id } })).toMatchObject({ status: 'FAILED', attempts: PUSH_MAX_ATTEMPTS });
  });
});

describe('push: an outcome that cannot be written', () => {
  it('does not undo the record of the pushes sent with it, which are not sent again', async () => {
    const note = await t.app.db.notification.create({ data: { id_user_to: f.customer.id, title: 'w', intentions: 'test' } });
    await t.app.db.userDeviceToken.createMany({ data: [{ id_users: f.customer.id, device_token: 'ok-once-phone-01' }, { id_users: f.customer.id, device_token: 'flaky-once-phone-01' }] });
    await t.app.db.pushDelivery.createMany({ data: ['ok-once-phone-01', 'flaky-once-phone-01'].map((device_token) => ({ id_notifications: note.id, id_users: f.customer.id, device_token })) });
    const flaky = await t.app.db.pushDelivery.findFirstOrThrow({ where: { device_token: 'flaky-once-phone-01' } });
    // the flaky phone's failure cannot be recorded (the database refuses that one write)
    await t.app.db.$executeRawUnsafe(`CREATE FUNCTION test_refuse_retry() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`);
    await t.app.db.$executeRawUnsafe(`CREATE TRIGGER test_refuse_retry BEFORE UPDATE ON push_deliveries FOR EACH ROW WHEN (OLD.id = ${flaky.id} AND NEW.status = 'PENDING') EXECUTE FUNCTION test_refuse_retry()`);
    const before = fcm.sent.length;
    try {
      await deliverPendingPushes(t.app).catch(() => undefined);
    } finally {
      await t.app.db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_refuse_retry ON push_deliveries`);
      await t.app.db.$executeRawUnsafe(`DROP FUNCTION IF EXISTS test_refuse_retry()`);
    }
    // the claims have lapsed: the next run takes what is still unsent
    t.app.now = () => new Date(Date.now() + 10 * 60_000);
    try {
      await deliverPendingPushes(t.app);
    } finally {
      t.app.now = realNow;
    }
    expect(fcm.sent.slice(before).filter((s) => s.token === 'ok-once-phone-01')).toHaveLength(1);
    expect(await t.app.db.pushDelivery.findFirstOrThrow({ where: { device_token: 'ok-once-phone-01' } })).toMatchObject({ status: 'SENT', attempts: 1 });
  });
});

describe('push: a send never outlasts its claim', () => {
  // PUSH_TIMEOUT_MS: a claim lasts 3 × this. Below FCM_SLOW_MS, so the slow answer always comes after
  // the cut-off; A's request must reach FCM within it (the token request included), which took a
  // loaded machine more than the 300 ms this was.
  const TIMEOUT = 1000;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  let q: TestApp;
  /** the same FCM without the short timeout: a send held by the fake FCM stays in flight until released */
  let unhurried: TestApp;
  beforeAll(async () => {
    q = await createTestApp({ FCM_PROJECT_ID: 'colederma-test', FCM_CLIENT_EMAIL: clientEmail, FCM_PRIVATE_KEY: privateKey, FCM_TOKEN_URL: `${fcm.url}/token`, FCM_API_URL: fcm.url, PUSH_TIMEOUT_MS: String(TIMEOUT) });
    unhurried = await createTestApp({ FCM_PROJECT_ID: 'colederma-test', FCM_CLIENT_EMAIL: clientEmail, FCM_PRIVATE_KEY: privateKey, FCM_TOKEN_URL: `${fcm.url}/token`, FCM_API_URL: fcm.url });
  });
  afterAll(async () => {
    await q?.close();
    await unhurried?.close();
  });

  async function queue(token: string, attempts = 0, on: TestApp = q) {
    const u = await on.user(['CUSTOMER']);
    await on.app.db.userDeviceToken.create({ data: { device_token: token, id_users: u.id } });
    const note = await on.app.db.notification.create({ data: { id_user_to: u.id, title: 'Pesan baru', intentions: 'new_message' } });
    return on.app.db.pushDelivery.create({ data: { id_notifications: note.id, id_users: u.id, device_token: token, attempts } });
  }

  it('cuts a slow send off, so a second worker a minute later does not send the push again', async () => {
    // its third attempt: a failure now is retried after 2 minutes
    const row = await queue('slow-phone-0001', 2);
    // server process A; whether FCM had answered it by the time it returned
    const a = deliverPendingPushes(q.app).then((n) => ({ n, answered: fcm.answered.includes('slow-phone-0001') }));
    // Process B's tick comes once A's claim has lapsed, and once A is done: the cut-off ends A's send
    // at TIMEOUT, well within its claim, but on a loaded machine (CI) the write of A's outcome that
    // follows can itself come after 3 × TIMEOUT, and B would then rightly take the lapsed claim.
    // Without the cut-off A is not done before the slow answer (1.5 s): checked below.
    const [first] = await Promise.all([a, sleep(3 * TIMEOUT + 100)]);
    try {
      q.app.now = () => new Date(Date.now() + 61_000); // process B's tick a minute later
      expect(await deliverPendingPushes(q.app)).toBe(0);
    } finally {
      q.app.now = realNow;
    }
    expect(first.n).toBe(1);
    // ended before the slow answer came: A had not been answered when it returned, nor was it later
    // (its request was cut off); no bound on the time, which the load of the machine varies
    expect(first.answered).toBe(false);
    await sleep(FCM_SLOW_MS);
    expect(fcm.answered).not.toContain('slow-phone-0001');
    expect(fcm.sent.filter((s) => s.token === 'slow-phone-0001')).toHaveLength(1);
    expect(await q.app.db.pushDelivery.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      status: 'PENDING',
      attempts: 3,
      locked_until: null,
      last_error: `push ${row.id} did not finish within ${TIMEOUT} ms`,
    });
  });

  it('a worker that lost its claim leaves the outcome of the worker that took the row', async () => {
    const row = await queue('held-phone-0002', 0, unhurried);
    // FCM keeps A's send in flight until released, then fails it: A then writes a failure
    const held = fcm.hold('held-phone-0002');
    const a = deliverPendingPushes(unhurried.app);
    await held.arrived; // A has claimed the row (attempt 1) and is sending
    // meanwhile another worker took the row (its claim: attempt 2) and delivered it
    const sentAt = new Date();
    await unhurried.app.db.pushDelivery.update({ where: { id: row.id }, data: { status: 'SENT', attempts: 2, sent_at: sentAt, locked_until: null } });
    held.release();
    expect(await a).toBe(1);
    // not put back to PENDING (it would be sent again)
    expect(await unhurried.app.db.pushDelivery.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'SENT', attempts: 2, sent_at: sentAt, last_error: '' });
  });
});

describe('appointment reminders on a busy day', () => {
  it('successive runs each take the next appointments without a reminder, until every one has its reminder', async () => {
    const db = t.app.db;
    const service = await db.service.create({ data: { services_name: 'Konsultasi ramai' } });
    const ds = await db.doctorService.create({ data: { id_doctors: f.doctorRow.id, id_services: service.id } });
    const jam = (i: number) => new Date(Date.UTC(1970, 0, 1, 1, 0, 0) + i * 60_000);
    await db.doctorSchedule.createMany({
      data: Array.from({ length: 5 }, (_, i) => ({ id_doctors: f.doctorRow.id, id_doctor_services: ds.id, id_services: service.id, hari: 'Senin', jam: jam(i), jam_selesai: jam(i + 1) })),
    });
    const slots = await db.doctorSchedule.findMany({ where: { id_services: service.id }, orderBy: { jam: 'asc' } });
    await db.userSchedule.createMany({
      data: slots.map((sl) => ({
        id_doctors: f.doctorRow.id, id_services: service.id, id_doctor_schedules: sl.id, id_users: f.customer.id, id_patients: f.patient.id,
        hari: 'Senin', tanggal: new Date('2026-12-14'), jam: sl.jam, jam_selesai: sl.jam_selesai,
      })),
    });
    const counts: number[] = [];
    try {
      t.app.now = () => new Date('2026-12-13T03:00:00Z'); // 10:00 WIB on 13 December
      for (let run = 0; run < 4; run++) counts.push(await sendAppointmentReminders(t.app, 2)); // batches of 2
    } finally {
      t.app.now = realNow;
    }
    expect(counts).toEqual([2, 2, 1, 0]);
    const reminded = await db.notification.findMany({ where: { intentions: 'appointment_reminder', content: { startsWith: 'Besok 2026-12-14' } } });
    const appts = await db.userSchedule.findMany({ where: { id_services: service.id }, select: { id: true } });
    expect(reminded.map((n) => n.reference_id).sort()).toEqual(appts.map((a) => a.id).sort());
  });
});
