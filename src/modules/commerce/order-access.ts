// Which orders a caller may see and act on (staff every order, everyone else their own), in
// Prisma and in plain SQL. Its own module so that commerce and shipping share it without
// importing each other's services.
import { sqlRows, type Prisma, type Tx } from '../../db/client.js';
import type { AuthUser } from '../../http/auth-user.js';
import { isStaff } from '../../http/auth-user.js';
import { notFound } from '../../http/errors.js';

export type Order = Prisma.OrderGetPayload<object>;

/** Orders the caller may see: staff all, everyone else their own. */
export const orderScope = (user: AuthUser | undefined) => (isStaff(user) ? {} : { id_member: user?.id ?? -1 });

/** orderScope for the plain statements: the condition on the order's `id_member` column (parameter `$n`) and its values. */
export function orderScopeSql(user: AuthUser | undefined, column: string, n: number): { sql: string; values: unknown[] } {
  return isStaff(user) ? { sql: '', values: [] } : { sql: ` AND ${column} = $${n}`, values: [user?.id ?? -1] };
}

/**
 * Loads and locks (FOR UPDATE, until the transaction ends) an order the caller may act on, by
 * orderScope's rule; someone else's order is a 404. One statement, where a lock and a Prisma read
 * were two on every cart and order step. Every column of orders is an int, float, text or
 * timestamptz, which the raw query gives back as findFirst does.
 */
export async function loadOwnOrder(tx: Tx, user: AuthUser | undefined, orderId: number): Promise<Order> {
  const scope = orderScopeSql(user, 'id_member', 2);
  const [order] = await sqlRows<Order>(tx, `SELECT * FROM orders WHERE id = $1${scope.sql} FOR UPDATE`, [orderId, ...scope.values]);
  if (!order) throw notFound(`orders ${orderId} not found`);
  return order;
}
