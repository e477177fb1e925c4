import { z } from 'zod';
import { STAFF, isStaff } from '../../http/auth-user.js';
import { badRequest, conflict, forbidden, notFound } from '../../http/errors.js';
import { resourceRoutes, type Caller } from '../../http/resource.js';
import { route } from '../../http/route.js';
import * as s from '../../lib/schemas.js';
import { formatDate } from '../../lib/dates.js';
import * as r from '../../http/response.js';
import { loginSchema, roleCode, userDetailJSON, userDetailSchema, userListJSON, userListSchema } from './serializers.js';
import { loadUserSections, userSectionsShape } from './user-sections.js';
import * as users from './users.service.js';
import { containsText, equalsText } from '../../lib/text-search.js';
import { replaceStoredFile } from '../../lib/replace-file.js';
import { registerDeviceToken } from '../notifications/notifications.service.js';
import { lockUpcoming } from '../clinic/booking.service.js';
import { emit } from '../../lib/events.js';

const password = s.newPassword;
const username = z.string().trim().min(3).max(100).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only');
const phone = z.string().trim().regex(/^\+?\d{8,15}$/, 'digits only, 8 to 15');


const profileFields = {
  username,
  users_fullname: s.requiredText(200),
  // trimmed before it is checked, as sign-in and recovery read it (a keyboard's trailing space)
  users_email: z.string().trim().pipe(z.email().max(200)).optional(),
  users_phone: phone.optional(),
  users_address: s.text(1000).optional(),
  users_birthday: s.date.optional(),
  positions: s.text(100).optional(),
  roles: z.array(roleCode).max(4).optional(),
  id_departments: z.array(s.id).max(50).optional(),
};

const createBody = z
  .object({ ...profileFields, password, retype_password: z.string() })
  .refine((b) => b.password === b.retype_password, { message: 'passwords do not match', path: ['retype_password'] });
const updateBody = z.object(profileFields).partial();

const filters = z.object({
  is_blocked: s.flag.optional(),
  is_email_confirmed: s.flag.optional(),
  is_phone_confirmed: s.flag.optional(),
  id_departments: s.id.optional(),
  positions: s.text(100).optional(),
  users_fullname: s.text(200).optional(),
  role_codes: z.string().max(20).optional(),
});

const self = (c: Caller) => (isStaff(c.user) ? undefined : { id: c.user?.id ?? -1 });
const include = { roles: { orderBy: { id: 'asc' } }, departments: { orderBy: { id: 'asc' } } } as const;
const bool = (v: number | undefined) => v;

