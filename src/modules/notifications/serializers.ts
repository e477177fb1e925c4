import { z } from 'zod';
import * as r from '../../http/response.js';
import type { AppContext } from '../../app-context.js';
import { formatDateTime } from '../../lib/dates.js';
import { isStaff, type AuthUser } from '../../http/auth-user.js';
import { publicAccountView, userWithDepartmentJSON, userWithDepartmentSchema } from '../identity/serializers.js';

/** what a nested account's row needs loaded: its first department (userWithDepartmentJSON) */
export const nestedUserInclude = { departments: { include: { department: true }, orderBy: { id: 'asc' as const }, take: 1 } } as const;

type NestedUserRow = Parameters<typeof userWithDepartmentJSON>[1];

/**
 * A nested user as the document prints it (threads, overview patients, medical records'
 * verified_user, notifications): the account with num_of_login_attempts and its first department
 * (rows loaded with nestedUserInclude). A missing one (0 = the system) is the same keys, all null.
 */
function nestedUserJSON(app: AppContext, u: NestedUserRow | null | undefined) {
  if (u) return userWithDepartmentJSON(app, u, u.departments?.[0]?.department);
  const blank = Object.fromEntries(Object.keys(userWithDepartmentSchema.shape).map((k) => [k, null]));
  return { ...blank, users_picture_url: app.storage.publicUrl('users', '') };
}
/**
 * A nested user as `viewer` may see it. Staff and the user themselves see the whole account; anyone
 * else the public view doctors/:id gives (publicAccountView): name, username and picture, with the
 * contact data (e-mail, phone, address, birthday) and the security state blanked. `related` widens it
 * where the relation justifies the contact data (a thread's doctor and that thread's customer).
 */
export function nestedUserFor(app: AppContext, u: NestedUserRow | null | undefined, viewer: AuthUser | undefined, related = false) {
  const json = nestedUserJSON(app, u);
  return !u || related || isStaff(viewer) || viewer?.id === u.id ? json : publicAccountView(json);
}

/** nestedUserJSON: a user, or the same keys all null but the picture link (nobody / the system) */
export const nestedUserSchema = z.union([
  userWithDepartmentSchema,
  z.object({ ...Object.fromEntries(Object.keys(userWithDepartmentSchema.shape).map((k) => [k, z.null()])), users_picture_url: r.str }),
]);

type NotificationRow = {
  id: number;
  created_at: Date;
  intentions: string;
  id_user_from: number | null;
  id_user_to: number;
  title: string;
  content: string;
  priority: string;
  labels: string;
  is_read: number;
  read_at: Date | null;
  url: string;
  remark: string;
  reference_type: string | null;
  reference_id: number | null;
};

export const notificationJSON = (n: NotificationRow) => ({
  id: n.id,
  created: formatDateTime(n.created_at),
  intentions: n.intentions,
  id_user_from: n.id_user_from ?? 0,
  id_user_to: n.id_user_to,
  title: n.title,
  content: n.content,
  priority: n.priority,
  labels: n.labels,
  is_read: n.is_read,
  read_at: formatDateTime(n.read_at),
  url: n.url,
  remark: n.remark,
  reference_type: n.reference_type ?? '',
  reference_id: n.reference_id ?? 0,
});

/** the sender's contact data is not the recipient's to see (a prescription request goes to every doctor) */
export function notificationDetailJSON(app: AppContext, n: NotificationRow & { userFrom?: any; userTo?: any }, viewer: AuthUser | undefined) {
  // the document's notification users also name their roles (here the role codes, comma-separated)
  const withRoles = (u: any) => ({ ...nestedUserFor(app, u, viewer), roles: u ? (u.roles ?? []).map((x: { role_codes: string }) => x.role_codes).join(',') : null });
  return { ...notificationJSON(n), user_from: withRoles(n.userFrom), user_to: withRoles(n.userTo) };
}
/** a notification's users: loaded with their department and roles */
export const notificationUserInclude = { ...nestedUserInclude, roles: { select: { role_codes: true }, orderBy: { id: 'asc' as const } } } as const;

// ---------------------------------------------------------------- response schemas

export const notificationSchema = z.object({
  id: r.int,
  created: r.str,
  intentions: r.str,
  id_user_from: r.int,
  id_user_to: r.int,
  title: r.str,
  content: r.str,
  priority: r.str,
  labels: r.str,
  is_read: r.flag,
  read_at: r.when,
  url: r.str,
  remark: r.str,
  reference_type: r.str,
  reference_id: r.int,
});
const notificationUserSchema = z.union([
  userWithDepartmentSchema.extend({ roles: r.str }),
  z.object({ ...Object.fromEntries(Object.keys(userWithDepartmentSchema.shape).map((k) => [k, z.null()])), users_picture_url: r.str, roles: z.null() }),
]);
export const notificationDetailSchema = notificationSchema.extend({ user_from: notificationUserSchema, user_to: notificationUserSchema });
