import { z } from 'zod';
import { isStaff } from '../../http/auth-user.js';
import { resourceRoutes, softDeleteLive } from '../../http/resource.js';
import { formatDateTime } from '../../lib/dates.js';
import * as s from '../../lib/schemas.js';
import { audit } from '../audit/audit.service.js';
import { findPatient, patientReadScope } from './access.js';
import { auditReads } from './audit-reads.js';
import { PATIENT_WRITERS } from './patients.routes.js';
import { allergyDetailJSON, allergyDetailSchema, allergyJSON, allergySchema } from './serializers.js';

const body = z.object({
  id_patients: s.id,
  allergies: s.requiredText(200),
  diagnosa: s.text(5000).optional(),
  catatan_kaki: s.text(5000).optional(),
});

const resource = resourceRoutes({
  name: 'patient_allergies',
  model: (db) => db.patientAllergy,
  access: { read: 'authenticated', write: PATIENT_WRITERS },
  softDelete: true,
  // rows of the live patients the caller may read
  scope: (c) => ({ patient: { deleted_at: null, ...patientReadScope(c.user) } }),
  filters: z.object({ id_patients: s.id.optional() }),
  where: (f) => ({ id_patients: f.id_patients }),
  searchFields: ['allergies', 'diagnosa', 'catatan_kaki'],
  detailInclude: { patient: true },
  defaultOrder: { id: 'asc' },
  toJSON: (r) => allergyJSON(r),
  toDetail: (r) => allergyDetailJSON(r),
  schema: allergySchema,
  detailSchema: allergyDetailSchema,
  clinicalOwner: { patient: 'id_patients' },
  columns: [
    { name: 'id', value: (r) => r.id, orderBy: (d) => ({ id: d }) },
    { name: 'id_patients', value: (r) => r.id_patients, orderBy: (d) => ({ id_patients: d }) },
    { name: 'allergies', value: (r) => r.allergies, orderBy: (d) => ({ allergies: d }), clinical: true },
    { name: 'diagnosa', value: (r) => r.diagnosa, orderBy: (d) => ({ diagnosa: d }), clinical: true },
    { name: 'catatan_kaki', value: (r) => r.catatan_kaki, orderBy: (d) => ({ catatan_kaki: d }), clinical: true },
    { name: 'created', value: (r) => formatDateTime(r.created_at), orderBy: (d) => ({ created_at: d }) },
  ],
  create: {
    body,
    run: async (b, c, tx) => {
      await findPatient(tx, c.user, b.id_patients, 'write');
      const a = await tx.patientAllergy.create({ data: b });
      await audit(c.app, { user: c.user, action: 'create', resource: 'patient_allergies', resourceId: a.id, patientId: b.id_patients, req: c.req }, tx);
      return a.id;
    },
  },
  update: {
    body,
    run: async (id, b, c, tx, existing) => {
      // both the current and the new patient must be the caller's to change (locked in id order, so
      // two moves between the same patients in opposite directions wait for each other, no deadlock)
      for (const p of [...new Set([existing.id_patients, b.id_patients])].sort((x, y) => x - y)) await findPatient(tx, c.user, p, 'write');
      await tx.patientAllergy.update({ where: { id }, data: b });
      await audit(c.app, { user: c.user, action: 'update', resource: 'patient_allergies', resourceId: id, patientId: b.id_patients, req: c.req }, tx);
    },
  },
  delete: {
    run: async (id, c, tx, existing) => {
      if (!isStaff(c.user)) await findPatient(tx, c.user, existing.id_patients, 'write');
      // only while live: of two deletes at once the second finds it gone (404), not deleted again
      await softDeleteLive(tx.patientAllergy, 'patient_allergies', id, c.app.now());
      await audit(c.app, { user: c.user, action: 'delete', resource: 'patient_allergies', resourceId: id, patientId: existing.id_patients, req: c.req }, tx);
    },
  },
});

export const allergyRoutes = auditReads(resource, 'patient_allergies', (r) =>
  Array.isArray(r) ? { id: r[0] as number, patientId: r[1] as number } : { id: r.id, patientId: r.id_patients ?? r.patients?.id ?? null },
);
