import { z } from 'zod';
import { Prisma } from '../../generated/prisma/client.js';
import type { AppContext } from '../../app-context.js';
import * as out from '../../http/response.js';
import { route } from '../../http/route.js';
import { formatDateTime } from '../../lib/dates.js';
import { userJSON, userSchema } from '../identity/serializers.js';
import {
  allergyExportJSON,
  allergyExportSchema,
  patientExportJSON,
  patientExportSchema,
  recordExportJSON,
  recordExportSchema,
} from '../patients/serializers.js';
import { isStaff, type AuthUser } from '../../http/auth-user.js';
import { patientReadScope } from '../patients/access.js';
import { audit } from './audit.service.js';
import { logJSON, logSchema } from './routes.js';

/** Columns that tie a row to a person (the customer) or to one of their patients. */
const USER_COLUMNS = ['id_users', 'id_member', 'id_user_from', 'id_user_to'];
const PATIENT_COLUMNS = ['id_patients'];
/**
 * Rows that belong to the user's own orders and threads (the columns that make them the user's). An
 * order or thread exported only because it concerns one of their patients (e.g. placed by the account
 * that managed the patient before) is not a parent: its payments, points, ratings and messages are
 * that other account's.
 */
const CHILD_COLUMNS: Record<string, { model: string; owners: string[] }> = {
  id_orders: { model: 'Order', owners: ['id_member'] },
  // order_items (and threads) name their order in the singular
  id_order: { model: 'Order', owners: ['id_member'] },
  id_threads: { model: 'Thread', owners: ['id_user_from', 'id_user_to'] },
  // user_point_consumptions: which earned lot each spending of the user's points took from
  id_spending: { model: 'UserPoint', owners: ['id_users'] },
  id_lot: { model: 'UserPoint', owners: ['id_users'] },
};
/** Secrets never leave the server, not even to their owner. */
const SECRET_COLUMNS = new Set(['password_hash', 'reset_hash', 'otp', 'token_hash']);
const BLANKED: Record<string, string[]> = { MessageOutbox: ['body'] };
/** Keys taken out of a JSON column: Midtrans' signature of a payment notification is made with the clinic's server key. */
const JSON_SECRETS: Record<string, Record<string, string[]>> = { PaymentNotification: { raw: ['signature_key'] } };

/**
 * The patients' health data is exported in the API's own (documented, clinically marked) shapes,
 * in sections of its own rather than as raw table rows.
 */
const SECTION_MODELS = new Set(['Patient', 'PatientAllergy', 'PatientRekamMedis']);

const lowerFirst = (s: string) => s[0]!.toLowerCase() + s.slice(1);

/** Every model and its scalar columns, read from the generated client (so new tables are covered). */
function models(): { name: string; columns: string[] }[] {
  const ns = Prisma as unknown as Record<string, Record<string, string>>;
  return Object.values(Prisma.ModelName).map((name) => ({ name, columns: Object.values(ns[`${name}ScalarFieldEnum`] ?? {}) }));
}

/** a raw row without its secrets, as JSON values (dates as ISO strings) */
function clean(model: string, row: Record<string, unknown>) {
  const res: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (SECRET_COLUMNS.has(k)) continue;
    const secrets = JSON_SECRETS[model]?.[k];
    if (secrets && v && typeof v === 'object' && !Array.isArray(v)) {
      res[k] = Object.fromEntries(Object.entries(v).filter(([key]) => !secrets.includes(key)));
      continue;
    }
    res[k] = BLANKED[model]?.includes(k) ? '' : v instanceof Date ? v.toISOString() : v;
  }
  return res;
}

/** Audit rows of someone else (a doctor who read a record): who, what and when, not their network address or device. */
const withoutOthersDevice = (userId: number) => (row: Record<string, unknown>) =>
  row.id_users === userId ? row : { ...row, ip: null, user_agent: null };

/**
 * A list read that covered several patients: its details keep only the user's own patients and the
 * rows of theirs (the other patients read in the same request are someone else's data).
 */
