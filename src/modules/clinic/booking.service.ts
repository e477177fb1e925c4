import type { AppContext } from '../../app-context.js';
import { sqlRows, type BeforeCommit, type Prisma, type Tx, type Db } from '../../db/client.js';
import { cachedRead, type Caller, type ReadCacheSpec } from '../../http/resource.js';
import { isStaff } from '../../http/auth-user.js';
import { conflict, forbidden, notFound, unprocessable } from '../../http/errors.js';
import { clinicDay, clinicDayStart, formatDate } from '../../lib/dates.js';
import { emit } from '../../lib/events.js';
import { lockPatient } from '../patients/access.js';
import { holdLiveUser } from '../identity/account-holds.js';
import { DAYS_EN, DAYS_ID, doctorScheduleListJSON, hhmm } from './serializers.js';

/**
 * Every appointment rule lives here (Cal.com-style: one place decides what is bookable):
 * booking, rescheduling, state changes and the availability list all use the same checks.
 *
 * Database guarantees behind the checks:
 * - the unique keys (id_doctor_schedules, tanggal, active_slot) and (id_doctors, tanggal, jam, active_slot)
 *   let only one active booking hold a slot (active_slot = NULL once cancelled or deleted);
 * - partial overlaps between slots of different lengths are checked while the doctor's row is locked
 *   (`SELECT ... FOR UPDATE`), so two bookings of one doctor are decided one after the other (and
 *   overlaps of one patient with any doctor under the patient's row lock, taken before); the slot
 *   (its time, the doctor, the holidays) is checked again under that lock, and changes that upcoming
 *   bookings rely on (a slot's time, deleting a slot or doctor, a holiday) take the same lock before
 *   they count those bookings (refuseIfBooked), so either the booking or the change comes first;
 * - state changes are conditional updates on the current status (count 0 = wrong state → 409);
 * - a booking holds its patient's row and its account's (FOR SHARE, after the patient's), which the
 *   deletion of either locks before it cancels their coming appointments (cancelUpcoming), so no live
 *   booking is left to a deleted patient or account.
 */

export const ACTIVE_STATUSES = ['BOOKING', 'RESCHEDULE', 'ARRIVED', 'DONE'] as const;
export const UPCOMING_STATUSES = ['BOOKING', 'RESCHEDULE', 'ARRIVED'] as const;
const CHANGEABLE = ['BOOKING', 'RESCHEDULE'];
// Waiting for the doctor lock behind other bookings may take a moment under load.
const TX_OPTIONS = { maxWait: 15_000, timeout: 15_000 };

const minutesOf = (t: Date) => t.getUTCHours() * 60 + t.getUTCMinutes();
const timeOf = (minutes: number) => new Date(Date.UTC(1970, 0, 1, 0, minutes));
/** the instant an appointment on a clinic day at a time of day starts */
const startInstant = (tanggal: Date, jam: Date) => new Date(clinicDayStart(tanggal).getTime() + minutesOf(jam) * 60_000);
export const dayName = (tanggal: Date) => DAYS_ID[tanggal.getUTCDay()]!;

/** slot length in minutes: the service's duration plus the doctor's extra minutes (a default when 0) */
export function slotMinutes(app: AppContext, serviceMinutes: number, doctorBuffer: number) {
  const m = serviceMinutes + doctorBuffer;
  return m > 0 ? m : app.config.BOOKING_DEFAULT_SLOT_MINUTES;
}
export const MIDNIGHT = 'a slot must end by midnight';
/**
 * When a slot starting at `jam` ends; null when it would not end by midnight (by 23:59: times of day
 * are Dates on 1970-01-01, so 24:00 cannot be stored). Such a slot is not created, listed or booked
 * (422 where asked for), never shortened.
 */
export function slotEnd(app: AppContext, jam: Date, serviceMinutes: number, doctorBuffer: number) {
  const end = minutesOf(jam) + slotMinutes(app, serviceMinutes, doctorBuffer);
  return end < 24 * 60 ? timeOf(end) : null;
}
/** a slot's end, or 422 when it would not end by midnight */
function endOf(app: AppContext, slot: Slot) {
  const end = slotEnd(app, slot.jam, slot.service.buffer_time, slot.doctorService.doctor_buffer_time);
  if (!end) throw unprocessable(MIDNIGHT, [{ field: 'id_doctor_schedules', message: MIDNIGHT }]);
  return end;
}

/**
 * The first instant (ms) at which a start can no longer be booked by the caller: customers need
 * BOOKING_MIN_NOTICE_MINUTES (a start exactly that far ahead is still bookable), staff a start after
 * now. Booking refuses from then on, and availability leaves the slot out from then on.
 */
function bookableUntil(app: AppContext, c: Caller, start: number) {
  const notice = isStaff(c.user) ? 0 : app.config.BOOKING_MIN_NOTICE_MINUTES * 60_000;
  return notice ? start - notice + 1 : start;
}

