import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { on } from '../../src/lib/events.js';
import { verifyAuditChain } from '../../src/modules/audit/audit.service.js';
import { appointmentWith, patientBody, threadWith } from './fixtures.js';

let t: TestApp;
let admin: TestUser;
let customer: TestUser;
let other: TestUser;
let doctor: TestUser;
let stranger: TestUser;
let patientId: number;
const verifiedEvents: { recordId: number; patientId: number }[] = [];

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
  other = await t.user(['CUSTOMER']);
  doctor = await t.user(['DOCTOR']);
  stranger = await t.user(['DOCTOR']);
  patientId = (await t.http.post('/patients/create').set(t.auth(customer)).send(patientBody({ nama_lengkap_pasien: 'Mildi Ghanesa MK2' }))).body.patients.id;
  await appointmentWith(t, doctor, patientId, customer.id);
  on('medical_record.verified', async (_app, payload) => {
    verifiedEvents.push(payload);
  });
});
afterAll(() => t.close());

const record = { tanggal_konsul: '21/03/2023', keluhan: 'Sakit perut melilit', diagnosa: 'GERD AKUT', catatan_kaki: 'Periksa lab' };
const createRecord = (u: TestUser, extra: Record<string, unknown> = {}) =>
  t.http.post('/patient_rekam_medis/create').set(t.auth(u)).set('User-Agent', 'records-test').send({ id_patients: String(patientId), ...record, ...extra });
const logs = (where: Record<string, unknown>) => t.app.db.log.findMany({ where, orderBy: { seq: 'asc' } });

describe('patient_rekam_medis create/get/lists', () => {
  it('a doctor of the patient writes a record in the documented shape; the author is kept', async () => {
    const res = await createRecord(doctor);
    expect(res.status).toBe(200);
    expect(res.body.patient_rekam_medis).toMatchObject({
      patients: { id: patientId, id_users: customer.id, nama: 'Mildi Ghanesa MK2', tanggal_lahir: '1992-12-31', jenis_kelamin: 'L' },
      tanggal_konsul: '2023-03-21',
      keluhan: 'Sakit perut melilit',
      diagnosa: 'GERD AKUT',
      catatan_kaki: 'Periksa lab',
      is_verified: 0,
      verified_iduser: 0,
    });
    expect(res.body.patient_rekam_medis.verified_user.username).toBeNull();
    // the document's unverified sample: every field null but users_picture_url, a string (as threads' blank users)
    expect(typeof res.body.patient_rekam_medis.verified_user.users_picture_url).toBe('string');
    const row = await t.app.db.patientRekamMedis.findUniqueOrThrow({ where: { id: res.body.patient_rekam_medis.id } });
    expect(row.created_by_iduser).toBe(doctor.id);
    const entries = await logs({ resource: 'patient_rekam_medis', action: 'create' });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ id_users: doctor.id, role: 'DOCTOR', id_patients: patientId, resource_id: String(row.id), user_agent: 'records-test' });
    expect(entries[0]!.ip).toBeTruthy();
  });

  it('refuses a doctor without a link to the patient, customers, and bad input', async () => {
    expect((await createRecord(stranger)).status).toBe(404);
    expect((await createRecord(customer)).status).toBe(403);
    const bad = await createRecord(admin, { tanggal_konsul: '2023-13-01' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('tanggal_konsul');
  });

  it('the customer reads their patient\'s records read-only; others get 404; every read is audited once', async () => {
    const id = (await createRecord(admin, { keluhan: 'Gatal' })).body.patient_rekam_medis.id;
    const before = await t.app.db.log.count();
    const own = await t.http.get(`/patient_rekam_medis/${id}`).set(t.auth(customer));
    expect(own.status).toBe(200);
    expect(own.body.patient_rekam_medis.keluhan).toBe('Gatal');
    expect((await t.http.get(`/patient_rekam_medis/${id}`).set(t.auth(other))).status).toBe(404);
    expect((await t.http.get(`/patient_rekam_medis/${id}`).set(t.auth(stranger))).status).toBe(404);
    expect((await t.http.put(`/patient_rekam_medis/${id}/update`).set(t.auth(customer)).send({ keluhan: 'x' })).status).toBe(403);

    const explore = await t.http.post('/patient_rekam_medis/explore?page=1&length=10').set(t.auth(customer)).send({ id_patients: String(patientId) });
    expect(explore.status).toBe(200);
    expect(explore.body.totaldata).toBe(2);
    expect(explore.body.data[0]).toMatchObject({ id_patients: patientId, tanggal_konsul: '2023-03-21', is_verified: 0, verified_iduser: 0 });
    const foreign = await t.http.post('/patient_rekam_medis/search').set(t.auth(other)).send({ id_patients: patientId });
    expect(foreign.body.patient_rekam_medis).toEqual([]);
    const table = await t.http.post('/patient_rekam_medis/table').set(t.auth(doctor)).send({ draw: 1, start: 0, length: 10, id_patients: patientId, 'order[0][column]': 0, 'order[0][dir]': 'asc' });
    expect(table.body.recordsFiltered).toBe(2);
    expect(table.body.data[0]).toHaveLength(8);
    expect(table.body.data[0][2]).toBe('2023-03-21');

    // one entry per request (the 404s wrote nothing; the 403 never reached the handler)
    const entries = await t.app.db.log.findMany({ where: { seq: { gt: before } }, orderBy: { seq: 'asc' } });
    expect(entries.map((e) => [e.action, e.id_users, e.id_patients])).toEqual([
      ['read', customer.id, patientId],
      ['list', customer.id, patientId],
      ['list', other.id, null],
      ['list', doctor.id, patientId],
    ]);
    expect(entries[0]!.ip).toBeTruthy();
    expect(await verifyAuditChain(t.app.db)).toMatchObject({ ok: true });
  });
});

