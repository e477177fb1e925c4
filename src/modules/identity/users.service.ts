import bcrypt from 'bcrypt';
import type { AppContext } from '../../app-context.js';
import type { BeforeCommit, Tx } from '../../db/client.js';
import { knownRoles, type AuthUser, type Role, isStaff, hasRole } from '../../http/auth-user.js';
import { signToken } from '../../http/authenticate.js';
import { badRequest, conflict, forbidden, HttpError, notFound, unauthorized, unprocessable } from '../../http/errors.js';
import { isAfterClinicToday } from '../../lib/dates.js';
import type { Caller } from '../../http/resource.js';
import type { Request } from 'express';
import type { Prisma } from '../../generated/prisma/client.js';
import { emit } from '../../lib/events.js';
import { audit } from '../audit/audit.service.js';
import { cancelUpcoming } from '../clinic/booking.service.js';
import { loginJSON } from './serializers.js';
import { enqueueMessage } from '../recovery/outbox.service.js';

const normalizeUsername = (s: string) => s.trim().toLowerCase();
export const normalizeEmail = (s: string | undefined | null) => (s ? s.trim().toLowerCase() : null);
/**
 * One spelling per Indonesian number, so the unique index sees `0812…`, `+62812…` and `62812…` as
 * the same phone (WhatsApp recovery finds an account by any of them): the country code becomes
 * the leading 0. A trunk 0 typed after the country code (`+620812…`, a common slip: no Indonesian
 * number continues with 0 after 62) is the same number too. Other numbers are kept as typed,
 * without spaces, dashes, dots or brackets.
 */
const normalizePhone = (s: string | undefined | null) => {
  if (!s) return null;
  const compact = s.replace(/[\s\-.()]/g, '');
  return /^\+?62\d{7,}$/.test(compact) ? `0${compact.replace(/^\+?620?/, '')}` : compact;
};

export async function hashPassword(app: AppContext, password: string) {
  return bcrypt.hash(password, app.config.BCRYPT_COST);
}

/** Only the owner hands out the OWNER role; admins give the others. */
export function assertMayGrant(caller: AuthUser | undefined, roles: readonly string[]) {
  if (!isStaff(caller)) throw forbidden('Only an owner or admin may assign roles');
  if (roles.includes('OWNER') && !hasRole(caller, 'OWNER')) throw forbidden('Only an owner may assign the OWNER role');
}

export interface UserInput {
  username: string;
  users_fullname: string;
  users_email?: string;
  users_phone?: string;
  users_address?: string;
  users_birthday?: Date;
  positions?: string;
  password: string;
  roles?: Role[];
  id_departments?: number[];
}

/**
 * Departments a membership is to name exist (422): without this the foreign key refused an unknown
 * one with a 409 that does not say which field is wrong. A department with members cannot be
 * deleted, so one seen here stays until the membership commits (or its delete is refused).
 */
export async function assertDepartmentsExist(tx: Tx, ids: number[]) {
  if (!ids.length) return;
  const found = await tx.department.findMany({ where: { id: { in: ids } }, select: { id: true } });
  const missing = ids.find((id) => !found.some((d) => d.id === id));
  if (missing !== undefined) throw unprocessable('Unknown department', [{ field: 'id_departments', message: `unknown department ${missing}` }]);
}

/** A birthday after the clinic's today (Asia/Jakarta) is a typing error: 400, as a malformed date. */
function refuseFutureBirthday(c: Caller, birthday: Date | undefined) {
  if (birthday && isAfterClinicToday(birthday, c.app.now())) {
    throw badRequest('Invalid input', [{ field: 'users_birthday', message: 'must not be after today (Asia/Jakarta)' }]);
  }
}