export const userRoutes = [
  // users/:id is written below (it adds the sections other modules register for it)
  ...resourceRoutes({
    name: 'users',
    model: (db) => db.user,
    access: { read: 'authenticated', list: STAFF, write: STAFF, create: 'public', update: 'authenticated' },
    softDelete: true,
    scope: self,
    include,
    filters,
    where: (f) => ({
      is_blocked: bool(f.is_blocked),
      is_email_confirmed: bool(f.is_email_confirmed),
      is_phone_confirmed: bool(f.is_phone_confirmed),
      positions: f.positions ? equalsText(f.positions) : undefined,
      users_fullname: f.users_fullname ? containsText(f.users_fullname) : undefined,
      departments: f.id_departments ? { some: { id_departments: f.id_departments } } : undefined,
      roles: f.role_codes ? { some: { role_codes: f.role_codes.toUpperCase() } } : undefined,
    }),
    searchFields: ['username', 'users_fullname', 'users_email', 'users_phone'],
    toJSON: (u, c) => userListJSON(c.app, u),
    toDetail: (u, c) => userDetailJSON(c.app, u),
    schema: userListSchema,
    detailSchema: userDetailSchema,
    columns: [
      { name: 'id', value: (u) => u.id, orderBy: (d) => ({ id: d }) },
      { name: 'username', value: (u) => u.username, orderBy: (d) => ({ username: d }) },
      { name: 'users_fullname', value: (u) => u.users_fullname, orderBy: (d) => ({ users_fullname: d }) },
      { name: 'users_email', value: (u) => u.users_email, orderBy: (d) => ({ users_email: d }) },
      { name: 'users_phone', value: (u) => u.users_phone, orderBy: (d) => ({ users_phone: d }) },
      { name: 'users_address', value: (u) => u.users_address, orderBy: (d) => ({ users_address: d }) },
      { name: 'users_birthday', value: (u) => formatDate(u.users_birthday), orderBy: (d) => ({ users_birthday: d }) },
      { name: 'roles', value: (u) => u.roles.map((r: { role_codes: string }) => r.role_codes).join(', ') },
      // the file name, as every other users_picture of the document (its URL is users_picture_url)
      { name: 'users_picture', value: (u) => u.users_picture },
      { name: 'users_status', value: (u) => u.users_status, orderBy: (d) => ({ users_status: d }) },
      { name: 'is_blocked', value: (u) => u.is_blocked, orderBy: (d) => ({ is_blocked: d }) },
      { name: 'is_email_confirmed', value: (u) => u.is_email_confirmed, orderBy: (d) => ({ is_email_confirmed: d }) },
      { name: 'is_phone_confirmed', value: (u) => u.is_phone_confirmed, orderBy: (d) => ({ is_phone_confirmed: d }) },
      { name: 'reset_hash', value: () => '' },
      { name: 'otp', value: () => '' },
      { name: 'positions', value: (u) => u.positions, orderBy: (d) => ({ positions: d }) },
    ],
    create: { body: createBody, run: (body, c, tx) => users.createUser(c, body, tx) },
    update: { body: updateBody, run: (id, body, c, tx) => users.updateUser(c, id, body, tx) },
    delete: {
      run: async (id, c, tx) => {
        if (id === c.user?.id) throw conflict('You cannot delete your own account');
        // its coming appointments before its row, in the order a cancel or reminder takes them
        await lockUpcoming(c.app, tx, users.appointmentsOf(id));
        // its open carts too (commerce), before its row, in the order a checkout takes them
        await emit(c.app, 'account.deleting', { userId: id }, tx);
        await users.assertMayChangeAccount(tx, c.user, id);
        await users.assertNotLastOwner(tx, id);
        await users.assertNotActingDoctor(tx, id, 'The account cannot be deleted', c.app.now());
        const picture = await users.deleteAccount(c, tx, id);
        // the file goes once the delete has committed (a rolled-back delete keeps the picture it shows)
        if (picture) return () => c.app.storage.remove('public', 'users', picture);
      },
    },
  }).filter((def) => !(def.path === '/users/:id' && def.method === 'get')),

  route({
    method: 'get',
    path: '/users/:id',
    access: 'authenticated',
    tag: 'users',
    summary: 'Get one user (customers: only themselves) with roles, departments, total_point and notification counts',
    // lazy: the sections are registered by modules loaded after this one
    response: z.lazy(() => z.object({ users: userDetailSchema.extend({ ...userSectionsShape('detail'), donor_informations: z.array(z.never()) }) })),
    handler: async ({ app, user, params }) => {
      const u = await app.db.user.findFirst({ where: { AND: [{ id: params.id, deleted_at: null }, self({ app, user }) ?? {}] }, include });
      if (!u) throw notFound(`users ${params.id} not found`);
      const sections = await loadUserSections('detail', u.id, { app, user }, u.roles.map((r) => r.role_codes));
      // donor_informations: the document's key, always empty there; nothing in this system holds donor information
      return { users: { ...userDetailJSON(app, u), ...sections, donor_informations: [] } };
    },
  }),

  route({
    method: 'post',
    path: '/users/login',
    access: 'public',
    tag: 'users',
    summary: 'Sign in with username (or e-mail) and password',
    body: z.object({
      act: z.string().max(20).optional(),
      username: z.string().trim().min(1).max(200),
      password: z.string().min(1).max(200),
      app: z.enum(['mobile', 'website']).optional(),
    }),
    response: loginSchema,
    handler: ({ app, body, req }) => users.login(app, body.username, body.password, req),
  }),

  route({
    method: 'get',
    path: '/users/data',
    access: 'authenticated',
    tag: 'users',
    summary: "The signed-in user's profile with roles, departments and the sections other modules add",
    // lazy: the sections are registered by modules loaded after this one
    response: z.lazy(() => z.object({ users: userDetailSchema.extend(userSectionsShape('data')), permissions: z.array(roleCode) })),
    handler: async ({ app, user }) => {
      const u = await app.db.user.findUniqueOrThrow({ where: { id: user!.id }, include });
      const c = { app, user };
      const sections = await loadUserSections('data', u.id, c, user!.roles);
      return { users: { ...userDetailJSON(app, u), ...sections }, permissions: user!.roles };
    },
  }),

  route({
    method: ['post', 'put'],
    path: '/users/register_device_token',
    access: 'authenticated',
    tag: 'users',
    summary: "Register this device's push token for the signed-in user",
    // already_login is accepted and ignored (docs/compat.md): the document's false, and the 0/1 flags
    // (or their text) that apps and form posts send for it, never refuse the registration
    body: z.object({ device_token: z.string().trim().min(10).max(500), already_login: z.union([z.boolean(), z.enum(['true', 'false']), s.flag]).optional() }),
    response: z.object({ register_device_token: z.literal(true) }),
    handler: async ({ app, user, body, auditChange }) => {
      await registerDeviceToken(app.db, body.device_token, user!.id, user!.token_version, auditChange);
      return { register_device_token: true };
    },
  }),

  route({
    method: 'post',
    path: '/users/picture/upload',
    access: 'authenticated',
    tag: 'users',
    summary: "Upload a user's picture (own, or anyone's for staff)",
    upload: { field: 'picture', accept: 'image' },
    body: z.object({ id_users: s.id.optional() }),
    response: z.object({ image_upload: z.literal(true), img: r.str, img_path: r.str }),
    handler: async ({ app, user, body, file, auditChange }) => {
      const id = body.id_users ?? user!.id;
      if (id !== user!.id && !isStaff(user)) throw forbidden();
      if (!(await app.db.user.findFirst({ where: { id, deleted_at: null }, select: { id: true } }))) throw notFound('User not found');
      await users.assertMayChangeAccount(app.db, user, id);
      // the replaced picture is read under the row lock: a concurrent upload waits, then replaces
      // (and removes) this one's file rather than leaving it unreferenced
      const { name } = await replaceStoredFile(app, 'public', 'users', file!, async (tx, name) => {
        const [row] = await tx.$queryRaw<{ users_picture: string }[]>`SELECT users_picture FROM users WHERE id = ${id} AND deleted_at IS NULL FOR UPDATE`;
        if (!row) throw notFound('User not found');
        await tx.user.update({ where: { id }, data: { users_picture: name } });
        await auditChange(tx);
        return { old: row.users_picture, result: undefined };
      });
      return { image_upload: true, img: name, img_path: app.storage.publicUrl('users', name) };
    },
  }),

  route({
    method: 'post',
    path: '/users/:id/unblock',
    access: STAFF,
    tag: 'users',
    summary: 'Unblock a user and reset the failed sign-in count',
    response: z.object({ unblock: z.literal(true) }),
    handler: async ({ app, user, params, auditChange }) => {
      await app.db.$transaction(async (tx) => {
        // an owner's lockout is lifted by an owner (or the owner's own password reset)
        await users.assertMayChangeAccount(tx, user, params.id);
        const { count } = await tx.user.updateMany({ where: { id: params.id, deleted_at: null }, data: { is_blocked: 0, num_of_login_attempts: 0 } });
        if (!count) throw notFound('User not found');
        await auditChange(tx);
      });
      return { unblock: true };
    },
  }),

  route({
    method: 'post',
    path: '/users/:id/update/password',
    access: 'authenticated',
    tag: 'users',
    summary: 'Change your own password (ends all your sessions, this one included, and forgets your devices: sign in again)',
    body: z
      .object({ prev_password: z.string().min(1).max(200), new_password: password, new_password_confirm: z.string() })
      .refine((b) => b.new_password === b.new_password_confirm, { message: 'passwords do not match', path: ['new_password_confirm'] }),
    response: z.object({ update_password: z.literal(true) }),
    handler: async ({ app, user, params, body, auditChange }) => {
      if (params.id !== user!.id) throw forbidden('You can only change your own password');
      // audited when staff change theirs
      await users.changeOwnPassword(app, user!.id, body.prev_password, body.new_password, auditChange);
      return { update_password: true };
    },
  }),

  route({
    method: 'post',
    path: '/users/:id/update/password/admin',
    access: STAFF,
    tag: 'users',
    summary: "Set a user's password (the user must change it at the next sign-in)",
    body: z
      .object({ new_password: password, new_password_confirm: z.string() })
      .refine((b) => b.new_password === b.new_password_confirm, { message: 'passwords do not match', path: ['new_password_confirm'] }),
    response: z.object({ update_password_admin: z.literal(true) }),
    handler: async ({ app, user, params, body, auditChange }) => {
      const target = await app.db.user.findFirst({ where: { id: params.id, deleted_at: null }, include: { roles: true } });
      if (!target) throw notFound('User not found');
      if (target.roles.some((r) => r.role_codes === 'OWNER') && !user!.roles.includes('OWNER')) {
        throw forbidden("Only an owner may set an owner's password");
      }
      if (params.id === user!.id) throw badRequest('Use users/:id/update/password for your own password');
      await users.setPasswordByAdmin(app, params.id, body.new_password, auditChange);
      return { update_password_admin: true };
    },
  }),
];
