import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { inspect } from './route-table.js';

/**
 * Only an owner changes an owner's account (docs/compat.md, Users and roles): users/:id/update,
 * roles/*, the picture and the password already refuse an admin. The block and the department
 * memberships are the account's too.
 */
let t: TestApp;
let owner: TestUser;
let admin: TestUser;
let departmentId: number;
beforeAll(async () => {
  t = await createTestApp();
  owner = await t.user(['OWNER']);
  admin = await t.user(['ADMIN']);
  departmentId = (await t.app.db.department.create({ data: { department_name: 'Direksi', department_codes: 'DIR' } })).id;
});
afterAll(() => t.close());

describe("an admin and an owner's account", () => {
  it('an admin cannot unblock an owner (the lockout stops password guessing); another owner can', async () => {
    const blocked = await t.user(['OWNER']);
    await t.app.db.user.update({ where: { id: blocked.id }, data: { is_blocked: 1, num_of_login_attempts: 5 } });
    const res = await t.http.post(`/users/${blocked.id}/unblock`).set(t.auth(admin));
    inspect(res, 'users/:id/unblock by an admin');
    expect(res.status).toBe(403);
    expect(await t.app.db.user.findUniqueOrThrow({ where: { id: blocked.id } })).toMatchObject({ is_blocked: 1, num_of_login_attempts: 5 });
    expect((await t.http.post(`/users/${blocked.id}/unblock`).set(t.auth(owner))).status).toBe(200);
  });

  it("an admin cannot change an owner's department memberships through user_departments", async () => {
    const create = await t.http.post('/user_departments/create').set(t.auth(admin)).send({ id_departments: departmentId, id_users: owner.id });
    inspect(create, 'user_departments/create for an owner by an admin');
    expect(create.status).toBe(403);
    expect(await t.app.db.userDepartment.count({ where: { id_users: owner.id } })).toBe(0);

    const row = await t.app.db.userDepartment.create({ data: { id_departments: departmentId, id_users: owner.id, descriptions: '' } });
    const mine = await t.app.db.userDepartment.create({ data: { id_departments: departmentId, id_users: admin.id, descriptions: '' } });
    for (const [method, path, body] of [
      ['put', `/user_departments/${row.id}/update`, { id_departments: departmentId, id_users: admin.id }],
      ['put', `/user_departments/${mine.id}/update`, { id_departments: departmentId, id_users: owner.id }],
      ['delete', `/user_departments/${row.id}/delete`, undefined],
    ] as const) {
      const res = await t.http[method](path).set(t.auth(admin)).send(body ?? {});
      inspect(res, `${method} ${path} by an admin`);
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(403);
    }
    expect(await t.app.db.userDepartment.findMany({ where: { id: { in: [row.id, mine.id] } }, orderBy: { id: 'asc' } })).toMatchObject([{ id_users: owner.id }, { id_users: admin.id }]);
    // an owner may; an admin still manages non-owners
    expect((await t.http.delete(`/user_departments/${row.id}/delete`).set(t.auth(owner))).status).toBe(200);
    expect((await t.http.put(`/user_departments/${mine.id}/update`).set(t.auth(admin)).send({ id_departments: departmentId, id_users: admin.id, descriptions: 'x' })).status).toBe(200);
  });
});