/** Registration (anonymous → CUSTOMER) and account creation by staff (roles and departments). */
export async function createUser(c: Caller, body: UserInput, tx: Tx): Promise<number> {
  refuseFutureBirthday(c, body.users_birthday);
  const staff = isStaff(c.user);
  const roles: Role[] = staff && body.roles?.length ? [...new Set(body.roles)] : ['CUSTOMER'];
  if (staff) assertMayGrant(c.user, roles);
  const departments = staff ? [...new Set(body.id_departments ?? [])] : [];
  await assertDepartmentsExist(tx, departments);
  const user = await tx.user.create({
    data: {
      username: normalizeUsername(body.username),
      users_fullname: body.users_fullname,
      users_email: normalizeEmail(body.users_email),
      users_phone: normalizePhone(body.users_phone),
      users_address: body.users_address ?? '',
      users_birthday: body.users_birthday ?? null,
      positions: staff ? (body.positions ?? '-') : '-',
      password_hash: await hashPassword(c.app, body.password),
      roles: { create: roles.map((role_codes) => ({ role_codes })) },
      departments: { create: departments.map((id_departments) => ({ id_departments, descriptions: 'Init new users' })) },
    },
  });
  return user.id;
}

/**
 * An owner's account is changed by owners (or the owner themself) only: an admin who could set an
 * owner's e-mail or phone could send the owner's recovery link to themselves and take the account.
 */
export async function assertMayChangeAccount(tx: Tx, caller: AuthUser | undefined, userId: number) {
  if (!caller || caller.id === userId || hasRole(caller, 'OWNER')) return;
  const owner = await tx.userRole.count({ where: { id_users: userId, role_codes: 'OWNER' } });
  if (owner) throw forbidden("Only an owner may change or delete an owner's account");
}

/** `budi@example.com` → `b***@example.com`, a phone to its last three digits: enough for the owner to recognise, not to copy */
const maskEmail = (e: string) => e.replace(/^(.)[^@]*/, '$1***');
const maskPhone = (p: string) => `***${p.slice(-3)}`;

type Holder = { users_email: string | null; users_phone: string | null; users_fullname: string };

/**
 * A security notice to the account's holder (outbox, sent only if the change commits), by e-mail
 * and/or WhatsApp to the addresses given: "this changed; if it was not you, call the clinic".
 */
async function noticeToHolder(
  tx: Tx,
  userId: number,
  holder: Holder,
  to: { email?: string | null; phone?: string | null },
  purpose: 'contact_changed' | 'password_changed',
  subject: string,
  what: string,
) {
  const body = [`Halo ${holder.users_fullname},`, '', what, 'Jika bukan Anda yang mengubahnya, segera hubungi klinik Colederma agar akun Anda diamankan.'].join('\n');
  if (to.email) await enqueueMessage(tx, { channel: 'email', recipient: to.email, subject, body, purpose, id_users: userId });
  if (to.phone) await enqueueMessage(tx, { channel: 'wa', recipient: to.phone, body, purpose, id_users: userId });
}

/**
 * A changed e-mail or phone is told to the old one. The change needs no password (the document's
 * update has no field for it), so a borrowed session could otherwise point recovery at the
 * borrower's mailbox unnoticed: the owner learns of it where they still read, and can ask the
 * clinic to lock the account.
 */
async function tellOldContact(tx: Tx, userId: number, before: Holder, email: string | null | undefined, phone: string | null | undefined) {
  const changed = (what: string, now: string) => `${what} akun Colederma Anda baru saja diubah${now ? ` menjadi ${now}` : ' (dihapus)'}.`;
  if (email !== undefined && before.users_email) {
    await noticeToHolder(tx, userId, before, { email: before.users_email }, 'contact_changed', 'Alamat e-mail akun Colederma diubah', changed('Alamat e-mail', email ? maskEmail(email) : ''));
  }
  if (phone !== undefined && before.users_phone) {
    await noticeToHolder(tx, userId, before, { phone: before.users_phone }, 'contact_changed', 'Nomor telepon akun Colederma diubah', changed('Nomor telepon', phone ? maskPhone(phone) : ''));
  }
}