const slotInclude = { doctor: true, service: true, doctorService: true } as const;
type Slot = NonNullable<Awaited<ReturnType<typeof loadSlot>>>;

function loadSlot(db: Db, id: number) {
  return db.doctorSchedule.findFirst({ where: { id, deleted_at: null }, include: slotInclude });
}

export interface SlotRequest {
  id_doctor_schedules: number;
  tanggal: Date;
  id_doctors?: number;
  id_services?: number;
  hari?: string;
  jam?: Date;
}

/** The rules that do not depend on other bookings; throws 404/422. */
async function checkSlot(app: AppContext, db: Db, c: Caller, req: SlotRequest): Promise<Slot> {
  const slot = await loadSlot(db, req.id_doctor_schedules);
  if (!slot) throw notFound(`doctor_schedules ${req.id_doctor_schedules} not found`);
  const field = (f: string, m: string) => unprocessable(m, [{ field: f, message: m }]);
  if (req.id_doctors && req.id_doctors !== slot.id_doctors) throw field('id_doctors', 'the slot belongs to another doctor');
  if (req.id_services && req.id_services !== slot.id_services) throw field('id_services', 'the slot is for another service');
  if (req.hari && req.hari !== slot.hari) throw field('hari', `the slot is on ${slot.hari}`);
  if (req.jam && minutesOf(req.jam) !== minutesOf(slot.jam)) throw field('jam', `the slot starts at ${hhmm(slot.jam)}`);
  if (dayName(req.tanggal) !== slot.hari) throw field('tanggal', `${formatDate(req.tanggal)} is a ${dayName(req.tanggal)}, the slot is on ${slot.hari}`);
  if (slot.is_active !== 1) throw field('id_doctor_schedules', 'the slot is not active');
  if (slot.doctor.deleted_at || slot.doctor.is_active !== 1) throw field('id_doctors', 'the doctor is not available');
  if (slot.service.deleted_at || slot.service.is_available !== 1) throw field('id_services', 'the service is not available');
  const now = app.now();
  const start = startInstant(req.tanggal, slot.jam);
  if (start.getTime() <= now.getTime()) throw field('tanggal', 'the appointment time is in the past');
  if (now.getTime() >= bookableUntil(app, c, start.getTime())) {
    throw field('tanggal', `appointments must be booked at least ${app.config.BOOKING_MIN_NOTICE_MINUTES} minutes ahead`);
  }
  // customers book the days availability shows them; staff may plan further ahead
  const days = app.config.BOOKING_AVAILABILITY_DAYS;
  const lastDay = new Date(clinicDay(now).getTime() + (days - 1) * 86_400_000);
  if (!isStaff(c.user) && req.tanggal > lastDay) {
    throw field('tanggal', `appointments can be booked at most ${days} days ahead (until ${formatDate(lastDay)})`);
  }
  const holiday = await db.holiday.findUnique({ where: { dates: req.tanggal } });
  if (holiday) throw field('tanggal', `the clinic is closed on ${formatDate(req.tanggal)}${holiday.descriptions ? ` (${holiday.descriptions})` : ''}`);
  return slot;
}

/** The booking path's lock: one doctor's row (every doctor's, in id order, when null). */
export async function lockDoctor(tx: Db, id_doctors: number | null) {
  if (id_doctors) await tx.$queryRaw`SELECT id FROM doctors WHERE id = ${id_doctors} FOR UPDATE`;
  else await tx.$queryRaw`SELECT id FROM doctors ORDER BY id FOR UPDATE`;
}

/**
 * Locks the doctor's row, checks the slot again under the lock (it may have changed since `checked`
 * was read), then refuses a time that overlaps another active booking of that doctor or of the
 * patient (with any doctor). The caller holds the patient's row lock (lockPatient, taken before the
 * doctor's), so two bookings of one patient are decided one after the other too.
 */
async function lockAndCheck(app: AppContext, c: Caller, tx: Tx, req: SlotRequest, checked: Slot, patient: { id: number; id_users: number | null }, id_users: number, excludeId?: number) {
  await lockDoctor(tx, checked.id_doctors);
  const slot = await checkSlot(app, tx, c, req);
  if (slot.id_doctors !== checked.id_doctors) throw conflict('The slot changed meanwhile; reload and try again');
  // under the doctor's lock: a profile given to the account meanwhile (doctors/:id/update) is seen
  if (slot.doctor.id_users === id_users || slot.doctor.id_users === patient.id_users) throw bookingOneself();
  const id_patients = patient.id;
  const jam_selesai = endOf(app, slot);
  const overlapping = {
    tanggal: req.tanggal,
    active_slot: 1,
    id: excludeId ? { not: excludeId } : undefined,
    jam: { lt: jam_selesai },
    jam_selesai: { gt: slot.jam },
  };
  const clash = await tx.userSchedule.findFirst({ where: { ...overlapping, id_doctors: slot.id_doctors }, select: { id: true, id_doctor_schedules: true } });
  if (clash) {
    throw conflict(clash.id_doctor_schedules === slot.id ? 'This slot is already booked on that date' : 'The doctor has another appointment at that time');
  }
  if (await tx.userSchedule.findFirst({ where: { ...overlapping, id_patients }, select: { id: true } })) {
    throw conflict('The patient has another appointment at that time');
  }
  return { slot, jam_selesai };
}

