import { isStaff, type AuthUser } from '../../http/auth-user.js';
import { notFound } from '../../http/errors.js';
import type { Caller } from '../../http/resource.js';

type Tx = Parameters<Parameters<Caller['app']['db']['$transaction']>[0]>[0];
export type Db = Caller['app']['db'] | Tx;
type Where = Record<string, unknown>;

/**
 * Which patients a caller may READ (a Prisma `where` on patients; undefined = all):
 * staff everything; any user the patients they manage; a doctor also the patients of their
 * appointments (user_schedules) and consultations (threads). Roles add up. Anything else: none.
 */
export function patientReadScope(user: AuthUser | undefined): Where | undefined {
  if (!user) return { id: -1 };
  if (isStaff(user)) return undefined;
  // the account managing a patient reads it, whatever its roles (a doctor may manage their own family)
  const or: Where[] = [{ id_users: user.id }];
  if (user.roles.includes('DOCTOR')) {
    or.push({ userSchedules: { some: { deleted_at: null, doctor: { id_users: user.id } } } });
    or.push({ threads: { some: { deleted_at: null, id_user_to: user.id } } });
  }
  return { OR: or };
}

/** Which patients a caller may CHANGE (profile, allergies, picture): staff, or the managing customer. */
export function patientWriteScope(user: AuthUser | undefined): Where | undefined {
  if (!user) return { id: -1 };
  if (isStaff(user)) return undefined;
  return user.roles.includes('CUSTOMER') ? { id_users: user.id } : { id: -1 };
}

/** A live patient the caller may read (scope = read) or change (scope = write); 404 otherwise. */
export async function findPatient(db: Db, user: AuthUser | undefined, id: number, mode: 'read' | 'write') {
  const scope = mode === 'read' ? patientReadScope(user) : patientWriteScope(user);
  const p = await db.patient.findFirst({ where: { id, deleted_at: null, ...(scope ? { AND: [scope] } : {}) } });
  if (!p) throw notFound(`Patient ${id} not found`);
  return p;
}

/** Medical records: staff write all, doctors write for the patients they may read; customers only read. */
export const mayWriteRecords = (user: AuthUser | undefined) => !!user && (isStaff(user) || user.roles.includes('DOCTOR'));
