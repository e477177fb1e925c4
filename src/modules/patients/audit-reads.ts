import type { RouteDef } from '../../http/route.js';
import { audit } from '../audit/audit.service.js';

type Rowish = Record<string, any> | unknown[];

/** The rows of an answer: explore/table `data`, search `{key: [...]}`, get `{key: {...}}`. */
function rowsOf(result: any, key: string): Rowish[] {
  if (Array.isArray(result?.data)) return result.data;
  const v = result?.[key];
  return Array.isArray(v) ? v : v ? [v] : [];
}

/**
 * Health data: every read answer of these routes (get, explore, search, table) writes one audit
 * entry per request, naming the rows and — when they concern one patient — the patient.
 * Writes are audited by the services inside their own transaction.
 */
export function auditReads(
  routes: RouteDef[],
  resource: string,
  ids: (row: Rowish) => { id: number; patientId: number | null },
): RouteDef[] {
  const isRead = (r: RouteDef) => /\/(explore|search|table)$/.test(r.path) || (r.method === 'get' && r.path.endsWith('/:id'));
  return routes.map((r) => {
    if (!isRead(r)) return r;
    const handler = r.handler;
    return {
      ...r,
      handler: async (ctx) => {
        const result = await handler(ctx);
        const rows = rowsOf(result, resource).map(ids);
        const patients = [...new Set(rows.map((x) => x.patientId).filter((x): x is number => x != null))];
        const single = r.path.endsWith('/:id');
        await audit(ctx.app, {
          user: ctx.user,
          action: single ? 'read' : 'list',
          resource,
          resourceId: single ? (rows[0]?.id ?? null) : null,
          patientId: patients.length === 1 ? patients[0] : null,
          req: ctx.req,
          details: single ? undefined : { route: r.path, ids: rows.map((x) => x.id), patients },
        });
        return result;
      },
    };
  });
}
