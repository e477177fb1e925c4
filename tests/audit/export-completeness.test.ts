import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../src/generated/prisma/client.js';
import { signToken } from '../../src/http/authenticate.js';
import { audit } from '../../src/modules/audit/audit.service.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { doctor as makeDoctor, menu, promotion, stockOf } from '../commerce/fixtures.js';

// users/data/export (UU PDP access right) against the data model: every table that holds a person's
// data, found from the schema (a relation to users or patients, or to such a table: an order's lines, a
// thread's messages), either appears in the export with the person's rows and nobody else's, or is
// named below as left out, with the reason. A table added later without that decision fails here.

/** relations `field Model @relation(fields: [...])` per model, read from prisma/schema/*.prisma */
function relations(): { model: string; target: string; columns: string[] }[] {
  const dir = path.resolve('prisma/schema');
  const text = readdirSync(dir)
    .filter((f) => f.endsWith('.prisma'))
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
  const out: { model: string; target: string; columns: string[] }[] = [];
  for (const [, model, body] of text.matchAll(/^model (\w+) \{\n([\s\S]*?)^\}/gm)) {
    for (const [, target, cols] of body!.matchAll(/^\s*\w+\s+(\w+)\??\s+@relation\([^)]*fields: \[([^\]]*)\]/gm)) {
      out.push({ model: model!, target: target!, columns: cols!.split(',').map((c) => c.trim()) });
    }
  }
  return out;
}

/** the models holding a person's data: tied to User or Patient, directly or through such a model */
function personalModels(): string[] {
  const rels = relations();
  const found = new Set(['User', 'Patient']);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of rels) if (found.has(r.target) && !found.has(r.model)) (found.add(r.model), (grew = true));
  }
  // tables without foreign keys on purpose (the audit log) that name a user or patient by column
  const ns = Prisma as unknown as Record<string, Record<string, string>>;
  for (const m of Object.values(Prisma.ModelName)) {
    if (Object.values(ns[`${m}ScalarFieldEnum`] ?? {}).some((c) => ['id_users', 'id_patients'].includes(c))) found.add(m);
  }
  return [...found].sort();
}

/** the export's columns that make a row the user's or their patient's (src/modules/audit/export.ts) */
const EXPORT_COLUMNS = ['id_users', 'id_member', 'id_user_from', 'id_user_to', 'id_patients'];

/** a user's column the export deliberately does not follow: the person acted on the row, the row is someone else's */
const ACTOR_COLUMNS: Record<string, string> = {
  'Order.id_admin': "the staff member who handled a customer's order: the order is the customer's data",
  'PatientRekamMedis.verified_iduser': "the doctor who verified a patient's record: the record is the patient's health data",
  'PatientRekamMedis.created_by_iduser': "the author of a patient's record: the record is the patient's health data",
};

/** tables tied to a person but deliberately not exported */
const LEFT_OUT: Record<string, string> = {
  DoctorService: "the clinic's public catalogue (what a doctor offers, doctor_services reads), not the person's data; following id_doctors would also pull in other people's appointments and orders",
  Schedule: "a doctor's practice hours: the clinic's public catalogue",
  DoctorSchedule: "a doctor's bookable slots: the clinic's public catalogue",
};

/** the account itself and its patients' health data are sections of their own */
const SECTIONS: Record<string, string> = { User: 'users', Patient: 'patients', PatientAllergy: 'patient_allergies', PatientRekamMedis: 'patient_rekam_medis' };
/** exported for a doctor's own account (their profile), built for the doctor below */
const DOCTORS: Record<string, true> = { Doctor: true };

let t: TestApp;
let customer: TestUser;
let other: TestUser;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  customer = await t.user(['CUSTOMER']);
  other = await t.user(['CUSTOMER']);
  admin = await t.user(['ADMIN']);
});
afterAll(() => t.close());

const signFor = (id: number) => signToken(t.app, { id, token_version: 0, roles: ['DOCTOR'] });

type Built = Record<string, number[]>;

