import { z } from 'zod';
import * as r from '../../http/response.js';
import type { AppContext } from '../../app-context.js';
import { ROLES, type Role } from '../../http/auth-user.js';
import { formatDate } from '../../lib/dates.js';

type UserRow = {
  id: number;
  username: string;
  users_fullname: string;
  users_email: string | null;
  users_phone: string | null;
  users_address: string;
  users_birthday: Date | null;
  users_picture: string;
  users_status: string;
  is_blocked: number;
  is_email_confirmed: number;
  is_phone_confirmed: number;
  is_password_reset_required: number;
  positions: string;
  num_of_login_attempts?: number;
  roles?: { id: number; id_users: number; role_codes: string; descriptions: string }[];
  departments?: { id: number; id_users: number; id_departments: number; descriptions: string; department?: DepartmentRow }[];
};
type DepartmentRow = { id: number; department_name: string; department_descriptions: string; department_codes: string };

/**
 * A user as the document shows one. Secrets (password hash, reset hash, OTP) are never
 * included; the document's `reset_hash`/`otp` fields are left out on purpose (docs/compat.md).
 */
export function userJSON(app: AppContext, u: UserRow) {
  return {
    id: u.id,
    username: u.username,
    users_fullname: u.users_fullname,
    users_email: u.users_email ?? '',
    users_phone: u.users_phone ?? '',
    users_address: u.users_address,
    users_birthday: formatDate(u.users_birthday),
    users_picture: u.users_picture,
    users_picture_url: app.storage.publicUrl('users', u.users_picture),
    users_status: u.users_status,
    is_blocked: u.is_blocked,
    is_email_confirmed: u.is_email_confirmed,
    is_phone_confirmed: u.is_phone_confirmed,
    is_password_reset_required: u.is_password_reset_required,
    positions: u.positions,
  };
}

const roleJSON = (r: { id: number; id_users: number; role_codes: string; descriptions: string }) => ({
  id: r.id,
  id_users: r.id_users,
  role_codes: r.role_codes,
  descriptions: r.descriptions,
});

const userDepartmentJSON = (d: { id: number; id_users: number; id_departments: number; descriptions: string }) => ({
  id: d.id,
  id_users: d.id_users,
  id_departments: d.id_departments,
  descriptions: d.descriptions,
});

export const departmentJSON = (d: DepartmentRow) => ({
  id: d.id,
  department_name: d.department_name,
  department_descriptions: d.department_descriptions,
  department_codes: d.department_codes,
});

/** list form: the document adds the first department id */
export function userListJSON(app: AppContext, u: UserRow) {
  return { ...userJSON(app, u), id_departments: u.departments?.[0]?.id_departments ?? 0 };
}

export function userDetailJSON(app: AppContext, u: UserRow) {
  return {
    ...userJSON(app, u),
    departments: (u.departments ?? []).map(userDepartmentJSON),
    roles: (u.roles ?? []).map(roleJSON),
  };
}

/** the user as nested in user_departments answers */
export function userWithDepartmentJSON(app: AppContext, u: UserRow, d: DepartmentRow | undefined) {
  return {
    ...userJSON(app, u),
    num_of_login_attempts: u.num_of_login_attempts ?? 0,
    department_ids: d ? String(d.id) : '',
    department_name: d?.department_name ?? '',
    department_descriptions: d?.department_descriptions ?? '',
    department_codes: d?.department_codes ?? '',
  };
}

/** roles resource (the document's `iduser`/`rolecodes` names): list form */
export const roleAssignmentJSON = (r: { id: number; id_users: number; role_codes: string; descriptions: string }) => ({
  id: r.id,
  iduser: r.id_users,
  rolecodes: r.role_codes,
  descriptions: r.descriptions,
});

/** roles resource: detail form, with the user */
export const roleAssignmentDetailJSON = (app: AppContext, r: { id: number; role_codes: string; descriptions: string; user: UserRow }) => ({
  id: r.id,
  user: userJSON(app, r.user),
  rolecodes: r.role_codes,
  descriptions: r.descriptions,
});

type UserDepartmentRow = { id: number; id_users: number; id_departments: number; descriptions: string };

/** user_departments resource: list form, with the names */
export const userDepartmentListJSON = (r: UserDepartmentRow & { user: { users_fullname: string }; department: { department_name: string } }) => ({
  ...userDepartmentJSON(r),
  users_fullname: r.user.users_fullname,
  department_name: r.department.department_name,
});