/**
 * Refuses (409) a change that active upcoming bookings (BOOKING/RESCHEDULE/ARRIVED from today on)
 * matching `where` rely on: they must be rescheduled or cancelled first. Takes the booking path's
 * lock first (the doctor's row; every doctor's when `id_doctors` is null), in the change's transaction.
 */
export async function refuseIfBooked(app: AppContext, tx: Db, id_doctors: number | null, where: Prisma.UserScheduleWhereInput, what: string) {
  await lockDoctor(tx, id_doctors);
  const n = await tx.userSchedule.count({
    where: { AND: [where, { deleted_at: null, active_slot: 1, status: { in: [...UPCOMING_STATUSES] }, tanggal: { gte: clinicDay(app.now()) } }] },
  });
  if (n) throw conflict(`${what} has ${n} active booking${n === 1 ? '' : 's'} from today on; reschedule or cancel ${n === 1 ? 'it' : 'them'} first`);
}

/**
 * A doctor is not booked with themselves: the slot's doctor profile may not belong to the account the
 * appointment is in the name of, nor to the one managing its patient (a doctor's own family), as a
 * consultation order refuses the customer's own doctor profile. The doctor would be both sides of it,
 * told of it and checking it in as its doctor, and writing the records of their own patient.
 */
function bookingOneself() {
  return unprocessable('A doctor cannot book an appointment with themselves: choose another doctor', [
    { field: 'id_doctors', message: 'the doctor profile of the account the appointment is for' },
  ]);
}

/**
 * A doctor profile handed to another account (doctors/:id/update with id_users) keeps its visits;
 * those from today on in that account's name, or of a patient it manages, would leave the doctor
 * booked with themselves (bookingOneself): 409 naming them, to cancel or move first. Under the
 * booking path's lock (the doctor's row), which a booking takes before checking the same; a patient
 * moved into that account at the same moment (handUpcomingTo holds the visits' doctors) is seen, or
 * sees the profile's new account and is refused.
 */
