import { z } from 'zod';
import { addUserSection, type UserSection } from '../identity/user-sections.js';
import { clinicDay } from '../../lib/dates.js';
import { UPCOMING_STATUSES } from './booking.service.js';
import { appointmentEventJSON, appointmentEventSchema, appointmentListInclude, doctorDetailJSON, doctorDetailSchema } from './serializers.js';

/** users/data: the coming appointments (a customer's own, a doctor's also those with them) and a doctor's profile. */
const section = {
  in: ['data'] as const,
  /**
   * the keys this section adds to users/data; `doctors` a list, as the document's `"doctors": []`:
   * a DOCTOR's own profile in it, empty for everyone else
   */
  schema: {
    next_appointments: z.array(appointmentEventSchema),
    doctors: z.array(doctorDetailSchema).max(1),
  },
  load: (async (userId, c, roles) => {
    const isDoctor = roles.includes('DOCTOR');
    const [rows, doctor] = await Promise.all([
      c.app.db.userSchedule.findMany({
        where: {
          deleted_at: null,
          status: { in: [...UPCOMING_STATUSES] },
          tanggal: { gte: clinicDay(c.app.now()) },
          OR: [{ id_users: userId }, ...(isDoctor ? [{ doctor: { id_users: userId } }] : [])],
        },
        include: appointmentListInclude,
        orderBy: [{ tanggal: 'asc' }, { jam: 'asc' }, { id: 'asc' }],
        take: 10,
      }),
      isDoctor
        ? c.app.db.doctor.findFirst({
            where: { id_users: userId, deleted_at: null },
            include: { user: { include: { departments: { include: { department: true }, take: 1 } } }, service: { include: { category: true } } },
          })
        : null,
    ]);
    return {
      next_appointments: rows.map((r) => appointmentEventJSON(c.app, r)),
      doctors: doctor ? [doctorDetailJSON(c.app, doctor, c.user)] : [],
    };
  }) satisfies UserSection['load'],
};
// a variable, not a literal: `schema` is part of UserSection once identity's response schemas land
addUserSection(section);
