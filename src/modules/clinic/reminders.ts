import type { AppContext } from '../../app-context.js';
import { addJob } from '../../jobs.js';
import { clinicDay, formatTime } from '../../lib/dates.js';
import { startInstant } from './booking.service.js';
import { isoLocal } from './serializers.js';

/**
 * Stores an in-app notification for the customer of each appointment that starts within
 * BOOKING_REMINDER_MINUTES. Each appointment is claimed with a conditional UPDATE
 * (`reminder_sent_at IS NULL`), so parallel runs or instances never remind twice; a reschedule
 * clears reminder_sent_at. Delivery (push) is the notifications module's job.
 */
export async function sendDueReminders(app: AppContext): Promise<number> {
  const window = app.config.BOOKING_REMINDER_MINUTES;
  if (window <= 0) return 0;
  const now = app.now();
  const until = now.getTime() + window * 60_000;
  const candidates = await app.db.userSchedule.findMany({
    where: {
      deleted_at: null,
      status: { in: ['BOOKING', 'RESCHEDULE'] },
      reminder_sent_at: null,
      tanggal: { gte: clinicDay(now), lte: clinicDay(new Date(until)) },
    },
    include: { doctor: { include: { user: true } }, service: true, patient: true },
    take: 500,
  });
  const due = candidates.filter((a) => {
    const start = startInstant(a.tanggal, a.jam).getTime();
    return start > now.getTime() && start <= until;
  });
  if (!due.length) return 0;
  return app.db.$transaction(async (tx) => {
    const claimed = await tx.$queryRaw<{ id: number }[]>`
      UPDATE user_schedules SET reminder_sent_at = ${now}
      WHERE id = ANY(${due.map((a) => a.id)}::int[]) AND reminder_sent_at IS NULL
      RETURNING id`;
    const ids = new Set(claimed.map((r) => r.id));
    const rows = due.filter((a) => ids.has(a.id));
    await tx.notification.createMany({
      data: rows.map((a) => ({
        id_user_to: a.id_users,
        intentions: 'APPOINTMENT_REMINDER',
        title: 'Pengingat janji temu',
        content: `${a.service.services_name} dengan ${a.doctor.user.users_fullname} untuk ${a.patient.nama_lengkap_pasien} pada ${isoLocal(a.tanggal, a.jam).slice(0, 10)} pukul ${formatTime(a.jam)!.slice(0, 5)} WIB.`,
        priority: 'Normal',
        labels: 'Info',
        reference_type: 'user_schedules',
        reference_id: a.id,
      })),
    });
    return rows.length;
  });
}

addJob({ name: 'appointment-reminders', everyMs: 5 * 60_000, run: async (app) => void (await sendDueReminders(app)) });
