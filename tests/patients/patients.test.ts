import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PNG_1PX, type TestApp, type TestUser } from '../helpers/app.js';
import { appointmentWith, patientBody, threadWith } from './fixtures.js';

let t: TestApp;
let admin: TestUser;
let customer: TestUser;
let other: TestUser;
let doctor: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
  other = await t.user(['CUSTOMER']);
  doctor = await t.user(['DOCTOR']);
});
afterAll(() => t.close());

const create = (u: TestUser, extra: Record<string, unknown> = {}) => t.http.post('/patients/create').set(t.auth(u)).send(patientBody(extra));
const logs = (where: Record<string, unknown>) => t.app.db.log.findMany({ where, orderBy: { seq: 'asc' } });

describe('patients/create and get', () => {
  it('creates a patient with allergies for the signed-in customer, whatever id_users the body says', async () => {
    const res = await create(customer, { id_users: other.id });
    expect(res.status).toBe(200);
    const p = res.body.patients;
    expect(p).toMatchObject({
      id_users: customer.id,
      patient_external_id: '', // the clinic system's number is staff's to set (below)
      nama_lengkap_pasien: 'Andrianto',
      tanggal_lahir: '1992-12-31',
      jenis_kelamin: 'L',
      kode_kecamatan: '00981',
      lat: 0.23878,
      lng: 7.87981,
      patient_picture: null,
      patient_picture_url: '',
    });
    expect(p.users).toMatchObject({ id: customer.id, username: customer.username, department_ids: '' });
    const numbered = await t.http.put(`/patients/${p.id}/update`).set(t.auth(admin)).send({ patient_external_id: 'DIGISOFT_PATIENT-00934203' });
    expect(numbered.status).toBe(200);
    expect(numbered.body.patients.patient_external_id).toBe('DIGISOFT_PATIENT-00934203');
    expect(p.allergies.map((a: { allergies: string }) => a.allergies)).toEqual(['Kerang Seafood', 'Bonteng', 'Nangka']);
    expect(p.allergies[0]).toMatchObject({ id_patients: p.id, diagnosa: '', catatan_kaki: '' });
    expect(p.allergies[0].created).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

    const row = await t.app.db.patient.findUniqueOrThrow({ where: { id: p.id }, include: { allergies: true } });
    expect(row.id_users).toBe(customer.id);
    expect(row.allergies).toHaveLength(3);
    expect(await logs({ resource: 'patients', action: 'create', id_patients: p.id })).toHaveLength(1);
  });

  it('lets staff create for any user (or nobody) and refuses unknown users', async () => {
    const res = await create(admin, { id_users: other.id, nama_lengkap_pasien: 'Siti Other' });
    expect(res.status).toBe(200);
    expect(res.body.patients.id_users).toBe(other.id);
    const none = await create(admin, { id_users: 0, nama_lengkap_pasien: 'Walk-in' });
    expect(none.body.patients).toMatchObject({ id_users: 0, users: null });
    const bad = await create(admin, { id_users: 999999 });
    expect(bad.status).toBe(422);
  });

  it('validates input with field errors (never a 500)', async () => {
    const res = await t.http
      .post('/patients/create')
      .set(t.auth(customer))
      .send({ nama_lengkap_pasien: '', tanggal_lahir: '31/02/1992', jenis_kelamin: 'X', lat: 'north', allergies: 'Kerang' });
    expect(res.status).toBe(400);
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['nama_lengkap_pasien', 'tanggal_lahir', 'jenis_kelamin', 'lat', 'allergies']));
    expect((await t.http.post('/patients/create').send(patientBody())).status).toBe(401);
    expect((await create(doctor)).status).toBe(403);
  });

  it('hides other customers\' patients (404) and shows staff everything', async () => {
    const mine = (await create(customer, { nama_lengkap_pasien: 'Mine' })).body.patients.id;
    expect((await t.http.get(`/patients/${mine}`).set(t.auth(other))).status).toBe(404);
    expect((await t.http.put(`/patients/${mine}/update`).set(t.auth(other)).send({ catatan: 'x' })).status).toBe(404);
    expect((await t.http.delete(`/patients/${mine}/delete`).set(t.auth(other))).status).toBe(404);
    expect((await t.http.put(`/patients/${mine}/update/address`).set(t.auth(other)).send({ kota: 'X' })).status).toBe(404);
    const own = await t.http.get(`/patients/${mine}`).set(t.auth(customer));
    expect(own.status).toBe(200);
    expect(own.body.patients.nama_lengkap_pasien).toBe('Mine');
    expect((await t.http.get(`/patients/${mine}`).set(t.auth(admin))).status).toBe(200);
    expect(await logs({ resource: 'patients', action: 'read', id_patients: mine })).toHaveLength(2);
  });
});

