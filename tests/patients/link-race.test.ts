import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { patientBody } from './fixtures.js';

// A customer's change of a patient racing staff moving that patient to another account
// (users/patients/link): the change is decided on the patient as it is under its row lock, not as
// read before the move committed. The race shows on PostgreSQL (TEST_DATABASE_URL); PGlite runs one
// statement at a time.
let t: TestApp;
let admin: TestUser;
let before: TestUser;
let after: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  before = await t.user(['CUSTOMER']);
  after = await t.user(['CUSTOMER']);
  await t.app.db.user.update({ where: { id: after.id }, data: { users_email: `${after.username}@example.com`, users_phone: '081200007777' } });
});
afterAll(() => t.close());

/** Moves the patient to `after` in a transaction held open until the request waits for its row lock. */
async function whileMoving(patientId: number, request: () => Promise<{ status: number; body: any }>) {
  let commit!: () => void;
  let moved!: () => void;
  const held = new Promise<void>((r) => (commit = r));
  const hasMoved = new Promise<void>((r) => (moved = r));
  const move = t.app.db.$transaction(
    async (tx) => {
      await tx.patient.updateMany({ where: { id: patientId, deleted_at: null }, data: { id_users: after.id } });
      moved();
      await held;
    },
    { timeout: 20_000 },
  );
  await hasMoved;
  const res = request();
  // (a request that does not wait for the move at all has decided on the patient as it was)
  await vi.waitFor(
    async () => {
      const [row] = await t.app.db.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      expect(row!.n).toBeGreaterThan(0);
    },
    { timeout: 5_000, interval: 50 },
  ).catch(() => undefined);
  commit();
  await move;
  return res;
}

const newPatient = async () => (await t.http.post('/patients/create').set(t.auth(before)).send(patientBody({ nama_lengkap_pasien: 'Pindah' }))).body.patients.id as number;

describe.runIf(process.env.TEST_DATABASE_URL)('a customer changing a patient while staff move it to another account', () => {
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
});
