import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from './helpers/app.js';
import { whileHolding } from './helpers/interleave.js';

let t: TestApp;
let owner: TestUser;
let admin: TestUser;
let doctor: TestUser;
let customer: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  owner = await t.user(['OWNER']);
  admin = await t.user(['ADMIN']);
  doctor = await t.user(['DOCTOR']);
  customer = await t.user(['CUSTOMER']);
});
afterAll(() => t.close());

describe('roles', () => {
  it('creates, reads, lists, updates and deletes role assignments (staff only)', async () => {
    for (const u of [customer, doctor]) {
      expect((await t.http.post('/roles/create').set(t.auth(u)).send({ iduser: customer.id, rolecodes: 'ADMIN' })).status).toBe(403);
    }
    const created = await t.http.post('/roles/create').set(t.auth(admin)).send({ iduser: String(customer.id), rolecodes: 'DOCTOR' });
    expect(created.status).toBe(200);
    expect(created.body.roles).toMatchObject({ user: { id: customer.id, username: customer.username }, rolecodes: 'DOCTOR', descriptions: '' });
    const id = created.body.roles.id;

    const dup = await t.http.post('/roles/create').set(t.auth(admin)).send({ iduser: customer.id, rolecodes: 'DOCTOR' });
    expect(dup.status).toBe(409);
    const bad = await t.http.post('/roles/create').set(t.auth(admin)).send({ iduser: customer.id, rolecodes: 'SUPERUSER' });
    expect(bad.status).toBe(400);
    const ownerByAdmin = await t.http.post('/roles/create').set(t.auth(admin)).send({ iduser: customer.id, rolecodes: 'OWNER' });
    expect(ownerByAdmin.status).toBe(403);

    const explore = await t.http.get(`/roles/explore?page=1&length=10&iduser=${customer.id}`).set(t.auth(admin));
    expect(explore.body.data).toEqual([
      expect.objectContaining({ iduser: customer.id, rolecodes: 'CUSTOMER' }),
      { id, iduser: customer.id, rolecodes: 'DOCTOR', descriptions: '' },
    ]);
    const search = await t.http.post('/roles/search').set(t.auth(admin)).send({ iduser: customer.id });
    expect(search.body.roles).toHaveLength(2);
    const table = await t.http.post('/roles/table').set(t.auth(admin)).send({ draw: 1, start: 0, length: 10, iduser: customer.id });
    expect(table.body.data).toContainEqual([id, customer.id, 'DOCTOR', '']);

    // a role change ends the user's current tokens (they carry the old roles)
    const upd = await t.http.put(`/roles/${id}/update`).set(t.auth(admin)).send({ iduser: customer.id, rolecodes: 'ADMIN' });
    expect(upd.body.roles.rolecodes).toBe('ADMIN');
    expect((await t.http.get('/users/data').set(t.auth(customer))).status).toBe(401);

    expect((await t.http.delete(`/roles/${id}/delete`).set(t.auth(admin))).body).toEqual({ deleted: true });
    expect((await t.http.get(`/roles/${id}`).set(t.auth(admin))).status).toBe(404);
  });

  it("keeps a live doctor profile's account and DOCTOR role until the profile is deleted (409)", async () => {
    const d = await t.user(['DOCTOR']);
    const profile = await t.http.post('/doctors/create').set(t.auth(admin)).send({ id_users: d.id });
    expect(profile.status).toBe(200);
    const role = await t.app.db.userRole.findFirstOrThrow({ where: { id_users: d.id, role_codes: 'DOCTOR' } });
    const attempts = [
      () => t.http.delete(`/users/${d.id}/delete`).set(t.auth(admin)),
      () => t.http.put(`/users/${d.id}/update`).set(t.auth(admin)).send({ roles: ['CUSTOMER'] }),
      () => t.http.delete(`/roles/${role.id}/delete`).set(t.auth(admin)),
      () => t.http.put(`/roles/${role.id}/update`).set(t.auth(admin)).send({ iduser: d.id, rolecodes: 'ADMIN' }),
      () => t.http.put(`/roles/${role.id}/update`).set(t.auth(admin)).send({ iduser: customer.id, rolecodes: 'DOCTOR' }),
    ];
    for (const attempt of attempts) {
      const res = await attempt();
      expect(res.status).toBe(409);
      expect(res.body.message).toMatch(/doctor profile/);
    }
    // still a bookable doctor whose account can act as one
    expect((await t.http.post('/doctors/explore').send({ id_users: d.id })).body.data).toHaveLength(1);
    expect((await t.http.get('/users/data').set(t.auth(d))).status).toBe(200);
    // other role changes are not held back
    expect((await t.http.put(`/users/${d.id}/update`).set(t.auth(admin)).send({ roles: ['DOCTOR', 'ADMIN'] })).status).toBe(200);

    // once the profile is deleted, the role and the account may go
    expect((await t.http.delete(`/doctors/${profile.body.doctors.id}/delete`).set(t.auth(admin))).status).toBe(200);
    expect((await t.http.put(`/users/${d.id}/update`).set(t.auth(admin)).send({ roles: ['ADMIN'] })).status).toBe(200);
    expect((await t.http.delete(`/users/${d.id}/delete`).set(t.auth(admin))).status).toBe(200);
  });

  it('never removes the last owner', async () => {
    const role = await t.app.db.userRole.findFirstOrThrow({ where: { id_users: owner.id, role_codes: 'OWNER' } });
    const res = await t.http.delete(`/roles/${role.id}/delete`).set(t.auth(owner));
    expect(res.status).toBe(409);
  });
});