describe('patients lists', () => {
  it('searches by keyword over name, identity number and phone, only within the caller\'s patients', async () => {
    const c = await t.user(['CUSTOMER']);
    await create(c, { nama_lengkap_pasien: 'Raka Pratama', no_identitas: '111', no_handphone: '0811' });
    await create(c, { nama_lengkap_pasien: 'Sinta', no_identitas: '3273RAKA', no_handphone: '0812' });
    await create(c, { nama_lengkap_pasien: 'Tono', no_identitas: '222', no_handphone: '0899777' });
    await create(other, { nama_lengkap_pasien: 'Raka Other' });

    const byName = await t.http.post('/patients/search').set(t.auth(c)).send({ keyword: 'raka' });
    expect(byName.status).toBe(200);
    expect(byName.body.patients.map((p: { nama_lengkap_pasien: string }) => p.nama_lengkap_pasien).sort()).toEqual(['Raka Pratama', 'Sinta']);
    const byPhone = await t.http.post('/patients/explore?page=1&length=10').set(t.auth(c)).send({ keyword: '9977' });
    expect(byPhone.body).toMatchObject({ page: 1, totalpage: 1, length: 10, displayed: 1, totaldata: 1, anchor: [{ page: 1 }] });
    expect(byPhone.body.data[0]).toMatchObject({ nama_lengkap_pasien: 'Tono', id_users: c.id });
    expect(byPhone.body.data[0].allergies).toHaveLength(3);

    // a customer asking for someone else's id_users still gets only their own
    const forged = await t.http.post('/patients/search').set(t.auth(c)).send({ id_users: other.id });
    expect(forged.body.patients.every((p: { id_users: number }) => p.id_users === c.id)).toBe(true);
    const staff = await t.http.post('/patients/search').set(t.auth(admin)).send({ id_users: other.id, keyword: 'raka' });
    expect(staff.body.patients.map((p: { nama_lengkap_pasien: string }) => p.nama_lengkap_pasien)).toEqual(['Raka Other']);
    expect((await logs({ resource: 'patients', action: 'list', id_users: c.id })).length).toBe(3);
  });

  it('answers the DataTables protocol in the documented column order', async () => {
    const res = await t.http
      .post('/patients/table')
      .set(t.auth(admin))
      .send({ draw: 3, start: 0, length: 5, 'search[value]': 'Andrianto', 'order[0][column]': 2, 'order[0][dir]': 'asc', id_users: customer.id });
    expect(res.status).toBe(200);
    expect(res.body.draw).toBe(3);
    expect(res.body.recordsFiltered).toBeGreaterThan(0);
    const row = res.body.data[0];
    expect(row).toHaveLength(35);
    expect(row[1]).toBe(customer.id);
    expect(row[2]).toBe('Andrianto');
    expect(row[4]).toBe('1992-12-31');
    expect(row[29]).toBe('00981');
    expect(row[32]).toBe('DIGISOFT_PATIENT-00934203');
    expect(row[34]).toBe(customer.username);
  });
});

