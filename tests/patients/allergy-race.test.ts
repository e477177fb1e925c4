import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { twiceWhileHolding } from '../helpers/interleave.js';
import { patientOf } from '../commerce/fixtures.js';

// The same allergy deleted twice at once (a double tap, a retry). Made deterministic by holding the
// patient's row, which a customer's delete locks, until both deletes wait for it. PostgreSQL only
// (TEST_DATABASE_URL): PGlite runs one statement at a time.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe.runIf(process.env.TEST_DATABASE_URL)('patient_allergies/:id/delete sent twice at once', () => {
  it('deletes it once: one 200, the other finds it gone (404), as a delete sent a moment later; one audit entry', async () => {
    const u = await t.user(['CUSTOMER']);
    const p = await patientOf(t, u, { allergies: { create: [{ allergies: 'Debu' }] } });
    const allergy = await t.app.db.patientAllergy.findFirstOrThrow({ where: { id_patients: p.id } });
    const answers = await twiceWhileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM patients WHERE id = ${p.id} FOR UPDATE`,
      () => t.http.delete(`/patient_allergies/${allergy.id}/delete`).set(t.auth(u)),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 404]);
    expect((await t.app.db.patientAllergy.findUniqueOrThrow({ where: { id: allergy.id } })).deleted_at).not.toBeNull();
    expect(await t.app.db.log.count({ where: { action: 'delete', resource: 'patient_allergies', resource_id: String(allergy.id) } })).toBe(1);
  });
});
