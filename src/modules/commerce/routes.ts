import { addJob } from '../../jobs.js';
import { on } from '../../lib/events.js';
import { CART, deleteCart } from './orders.service.js';
import { recomputeOrderTotals } from './totals.js';
import { addUserSection } from '../identity/user-sections.js';
import { orderExtraRoutes, orderItemRoutes, ratingRoutes, userPointRoutes } from './lines.routes.js';
import { countCarts, orderListInclude, orderRoutes } from './orders.routes.js';
import { paymentRoutes } from './payments.routes.js';
import { expireUnpaidCheckouts } from './payments.service.js';
import { expirePoints, pointBalance } from './points.service.js';
import { purgeExpiredQuotes } from '../shipping/shipping.service.js';
import { orderListJSON, userDataSectionShape } from './serializers.js';

export const commerceRoutes = [...orderRoutes, ...orderItemRoutes, ...orderExtraRoutes, ...ratingRoutes, ...userPointRoutes, ...paymentRoutes];

addUserSection({
  in: ['data'],
  schema: userDataSectionShape,
  load: async (userId, caller) => {
    const db = caller.app.db;
    const [total_point, latest, counts_carts] = await Promise.all([
      pointBalance(caller.app, db, userId),
      db.order.findMany({ where: { id_member: userId, cart_open: null }, include: orderListInclude, orderBy: { id: 'desc' }, take: 5 }),
      countCarts(db, userId),
    ]);
    return { total_point, latest_orders: latest.map((o) => orderListJSON(caller.app, o)), counts_carts };
  },
});

// users/:id: the point balance, as users/data shows it (the document's users/:id has total_point too)
addUserSection({
  in: ['detail'],
  schema: { total_point: userDataSectionShape.total_point },
  load: async (userId, caller) => ({ total_point: await pointBalance(caller.app, caller.app.db, userId) }),
});

// A promotion about to be edited or deleted: its open carts are locked before the promotion's row,
// in the order a checkout takes them (its order, then the promotion's row as it reserves the quota),
// else the two wait for each other and the database aborts one (a customer's checkout failing
// because staff changed a title). A cart being checked out is waited for and then, no longer a
// cart, left out (FOR UPDATE re-checks the condition on the committed row).
on('promotion.changing', async (_app, { promotionId }, tx) => {
  await tx.$queryRaw`SELECT id FROM orders WHERE id_promo_discount_applied = ${promotionId} AND status = ${CART} ORDER BY id FOR UPDATE`;
});

// A promotion edited or deleted by staff: the open carts that applied it show the discount the
// checkout will charge (their totals are stored, and otherwise recomputed only when the cart changes).
on('promotion.changed', async (_app, { promotionId }, tx) => {
  const carts = await tx.order.findMany({ where: { id_promo_discount_applied: promotionId, status: CART }, select: { id: true }, orderBy: { id: 'asc' } });
  for (const cart of carts) await recomputeOrderTotals(tx, cart.id);
});

// An account about to be deleted: its open carts are locked before its row, in the order a checkout
// takes them (its order, then rows referencing the account: points, a payment's thread), else the
// two would wait for each other. A cart being checked out is waited for and then, no longer a cart,
// left out: a checkout awaiting payment stays, and is paid or expires (the expiry job) as any other.
on('account.deleting', async (_app, { userId }, tx) => {
  await tx.$queryRaw`SELECT id FROM orders WHERE id_member = ${userId} AND status = ${CART} ORDER BY id FOR UPDATE`;
});

// An account deleted: its open carts go as orders/:id/delete removes a cart (one checked out before
// is closed as cancelled, reason "account deleted"), freeing the prescriptions redeemed into them.
on('account.deleted', async (app, { userId, by }, tx) => {
  const carts = await tx.order.findMany({ where: { id_member: userId, status: CART }, select: { id: true, status: true }, orderBy: { id: 'asc' } });
  for (const cart of carts) await deleteCart(app, tx, by, cart, 'account deleted');
});

addJob({ name: 'commerce.expire-unpaid-checkouts', everyMs: 60_000, run: async (app, stopping) => void (await expireUnpaidCheckouts(app, stopping)) });
// hourly: points past their expiry day, courier quotes no order can take any more
addJob({
  name: 'commerce.hourly',
  everyMs: 3_600_000,
  run: async (app, stopping) => {
    await expirePoints(app, stopping);
    if (!stopping.aborted) await purgeExpiredQuotes(app);
  },
});