/** one row (at least) of every exported kind for `u`, each carrying `tag`; answers the ids by model */
async function build(u: TestUser, tag: string, shared: Awaited<ReturnType<typeof sharedRows>>, day: string): Promise<Built> {
  const db = t.app.db;
  const b: Built = {};
  const add = (model: string, id: number) => (b[model] ??= []).push(id);
  add('UserRole', (await db.userRole.findFirstOrThrow({ where: { id_users: u.id } })).id);
  add('UserDepartment', (await db.userDepartment.create({ data: { id_users: u.id, id_departments: shared.department.id } })).id);
  add('UserDeviceToken', (await db.userDeviceToken.create({ data: { id_users: u.id, device_token: `device-${tag}-0123456789` } })).id);
  add('PasswordReset', (await db.passwordReset.create({ data: { id_users: u.id, channel: 'email', token_hash: `${tag}`.padEnd(64, 'e'), expires_at: new Date() } })).id);
  add('MessageOutbox', (await db.messageOutbox.create({ data: { channel: 'email', recipient: `${tag}@example.com`, body: `secret link ${tag}`, purpose: 'password_recovery', id_users: u.id } })).id);
  const note = await db.notification.create({ data: { id_user_to: u.id, title: `note ${tag}` } });
  add('Notification', note.id);
  add('PushDelivery', (await db.pushDelivery.create({ data: { id_notifications: note.id, id_users: u.id, device_token: `device-${tag}-0123456789` } })).id);
  const patient = await db.patient.create({ data: { id_users: u.id, nama_lengkap_pasien: `Pasien ${tag}` } });
  add('Patient', patient.id);
  add('PatientAllergy', (await db.patientAllergy.create({ data: { id_patients: patient.id, allergies: `alergi ${tag}` } })).id);
  add('PatientRekamMedis', (await db.patientRekamMedis.create({ data: { id_patients: patient.id, tanggal_konsul: new Date(day), diagnosa: `diagnosa ${tag}` } })).id);
  const time = (h: number) => new Date(Date.UTC(1970, 0, 1, h));
  add(
    'UserSchedule',
    (
      await db.userSchedule.create({
        data: {
          id_doctors: shared.doctor.id, id_services: shared.service.id, id_doctor_schedules: shared.slot.id, id_users: u.id, id_patients: patient.id,
          hari: 'Senin', tanggal: new Date(day), jam: time(9), jam_selesai: time(10),
        },
      })
    ).id,
  );
  const order = await db.order.create({ data: { order_type: 'E', id_member: u.id, id_patients: patient.id, nama_pemesan: `pemesan ${tag}` } });
  add('Order', order.id);
  const item = await db.orderItem.create({ data: { id_order: order.id, id_menu: shared.menu.id, qty: 1, price: 100, price_total: 100 } });
  add('OrderItem', item.id);
  add('OrderExtra', (await db.orderExtra.create({ data: { id_orders: order.id, id_doctors: shared.doctor.id } })).id);
  add('CourierQuote', (await db.courierQuote.create({ data: { id_orders: order.id, courier: 'jne', service: 'REG', cost: 1, weight: 1, expires_at: new Date() } })).id);
  add('OrderPayment', (await db.orderPayment.create({ data: { id_orders: order.id, attempt: 1, midtrans_order_id: `MT-${tag}`, gross_amount: 100 } })).id);
  add(
    'PaymentNotification',
    (
      await db.paymentNotification.create({
        data: { id_orders: order.id, order_id: `MT-${tag}`, transaction_id: `tx-${tag}`, transaction_status: 'settlement', raw: { order_id: `MT-${tag}`, signature_key: `signed-${tag}-with-server-key` } },
      })
    ).id,
  );
  add('StockMovement', (await db.stockMovement.create({ data: { idstock: shared.stock.id, delta: -1, quantity_after: 4, reason: 'checkout', id_orders: order.id } })).id);
  add('PromotionUsage', (await db.promotionUsage.create({ data: { id_promotions: shared.promotion.id, id_users: u.id, id_orders: order.id } })).id);
  const lot = await db.userPoint.create({ data: { id_users: u.id, add_point: 10, remaining_point: 5, usecase: 'admin-adjust' } });
  const spending = await db.userPoint.create({ data: { id_users: u.id, id_orders: order.id, use_point: 5, usecase: 'order-use' } });
  add('UserPoint', lot.id);
  add('UserPoint', spending.id);
  add('UserPointConsumption', (await db.userPointConsumption.create({ data: { id_spending: spending.id, id_lot: lot.id, amount: 5 } })).id);
  add('UserPointBalance', (await db.userPointBalance.create({ data: { id_users: u.id, balance: 5 } })).id);
  add('Rating', (await db.rating.create({ data: { id_orders: order.id, id_users: u.id, ratings: 5 } })).id);
  const thread = await db.thread.create({ data: { id_user_from: u.id, id_user_to: shared.doctorUser.id, id_patients: patient.id, id_order: order.id } });
  add('Thread', thread.id);
  const message = await db.threadMessage.create({ data: { id_threads: thread.id, id_user_from: u.id, id_user_to: shared.doctorUser.id, content_type: 'text', content: `pesan ${tag}` } });
  add('ThreadMessage', message.id);
  add(
    'MenuReedem',
    (await db.menuReedem.create({ data: { id_thread_messages: message.id, id_threads: thread.id, id_menu: shared.menu.id, id_orders: order.id, id_order_items: item.id, id_users: u.id, qty: 1 } })).id,
  );
  add('PrescriptionRequest', (await db.prescriptionRequest.create({ data: { id_users: u.id, id_menu: shared.menu.id, request_date: new Date(day), id_threads: thread.id } })).id);
  // the user's own entry, and what staff did to the account and to the user's order
  const staff = { id: admin.id, roles: ['ADMIN'] as never };
  for (const entry of [
    { user: { id: u.id, roles: ['CUSTOMER'] as never }, action: 'login', resource: 'users', resourceId: u.id },
    { user: staff, action: 'POST /users/:id/update', resource: 'users', resourceId: u.id },
    { user: staff, action: 'POST /orders/:id/paid', resource: 'orders', resourceId: order.id },
  ]) {
    add('Log', (await audit(t.app, entry)).id);
  }
  return b;
}

