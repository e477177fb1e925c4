import { Prisma, type BeforeCommit, type PrismaClient, type Db } from '../../db/client.js';
import type { AppContext } from '../../app-context.js';
import { fcmFor, type PushResult } from '../../adapters/fcm.js';
import { CLINIC_OFFSET_MINUTES, clinicDay, formatDate, formatTime } from '../../lib/dates.js';
import { withDeadline } from '../../lib/deadline.js';
import { unauthorized } from '../../http/errors.js';

export interface NotificationInput {
  id_user_to: number;
  id_user_from?: number | null;
  intentions: string;
  title: string;
  content: string;
  priority?: string;
  labels?: string;
  url?: string;
  remark?: string;
  reference_type?: string;
  reference_id?: number;
  /** at most one notification with this key ever exists (the insert skips duplicates) */
  dedupe_key?: string;
}

/**
 * Stores notifications and, when FCM is configured, queues one push per recipient device in the
 * outbox — inside the caller's transaction, so both commit with the change that caused them.
 * Constant number of queries whatever the number of recipients.
 */
export async function notify(app: AppContext, tx: Db, items: NotificationInput[]) {
  if (!items.length) return [];
  const rows = await tx.notification.createManyAndReturn({
    data: items.map((n) => ({ ...n, id_user_from: n.id_user_from ?? null })),
    select: { id: true, id_user_to: true },
    // only rows actually inserted come back, so a skipped duplicate queues no push either
    skipDuplicates: true,
  });
  if (fcmFor(app)) {
    const userIds = [...new Set(rows.map((r) => r.id_user_to))];
    const tokens = await tx.userDeviceToken.findMany({ where: { id_users: { in: userIds } }, select: { id_users: true, device_token: true } });
    const deliveries = rows.flatMap((r) =>
      tokens.filter((t) => t.id_users === r.id_user_to).map((t) => ({ id_notifications: r.id, id_users: r.id_user_to, device_token: t.device_token, next_attempt_at: app.now() })),
    );
    if (deliveries.length) await tx.pushDelivery.createMany({ data: deliveries, skipDuplicates: true });
  }
  return rows;
}

/**
 * Reminders for tomorrow's appointments (Asia/Jakarta days): one per appointment and date, to the
 * customer, from APPOINTMENT_REMINDER_HOUR on (the job runs every 15 minutes; a push at midnight
 * wakes people), whenever the job runs after that (the dedupe key makes repeated or concurrent runs
 * insert nothing). A rescheduled appointment gets a new reminder for its new date.
 * A run takes at most `batch` appointments, only those without their reminder yet, in id order: a
 * day with more appointments than one batch is covered by the next runs (an unordered batch that
 * included reminded ones could keep taking the same appointments and never reach the others).
 * The appointments are chosen and share-locked in the transaction that writes the reminders, so one
 * cancelled or moved meanwhile is either left out or cancelled after its reminder, never reminded
 * after it was cancelled.
 */
export async function sendAppointmentReminders(app: AppContext, batch = 1000): Promise<number> {
  const now = app.now();
  const clinicHour = new Date(now.getTime() + CLINIC_OFFSET_MINUTES * 60_000).getUTCHours();
  if (clinicHour < app.config.APPOINTMENT_REMINDER_HOUR) return 0;
  const tomorrow = new Date(clinicDay(now).getTime() + 86_400_000);
  const day = formatDate(tomorrow)!;
  const rows = await app.db.$transaction(async (tx) => {
    const pending = await tx.$queryRaw<{ id: number }[]>(Prisma.sql`
      SELECT a.id FROM user_schedules a
      WHERE a.tanggal = ${day}::date AND a.active_slot = 1 AND a.status IN ('BOOKING', 'RESCHEDULE')
        AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.dedupe_key = 'appointment_reminder:' || a.id || ':' || ${day})
      ORDER BY a.id LIMIT ${batch} FOR SHARE OF a`);
    if (!pending.length) return [];
    const due = await tx.userSchedule.findMany({
      where: { id: { in: pending.map((p) => p.id) } },
      select: { id: true, id_users: true, jam: true, doctor: { select: { user: { select: { users_fullname: true } } } }, patient: { select: { nama_lengkap_pasien: true } } },
      orderBy: { id: 'asc' },
    });
    return notify(
      app,
      tx,
      due.map((a) => ({
        id_user_to: a.id_users,
        intentions: 'appointment_reminder',
        title: 'Pengingat janji temu',
        content: `Besok ${day} ${formatTime(a.jam)?.slice(0, 5)}: janji temu ${a.patient.nama_lengkap_pasien} dengan ${a.doctor.user.users_fullname}.`,
        priority: 'Normal',
        reference_type: 'user_schedules',
        reference_id: a.id,
        dedupe_key: `appointment_reminder:${a.id}:${day}`,
      })),
    );
  });
  return rows.length;
}

