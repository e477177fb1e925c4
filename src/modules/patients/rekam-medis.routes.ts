import { z } from 'zod';
import { STAFF, type Role } from '../../http/auth-user.js';
import { badRequest, conflict, notFound, unprocessable } from '../../http/errors.js';
import { resourceRoutes } from '../../http/resource.js';
import { route } from '../../http/route.js';
import { emit } from '../../lib/events.js';
import { formatDate } from '../../lib/dates.js';
import * as s from '../../lib/schemas.js';
import { audit } from '../audit/audit.service.js';
import { findPatient, patientReadScope, recordWriteScope } from './access.js';
import { auditReads } from './audit-reads.js';
import { recordDetailJSON, recordDetailSchema, recordJSON, recordSchema } from './serializers.js';
import type { Db } from '../../db/client.js';

/**
 * Staff and doctors write medical records (doctors for the patients of their appointments and
 * consultations, recordWriteScope); customers read their own.
 */
const RECORD_WRITERS: Role[] = [...STAFF, 'DOCTOR'];
const R = 'patient_rekam_medis';

const fields = {
  tanggal_konsul: s.date,
  keluhan: s.text(20_000).optional(),
  diagnosa: s.text(20_000).optional(),
  catatan_kaki: s.text(20_000).optional(),
};
const createBody = z
  .object({
    id_patients: s.id,
    ...fields,
    // a correction or addendum of an earlier (usually verified, hence locked) record
    id_rekam_medis_asal: s.optionalRef.optional(),
    jenis_perubahan: z.enum(['KOREKSI', 'ADENDUM']).optional(),
  })
  .refine((b) => !b.jenis_perubahan || b.id_rekam_medis_asal, { message: 'jenis_perubahan needs id_rekam_medis_asal', path: ['jenis_perubahan'] });
const updateBody = z.object({ id_patients: s.id.optional(), ...fields }).partial();

/** A live record of a patient whose records the caller may write (verify, unverify); 404 otherwise. */
async function findWritableRecord(db: Db, c: { user: Parameters<typeof recordWriteScope>[0] }, id: number) {
  const r = await db.patientRekamMedis.findFirst({ where: { id, deleted_at: null, patient: { deleted_at: null, ...recordWriteScope(c.user) } } });
  if (!r) throw notFound(`${R} ${id} not found`);
  return r;
}

const locked = () => conflict('A verified medical record is locked: write a correction (id_rekam_medis_asal) or ask a doctor or admin to unverify it');

const resource = resourceRoutes({
  name: R,
  model: (db) => db.patientRekamMedis,
  access: { read: 'authenticated', write: RECORD_WRITERS },
  softDelete: true,
  scope: (c) => ({ patient: { deleted_at: null, ...patientReadScope(c.user) } }),
  filters: z.object({ id_patients: s.id.optional(), is_verified: s.flag.optional(), id_rekam_medis_asal: s.id.optional() }),
  where: (f) => ({ id_patients: f.id_patients, is_verified: f.is_verified, id_rekam_medis_asal: f.id_rekam_medis_asal }),
  searchFields: ['keluhan', 'diagnosa', 'catatan_kaki'],
  detailInclude: { patient: true, verifiedBy: { include: { departments: { include: { department: true }, orderBy: { id: 'asc' }, take: 1 } } } },
  defaultOrder: [{ tanggal_konsul: 'desc' }, { id: 'desc' }],
  toJSON: (r) => recordJSON(r),
  toDetail: (r, c) => recordDetailJSON(c.app, r, c.user),
  schema: recordSchema,
  detailSchema: recordDetailSchema,
  clinicalOwner: { patient: 'id_patients' },
  columns: [
    { name: 'id', value: (r) => r.id, orderBy: (d) => ({ id: d }) },
    { name: 'id_patients', value: (r) => r.id_patients, orderBy: (d) => ({ id_patients: d }) },
    { name: 'tanggal_konsul', value: (r) => formatDate(r.tanggal_konsul), orderBy: (d) => ({ tanggal_konsul: d }) },
    { name: 'keluhan', value: (r) => r.keluhan, orderBy: (d) => ({ keluhan: d }), clinical: true },
    { name: 'diagnosa', value: (r) => r.diagnosa, orderBy: (d) => ({ diagnosa: d }), clinical: true },
    { name: 'catatan_kaki', value: (r) => r.catatan_kaki, orderBy: (d) => ({ catatan_kaki: d }), clinical: true },
    { name: 'verified_iduser', value: (r) => r.verified_iduser ?? 0, orderBy: (d) => ({ verified_iduser: d }) },
    { name: 'is_verified', value: (r) => r.is_verified, orderBy: (d) => ({ is_verified: d }) },
  ],
  create: {
    body: createBody,
    run: async (b, c, tx) => {
      await findPatient(tx, c.user, b.id_patients, 'records');
      if (b.id_rekam_medis_asal) {
        // held FOR SHARE: the original deleted at the same moment comes first and is refused here, or waits
        const [asal] = await tx.$queryRaw<{ id_patients: number }[]>`
          SELECT id_patients FROM patient_rekam_medis WHERE id = ${b.id_rekam_medis_asal} AND deleted_at IS NULL FOR SHARE`;
        if (!asal || asal.id_patients !== b.id_patients) {
          throw unprocessable('The original record must be a record of the same patient', [{ field: 'id_rekam_medis_asal', message: 'not a record of this patient' }]);
        }
      }
      const r = await tx.patientRekamMedis.create({
        data: {
          ...b,
          id_rekam_medis_asal: b.id_rekam_medis_asal || null,
          jenis_perubahan: b.id_rekam_medis_asal ? (b.jenis_perubahan ?? 'KOREKSI') : null,
          created_by_iduser: c.user!.id,
        },
      });
      await audit(c.app, { user: c.user, action: 'create', resource: R, resourceId: r.id, patientId: b.id_patients, req: c.req, details: b.id_rekam_medis_asal ? { id_rekam_medis_asal: b.id_rekam_medis_asal } : undefined }, tx);
      return r.id;
    },
  },
  update: {
    body: updateBody,
    run: async (id, b, c, tx, existing) => {
      await findPatient(tx, c.user, existing.id_patients, 'records'); // read access (the scope) is not enough
      const { id_patients, ...data } = b;
      if (id_patients !== undefined && id_patients !== existing.id_patients) {
        throw unprocessable('A medical record cannot move to another patient', [{ field: 'id_patients', message: 'must be the record\'s patient' }]);
      }
      // The lock is in the WHERE: a record verified meanwhile is not changed.
      const n = await tx.patientRekamMedis.updateMany({ where: { id, is_verified: 0, deleted_at: null }, data });
      if (!n.count) throw locked();
      await audit(c.app, { user: c.user, action: 'update', resource: R, resourceId: id, patientId: existing.id_patients, req: c.req, details: { fields: Object.keys(data) } }, tx);
    },
  },
  delete: {
    run: async (id, c, tx, existing) => {
      await findPatient(tx, c.user, existing.id_patients, 'records');
      // soft delete only, and never of a verified record
      const n = await tx.patientRekamMedis.updateMany({ where: { id, is_verified: 0, deleted_at: null }, data: { deleted_at: c.app.now() } });
      if (!n.count) throw locked();
      // nor of one that live corrections or addenda point at. The row is now held: a correction being written
      // (its create holds the original FOR SHARE) has committed, and this new statement sees it; one that comes
      // later waits and then finds the original deleted (422). Refused, the delete is rolled back.
      const amendments = await tx.patientRekamMedis.count({ where: { id_rekam_medis_asal: id, deleted_at: null } });
      if (amendments) {
        throw conflict(`The medical record has ${amendments} live correction(s) or addendum(s) (id_rekam_medis_asal = ${id}): delete them first`);
      }
      await audit(c.app, { user: c.user, action: 'delete', resource: R, resourceId: id, patientId: existing.id_patients, req: c.req }, tx);
    },
  },
});