/** A new password is told to the holder: by e-mail, else by WhatsApp (`byClinic`: staff set it). */
async function tellPasswordChanged(tx: Tx, userId: number, byClinic: boolean) {
  const holder = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { users_email: true, users_phone: true, users_fullname: true } });
  const what = byClinic
    ? 'Kata sandi akun Colederma Anda baru saja diatur ulang oleh klinik; buat kata sandi baru saat masuk berikutnya.'
    : 'Kata sandi akun Colederma Anda baru saja diubah.';
  await noticeToHolder(tx, userId, holder, holder.users_email ? { email: holder.users_email } : { phone: holder.users_phone }, 'password_changed', 'Kata sandi akun Colederma diubah', what);
}

export async function updateUser(c: Caller, id: number, body: Partial<Omit<UserInput, 'password'>>, tx: Tx) {
  const staff = isStaff(c.user);
  await assertMayChangeAccount(tx, c.user, id);
  refuseFutureBirthday(c, body.users_birthday);
  const email = body.users_email !== undefined ? normalizeEmail(body.users_email) : undefined;
  const phone = body.users_phone !== undefined ? normalizePhone(body.users_phone) : undefined;
  if (email !== undefined || phone !== undefined) {
    // A recovery link went to the address it was requested for, and works with the account's
    // address of the moment: a new e-mail or phone ends those sent to the old one (whoever holds the
    // old mailbox or number no longer gets in).
    const before = await tx.user.findUniqueOrThrow({ where: { id }, select: { users_email: true, users_phone: true, users_fullname: true } });
    const emailChanged = email !== undefined && email !== before.users_email;
    const phoneChanged = phone !== undefined && phone !== before.users_phone;
    if (emailChanged || phoneChanged) await voidRecoveryLinks(tx, id, c.app.now());
    await tellOldContact(tx, id, before, emailChanged ? email : undefined, phoneChanged ? phone : undefined);
  }
  await tx.user.update({
    where: { id },
    data: {
      username: body.username !== undefined ? normalizeUsername(body.username) : undefined,
      users_fullname: body.users_fullname,
      users_email: email,
      users_phone: phone,
      users_address: body.users_address,
      users_birthday: body.users_birthday,
      // Position, roles and departments are the staff's to set: ignored from anyone else.
      positions: staff ? body.positions : undefined,
    },
  });
  if (staff && body.roles) {
    const roles = [...new Set(body.roles)];
    if (!roles.length) throw unprocessable('A user needs at least one role', [{ field: 'roles', message: 'empty' }]);
    const current = await tx.userRole.findMany({ where: { id_users: id } });
    const removed = current.filter((r) => !roles.includes(r.role_codes as Role)).map((r) => r.role_codes);
    const added = roles.filter((r) => !current.some((x) => x.role_codes === r));
    assertMayGrant(c.user, [...added, ...removed]);
    if (removed.includes('OWNER')) await assertNotLastOwner(tx, id);
    if (removed.includes('DOCTOR')) await assertNotActingDoctor(tx, id, 'The DOCTOR role cannot be taken away', c.app.now());
    await tx.userRole.deleteMany({ where: { id_users: id, role_codes: { in: removed } } });
    if (added.length) await tx.userRole.createMany({ data: added.map((role_codes) => ({ id_users: id, role_codes, descriptions: '-' })) });
    if (removed.length) await tx.user.update({ where: { id }, data: { token_version: { increment: 1 } } });
  }
  if (staff && body.id_departments) {
    const ids = [...new Set(body.id_departments)];
    await assertDepartmentsExist(tx, ids);
    await tx.userDepartment.deleteMany({ where: { id_users: id, id_departments: { notIn: ids } } });
    await tx.userDepartment.createMany({
      data: ids.map((id_departments) => ({ id_users: id, id_departments, descriptions: 'Init new users' })),
      skipDuplicates: true,
    });
  }
}

/**
 * The paid consultations a doctor's account still owes: its online_consultations threads
 * (id_user_to) that accept messages now (not closed, inside the window) and whose order is paid
 * (not undone, not cancelled). Also the clinic's doctors/:id/delete rule.
 */
