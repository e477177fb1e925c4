import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { whileHolding } from '../helpers/interleave.js';
import { patientBody, threadWith } from './fixtures.js';

// A medical record written for a patient deleted at the same moment (patients/:id/delete holds the
// patient's row FOR UPDATE and marks it deleted): the delete comes first and the write is refused
// (404), never written to (or verified for) the deleted patient. The race shows on PostgreSQL.
let t: TestApp;
let customer: TestUser;
let doctor: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  customer = await t.user(['CUSTOMER']);
  doctor = await t.user(['DOCTOR']);
});
afterAll(() => t.close());

const newPatient = async () => {
  const id = (await t.http.post('/patients/create').set(t.auth(customer)).send(patientBody({ nama_lengkap_pasien: 'Hapus' }))).body.patients.id as number;
  await threadWith(t, doctor, id, customer.id);
  return id;
};
const whileDeleting = <T>(patientId: number, request: () => Promise<T>) =>
  whileHolding(
    t.app.db,
    (tx) => tx.$queryRaw`SELECT id FROM patients WHERE id = ${patientId} FOR UPDATE`,
    request,
    (tx) => tx.patient.update({ where: { id: patientId }, data: { deleted_at: new Date() } }),
  );
const record = { tanggal_konsul: '21/03/2023', keluhan: 'Gatal', diagnosa: 'Dermatitis' };

describe.runIf(process.env.TEST_DATABASE_URL)('medical records of a patient deleted at the same moment', () => {
  it('create: 404, no record written', async () => {
    const p = await newPatient();
    const res = await whileDeleting(p, () => t.http.post('/patient_rekam_medis/create').set(t.auth(doctor)).send({ id_patients: p, ...record }));
    expect(res.status).toBe(404);
    expect(await t.app.db.patientRekamMedis.count({ where: { id_patients: p } })).toBe(0);
  });

  it('verify: 404, the record stays unverified and nobody is told', async () => {
    const p = await newPatient();
    const id = (await t.http.post('/patient_rekam_medis/create').set(t.auth(doctor)).send({ id_patients: p, ...record })).body.patient_rekam_medis.id as number;
    const res = await whileDeleting(p, () => t.http.put(`/patient_rekam_medis/${id}/verify`).set(t.auth(doctor)).send({}));
    expect(res.status).toBe(404);
    expect((await t.app.db.patientRekamMedis.findUniqueOrThrow({ where: { id } })).is_verified).toBe(0);
    expect(await t.app.db.notification.count({ where: { intentions: 'medical_record_verified', reference_id: id } })).toBe(0);
  });

  it('update: 404, the record unchanged', async () => {
    const p = await newPatient();
    const id = (await t.http.post('/patient_rekam_medis/create').set(t.auth(doctor)).send({ id_patients: p, ...record })).body.patient_rekam_medis.id as number;
    const res = await whileDeleting(p, () => t.http.put(`/patient_rekam_medis/${id}/update`).set(t.auth(doctor)).send({ diagnosa: 'Psoriasis' }));
    expect(res.status).toBe(404);
    expect((await t.app.db.patientRekamMedis.findUniqueOrThrow({ where: { id } })).diagnosa).toBe('Dermatitis');
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('a correction of a record deleted at the same moment', () => {
  it('422 (not a live record of this patient), no correction written', async () => {
    const p = await newPatient();
    const id = (await t.http.post('/patient_rekam_medis/create').set(t.auth(doctor)).send({ id_patients: p, ...record })).body.patient_rekam_medis.id as number;
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM patient_rekam_medis WHERE id = ${id} FOR UPDATE`,
      () => t.http.post('/patient_rekam_medis/create').set(t.auth(doctor)).send({ id_patients: p, ...record, id_rekam_medis_asal: id, jenis_perubahan: 'ADENDUM' }),
      (tx) => tx.patientRekamMedis.update({ where: { id }, data: { deleted_at: new Date() } }),
    );
    expect(res.status).toBe(422);
    expect(await t.app.db.patientRekamMedis.count({ where: { id_rekam_medis_asal: id } })).toBe(0);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('a record deleted as a correction of it is written', () => {
  it('409, the original stays (never a correction of a deleted record)', async () => {
    const p = await newPatient();
    const id = (await t.http.post('/patient_rekam_medis/create').set(t.auth(doctor)).send({ id_patients: p, ...record })).body.patient_rekam_medis.id as number;
    // the correction's create: the original checked and held FOR SHARE, the correction written, then committed
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM patient_rekam_medis WHERE id = ${id} AND deleted_at IS NULL FOR SHARE`,
      () => t.http.delete(`/patient_rekam_medis/${id}/delete`).set(t.auth(doctor)),
      (tx) => tx.patientRekamMedis.create({ data: { id_patients: p, ...record, tanggal_konsul: new Date('2023-03-21'), id_rekam_medis_asal: id, jenis_perubahan: 'KOREKSI', created_by_iduser: doctor.id } }),
    );
    expect(res.status).toBe(409);
    expect((await t.app.db.patientRekamMedis.findUniqueOrThrow({ where: { id } })).deleted_at).toBeNull();
    expect(await t.app.db.patientRekamMedis.count({ where: { id_rekam_medis_asal: id, deleted_at: null } })).toBe(1);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('a record written as an admin hands the consultation to another doctor', () => {
  it('the doctor who loses the thread (their only link to the patient) is refused: 404, no record', async () => {
    const other = await t.user(['DOCTOR']);
    const p = (await t.http.post('/patients/create').set(t.auth(customer)).send(patientBody({ nama_lengkap_pasien: 'Serah' }))).body.patients.id as number;
    const thread = await t.app.db.thread.create({ data: { id_user_from: customer.id, id_user_to: doctor.id, id_patients: p } });
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM threads WHERE id = ${thread.id} FOR UPDATE`,
      () => t.http.post('/patient_rekam_medis/create').set(t.auth(doctor)).send({ id_patients: p, ...record }),
      (tx) => tx.thread.update({ where: { id: thread.id }, data: { id_user_to: other.id } }),
    );
    expect(res.status).toBe(404);
    expect(await t.app.db.patientRekamMedis.count({ where: { id_patients: p } })).toBe(0);
    // the new doctor writes it
    expect((await t.http.post('/patient_rekam_medis/create').set(t.auth(other)).send({ id_patients: p, ...record })).status).toBe(200);
  });
});
