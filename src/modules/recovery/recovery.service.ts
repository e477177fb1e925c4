import { createHash, randomBytes } from 'node:crypto';
import type { Request } from 'express';
import type { AppContext } from '../../app-context.js';
import { unprocessable } from '../../http/errors.js';
import { toWablasPhone } from '../../adapters/wablas.js';
import { audit } from '../audit/audit.service.js';
import { holdLiveUser } from '../identity/account-holds.js';
import { forgetDevices, hashPassword, normalizeEmail, voidRecoveryLinks } from '../identity/users.service.js';
import { enqueueMessage } from './outbox.service.js';

export type Channel = 'email' | 'wa';

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** The forms a stored phone number may have for a 62… / 0… / +62… number the client sends. */
function phoneVariants(phone: string): string[] {
  const wa = toWablasPhone(phone);
  return [...new Set([phone.trim(), wa, `+${wa}`, wa.startsWith('62') ? `0${wa.slice(2)}` : wa])];
}

async function findAccount(app: AppContext, channel: Channel, identifier: string) {
  const where = channel === 'email' ? { users_email: normalizeEmail(identifier) ?? '' } : { users_phone: { in: phoneVariants(identifier) } };
  return app.db.user.findFirst({ where: { deleted_at: null, ...where }, select: { id: true, users_email: true, users_phone: true, users_fullname: true } });
}

function recoveryLink(app: AppContext, channel: Channel, secret: string, identifier: string) {
  const url = new URL('/account/recovery', app.config.RECOVERY_URL);
  url.searchParams.set('hash', secret);
  url.searchParams.set(channel === 'email' ? 'email' : 'phone', identifier);
  return url.toString();
}

/**
 * Sends a recovery link when the address or number belongs to an account. The answer is the same
 * either way (no account enumeration). The secret (144 random bits) goes out in the link only; the
 * database keeps its sha256. Older unused secrets of the user are voided in the same transaction.
 */
export async function requestRecovery(app: AppContext, channel: Channel, identifier: string, variant: 'reset' | undefined, req: Request) {
  const user = await findAccount(app, channel, identifier);
  if (!user) {
    // Audited too (without the address, which may be a stranger's): staff see recovery probing, and
    // the answer costs a transaction either way, so its time says less about whether the account exists.
    await audit(app, { user: null, action: 'recovery_requested', resource: 'users', resourceId: null, outcome: 'failure', req, details: { channel, reason: 'no account' } });
    return;
  }
  const secret = randomBytes(18).toString('base64url');
  const now = app.now();
  const to = channel === 'email' ? user.users_email! : toWablasPhone(user.users_phone!);
  const link = recoveryLink(app, channel, secret, to);
  const reset = variant === 'reset';
  const minutes = app.config.RESET_TOKEN_TTL_MINUTES;
  const text = [
    `Halo ${user.users_fullname},`,
    '',
    reset ? 'Silakan atur ulang kata sandi akun Colederma Anda melalui tautan berikut:' : 'Kami menerima permintaan pemulihan akun Colederma Anda. Buka tautan berikut untuk membuat kata sandi baru:',
    link,
    '',
    `Tautan berlaku ${minutes} menit dan hanya dapat dipakai sekali. Abaikan pesan ini jika Anda tidak memintanya.`,
  ].join('\n');
  await app.db.$transaction(async (tx) => {
    // the user's requests one after the other: of two sent at once (a double tap) the second voids
    // the first's link, committed by then, instead of both links staying usable
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`recovery:${user.id}`}))`;
    // an account deleted since it was found gets no link (the deletion voids links and stops queued
    // messages only of those committed before it); held until commit, so a deletion waits for this one
    if (!(await holdLiveUser(tx, user.id))) return;
    await voidRecoveryLinks(tx, user.id, now);
    await tx.passwordReset.create({
      data: { id_users: user.id, channel, token_hash: hashSecret(secret), expires_at: new Date(now.getTime() + minutes * 60_000), request_ip: req.ip?.slice(0, 64) ?? null },
    });
    await enqueueMessage(tx, {
      channel,
      recipient: to,
      subject: reset ? 'Atur ulang kata sandi Colederma' : 'Pemulihan akun Colederma',
      body: text,
      purpose: reset ? 'password_reset' : 'password_recovery',
      id_users: user.id,
    });
    await audit(app, { user: { id: user.id }, action: 'recovery_requested', resource: 'users', resourceId: user.id, req, details: { channel } }, tx);
  });
}

const INVALID_LINK = 'The recovery link is invalid, expired or already used';

/**
 * Sets a new password with a recovery secret: the secret is consumed by one conditional update
 * (so two concurrent uses cannot both succeed); the account is unblocked, its failed-attempt count
 * cleared and its existing sessions ended (token_version) with their devices' push registrations,
 * and every other open secret voided.
 */
export async function completeRecovery(app: AppContext, channel: Channel, identifier: string, secret: string, newPassword: string, req: Request) {
  const user = await findAccount(app, channel, identifier);
  const passwordHash = await hashPassword(app, newPassword);
  if (!user) throw unprocessable(INVALID_LINK);
  const now = app.now();
  await app.db.$transaction(async (tx) => {
    const used = await tx.passwordReset.updateMany({
      where: { id_users: user.id, channel, token_hash: hashSecret(secret), used_at: null, voided_at: null, expires_at: { gt: now } },
      data: { used_at: now },
    });
    if (used.count !== 1) throw unprocessable(INVALID_LINK);
    await voidRecoveryLinks(tx, user.id, now);
    await tx.user.update({
      where: { id: user.id },
      data: { password_hash: passwordHash, token_version: { increment: 1 }, is_blocked: 0, num_of_login_attempts: 0, is_password_reset_required: 0 },
    });
    await forgetDevices(tx, user.id);
    await audit(app, { user: { id: user.id }, action: 'password_recovered', resource: 'users', resourceId: user.id, req, details: { channel } }, tx);
  });
  return user;
}
