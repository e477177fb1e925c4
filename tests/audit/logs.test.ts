import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestUser } from '../helpers/app.js';
import { verifyAuditChain } from '../../src/modules/audit/audit.service.js';

let t: TestApp;
let owner: TestUser;
let admin: TestUser;
let customer: TestUser;
let doctor: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  owner = await t.user(['OWNER', 'ADMIN']);
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
  doctor = await t.user(['DOCTOR']);
});
afterAll(() => t.close());

describe('what is audited', () => {
  it('logs every sign-in, successful or not, with who, outcome and IP', async () => {
    await t.http.post('/users/login').send({ username: customer.username, password: TEST_PASSWORD }).expect(200);
    await t.http.post('/users/login').send({ username: customer.username, password: 'wrong-password' }).expect(401);
    await t.http.post('/users/login').send({ username: 'ghost-user', password: 'wrong-password' }).expect(401);
    const rows = await t.app.db.log.findMany({ where: { action: { in: ['login', 'login_failed'] } }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => [r.action, r.outcome, r.id_users])).toEqual([
      ['login', 'success', customer.id],
      ['login_failed', 'failure', customer.id],
      ['login_failed', 'failure', null],
    ]);
    expect(rows[0]).toMatchObject({ role: 'CUSTOMER', resource: 'users', resource_id: String(customer.id) });
    expect(rows[0]!.ip).toBeTruthy();
    expect(rows[2]!.details).toMatchObject({ username: 'ghost-user' });
  });

  it('logs every change made through an admin endpoint, generically, and not reads or failed calls', async () => {
    const before = await t.app.db.log.count();
    const created = await t.http.post('/departments/create').set(t.auth(admin)).send({ department_name: 'Farmasi', department_codes: 'FAR' }).expect(200);
    const id = created.body.departments.id;
    await t.http.put(`/departments/${id}/update`).set(t.auth(admin)).send({ department_name: 'Farmasi 2', department_codes: 'FAR' }).expect(200);
    await t.http.get(`/departments/${id}`).set(t.auth(admin)).expect(200);
    await t.http.post('/departments/create').set(t.auth(admin)).send({}).expect(400);
    await t.http.delete(`/departments/${id}/delete`).set(t.auth(owner)).expect(200);
    const rows = await t.app.db.log.findMany({ where: { resource: 'departments' }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => [r.action, r.resource_id, r.id_users, r.role])).toEqual([
      ['POST /departments/create', String(id), admin.id, 'ADMIN'],
      ['PUT /departments/:id/update', String(id), admin.id, 'ADMIN'],
      ['DELETE /departments/:id/delete', String(id), owner.id, 'OWNER'],
    ]);
    expect(await t.app.db.log.count()).toBe(before + 3);
  });

  it('also logs staff changes made through endpoints open to every signed-in user, but not customers\' own', async () => {
    await t.http.put(`/users/${customer.id}/update`).set(t.auth(admin)).send({ users_address: 'Jl. Riau 1' }).expect(200);
    await t.http.put(`/users/${customer.id}/update`).set(t.auth(customer)).send({ users_address: 'Jl. Riau 2' }).expect(200);
    const rows = await t.app.db.log.findMany({ where: { action: 'PUT /users/:id/update' }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => [r.resource_id, r.id_users, r.role])).toEqual([[String(customer.id), admin.id, 'ADMIN']]);
  });
});

describe('logs/* endpoints', () => {
  it('records a client event for the signed-in user', async () => {
    const res = await t.http.post('/logs/create').set(t.auth(customer)).send({ action: 'open_screen', resource: 'menus', resource_id: 12, details: { screen: 'catalogue' }, id_users: owner.id });
    expect(res.status).toBe(200);
    expect(res.body.logs).toMatchObject({ id_users: customer.id, role: 'CUSTOMER', action: 'client_event', resource: 'menus', resource_id: '12', details: { event: 'open_screen', screen: 'catalogue' } });
    expect((await t.http.post('/logs/create').send({ action: 'x' })).status).toBe(401);
    expect((await t.http.post('/logs/create').set(t.auth(customer)).send({ details: 'no' })).status).toBe(400);
    // details.event is the client's action, whatever details the body sends
    const spoof = await t.http.post('/logs/create').set(t.auth(customer)).send({ action: 'open_screen', details: { event: 'payment_confirmed', screen: 'x' } });
    expect(spoof.body.logs.details).toEqual({ event: 'open_screen', screen: 'x' });
  });

  it('lets staff explore, search, table and read logs; nobody else', async () => {
    const explore = await t.http.post('/logs/explore?page=1&length=5').set(t.auth(admin)).send({ action: 'login_failed' });
    expect(explore.status).toBe(200);
    expect(explore.body).toMatchObject({ page: 1, length: 5, totaldata: 2 });
    expect(explore.body.data.every((r: { action: string }) => r.action === 'login_failed')).toBe(true);
    const search = await t.http.post('/logs/search').set(t.auth(owner)).send({ id_users: customer.id });
    expect(search.status).toBe(200);
    expect(search.body.logs.length).toBeGreaterThanOrEqual(3);
    const table = await t.http.post('/logs/table').set(t.auth(admin)).send({ draw: 3, start: 0, length: 10, search: { value: 'departments' }, order: [{ column: 0, dir: 'asc' }] });
    expect(table.status).toBe(200);
    expect(table.body.draw).toBe(3);
    expect(table.body.data[0]).toHaveLength(10);
    const one = await t.http.get(`/logs/${explore.body.data[0].id}`).set(t.auth(admin));
    expect(one.status).toBe(200);
    expect(one.body.logs).toMatchObject({ id: explore.body.data[0].id, action: 'login_failed' });
    for (const u of [customer, doctor]) {
      expect((await t.http.post('/logs/explore').set(t.auth(u)).send({})).status).toBe(403);
      expect((await t.http.get(`/logs/${explore.body.data[0].id}`).set(t.auth(u))).status).toBe(403);
    }
  });

  it('answers 403 to update and delete for everyone, owners included', async () => {
    const row = await t.app.db.log.findFirstOrThrow();
    for (const u of [owner, admin, customer, doctor]) {
      expect((await t.http.put(`/logs/${row.id}/update`).set(t.auth(u)).send({ action: 'x' })).status).toBe(403);
      expect((await t.http.delete(`/logs/${row.id}/delete`).set(t.auth(u))).status).toBe(403);
    }
    expect(await t.app.db.log.findUniqueOrThrow({ where: { id: row.id } })).toEqual(row);
  });
});