export async function refuseProfileBookedBy(app: AppContext, tx: Db, id_doctors: number, id_users: number) {
  await lockDoctor(tx, id_doctors);
  const own = await tx.userSchedule.findMany({
    where: { id_doctors, deleted_at: null, status: { in: [...UPCOMING_STATUSES] }, tanggal: { gte: clinicDay(app.now()) }, OR: [{ id_users }, { patient: { id_users } }] },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  if (own.length) {
    const n = own.length;
    throw conflict(
      `User ${id_users} has ${n} appointment${n === 1 ? '' : 's'} from today on with this doctor, for themselves or a patient they manage (user_schedules ${own.map((a) => a.id).join(', ')}), ` +
        `and a doctor is not booked with their own account: cancel ${n === 1 ? 'it' : 'them'} or move ${n === 1 ? 'it' : 'them'} to another doctor first`,
    );
  }
}

/** The unique keys over active bookings are the last word: a violation means someone else got the slot. */
async function slotTransaction<T>(app: AppContext, run: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await app.db.$transaction(run, TX_OPTIONS);
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') throw conflict('This slot is already booked on that date');
    throw err;
  }
}

function priceOf(slot: Slot) {
  return slot.custom_price || slot.doctorService.custom_price || slot.service.services_price;
}

export interface BookInput extends SlotRequest {
  id_patients: number;
  id_users?: number;
}

/**
 * Books a slot on a date for a patient; returns the new appointment's id. The patient is decided
 * under its row lock, in the booking's transaction: staff moving it to another account
 * (users/patients/link, unlink) meanwhile either commits first and is seen here, or waits for the booking.
 * `beforeCommit` runs last in that transaction, given the new id.
 */
export async function book(app: AppContext, c: Caller, input: BookInput, beforeCommit?: (tx: Tx, id: number) => Promise<void>): Promise<number> {
  const staff = isStaff(c.user);
  const checked = await checkSlot(app, app.db, c, input);
  return slotTransaction(app, async (tx) => {
    await lockPatient(tx, input.id_patients);
    // A customer (or doctor) books only for their own patients; someone else's patient is "not found".
    const patient = await tx.patient.findFirst({
      where: { id: input.id_patients, deleted_at: null, ...(staff ? {} : { id_users: c.user!.id }) },
    });
    if (!patient) throw notFound(`patients ${input.id_patients} not found`);
    let id_users = staff ? (input.id_users ?? patient.id_users ?? c.user!.id) : c.user!.id;
    // the account held: its deletion (which cancels its coming appointments) is seen here or waits and cancels this one
    if (!(await holdLiveUser(tx, id_users))) {
      // Staff booking for a patient whose account was deleted: in the staff member's name, as for a
      // patient without an account (a deleted account is told nothing and gets no reminders).
      if (!staff || input.id_users || !(await holdLiveUser(tx, c.user!.id))) throw notFound(`users ${id_users} not found`);
      id_users = c.user!.id;
    }
    const { slot, jam_selesai } = await lockAndCheck(app, c, tx, input, checked, patient, id_users);
    const row = await tx.userSchedule.create({
      data: {
        id_doctors: slot.id_doctors,
        id_services: slot.id_services,
        id_doctor_schedules: slot.id,
        id_users,
        id_patients: patient.id,
        custom_price: priceOf(slot),
        hari: slot.hari,
        tanggal: input.tanggal,
        jam: slot.jam,
        jam_selesai,
        status: 'BOOKING',
        active_slot: 1,
      },
    });
    await emit(app, 'appointment.booked', { appointmentId: row.id }, tx);
    await beforeCommit?.(tx, row.id);
    return row.id;
  });
}

/** Rows of user_schedules the caller may see: staff all, a doctor theirs and their own, others their own. */
export function appointmentScope(c: Caller) {
  if (isStaff(c.user)) return undefined;
  const own = { id_users: c.user!.id };
  if (c.user!.roles.includes('DOCTOR')) return { OR: [own, { doctor: { id_users: c.user!.id } }] };
  return own;
}

async function loadAppointment(app: AppContext, c: Caller, id: number) {
  const row = await app.db.userSchedule.findFirst({ where: { id, deleted_at: null, ...(appointmentScope(c) ?? {}) } });
  if (!row) throw notFound(`user_schedules ${id} not found`);
  return row;
}

/** Customers may not change an appointment shortly before it starts (staff and the doctor still can). */
function checkCutoff(app: AppContext, c: Caller, row: { tanggal: Date; jam: Date; id_users: number }, what: string) {
  if (isStaff(c.user) || c.user!.id !== row.id_users || c.user!.roles.includes('DOCTOR')) return;
  const limit = startInstant(row.tanggal, row.jam).getTime() - app.config.BOOKING_CHANGE_CUTOFF_MINUTES * 60_000;
  if (app.now().getTime() > limit) {
    throw unprocessable(`Appointments can no longer be ${what} less than ${app.config.BOOKING_CHANGE_CUTOFF_MINUTES} minutes before they start`);
  }
}

/**
 * arrived/done: staff, or the appointment's doctor. A doctor who booked for their own patient sees
 * that booking (appointmentScope) but does not change its clinical state: 404 like any other row.
 */
async function loadAsClinician(app: AppContext, c: Caller, id: number) {
  const row = await app.db.userSchedule.findFirst({
    where: { id, deleted_at: null, ...(isStaff(c.user) ? {} : { doctor: { id_users: c.user!.id } }) },
  });
  if (!row) throw notFound(`user_schedules ${id} not found`);
  return row;
}

const wrongState = (status: string, action: string) => conflict(`An appointment in status ${status} cannot be ${action}`);

/**
 * Who may move an appointment to `slot`. The move decides which doctor holds it, and that doctor reads
 * the patient's record (patientReadScope): staff; the customer who booked it while they still manage
 * the live patient (as booking asks; decided under the patient's row lock, held by the caller); else
 * the appointment's doctor, among their own slots only (404 for anyone else, as for a new booking).
 */
async function assertMayMove(tx: Tx, c: Caller, row: { id_users: number; id_patients: number; id_doctors: number }, slot: Slot) {
  if (isStaff(c.user)) return;
  const me = c.user!.id;
  if (row.id_users === me && (await tx.patient.count({ where: { id: row.id_patients, id_users: me, deleted_at: null } }))) return;
  const doctor = await tx.doctor.findUnique({ where: { id: row.id_doctors }, select: { id_users: true } });
  if (doctor?.id_users !== me) throw notFound(`patients ${row.id_patients} not found`);
  if (slot.id_doctors !== row.id_doctors) {
    throw forbidden("A doctor moves an appointment to another of their own slots only; staff or the patient's customer choose another doctor");
  }
}

/** Moves an appointment to another free slot/date (reschedule and update). `beforeCommit`: runs last in its transaction. */
export async function reschedule(app: AppContext, c: Caller, id: number, input: SlotRequest, beforeCommit?: BeforeCommit): Promise<void> {
  const row = await loadAppointment(app, c, id);
  if (!CHANGEABLE.includes(row.status)) throw wrongState(row.status, 'rescheduled');
  checkCutoff(app, c, row, 'rescheduled');
  const max = app.config.BOOKING_MAX_RESCHEDULES;
  if (row.reschedule_counts >= max) throw unprocessable(`An appointment can be rescheduled at most ${max} times`);
  // Already there (a retry of a reschedule whose answer was lost): not moved again, which would use
  // up one of its reschedules and tell everyone of a move that moves nothing.
  if (row.id_doctor_schedules === input.id_doctor_schedules && row.tanggal.getTime() === input.tanggal.getTime()) {
    throw conflict('The appointment is already on this slot and date');
  }
  const checked = await checkSlot(app, app.db, c, input);
  await slotTransaction(app, async (tx) => {
    // the patient's lock first, as booking takes it (then the doctor's)
    await lockPatient(tx, row.id_patients);
    // A deletion cancels only the coming appointments: one whose time had passed stays as history and
    // is not moved to a coming date for a deleted patient (booking refuses one too)
    const patient = await tx.patient.findFirst({ where: { id: row.id_patients, deleted_at: null }, select: { id: true, id_users: true } });
    if (!patient) throw notFound(`patients ${row.id_patients} not found`);
    await assertMayMove(tx, c, row, checked);
    const { slot, jam_selesai } = await lockAndCheck(app, c, tx, input, checked, patient, row.id_users, id);
    // Conditional on the state read above: a concurrent cancel or reschedule makes this count 0
    // (the doctor too: the one it leaves is told, so it must be the one read). The count as read, not
    // just under the limit: the same reschedule sent twice at once (a double tap) would otherwise move
    // it twice, using up two of its reschedules and telling everyone twice.
    const { count } = await tx.userSchedule.updateMany({
      where: { id, deleted_at: null, status: { in: CHANGEABLE }, reschedule_counts: row.reschedule_counts, id_doctors: row.id_doctors },
      data: {
        id_doctors: slot.id_doctors,
        id_services: slot.id_services,
        id_doctor_schedules: slot.id,
        custom_price: priceOf(slot),
        hari: slot.hari,
        tanggal: input.tanggal,
        jam: slot.jam,
        jam_selesai,
        status: 'RESCHEDULE',
        reschedule_counts: { increment: 1 },
      },
    });
    if (count === 0) throw conflict('The appointment changed meanwhile; reload and try again');
    // nor in the name of a deleted account: held as booking holds it, after the appointment's row (the
    // order an account's deletion takes them in: its coming appointments, then its row), so a deletion
    // at the same moment comes first and is seen here, or waits and then cancels the moved appointment
    if (!(await holdLiveUser(tx, row.id_users))) throw notFound(`users ${row.id_users} not found`);
    await emit(app, 'appointment.rescheduled', { appointmentId: id, previousDoctorId: row.id_doctors }, tx);
    await beforeCommit?.(tx);
  });
}

/**
 * Cancels one appointment if it is still BOOKING/RESCHEDULE (a conditional update: a concurrent
 * move waits for it or is refused, a concurrent arrival or cancel makes it a no-op) and tells its
 * customer and doctor. False when it was no longer changeable.
 */
async function markCancelled(app: AppContext, tx: Tx, id: number, reason: string): Promise<boolean> {
  const { count } = await tx.userSchedule.updateMany({
    where: { id, deleted_at: null, status: { in: CHANGEABLE } },
    // active_slot NULL frees the slot for others (see the unique keys)
    data: { status: 'CANCEL', active_slot: null, cancel_reason: reason, cancel_datetime: app.now() },
  });
  if (count) await emit(app, 'appointment.cancelled', { appointmentId: id }, tx);
  return count > 0;
}

/** `beforeCommit`: runs last in the cancellation's transaction (as for the other changes here). */
export async function cancel(app: AppContext, c: Caller, id: number, reason: string, beforeCommit?: BeforeCommit): Promise<void> {
  const row = await loadAppointment(app, c, id);
  if (!CHANGEABLE.includes(row.status)) throw wrongState(row.status, 'cancelled');
  checkCutoff(app, c, row, 'cancelled');
  await app.db.$transaction(async (tx) => {
    if (!(await markCancelled(app, tx, id, reason))) throw conflict('The appointment changed meanwhile; reload and try again');
    await beforeCommit?.(tx);
  });
}

/**
 * Locks (FOR UPDATE, in id order) the BOOKING/RESCHEDULE appointments matching `where` from today
 * on; returns their ids. A change that also locks a row the appointments refer to (an account's
 * deletion, its user row) takes these first: a cancel, reschedule or reminder locks the appointment,
 * then refers to its account (the notification), so the other order could wait in a circle.
 */
export async function lockUpcoming(app: AppContext, tx: Tx, where: Prisma.UserScheduleWhereInput): Promise<number[]> {
  const rows = await tx.userSchedule.findMany({
    where: { AND: [where, { deleted_at: null, status: { in: CHANGEABLE }, tanggal: { gte: clinicDay(app.now()) } }] },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  const ids = rows.map((r) => r.id);
  if (ids.length) await tx.$queryRaw`SELECT id FROM user_schedules WHERE id = ANY(${ids}::int[]) ORDER BY id FOR UPDATE`;
  return ids;
}

/**
 * A patient staff move to another account (users/patients/link) takes its coming appointments along
 * (BOOKING/RESCHEDULE not started yet): they are put in the new manager's name, who from then on
 * sees them, is reminded of them and may move or cancel them. The account that booked them no
 * longer manages the patient: it could not change them (404) and would only go on being reminded
 * of another family's visits. Past appointments stay in the booker's name, as history. The new
 * manager is told of each moved one, and so is the account it leaves (appointment.handed_over). The
 * caller holds the patient's row (locked before the appointments, as booking and reschedule take them).
 */
export async function handUpcomingTo(app: AppContext, tx: Tx, id_patients: number, id_users: number): Promise<number> {
  const now = app.now();
  const ids = await lockUpcoming(app, tx, { id_patients, id_users: { not: id_users } });
  // their doctors held before the profiles' accounts are read below: a profile handed to the new
  // manager at the same moment (doctors/:id/update locks the doctor's row first) is seen here, or
  // waits for this move and then sees these visits (refuseProfileBookedBy)
  if (ids.length) {
    await tx.$queryRaw`SELECT id FROM doctors WHERE id IN (SELECT id_doctors FROM user_schedules WHERE id = ANY(${ids}::int[])) ORDER BY id FOR SHARE`;
  }
  const rows = await tx.userSchedule.findMany({
    where: { id: { in: ids } },
    select: { id: true, id_users: true, tanggal: true, jam: true, doctor: { select: { id_users: true } } },
    orderBy: { id: 'asc' },
  });
  const coming = rows.filter((r) => startInstant(r.tanggal, r.jam) > now);
  // The new manager would be booked with themselves (bookingOneself): refused, the caller's whole
  // change undone. Decided under the patient's row lock, which a booking or a reschedule onto that
  // doctor takes first (and then sees the new manager and is refused as booking oneself).
  const own = coming.filter((r) => r.doctor.id_users === id_users).map((r) => r.id);
  if (own.length) {
    throw conflict(
      `The patient has ${own.length} coming appointment${own.length === 1 ? '' : 's'} with the doctor profile of user ${id_users} (user_schedules ${own.join(', ')}), ` +
        `and a doctor is not booked with a patient of their own account: cancel ${own.length === 1 ? 'it' : 'them'} or move ${own.length === 1 ? 'it' : 'them'} to another doctor first`,
    );
  }
  if (coming.length) {
    await tx.userSchedule.updateMany({ where: { id: { in: coming.map((r) => r.id) } }, data: { id_users } });
    // told once per move: a repeat finds them in the new manager's name already and moves nothing
    await emit(app, 'appointment.handed_over', { moved: coming.map((r) => ({ appointmentId: r.id, previousUserId: r.id_users })) }, tx);
  }
  return coming.length;
}

/**
 * Cancels, in the caller's transaction, the BOOKING/RESCHEDULE appointments matching `where` that
 * have not started yet (past ones stay as they are: history), each as `cancel` does (reason stored,
 * slot freed, customer and doctor told). `c` is who asks: a customer's cancel keeps the cutoff
 * (422), as `cancel` does. The caller holds the lock that keeps new matching bookings out (the
 * patient's row, or the account's: see `book`). Returns how many were cancelled.
 */
export async function cancelUpcoming(app: AppContext, tx: Tx, c: Caller, where: Prisma.UserScheduleWhereInput, reason: string): Promise<number> {
  const now = app.now();
  const ids = await lockUpcoming(app, tx, where);
  const rows = await tx.userSchedule.findMany({ where: { id: { in: ids } }, select: { id: true, tanggal: true, jam: true, id_users: true }, orderBy: { id: 'asc' } });
  let n = 0;
  for (const row of rows) {
    if (startInstant(row.tanggal, row.jam) <= now) continue;
    checkCutoff(app, c, row, 'cancelled');
    if (await markCancelled(app, tx, row.id, reason)) n += 1;
  }
  return n;
}

/**
 * The patient is at the clinic: only from the appointment's day on (Asia/Jakarta), never ahead of it
 * (an early ARRIVED would lock the appointment against cancel/reschedule and count it as served).
 * The day is part of the conditional update, so a reschedule to a later day meanwhile is refused too.
 */
export async function arrived(app: AppContext, c: Caller, id: number, beforeCommit?: BeforeCommit): Promise<void> {
  await loadAsClinician(app, c, id);
  const now = app.now();
  const today = clinicDay(now);
  const moved = await app.db.$transaction(async (tx) => {
    const { count } = await tx.userSchedule.updateMany({
      where: { id, deleted_at: null, status: { in: CHANGEABLE }, tanggal: { lte: today } },
      data: { status: 'ARRIVED', arrived_datetime: now },
    });
    if (count > 0) await beforeCommit?.(tx);
    return count > 0;
  });
  if (moved) return;
  const row = await loadAsClinician(app, c, id);
  if (!CHANGEABLE.includes(row.status)) throw wrongState(row.status, 'marked as arrived');
  throw unprocessable(`The appointment is on ${formatDate(row.tanggal)}; it can be marked as arrived from that day on`, [
    { field: 'tanggal', message: 'the appointment is on a later day' },
  ]);
}

export async function done(app: AppContext, c: Caller, id: number, invoice: string, beforeCommit?: BeforeCommit): Promise<void> {
  const row = await loadAsClinician(app, c, id);
  await app.db.$transaction(async (tx) => {
    const { count } = await tx.userSchedule.updateMany({
      where: { id, deleted_at: null, status: 'ARRIVED' },
      data: { status: 'DONE', done_datetime: app.now(), digisoft_invoice_numbers: invoice },
    });
    if (count === 0) {
      // the status as it is now (a concurrent `done` made it DONE since it was read)
      const now = await tx.userSchedule.findUnique({ where: { id }, select: { status: true } });
      throw wrongState(now?.status ?? row.status, 'marked as done');
    }
    await beforeCommit?.(tx);
  });
}

/**
 * Soft delete (staff): hides the row and frees its slot. Its customer and doctor are told of a
 * cancellation when the delete is what ends a booked appointment: decided on the row as it is under
 * its lock (a cancel or an arrival committed since it was read was told already, or is none).
 */
export async function remove(app: AppContext, c: Caller, id: number, beforeCommit?: BeforeCommit): Promise<void> {
  await loadAppointment(app, c, id);
  await app.db.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ status: string; active_slot: number | null }[]>`
      SELECT status, active_slot FROM user_schedules WHERE id = ${id} AND deleted_at IS NULL FOR UPDATE`;
    if (!row) throw notFound(`user_schedules ${id} not found`);
    await tx.userSchedule.update({ where: { id }, data: { deleted_at: app.now(), active_slot: null } });
    if (row.active_slot === 1 && CHANGEABLE.includes(row.status)) await emit(app, 'appointment.cancelled', { appointmentId: id }, tx);
    await beforeCommit?.(tx);
  });
}