describe("a deleted account's role assignments", () => {
  it('are no longer listed or read through roles: the role lists count the live accounts users/explore counts', async () => {
    const leaving = await t.user(['ADMIN', 'DOCTOR']);
    const rows = await t.app.db.userRole.findMany({ where: { id_users: leaving.id } });
    const admins = async () => {
      const byRole = await t.http.post('/roles/explore?page=1&length=100').set(t.auth(owner)).send({ rolecodes: 'ADMIN' });
      const users = await t.http.post('/users/explore?page=1&length=100').set(t.auth(owner)).send({ role_codes: 'ADMIN' });
      return [byRole.body.totaldata, users.body.totaldata];
    };
    const [before] = await admins();
    await t.http.delete(`/users/${leaving.id}/delete`).set(t.auth(owner)).expect(200);
    const [roleCount, userCount] = await admins();
    expect(roleCount).toBe(before - 1);
    expect(roleCount).toBe(userCount);
    expect((await t.http.post('/roles/search').set(t.auth(owner)).send({ iduser: leaving.id })).body.roles).toEqual([]);
    const table = await t.http.post('/roles/table').set(t.auth(owner)).send({ draw: 1, start: 0, length: 10, iduser: leaving.id });
    expect([table.body.recordsFiltered, table.body.data]).toEqual([0, []]);
    for (const row of rows) expect((await t.http.get(`/roles/${row.id}`).set(t.auth(owner))).status).toBe(404);
  });
});

