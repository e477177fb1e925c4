import type { AppContext } from '../../app-context.js';
import { clinicDay } from '../../lib/dates.js';
import { unprocessable } from '../../http/errors.js';
import type { Tx } from '../../db/client.js';

/**
 * Loyalty points. The ledger (user_points) records every movement; user_point_balances caches the
 * balance and is the concurrency guard for spending (conditional decrement). Earn rows carry
 * remaining_point, spent oldest-first, which the expiry job expires.
 */

/**
 * Locks the user's balance row until the transaction ends. Every movement that changes existing
 * earn rows (spend, give back, take back, expire, staff deleting a credit) takes it first, so two of one user's movements
 * run one after the other: a take-back never reads an earn row that a spending is changing, and
 * no two wait for each other's rows (a spending used to lock the balance, then the earn rows; the
 * others the earn rows, then the balance).
 */
export async function lockBalance(tx: Tx, userId: number) {
  await tx.$queryRaw`SELECT id FROM user_point_balances WHERE id_users = ${userId} FOR UPDATE`;
}
export async function pointBalance(app: AppContext, db: Tx, userId: number) {
  // (one after the other: `db` may be a transaction)
  const row = await db.userPointBalance.findUnique({ where: { id_users: userId } });
  // lots past their expiry day that the hourly job has not expired yet are not spendable
  const due = await db.userPoint.aggregate({ where: { ...dueLots(app), id_users: userId }, _sum: { remaining_point: true } });
  return Math.max(0, (row?.balance ?? 0) - (due._sum.remaining_point ?? 0));
}

/** earn rows with an unspent remainder whose expiry day has passed */
const dueLots = (app: AppContext) => ({ is_expired: 0, remaining_point: { gt: 0 }, expired_date: { lt: clinicDay(app.now()) } });

function expiryDate(app: AppContext) {
  const d = clinicDay(app.now());
  d.setUTCDate(d.getUTCDate() + app.config.POINTS_EXPIRY_DAYS);
  return d;
}

/**
 * What a paid amount earns: floor(amount × percent / 100), in exact decimal arithmetic (the
 * percent to a millionth). In floating point a configured 0.7 is 0.69999…, and 0.7 % of 11,000
 * came out as 76.999… → 76 points.
 */
export function pointsEarned(amount: number, percent: number) {
  const millionths = BigInt(percent.toFixed(6).replace('.', ''));
  return Number((BigInt(amount) * millionths) / 100_000_000n);
}

/** The point columns (balance, ledger amounts) are 32-bit integers. */
export const MAX_POINTS = 2_147_483_647;

/** What the user's cached balance can still take (read under lockBalance). */
async function balanceRoom(tx: Tx, userId: number) {
  const row = await tx.userPointBalance.findUnique({ where: { id_users: userId }, select: { balance: true } });
  return MAX_POINTS - (row?.balance ?? 0);
}

/**
 * Credits points (earn or give-back) as an expiring row and raises the cached balance. A balance
 * cannot pass the column's 2,147,483,647: what would is not credited (logged), as a paid order's
 * earning must never fail its payment (the webhook would be retried for ever). Returns what was credited.
 */
export async function creditPoints(
  app: AppContext,
  tx: Tx,
  userId: number,
  requested: number,
  usecase: string,
  orderId: number | null,
  earnedFor?: number,
) {
  if (requested <= 0) return 0;
  await lockBalance(tx, userId);
  const amount = Math.min(requested, await balanceRoom(tx, userId));
  if (amount < requested) app.logger.warn({ userId, orderId, requested, credited: amount }, 'points not credited: the balance is at its maximum');
  if (amount <= 0) return 0;
  await tx.userPoint.create({
    data: {
      id_users: userId,
      id_orders: orderId,
      add_point: amount,
      remaining_point: amount,
      usecase,
      expired_date: expiryDate(app),
      id_orders_earned: earnedFor ?? null,
    },
  });
  await tx.userPointBalance.upsert({
    where: { id_users: userId },
    create: { id_users: userId, balance: amount },
    update: { balance: { increment: amount } },
  });
  return amount;
}

/**
 * Spends points: the user's lots past their expiry day are expired first (the hourly job may not
 * have reached them), then the conditional decrement refuses to go below zero even under
 * concurrency (count 0 → 422), then the ledger row and the oldest-first consumption of earn rows.
 */
