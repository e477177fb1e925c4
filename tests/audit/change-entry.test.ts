import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { verifyAuditChain } from '../../src/modules/audit/audit.service.js';
import { patientBody } from '../patients/fixtures.js';

// The generic audit entry of a staff change (register.ts auditAdminChange) is written in the
// change's own transaction: the two commit or roll back together.

let t: TestApp;
let admin: TestUser;
let customer: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
});
afterAll(() => t.close());

/** Makes every insert into the audit log fail, as a full disk or a broken log table would. */
async function breakAuditLog() {
  await t.app.db.$executeRawUnsafe(`CREATE FUNCTION test_refuse_log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$`);
  await t.app.db.$executeRawUnsafe(`CREATE TRIGGER test_refuse_log BEFORE INSERT ON logs FOR EACH ROW EXECUTE FUNCTION test_refuse_log()`);
}
afterEach(async () => {
  await t.app.db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_refuse_log ON logs`);
  await t.app.db.$executeRawUnsafe(`DROP FUNCTION IF EXISTS test_refuse_log()`);
});

let codes = 0;
const createDepartment = (name: string) => t.http.post('/departments/create').set(t.auth(admin)).send({ department_name: name, department_codes: `D${++codes}` });

describe('a staff change whose audit entry cannot be written', () => {
  it('is not made: create, update and delete roll back and answer an error', async () => {
    const kept = (await createDepartment('Kept').expect(200)).body.departments;
    const logs = await t.app.db.log.count();
    await breakAuditLog();

    const created = await createDepartment('Unlogged');
    expect(created.status).toBe(500);
    expect(created.body).toEqual({ status: 500, message: 'Internal server error' });
    expect(await t.app.db.department.count({ where: { department_name: 'Unlogged' } })).toBe(0);

    const updated = await t.http.put(`/departments/${kept.id}/update`).set(t.auth(admin)).send({ department_name: 'Renamed' });
    expect(updated.status).toBe(500);
    expect((await t.app.db.department.findUniqueOrThrow({ where: { id: kept.id } })).department_name).toBe('Kept');

    const deleted = await t.http.delete(`/departments/${kept.id}/delete`).set(t.auth(admin));
    expect(deleted.status).toBe(500);
    expect(await t.app.db.department.count({ where: { id: kept.id } })).toBe(1);

    // staff through a route open to every signed-in user (users/:id/update)
    const edited = await t.http.put(`/users/${customer.id}/update`).set(t.auth(admin)).send({ users_address: 'Jl. Unlogged 1' });
    expect(edited.status).toBe(500);
    expect((await t.app.db.user.findUniqueOrThrow({ where: { id: customer.id } })).users_address).not.toBe('Jl. Unlogged 1');

    expect(await t.app.db.log.count()).toBe(logs);
  });

  it('does not touch changes that are not audited (a customer editing their own account)', async () => {
    await breakAuditLog();
    await t.http.put(`/users/${customer.id}/update`).set(t.auth(customer)).send({ users_address: 'Jl. Own 2' }).expect(200);
    expect((await t.app.db.user.findUniqueOrThrow({ where: { id: customer.id } })).users_address).toBe('Jl. Own 2');
  });
});

describe('a staff change', () => {
  it('has exactly one entry, as before: who, role, action, resource, id, address and agent', async () => {
    const from = (await t.app.db.log.aggregate({ _max: { seq: true } }))._max.seq ?? 0;
    const id = (await createDepartment('Logged').set('User-Agent', 'audit-test/1').expect(200)).body.departments.id;
    await t.http.post(`/departments/${id}/update`).set(t.auth(admin)).set('User-Agent', 'audit-test/1').send({ department_name: 'Logged 2' }).expect(200);
    await t.http.delete(`/departments/${id}/delete`).set(t.auth(admin)).set('User-Agent', 'audit-test/1').expect(200);
    const rows = await t.app.db.log.findMany({ where: { seq: { gt: from } }, orderBy: { seq: 'asc' } });
    const entry = (action: string) => ({
      id_users: admin.id,
      role: 'ADMIN',
      action,
      resource: 'departments',
      resource_id: String(id),
      id_patients: null,
      outcome: 'success',
      ip: expect.stringMatching(/127\.0\.0\.1/),
      user_agent: 'audit-test/1',
      details: null,
    });
    expect(rows).toEqual([
      expect.objectContaining(entry('POST /departments/create')),
      expect.objectContaining(entry('POST /departments/:id/update')),
      expect.objectContaining(entry('DELETE /departments/:id/delete')),
    ]);
  });

  it('with its own, more precise entry (a patient) still has only that one', async () => {
    const from = (await t.app.db.log.aggregate({ _max: { seq: true } }))._max.seq ?? 0;
    const res = await t.http.post('/patients/create').set(t.auth(admin)).send(patientBody({ id_users: customer.id }));
    expect(res.status).toBe(200);
    const rows = await t.app.db.log.findMany({ where: { seq: { gt: from } } });
    expect(rows.map((r) => [r.action, r.resource, r.resource_id])).toEqual([['create', 'patients', String(res.body.patients.id)]]);
  });

  it('keeps the chain intact when many are made at once', async () => {
    const from = await t.app.db.log.count();
    const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => createDepartment(`Concurrent ${i}`).expect(200).then((r) => r.body.departments.id as number)));
    const answers = await Promise.all(
      ids.flatMap((id, i) => [
        t.http.put(`/departments/${id}/update`).set(t.auth(admin)).send({ department_name: `Concurrent ${i}b` }),
        t.http.put(`/users/${customer.id}/update`).set(t.auth(admin)).send({ users_address: `Jl. Concurrent ${i}` }),
      ]),
    );
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
    expect(await t.app.db.log.count()).toBe(from + ids.length * 3);
    expect(await verifyAuditChain(t.app.db)).toMatchObject({ ok: true });
  });
});