describe('patients/:id/update and update/address', () => {
  it('updates fields and replaces the allergy list (old rows hidden, not deleted)', async () => {
    const p = (await create(customer, { nama_lengkap_pasien: 'Upd' })).body.patients;
    const res = await t.http
      .put(`/patients/${p.id}/update`)
      .set(t.auth(customer))
      .send({ ...patientBody(), nama_lengkap_pasien: 'Updated', id_users: other.id, allergies: ['bonteng', 'Debu'] });
    expect(res.status).toBe(200);
    expect(res.body.patients).toMatchObject({ nama_lengkap_pasien: 'Updated', id_users: customer.id });
    expect(res.body.patients.allergies.map((a: { allergies: string }) => a.allergies)).toEqual(['Bonteng', 'Debu']);
    const rows = await t.app.db.patientAllergy.findMany({ where: { id_patients: p.id } });
    expect(rows).toHaveLength(4);
    expect(rows.filter((r) => r.deleted_at).map((r) => r.allergies).sort()).toEqual(['Kerang Seafood', 'Nangka']);
  });

  it('replaces the allergy list correctly under concurrency (each allergy once)', async () => {
    const p = (await t.http.post('/patients/create').set(t.auth(customer)).send({ nama_lengkap_pasien: 'Alergi', allergies: ['Nangka'] })).body.patients;
    const res = await Promise.all(Array.from({ length: 6 }, () => t.http.put(`/patients/${p.id}/update`).set(t.auth(customer)).send({ allergies: ['Debu', 'Susu'] })));
    expect(res.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const live = await t.app.db.patientAllergy.findMany({ where: { id_patients: p.id, deleted_at: null }, orderBy: { id: 'asc' } });
    expect(live.map((a) => a.allergies)).toEqual(['Debu', 'Susu']);
    expect(await t.app.db.patientAllergy.count({ where: { id_patients: p.id } })).toBe(3); // Nangka hidden once
    const detail = await t.http.get(`/patients/${p.id}`).set(t.auth(customer));
    expect(detail.body.patients.allergies.map((a: { allergies: string }) => a.allergies)).toEqual(['Debu', 'Susu']);
  });

  it('leaves each name once when the list already held it twice (added again through patient_allergies/create): the first row is kept', async () => {
    const p = (await t.http.post('/patients/create').set(t.auth(customer)).send({ nama_lengkap_pasien: 'Dobel', allergies: ['Kucing'] })).body.patients;
    const again = await t.http.post('/patient_allergies/create').set(t.auth(customer)).send({ id_patients: p.id, allergies: 'kucing' });
    expect(again.status).toBe(200);
    const res = await t.http.put(`/patients/${p.id}/update`).set(t.auth(customer)).send({ allergies: ['KUCING', 'Debu'] });
    expect(res.status).toBe(200);
    expect(res.body.patients.allergies.map((a: { id: number; allergies: string }) => [a.id, a.allergies])).toEqual([
      [p.allergies[0].id, 'Kucing'],
      [expect.any(Number), 'Debu'],
    ]);
    expect((await t.app.db.patientAllergy.findUniqueOrThrow({ where: { id: again.body.patient_allergies.id } })).deleted_at).not.toBeNull();
  });

  it('changes only the address fields sent', async () => {
    const p = (await create(customer, { nama_lengkap_pasien: 'Addr' })).body.patients;
    const a = await t.http.put(`/patients/${p.id}/update/address`).set(t.auth(customer)).send({ kode_kota: 12 });
    expect(a.status).toBe(200);
    expect(a.body.patients).toMatchObject({ kode_kota: '12', kota: 'CIMAHI', kode_provinsi: '12', lat: 0.23878 });
    const b = await t.http.post(`/patients/${p.id}/update/address`).set(t.auth(customer)).send({ lat: 12.42387, lng: 103.32748 });
    expect(b.body.patients).toMatchObject({ lat: 12.42387, lng: 103.32748, kode_kota: '12' });
    expect((await t.http.put(`/patients/${p.id}/update/address`).set(t.auth(customer)).send({})).status).toBe(400);
    expect((await t.http.put(`/patients/${p.id}/update/address`).set(t.auth(customer)).send({ lat: 200 })).status).toBe(400);
  });
});

describe('emptied optional fields of patients/create and update', () => {
  // A cleared form field sends "" or null: every optional field clears alike (tanggal_lahir and
  // jenis_kelamin to null, patient_external_id to the document's ""); a required field stays refused.
  it('"" and null clear tanggal_lahir, jenis_kelamin and patient_external_id, on create and update', async () => {
    for (const empty of ['', null]) {
      const res = await create(customer, { tanggal_lahir: empty, jenis_kelamin: empty, patient_external_id: empty, tempat_lahir: empty });
      expect(res.status, String(empty)).toBe(200);
      expect(res.body.patients).toMatchObject({ tanggal_lahir: null, jenis_kelamin: null, patient_external_id: '' });
      const row = await t.app.db.patient.findUniqueOrThrow({ where: { id: res.body.patients.id } });
      expect(row).toMatchObject({ tanggal_lahir: null, jenis_kelamin: null, patient_external_id: '' });
    }
    for (const empty of ['', null]) {
      const id = (await create(admin)).body.patients.id;
      const before = await t.app.db.patient.findUniqueOrThrow({ where: { id } });
      expect(before.tanggal_lahir).not.toBeNull();
      expect(before.patient_external_id).not.toBe('');
      const res = await t.http.put(`/patients/${id}/update`).set(t.auth(admin)).send({ tanggal_lahir: empty, jenis_kelamin: empty, patient_external_id: empty });
      expect(res.status, String(empty)).toBe(200);
      const row = await t.app.db.patient.findUniqueOrThrow({ where: { id } });
      expect(row).toMatchObject({ tanggal_lahir: null, jenis_kelamin: null, patient_external_id: '', nama_lengkap_pasien: before.nama_lengkap_pasien });
      // left out: unchanged
      await t.http.put(`/patients/${id}/update`).set(t.auth(admin)).send({ tanggal_lahir: '1992-12-31', patient_external_id: 'X-1' });
      expect((await t.http.put(`/patients/${id}/update`).set(t.auth(admin)).send({ catatan: 'x' })).status).toBe(200);
      expect(await t.app.db.patient.findUniqueOrThrow({ where: { id } })).toMatchObject({ tanggal_lahir: new Date('1992-12-31T00:00:00Z'), patient_external_id: 'X-1' });
    }
  });

  it('a required name emptied, or an invalid date, is still a 400 naming the field, nothing written', async () => {
    const id = (await create(admin)).body.patients.id;
    for (const body of [{ nama_lengkap_pasien: '' }, { nama_lengkap_pasien: null }, { tanggal_lahir: '31/02/1992' }]) {
      const res = await t.http.put(`/patients/${id}/update`).set(t.auth(admin)).send(body);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(Object.keys(body));
    }
    expect((await create(customer, { nama_lengkap_pasien: '' })).status).toBe(400);
    expect((await t.app.db.patient.findUniqueOrThrow({ where: { id } })).tanggal_lahir).not.toBeNull();
  });

  it('refuses a birth date after today in Asia/Jakarta (400), and takes today there while it is still yesterday in UTC', async () => {
    // 01:00 WIB on 1 January 2027: 18:00 UTC on 31 December 2026
    t.app.now = () => new Date('2027-01-01T01:00:00+07:00');
    try {
      const created = await create(customer, { tanggal_lahir: '01/01/2027' });
      expect(created.status).toBe(200);
      expect(created.body.patients.tanggal_lahir).toBe('2027-01-01');
      const id = created.body.patients.id;
      for (const tanggal_lahir of ['02/01/2027', '2030-05-05']) {
        const refused = await create(customer, { tanggal_lahir });
        expect(refused.status).toBe(400);
        expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(['tanggal_lahir']);
        const update = await t.http.put(`/patients/${id}/update`).set(t.auth(admin)).send({ tanggal_lahir });
        expect(update.status).toBe(400);
        expect(update.body.errors.map((e: { field: string }) => e.field)).toEqual(['tanggal_lahir']);
      }
      expect((await t.app.db.patient.findUniqueOrThrow({ where: { id } })).tanggal_lahir).toEqual(new Date('2027-01-01T00:00:00Z'));
      expect((await t.http.put(`/patients/${id}/update`).set(t.auth(admin)).send({ tanggal_lahir: '2026-12-31' })).status).toBe(200);
      expect((await t.http.put(`/patients/${id}/update`).set(t.auth(admin)).send({ tanggal_lahir: null })).status).toBe(200);
    } finally {
      t.app.now = () => new Date();
    }
  });
});

describe('patients/:id/delete', () => {
  it('soft-deletes: the row stays, reads answer 404', async () => {
    const p = (await create(customer, { nama_lengkap_pasien: 'Gone' })).body.patients;
    const res = await t.http.delete(`/patients/${p.id}/delete`).set(t.auth(customer));
    expect(res.body).toEqual({ deleted: true });
    expect((await t.app.db.patient.findUniqueOrThrow({ where: { id: p.id } })).deleted_at).not.toBeNull();
    expect((await t.http.get(`/patients/${p.id}`).set(t.auth(admin))).status).toBe(404);
    expect((await t.http.delete(`/patients/${p.id}/delete`).set(t.auth(customer))).status).toBe(404);
  });
});

describe('doctor access', () => {
  it('a doctor reads only the patients of their appointments and consultations, and changes none', async () => {
    const a = (await create(customer, { nama_lengkap_pasien: 'Appointment Patient' })).body.patients.id;
    const b = (await create(customer, { nama_lengkap_pasien: 'Thread Patient' })).body.patients.id;
    const c = (await create(customer, { nama_lengkap_pasien: 'Stranger' })).body.patients.id;
    const doc = await t.user(['DOCTOR']);
    await appointmentWith(t, doc, a, customer.id);
    await threadWith(t, doc, b, customer.id);

    expect((await t.http.get(`/patients/${a}`).set(t.auth(doc))).status).toBe(200);
    expect((await t.http.get(`/patients/${b}`).set(t.auth(doc))).status).toBe(200);
    expect((await t.http.get(`/patients/${c}`).set(t.auth(doc))).status).toBe(404);
    const list = await t.http.post('/patients/search').set(t.auth(doc)).send({});
    expect(list.body.patients.map((p: { id: number }) => p.id).sort()).toEqual([a, b].sort());
    expect((await t.http.put(`/patients/${a}/update`).set(t.auth(doc)).send({ catatan: 'x' })).status).toBe(403);
  });
});

describe('patients/picture/upload', () => {
  it('stores the picture privately and exposes it only through a signed, expiring, unforgeable link', async () => {
    const p = (await create(customer, { nama_lengkap_pasien: 'Pic' })).body.patients;
    const up = await t.http.post('/patients/picture/upload').set(t.auth(customer)).field('id_patients', String(p.id)).attach('picture', PNG_1PX, 'face.png');
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ image_upload: true });
    expect(up.body.img).toMatch(/^[A-Za-z0-9]+\.png$/);
    expect(up.body.img_path).toMatch(/^http:\/\/api\.test\/files\/patients\//);
    expect(up.body.img_path).not.toContain('/uploads/');

    const detail = await t.http.get(`/patients/${p.id}`).set(t.auth(customer));
    expect(detail.body.patients.patient_picture).toBe(up.body.img);
    const url = new URL(detail.body.patients.patient_picture_url);
    const got = await t.http.get(url.pathname + url.search);
    expect(got.status).toBe(200);
    expect(Buffer.from(got.body).equals(PNG_1PX)).toBe(true);
    expect(got.headers['cache-control']).toContain('no-store');

    // never public
    expect((await t.http.get(`/uploads/patients/${up.body.img}`)).status).toBe(404);
    // forged: another signature, a later expiry with the old signature, another file with this signature
    const sig = url.searchParams.get('signature')!;
    const exp = url.searchParams.get('expires')!;
    expect((await t.http.get(`${url.pathname}?expires=${exp}&signature=${sig.slice(0, -2)}xx`)).status).toBe(404);
    expect((await t.http.get(`${url.pathname}?expires=${Number(exp) + 3600}&signature=${sig}`)).status).toBe(404);
    expect((await t.http.get(`/files/patients/AAAA1234.png?expires=${exp}&signature=${sig}`)).status).toBe(404);

    // expired: the same link once the clock passes its expiry
    const realNow = t.app.now;
    t.app.now = () => new Date((Number(exp) + 1) * 1000);
    try {
      expect((await t.http.get(url.pathname + url.search)).status).toBe(404);
    } finally {
      t.app.now = realNow;
    }
  });

  it('concurrent uploads for one patient leave exactly the stored picture on disk (none orphaned)', async () => {
    const dir = `${t.app.config.PRIVATE_UPLOAD_DIR}/patients`;
    const p = (await create(customer, { nama_lengkap_pasien: 'Foto' })).body.patients;
    const first = await t.http.post('/patients/picture/upload').set(t.auth(customer)).field('id_patients', String(p.id)).attach('picture', PNG_1PX, 'a.png');
    expect(first.status).toBe(200);
    const before = new Set(readdirSync(dir));
    const res = await Promise.all(Array.from({ length: 5 }, () => t.http.post('/patients/picture/upload').set(t.auth(customer)).field('id_patients', String(p.id)).attach('picture', PNG_1PX, 'a.png')));
    expect(res.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const stored = (await t.app.db.patient.findUniqueOrThrow({ where: { id: p.id } })).patient_picture;
    const after = readdirSync(dir);
    // the earlier picture is gone, and of the five new files only the stored one is left
    expect(after.filter((f) => !before.has(f))).toEqual([stored]);
    expect(after).not.toContain(first.body.img);
    expect(res.map((r) => r.body.img)).toContain(stored);
  });

  it('refuses other customers\' patients, non-images and missing files', async () => {
    const p = (await create(customer, { nama_lengkap_pasien: 'Pic2' })).body.patients;
    const foreign = await t.http.post('/patients/picture/upload').set(t.auth(other)).field('id_patients', String(p.id)).attach('picture', PNG_1PX, 'a.png');
    expect(foreign.status).toBe(404);
    const text = await t.http.post('/patients/picture/upload').set(t.auth(customer)).field('id_patients', String(p.id)).attach('picture', Buffer.from('hello'), 'a.png');
    expect(text.status).toBe(415);
    const none = await t.http.post('/patients/picture/upload').set(t.auth(customer)).field('id_patients', String(p.id));
    expect(none.status).toBe(400);
  });
});

describe('users/patients/link and unlink', () => {
  it('lets staff move a patient between users; customers cannot', async () => {
    const p = (await create(customer, { nama_lengkap_pasien: 'Linkable' })).body.patients.id;
    expect((await t.http.put('/users/patients/link').set(t.auth(customer)).send({ id_users: other.id, id_patients: p })).status).toBe(403);
    const un = await t.http.put('/users/patients/unlink').set(t.auth(admin)).send({ id_patients: p });
    expect(un.body).toEqual({ unlink: true });
    expect((await t.app.db.patient.findUniqueOrThrow({ where: { id: p } })).id_users).toBeNull();
    expect((await t.http.get(`/patients/${p}`).set(t.auth(customer))).status).toBe(404);
    const link = await t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: other.id, id_patients: p });
    expect(link.body).toEqual({ link: true });
    expect((await t.http.get(`/patients/${p}`).set(t.auth(other))).status).toBe(200);
    expect((await t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: 999999, id_patients: p })).status).toBe(404);
    expect((await t.http.put('/users/patients/unlink').set(t.auth(admin)).send({ id_patients: 999999 })).status).toBe(404);
    expect((await logs({ id_patients: p, action: { in: ['link', 'unlink'] } })).map((l) => l.action)).toEqual(['unlink', 'link']);
  });
});

describe('users/data', () => {
  it('lists the signed-in user\'s patients with their allergies', async () => {
    const u = await t.user(['CUSTOMER']);
    const p = (await create(u, { nama_lengkap_pasien: 'Data Patient', allergies: ['Debu'] })).body.patients;
    const res = await t.http.get('/users/data').set(t.auth(u));
    expect(res.status).toBe(200);
    expect(res.body.users.patients).toHaveLength(1);
    expect(res.body.users.patients[0]).toMatchObject({ id: p.id, id_users: u.id, nama_lengkap_pasien: 'Data Patient', patient_picture_url: '' });
    expect(res.body.users.patients[0].allergies).toMatchObject([{ allergies: 'Debu', id_patients: p.id }]);
  });
});