export async function spendPoints(app: AppContext, tx: Tx, userId: number, amount: number, usecase: string, orderId: number | null, isUsed = 0) {
  if (amount <= 0) return;
  await lockBalance(tx, userId);
  for (const lot of await tx.userPoint.findMany({ where: { ...dueLots(app), id_users: userId }, orderBy: { id: 'asc' } })) await expireLot(tx, lot);
  const { count } = await tx.userPointBalance.updateMany({
    where: { id_users: userId, balance: { gte: amount } },
    data: { balance: { decrement: amount } },
  });
  if (count === 0) throw unprocessable('Not enough points');
  const spending = await tx.userPoint.create({ data: { id_users: userId, id_orders: orderId, use_point: amount, usecase, is_used: isUsed } });
  await consumeOldestFirst(tx, userId, amount, spending.id);
}

/**
 * Lowers remaining_point of the earn rows expiring first by `amount`, and records what it took
 * from each (user_point_consumptions), in one statement.
 */
async function consumeOldestFirst(tx: Tx, userId: number, amount: number, spendingId: number) {
  await tx.$executeRaw`
    WITH taken AS (
      UPDATE user_points u
         SET remaining_point = u.remaining_point - LEAST(u.remaining_point, ${amount}::int - p.prior)
        FROM (SELECT id, remaining_point, COALESCE(SUM(remaining_point) OVER (ORDER BY expired_date NULLS LAST, id
                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::int AS prior
                FROM user_points
               WHERE id_users = ${userId} AND remaining_point > 0 AND is_expired = 0) p
       WHERE u.id = p.id AND p.prior < ${amount}::int
      RETURNING u.id, p.remaining_point - u.remaining_point AS amount)
    INSERT INTO user_point_consumptions (id_spending, id_lot, amount)
    SELECT ${spendingId}::int, id, amount FROM taken WHERE amount > 0`;
}

/**
 * Gives back `amount` points an order had spent (uncheckout, cancel): first to the earn rows they
 * were taken from, each keeping its own expiry day (an earn row that has expired meanwhile keeps
 * them expired: an `expire` row records them), the rest (spent before consumptions were recorded)
 * as a new earn row. The `order-release` row records the whole amount. Points that came from what a
 * paid order earned, once that order was cancelled or its payment undone (reverseEarned took back
 * what was left of them then), go with it: an `order-reverse` row of that order takes them out
 * again. Returns what the balance gained.
 */
export async function returnSpentPoints(app: AppContext, tx: Tx, userId: number, orderId: number, amount: number) {
  if (amount <= 0) return 0;
  await lockBalance(tx, userId);
  const today = clinicDay(app.now());
  const open = await tx.userPointConsumption.findMany({
    where: { returned_at: null, spending: { id_orders: orderId, usecase: 'order-use' } },
    include: { lot: { select: { is_expired: true, expired_date: true, usecase: true, id_orders: true, id_orders_earned: true, order: { select: { status: true } } } } },
    orderBy: { id: 'asc' },
  });
  let left = amount;
  let expired = 0;
  // by the order that earned them: points of an earning taken back (see takenBack)
  const reversed = new Map<number, number>();
  for (const c of open) {
    if (left <= 0) break;
    const back = Math.min(c.amount, left);
    left -= back;
    await tx.userPointConsumption.update({ where: { id: c.id }, data: { returned_at: app.now() } });
    if (c.lot.is_expired || (c.lot.expired_date && c.lot.expired_date < today)) expired += back;
    else if (takenBack(c.lot)) reversed.set(c.lot.id_orders!, (reversed.get(c.lot.id_orders!) ?? 0) + back);
    else await tx.userPoint.update({ where: { id: c.id_lot }, data: { remaining_point: { increment: back } } });
  }
  // the ledger: the whole amount back, then what had expired meanwhile, and what the cancelled
  // orders that earned them no longer give, going out again
  await tx.userPoint.create({
    data: { id_users: userId, id_orders: orderId, add_point: amount, remaining_point: left, usecase: 'order-release', expired_date: left > 0 ? expiryDate(app) : null },
  });
  if (expired > 0) await tx.userPoint.create({ data: { id_users: userId, id_orders: orderId, use_point: expired, usecase: 'expire', is_used: 1 } });
  for (const [earnedBy, points] of reversed) {
    await tx.userPoint.create({ data: { id_users: userId, id_orders: earnedBy, use_point: points, usecase: 'order-reverse', is_used: 1 } });
  }
  const gained = amount - expired - [...reversed.values()].reduce((s, p) => s + p, 0);
  // only after credits filled the balance while these points were held (creditPoints stops at the maximum)
  if (gained > (await balanceRoom(tx, userId))) {
    throw unprocessable(`The customer's point balance cannot take back the ${gained} points this order holds (a balance is at most ${MAX_POINTS.toLocaleString('en')})`);
  }
  if (gained > 0) {
    await tx.userPointBalance.upsert({ where: { id_users: userId }, create: { id_users: userId, balance: gained }, update: { balance: { increment: gained } } });
  }
  return gained;
}