async function sharedRows() {
  const db = t.app.db;
  const department = await db.department.create({ data: { department_name: 'Dept', department_codes: `D${Date.now() % 1e6}` } });
  const service = await db.service.create({ data: { services_name: 'Konsultasi' } });
  const doctor = await makeDoctor(t);
  const doctorUser = { id: doctor.id_users };
  const doctorService = await db.doctorService.create({ data: { id_doctors: doctor.id, id_services: service.id } });
  const time = (h: number) => new Date(Date.UTC(1970, 0, 1, h));
  const slot = await db.doctorSchedule.create({ data: { id_doctors: doctor.id, id_doctor_services: doctorService.id, id_services: service.id, hari: 'Senin', jam: time(9), jam_selesai: time(10) } });
  const m = await menu(t);
  const stock = await stockOf(t, m.id, 5);
  return { department, service, doctor, doctorUser, slot, menu: m, stock, promotion: await promotion(t) };
}

describe('users/data/export is complete against the data model', () => {
  it('every user or patient column of the schema is one the export follows, or named as an actor column', () => {
    const cols = relations()
      .filter((r) => r.target === 'User' || r.target === 'Patient')
      .flatMap((r) => r.columns.map((c) => `${r.model}.${c}`));
    expect(cols.filter((c) => !EXPORT_COLUMNS.includes(c.split('.')[1]!) && !(c in ACTOR_COLUMNS))).toEqual([]);
  });

  it("carries a row of every table holding the person's data, none of another person's, and no secret", async () => {
    const shared = await sharedRows();
    const mine = await build(customer, 'mine-x1', shared, '2026-01-05');
    const theirs = await build(other, 'theirs-x2', shared, '2026-01-12');
    const res = await t.http.get('/users/data/export').set(t.auth(customer));
    expect(res.status).toBe(200);
    const data = res.body.export;

    const expected = personalModels().filter((m) => !(m in LEFT_OUT) && !(m in DOCTORS));
    for (const model of expected) {
      const rows: { id: number }[] = model === 'User' ? [data.users] : SECTIONS[model] ? data[SECTIONS[model]!] : data.tables[model];
      const ids = (rows ?? []).map((r) => r.id);
      if (model === 'User') {
        expect(ids, model).toEqual([customer.id]);
        continue;
      }
      expect(mine[model], `no ${model} row built: decide whether the export carries it`).toBeDefined();
      expect(ids, model).toEqual(expect.arrayContaining(mine[model]!));
      expect(ids.filter((id) => theirs[model]?.includes(id)), model).toEqual([]);
    }
    // what staff did to the account and the order, with who did it but not their network address or device
    expect(data.tables.Log).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id_users: admin.id, resource: 'users', resource_id: String(customer.id), ip: null, user_agent: null }),
        expect.objectContaining({ id_users: admin.id, resource: 'orders', resource_id: String(mine.Order![0]) }),
      ]),
    );
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('theirs-x2');
    expect(text).not.toMatch(/password_hash|token_hash|signature_key|with-server-key|secret link|\$2[aby]\$/);
    expect(data.tables.PaymentNotification[0].raw).toEqual({ order_id: 'MT-mine-x1' });

    // the doctor's own profile, in the doctor's export
    const doc = await t.http.get('/users/data/export').set(t.auth({ ...customer, token: signFor(shared.doctor.id_users) }));
    expect(doc.status).toBe(200);
    for (const model of Object.keys(DOCTORS)) expect(doc.body.export.tables[model], model).toMatchObject([{ id: shared.doctor.id }]);
    expect(JSON.stringify(doc.body.export.tables.Doctor)).not.toMatch(/mine-x1|theirs-x2/);
  });
});
