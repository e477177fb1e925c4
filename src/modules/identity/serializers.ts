import { z } from 'zod';
import * as r from '../../http/response.js';
import type { AppContext } from '../../app-context.js';
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

export const roleJSON = (r: { id: number; id_users: number; role_codes: string; descriptions: string }) => ({
  id: r.id,
  id_users: r.id_users,
  role_codes: r.role_codes,
  descriptions: r.descriptions,
});

export const userDepartmentJSON = (d: { id: number; id_users: number; id_departments: number; descriptions: string }) => ({
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

// ---------------------------------------------------------------- response schemas

export const userSchema = z.object({
  id: r.int,
  username: r.str,
  users_fullname: r.str,
  users_email: r.str,
  users_phone: r.str,
  users_address: r.str,
  users_birthday: r.when,
  users_picture: r.str,
  users_picture_url: r.str,
  users_status: r.str,
  is_blocked: r.int,
  is_email_confirmed: r.int,
  is_phone_confirmed: r.int,
  is_password_reset_required: r.int,
  positions: r.str,
});
export const roleSchema = z.object({ id: r.int, id_users: r.int, role_codes: r.str, descriptions: r.str });
export const userDepartmentSchema = z.object({ id: r.int, id_users: r.int, id_departments: r.int, descriptions: r.str });
export const departmentSchema = z.object({ id: r.int, department_name: r.str, department_descriptions: r.str, department_codes: r.str });
export const userListSchema = userSchema.extend({ id_departments: r.int });
export const userDetailSchema = userSchema.extend({ departments: z.array(userDepartmentSchema), roles: z.array(roleSchema) });
export const userWithDepartmentSchema = userSchema.extend({
  num_of_login_attempts: r.int,
  department_ids: r.str,
  department_name: r.str,
  department_descriptions: r.str,
  department_codes: r.str,
});