export const openPaidConsultationsOf = (userId: number, now: Date): Prisma.ThreadWhereInput => ({
  id_user_to: userId,
  thread_type: 'online_consultations',
  deleted_at: null,
  is_closed: 0,
  OR: [{ estimate_done_at: null }, { estimate_done_at: { gt: now } }],
  order: { is_paid: 1, status: { not: 'CANCEL' } },
});

/**
 * A live doctor profile (doctors.id_users) is public and bookable, and its account acts as the
 * doctor (appointments, patients, threads) through the DOCTOR role: the account is not deleted, nor
 * the role taken away, while the profile is live (409; doctors/:id/delete first, which refuses while
 * bookings lie ahead), nor while it is the doctor of an open paid consultation (an account may hold
 * one without a profile: an admin handed the thread to it), which would be left without its doctor.
 * The user row is locked first, so a profile created at the same moment (clinic's checkDoctorUser
 * reads the row FOR SHARE) or a thread handed to it (threads/update, also FOR SHARE) is either seen
 * here or refused there.
 */
export async function assertNotActingDoctor(tx: Tx, userId: number, what: string, now: Date) {
  await tx.$executeRaw`SELECT id FROM users WHERE id = ${userId} FOR UPDATE`;
  const live = await tx.doctor.count({ where: { id_users: userId, deleted_at: null } });
  if (live) throw conflict(`${what}: the user has a live doctor profile; delete the doctor profile first`);
  const open = await tx.thread.count({ where: openPaidConsultationsOf(userId, now) });
  if (open) {
    throw conflict(`${what}: the user is the doctor of ${open} open paid consultation${open === 1 ? '' : 's'}; close ${open === 1 ? 'it' : 'them'} or hand ${open === 1 ? 'it' : 'them'} to another doctor first`);
  }
}

/** the appointments an account answers for: those in its name and those of the patients it manages */
export const appointmentsOf = (id: number): Prisma.UserScheduleWhereInput => ({ OR: [{ id_users: id }, { patient: { id_users: id } }] });

/**
 * A soft delete: the row stays, with the name, for the orders, appointments, patients and records
 * that point at it. What identifies or reaches the person goes: the username, e-mail and phone are
 * freed (the person may register again; `#` is never in a registered username, so the tombstone
 * takes no one's), the contact data is blanked, the sessions end, the devices forget the account
 * and the pushes still queued for them are stopped, the open recovery links are void and the messages
 * still queued for it (recovery links, notices) are not sent. The account
 * leaves its departments (nothing points at a membership; a department with members cannot be
 * deleted, and one whose members had all left would stay undeletable for ever). The picture (a
 * face, served publicly) goes too: its file name is returned, for the caller to remove the file once
 * this has committed. Its appointments still to come, and those of the patients it manages (who
 * stay with it), are cancelled: nobody is left holding a doctor's slot and getting reminders. The
 * row lock keeps out a booking in its name meanwhile (booking holds the row FOR SHARE); the caller
 * locks those appointments before the row (lockUpcoming with appointmentsOf).
 */
export async function deleteAccount(c: Caller, tx: Tx, id: number): Promise<string> {
  const now = c.app.now();
  // decided under the row lock: a delete that committed while this one waited finds the account gone
  // (404), instead of deleting it a second time (a second cancellation round, audit entry, deleted_at)
  const [row] = await tx.$queryRaw<{ users_picture: string }[]>`SELECT users_picture FROM users WHERE id = ${id} AND deleted_at IS NULL FOR UPDATE`;
  if (!row) throw notFound(`users ${id} not found`);
  await tx.user.update({
    where: { id },
    data: {
      deleted_at: now,
      token_version: { increment: 1 },
      username: `#deleted-${id}`,
      users_email: null,
      users_phone: null,
      users_address: '',
      users_birthday: null,
      users_picture: '',
    },
  });
  await forgetDevices(tx, id);
  await tx.userDepartment.deleteMany({ where: { id_users: id } });
  await voidRecoveryLinks(tx, id, now);
  // nothing more goes out to the person: the recovery links and notices still queued are stopped
  // (their bodies, which may hold a link, blanked as a sent message's)
  await tx.messageOutbox.updateMany({
    where: { id_users: id, status: { in: ['PENDING', 'SENDING'] } },
    data: { status: 'FAILED', body: '', locked_until: null, last_error: 'account deleted' },
  });
  // after deleted_at is set: the cancellations tell the doctor (and another account a booking is in
  // the name of), not the deleted account
  await cancelUpcoming(c.app, tx, c, appointmentsOf(id), 'account deleted');
  // its open carts go as a cart's delete removes one (commerce), their prescriptions freed
  await emit(c.app, 'account.deleted', { userId: id, by: c.user }, tx);
  return row?.users_picture ?? '';
}