const onlyOwnPatients = (patientIds: number[], allergies: { id: number }[], records: { id: number }[]) => {
  const mine = new Set(patientIds);
  const rowIds: Record<string, Set<number>> = {
    patients: mine,
    patient_allergies: new Set(allergies.map((r) => r.id)),
    patient_rekam_medis: new Set(records.map((r) => r.id)),
  };
  return (row: Record<string, unknown>) => {
    const d = row.details as { patients?: unknown; ids?: unknown } | null;
    if (!d || !Array.isArray(d.patients) || !d.patients.some((p) => !mine.has(p as number))) return row;
    const ids = rowIds[row.resource as string];
    return {
      ...row,
      details: {
        ...d,
        patients: d.patients.filter((p) => mine.has(p as number)),
        ...(Array.isArray(d.ids) ? { ids: ids ? d.ids.filter((i) => ids.has(i as number)) : [] } : {}),
      },
    };
  };
};

/** the orderer's own contact details on an order row (the recipient's, the patient's, stay) */
const ORDERER_BLANK = { nama_pemesan: '', notelp_pemesan: '', email_pemesan: '', alamat_pemesan: '' };

type UserRow = Parameters<typeof userJSON>[1] & { last_login_at: Date | null; created_at: Date; updated_at: Date; deleted_at: Date | null };
/** the account as the API shows it, plus what else is held about it */
const exportUserJSON = (app: AppContext, u: UserRow) => ({
  ...userJSON(app, u),
  num_of_login_attempts: u.num_of_login_attempts ?? 0,
  last_login_at: formatDateTime(u.last_login_at),
  created: formatDateTime(u.created_at),
  updated: formatDateTime(u.updated_at),
  deleted: formatDateTime(u.deleted_at),
});
const exportUserSchema = userSchema.extend({ num_of_login_attempts: out.int, last_login_at: out.when, created: out.str, updated: out.str, deleted: out.when });

const exportSchema = z.object({
  generated_at: out.str,
  users: exportUserSchema,
  patients: z.array(patientExportSchema),
  patient_allergies: z.array(allergyExportSchema),
  patient_rekam_medis: z.array(recordExportSchema),
  // every other table's raw rows, keyed by model: the tables are found from the data model at run time
  // (a new table is exported without code), so their columns are not known here
  tables: z.record(z.string(), z.array(z.record(z.string(), z.json()))),
  medical_record_access: z.array(logSchema),
});

/**
 * Everything held about a user and the patients they manage (UU PDP 27/2022 access right):
 * one query per table that has a user or patient column, found from the schema itself, plus the
 * audit log rows about them (who read or changed their patients' records, and when).
 */
