import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { AppContext } from '../../app-context.js';
import type { AuthUser } from '../../http/auth-user.js';
import type { Db } from '../../db/client.js';

export interface AuditEntry {
  user?: AuthUser | { id: number; roles?: string[] } | null;
  action: string;
  resource: string;
  resourceId?: string | number | null;
  patientId?: number | null;
  outcome?: 'success' | 'failure' | 'denied';
  req?: Request;
  details?: Record<string, unknown>;
}

// Any constant key: all writers of the chain take this transaction-scoped lock in turn.
const CHAIN_LOCK = 727_001;

/** PostgreSQL's jsonb does not keep key order: details are hashed with their keys sorted. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v))) {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sortKeys(o[k])]));
  }
  return v;
}

/** The canonical text a row's hash covers (everything but id and hash). */
function canonicalLogText(row: {
  seq: number;
  prev_hash: string;
  id_users: number | null;
  role: string | null;
  action: string;
  resource: string;
  resource_id: string | null;
  id_patients: number | null;
  outcome: string;
  ip: string | null;
  user_agent: string | null;
  details: unknown;
  created_at: Date;
}) {
  return JSON.stringify([
    row.seq,
    row.prev_hash,
    row.id_users,
    row.role,
    row.action,
    row.resource,
    row.resource_id,
    row.id_patients,
    row.outcome,
    row.ip,
    row.user_agent,
    sortKeys(row.details ?? null),
    row.created_at.toISOString(),
  ]);
}

const hashLogRow = (row: Parameters<typeof canonicalLogText>[0]) =>
  createHash('sha256').update(row.prev_hash).update(canonicalLogText(row)).digest('hex');

async function append(db: Db, entry: AuditEntry, now: Date) {
  await db.$executeRaw`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`;
  const last = await db.log.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
  const user = entry.user ?? null;
  const row = {
    seq: (last?.seq ?? 0) + 1,
    prev_hash: last?.hash ?? '',
    id_users: user?.id ?? null,
    role: user?.roles?.[0] ?? null,
    action: entry.action,
    resource: entry.resource,
    resource_id: entry.resourceId == null ? null : String(entry.resourceId),
    id_patients: entry.patientId ?? null,
    outcome: entry.outcome ?? 'success',
    // the column's 64 characters: behind a proxy trusted whole (TRUST_PROXY=true) req.ip is the
    // client's own X-Forwarded-For text, and a longer one made the entry (and the request) fail
    ip: entry.req?.ip?.slice(0, 64) ?? null,
    user_agent: entry.req?.headers['user-agent']?.slice(0, 500) ?? null,
    details: (entry.details ?? null) as never,
    created_at: new Date(now.getTime()),
  };
  return db.log.create({ data: { ...row, details: row.details ?? undefined, hash: hashLogRow(row) } });
}

/**
 * Appends one row to the hash-chained audit log. Pass the request's transaction (`tx`) so the
 * log entry commits or rolls back with the change it records; without one, it runs in its own.
 */
export async function audit(app: AppContext, entry: AuditEntry, tx?: Db) {
  // The request now has its own, more precise entry: the generic admin-change entry is skipped.
  if (entry.req?.res) entry.req.res.locals.audited = true;
  if (tx) return append(tx, entry, app.now());
  return app.db.$transaction((t) => append(t, entry, app.now()));
}

/** Walks the chain; returns the first broken seq, or undefined when intact. */
export async function verifyAuditChain(db: Db): Promise<{ ok: true; rows: number } | { ok: false; seq: number; reason: string }> {
  let prev = '';
  let expectedSeq = 1;
  let rows = 0;
  // from the lowest seq there is, not from 1: a row slipped in before the first (seq 0 or below) is read too
  for (let cursor: number | undefined; ; ) {
    const batch = await db.log.findMany({ where: cursor === undefined ? {} : { seq: { gt: cursor } }, orderBy: { seq: 'asc' }, take: 1000 });
    if (!batch.length) break;
    for (const row of batch) {
      if (row.seq < expectedSeq) return { ok: false, seq: row.seq, reason: 'row inserted' };
      if (row.seq !== expectedSeq) return { ok: false, seq: expectedSeq, reason: 'missing row' };
      if (row.prev_hash !== prev) return { ok: false, seq: row.seq, reason: 'prev_hash does not match' };
      if (hashLogRow(row) !== row.hash) return { ok: false, seq: row.seq, reason: 'row altered' };
      prev = row.hash;
      expectedSeq += 1;
      rows += 1;
    }
    cursor = batch[batch.length - 1]!.seq;
  }
  return { ok: true, rows };
}