describe('logs date filters', () => {
  it('takes start_date and end_date as Asia/Jakarta days, both inclusive', async () => {
    // one client event at each edge of 10/03/2027 in Asia/Jakarta (UTC+7)
    const at = async (iso: string, screen: string) => {
      t.app.now = () => new Date(iso);
      try {
        await t.http.post('/logs/create').set(t.auth(customer)).send({ action: 'day_edge', resource: 'day-edge', details: { screen } }).expect(200);
      } finally {
        t.app.now = () => new Date();
      }
    };
    await at('2027-03-09T23:59:59.999+07:00', 'day before');
    await at('2027-03-10T00:00:00.000+07:00', 'first moment');
    await at('2027-03-10T06:59:00.000+07:00', 'early morning');
    await at('2027-03-10T23:59:59.999+07:00', 'last moment');
    await at('2027-03-11T00:00:00.000+07:00', 'day after');
    const screens = async (body: Record<string, string>) => {
      const res = await t.http.post('/logs/search').set(t.auth(admin)).send({ resource: 'day-edge', ...body }).expect(200);
      return res.body.logs.map((r: { details: { screen: string } }) => r.details.screen).sort();
    };
    expect(await screens({ start_date: '10/03/2027', end_date: '10/03/2027' })).toEqual(['early morning', 'first moment', 'last moment']);
    expect(await screens({ start_date: '2027-03-11' })).toEqual(['day after']);
    expect(await screens({ end_date: '09/03/2027' })).toEqual(['day before']);
    const table = await t.http.post('/logs/table').set(t.auth(admin)).send({ draw: 1, start: 0, length: 10, resource: 'day-edge', start_date: '10/03/2027', end_date: '10/03/2027' }).expect(200);
    expect(table.body.recordsFiltered).toBe(3);
  });
});

describe('hash chain', () => {
  it('detects a row inserted before the first (seq 0 or below), which the walk from seq 1 never read', async () => {
    expect((await t.http.post('/logs/create').set(t.auth(customer)).send({ action: 'opened_app' })).status).toBe(200);
    expect(await verifyAuditChain(t.app.db)).toMatchObject({ ok: true });
    for (const seq of [0, -7]) {
      await t.app.db.log.create({
        data: { seq, prev_hash: '', hash: `forged${seq}`, id_users: customer.id, role: 'DOCTOR', action: 'read', resource: 'patient_rekam_medis', created_at: new Date() },
      });
      expect(await verifyAuditChain(t.app.db)).toMatchObject({ ok: false, seq, reason: 'row inserted' });
      await t.app.db.log.deleteMany({ where: { seq } });
    }
    expect(await verifyAuditChain(t.app.db)).toMatchObject({ ok: true });
  });

  it('verifies an intact chain and detects an altered or a deleted row (also via npm run audit:verify)', async () => {
    expect(await verifyAuditChain(t.app.db)).toMatchObject({ ok: true });
    const url = t.databaseUrl;
    const run = (databaseUrl: string) =>
      promisify(execFile)('npx', ['tsx', 'scripts/audit-verify.ts'], { env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' } }).then(
        () => 0,
        (e: { code?: number }) => e.code ?? 1,
      );
    if (url) expect(await run(url)).toBe(0);

    const victim = await t.app.db.log.findFirstOrThrow({ where: { seq: 2 } });
    await t.app.db.$executeRaw`UPDATE logs SET outcome = 'success', action = 'login' WHERE seq = 2`;
    expect(await verifyAuditChain(t.app.db)).toMatchObject({ ok: false, seq: 2, reason: 'row altered' });
    if (url) expect(await run(url)).toBe(1);
    await t.app.db.$executeRaw`UPDATE logs SET outcome = ${victim.outcome}, action = ${victim.action} WHERE seq = 2`;
    expect(await verifyAuditChain(t.app.db)).toMatchObject({ ok: true });

    await t.app.db.$executeRaw`DELETE FROM logs WHERE seq = 3`;
    expect(await verifyAuditChain(t.app.db)).toMatchObject({ ok: false, seq: 3, reason: 'missing row' });
  }, 180_000); // the script is a separate tsx process: slow to start on a busy 2-core machine
});
