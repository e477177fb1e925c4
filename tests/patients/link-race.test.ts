import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinicDay, formatDate } from '../../src/lib/dates.js';
import { dayName } from '../../src/modules/clinic/booking.service.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { whileHolding } from '../helpers/interleave.js';
import { patientBody } from './fixtures.js';

// A customer's change of (or cart, booking, consultation thread for) a patient racing staff moving that patient to another account
// (users/patients/link): the change is decided on the patient as it is under its row lock, not as
// read before the move committed. The race shows on PostgreSQL (TEST_DATABASE_URL); PGlite runs one
// statement at a time.
let t: TestApp;
let admin: TestUser;
let before: TestUser;
let after: TestUser;
let doctorUser: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  doctorUser = await t.user(['DOCTOR']);
  before = await t.user(['CUSTOMER']);
  after = await t.user(['CUSTOMER']);
  await t.app.db.user.update({ where: { id: after.id }, data: { users_email: `${after.username}@example.com`, users_phone: '081200007777' } });
});
afterAll(() => t.close());

/** Moves the patient to `after` in a transaction held open until the request waits for its row lock. */
const whileMoving = <T>(patientId: number, request: () => Promise<T>) =>
  whileHolding(t.app.db, (tx) => tx.patient.updateMany({ where: { id: patientId, deleted_at: null }, data: { id_users: after.id } }), request);

const newPatient = async () => (await t.http.post('/patients/create').set(t.auth(before)).send(patientBody({ nama_lengkap_pasien: 'Pindah' }))).body.patients.id as number;

/** A bookable 09:00 slot on the weekday `days` ahead, and that date (dd/mm/yyyy) to book it on. */
async function slotAhead(days: number) {
  const db = t.app.db;
  const date = new Date(clinicDay(new Date()).getTime() + days * 86_400_000);
  const service = await db.service.create({ data: { services_name: 'Facial', buffer_time: 30 } });
  const doctor = await db.doctor.upsert({ where: { id_users: doctorUser.id }, create: { id_users: doctorUser.id }, update: {} });
  const ds = await db.doctorService.create({ data: { id_doctors: doctor.id, id_services: service.id, is_active: 1 } });
  const slot = await db.doctorSchedule.create({
    data: { id_doctors: doctor.id, id_doctor_services: ds.id, id_services: service.id, hari: dayName(date), jam: new Date(Date.UTC(1970, 0, 1, 9)), jam_selesai: new Date(Date.UTC(1970, 0, 1, 9, 30)) },
  });
  const iso = formatDate(date)!;
  return { id_doctor_schedules: slot.id, tanggal: `${iso.slice(8)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` };
}

/** A checked-out consultation (C) order of `before` for the patient, with doctorUser as its doctor: staff may mark it paid. */
async function consultationCheckout(id_patients: number) {
  const doctor = await t.app.db.doctor.upsert({ where: { id_users: doctorUser.id }, create: { id_users: doctorUser.id }, update: {} });
  return t.app.db.order.create({
    data: {
      order_type: 'C',
      order_code: `C-RACE-${id_patients}`,
      status: 'CHECKOUT',
      cart_open: null,
      id_member: before.id,
      id_patients,
      extras: { create: [{ id_doctors: doctor.id, extra_prices: 125000 }] },
    },
  });
}

const markPaid = (orderId: number) => t.http.put(`/orders/${orderId}/paid`).set(t.auth(admin)).send({ pay_channel: 'CASH' });
/** threads/create by staff for `before`'s consultation about the patient (or the order's patient) */
const createThread = (body: { id_patients?: number; id_order?: number }) => t.http.post('/threads/create').set(t.auth(admin)).send({ id_user_from: before.id, id_user_to: doctorUser.id, ...body });
const notYourPatient = [{ field: 'id_patients', message: "not the customer's patient" }];

