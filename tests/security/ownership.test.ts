import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { call, inspect } from './route-table.js';
import { appointment, bookableSlot, createMenu } from './fixtures.js';
import { OWNED, type Attempt } from './ownership.js';

let t: TestApp;
let a: TestUser;
let b: TestUser;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['OWNER', 'ADMIN']);
  a = await t.user(['CUSTOMER']);
  b = await t.user(['CUSTOMER']);
});
afterAll(() => t.close());

function send(at: Attempt, who: TestUser) {
  const req = call(t, at.method, at.path).set(t.auth(who));
  if (!at.attach) return req.send(at.body ?? {});
  for (const [k, v] of Object.entries(at.body ?? {})) req.field(k, String(v));
  return req.attach(at.attach.field, at.attach.file, at.attach.name);
}

describe('ownership: customer B never reaches customer A’s rows', () => {
  it.each(OWNED.map((r) => [r.resource, r] as const))('%s', async (_name, r) => {
    const { id, marker, refs = {} } = await r.create(t, a, b);
    const before = await r.snapshot(t, id, a, refs);
    for (const at of r.attempts(id, a, b, refs)) {
      const where = `${at.method.toUpperCase()} ${at.path} ${JSON.stringify(at.body ?? {})} as B`;
      const res = await send(at, b);
      inspect(res, where);
      if (at.expect === 'denied') expect([403, 404], `${where}: ${res.status} ${res.text.slice(0, 200)}`).toContain(res.status);
      else if (at.expect === 'refused') expect(res.status >= 400 && res.status < 500, `${where}: ${res.status} ${res.text.slice(0, 200)}`).toBe(true);
      else expect(res.status, `${where}: ${res.text.slice(0, 200)}`).toBe(200);
      expect(res.text.includes(marker), `${where} leaks A's data: ${res.text.slice(0, 300)}`).toBe(false);
      expect(await r.snapshot(t, id, a, refs), `${where} changed A's rows`).toEqual(before);
    }
    // Control: the list attempts do show A's marker to an admin, so their silence to B means something.
    const lists = r.attempts(id, a, b, refs).filter((at) => at.expect === 'no-leak' && /\/(explore|search|table)$/.test(at.path) && at.method === 'post');
    if (lists.length) {
      const seen = [];
      for (const at of lists) seen.push((await send(at, admin)).text.includes(marker));
      expect(seen.some(Boolean), `${r.resource}: no list answer shows the marker even to an admin`).toBe(true);
    }
  });

  // The same attempts by a doctor who has no appointment or consultation with A's patients.
  it.each(OWNED.map((r) => [r.resource, r] as const))('an uninvolved DOCTOR: %s', async (_name, r) => {
    const d = await t.user(['DOCTOR']);
    const { id, marker, refs = {} } = await r.create(t, a, d);
    const before = await r.snapshot(t, id, a, refs);
    for (const at of r.attempts(id, a, d, refs)) {
      const where = `${at.method.toUpperCase()} ${at.path} ${JSON.stringify(at.body ?? {})} as an uninvolved doctor`;
      const res = await send(at, d);
      inspect(res, where);
      if (at.expect === 'denied') expect([403, 404], `${where}: ${res.status} ${res.text.slice(0, 200)}`).toContain(res.status);
      else if (at.expect === 'refused') expect(res.status >= 400 && res.status < 500, `${where}: ${res.status} ${res.text.slice(0, 200)}`).toBe(true);
      else expect([200, 403], `${where}: ${res.text.slice(0, 200)}`).toContain(res.status);
      expect(res.text.includes(marker), `${where} leaks A's data: ${res.text.slice(0, 300)}`).toBe(false);
      expect(await r.snapshot(t, id, a, refs), `${where} changed A's rows`).toEqual(before);
    }
  });

  it('B cannot create rows on A’s behalf through id_users in a body', async () => {
    const res = await t.http.post('/logs/create').set(t.auth(b)).send({ action: 'spoof', id_users: a.id, role: 'OWNER' });
    expect(res.status).toBe(200);
    expect(res.body.logs).toMatchObject({ id_users: b.id, role: 'CUSTOMER' });

    // a prescription request is B's own, whatever the body says
    const menu = await createMenu(t, { nama_menus: 'Retinoic Cream' });
    const rx = await t.http.post('/menus/prescriptions/requests').set(t.auth(b)).send({ id_menu: menu.id, id_users: a.id, id_threads: 1 });
    inspect(rx, 'menus/prescriptions/requests');
    expect(rx.status).toBe(200);
    const requests = await t.app.db.prescriptionRequest.findMany({ where: { id_menu: menu.id } });
    expect(requests.map((q) => q.id_users)).toEqual([b.id]);
    expect(await t.app.db.thread.count({ where: { id_user_from: a.id, thread_type: 'prescriptions' } })).toBe(0);

    // a device token registered by B is B's
    const token = `device-${a.id}-registered-by-b`;
    const dev = await t.http.post('/users/register_device_token').set(t.auth(b)).send({ device_token: token, id_users: a.id });
    expect(dev.status).toBe(200);
    expect((await t.app.db.userDeviceToken.findUniqueOrThrow({ where: { device_token: token } })).id_users).toBe(b.id);

    // a patient B creates is managed by B, whatever id_users says
    const p = await t.http.post('/patients/create').set(t.auth(b)).send({ nama_lengkap_pasien: 'Titipan', id_users: a.id });
    expect(p.status).toBe(200);
    expect((await t.app.db.patient.findUniqueOrThrow({ where: { id: p.body.patients.id } })).id_users).toBe(b.id);
  });

  it('a doctor’s own booking (as the patient’s manager) does not let them mark it arrived or done', async () => {
    const d1 = await t.user(['DOCTOR']);
    const patient = await t.app.db.patient.create({ data: { id_users: d1.id, nama_lengkap_pasien: 'Keluarga Dokter' } });
    const slot = await bookableSlot(t, 13);
    const row = await appointment(t, slot, d1.id, patient.id);
    // d1 sees the booking (it is theirs) ...
    expect((await t.http.get(`/user_schedules/${row.id}`).set(t.auth(d1))).status).toBe(200);
    // ... but only the appointment's doctor (or staff) changes its clinical state
    for (const [method, path] of [['put', 'arrived'], ['post', 'arrived'], ['put', 'done'], ['post', 'done']] as const) {
      const res = await t.http[method](`/user_schedules/${row.id}/${path}`).set(t.auth(d1)).send({ digisoft_invoice_numbers: 'INV-SELF' });
      inspect(res, `${path} by the booking doctor`);
      expect([403, 404], `${method} ${path}: ${res.status}`).toContain(res.status);
    }
    expect(await t.app.db.userSchedule.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'BOOKING', arrived_datetime: null, digisoft_invoice_numbers: '' });
    // the appointment's doctor can, on its day (08:00 WIB)
    const realNow = t.app.now;
    t.app.now = () => new Date(slot.day.getTime() + 3_600_000);
    try {
      expect((await t.http.put(`/user_schedules/${row.id}/arrived`).set(t.auth(slot.doctorUser))).status).toBe(200);
      expect((await t.http.put(`/user_schedules/${row.id}/done`).set(t.auth(slot.doctorUser)).send({ digisoft_invoice_numbers: 'INV-1' })).status).toBe(200);
    } finally {
      t.app.now = realNow;
    }
  });
});
