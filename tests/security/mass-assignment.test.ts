import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { inspect } from './route-table.js';
import { appointment, bookableSlot, createMenu } from './fixtures.js';
import { doctor, givePoints, menu, patientOf, setCourier, stockOf } from '../commerce/fixtures.js';

/**
 * Fields a client must not set are ignored (or refused) on create and update. Each entry sends
 * such fields as a customer and reads the database afterwards; other modules append their own
 * (orders: totals/status/is_paid; points; prices).
 */
const PRIVILEGED = { roles: ['OWNER', 'ADMIN'], is_blocked: 1, is_email_confirmed: 1, is_phone_confirmed: 1, token_version: 99, num_of_login_attempts: 0, positions: 'Owner', id_departments: [1], password_hash: 'x', id: 1 };

let t: TestApp;
let customer: TestUser;
let other: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  customer = await t.user(['CUSTOMER']);
  other = await t.user(['CUSTOMER']);
});
afterAll(() => t.close());

describe('mass assignment', () => {
  it('registration ignores roles, flags, position and ids', async () => {
    const res = await t.http.post('/users/create').send({ ...PRIVILEGED, username: 'massreg', users_fullname: 'Mass', password: 'qwerty123', retype_password: 'qwerty123' });
    inspect(res, 'users/create');
    expect(res.status).toBe(200);
    const u = await t.app.db.user.findUniqueOrThrow({ where: { username: 'massreg' }, include: { roles: true, departments: true } });
    expect(u).toMatchObject({ is_blocked: 0, is_email_confirmed: 0, is_phone_confirmed: 0, token_version: 0, positions: '-' });
    expect(u.id).not.toBe(1);
    expect(u.roles.map((r) => r.role_codes)).toEqual(['CUSTOMER']);
    expect(u.departments).toEqual([]);
  });

  it('a customer updating their profile cannot set roles, flags or position', async () => {
    const before = await t.app.db.user.findUniqueOrThrow({ where: { id: customer.id } });
    const res = await t.http.put(`/users/${customer.id}/update`).set(t.auth(customer)).send({ ...PRIVILEGED, users_fullname: 'Renamed' });
    inspect(res, 'users/:id/update');
    expect(res.status).toBe(200);
    const after = await t.app.db.user.findUniqueOrThrow({ where: { id: customer.id }, include: { roles: true, departments: true } });
    expect(after.users_fullname).toBe('Renamed');
    expect(after).toMatchObject({ is_blocked: 0, is_email_confirmed: before.is_email_confirmed, token_version: before.token_version, positions: before.positions, password_hash: before.password_hash });
    expect(after.roles.map((r) => r.role_codes)).toEqual(['CUSTOMER']);
    expect(after.departments).toEqual([]);
  });

  it('a client event cannot claim another user, role or outcome', async () => {
    const res = await t.http.post('/logs/create').set(t.auth(customer)).send({ action: 'x', id_users: 1, role: 'OWNER', outcome: 'denied', hash: 'f'.repeat(64), seq: 1 });
    expect(res.status).toBe(200);
    expect(res.body.logs).toMatchObject({ id_users: customer.id, role: 'CUSTOMER', outcome: 'success' });
    expect(res.body.logs.hash).not.toBe('f'.repeat(64));
  });
});