/**
 * An earn row whose order's earning was taken back (reverseEarned): the order was cancelled after
 * its payment (it stays linked, and a cancelled paid order is never paid again), or its payment was
 * undone (`unpaid` unlinks it, so that a payment again earns anew).
 */
const takenBack = (lot: { usecase: string; id_orders: number | null; id_orders_earned: number | null; order: { status: string } | null }) =>
  lot.usecase === 'webhook-midtrans' && lot.id_orders !== null && (lot.id_orders_earned === null || lot.order?.status === 'CANCEL');

/** Takes back what an order earned, as far as it is unspent (cancel / unpaid of a paid order). */
export async function reverseEarned(tx: Tx, orderId: number) {
  const earned = await tx.userPoint.findUnique({ where: { id_orders_earned: orderId }, select: { id_users: true } });
  if (!earned) return;
  await lockBalance(tx, earned.id_users);
  // read under the lock: what a spending committed meanwhile has taken from it is not taken back
  const earn = await tx.userPoint.findUniqueOrThrow({ where: { id_orders_earned: orderId } });
  if (earn.remaining_point <= 0) return;
  const amount = earn.remaining_point;
  const { count } = await tx.userPoint.updateMany({ where: { id: earn.id, remaining_point: amount }, data: { remaining_point: 0 } });
  if (count === 0) return;
  await tx.userPointBalance.updateMany({ where: { id_users: earn.id_users, balance: { gte: amount } }, data: { balance: { decrement: amount } } });
  await tx.userPoint.create({ data: { id_users: earn.id_users, id_orders: orderId, use_point: amount, usecase: 'order-reverse', is_used: 1 } });
}

/**
 * Expires the unspent remainder of earn rows whose expiry day has passed: every due row, in pages
 * by id (a first page taken every hour would leave a busier day's rows behind it for days).
 */
export async function expirePoints(app: AppContext, stopping?: AbortSignal) {
  const page = 200;
  let seen = 0;
  for (let after = 0; ; ) {
    const due = await app.db.userPoint.findMany({ where: { ...dueLots(app), id: { gt: after } }, take: page, orderBy: { id: 'asc' } });
    for (const row of due) {
      if (stopping?.aborted) return seen; // shutting down: the next process's run goes on
      // a lot that cannot be expired is logged and retried next run; the ones after it still expire
      await app.db.$transaction((tx) => expireLot(tx, row)).catch((err) => app.logger.error({ err, pointId: row.id }, 'expiring points failed'));
    }
    seen += due.length;
    if (due.length < page) return seen;
    after = due[due.length - 1]!.id;
  }
}

/**
 * Expires one earn row's remainder as read: the conditional update does nothing when a spending,
 * a give-back or another expiry changed the row since (the job and a checkout may meet here).
 */
async function expireLot(tx: Tx, row: { id: number; id_users: number; remaining_point: number }) {
  await lockBalance(tx, row.id_users);
  const { count } = await tx.userPoint.updateMany({
    where: { id: row.id, is_expired: 0, remaining_point: row.remaining_point },
    data: { is_expired: 1, remaining_point: 0 },
  });
  if (count === 0) return;
  await tx.userPointBalance.updateMany({
    where: { id_users: row.id_users, balance: { gte: row.remaining_point } },
    data: { balance: { decrement: row.remaining_point } },
  });
  await tx.userPoint.create({ data: { id_users: row.id_users, use_point: row.remaining_point, usecase: 'expire', is_used: 1 } });
}
