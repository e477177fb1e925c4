import type { AppContext } from '../../app-context.js';
import { sendMail } from '../../adapters/mailer.js';
import { sendWhatsApp } from '../../adapters/wablas.js';
import { addJob } from '../../jobs.js';
import { withDeadline } from '../../lib/deadline.js';
import type { Db } from '../../db/client.js';

export interface OutgoingMessage {
  channel: 'email' | 'wa';
  recipient: string;
  subject?: string;
  body: string;
  purpose: string;
  id_users?: number | null;
}

/** Queues a message; pass the request's transaction so it is sent only if the change commits. */
/**
 * A mail server's permanent refusal of this message (5xx to RCPT TO or DATA: no such mailbox, a
 * message it will never take); sending it again gets the same answer. Other errors (4xx, a
 * connection or login problem, the WhatsApp gateway) may pass, and are retried.
 */
function refusedForGood(err: unknown): boolean {
  const e = err as { responseCode?: unknown; command?: unknown };
  return typeof e?.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600 && (e.command === 'RCPT TO' || e.command === 'DATA');
}

export async function enqueueMessage(db: Db, m: OutgoingMessage) {
  await db.messageOutbox.create({
    data: { channel: m.channel, recipient: m.recipient, subject: m.subject ?? '', body: m.body, purpose: m.purpose, id_users: m.id_users ?? null },
  });
}

interface Claimed {
  id: number;
  channel: string;
  recipient: string;
  subject: string;
  body: string;
  attempts: number;
  max_attempts: number;
}

const BATCH = 20;

/**
 * One pass of the outbox worker: claims due messages (SKIP LOCKED, so several workers never take
 * the same row; a claim lapses after `locked_until`, so a crashed worker's rows are retried),
 * sends them, then marks each SENT or schedules a retry with exponential back-off; after the last
 * attempt it is FAILED. The body (it may hold a recovery link) is blanked once final.
 * A claim lasts 3 × OUTBOX_TIMEOUT_MS and each send is cut off after OUTBOX_TIMEOUT_MS (a slow
 * but live server would otherwise keep it going past the claim, and another worker would take
 * the row and send the message again). The outcome is written only while the row still holds
 * this worker's claim (status SENDING, its `locked_until`): a worker that lost its claim anyway
 * (paused, the database slow to answer) leaves the row to the one that took it.
 */
export async function deliverOutbox(app: AppContext): Promise<{ sent: number; failed: number }> {
  const timeoutMs = app.config.OUTBOX_TIMEOUT_MS;
  const lease = new Date(app.now().getTime() + timeoutMs * 3);
  const now = app.now();
  // A claim is an attempt (counted now, not when its outcome is written): a worker that dies while
  // sending (its claim lapses) has used one, so a message whose sends keep killing workers, or whose
  // outcome cannot be written, is given up after max_attempts instead of being sent forever.
  const rows = await app.db.$queryRaw<Claimed[]>`
    WITH due AS (
      SELECT id FROM message_outbox
      WHERE (status = 'PENDING' AND next_attempt_at <= ${now}) OR (status = 'SENDING' AND locked_until < ${now})
      ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED),
    spent AS (
      UPDATE message_outbox m SET status = 'FAILED', locked_until = NULL, body = '', updated_at = now(),
        last_error = 'no outcome recorded for the last attempt (its worker stopped while sending)'
      FROM due WHERE m.id = due.id AND m.attempts >= m.max_attempts)
    UPDATE message_outbox m SET status = 'SENDING', attempts = m.attempts + 1, locked_until = ${lease}, updated_at = now()
    FROM due WHERE m.id = due.id AND m.attempts < m.max_attempts
    RETURNING m.id, m.channel, m.recipient, m.subject, m.body, m.attempts, m.max_attempts`;
  let sent = 0;
  let failed = 0;
  await Promise.all(
    rows.map(async (row) => {
      const claimed = { id: row.id, status: 'SENDING', locked_until: lease, attempts: row.attempts };
      const claimLost = () => app.logger.warn({ outbox: row.id }, 'outgoing message: claim lost while sending, its outcome is left to the worker that took it');
      try {
        await withDeadline(timeoutMs, `sending ${row.channel} message ${row.id}`, (signal) =>
          row.channel === 'email'
            ? sendMail(app.config, { to: row.recipient, subject: row.subject, text: row.body }, signal)
            : sendWhatsApp(app.config, row.recipient, row.body, signal),
        );
      } catch (err) {
        const attempts = row.attempts;
        const final = attempts >= row.max_attempts || refusedForGood(err);
        const delayMs = Math.min(3_600_000, 5_000 * 2 ** (attempts - 1));
        const { count } = await app.db.messageOutbox.updateMany({
          where: claimed,
          data: {
            status: final ? 'FAILED' : 'PENDING',
            locked_until: null,
            next_attempt_at: new Date(app.now().getTime() + delayMs),
            last_error: String((err as Error)?.message ?? err).slice(0, 1000),
            ...(final ? { body: '' } : {}),
          },
        });
        if (!count) return claimLost();
        failed += 1;
        app.logger.warn({ outbox: row.id, attempts, final }, 'outgoing message not delivered');
        return;
      }
      const { count } = await app.db.messageOutbox.updateMany({
        where: claimed,
        data: { status: 'SENT', body: '', sent_at: app.now(), locked_until: null, last_error: '' },
      });
      if (!count) return claimLost();
      sent += 1;
    }),
  );
  return { sent, failed };
}

addJob({ name: 'message-outbox', everyMs: 5_000, run: async (app) => void (await deliverOutbox(app)) });