/** a bookable slot as availability's statement returns it */
interface SlotRow {
  id: number;
  id_doctors: number;
  id_doctor_services: number;
  id_services: number;
  custom_price: number;
  hari: string;
  jam: string;
  jam_selesai: string;
  is_active: number;
  doctor_buffer_time: number;
  buffer_time: number;
  services_name: string;
  service_categories: string | null;
  users_fullname: string;
}

/**
 * Availability is asked for with every calendar view, and kept by the read cache (db/read-cache.ts)
 * until one of the tables it reads changes (a booking, a schedule, a holiday, a name), or until its
 * first free slot stops being bookable or the clinic's day ends. Staff may book without notice.
 */
const AVAILABILITY_READS: ReadCacheSpec = {
  // users: an update tells of its change only if it sets users_fullname or id, the columns read
  // here (migration 20261206170000_users_change_notify_names_only): read another, and add it there
  tables: ['doctors', 'doctor_schedules', 'doctor_services', 'services', 'service_categories', 'users', 'holidays', 'user_schedules'],
  variant: (c) => (isStaff(c.user) ? 'staff' : ''),
};

/**
 * The coming days with each day's free slots of a doctor (optionally one service): holidays, past
 * times (and the minimum notice), inactive slots and times overlapping an active booking are left out.
 * Days without a free slot are omitted. One statement whatever the range.
 */
