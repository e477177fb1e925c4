import express from 'express';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthUser } from '../../src/http/auth-user.js';
import type { RouteDef } from '../../src/http/route.js';
import { patientsModuleRoutes } from '../../src/modules/patients/routes.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { responseValidator } from '../helpers/response-validator.js';
import { patientBody } from './fixtures.js';

/**
 * Health fields are marked in openapi.json (x-clinical, with x-patient-id naming whose they are),
 * and the suite's response validator really refuses to let them reach someone who may not read
 * that patient: a tiny app answers a real, schema-valid body to the wrong caller.
 */

let t: TestApp;
let admin: TestUser;
let customer: TestUser;
let other: TestUser;
let patientId: number;
let recordBody: unknown;
let patientItem: unknown;

const def = (path: string) => patientsModuleRoutes.find((d) => d.path === path)!;

/** an app that answers `body` as the route `route` (called with `method`) would, to the user `as` */
function probe(route: RouteDef, as: TestUser, body: unknown, method: 'get' | 'post' = 'get') {
  const v = responseValidator(t.app);
  const app = express();
  app.use(v.handler);
  app[method]('/probe', (req, res) => {
    req.user = { id: as.id, username: as.username, roles: as.roles } as AuthUser;
    res.locals.route = route;
    res.json(body);
  });
  return { request: () => supertest(app)[method]('/probe'), problems: () => v.problems() };
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
  other = await t.user(['CUSTOMER']);
  patientId = (await t.http.post('/patients/create').set(t.auth(customer)).send(patientBody())).body.patients.id;
  const rec = await t.http
    .post('/patient_rekam_medis/create')
    .set(t.auth(admin))
    .send({ id_patients: patientId, tanggal_konsul: '21/03/2023', keluhan: 'Gatal', diagnosa: 'Dermatitis', catatan_kaki: 'Salep' });
  recordBody = rec.body;
  patientItem = (await t.http.post('/patients/search').set(t.auth(customer)).send({})).body.patients[0];
});
afterAll(() => t.close());

