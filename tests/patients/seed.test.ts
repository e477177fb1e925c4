import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { seedIdentity } from '../../src/seed/identity.js';
import { seedPatients } from '../../src/seed/patients.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

it('seeds a patient with allergies and a record for budi and dewi, once', async () => {
  await seedIdentity(t.app);
  await seedPatients(t.app);
  await seedPatients(t.app);
  for (const username of ['budi', 'dewi']) {
    const rows = await t.app.db.patient.findMany({ where: { user: { username } }, include: { allergies: true, rekamMedis: true } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.allergies.length).toBeGreaterThan(0);
    expect(rows[0]!.rekamMedis).toHaveLength(1);
  }
});
