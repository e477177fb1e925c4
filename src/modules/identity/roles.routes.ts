import { z } from 'zod';
import { ROLES, STAFF } from '../../http/auth-user.js';
import { unprocessable } from '../../http/errors.js';
import { resourceRoutes } from '../../http/resource.js';
import * as s from '../../lib/schemas.js';
import {
  departmentJSON,
  departmentSchema,
  roleAssignmentDetailJSON,
  roleAssignmentDetailSchema,
  roleAssignmentJSON,
  roleAssignmentSchema,
  userDepartmentDetailJSON,
  userDepartmentDetailSchema,
  userDepartmentListJSON,
  userDepartmentListSchema,
} from './serializers.js';
import { assertDepartmentsExist, assertMayChangeAccount, assertMayGrant, assertNotActingDoctor, assertNotLastOwner, assertNotLastRole } from './users.service.js';
import { containsText } from '../../lib/text-search.js';
import type { Tx } from '../../db/client.js';

/** the live account a body names in `field` (422 otherwise: the path's row exists, the body is wrong) */
async function activeUser(tx: Tx, id: number, field: string) {
  const u = await tx.user.findFirst({ where: { id, deleted_at: null } });
  if (!u) throw unprocessable(`User ${id} not found`, [{ field, message: 'not found' }]);
  return u;
}

/** Role assignments: the document calls them `roles` with `iduser`/`rolecodes`. */
const roleBody = z.object({ iduser: s.id, rolecodes: z.enum(ROLES), descriptions: s.text(255).optional() });

export const roleRoutes = resourceRoutes({
  name: 'roles',
  model: (db) => db.userRole,
  access: { read: STAFF, write: STAFF },
  exploreMethods: ['post', 'get'],
  // a deleted account's rows stay (the account is kept for its history) but assign nothing: the
  // lists count live accounts, as users/explore's role filter does
  scope: () => ({ user: { deleted_at: null } }),
  filters: z.object({ iduser: s.id.optional(), rolecodes: z.string().max(20).optional() }),
  where: (f) => ({ id_users: f.iduser, role_codes: f.rolecodes }),
  searchFields: ['role_codes', 'descriptions'],
  detailInclude: { user: true },
  defaultOrder: { id: 'asc' },
  toJSON: roleAssignmentJSON,
  toDetail: (r, c) => roleAssignmentDetailJSON(c.app, r),
  schema: roleAssignmentSchema,
  detailSchema: roleAssignmentDetailSchema,
  columns: [
    { name: 'id', value: (r) => r.id, orderBy: (d) => ({ id: d }) },
    { name: 'iduser', value: (r) => r.id_users, orderBy: (d) => ({ id_users: d }) },
    { name: 'rolecodes', value: (r) => r.role_codes, orderBy: (d) => ({ role_codes: d }) },
    { name: 'descriptions', value: (r) => r.descriptions, orderBy: (d) => ({ descriptions: d }) },
  ],
  create: {
    body: roleBody,
    run: async (b, c, tx) => {
      assertMayGrant(c.user, [b.rolecodes]);
      // an owner's roles are an owner's account: changed by owners only, as through users/:id/update
      await assertMayChangeAccount(tx, c.user, b.iduser);
      await activeUser(tx, b.iduser, 'iduser');
      const role = await tx.userRole.create({ data: { id_users: b.iduser, role_codes: b.rolecodes, descriptions: b.descriptions ?? '' } });
      return role.id;
    },
  },
  update: {
    body: roleBody,
    run: async (id, b, c, tx, existing) => {
      assertMayGrant(c.user, [existing.role_codes, b.rolecodes]);
      await assertMayChangeAccount(tx, c.user, existing.id_users);
      await assertMayChangeAccount(tx, c.user, b.iduser);
      await activeUser(tx, b.iduser, 'iduser');
      const taken = b.rolecodes !== existing.role_codes || b.iduser !== existing.id_users;
      if (existing.role_codes === 'OWNER' && taken) await assertNotLastOwner(tx, existing.id_users);
      if (existing.role_codes === 'DOCTOR' && taken) await assertNotActingDoctor(tx, existing.id_users, 'The DOCTOR role cannot be taken away', c.app.now());
      // moved to another account: the one it leaves keeps a role
      if (b.iduser !== existing.id_users) await assertNotLastRole(tx, existing.id_users, id);
      await tx.userRole.update({ where: { id }, data: { id_users: b.iduser, role_codes: b.rolecodes, descriptions: b.descriptions } });
      // The previous holder's tokens carried the old role.
      await tx.user.update({ where: { id: existing.id_users }, data: { token_version: { increment: 1 } } });
    },
  },
  delete: {
    run: async (id, c, tx, existing) => {
      assertMayGrant(c.user, [existing.role_codes]);
      await assertMayChangeAccount(tx, c.user, existing.id_users);
      if (existing.role_codes === 'OWNER') await assertNotLastOwner(tx, existing.id_users);
      if (existing.role_codes === 'DOCTOR') await assertNotActingDoctor(tx, existing.id_users, 'The DOCTOR role cannot be taken away', c.app.now());
      await assertNotLastRole(tx, existing.id_users, id);
      await tx.userRole.delete({ where: { id } });
      await tx.user.update({ where: { id: existing.id_users }, data: { token_version: { increment: 1 } } });
    },
  },
});

