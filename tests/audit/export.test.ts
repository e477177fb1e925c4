import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../src/generated/prisma/client.js';
import { audit } from '../../src/modules/audit/audit.service.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { patientBody, threadWith } from '../patients/fixtures.js';
import { eCart, menu, stockOf } from '../commerce/fixtures.js';

let t: TestApp;
let customer: TestUser;
let other: TestUser;
let doctor: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  customer = await t.user(['CUSTOMER']);
  other = await t.user(['CUSTOMER']);
  doctor = await t.user(['DOCTOR']);
});
afterAll(() => t.close());

describe('GET /users/data/export (UU PDP access right)', () => {
  it("returns everything held about the customer and their patients, including who read their records, and nothing of others'", async () => {
    const db = t.app.db;
    const patient = await db.patient.create({ data: { id_users: customer.id, nama_lengkap_pasien: 'Pasien Satu' } });
    const othersPatient = await db.patient.create({ data: { id_users: other.id, nama_lengkap_pasien: 'Pasien Lain' } });
    await db.patientAllergy.create({ data: { id_patients: patient.id, allergies: 'Udang' } });
    await db.patientAllergy.create({ data: { id_patients: patient.id, allergies: 'Debu', deleted_at: new Date() } });
    await db.patientAllergy.create({ data: { id_patients: othersPatient.id, allergies: 'Kacang-lain' } });
    await db.patientRekamMedis.create({ data: { id_patients: patient.id, tanggal_konsul: new Date(Date.UTC(2026, 0, 5)), keluhan: 'Gatal', diagnosa: 'Dermatitis' } });
    await db.patientRekamMedis.create({ data: { id_patients: othersPatient.id, tanggal_konsul: new Date(Date.UTC(2026, 0, 5)), diagnosa: 'Diagnosa-lain' } });
    await db.userDeviceToken.create({ data: { id_users: customer.id, device_token: 'device-token-of-customer-123' } });
    await db.userDeviceToken.create({ data: { id_users: other.id, device_token: 'device-token-of-other-12345' } });
    await db.passwordReset.create({ data: { id_users: customer.id, channel: 'email', token_hash: 'f'.repeat(64), expires_at: new Date() } });
    await db.messageOutbox.create({ data: { channel: 'email', recipient: 'x@example.com', body: 'secret link', id_users: customer.id } });
    const doctorsRequest = { ip: '10.9.8.7', headers: { 'user-agent': 'doctor-device-agent' } } as never;
    await audit(t.app, { user: { id: doctor.id, roles: ['DOCTOR'] }, action: 'read', resource: 'patient_rekam_medis', resourceId: 7, patientId: patient.id, req: doctorsRequest });
    await audit(t.app, { user: { id: doctor.id, roles: ['DOCTOR'] }, action: 'read', resource: 'patient_rekam_medis', resourceId: 8, patientId: othersPatient.id });

    const res = await t.http.get('/users/data/export').set(t.auth(customer));
    expect(res.status).toBe(200);
    const data = res.body.export;
    expect(data.users).toMatchObject({ id: customer.id, username: customer.username });
    // the patients' health data in the API's own (documented, clinically marked) shapes, soft-deleted rows included
    expect(data.patients).toMatchObject([{ id: patient.id, nama_lengkap_pasien: 'Pasien Satu', deleted: null }]);
    expect(data.patient_allergies).toMatchObject([
      { id_patients: patient.id, allergies: 'Udang', deleted: null },
      { id_patients: patient.id, allergies: 'Debu', deleted: expect.any(String) },
    ]);
    expect(data.patient_rekam_medis).toMatchObject([{ id_patients: patient.id, tanggal_konsul: '2026-01-05', keluhan: 'Gatal', diagnosa: 'Dermatitis' }]);
    expect(data.tables.UserDeviceToken).toMatchObject([{ device_token: 'device-token-of-customer-123' }]);
    expect(data.tables.UserRole).toMatchObject([{ role_codes: 'CUSTOMER' }]);
    expect(data.medical_record_access).toMatchObject([{ id_users: doctor.id, role: 'DOCTOR', id_patients: patient.id, resource_id: '7' }]);
    expect(data.tables.MessageOutbox[0].body).toBe('');
    expect(data.tables.PasswordReset).toHaveLength(1);

    const text = JSON.stringify(res.body);
    expect(text).not.toMatch(/password_hash|token_hash|\$2[aby]\$|secret link|ffffffffffffffff/);
    expect(text).not.toContain('Pasien Lain');
    expect(text).not.toContain('device-token-of-other');
    expect(text).not.toMatch(/Kacang-lain|Diagnosa-lain/);
    // who read the records and when, but not the reader's network address or device
    expect(data.medical_record_access[0]).toMatchObject({ ip: null, user_agent: null });
    expect(text).not.toMatch(/10\.9\.8\.7|doctor-device-agent/);

    // complete: every table with a user or patient column is in the export
    const ns = Prisma as unknown as Record<string, Record<string, string>>;
    const expected = Object.values(Prisma.ModelName).filter(
      (m) => m !== 'User' && Object.values(ns[`${m}ScalarFieldEnum`] ?? {}).some((c) => ['id_users', 'id_member', 'id_patients', 'id_user_from', 'id_user_to'].includes(c)),
    );
    const sections = { Patient: 'patients', PatientAllergy: 'patient_allergies', PatientRekamMedis: 'patient_rekam_medis' } as Record<string, string>;
    const exported = [...Object.keys(data.tables), ...Object.keys(sections).filter((m) => Array.isArray(data[sections[m]!]))];
    expect(exported.sort()).toEqual(expect.arrayContaining(expected.sort()));
    expect(res.headers['cache-control']).toContain('no-store');
    expect(await db.log.count({ where: { action: 'data_export', id_users: customer.id } })).toBe(1);
  });

  // A list read covering several patients names them in details.patients only (id_patients is set
  // when it covers one): it used to be missing from the export of each of those patients' managers.
  it("includes a doctor's list read that covered the customer's patient together with someone else's, naming only the customer's", async () => {
    const mine = (await t.http.post('/patients/create').set(t.auth(customer)).send(patientBody({ nama_lengkap_pasien: 'Mine' }))).body.patients.id;
    const theirs = (await t.http.post('/patients/create').set(t.auth(other)).send(patientBody({ nama_lengkap_pasien: 'Theirs' }))).body.patients.id;
    await threadWith(t, doctor, mine, customer.id);
    await threadWith(t, doctor, theirs, other.id);
    const recordIds: Record<number, number> = {};
    for (const p of [mine, theirs]) {
      const res = await t.http.post('/patient_rekam_medis/create').set(t.auth(doctor)).send({ id_patients: p, tanggal_konsul: '2026-01-05', diagnosa: 'Dx' });
      expect(res.status).toBe(200);
      recordIds[p] = res.body.patient_rekam_medis.id;
    }
    const list = await t.http.post('/patient_rekam_medis/explore').set(t.auth(doctor)).send({});
    expect(list.body.data.map((r: any) => r.id_patients).sort()).toEqual([mine, theirs].sort());

    const exp = await t.http.get('/users/data/export').set(t.auth(customer));
    expect(exp.status).toBe(200);
    const reads = exp.body.export.medical_record_access.filter((l: any) => l.id_users === doctor.id && l.action === 'list' && l.resource === 'patient_rekam_medis');
    expect(reads).toHaveLength(1);
    // the other patient read in the same request is someone else's: neither it nor its record is named
    expect(reads[0]).toMatchObject({ id_patients: null, details: { patients: [mine], ids: [recordIds[mine]] } });
    // the other manager's export has the same read, with their patient only
    const others = (await t.http.get('/users/data/export').set(t.auth(other))).body.export.medical_record_access;
    expect(others.filter((l: any) => l.id_users === doctor.id && l.action === 'list')).toMatchObject([{ details: { patients: [theirs], ids: [recordIds[theirs]] } }]);
  });

  // the suite's clinical-data check treats a soft-deleted patient as unreadable, except in its manager's own export
  it("includes the customer's soft-deleted patient with its data", async () => {
    const gone = await t.app.db.patient.create({ data: { id_users: customer.id, nama_lengkap_pasien: 'Dihapus', catatan: 'Riwayat psoriasis', deleted_at: new Date() } });
    const res = await t.http.get('/users/data/export').set(t.auth(customer));
    expect(res.status).toBe(200);
    expect(res.body.export.patients.find((p: any) => p.id === gone.id)).toMatchObject({ catatan: 'Riwayat psoriasis', deleted: expect.any(String) });
  });

  // Every exported order and thread used to be a parent, so after staff moved a patient to another
  // account the new manager's export carried the previous manager's points, payments and messages.
  it("after a patient moves to another account, carries the patient's old order and thread but not the previous manager's rows of them", async () => {
    const db = t.app.db;
    const admin = await t.user(['ADMIN']);
    const prev = await t.user(['CUSTOMER']);
    const next = await t.user(['CUSTOMER']);
    const pid = (await t.http.post('/patients/create').set(t.auth(prev)).send(patientBody({ nama_lengkap_pasien: 'Pindah' }))).body.patients.id;
    const init = await t.http.post('/orders/init').set(t.auth(prev)).send({ id_patients: pid, order_type: 'E' });
    expect(init.status).toBe(200);
    const orderId = init.body.orders.id;
    await db.userPoint.create({ data: { id_users: prev.id, id_orders: orderId, add_point: 777, remaining_point: 777, usecase: 'earn-of-previous-manager' } });
    const thread = await threadWith(t, doctor, pid, prev.id);
    await db.threadMessage.create({ data: { id_threads: thread.id, id_user_from: prev.id, id_user_to: doctor.id, content_type: 'text', content: 'message-of-previous-manager' } });
    expect((await t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: next.id, id_patients: pid })).status).toBe(200);
    // the new manager's own order still brings its own child rows
    const ownOrder = (await t.http.post('/orders/init').set(t.auth(next)).send({ id_patients: pid, order_type: 'C' })).body.orders.id;
    await db.userPoint.create({ data: { id_users: prev.id, id_orders: ownOrder, add_point: 5, remaining_point: 5, usecase: 'row-of-own-order' } });

    const res = await t.http.get('/users/data/export').set(t.auth(next));
    expect(res.status).toBe(200);
    const tables = res.body.export.tables;
    // the rows that concern the patient stay
    expect(tables.Order.map((o: any) => o.id).sort()).toEqual([orderId, ownOrder].sort());
    // without the previous manager's own contact details (the new manager's own order keeps theirs)
    const old = tables.Order.find((o: any) => o.id === orderId);
    expect([old.nama_pemesan, old.notelp_pemesan, old.email_pemesan, old.alamat_pemesan]).toEqual(['', '', '', '']);
    expect(tables.Order.find((o: any) => o.id === ownOrder).email_pemesan).not.toBe('');
    expect(tables.Thread.map((r: any) => r.id)).toEqual([thread.id]);
    // the previous manager's rows of that order and thread do not
    expect((tables.UserPoint ?? []).map((r: any) => r.usecase)).toEqual(['row-of-own-order']);
    expect(JSON.stringify(tables.ThreadMessage ?? [])).not.toContain('message-of-previous-manager');
  });

  // What a message says is its thread patient's health data: the API no longer gives it to a customer
  // whose patient staff moved to another account (threads/:id messages 404), and neither may the export.
  it("after staff move a patient to another account, the previous manager's export carries the thread but not its messages", async () => {
    const admin = await t.user(['ADMIN']);
    const prev = await t.user(['CUSTOMER']);
    const next = await t.user(['CUSTOMER']);
    const pid = (await t.http.post('/patients/create').set(t.auth(prev)).send(patientBody({ nama_lengkap_pasien: 'Pindah-2' }))).body.patients.id;
    const thread = await threadWith(t, doctor, pid, prev.id);
    await t.app.db.threadMessage.create({ data: { id_threads: thread.id, id_user_from: doctor.id, id_user_to: prev.id, content_type: 'text', content: 'diagnosis-psoriasis-after-move' } });
    const before = await t.http.get('/users/data/export').set(t.auth(prev));
    expect(JSON.stringify(before.body.export.tables.ThreadMessage)).toContain('diagnosis-psoriasis-after-move');
    expect((await t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: next.id, id_patients: pid })).status).toBe(200);
    await t.app.db.threadMessage.create({ data: { id_threads: thread.id, id_user_from: prev.id, id_user_to: doctor.id, content_type: 'text', content: 'own-question-after-move' } });
    // the API refuses the messages now
    expect((await t.http.post('/thread_messages/explore').set(t.auth(prev)).send({ id_threads: thread.id })).status).toBe(404);

    const res = await t.http.get('/users/data/export').set(t.auth(prev));
    expect(res.status).toBe(200);
    expect(res.body.export.tables.Thread.map((r: any) => r.id)).toContain(thread.id);
    expect(JSON.stringify(res.body.export.tables.ThreadMessage ?? [])).not.toMatch(/diagnosis-psoriasis-after-move|own-question-after-move/);
    // the doctor (still in the thread, a DOCTOR) keeps them
    expect(JSON.stringify((await t.http.get('/users/data/export').set(t.auth(doctor))).body.export.tables.ThreadMessage)).toContain('diagnosis-psoriasis-after-move');
  });

  // order_items name their order in `id_order` (not `id_orders`, as the other child tables): the lines
  // of the customer's own orders were missing from the export.
  it("carries the lines of the customer's own orders, not those of someone else's", async () => {
    const buyer = await t.user(['CUSTOMER']);
    const m = await menu(t, { nama_menus: 'Krim-ekspor-milik-pembeli' });
    const n = await menu(t, { nama_menus: 'Krim-orang-lain' });
    await stockOf(t, m.id, 5);
    await stockOf(t, n.id, 5);
    const orderId = await eCart(t, buyer, [{ id_menu: m.id, qty: 2 }]);
    await eCart(t, other, [{ id_menu: n.id, qty: 1 }]);
    const res = await t.http.get('/users/data/export').set(t.auth(buyer));
    expect(res.status).toBe(200);
    expect(res.body.export.tables.OrderItem).toMatchObject([{ id_order: orderId, id_menu: m.id, qty: 2 }]);
    expect(JSON.stringify(res.body)).not.toContain('Krim-orang-lain');
  });

  it('needs a signed-in user', async () => {
    expect((await t.http.get('/users/data/export')).status).toBe(401);
  });
});