describe('clinical fields', () => {
  it('openapi.json marks the health fields and names their patient', async () => {
    const spec = (await t.http.get('/openapi.json')).body;
    const schema = (path: string, method: string) => spec.paths[path][method].responses['200'].content['application/json'].schema;

    const record = schema('/patient_rekam_medis/{id}', 'get').properties.patient_rekam_medis;
    expect(record['x-patient-id']).toBe('patients.id');
    for (const f of ['keluhan', 'diagnosa', 'catatan_kaki']) expect(record.properties[f]['x-clinical']).toBe(true);
    expect(record.properties.patients['x-patient-id']).toBe('id');
    expect(record.properties.patients.properties.catatan['x-clinical']).toBe(true);
    expect(record.properties.tanggal_konsul['x-clinical']).toBeUndefined();

    const patient = schema('/patients/search', 'post').properties.patients.items;
    expect(patient['x-patient-id']).toBe('id');
    for (const f of ['catatan', 'golongan_darah', 'allergies']) expect(patient.properties[f]['x-clinical']).toBe(true);
    expect(patient.properties.nama_lengkap_pasien['x-clinical']).toBeUndefined();

    const allergy = schema('/patient_allergies/search', 'post').properties.patient_allergies.items;
    expect(allergy['x-patient-id']).toBe('id_patients');
    for (const f of ['allergies', 'diagnosa', 'catatan_kaki']) expect(allergy.properties[f]['x-clinical']).toBe(true);

    const exported = schema('/users/data/export', 'get').properties.export.properties;
    expect(exported.patients.items['x-patient-id']).toBe('id');
    expect(exported.patients.items.properties.golongan_darah['x-clinical']).toBe(true);
    expect(exported.patient_rekam_medis.items['x-patient-id']).toBe('id_patients');
    expect(exported.patient_rekam_medis.items.properties.diagnosa['x-clinical']).toBe(true);
    expect(exported.patient_allergies.items.properties.allergies['x-clinical']).toBe(true);
  });

  it('the response validator flags health data sent to a caller who may not read that patient, and only then', async () => {
    const recordRoute = def('/patient_rekam_medis/:id');
    const mine = probe(recordRoute, customer, recordBody);
    expect((await mine.request()).status).toBe(200);
    expect(await mine.problems()).toEqual([]);

    const leak = probe(recordRoute, other, recordBody);
    // the body matches the schema: the problem is who gets it, and the answer becomes a 500 naming it
    const refused = await leak.request();
    expect(refused.status).toBe(500);
    expect(refused.body.message).toContain('may not read that patient');
    const problems = await leak.problems();
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toContain(`$.patient_rekam_medis.diagnosa of patient ${patientId} sent to user ${other.id}`);
    expect(problems.join('\n')).toContain('may not read that patient');
    expect(problems.join('\n')).toContain('$.patient_rekam_medis.patients.catatan');

    // a patient list item: its own health fields and its nested allergies
    const listLeak = probe(def('/patients/search'), other, { patients: [patientItem] }, 'post');
    await listLeak.request();
    const listProblems = (await listLeak.problems()).join('\n');
    expect(listProblems).toContain('$.patients[0].golongan_darah');
    expect(listProblems).toContain('$.patients[0].allergies[0].allergies');
  });

  it("treats a soft-deleted patient as unreadable for everyone but staff, its managing customer included", async () => {
    const pid = (await t.http.post('/patients/create').set(t.auth(customer)).send(patientBody({ nama_lengkap_pasien: 'Dihapus', catatan: 'Riwayat psoriasis' }))).body.patients.id;
    const item = (await t.http.get(`/patients/${pid}`).set(t.auth(customer))).body;
    expect(item.patients.catatan).toBe('Riwayat psoriasis');
    expect((await probe(def('/patients/:id'), customer, item).request()).status).toBe(200);
    expect((await t.http.delete(`/patients/${pid}/delete`).set(t.auth(customer))).status).toBe(200);
    const leak = probe(def('/patients/:id'), customer, item);
    expect((await leak.request()).status).toBe(500);
    expect((await leak.problems()).join('\n')).toContain(`$.patients.catatan of patient ${pid} sent to user ${customer.id}`);
    expect((await probe(def('/patients/:id'), admin, item).request()).status).toBe(200);
  });

  it('checks DataTables rows too: clinical cells are marked in openapi.json and flagged for the wrong caller', async () => {
    const spec = (await t.http.get('/openapi.json')).body;
    const table = spec.paths['/patient_rekam_medis/table'].post.responses['200'].content['application/json'].schema;
    expect(table['x-clinical-columns']).toEqual([3, 4, 5]); // keluhan, diagnosa, catatan_kaki
    expect(table['x-patient-column']).toBe(1); // id_patients

    const real = await t.http.post('/patient_rekam_medis/table').set(t.auth(customer)).send({ draw: 1, start: 0, length: 10 });
    expect(real.status).toBe(200);
    expect(real.body.data[0][4]).toBe('Dermatitis');
    const mine = probe(def('/patient_rekam_medis/table'), customer, real.body, 'post');
    expect((await mine.request()).status).toBe(200);
    const leak = probe(def('/patient_rekam_medis/table'), other, real.body, 'post');
    expect((await leak.request()).status).toBe(500);
    expect((await leak.problems()).join('\n')).toContain(`$.data[0][4] of patient ${patientId} sent to user ${other.id}`);
    // and another customer's own table does not hold the row at all
    expect((await t.http.post('/patient_rekam_medis/table').set(t.auth(other)).send({ draw: 1 })).body.data).toEqual([]);
  });

  it('an undeclared field is refused (closed objects): the answer becomes a 500 naming it', async () => {
    const body = structuredClone(recordBody) as { patient_rekam_medis: Record<string, unknown> };
    body.patient_rekam_medis.internal_note = 'not documented';
    const p = probe(def('/patient_rekam_medis/:id'), admin, body);
    const res = await p.request();
    expect(res.status).toBe(500);
    expect(res.body.message).toContain('does not match openapi.json');
    expect((await p.problems()).join('\n')).toContain('internal_note');
  });
});