const departmentBody = z.object({
  department_name: s.requiredText(200),
  department_descriptions: s.text(2000).optional(),
  department_codes: s.requiredText(50),
});

export const departmentRoutes = resourceRoutes({
  name: 'departments',
  model: (db) => db.department,
  access: { read: STAFF, write: STAFF },
  exploreMethods: ['post', 'get'],
  filters: z.object({ department_name: s.text(200).optional(), department_codes: s.text(50).optional() }),
  where: (f) => ({
    department_name: f.department_name ? containsText(f.department_name) : undefined,
    department_codes: f.department_codes,
  }),
  searchFields: ['department_name', 'department_descriptions', 'department_codes'],
  defaultOrder: { id: 'asc' },
  toJSON: departmentJSON,
  schema: departmentSchema,
  columns: [
    { name: 'id', value: (d) => d.id, orderBy: (d) => ({ id: d }) },
    { name: 'department_name', value: (d) => d.department_name, orderBy: (d) => ({ department_name: d }) },
    { name: 'department_descriptions', value: (d) => d.department_descriptions, orderBy: (d) => ({ department_descriptions: d }) },
    { name: 'department_codes', value: (d) => d.department_codes, orderBy: (d) => ({ department_codes: d }) },
  ],
  create: { body: departmentBody, run: async (b, _c, tx) => (await tx.department.create({ data: b })).id },
  update: { body: departmentBody.partial(), run: async (id, b, _c, tx) => void (await tx.department.update({ where: { id }, data: b })) },
  // Departments with members are refused (409 from the foreign key): move the members first.
});

const userDepartmentBody = z.object({ id_departments: s.id, id_users: s.id, descriptions: s.text(255).optional() });

export const userDepartmentRoutes = resourceRoutes({
  name: 'user_departments',
  model: (db) => db.userDepartment,
  access: { read: STAFF, write: STAFF },
  filters: z.object({ id_departments: s.id.optional(), id_users: s.id.optional() }),
  where: (f) => ({ id_departments: f.id_departments, id_users: f.id_users }),
  include: { user: true, department: true },
  searchFields: ['descriptions', 'user.users_fullname', 'department.department_name'],
  toJSON: userDepartmentListJSON,
  toDetail: (r, c) => userDepartmentDetailJSON(c.app, r),
  schema: userDepartmentListSchema,
  detailSchema: userDepartmentDetailSchema,
  columns: [
    { name: 'id', value: (r) => r.id, orderBy: (d) => ({ id: d }) },
    { name: 'id_users', value: (r) => r.id_users, orderBy: (d) => ({ id_users: d }) },
    { name: 'id_departments', value: (r) => r.id_departments, orderBy: (d) => ({ id_departments: d }) },
    { name: 'descriptions', value: (r) => r.descriptions, orderBy: (d) => ({ descriptions: d }) },
    { name: 'users_fullname', value: (r) => r.user.users_fullname, orderBy: (d) => ({ user: { users_fullname: d } }) },
    { name: 'department_name', value: (r) => r.department.department_name, orderBy: (d) => ({ department: { department_name: d } }) },
  ],
  // memberships are part of the account: an owner's are changed by owners (as users/:id/update's id_departments)
  create: {
    body: userDepartmentBody,
    run: async (b, c, tx) => {
      await activeUser(tx, b.id_users, 'id_users');
      await assertMayChangeAccount(tx, c.user, b.id_users);
      await assertDepartmentsExist(tx, [b.id_departments]);
      return (await tx.userDepartment.create({ data: { ...b, descriptions: b.descriptions ?? '' } })).id;
    },
  },
  update: {
    body: userDepartmentBody,
    run: async (id, b, c, tx, existing) => {
      await activeUser(tx, b.id_users, 'id_users');
      await assertMayChangeAccount(tx, c.user, existing.id_users);
      await assertMayChangeAccount(tx, c.user, b.id_users);
      await assertDepartmentsExist(tx, [b.id_departments]);
      await tx.userDepartment.update({ where: { id }, data: b });
    },
  },
  delete: {
    run: async (id, c, tx, existing) => {
      await assertMayChangeAccount(tx, c.user, existing.id_users);
      await tx.userDepartment.delete({ where: { id } });
    },
  },
});