describe('mass assignment: patients, records, appointments, threads, notifications', () => {
  it('a customer cannot give a patient to someone else or set its picture, id or deletion', async () => {
    const res = await t.http
      .post('/patients/create')
      .set(t.auth(customer))
      .send({ nama_lengkap_pasien: 'Mass Patient', id_users: other.id, patient_external_id: 'DIGISOFT_PATIENT-00000001', patient_picture: '../../etc/passwd', deleted_at: '2020-01-01', id: 1, created_at: '2000-01-01' });
    inspect(res, 'patients/create');
    expect(res.status).toBe(200);
    const id = res.body.patients.id;
    let p = await t.app.db.patient.findUniqueOrThrow({ where: { id } });
    // the clinic system's patient number is staff's to set (staff find patients by it)
    expect(p).toMatchObject({ id_users: customer.id, patient_external_id: '', patient_picture: null, deleted_at: null });
    expect(p.created_at.getUTCFullYear()).toBeGreaterThan(2000);

    for (const method of ['put', 'post'] as const) {
      const up = await t.http[method](`/patients/${id}/update`).set(t.auth(customer)).send({ id_users: other.id, patient_external_id: 'DIGISOFT_PATIENT-00000002', patient_picture: 'x.png', deleted_at: '2020-01-01', catatan: 'ok' });
      inspect(up, 'patients/:id/update');
      expect(up.status).toBe(200);
    }
    p = await t.app.db.patient.findUniqueOrThrow({ where: { id } });
    expect(p).toMatchObject({ id_users: customer.id, patient_external_id: '', patient_picture: null, deleted_at: null, catatan: 'ok' });
    const admin = await t.user(['ADMIN']);
    const byStaff = await t.http.put(`/patients/${id}/update`).set(t.auth(admin)).send({ patient_external_id: 'DIGISOFT_PATIENT-00000003' });
    expect(byStaff.status).toBe(200);
    expect(byStaff.body.patients.patient_external_id).toBe('DIGISOFT_PATIENT-00000003');
    const kept = await t.http.put(`/patients/${id}/update`).set(t.auth(customer)).send({ patient_external_id: '', catatan: 'ok 2' });
    expect(kept.status).toBe(200);
    expect(await t.app.db.patient.findUniqueOrThrow({ where: { id } })).toMatchObject({ patient_external_id: 'DIGISOFT_PATIENT-00000003', catatan: 'ok 2' });
    const addr = await t.http.put(`/patients/${id}/update/address`).set(t.auth(customer)).send({ kota: 'BANDUNG', id_users: other.id, nama_lengkap_pasien: 'Renamed' });
    expect(addr.status).toBe(200);
    expect(await t.app.db.patient.findUniqueOrThrow({ where: { id } })).toMatchObject({ id_users: customer.id, kota: 'BANDUNG', nama_lengkap_pasien: 'Mass Patient' });
  });

  it('a medical record cannot be created or changed as verified, or by someone else’s hand', async () => {
    const patient = await t.app.db.patient.create({ data: { id_users: customer.id, nama_lengkap_pasien: 'Rekam Pasien' } });
    const slot = await bookableSlot(t, 6);
    await appointment(t, slot, customer.id, patient.id);
    const doctor = { id: slot.doctorUser.id, token: slot.doctorUser.token } as TestUser;
    const forged = { is_verified: 1, verified_iduser: other.id, verified_at: '2026-01-01 10:00', created_by_iduser: other.id, deleted_at: '2026-01-01' };

    // customers do not write records at all
    const byCustomer = await t.http.post('/patient_rekam_medis/create').set(t.auth(customer)).send({ id_patients: patient.id, tanggal_konsul: '01/11/2026', keluhan: 'x', ...forged });
    expect(byCustomer.status).toBe(403);
    expect(await t.app.db.patientRekamMedis.count({ where: { id_patients: patient.id } })).toBe(0);

    const res = await t.http.post('/patient_rekam_medis/create').set(t.auth(doctor)).send({ id_patients: patient.id, tanggal_konsul: '01/11/2026', keluhan: 'Gatal', ...forged });
    inspect(res, 'patient_rekam_medis/create');
    expect(res.status).toBe(200);
    const id = res.body.patient_rekam_medis.id;
    let r = await t.app.db.patientRekamMedis.findUniqueOrThrow({ where: { id } });
    expect(r).toMatchObject({ is_verified: 0, verified_iduser: null, verified_at: null, created_by_iduser: doctor.id, deleted_at: null });

    const up = await t.http.put(`/patient_rekam_medis/${id}/update`).set(t.auth(doctor)).send({ keluhan: 'Gatal sekali', ...forged });
    inspect(up, 'patient_rekam_medis/:id/update');
    expect(up.status).toBe(200);
    r = await t.app.db.patientRekamMedis.findUniqueOrThrow({ where: { id } });
    expect(r).toMatchObject({ keluhan: 'Gatal sekali', is_verified: 0, verified_iduser: null, verified_at: null, created_by_iduser: doctor.id, deleted_at: null });

    // verify records the caller as verifier, whatever the body says
    const v = await t.http.post(`/patient_rekam_medis/${id}/verify`).set(t.auth(doctor)).send({ verified_iduser: other.id, is_verified: 0 });
    expect(v.status).toBe(200);
    expect(await t.app.db.patientRekamMedis.findUniqueOrThrow({ where: { id } })).toMatchObject({ is_verified: 1, verified_iduser: doctor.id });
  });

  it('an appointment’s status, counters, price and owner are the server’s', async () => {
    const patient = await t.app.db.patient.create({ data: { id_users: customer.id, nama_lengkap_pasien: 'Janji Pasien' } });
    const otherPatient = await t.app.db.patient.create({ data: { id_users: other.id, nama_lengkap_pasien: 'Pasien Lain' } });
    const slot = await bookableSlot(t, 11, { price: 175_000 });
    const forged = {
      status: 'DONE', reschedule_counts: 3, custom_price: 1, active_slot: 0, digisoft_invoice_numbers: 'INV-FORGED', cancel_reason: 'forged',
      id_users: other.id, arrived_datetime: '2026-01-01 10:00', done_datetime: '2026-01-01 10:00', deleted_at: '2026-01-01',
    };
    const res = await t.http.post('/user_schedules/create').set(t.auth(customer)).send({ id_doctor_schedules: slot.slot.id, tanggal: slot.tanggal, id_patients: patient.id, ...forged });
    inspect(res, 'user_schedules/create');
    expect(res.status).toBe(200);
    const id = res.body.user_schedules.id;
    let row = await t.app.db.userSchedule.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({
      status: 'BOOKING', reschedule_counts: 0, custom_price: 175_000, active_slot: 1, digisoft_invoice_numbers: '', cancel_reason: '',
      id_users: customer.id, id_patients: patient.id, arrived_datetime: null, done_datetime: null, deleted_at: null,
    });

    // each move to another slot (a move to the slot it already has is refused, 409)
    for (const [path, days] of [['reschedule', 12], ['update', 13]] as const) {
      const to = await bookableSlot(t, days, { price: 90_000 });
      const move = await t.http.put(`/user_schedules/${id}/${path}`).set(t.auth(customer)).send({ ...forged, reschedule_counts: 0, id_patients: otherPatient.id, id_doctor_schedules: to.slot.id, tanggal: to.tanggal });
      inspect(move, `user_schedules/:id/${path}`);
      expect(move.status).toBe(200);
    }
    row = await t.app.db.userSchedule.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: 'RESCHEDULE', reschedule_counts: 2, custom_price: 90_000, id_users: customer.id, id_patients: patient.id, digisoft_invoice_numbers: '', active_slot: 1, deleted_at: null });

    const cancel = await t.http.post(`/user_schedules/${id}/cancel`).set(t.auth(customer)).send({ ...forged, cancel_reason: 'sakit' });
    expect(cancel.status).toBe(200);
    row = await t.app.db.userSchedule.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: 'CANCEL', active_slot: null, cancel_reason: 'sakit', reschedule_counts: 2, custom_price: 90_000, deleted_at: null });
  });

  it('notifications: marking read changes only the read flags of one’s own', async () => {
    const mine = await t.app.db.notification.create({ data: { id_user_to: customer.id, title: 'Halo', content: 'Isi' } });
    const theirs = await t.app.db.notification.create({ data: { id_user_to: other.id, title: 'Lain', content: 'Isi' } });
    const res = await t.http.post(`/notifications/${mine.id}/mark/as/read`).set(t.auth(customer)).send({ id_user_to: other.id, title: 'Forged', content: 'Forged', is_read: 0, intentions: 'x' });
    expect(res.status).toBe(200);
    expect(await t.app.db.notification.findUniqueOrThrow({ where: { id: mine.id } })).toMatchObject({ id_user_to: customer.id, title: 'Halo', content: 'Isi', is_read: 1, intentions: '' });
    const all = await t.http.put('/notifications/mark/all').set(t.auth(customer)).send({ id_user_to: other.id, is_read: 1 });
    expect(all.status).toBe(200);
    expect(await t.app.db.notification.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ is_read: 0, read_at: null });
  });

  it('messages: author, recipient, type, read flag and prescription fields are the server’s', async () => {
    const doctor = await t.user(['DOCTOR']);
    const menu = await createMenu(t);
    const thread = await t.app.db.thread.create({ data: { id_user_from: customer.id, id_user_to: doctor.id, estimate_done_at: new Date(Date.now() + 86_400_000) } });
    const forged = {
      id_user_from: doctor.id, id_user_to: other.id, is_read: 1, id_menu: menu.id, qty: 50, valid_until: '01/01/2030 10:00',
      remark: 'forged', file_name: '../../etc/passwd', file_mime: 'text/html', is_redeemed: 1, deleted_at: '2026-01-01',
    };
    const res = await t.http.post('/thread_messages/text').set(t.auth(customer)).send({ id_threads: thread.id, content: 'Halo dokter', content_type: 'text', ...forged });
    inspect(res, 'thread_messages/text');
    expect(res.status).toBe(200);
    const id = res.body.thread_messages.id;
    const expected = { id_user_from: customer.id, id_user_to: doctor.id, is_read: 0, content_type: 'text', id_menu: null, qty: null, valid_until: null, remark: '', file_name: null, file_mime: null, deleted_at: null };
    expect(await t.app.db.threadMessage.findUniqueOrThrow({ where: { id } })).toMatchObject(expected);
    const edit = await t.http.put(`/thread_messages/${id}/update_text`).set(t.auth(customer)).send({ content: 'Halo lagi', content_type: 'prescriptions', ...forged });
    expect(edit.status).toBe(200);
    expect(await t.app.db.threadMessage.findUniqueOrThrow({ where: { id } })).toMatchObject({ ...expected, content: 'Halo lagi' });
    // a customer cannot prescribe
    const rx = await t.http.post('/thread_messages/prescriptions').set(t.auth(customer)).send({ id_threads: thread.id, id_menu: menu.id, qty: 5 });
    expect(rx.status).toBe(403);
    expect(await t.app.db.threadMessage.count({ where: { id_threads: thread.id, content_type: 'prescriptions' } })).toBe(0);
  });

  it('threads: the doctor cannot reassign the thread, its customer or patient', async () => {
    const doctor = await t.user(['DOCTOR']);
    const otherDoctor = await t.user(['DOCTOR']);
    const patient = await t.app.db.patient.create({ data: { id_users: customer.id, nama_lengkap_pasien: 'Thread Pasien' } });
    const thread = await t.app.db.thread.create({ data: { id_user_from: customer.id, id_user_to: doctor.id, id_patients: patient.id } });
    const res = await t.http.put(`/threads/${thread.id}/update`).set(t.auth(doctor)).send({ queue_number: 4, id_user_to: otherDoctor.id, id_user_from: other.id, id_patients: 1, id_order: 1, thread_type: 'prescriptions' });
    inspect(res, 'threads/:id/update');
    expect(res.status).toBe(200);
    expect(await t.app.db.thread.findUniqueOrThrow({ where: { id: thread.id } })).toMatchObject({
      queue_number: 4, id_user_to: doctor.id, id_user_from: customer.id, id_patients: patient.id, id_order: null, thread_type: 'online_consultations',
    });
    // the customer cannot change the thread at all
    expect((await t.http.put(`/threads/${thread.id}/update`).set(t.auth(customer)).send({ is_closed: 1 })).status).toBe(403);
  });
});