/**
 * Every account keeps a role (users/:id/update refuses an empty list, and an account without one is
 * neither customer nor staff): role assignment `roleId` is not deleted or moved to another account
 * while it is the account's last (409). Decided under the account's row lock, so two of its roles
 * removed at the same moment are decided one after the other and the second sees the first gone.
 */
export async function assertNotLastRole(tx: Tx, userId: number, roleId: number) {
  await tx.$executeRaw`SELECT id FROM users WHERE id = ${userId} FOR UPDATE`;
  const others = await tx.userRole.count({ where: { id_users: userId, id: { not: roleId } } });
  if (!others) throw conflict('This is the account’s last role: give it another role first');
}

/** serialises the changes that can take an owner away (see assertNotLastOwner) */
const OWNERS_LOCK = 7_427_101;

/**
 * The clinic must always keep one owner who can sign in. Changes that take an owner away wait for
 * each other (a transaction-level advisory lock), so two owners removing each other at the same
 * moment cannot both see the other as the one that stays.
 */
export async function assertNotLastOwner(tx: Tx, userId: number) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${OWNERS_LOCK})`;
  const others = await tx.userRole.count({
    where: { role_codes: 'OWNER', id_users: { not: userId }, user: { deleted_at: null, is_blocked: 0 } },
  });
  if (others === 0) throw conflict('This is the last owner: give another user the OWNER role first');
}

// A real hash to compare against when the user does not exist, so timing reveals nothing: made
// once, at the configured cost (the cost decides bcrypt's time).
const dummyHashes = new Map<number, Promise<string>>();
export const dummyHash = (cost: number) => {
  if (!dummyHashes.has(cost)) dummyHashes.set(cost, bcrypt.hash('colederma-no-such-user', cost));
  return dummyHashes.get(cost)!;
};
const INVALID = 'Invalid username or password';

/** The live account a sign-in name (username or e-mail, any case, spaces around) is for. */
export const signInAccount = (name: string) => ({ deleted_at: null, OR: [{ username: name }, { users_email: name }] });

export async function login(app: AppContext, username: string, password: string, req?: Request) {
  const name = username.trim().toLowerCase();
  const user = await app.db.user.findFirst({ where: signInAccount(name), include: { roles: true } });
  // counted before the password is compared: guesses sent at once all passed a check made after
  const counted = user && !user.is_blocked ? await countSignInAttempt(app, user.id) : false;
  const ok = await bcrypt.compare(password, user?.password_hash ?? (await dummyHash(app.config.BCRYPT_COST)));
  // Every sign-in, successful or not, is audited (the attempted name only when no account matched).
  const log = (outcome: 'success' | 'failure' | 'denied', reason?: string, tx?: Tx) =>
    audit(app, { user: user ? { id: user.id, roles: user.roles.map((r) => r.role_codes) } : null, action: outcome === 'success' ? 'login' : 'login_failed', resource: 'users', resourceId: user?.id ?? null, outcome, req, details: reason ? { reason, ...(user ? {} : { username: [...name].slice(0, 100).join('') }) } : undefined }, tx);
  if (!user) {
    await log('failure', 'unknown user');
    throw unauthorized(INVALID);
  }
  // A blocked account answers the same whatever the password: a different answer for the right one
  // would let guessing go on through the lockout, to be used once staff unblock the account. So does
  // an account whose attempts are all taken by guesses still being checked.
  const blocked = () => new HttpError(403, 'Account is blocked: ask the clinic to unblock it or recover the password');
  if (!counted) {
    await log('denied', ok ? 'blocked' : 'blocked, wrong password');
    throw blocked();
  }
  if (!ok) {
    await log('failure', 'wrong password');
    await countFailedSignIn(app, user.id);
    throw unauthorized(INVALID);
  }
  // blocked meanwhile by guesses counted alongside this one: the same answer as any blocked sign-in
  if (!(await releaseSignInAttempts(app, user.id))) {
    await log('denied', 'blocked');
    throw blocked();
  }
  // the sign-in's stamp and its audit entry commit together: a sign-in that fails here (no token
  // answered) is not recorded as the account's last one
  await app.db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { last_login_at: app.now() } });
    await log('success', undefined, tx);
  });
  const roles = knownRoles(user.roles.map((r) => r.role_codes));
  return loginJSON(user, roles, signToken(app, { id: user.id, token_version: user.token_version, roles }));
}

/**
 * Counts a password attempt toward LOGIN_MAX_ATTEMPTS before the password is compared (a right
 * one sets the count back to 0), in one conditional statement: false when the account is blocked or
 * the limit's attempts are already counted, failed or still being compared. So guesses sent all at
 * once are bounded as guesses sent one by one: a check made before comparing and a count made
 * after let every guess of a burst through, the right one answered as right.
 */
async function countSignInAttempt(app: AppContext, userId: number): Promise<boolean> {
  const counted = await app.db.$executeRaw`
    UPDATE users SET num_of_login_attempts = num_of_login_attempts + 1, updated_at = now()
    WHERE id = ${userId} AND is_blocked = 0 AND num_of_login_attempts < ${app.config.LOGIN_MAX_ATTEMPTS}`;
  return counted === 1;
}

/**
 * The right password: the count goes back to 0, unless a guess counted alongside it
 * blocked the account meanwhile (false: answered as blocked).
 */
async function releaseSignInAttempts(app: AppContext, userId: number): Promise<boolean> {
  const { count } = await app.db.user.updateMany({ where: { id: userId, is_blocked: 0 }, data: { num_of_login_attempts: 0 } });
  return count > 0;
}

/**
 * A wrong password (already counted by countSignInAttempt) blocks the account at the limit. One
 * statement, so concurrent failures all see the count and the block happens exactly at the limit.
 * The block also ends the sessions (token_version) and forgets their devices: is_blocked alone
 * only suspends them, and a token held by whoever guessed (a borrowed session), and the phone it
 * registered, would work again once staff unblock.
 */
async function countFailedSignIn(app: AppContext, userId: number) {
  const limit = app.config.LOGIN_MAX_ATTEMPTS;
  await app.db.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ is_blocked: number }[]>`
      UPDATE users SET
        is_blocked = CASE WHEN num_of_login_attempts >= ${limit} THEN 1 ELSE is_blocked END,
        token_version = CASE WHEN is_blocked = 0 AND num_of_login_attempts >= ${limit} THEN token_version + 1 ELSE token_version END,
        updated_at = now()
      WHERE id = ${userId}
      RETURNING is_blocked`;
    // a blocked account registers no device, so forgetting them again (concurrent failures) is a no-op
    if (row?.is_blocked) await forgetDevices(tx, userId);
  });
}

/** `beforeCommit`: runs last in the change's transaction (the audit entry of a staff change, RequestContext.auditChange). */
export async function changeOwnPassword(app: AppContext, userId: number, prev: string, next: string, beforeCommit?: BeforeCommit) {
  const user = await app.db.user.findUniqueOrThrow({ where: { id: userId } });
  // The current password is asked for against a borrowed session: guessing it here counts as
  // sign-ins do (before it is compared), so the lockout (which ends the session too) bounds it as it
  // bounds the login. With the limit's attempts taken, or blocked meanwhile, the session is over.
  const ended = () => unauthorized('Session is no longer valid');
  if (!(await countSignInAttempt(app, userId))) throw ended();
  if (!(await bcrypt.compare(prev, user.password_hash))) {
    await countFailedSignIn(app, userId);
    throw unprocessable('The current password is wrong', [{ field: 'prev_password', message: 'wrong password' }]);
  }
  // the right password: its attempt is no failure, whether or not the change then commits
  if (!(await releaseSignInAttempts(app, userId))) throw ended();
  const passwordHash = await hashPassword(app, next);
  await app.db.$transaction(async (tx) => {
    // only over the password just compared (and its sessions): of two changes sent at once (a double
    // tap) the second finds its session ended by the first, as it would sent a moment later, instead of
    // changing the password (and telling the user) a second time
    const { count } = await tx.user.updateMany({
      where: { id: userId, is_blocked: 0, password_hash: user.password_hash, token_version: user.token_version },
      data: { password_hash: passwordHash, token_version: { increment: 1 }, is_password_reset_required: 0 },
    });
    if (!count) throw ended();
    await forgetDevices(tx, userId);
    await voidRecoveryLinks(tx, userId, app.now());
    await tellPasswordChanged(tx, userId, false);
    await beforeCommit?.(tx);
  });
}

/**
 * The devices forget the account and the pushes still queued for them are stopped: with its
 * sessions ended (a deletion, a new password), a device no longer signed in to the account must
 * not go on showing its notifications (a taken-over account's recovery would leave the taker's
 * phone getting them). A device signed in again registers again (users/register_device_token).
 */
export async function forgetDevices(tx: Tx, userId: number) {
  await tx.userDeviceToken.deleteMany({ where: { id_users: userId } });
  await tx.pushDelivery.updateMany({ where: { id_users: userId, status: { in: ['PENDING', 'SENDING'] } }, data: { status: 'INVALID', locked_until: null } });
}

/**
 * Voids the user's open recovery links: a new password ends those requested before it (a takeover
 * in progress among them), and a new request or a used link ends the others.
 */
export async function voidRecoveryLinks(tx: Tx, userId: number, now: Date) {
  await tx.passwordReset.updateMany({ where: { id_users: userId, used_at: null, voided_at: null }, data: { voided_at: now } });
}

/** Staff set a password: the user must choose their own at the next sign-in. `beforeCommit`: as changeOwnPassword's. */
export async function setPasswordByAdmin(app: AppContext, userId: number, next: string, beforeCommit?: BeforeCommit) {
  const passwordHash = await hashPassword(app, next);
  await app.db.$transaction(async (tx) => {
    // a deletion that committed since the route found the account: no password is set on the kept row
    const { count } = await tx.user.updateMany({
      where: { id: userId, deleted_at: null },
      data: { password_hash: passwordHash, token_version: { increment: 1 }, is_password_reset_required: 1 },
    });
    if (!count) throw notFound('User not found');
    await forgetDevices(tx, userId);
    await voidRecoveryLinks(tx, userId, app.now());
    await tellPasswordChanged(tx, userId, true);
    await beforeCommit?.(tx);
  });
}

/** At start-up: the first OWNER from the environment when the clinic has none. */
export async function ensureOwner(app: AppContext): Promise<{ created: boolean; password?: string }> {
  const owners = await app.db.userRole.count({ where: { role_codes: 'OWNER', user: { deleted_at: null } } });
  if (owners > 0) return { created: false };
  let password = app.config.OWNER_PASSWORD;
  let generated: string | undefined;
  if (!password) {
    if (app.config.NODE_ENV === 'production') throw new Error('OWNER_PASSWORD must be set to create the first owner');
    generated = password = (await import('node:crypto')).randomBytes(12).toString('base64url');
  }
  await app.db.user.create({
    data: {
      username: normalizeUsername(app.config.OWNER_USERNAME),
      users_fullname: app.config.OWNER_FULLNAME,
      users_email: normalizeEmail(app.config.OWNER_EMAIL),
      users_phone: normalizePhone(app.config.OWNER_PHONE),
      positions: 'Owner',
      password_hash: await hashPassword(app, password),
      roles: { create: [{ role_codes: 'OWNER' }, { role_codes: 'ADMIN' }] },
    },
  });
  return { created: true, password: generated };
}
