import { z } from 'zod';
import { addUserSection } from '../identity/user-sections.js';
import { allergyRoutes } from './allergies.routes.js';
import { patientRoutes } from './patients.routes.js';
import { rekamMedisRoutes } from './rekam-medis.routes.js';
import { patientListJSON, patientListSchema } from './serializers.js';

// users/data: the signed-in user's patients with their allergies (one query).
addUserSection({
  in: ['data'],
  schema: { patients: z.array(patientListSchema) },
  load: async (userId, c) => {
    const rows = await c.app.db.patient.findMany({
      where: { id_users: userId, deleted_at: null },
      include: { allergies: { where: { deleted_at: null }, orderBy: { id: 'asc' } } },
      orderBy: { id: 'asc' },
    });
    return { patients: rows.map((p) => patientListJSON(c.app, p)) };
  },
});

export const patientsModuleRoutes = [...patientRoutes, ...allergyRoutes, ...rekamMedisRoutes];