describe('verify, lock, unverify, corrections', () => {
  it('verify locks the record: no update, no delete; a correction points to it', async () => {
    const id = (await createRecord(doctor)).body.patient_rekam_medis.id;
    const upd = await t.http.put(`/patient_rekam_medis/${id}/update`).set(t.auth(doctor)).send({ id_patients: String(patientId), ...record, keluhan: 'Sakit perut dan diare' });
    expect(upd.status).toBe(200);
    expect(upd.body.patient_rekam_medis.keluhan).toBe('Sakit perut dan diare');

    const v = await t.http.put(`/patient_rekam_medis/${id}/verify`).set(t.auth(doctor)).send({ catatan_kaki: 'Periksa lab ulang' });
    expect(v.body).toEqual({ verify: true });
    const row = await t.app.db.patientRekamMedis.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ is_verified: 1, verified_iduser: doctor.id, catatan_kaki: 'Periksa lab ulang' });
    expect(row.verified_at).not.toBeNull();
    expect(verifiedEvents).toContainEqual({ recordId: id, patientId });
    const detail = await t.http.get(`/patient_rekam_medis/${id}`).set(t.auth(customer));
    expect(detail.body.patient_rekam_medis).toMatchObject({ is_verified: 1, verified_user: { id: doctor.id, username: doctor.username } });
    // the verifier's own contact data and account state are the verifier's and the staff's only (the public view doctors/:id gives)
    const verifier = await t.app.db.user.findUniqueOrThrow({ where: { id: doctor.id } });
    expect(detail.body.patient_rekam_medis.verified_user).toMatchObject({ users_fullname: verifier.users_fullname, users_email: '', users_phone: '', users_address: '', users_birthday: null });
    for (const reader of [admin, doctor]) {
      const whole = await t.http.get(`/patient_rekam_medis/${id}`).set(t.auth(reader));
      expect(whole.body.patient_rekam_medis.verified_user).toMatchObject({ users_email: verifier.users_email, users_phone: verifier.users_phone });
    }

    expect((await t.http.put(`/patient_rekam_medis/${id}/verify`).set(t.auth(admin)).send({})).status).toBe(409);
    expect((await t.http.put(`/patient_rekam_medis/${id}/update`).set(t.auth(admin)).send({ keluhan: 'changed' })).status).toBe(409);
    expect((await t.http.delete(`/patient_rekam_medis/${id}/delete`).set(t.auth(admin))).status).toBe(409);
    expect((await t.app.db.patientRekamMedis.findUniqueOrThrow({ where: { id } })).keluhan).toBe('Sakit perut dan diare');

    const fix = await createRecord(doctor, { id_rekam_medis_asal: id, jenis_perubahan: 'ADENDUM', keluhan: 'Tambahan: mual' });
    expect(fix.status).toBe(200);
    expect(fix.body.patient_rekam_medis).toMatchObject({ id_rekam_medis_asal: id, jenis_perubahan: 'ADENDUM', is_verified: 0 });
    const fixes = await t.http.post('/patient_rekam_medis/search').set(t.auth(admin)).send({ id_rekam_medis_asal: id });
    expect(fixes.body.patient_rekam_medis.map((r: { id: number }) => r.id)).toEqual([fix.body.patient_rekam_medis.id]);

    // a correction must concern the same patient
    const otherPatient = (await t.http.post('/patients/create').set(t.auth(admin)).send(patientBody({ nama_lengkap_pasien: 'Someone' }))).body.patients.id;
    const wrong = await t.http.post('/patient_rekam_medis/create').set(t.auth(admin)).send({ id_patients: otherPatient, ...record, id_rekam_medis_asal: id });
    expect(wrong.status).toBe(422);
  });

  it('concurrent update and verify: the record never changes after it is verified', async () => {
    for (let i = 0; i < 3; i++) {
      const id = (await createRecord(admin)).body.patient_rekam_medis.id;
      const results = await Promise.all([
        t.http.put(`/patient_rekam_medis/${id}/verify`).set(t.auth(admin)).send({}),
        ...Array.from({ length: 4 }, (_, k) => t.http.put(`/patient_rekam_medis/${id}/update`).set(t.auth(admin)).send({ keluhan: `edit ${k}` })),
      ]);
      expect(results[0]!.status).toBe(200);
      const row = await t.app.db.patientRekamMedis.findUniqueOrThrow({ where: { id } });
      const accepted = results.slice(1).filter((r) => r.status === 200);
      expect(results.slice(1).every((r) => r.status === 200 || r.status === 409)).toBe(true);
      // whatever won before the verification is what stays; later edits were refused
      if (accepted.length === 0) expect(row.keluhan).toBe(record.keluhan);
      else expect(accepted.map((r) => r.body.patient_rekam_medis.keluhan)).toContain(row.keluhan);
    }
  });

  it('parallel verifications: exactly one wins, one audit entry, one event', async () => {
    const id = (await createRecord(admin)).body.patient_rekam_medis.id;
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => t.http.put(`/patient_rekam_medis/${id}/verify`).set(t.auth(i % 2 ? doctor : admin)).send({})));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(5);
    expect(await logs({ resource: 'patient_rekam_medis', action: 'verify', resource_id: String(id) })).toHaveLength(1);
    expect(verifiedEvents.filter((e) => e.recordId === id)).toHaveLength(1);
  });

  it('unverify is a doctor or admin act with a reason, audited', async () => {
    const id = (await createRecord(admin)).body.patient_rekam_medis.id;
    expect((await t.http.put(`/patient_rekam_medis/${id}/unverify`).set(t.auth(admin)).send({ catatan_kaki: 'x' })).status).toBe(409);
    await t.http.put(`/patient_rekam_medis/${id}/verify`).set(t.auth(doctor)).send({});
    expect((await t.http.put(`/patient_rekam_medis/${id}/unverify`).set(t.auth(customer)).send({ catatan_kaki: 'x' })).status).toBe(403);
    expect((await t.http.put(`/patient_rekam_medis/${id}/unverify`).set(t.auth(stranger)).send({ catatan_kaki: 'x' })).status).toBe(404);
    expect((await t.http.put(`/patient_rekam_medis/${id}/unverify`).set(t.auth(admin)).send({})).status).toBe(400);

    const res = await t.http.put(`/patient_rekam_medis/${id}/unverify`).set(t.auth(admin)).send({ catatan_kaki: 'Salah diagnosa, perlu koreksi' });
    expect(res.body).toEqual({ unverify: true });
    expect(await t.app.db.patientRekamMedis.findUniqueOrThrow({ where: { id } })).toMatchObject({ is_verified: 0, verified_iduser: null, verified_at: null });
    const [entry] = await logs({ resource: 'patient_rekam_medis', action: 'unverify', resource_id: String(id) });
    expect(entry).toMatchObject({ id_users: admin.id, role: 'ADMIN', id_patients: patientId });
    expect(entry!.details).toMatchObject({ reason: 'Salah diagnosa, perlu koreksi', verified_iduser: doctor.id });

    // unlocked again: editable, and deletion is soft
    expect((await t.http.put(`/patient_rekam_medis/${id}/update`).set(t.auth(admin)).send({ diagnosa: 'Dermatitis' })).status).toBe(200);
    expect((await t.http.delete(`/patient_rekam_medis/${id}/delete`).set(t.auth(admin))).body).toEqual({ deleted: true });
    expect((await t.app.db.patientRekamMedis.findUniqueOrThrow({ where: { id } })).deleted_at).not.toBeNull();
    expect((await t.http.get(`/patient_rekam_medis/${id}`).set(t.auth(admin))).status).toBe(404);
  });
});