/** user_departments resource: detail form, with the user and the department */
export const userDepartmentDetailJSON = (app: AppContext, r: UserDepartmentRow & { user: UserRow; department: DepartmentRow }) => ({
  id: r.id,
  users: userWithDepartmentJSON(app, r.user, r.department),
  departments: departmentJSON(r.department),
  descriptions: r.descriptions,
});

/** users/login: who signed in and their session token (never the password hash, reset hash or OTP) */
export const loginJSON = (
  u: { id: number; users_email: string | null; users_phone: string | null; is_password_reset_required: number },
  roles: Role[],
  bearer: string,
) => ({
  users_phone: u.users_phone ?? '',
  users_email: u.users_email ?? '',
  login: true as const,
  bearer,
  id: u.id,
  is_password_reset_required: u.is_password_reset_required,
  roles,
});

/**
 * A staff member's account as shown to the public (a doctor's profile): the same keys, but the
 * personal contact data and the account's security state (blocked, failed logins, confirmations)
 * are blanked. Staff and the account itself see everything.
 */
export function publicAccountView<T extends Record<string, unknown>>(user: T): T {
  return {
    ...user,
    users_email: '',
    users_phone: '',
    users_address: '',
    users_birthday: null,
    users_status: '',
    is_blocked: 0,
    is_email_confirmed: 0,
    is_phone_confirmed: 0,
    is_password_reset_required: 0,
    ...('num_of_login_attempts' in user ? { num_of_login_attempts: 0 } : {}),
  };
}

// ---------------------------------------------------------------- response schemas

/** role codes are only ever written from ROLES (users and roles resources, seeds, first owner) */
export const roleCode = z.enum(ROLES);

export const userSchema = z.object({
  id: r.int,
  username: r.str,
  users_fullname: r.str,
  /** '' when the user has none */
  users_email: r.str,
  users_phone: r.str,
  users_address: r.str,
  users_birthday: r.when,
  users_picture: r.str,
  /** '' when there is no picture */
  users_picture_url: r.str,
  users_status: r.str,
  is_blocked: r.flag,
  is_email_confirmed: r.flag,
  is_phone_confirmed: r.flag,
  is_password_reset_required: r.flag,
  positions: r.str,
});
const roleSchema = z.object({ id: r.int, id_users: r.int, role_codes: roleCode, descriptions: r.str });
const userDepartmentSchema = z.object({ id: r.int, id_users: r.int, id_departments: r.int, descriptions: r.str });
export const departmentSchema = z.object({ id: r.int, department_name: r.str, department_descriptions: r.str, department_codes: r.str });
/** id_departments: the first department's id, 0 when none */
export const userListSchema = userSchema.extend({ id_departments: r.int });
export const userDetailSchema = userSchema.extend({ departments: z.array(userDepartmentSchema), roles: z.array(roleSchema) });
export const userWithDepartmentSchema = userSchema.extend({
  num_of_login_attempts: r.int,
  /** the department's id as a string, '' when none */
  department_ids: r.str,
  department_name: r.str,
  department_descriptions: r.str,
  department_codes: r.str,
});
export const roleAssignmentSchema = z.object({ id: r.int, iduser: r.int, rolecodes: roleCode, descriptions: r.str });
export const roleAssignmentDetailSchema = z.object({ id: r.int, user: userSchema, rolecodes: roleCode, descriptions: r.str });
export const userDepartmentListSchema = userDepartmentSchema.extend({ users_fullname: r.str, department_name: r.str });
export const userDepartmentDetailSchema = z.object({
  id: r.int,
  users: userWithDepartmentSchema,
  departments: departmentSchema,
  descriptions: r.str,
});

/** A JSON Web Token in compact form: three base64url parts (header.claims.signature). */
const bearerToken = r.str.regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/).meta({
  description:
    'Session token: a JWT signed with HS256 carrying sub (the user id as a string), tv (token version), roles, iat and exp. ' +
    'Send it as `Authorization: Bearer <token>`. It expires after JWT_EXPIRES_IN (default 12h) and stops working earlier ' +
    'when the password changes or is reset, a role is changed or taken away, the user is deleted, or the account is blocked after failed sign-ins (an unblock does not bring it back). ' +
    'Roles are re-read from the database on every request; the roles claim is informative only.',
});
export const loginSchema = z.object({
  users_phone: r.str,
  users_email: r.str,
  login: z.literal(true),
  bearer: bearerToken,
  id: r.int,
  /** 1: the password was set by staff and must be changed (users/:id/update/password) */
  is_password_reset_required: r.flag,
  roles: z.array(roleCode),
});