export function availability(app: AppContext, c: Caller, id_doctors: number, id_services?: number) {
  return cachedRead(c, AVAILABILITY_READS, 'availability', [id_doctors, id_services], () => computeAvailability(app, c, id_doctors, id_services));
}

async function computeAvailability(app: AppContext, c: Caller, id_doctors: number, id_services?: number) {
  const days = app.config.BOOKING_AVAILABILITY_DAYS;
  const today = clinicDay(app.now());
  const dates = Array.from({ length: days }, (_, i) => new Date(today.getTime() + i * 86_400_000));
  const last = dates[dates.length - 1]!;
  // One plain, prepared statement (sqlRows) for the doctor check, the bookable slots with the
  // names the answer shows, the holidays and the bookings: a public page asks for this on every
  // calendar view, and five Prisma calls mapping nested relations cost several ms of Node CPU.
  // The slots follow the schedule list's rules (live, active slots of a live, available service),
  // ordered by time; dates and times come back as text (yyyy-mm-dd, HH:MM:SS), so pg and PGlite
  // answer alike.
  const [row] = await sqlRows<{ doctor: boolean; slots: string; holidays: string[]; bookings: string }>(
    app.db,
    `SELECT EXISTS (SELECT 1 FROM doctors WHERE id = $1 AND deleted_at IS NULL AND is_active = 1) AS doctor,
            (SELECT coalesce(json_agg(x ORDER BY x.jam, x.id), '[]')::text FROM (
               SELECT ds.id, ds.id_doctors, ds.id_doctor_services, ds.id_services, ds.custom_price, ds.hari,
                      ds.jam::text AS jam, ds.jam_selesai::text AS jam_selesai, ds.is_active,
                      dsv.doctor_buffer_time, s.buffer_time, s.services_name, c.service_categories, u.users_fullname
               FROM doctor_schedules ds
               JOIN services s ON s.id = ds.id_services
               JOIN doctor_services dsv ON dsv.id = ds.id_doctor_services
               JOIN doctors d ON d.id = ds.id_doctors
               JOIN users u ON u.id = d.id_users
               LEFT JOIN service_categories c ON c.id = s.id_service_categories AND c.deleted_at IS NULL
               WHERE ds.id_doctors = $1 AND ds.deleted_at IS NULL AND ds.is_active = 1
                 AND ($4::int IS NULL OR ds.id_services = $4) AND s.deleted_at IS NULL AND s.is_available = 1
             ) x) AS slots,
            ARRAY(SELECT dates::text FROM holidays WHERE dates BETWEEN $2::date AND $3::date) AS holidays,
            (SELECT coalesce(json_agg(json_build_array(tanggal::text, floor(extract(epoch FROM jam) / 60)::int, floor(extract(epoch FROM jam_selesai) / 60)::int)), '[]')::text
             FROM user_schedules WHERE id_doctors = $1 AND active_slot = 1 AND tanggal BETWEEN $2::date AND $3::date) AS bookings`,
    [id_doctors, formatDate(today), formatDate(last), id_services ?? null],
    { prepared: true },
  );
  if (!row?.doctor) throw notFound(`doctors ${id_doctors} not found`);
  const time = (t: string) => new Date(`1970-01-01T${t}Z`);
  // Each slot once: its times in minutes and its entry of the answer, the same on every date it
  // falls on (a page asks for this often; building it per date cost most of the call's CPU).
  const slots = (JSON.parse(row.slots) as SlotRow[]).flatMap((x) => {
    const jam = time(x.jam);
    const end = slotEnd(app, jam, x.buffer_time, x.doctor_buffer_time);
    if (!end) return [];
    const listed = doctorScheduleListJSON({
      id: x.id,
      id_doctors: x.id_doctors,
      id_doctor_services: x.id_doctor_services,
      id_services: x.id_services,
      custom_price: x.custom_price,
      hari: x.hari,
      jam,
      jam_selesai: time(x.jam_selesai),
      is_active: x.is_active,
      // the nested shape doctorScheduleListJSON reads
      doctorService: { doctor_buffer_time: x.doctor_buffer_time },
      service: { services_name: x.services_name, category: x.service_categories == null ? null : { service_categories: x.service_categories } },
      doctor: { user: { users_fullname: x.users_fullname } },
    });
    return [{ hari: x.hari, jam, from: minutesOf(jam), to: minutesOf(end), entry: { ...listed, jam_mulai: hhmm(jam), jam_selesai: hhmm(end) } }];
  });
  const closed = new Set(row.holidays);
  const now = app.now().getTime();
  // the answer holds until the next clinic day starts, or until a free slot stops being bookable
  let validUntil = clinicDayStart(today).getTime() + 86_400_000;
  const schedule_array = dates.map((d) => formatDate(d)!);
  // the bookings' [from, to) in minutes of the day, grouped by day (yyyy-mm-dd)
  const takenByDay = new Map<string, [number, number][]>();
  for (const [tanggal, from, to] of JSON.parse(row.bookings) as [string, number, number][]) {
    const list = takenByDay.get(tanggal);
    if (list) list.push([from, to]);
    else takenByDay.set(tanggal, [[from, to]]);
  }
  const result = [];
  for (const d of dates) {
    const key = formatDate(d)!;
    if (closed.has(key)) continue;
    const day = dayName(d);
    const taken = takenByDay.get(key) ?? [];
    const free = slots.filter((s) => {
      if (s.hari !== day || taken.some(([from, to]) => from < s.to && to > s.from)) return false;
      const until = bookableUntil(app, c, startInstant(d, s.jam).getTime());
      if (now >= until) return false;
      validUntil = Math.min(validUntil, until);
      return true;
    });
    if (!free.length) continue;
    result.push({
      schedule: key,
      schedule_format: `${key.slice(8, 10)}/${key.slice(5, 7)}/${key.slice(0, 4)}`,
      day_id: day,
      day_en: DAYS_EN[d.getUTCDay()],
      doctors: free.map((s) => s.entry),
      schedule_array,
    });
  }
  return { answer: result, validUntil };
}