describe('deleting a record that corrections point at', () => {
  it('409 while a live correction or addendum points at it, nothing deleted; allowed once they are deleted', async () => {
    const id = (await createRecord(admin)).body.patient_rekam_medis.id;
    const fix = (await createRecord(doctor, { id_rekam_medis_asal: id, jenis_perubahan: 'KOREKSI', diagnosa: 'Dermatitis' })).body.patient_rekam_medis.id;
    const add = (await createRecord(doctor, { id_rekam_medis_asal: id, jenis_perubahan: 'ADENDUM', keluhan: 'Tambahan: mual' })).body.patient_rekam_medis.id;
    const refused = await t.http.delete(`/patient_rekam_medis/${id}/delete`).set(t.auth(admin));
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/correction/);
    expect((await t.app.db.patientRekamMedis.findUniqueOrThrow({ where: { id } })).deleted_at).toBeNull();
    expect(await logs({ resource: 'patient_rekam_medis', action: 'delete', resource_id: String(id) })).toHaveLength(0);
    // a correction itself may go; the original still has the addendum
    expect((await t.http.delete(`/patient_rekam_medis/${fix}/delete`).set(t.auth(admin))).status).toBe(200);
    expect((await t.http.delete(`/patient_rekam_medis/${id}/delete`).set(t.auth(admin))).status).toBe(409);
    expect((await t.http.delete(`/patient_rekam_medis/${add}/delete`).set(t.auth(admin))).status).toBe(200);
    // deleted corrections do not hold it
    expect((await t.http.delete(`/patient_rekam_medis/${id}/delete`).set(t.auth(admin))).body).toEqual({ deleted: true });
  });
});