describe('an account that does not exist or was deleted, named in a body', () => {
  it('is a 422 naming the field (roles iduser, user_departments id_users), not a 404 for the path', async () => {
    const gone = await t.user(['CUSTOMER']);
    const kept = await t.user(['CUSTOMER']);
    await t.app.db.user.update({ where: { id: gone.id }, data: { deleted_at: new Date() } });
    await t.app.callers.settle();
    const dept = (await t.http.post('/departments/create').set(t.auth(admin)).send({ department_name: 'Lab', department_codes: 'LAB' })).body.departments;
    const role = await t.app.db.userRole.findFirstOrThrow({ where: { id_users: kept.id } });
    const link = (await t.http.post('/user_departments/create').set(t.auth(admin)).send({ id_departments: dept.id, id_users: kept.id })).body.user_departments;
    const attempts: [Promise<any>, string][] = [];
    for (const iduser of [gone.id, 999999]) {
      attempts.push([t.http.post('/roles/create').set(t.auth(admin)).send({ iduser, rolecodes: 'ADMIN' }), 'iduser']);
      attempts.push([t.http.put(`/roles/${role.id}/update`).set(t.auth(admin)).send({ iduser, rolecodes: 'CUSTOMER' }), 'iduser']);
      attempts.push([t.http.post('/user_departments/create').set(t.auth(admin)).send({ id_departments: dept.id, id_users: iduser }), 'id_users']);
      attempts.push([t.http.put(`/user_departments/${link.id}/update`).set(t.auth(admin)).send({ id_departments: dept.id, id_users: iduser }), 'id_users']);
    }
    for (const [res, field] of attempts) {
      const r = await res;
      expect(r.status).toBe(422);
      expect(r.body.errors).toEqual([expect.objectContaining({ field })]);
    }
  });
});

describe('departments and user_departments', () => {
  it('manages departments and memberships with the documented shapes', async () => {
    const dept = await t.http.post('/departments/create').set(t.auth(admin)).send({ department_name: 'Finance', department_descriptions: 'Finance Department', department_codes: '02' });
    expect(dept.body.departments).toMatchObject({ department_name: 'Finance', department_codes: '02' });
    const id = dept.body.departments.id;
    const fresh = await t.user(['CUSTOMER']);
    expect((await t.http.post('/departments/create').set(t.auth(fresh)).send({ department_name: 'x', department_codes: 'x' })).status).toBe(403);
    expect((await t.http.post('/departments/create').set(t.auth(admin)).send({ department_name: 'Dup', department_codes: '02' })).status).toBe(409);

    const link = await t.http.post('/user_departments/create').set(t.auth(admin)).send({ id_departments: id, id_users: doctor.id });
    expect(link.body.user_departments).toMatchObject({
      users: { id: doctor.id, department_ids: String(id), department_name: 'Finance', department_codes: '02' },
      departments: { id, department_name: 'Finance' },
      descriptions: '',
    });
    const listed = await t.http.post('/user_departments/explore?page=1&length=10').set(t.auth(admin)).send({ id_departments: id });
    expect(listed.body.data).toEqual([
      { id: link.body.user_departments.id, id_users: doctor.id, id_departments: id, descriptions: '', users_fullname: expect.any(String), department_name: 'Finance' },
    ]);
    const table = await t.http.post('/user_departments/table').set(t.auth(admin)).send({ draw: 2, start: 0, length: 10, search: { value: 'finance' } });
    expect(table.body.recordsFiltered).toBe(1);
    expect(table.body.data[0][5]).toBe('Finance');

    // a department with members cannot be deleted
    expect((await t.http.delete(`/departments/${id}/delete`).set(t.auth(admin))).status).toBe(409);
    await t.http.delete(`/user_departments/${link.body.user_departments.id}/delete`).set(t.auth(admin));
    expect((await t.http.delete(`/departments/${id}/delete`).set(t.auth(admin))).body).toEqual({ deleted: true });
  });

  it('refuses a membership of a department that does not exist (422, nothing kept), through each way of giving one', async () => {
    const dept = (await t.http.post('/departments/create').set(t.auth(admin)).send({ department_name: 'Ops', department_codes: 'OPS' })).body.departments;
    const member = await t.user(['CUSTOMER']);
    const unknown = { status: 422, field: 'id_departments' };
    const check = (res: { status: number; body: { errors?: { field: string }[] } }) => {
      expect(res.status).toBe(unknown.status);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: unknown.field })]);
    };
    check(await t.http.post('/user_departments/create').set(t.auth(admin)).send({ id_departments: 999999, id_users: member.id }));
    const link = await t.http.post('/user_departments/create').set(t.auth(admin)).send({ id_departments: dept.id, id_users: member.id });
    expect(link.status).toBe(200);
    const linkId = link.body.user_departments.id;
    check(await t.http.put(`/user_departments/${linkId}/update`).set(t.auth(admin)).send({ id_departments: 999999, id_users: member.id }));
    check(await t.http.put(`/users/${member.id}/update`).set(t.auth(admin)).send({ id_departments: [dept.id, 999999] }));
    const created = await t.http
      .post('/users/create')
      .set(t.auth(admin))
      .send({ username: 'deptless', users_fullname: 'Dept Less', users_email: 'deptless@example.com', password: 'secret-pass-123', retype_password: 'secret-pass-123', id_departments: [999999] });
    check(created);
    // nothing changed: the membership as it was, no account made
    const rows = await t.app.db.userDepartment.findMany({ where: { id_users: member.id } });
    expect(rows.map((r) => r.id_departments)).toEqual([dept.id]);
    expect(await t.app.db.user.count({ where: { username: 'deptless' } })).toBe(0);
  });
});