/**
 * A device belongs to whoever signed in on it last. The pushes still queued for it of its previous
 * user are not for the new user's eyes: they are stopped (INVALID) in the same transaction. The
 * push job checks the owner again when it claims a push (a token moved by another way).
 * `beforeCommit` runs last in that transaction (a staff change's audit entry, RequestContext.auditChange).
 */
export async function registerDeviceToken(db: PrismaClient, deviceToken: string, userId: number, tokenVersion: number | undefined, beforeCommit?: BeforeCommit) {
  await db.$transaction(async (tx) => {
    // The session must still be valid as the device is given to it: the account's row held FOR SHARE,
    // a new password, a block or a deletion at the same moment (each ends the sessions and makes the
    // devices forget the account, forgetDevices) comes first and this is refused, or waits for the
    // registration and then forgets the device too. Else a taken-over account's recovery racing the
    // taker's registration would leave the taker's phone getting the owner's notifications.
    const [live] = await tx.$queryRaw<{ token_version: number }[]>`
      SELECT token_version FROM users WHERE id = ${userId} AND deleted_at IS NULL AND is_blocked = 0 FOR SHARE`;
    if (!live || (tokenVersion !== undefined && live.token_version !== tokenVersion)) throw unauthorized('Session is no longer valid');
    await tx.userDeviceToken.upsert({ where: { device_token: deviceToken }, create: { device_token: deviceToken, id_users: userId }, update: { id_users: userId } });
    await tx.pushDelivery.updateMany({
      where: { device_token: deviceToken, id_users: { not: userId }, status: { in: ['PENDING', 'SENDING'] } },
      data: { status: 'INVALID', locked_until: null },
    });
    await beforeCommit?.(tx);
  });
}

/**
 * What a push shows instead of the stored content, by intention. A push lands on a lock screen: a
 * prescription request names the customer and the prescription-only product they asked for (their
 * health), which staff read in the app, not a passer-by on a phone.
 */
const LOCK_SCREEN_BODY: Record<string, string> = {
  prescription_requested: 'Ada permintaan resep baru. Buka aplikasi untuk melihatnya.',
};

export const PUSH_MAX_ATTEMPTS = 5;
const PUSH_BATCH = 50;
/** retry delay after the n-th failed attempt: 30 s, 1 min, 2 min, 4 min ... */
const pushBackoffMs = (attempts: number) => 30_000 * 2 ** Math.max(0, attempts - 1);

interface Claimed {
  id: number;
  id_notifications: number;
  device_token: string;
  attempts: number;
}

/**
 * One pass of the push outbox: claims due rows (a conditional update, so two workers never send
 * the same row; a crashed worker's claim lapses), sends them, records the outcome. Dead tokens
 * are removed from user_device_tokens. Returns how many rows it handled.
 * A claim lasts 3 × PUSH_TIMEOUT_MS and each send is cut off after PUSH_TIMEOUT_MS (a slow but
 * live FCM answer would otherwise outlast the claim, and another worker would send the push
 * again). A claim is its attempt number (incremented by the claim): the outcome is written only
 * where the row still is SENDING at that attempt, so a worker that lost its claim anyway leaves
 * the row to the one that took it.
 */