async function exportUserData(app: AppContext, caller: AuthUser) {
  const userId = caller.id;
  const db = app.db as unknown as Record<string, { findMany: (a: unknown) => Promise<Record<string, unknown>[]> }>;
  const user = await app.db.user.findUniqueOrThrow({ where: { id: userId } });
  const patients = await app.db.patient.findMany({ where: { id_users: userId }, orderBy: { id: 'asc' } });
  const patientIds = patients.map((p) => p.id);
  const ofPatients = { where: { id_patients: { in: patientIds } }, orderBy: { id: 'asc' } } as const;
  const [allergies, records] = await Promise.all([app.db.patientAllergy.findMany(ofPatients), app.db.patientRekamMedis.findMany(ofPatients)]);
  // A list read covering several patients names them in details.patients (id_patients is set only
  // when it covers one): found with `details @> {"patients": [id]}`, which the GIN index on details serves.
  const listedLogIds = patientIds.length
    ? (
        await app.db.$queryRaw<{ id: number }[]>`SELECT id FROM logs WHERE ${Prisma.join(
          patientIds.map((p) => Prisma.sql`details @> jsonb_build_object('patients', jsonb_build_array(${p}::int))`),
          ' OR ',
        )}`
      ).map((r) => r.id)
    : [];
  const tables: Record<string, Record<string, unknown>[]> = {};
  const query = async (m: { name: string; columns: string[] }, parents: Record<string, number[]>) => {
    const or: Record<string, unknown>[] = [];
    if (m.name === 'Log') {
      if (listedLogIds.length) or.push({ id: { in: listedLogIds } });
      // what others (staff) did to the account and to the user's own orders
      or.push({ resource: 'users', resource_id: String(userId) });
      if (parents.id_orders?.length) or.push({ resource: 'orders', resource_id: { in: parents.id_orders.map(String) } });
    }
    for (const c of m.columns) {
      if (USER_COLUMNS.includes(c)) or.push({ [c]: userId });
      if (PATIENT_COLUMNS.includes(c) && patientIds.length) or.push({ [c]: { in: patientIds } });
      if (parents[c]?.length) or.push({ [c]: { in: parents[c] } });
    }
    if (!or.length) return;
    tables[m.name] = await db[lowerFirst(m.name)]!.findMany({ where: { OR: or }, take: 100_000 });
  };
  const all = models().filter((m) => m.name !== 'User' && !SECTION_MODELS.has(m.name));
  // First the rows tied to the user or their patients, then the rows of their own orders and threads
  // (items, payments, messages...): two rounds, one query per table each.
  await Promise.all(all.map((m) => query(m, {})));
  const own = ({ model, owners }: { model: string; owners: string[] }) =>
    (tables[model] ?? []).filter((r) => owners.some((c) => r[c] === userId)).map((r) => r.id as number);
  const parents = Object.fromEntries(Object.entries(CHILD_COLUMNS).map(([col, parent]) => [col, own(parent)]));
  await Promise.all(all.filter((m) => (m.name === 'Log' && parents.id_orders?.length) || m.columns.some((c) => parents[c]?.length)).map((m) => query(m, parents)));
  // What a message says is its thread patient's health data (messageScope): a thread about a patient the
  // user neither manages (deleted ones included, as above) nor may read now (e.g. one staff moved to
  // another account) is exported without its messages.
  if (tables.ThreadMessage?.length && !isStaff(caller)) {
    const threadIds = [...new Set(tables.ThreadMessage.map((m) => m.id_threads as number))];
    const readable = await app.db.thread.findMany({
      where: {
        id: { in: threadIds },
        OR: [{ id_patients: null }, { id_patients: { in: patientIds } }, { patient: { is: { deleted_at: null, ...patientReadScope(caller) } } }],
      },
      select: { id: true },
    });
    const ok = new Set(readable.map((r) => r.id));
    tables.ThreadMessage = tables.ThreadMessage.filter((m) => ok.has(m.id_threads as number));
  }
  if (tables.Log) tables.Log = tables.Log.map(withoutOthersDevice(userId)).map(onlyOwnPatients(patientIds, allergies, records));
  // An order of the user's patient placed by someone else (the patient's previous manager): the
  // order concerns the patient, its orderer's own contact details do not.
  if (tables.Order) tables.Order = tables.Order.map((o) => (o.id_member === userId ? o : { ...o, ...ORDERER_BLANK }));
  const listed = new Set(listedLogIds);
  const accessLog = (tables.Log ?? []).filter((r) => (r.id_patients != null || listed.has(r.id as number)) && r.id_users !== userId);
  return {
    generated_at: app.now().toISOString(),
    users: exportUserJSON(app, user),
    patients: patients.map((p) => patientExportJSON(app, p)),
    patient_allergies: allergies.map(allergyExportJSON),
    patient_rekam_medis: records.map(recordExportJSON),
    tables: Object.fromEntries(
      Object.entries(tables)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, rows]) => [name, rows.map((r) => clean(name, r))]),
    ),
    medical_record_access: accessLog.map((r) => logJSON(r as Parameters<typeof logJSON>[0])),
  };
}

export const exportRoutes = [
  route({
    method: 'get',
    path: '/users/data/export',
    access: 'authenticated',
    tag: 'users',
    summary: "Download everything held about the signed-in user and their patients (JSON), including who accessed their records",
    response: z.object({ export: exportSchema }),
    handler: async ({ app, user, req, res }) => {
      const data = await exportUserData(app, user!);
      await audit(app, { user, action: 'data_export', resource: 'users', resourceId: user!.id, req });
      res.setHeader('Content-Disposition', `attachment; filename="colederma-data-${user!.id}.json"`);
      res.setHeader('Cache-Control', 'private, no-store');
      return { export: data };
    },
  }),
];
