import { isStaff, type AuthUser } from '../../http/auth-user.js';
import { notFound } from '../../http/errors.js';
import type { Db, Tx } from '../../db/client.js';

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
  if (user.roles.includes('DOCTOR')) or.push(...doctorsPatients(user.id));
  return { OR: or };
}

/** a doctor's clinical relation to a patient: an appointment with them, or a thread addressed to them */
const doctorsPatients = (userId: number): Where[] => [
  { userSchedules: { some: { deleted_at: null, doctor: { id_users: userId } } } },
  { threads: { some: { deleted_at: null, id_user_to: userId } } },
];

/**
 * Whose medical records a caller may WRITE (create, update, delete, verify, unverify): staff every
 * patient's; a doctor those of their appointments and consultations. Managing a patient (a doctor's
 * own family) is read-only: a doctor does not write or verify their own family's records.
 */
export function recordWriteScope(user: AuthUser | undefined): Where | undefined {
  if (!user) return { id: -1 };
  if (isStaff(user)) return undefined;
  return user.roles.includes('DOCTOR') ? { OR: doctorsPatients(user.id) } : { id: -1 };
}

/** Which patients a caller may CHANGE (profile, allergies, picture): staff, or the managing customer. */
function patientWriteScope(user: AuthUser | undefined): Where | undefined {
  if (!user) return { id: -1 };
  if (isStaff(user)) return undefined;
  return user.roles.includes('CUSTOMER') ? { id_users: user.id } : { id: -1 };
}

/**
 * Locks a patient's row until the transaction ends, so that changes of one patient made from its
 * current state (the allergy list, the picture file) happen one after the other; what is read after
 * the lock is the committed state. Returns the row's picture (null: no such patient).
 */
export async function lockPatient(tx: Tx, id: number) {
  const [row] = await tx.$queryRaw<{ patient_picture: string | null }[]>`SELECT patient_picture FROM patients WHERE id = ${id} FOR UPDATE`;
  return row ?? null;
}

/**
 * Holds a patient's row as it is (FOR SHARE) until the transaction ends: a decision made on its
 * manager or on its being live stays true, as a move to another account or a delete waits. Unlike
 * lockPatient it does not wait for, nor hold up, rows that merely reference the patient (an order's
 * foreign key check takes a key-share lock, which a row lock FOR UPDATE would block).
 */
export async function holdPatient(tx: Tx, id: number) {
  await tx.$queryRaw`SELECT id FROM patients WHERE id = ${id} FOR SHARE`;
}

const SCOPES = { read: patientReadScope, write: patientWriteScope, records: recordWriteScope };

/**
 * A live patient the caller may read, change (write), or write medical records of (records); 404
 * otherwise. For a change the patient's row is locked first (in the caller's transaction), so the
 * manager it is decided on is the committed one and stays so until the change commits: a customer's
 * change racing staff moving the patient to another account (users/patients/link) either comes first
 * or is refused, never written to (and answered with) the new manager's patient.
 */
export async function findPatient(db: Db, user: AuthUser | undefined, id: number, mode: keyof typeof SCOPES) {
  if (mode === 'write') await db.$queryRaw`SELECT id FROM patients WHERE id = ${id} FOR UPDATE`;
  // a medical record written (created, changed, deleted, verified) for a patient deleted at the same
  // moment: the delete comes first and this finds the patient gone (404), or waits for the record
  else if (mode === 'records') {
    await db.$queryRaw`SELECT id FROM patients WHERE id = ${id} FOR SHARE`;
    // a doctor's consultations about the patient held too: an admin handing one to another doctor at
    // the same moment (threads/:id/update, which locks the thread) comes first and the doctor who loses
    // it is refused (404) unless another relation remains, or waits for the record
    if (user && !isStaff(user) && user.roles.includes('DOCTOR')) {
      await db.$queryRaw`SELECT id FROM threads WHERE id_patients = ${id} AND id_user_to = ${user.id} AND deleted_at IS NULL FOR SHARE`;
    }
  }
  const scope = SCOPES[mode](user);
  const p = await db.patient.findFirst({ where: { id, deleted_at: null, ...(scope ? { AND: [scope] } : {}) } });
  if (!p) throw notFound(`Patient ${id} not found`);
  return p;
}