export async function deliverPendingPushes(app: AppContext): Promise<number> {
  const fcm = fcmFor(app);
  if (!fcm) return 0;
  const now = app.now();
  const timeoutMs = app.config.PUSH_TIMEOUT_MS;
  // A device belongs to whoever signed in on it last (users/register_device_token): a push whose
  // token has meanwhile gone to another user, or been forgotten, is never sent (INVALID).
  const claimed = await app.db.$queryRaw<Claimed[]>(Prisma.sql`
    WITH due AS (
      SELECT p.id, EXISTS (SELECT 1 FROM user_device_tokens t WHERE t.device_token = p.device_token AND t.id_users = p.id_users) AS owned
      FROM push_deliveries p
      WHERE (p.status = 'PENDING' AND p.next_attempt_at <= ${now}) OR (p.status = 'SENDING' AND p.locked_until < ${now})
      ORDER BY p.id LIMIT ${PUSH_BATCH} FOR UPDATE SKIP LOCKED),
    disowned AS (
      UPDATE push_deliveries p SET status = 'INVALID', locked_until = NULL, updated_at = ${now}
      FROM due WHERE p.id = due.id AND NOT due.owned),
    -- the last attempt's claim lapsed without an outcome (its worker stopped while sending): given
    -- up, or a push whose outcome can never be written would be sent again every minute for ever
    spent AS (
      UPDATE push_deliveries p SET status = 'FAILED', locked_until = NULL, updated_at = ${now},
        last_error = 'no outcome recorded for the last attempt (its worker stopped while sending)'
      FROM due WHERE p.id = due.id AND due.owned AND p.attempts >= ${PUSH_MAX_ATTEMPTS})
    UPDATE push_deliveries p SET status = 'SENDING', attempts = p.attempts + 1,
      locked_until = ${new Date(now.getTime() + 3 * timeoutMs)}, updated_at = ${now}
    FROM due WHERE p.id = due.id AND due.owned AND p.attempts < ${PUSH_MAX_ATTEMPTS}
    RETURNING p.id, p.id_notifications, p.device_token, p.attempts`);
  if (!claimed.length) return 0;
  const notes = await app.db.notification.findMany({
    where: { id: { in: [...new Set(claimed.map((c) => c.id_notifications))] } },
    select: { id: true, title: true, content: true, intentions: true, reference_type: true, reference_id: true },
  });
  const byId = new Map(notes.map((n) => [n.id, n]));
  const results = await Promise.all(
    claimed.map(async (c) => {
      const n = byId.get(c.id_notifications)!;
      const data: Record<string, string> = { id_notifications: String(n.id), intentions: n.intentions };
      if (n.reference_type) data.reference_type = n.reference_type;
      if (n.reference_id != null) data.reference_id = String(n.reference_id);
      const r = await withDeadline(timeoutMs, `push ${c.id}`, (signal) => fcm.send(c.device_token, { title: n.title, body: LOCK_SCREEN_BODY[n.intentions] ?? n.content, data }, signal)).catch(
        (err: Error): PushResult => ({ ok: false, invalidToken: false, error: err.message }),
      );
      return { c, r };
    }),
  );
  const done = app.now();
  /** still this worker's claim */
  const held = (c: Claimed) => ({ id: c.id, status: 'SENDING', attempts: c.attempts });
  const sent = results.filter((x) => x.r.ok).map((x) => held(x.c));
  const invalidTokens = [...new Set(results.filter((x) => !x.r.ok && x.r.invalidToken).map((x) => x.c.device_token))];
  const failed = results.filter((x) => !x.r.ok && !x.r.invalidToken);
  // What was sent is recorded first, on its own: should writing another row's outcome fail, the
  // pushes already on the phones must not be rolled back to SENDING (and sent again once the claim lapses).
  if (sent.length) await app.db.pushDelivery.updateMany({ where: { OR: sent }, data: { status: 'SENT', sent_at: done, locked_until: null, last_error: '' } });
  await app.db.$transaction([
    // a dead token: forget it and stop every row still waiting for it
    app.db.userDeviceToken.deleteMany({ where: { device_token: { in: invalidTokens } } }),
    app.db.pushDelivery.updateMany({
      where: { device_token: { in: invalidTokens }, status: { in: ['PENDING', 'SENDING'] } },
      data: { status: 'INVALID', locked_until: null },
    }),
    ...failed.map(({ c, r }) =>
      app.db.pushDelivery.updateMany({
        where: held(c),
        data:
          c.attempts >= PUSH_MAX_ATTEMPTS || (r as { permanent?: boolean }).permanent
            ? { status: 'FAILED', locked_until: null, last_error: (r as { error: string }).error.slice(0, 1000) }
            : {
                status: 'PENDING',
                locked_until: null,
                // the back-off, or longer when FCM asked for it (Retry-After; capped at a day)
                next_attempt_at: new Date(done.getTime() + Math.max(pushBackoffMs(c.attempts), Math.min((r as { retryAfterMs?: number }).retryAfterMs ?? 0, 86_400_000))),
                last_error: (r as { error: string }).error.slice(0, 1000),
              },
      }),
    ),
  ]);
  for (const { c, r } of failed) app.logger.warn({ push: c.id, error: (r as { error: string }).error }, 'push delivery failed');
  return claimed.length;
}