/** What a client would like to set on an order, its lines or its points: none of it is the client's. */
const ORDER_FIELDS = {
  total_price: 1, total_discount: 999_999, total_pajak: 0, grand_totals: 1, courier_price: 0, poin_used: 999_999, status: 'PAID', is_paid: 1,
  paid_date: '2020-01-01 10:00:00', pay_channel: 'cash', order_code: 'HACKED-1', cart_open: 1, reservation_status: 'CONSUMED', is_done: 1,
  courier: 'sameday', is_courier: 1, id_promo_discount_applied: 1, ratings: 5,
};
const LINE_FIELDS = { price: 1, price_total: 1, harga: 1, discount: 999_999, pajak: 0, extra_prices: 1, is_canceled: 0, idstock: 1 };

describe('mass assignment: orders, lines, shipping, points, ratings', () => {
  it('orders/init: the cart is the caller’s, a cart, unpaid, with no code or totals, whatever the body says', async () => {
    const p = await patientOf(t, customer);
    const res = await t.http.post('/orders/init').set(t.auth(customer)).send({ ...ORDER_FIELDS, id_users: other.id, id_member: other.id, id_patients: p.id, order_type: 'E' });
    inspect(res, 'orders/init');
    expect(res.status).toBe(200);
    const o = await t.app.db.order.findUniqueOrThrow({ where: { id: res.body.orders.id } });
    expect(o).toMatchObject({ id_member: customer.id, id_patients: p.id, status: 'SHOPPING CARTS', cart_open: 1, is_paid: 0, paid_date: null, order_code: null });
    expect(o).toMatchObject({ total_price: 0, total_discount: 0, grand_totals: 0, courier_price: 0, poin_used: 0, courier: '', is_courier: 0, id_promo_discount_applied: null, reservation_status: 'NONE' });
    expect(await t.app.db.order.count({ where: { id_member: other.id } })).toBe(0);
  });

  it('add to carts and line updates: prices and totals are the server’s', async () => {
    const p = await patientOf(t, customer);
    const product = await menu(t, { harga: 80_000 });
    const init = await t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: p.id, order_type: 'E' });
    const orderId = init.body.orders.id as number;
    const add = await t.http.post('/orders/e_add_to_carts').set(t.auth(customer)).send({ ...ORDER_FIELDS, id_order: orderId, items: [{ ...LINE_FIELDS, id_menu: product.id, qty: 2 }] });
    inspect(add, 'orders/e_add_to_carts');
    expect(add.status).toBe(200);
    const [item] = await t.app.db.orderItem.findMany({ where: { id_order: orderId } });
    expect(item).toMatchObject({ price: 80_000, price_total: 160_000, discount: 0, pajak: 0, idstock: null });
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id: orderId } })).toMatchObject({ total_price: 160_000, grand_totals: 160_000, poin_used: 0, status: 'SHOPPING CARTS', is_paid: 0 });

    for (const method of ['put', 'post'] as const) {
      const up = await t.http[method](`/order_items/${item!.id}/update`).set(t.auth(customer)).send({ ...LINE_FIELDS, ...ORDER_FIELDS, qty: 3, id_order: 1, id_menu: 1 });
      inspect(up, `order_items/:id/update (${method})`);
      expect(up.status).toBe(200);
      expect(await t.app.db.orderItem.findUniqueOrThrow({ where: { id: item!.id } })).toMatchObject({ id_order: orderId, id_menu: product.id, qty: 3, price: 80_000, price_total: 240_000, discount: 0 });
      expect(await t.app.db.order.findUniqueOrThrow({ where: { id: orderId } })).toMatchObject({ total_price: 240_000, grand_totals: 240_000, status: 'SHOPPING CARTS', is_paid: 0 });
    }

    const doc = await doctor(t, 175_000);
    const cInit = await t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: p.id, order_type: 'C' });
    const cId = cInit.body.orders.id as number;
    const c = await t.http.post('/orders/c_add_to_carts').set(t.auth(customer)).send({ ...ORDER_FIELDS, id_order: cId, items: [{ ...LINE_FIELDS, id_doctors: doc.id, qty: 1, item: 'Free' }] });
    inspect(c, 'orders/c_add_to_carts');
    expect(c.status).toBe(200);
    const [extra] = await t.app.db.orderExtra.findMany({ where: { id_orders: cId } });
    expect(extra).toMatchObject({ extra_prices: 175_000, item: 'Online consultation', qty: 1 });
    const ue = await t.http.put(`/order_extras/${extra!.id}/update`).set(t.auth(customer)).send({ ...LINE_FIELDS, ...ORDER_FIELDS, qty: 1, extra_notes: 'gatal', id_orders: orderId, id_doctors: 1, item: 'Free' });
    inspect(ue, 'order_extras/:id/update');
    expect(ue.status).toBe(200);
    expect(await t.app.db.orderExtra.findUniqueOrThrow({ where: { id: extra!.id } })).toMatchObject({ id_orders: cId, id_doctors: doc.id, qty: 1, extra_notes: 'gatal', extra_prices: 175_000, item: 'Online consultation' });
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id: cId } })).toMatchObject({ total_price: 175_000, grand_totals: 175_000, status: 'SHOPPING CARTS' });
  });

  it('points, address, courier and checkout: balances, prices, status and the order code are the server’s', async () => {
    const buyer = await t.user(['CUSTOMER']);
    await givePoints(t, buyer.id, 10_000);
    const p = await patientOf(t, buyer);
    const product = await menu(t, { harga: 100_000 });
    await stockOf(t, product.id, 5);
    const init = await t.http.post('/orders/init').set(t.auth(buyer)).send({ id_patients: p.id, order_type: 'E' });
    const orderId = init.body.orders.id as number;
    await t.http.post('/orders/e_add_to_carts').set(t.auth(buyer)).send({ id_order: orderId, items: [{ id_menu: product.id, qty: 1 }] });

    // more points than the balance: refused; the balance is not a body field anywhere
    const tooMany = await t.http.put(`/orders/${orderId}/apply/points`).set(t.auth(buyer)).send({ poin_used: 50_000, balance: 1_000_000, total_point: 1_000_000 });
    inspect(tooMany, 'orders/:id/apply/points');
    expect(tooMany.status).toBe(422);
    const prof = await t.http.put(`/users/${buyer.id}/update`).set(t.auth(buyer)).send({ total_point: 1_000_000, balance: 1_000_000, users_fullname: 'Buyer' });
    expect(prof.status).toBe(200);
    expect((await t.app.db.userPointBalance.findUniqueOrThrow({ where: { id_users: buyer.id } })).balance).toBe(10_000);
    const ok = await t.http.put(`/orders/${orderId}/apply/points`).set(t.auth(buyer)).send({ ...ORDER_FIELDS, poin_used: 5_000 });
    inspect(ok, 'orders/:id/apply/points');
    expect(ok.status).toBe(200);

    // the address carries no courier or price
    const addr = await t.http.put(`/orders/${orderId}/update/address`).set(t.auth(buyer)).send({ ...ORDER_FIELDS, kode_provinsi: 9, kode_kota: 23, kode_kecamatan: 349, alamat_kirim: 'Jalan Dago 1' });
    inspect(addr, 'orders/:id/update/address');
    expect(addr.status).toBe(200);
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id: orderId } })).toMatchObject({ alamat_kirim: 'Jalan Dago 1', courier: '', is_courier: 0, courier_price: 0, status: 'SHOPPING CARTS', is_paid: 0 });

    // a courier price the client makes up is refused; a quoted one is taken from the quote
    await setCourier(t, orderId, 20_000);
    await t.http.put(`/orders/${orderId}/unprocess/courier`).set(t.auth(buyer));
    const madeUp = await t.http.put(`/orders/${orderId}/process/courier`).set(t.auth(buyer)).send({ courier: 'jne', costs: 1, courier_price: 1 });
    inspect(madeUp, 'orders/:id/process/courier');
    expect(madeUp.status).toBe(422);
    await setCourier(t, orderId, 20_000);

    const co = await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(buyer)).send({ ...ORDER_FIELDS, id_member: other.id, alamat_kirim: 'Jalan Dago 2' });
    inspect(co, 'orders/:id/checkout');
    expect(co.status, co.text).toBe(200);
    const o = await t.app.db.order.findUniqueOrThrow({ where: { id: orderId } });
    expect(o).toMatchObject({ id_member: buyer.id, status: 'CHECKOUT', is_paid: 0, paid_date: null, pay_channel: '', is_done: 0, alamat_kirim: 'Jalan Dago 2', id_promo_discount_applied: null });
    expect(o).toMatchObject({ total_price: 100_000, total_discount: 0, courier_price: 20_000, poin_used: 5_000, grand_totals: 115_000 });
    expect(o.order_code).toMatch(/^E/);
    expect(o.order_code).not.toBe('HACKED-1');
    expect((await t.app.db.orderPayment.findFirstOrThrow({ where: { id_orders: orderId } })).gross_amount).toBe(115_000);
  });

  it('ratings: the rater is the caller, and an update cannot move a rating to another order or user', async () => {
    const p = await patientOf(t, customer);
    const done = { order_type: 'E', id_member: customer.id, id_patients: p.id, status: 'DONE', cart_open: null, is_paid: 1, is_done: 1 };
    const o1 = await t.app.db.order.create({ data: done });
    const o2 = await t.app.db.order.create({ data: done });
    const res = await t.http.post('/ratings/create').set(t.auth(customer)).send({ id_orders: o1.id, id_users: other.id, ratings: 4, rating_desc: 'Good', id: 1 });
    inspect(res, 'ratings/create');
    expect(res.status).toBe(200);
    const r = await t.app.db.rating.findUniqueOrThrow({ where: { id_orders: o1.id } });
    expect(r).toMatchObject({ id_users: customer.id, ratings: 4 });
    const up = await t.http.put(`/ratings/${r.id}/update`).set(t.auth(customer)).send({ id_orders: o2.id, id_users: other.id, ratings: 3 });
    inspect(up, 'ratings/:id/update');
    expect(up.status).toBe(200);
    expect(await t.app.db.rating.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({ id_orders: o1.id, id_users: customer.id, ratings: 3 });
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id: o2.id } })).toMatchObject({ ratings: null });
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id: o1.id } })).toMatchObject({ ratings: 3, status: 'DONE' });
  });
});