describe('a doctor who only manages the patient (their own family)', () => {
  it('reads its records but does not write, change, delete or verify them, until a consultation is theirs', async () => {
    const famDoctor = await t.user(['DOCTOR']);
    const fam = await t.app.db.patient.create({ data: { id_users: famDoctor.id, nama_lengkap_pasien: 'Keluarga Dokter' } });
    const byAdmin = (await t.http.post('/patient_rekam_medis/create').set(t.auth(admin)).send({ id_patients: fam.id, ...record })).body.patient_rekam_medis.id;
    const verified = (await t.http.post('/patient_rekam_medis/create').set(t.auth(admin)).send({ id_patients: fam.id, ...record })).body.patient_rekam_medis.id;
    expect((await t.http.put(`/patient_rekam_medis/${verified}/verify`).set(t.auth(admin)).send({})).status).toBe(200);
    const as = t.auth(famDoctor);

    expect((await t.http.get(`/patient_rekam_medis/${byAdmin}`).set(as)).status).toBe(200);
    expect((await t.http.post('/patient_rekam_medis/create').set(as).send({ id_patients: fam.id, tanggal_konsul: '2026-01-02', diagnosa: 'self-diagnosed' })).status).toBe(404);
    expect((await t.http.put(`/patient_rekam_medis/${byAdmin}/update`).set(as).send({ diagnosa: 'self-diagnosed' })).status).toBe(404);
    expect((await t.http.put(`/patient_rekam_medis/${byAdmin}/verify`).set(as).send({})).status).toBe(404);
    expect((await t.http.put(`/patient_rekam_medis/${verified}/unverify`).set(as).send({ reason: 'x' })).status).toBe(404);
    expect((await t.http.delete(`/patient_rekam_medis/${byAdmin}/delete`).set(as)).status).toBe(404);
    const rows = await t.app.db.patientRekamMedis.findMany({ where: { id_patients: fam.id }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.id, r.diagnosa, r.is_verified, r.deleted_at])).toEqual([
      [byAdmin, 'GERD AKUT', 0, null],
      [verified, 'GERD AKUT', 1, null],
    ]);
    expect(await t.app.db.log.count({ where: { id_users: famDoctor.id, resource: 'patient_rekam_medis', action: { not: 'read' } } })).toBe(0);

    // a consultation addressed to them makes the patient theirs clinically
    await threadWith(t, famDoctor, fam.id, famDoctor.id);
    expect((await t.http.put(`/patient_rekam_medis/${byAdmin}/verify`).set(as).send({})).status).toBe(200);
    expect((await t.http.post('/patient_rekam_medis/create').set(as).send({ id_patients: fam.id, tanggal_konsul: '2026-01-02', diagnosa: 'Dermatitis' })).status).toBe(200);
  });
});