describe("an account's last role", () => {
  it('is not deleted nor moved to another account (409): every account keeps a role, as users/:id/update requires', async () => {
    const u = await t.user(['CUSTOMER', 'DOCTOR']);
    const [customerRole, doctorRole] = await Promise.all(['CUSTOMER', 'DOCTOR'].map((role_codes) => t.app.db.userRole.findFirstOrThrow({ where: { id_users: u.id, role_codes } })));
    // one of two goes
    await t.http.delete(`/roles/${doctorRole!.id}/delete`).set(t.auth(admin)).expect(200);
    // the last one stays: deleted, or given to another account, it would leave this one with none
    const attempts = [
      () => t.http.delete(`/roles/${customerRole!.id}/delete`).set(t.auth(admin)),
      () => t.http.put(`/roles/${customerRole!.id}/update`).set(t.auth(admin)).send({ iduser: customer.id, rolecodes: 'DOCTOR' }),
    ];
    for (const attempt of attempts) {
      const res = await attempt();
      expect([res.status, res.body.message]).toEqual([409, 'This is the account’s last role: give it another role first']);
    }
    expect(await t.app.db.userRole.count({ where: { id_users: u.id } })).toBe(1);
    // changing its code, on the same account, is no loss
    await t.http.put(`/roles/${customerRole!.id}/update`).set(t.auth(admin)).send({ iduser: u.id, rolecodes: 'DOCTOR' }).expect(200);
    // with another role given, the first may go
    await t.http.post('/roles/create').set(t.auth(admin)).send({ iduser: u.id, rolecodes: 'CUSTOMER' }).expect(200);
    await t.http.delete(`/roles/${customerRole!.id}/delete`).set(t.auth(admin)).expect(200);
    expect((await t.app.db.userRole.findMany({ where: { id_users: u.id } })).map((r) => r.role_codes)).toEqual(['CUSTOMER']);
  });

  it.runIf(process.env.TEST_DATABASE_URL)('is kept when two of its roles are deleted at the same moment: the second waits and is refused', async () => {
    const u = await t.user(['CUSTOMER', 'DOCTOR']);
    const [customerRole, doctorRole] = await Promise.all(['CUSTOMER', 'DOCTOR'].map((role_codes) => t.app.db.userRole.findFirstOrThrow({ where: { id_users: u.id, role_codes } })));
    // another change of the account's roles holds its row (as a delete of its other role does), and deletes that role meanwhile
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM users WHERE id = ${u.id} FOR UPDATE`,
      () => t.http.delete(`/roles/${customerRole!.id}/delete`).set(t.auth(admin)),
      (tx) => tx.userRole.delete({ where: { id: doctorRole!.id } }),
    );
    expect([res.status, res.body.message]).toEqual([409, 'This is the account’s last role: give it another role first']);
    expect((await t.app.db.userRole.findMany({ where: { id_users: u.id } })).map((r) => r.role_codes)).toEqual(['CUSTOMER']);
  });
});