export const rekamMedisRoutes = [
  ...auditReads(resource, R, (r) =>
    Array.isArray(r) ? { id: r[0] as number, patientId: r[1] as number } : { id: r.id, patientId: r.id_patients ?? r.patients?.id ?? null },
  ),

  route({
    method: ['put', 'post'],
    path: `/${R}/:id/verify`,
    access: RECORD_WRITERS,
    tag: R,
    summary: 'Verify (and lock) a medical record; catatan_kaki, when sent, is the final note',
    body: z.object({ catatan_kaki: s.text(20_000).optional() }),
    response: z.object({ verify: z.literal(true) }),
    handler: async ({ app, user, req, params, body }) => {
      await app.db.$transaction(async (tx) => {
        const r = await findWritableRecord(tx, { user }, params.id);
        await findPatient(tx, user, r.id_patients, 'records'); // held: not verified (and notified) as the patient is deleted
        const n = await tx.patientRekamMedis.updateMany({
          where: { id: r.id, is_verified: 0, deleted_at: null },
          data: { is_verified: 1, verified_iduser: user!.id, verified_at: app.now(), ...(body.catatan_kaki !== undefined ? { catatan_kaki: body.catatan_kaki } : {}) },
        });
        if (!n.count) throw conflict('The medical record is already verified');
        await audit(app, { user, action: 'verify', resource: R, resourceId: r.id, patientId: r.id_patients, req }, tx);
        await emit(app, 'medical_record.verified', { recordId: r.id, patientId: r.id_patients }, tx);
      });
      return { verify: true };
    },
  }),

  route({
    method: ['put', 'post'],
    path: `/${R}/:id/unverify`,
    access: RECORD_WRITERS,
    tag: R,
    summary: 'Unlock a verified medical record (an explicit, audited act; the reason is required)',
    body: z.object({ reason: s.text(2000).optional(), catatan_kaki: s.text(2000).optional() }),
    response: z.object({ unverify: z.literal(true) }),
    handler: async ({ app, user, req, params, body }) => {
      // The document sends `catatan_kaki`; here it is the reason, recorded in the audit log (the record's note is unchanged).
      const reason = body.reason || body.catatan_kaki;
      if (!reason) throw badRequest('A reason is required to unverify a medical record', [{ field: 'reason', message: 'required' }]);
      await app.db.$transaction(async (tx) => {
        const r = await findWritableRecord(tx, { user }, params.id);
        await findPatient(tx, user, r.id_patients, 'records'); // held, as verify
        const n = await tx.patientRekamMedis.updateMany({
          where: { id: r.id, is_verified: 1, deleted_at: null },
          data: { is_verified: 0, verified_iduser: null, verified_at: null },
        });
        if (!n.count) throw conflict('The medical record is not verified');
        await audit(
          app,
          { user, action: 'unverify', resource: R, resourceId: r.id, patientId: r.id_patients, req, details: { reason, verified_iduser: r.verified_iduser, verified_at: r.verified_at?.toISOString() ?? null } },
          tx,
        );
      });
      return { unverify: true };
    },
  }),
];