/** a consultation thread of `before` about the patient with a valid prescription in it: what add_to_carts redeems */
async function prescribedThread(id_patients: number) {
  const menu = await t.app.db.menu.create({ data: { nama_menus: 'Tretinoin 0.025%', harga: 90_000, is_resep_required: 1, satuan: 'Tube' } });
  const thread = await t.app.db.thread.create({ data: { id_user_from: before.id, id_user_to: doctorUser.id, id_patients, thread_type: 'online_consultations' } });
  await t.app.db.threadMessage.create({
    data: { id_threads: thread.id, id_user_from: doctorUser.id, id_user_to: before.id, content_type: 'prescriptions', content: menu.nama_menus, id_menu: menu.id, qty: 1, valid_until: new Date(Date.now() + 86_400_000) },
  });
  return { id_threads: thread.id, id_menu: menu.id };
}
const redeem = (body: { id_threads: number; id_menu: number }) => t.http.post('/menu_reedems/add_to_carts').set(t.auth(before)).send(body);

const initCart = (u: TestUser, id_patients: number) => t.http.post('/orders/init').set(t.auth(u)).send({ id_patients, order_type: 'E' });
const book = (u: TestUser, id_patients: number, slot: { id_doctor_schedules: number; tanggal: string }) =>
  t.http.post('/user_schedules/create').set(t.auth(u)).send({ ...slot, id_patients });

describe('a cart or booking for a patient staff moved to another account', () => {
  it('is refused to the former manager (404, nothing written) and open to the new one', async () => {
    const p = await newPatient();
    const link = await t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: after.id, id_patients: p });
    expect(link.status).toBe(200);
    const slot = await slotAhead(8);
    expect((await initCart(before, p)).status).toBe(404);
    expect((await book(before, p, slot)).status).toBe(404);
    expect(await t.app.db.order.count({ where: { id_patients: p } })).toBe(0);
    expect(await t.app.db.userSchedule.count({ where: { id_patients: p } })).toBe(0);
    const cart = await initCart(after, p);
    expect(cart.status).toBe(200);
    expect(cart.body.orders).toMatchObject({ id_member: after.id, patients: { id: p } });
    const booked = await book(after, p, slot);
    expect(booked.status).toBe(200);
    expect(await t.app.db.userSchedule.findFirstOrThrow({ where: { id_patients: p } })).toMatchObject({ id_users: after.id, status: 'BOOKING' });
  });

  it('unlinked: refused to the former manager', async () => {
    const p = await newPatient();
    expect((await t.http.put('/users/patients/unlink').set(t.auth(admin)).send({ id_patients: p })).status).toBe(200);
    expect((await initCart(before, p)).status).toBe(404);
    expect((await book(before, p, await slotAhead(9))).status).toBe(404);
    expect(await t.app.db.order.count({ where: { id_patients: p } })).toBe(0);
    expect(await t.app.db.userSchedule.count({ where: { id_patients: p } })).toBe(0);
  });
});

