import type { Tx } from '../../db/client.js';
import { STAFF } from '../../http/auth-user.js';

/**
 * Holds a live account's row (FOR SHARE) until the transaction ends, for a decision made on it (a
 * booking in its name, a patient linked to it, a doctor profile or thread given to it): its deletion
 * or the DOCTOR role's removal (both lock the row first) either commits before and is seen here, or
 * waits for this transaction. False when the account is deleted or missing.
 */
export async function holdLiveUser(tx: Tx, id: number): Promise<boolean> {
  const rows = await tx.$queryRaw<unknown[]>`SELECT id FROM users WHERE id = ${id} AND deleted_at IS NULL FOR SHARE`;
  return rows.length > 0;
}

/** a live account with the DOCTOR role, held as holdLiveUser holds it */
export async function holdLiveDoctor(tx: Tx, id: number): Promise<boolean> {
  return (await holdLiveUser(tx, id)) && (await tx.userRole.count({ where: { id_users: id, role_codes: 'DOCTOR' } })) > 0;
}

/** a live account with a staff role (OWNER or ADMIN), held as holdLiveUser holds it */
export async function holdLiveStaff(tx: Tx, id: number): Promise<boolean> {
  return (await holdLiveUser(tx, id)) && (await tx.userRole.count({ where: { id_users: id, role_codes: { in: STAFF } } })) > 0;
}
