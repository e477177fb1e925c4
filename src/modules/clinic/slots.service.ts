import type { AppContext } from '../../app-context.js';
import type { BeforeCommit, Db, Prisma, Tx } from '../../db/client.js';
import { notFound } from '../../http/errors.js';
import { lockDoctor, refuseIfBooked, slotEnd, slotMinutes } from './booking.service.js';
import { hhmm } from './serializers.js';

/**
 * Builds a doctor's bookable weekly slots from their practice hours (schedules) and each service's
 * length (services.buffer_time + doctor_services.doctor_buffer_time): back-to-back slots that end
 * within the hours. Inserted with ON CONFLICT DO NOTHING on (id_doctor_services, hari, jam), so
 * running it again creates no duplicates and leaves existing (also deactivated or deleted) slots alone.
 * Returns the slots it created. `beforeCommit` runs last in the transaction inserting them (a staff
 * change's audit entry, RequestContext.auditChange), so that both commit or neither does.
 */
export async function generateSlots(app: AppContext, id_doctors: number, beforeCommit?: BeforeCommit) {
  const doctor = await app.db.doctor.findFirst({
    where: { id: id_doctors, deleted_at: null },
    include: { schedules: true, doctorServices: { include: { service: true }, where: { service: { deleted_at: null } } } },
  });
  if (!doctor) throw notFound(`doctors ${id_doctors} not found`);
  const rows: Prisma.DoctorScheduleCreateManyInput[] = [];
  for (const hours of doctor.schedules) {
    const from = hours.jam.getTime();
    const to = hours.jam_selesai.getTime();
    for (const ds of doctor.doctorServices) {
      // every slot is the service's full length and ends within the hours (which end by 23:59)
      const step = slotMinutes(app, ds.service.buffer_time, ds.doctor_buffer_time) * 60_000;
      for (let t = from; t + step <= to; t += step) {
        rows.push({
          id_doctors: doctor.id,
          id_doctor_services: ds.id,
          id_services: ds.id_services,
          custom_price: ds.custom_price,
          hari: hours.hari,
          jam: new Date(t),
          jam_selesai: new Date(t + step),
        });
      }
    }
  }
  return app.db.$transaction(async (tx) => {
    const created = rows.length ? await tx.doctorSchedule.createManyAndReturn({ data: rows, skipDuplicates: true }) : [];
    await beforeCommit?.(tx);
    return created;
  });
}

/**
 * A slot stores its end (jam_selesai), which every doctor_schedules answer shows; its length is
 * services.buffer_time + doctor_services.doctor_buffer_time, which availability and booking read
 * live. When either changes, the live slots of that service (or doctor service) store their new end
 * in the same transaction, so the answers show the times a booking gets. A slot that would no longer
 * end by midnight keeps its stored end: it is neither listed nor booked (slotEnd), as when created.
 */
export async function refreshSlotEnds(app: AppContext, tx: Tx, where: { id_services: number } | { id_doctor_services: number }) {
  const slots = await tx.doctorSchedule.findMany({
    where: { ...where, deleted_at: null },
    select: { id: true, jam: true, jam_selesai: true, service: { select: { buffer_time: true } }, doctorService: { select: { doctor_buffer_time: true } } },
  });
  // one update per new end (at most one per minute of the day), not per slot
  const byEnd = new Map<number, number[]>();
  for (const s of slots) {
    const end = slotEnd(app, s.jam, s.service.buffer_time, s.doctorService.doctor_buffer_time);
    if (!end || end.getTime() === s.jam_selesai.getTime()) continue;
    byEnd.set(end.getTime(), [...(byEnd.get(end.getTime()) ?? []), s.id]);
  }
  for (const [end, ids] of byEnd) await tx.doctorSchedule.updateMany({ where: { id: { in: ids } }, data: { jam_selesai: new Date(end) } });
}

interface Hours {
  id_doctors: number;
  hari: string;
  jam: Date;
  jam_selesai: Date;
}

/**
 * Practice hours taken away (a `schedules` block deleted, shortened, or moved to another time, weekday
 * or doctor) take their slots with them, so the app stops offering times the doctor no longer
 * practises: the doctor's live slots on that weekday starting within the old block that no longer lie
 * within any of the doctor's blocks that day (`kept`: the block as it is after an update). Refused
 * (409, as deleting the slot is) while such a slot has active bookings from today on, decided under
 * the doctor's lock (taken here, before the hours are read). A slot never booked is removed for good,
 * so `generate` builds it again when hours cover it once more; one with appointment history stays as
 * that history, deactivated (staff `activate` it when the hours come back). Slots outside the old
 * block (also those staff created by hand) are left alone.
 */
export async function dropSlotsOutsideHours(app: AppContext, tx: Db, old: Hours & { id: number }, kept: Hours | null) {
  await lockDoctor(tx, old.id_doctors);
  const others = await tx.schedule.findMany({ where: { id_doctors: old.id_doctors, hari: old.hari, id: { not: old.id } } });
  const blocks: Hours[] = [...others, ...(kept && kept.id_doctors === old.id_doctors && kept.hari === old.hari ? [kept] : [])];
  const slots = await tx.doctorSchedule.findMany({
    where: { id_doctors: old.id_doctors, hari: old.hari, deleted_at: null, jam: { gte: old.jam, lt: old.jam_selesai } },
    select: { id: true, jam: true, jam_selesai: true, _count: { select: { userSchedules: true } } },
  });
  const within = (s: { jam: Date; jam_selesai: Date }, b: Hours) => b.jam.getTime() <= s.jam.getTime() && s.jam_selesai.getTime() <= b.jam_selesai.getTime();
  const gone = slots.filter((s) => !blocks.some((b) => within(s, b)));
  if (!gone.length) return;
  await refuseIfBooked(app, tx, old.id_doctors, { id_doctor_schedules: { in: gone.map((s) => s.id) } }, `${old.hari} ${hhmm(old.jam)}–${hhmm(old.jam_selesai)}`);
  const [history, unused] = [gone.filter((s) => s._count.userSchedules > 0), gone.filter((s) => s._count.userSchedules === 0)];
  if (unused.length) await tx.doctorSchedule.deleteMany({ where: { id: { in: unused.map((s) => s.id) } } });
  if (history.length) await tx.doctorSchedule.updateMany({ where: { id: { in: history.map((s) => s.id) } }, data: { is_active: 0 } });
}