describe('a consultation about a patient staff moved to another account', () => {
  it("threads/create for the former manager is refused (422), the paid order's thread opens without the patient", async () => {
    const p = await newPatient();
    const order = await consultationCheckout(p);
    expect((await t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: after.id, id_patients: p })).status).toBe(200);
    for (const body of [{ id_patients: p }, { id_order: order.id }]) {
      const res = await createThread(body);
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual(notYourPatient);
    }
    expect(await t.app.db.thread.count({ where: { id_user_from: before.id, OR: [{ id_patients: p }, { id_order: order.id }] } })).toBe(0);
    expect((await markPaid(order.id)).status).toBe(200);
    expect(await t.app.db.thread.findFirstOrThrow({ where: { id_order: order.id } })).toMatchObject({ id_user_from: before.id, id_user_to: doctorUser.id, id_patients: null });
    expect((await t.http.get(`/patients/${p}`).set(t.auth(doctorUser))).status).toBe(404);
  });

  it("menu_reedems/add_to_carts of the former manager's prescription: 404, no cart opened for the new manager's patient", async () => {
    const p = await newPatient();
    const rx = await prescribedThread(p);
    expect((await t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: after.id, id_patients: p })).status).toBe(200);
    const res = await redeem(rx);
    expect(res.status).toBe(404);
    expect(await t.app.db.order.count({ where: { id_patients: p } })).toBe(0);
    expect(await t.app.db.menuReedem.count({ where: { id_threads: rx.id_threads } })).toBe(0);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('a customer changing a patient (or opening a cart, booking, consultation for it) while staff move it to another account', () => {
  it('update/address: 404, the new manager\'s patient unchanged and their contact details not answered', async () => {
    const p = await newPatient();
    const res = await whileMoving(p, () => t.http.put(`/patients/${p}/update/address`).set(t.auth(before)).send({ kota: 'Kota Lama' }).then((r) => r));
    expect(JSON.stringify(res.body)).not.toContain(`${after.username}@example.com`);
    expect(res.status).toBe(404);
    expect(await t.app.db.patient.findUniqueOrThrow({ where: { id: p } })).toMatchObject({ id_users: after.id, kota: 'CIMAHI' });
  });

  it('delete: 404, the patient stays', async () => {
    const p = await newPatient();
    const res = await whileMoving(p, () => t.http.delete(`/patients/${p}/delete`).set(t.auth(before)).then((r) => r));
    expect(res.status).toBe(404);
    expect(await t.app.db.patient.findUniqueOrThrow({ where: { id: p } })).toMatchObject({ id_users: after.id, deleted_at: null });
  });

  it('patient_allergies/create: 404, no allergy added to the new manager\'s patient', async () => {
    const p = await newPatient();
    const count = await t.app.db.patientAllergy.count({ where: { id_patients: p } });
    const res = await whileMoving(p, () => t.http.post('/patient_allergies/create').set(t.auth(before)).send({ id_patients: p, allergies: 'Lateks' }).then((r) => r));
    expect(res.status).toBe(404);
    expect(await t.app.db.patientAllergy.count({ where: { id_patients: p } })).toBe(count);
  });

  it('orders/init: 404, no cart opened for the new manager\'s patient', async () => {
    const p = await newPatient();
    const res = await whileMoving(p, () => initCart(before, p).then((r) => r));
    expect(res.status).toBe(404);
    expect(await t.app.db.order.count({ where: { id_patients: p } })).toBe(0);
  });

  it('user_schedules/create: 404, no appointment booked for the new manager\'s patient', async () => {
    const p = await newPatient();
    const slot = await slotAhead(10);
    const res = await whileMoving(p, () => book(before, p, slot).then((r) => r));
    expect(res.status).toBe(404);
    expect(await t.app.db.userSchedule.count({ where: { id_patients: p } })).toBe(0);
  });

  it("threads/create for the former manager: 422 not the customer's patient, no thread", async () => {
    const p = await newPatient();
    const res = await whileMoving(p, () => createThread({ id_patients: p }).then((r) => r));
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual(notYourPatient);
    expect(await t.app.db.thread.count({ where: { id_patients: p } })).toBe(0);
  });

  it("threads/create of the former manager's order: 422 not the customer's patient, no thread", async () => {
    const p = await newPatient();
    const order = await consultationCheckout(p);
    const res = await whileMoving(p, () => createThread({ id_order: order.id }).then((r) => r));
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual(notYourPatient);
    expect(await t.app.db.thread.count({ where: { id_order: order.id } })).toBe(0);
  });

  it("menu_reedems/add_to_carts: 404, no cart opened for the new manager's patient, the prescription not used", async () => {
    const p = await newPatient();
    const rx = await prescribedThread(p);
    const res = await whileMoving(p, () => redeem(rx).then((r) => r));
    expect(res.status).toBe(404);
    expect(await t.app.db.order.count({ where: { id_patients: p } })).toBe(0);
    expect(await t.app.db.menuReedem.count({ where: { id_threads: rx.id_threads } })).toBe(0);
  });

  it("a consultation paid meanwhile: its thread opens for the buyer without the patient; the doctor does not get the new manager's patient", async () => {
    const p = await newPatient();
    const order = await consultationCheckout(p);
    const res = await whileMoving(p, () => markPaid(order.id).then((r) => r));
    expect(res.status).toBe(200);
    expect(await t.app.db.thread.findFirstOrThrow({ where: { id_order: order.id } })).toMatchObject({ id_user_from: before.id, id_user_to: doctorUser.id, id_patients: null });
    expect((await t.http.get(`/patients/${p}`).set(t.auth(doctorUser))).status).toBe(404);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('staff linking a patient to an account being deleted', () => {
  it('waits for the deletion and answers 404: the patient is not handed to a deleted account (whose coming appointments the deletion cancelled)', async () => {
    const p = await newPatient();
    const leaving = await t.user(['CUSTOMER']);
    // the deletion (users/:id/delete) holds the account's row FOR UPDATE and marks it deleted
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM users WHERE id = ${leaving.id} FOR UPDATE`,
      () => t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: leaving.id, id_patients: p }),
      (tx) => tx.user.update({ where: { id: leaving.id }, data: { deleted_at: new Date() } }),
    );
    expect(res.status).toBe(404);
    expect((await t.app.db.patient.findUniqueOrThrow({ where: { id: p } })).id_users).toBe(before.id);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('staff setting id_users on patients/create or update while that account is being deleted', () => {
  /** the deletion (users/:id/delete) holds the account's row FOR UPDATE and marks it deleted */
  const whileDeleting = <T>(userId: number, request: () => Promise<T>) =>
    whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM users WHERE id = ${userId} FOR UPDATE`,
      request,
      (tx) => tx.user.update({ where: { id: userId }, data: { deleted_at: new Date() } }),
    );
  const unknownUser = [{ field: 'id_users', message: 'unknown user' }];

  it('update: waits for the deletion and answers 422; the patient stays with its manager', async () => {
    const p = await newPatient();
    const leaving = await t.user(['CUSTOMER']);
    const res = await whileDeleting(leaving.id, () => t.http.put(`/patients/${p}/update`).set(t.auth(admin)).send({ id_users: leaving.id }));
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual(unknownUser);
    expect((await t.app.db.patient.findUniqueOrThrow({ where: { id: p } })).id_users).toBe(before.id);
  });

  it('create: waits for the deletion and answers 422; no patient is created for the deleted account', async () => {
    const leaving = await t.user(['CUSTOMER']);
    const res = await whileDeleting(leaving.id, () => t.http.post('/patients/create').set(t.auth(admin)).send(patientBody({ id_users: leaving.id, nama_lengkap_pasien: 'Tanpa Wali' })));
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual(unknownUser);
    expect(await t.app.db.patient.count({ where: { id_users: leaving.id } })).toBe(0);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('users/patients/unlink of a patient being deleted', () => {
  it('waits for the deletion and answers 404: the deleted patient keeps its manager (whose data export holds it)', async () => {
    const p = await newPatient();
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM patients WHERE id = ${p} FOR UPDATE`,
      () => t.http.put('/users/patients/unlink').set(t.auth(admin)).send({ id_patients: p }),
      (tx) => tx.patient.update({ where: { id: p }, data: { deleted_at: new Date() } }),
    );
    expect(res.status).toBe(404);
    expect((await t.app.db.patient.findUniqueOrThrow({ where: { id: p } })).id_users).toBe(before.id);
    expect(await t.app.db.log.count({ where: { action: 'unlink', resource_id: String(p) } })).toBe(0);
    const exported = await t.http.get('/users/data/export').set(t.auth(before));
    expect(exported.body.export.patients.map((x: { id: number }) => x.id)).toContain(p);
  });
});