describe('patient_allergies', () => {
  it('CRUD in the documented shapes, scoped to the patient\'s manager; soft delete; audited', async () => {
    const res = await t.http.post('/patient_allergies/create').set(t.auth(customer)).send({ id_patients: patientId, allergies: 'seafood' });
    expect(res.status).toBe(200);
    const a = res.body.patient_allergies;
    expect(a).toMatchObject({ patients: { id: patientId, id_users: customer.id, nama_lengkap_pasien: 'Mildi Ghanesa MK2' }, allergies: 'seafood', diagnosa: '', catatan_kaki: '' });

    expect((await t.http.post('/patient_allergies/create').set(t.auth(other)).send({ id_patients: patientId, allergies: 'x' })).status).toBe(404);
    expect((await t.http.get(`/patient_allergies/${a.id}`).set(t.auth(other))).status).toBe(404);
    expect((await t.http.get(`/patient_allergies/${a.id}`).set(t.auth(doctor))).status).toBe(200);
    expect((await t.http.put(`/patient_allergies/${a.id}/update`).set(t.auth(doctor)).send({ id_patients: patientId, allergies: 'x' })).status).toBe(403);

    const upd = await t.http.put(`/patient_allergies/${a.id}/update`).set(t.auth(customer)).send({ id_patients: patientId, allergies: 'udang', diagnosa: 'urtikaria' });
    expect(upd.body.patient_allergies).toMatchObject({ allergies: 'udang', diagnosa: 'urtikaria' });
    const explore = await t.http.post('/patient_allergies/explore?page=1&length=10').set(t.auth(customer)).send({ id_patients: patientId });
    expect(explore.body.data.find((x: { id: number }) => x.id === a.id)).toMatchObject({ id_patients: patientId, allergies: 'udang' });
    expect(explore.body.data[0].created).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const table = await t.http.post('/patient_allergies/table').set(t.auth(admin)).send({ draw: 1, start: 0, length: 10, 'search[value]': 'udang' });
    expect(table.body.data).toHaveLength(1);
    expect(table.body.data[0].slice(0, 5)).toEqual([a.id, patientId, 'udang', 'urtikaria', '']);

    expect((await t.http.delete(`/patient_allergies/${a.id}/delete`).set(t.auth(other))).status).toBe(404);
    expect((await t.http.delete(`/patient_allergies/${a.id}/delete`).set(t.auth(customer))).body).toEqual({ deleted: true });
    expect((await t.app.db.patientAllergy.findUniqueOrThrow({ where: { id: a.id } })).deleted_at).not.toBeNull();
    const actions = (await logs({ resource: 'patient_allergies', resource_id: String(a.id) })).map((l) => l.action);
    expect(actions).toEqual(['create', 'read', 'update', 'delete']);
  });
});

describe('audit chain', () => {
  it('stays verifiable with multi-key, nested details (jsonb reorders keys)', async () => {
    const { audit } = await import('../../src/modules/audit/audit.service.js');
    await audit(t.app, { user: { id: admin.id, roles: ['ADMIN'] }, action: 'read', resource: 'patients', details: { zeta: 1, a: [{ yy: 1, b: 'x' }], route: '/x', ids: [3, 1] } });
    expect(await verifyAuditChain(t.app.db)).toMatchObject({ ok: true });
  });
});
