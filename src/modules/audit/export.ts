import { Prisma } from '../../generated/prisma/client.js';
import type { AppContext } from '../../app-context.js';
import { route } from '../../http/route.js';
import { audit } from './audit.service.js';

/** Columns that tie a row to a person (the customer) or to one of their patients. */
const USER_COLUMNS = ['id_users', 'id_member', 'id_user_from', 'id_user_to'];
const PATIENT_COLUMNS = ['id_patients'];
/** Rows that belong to the user's orders and threads. */
const CHILD_COLUMNS: Record<string, string> = { id_orders: 'Order', id_threads: 'Thread' };
/** Secrets never leave the server, not even to their owner. */
const SECRET_COLUMNS = new Set(['password_hash', 'reset_hash', 'otp', 'token_hash']);
const BLANKED: Record<string, string[]> = { MessageOutbox: ['body'] };

const lowerFirst = (s: string) => s[0]!.toLowerCase() + s.slice(1);

/** Every model and its scalar columns, read from the generated client (so new tables are covered). */
function models(): { name: string; columns: string[] }[] {
  const ns = Prisma as unknown as Record<string, Record<string, string>>;
  return Object.values(Prisma.ModelName).map((name) => ({ name, columns: Object.values(ns[`${name}ScalarFieldEnum`] ?? {}) }));
}

function clean(model: string, row: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (SECRET_COLUMNS.has(k)) continue;
    out[k] = BLANKED[model]?.includes(k) ? '' : v;
  }
  return out;
}

/**
 * Everything held about a user and the patients they manage (UU PDP 27/2022 access right):
 * one query per table that has a user or patient column, found from the schema itself, plus the
 * audit log rows about them (who read or changed their patients' records, and when).
 */
export async function exportUserData(app: AppContext, userId: number) {
  const db = app.db as unknown as Record<string, { findMany: (a: unknown) => Promise<Record<string, unknown>[]> }>;
  const user = await app.db.user.findUniqueOrThrow({ where: { id: userId } });
  const patients = await app.db.patient.findMany({ where: { id_users: userId } });
  const patientIds = patients.map((p) => p.id);
  const tables: Record<string, Record<string, unknown>[]> = {};
  const query = async (m: { name: string; columns: string[] }, parents: Record<string, number[]>) => {
    const or: Record<string, unknown>[] = [];
    for (const c of m.columns) {
      if (USER_COLUMNS.includes(c)) or.push({ [c]: userId });
      if (PATIENT_COLUMNS.includes(c) && patientIds.length) or.push({ [c]: { in: patientIds } });
      if (parents[c]?.length) or.push({ [c]: { in: parents[c] } });
    }
    if (m.name === 'Patient') or.push({ id: { in: patientIds } });
    if (!or.length) return;
    const rows = await db[lowerFirst(m.name)]!.findMany({ where: { OR: or }, take: 100_000 });
    tables[m.name] = rows.map((r) => clean(m.name, r));
  };
  const all = models().filter((m) => m.name !== 'User');
  // First the rows tied to the user or their patients, then the rows of their orders and threads
  // (items, payments, messages...): two rounds, one query per table each.
  await Promise.all(all.map((m) => query(m, {})));
  const ids = (name: string) => (tables[name] ?? []).map((r) => r.id as number);
  const parents = Object.fromEntries(Object.entries(CHILD_COLUMNS).map(([col, model]) => [col, ids(model)]));
  await Promise.all(all.filter((m) => m.columns.some((c) => parents[c]?.length)).map((m) => query(m, parents)));
  const accessLog = (tables.Log ?? []).filter((r) => r.id_patients != null && r.id_users !== userId);
  return {
    generated_at: app.now().toISOString(),
    users: clean('User', user as unknown as Record<string, unknown>),
    tables: Object.fromEntries(Object.entries(tables).sort(([a], [b]) => a.localeCompare(b))),
    medical_record_access: accessLog,
  };
}

export const exportRoutes = [
  route({
    method: 'get',
    path: '/users/data/export',
    access: 'authenticated',
    tag: 'users',
    summary: "Download everything held about the signed-in user and their patients (JSON), including who accessed their records",
    handler: async ({ app, user, req, res }) => {
      const data = await exportUserData(app, user!.id);
      await audit(app, { user, action: 'data_export', resource: 'users', resourceId: user!.id, req });
      res.setHeader('Content-Disposition', `attachment; filename="colederma-data-${user!.id}.json"`);
      res.setHeader('Cache-Control', 'private, no-store');
      return { export: data };
    },
  }),
];
