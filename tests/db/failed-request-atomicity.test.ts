import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../journeys/world.js';
import { endpoints, label } from '../security/route-table.js';
import { CASES, NOT_COVERED, type Case, type Send } from './atomicity-cases.js';

// "Nothing half-written to the database when a request fails" (DESIGN.md), for every state-changing
// route of the route table. Each case sets up a valid request of the route's legitimate caller and
// sends it twice, each time on a fresh setup:
//  1. as it is: it succeeds, and a row trigger on every table of the public schema notes, in order,
//     each row it inserts, updates or deletes (the probe lives in a schema of its own);
//  2. with the LAST of those row writes made to fail once (a BEFORE row trigger on that table raises
//     on its k-th write, k its count in the first run; a later write, e.g. an undo, goes through, as
//     after a lost connection or a failover), and, for a request of several transactions, again
//     with the last write of each of the others failing: the answer is a 5xx, and the whole public
//     schema (every row of every table) and the upload folders are as they were before the
//     request, but for the tables the case names as written outside the request's transaction on
//     purpose, each with its reason (and, where the case says how, a check that it is right: e.g.
//     that the client's retry finishes the change).
// Runs on PostgreSQL and PGlite (triggers and sequences are the database's own).

let w: World;

const PROBE = `
CREATE SCHEMA fault_probe;
CREATE TABLE fault_probe.writes (seq serial PRIMARY KEY, tbl text NOT NULL, op text NOT NULL, tx bigint NOT NULL DEFAULT txid_current());
CREATE TABLE fault_probe.fault (tbl text, after_n int);
CREATE SEQUENCE fault_probe.hits;
CREATE FUNCTION fault_probe.note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO fault_probe.writes (tbl, op) VALUES (TG_TABLE_NAME, TG_OP); RETURN NULL; END $$;
CREATE FUNCTION fault_probe.fail() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE f fault_probe.fault;
BEGIN
  SELECT * INTO f FROM fault_probe.fault WHERE tbl = TG_TABLE_NAME;
  IF f.tbl IS NOT NULL THEN
    IF nextval('fault_probe.hits') = f.after_n THEN RAISE EXCEPTION 'injected fault on %', TG_TABLE_NAME; END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;
CREATE FUNCTION fault_probe.fail_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF nextval('fault_probe.hits') = TG_ARGV[0]::int THEN RAISE EXCEPTION 'injected fault on the commit of a write to %', TG_TABLE_NAME; END IF;
  RETURN NULL;
END $$;`;
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

let tables: string[] = [];
const sql = (text: string) => w.t.app.db.$executeRawUnsafe(text);

/** limits no case reaches: the rate limits on, so that what they count is seen */
const RATE_LIMITS = Object.fromEntries(
  ['LOGIN_PER_IP', 'LOGIN_PER_ACCOUNT', 'REGISTER_PER_IP', 'RECOVERY_PER_IP', 'RECOVERY_PER_ACCOUNT'].map((k) => [`RATE_LIMIT_${k}`, '100000']),
);

/**
 * Written outside every request on purpose: the rate limits (src/http/rate-limit.ts) count a
 * request before its handler runs, each key in a statement of its own, so a request that then
 * fails still counts (a client cannot get more tries by making its requests fail). Checked: no
 * key went up by more than one (none did when counting itself failed), and none went away.
 */
const RATE_LIMIT_BUCKETS = { rate_limit_buckets: { reason: 'the rate limits count a request before it runs, whatever it answers' } };
const buckets = async () => new Map((await w.t.app.db.rateLimitBucket.findMany()).map((b) => [b.key, b.count]));

beforeAll(async () => {
  w = await startWorld({ RATE_LIMIT_ENABLED: 'true', ...RATE_LIMITS });
  tables = (
    await w.t.app.db.$queryRawUnsafe<{ t: string }[]>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1`)
  ).map((r) => r.t);
  for (const s of PROBE.split(/;\n(?=CREATE)/)) await sql(s);
  for (const tb of tables) {
    await sql(`CREATE TRIGGER zz_fault_probe AFTER INSERT OR UPDATE OR DELETE ON "${tb}" FOR EACH ROW EXECUTE FUNCTION fault_probe.note()`);
    await sql(`CREATE TRIGGER aa_fault_probe BEFORE INSERT OR UPDATE OR DELETE ON "${tb}" FOR EACH ROW EXECUTE FUNCTION fault_probe.fail()`);
  }
}, 120_000);
afterAll(() => w?.close());

/**
 * Every row of every table of the public schema, as JSON text, sorted; `skip`: tables left out, or
 * the columns of a table left out.
 */
async function snapshot(skip: Case['outside'] = {}): Promise<Map<string, string[]>> {
  const row = (tb: string) => {
    const cols = skip[tb]?.columns;
    return cols ? `to_jsonb(x) - ARRAY[${cols.map((c) => `'${c}'`).join(', ')}]::text[]` : 'to_jsonb(x)';
  };
  const rows = await w.t.app.db.$queryRawUnsafe<{ t: string; r: string[] | null }[]>(
    tables
      .filter((tb) => !skip[tb] || skip[tb].columns)
      .map((tb) => `SELECT '${tb}' AS t, (SELECT array_agg((${row(tb)})::text ORDER BY (${row(tb)})::text) FROM "${tb}" x) AS r`)
      .join(' UNION ALL '),
  );
  return new Map(rows.map((r) => [r.t, r.r ?? []]));
}

/** The files under both upload folders, with their sizes. */
function files(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const p = path.join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(`${p} ${statSync(p).size}`);
    }
  };
  walk(w.t.app.config.UPLOAD_DIR);
  walk(w.t.app.config.PRIVATE_UPLOAD_DIR);
  return out.sort();
}

/** What changed between two snapshots: per table, the rows gone and the rows new. */
function changes(before: Map<string, string[]>, after: Map<string, string[]>) {
  const out: Record<string, { gone: string[]; new: string[] }> = {};
  for (const tb of tables) {
    if (!before.has(tb)) continue;
    const b = before.get(tb) ?? [];
    const a = after.get(tb) ?? [];
    const bs = new Set(b);
    const as = new Set(a);
    const gone = b.filter((r) => !as.has(r));
    const added = a.filter((r) => !bs.has(r));
    if (gone.length || added.length || a.length !== b.length) out[tb] = { gone, new: added };
  }
  return out;
}

async function send(r: Send) {
  let req = w.t.http[r.method](r.path);
  if (r.bearer) req = req.set('Authorization', `Bearer ${r.bearer}`);
  if (r.attach) {
    for (const [k, v] of Object.entries(r.body ?? {})) req = req.field(k, String(v));
    return req.attach(r.attach.field, r.attach.file, r.attach.name);
  }
  return r.body === undefined ? req : req.send(r.body);
}

describe('a state-changing request whose last write fails', () => {
  it('every POST/PUT/DELETE route is covered, or named with the reason it is not', () => {
    const byDef = new Map<unknown, string[]>();
    for (const e of endpoints()) byDef.set(e.def, [...(byDef.get(e.def) ?? []), label(e)]);
    const covered = new Set(CASES.flatMap((c) => byDef.get(endpoints().find((e) => label(e) === c.route)?.def) ?? [c.route]));
    const missing = endpoints()
      .filter((e) => e.method !== 'get' && !covered.has(label(e)) && !NOT_COVERED.some(([re]) => re.test(label(e))))
      .map(label);
    expect(missing).toEqual([]);
    // no case or reason for a route the app no longer has
    expect(CASES.map((c) => c.route).filter((r) => !endpoints().some((e) => label(e) === r))).toEqual([]);
    expect(NOT_COVERED.filter(([re]) => !endpoints().some((e) => e.method !== 'get' && re.test(label(e)))).map(([re]) => String(re))).toEqual([]);
  });

  for (const c of CASES) {
    it(`${c.route}${c.variant ? `, ${c.variant}` : ''}: nothing of it stays${c.outside ? ` (but ${Object.keys(c.outside).join(', ')})` : ''}`, async () => {
      // 1. the request as it is: which rows it writes, in order, in which transactions
      const ok = await c.setup(w);
      await sql(`TRUNCATE fault_probe.writes`);
      const first = await send(ok);
      expect(first.status, `${c.route}: ${first.text.slice(0, 300)}`).toBeLessThan(300);
      const writes = await w.t.app.db.$queryRawUnsafe<{ tbl: string; tx: bigint }[]>(`SELECT tbl, tx FROM fault_probe.writes ORDER BY seq`);
      expect(writes.length, `${c.route} writes nothing`).toBeGreaterThan(0);
      const trail = writes.map((x) => x.tbl).join(', ');

      // 2. the same request on a new setup, with the last write of one of its transactions failing:
      // each transaction's in turn, the request's very last write at the end
      const lastOfTx = writes.map((x, i) => i).filter((i) => i === writes.length - 1 || writes[i + 1]!.tx !== writes[i]!.tx);
      // 3. (PostgreSQL) the commit of the request's last transaction failing (a deferred trigger on
      // its last write raises at COMMIT): what the request does after its last write but before
      // the commit is known to have held, e.g. removing a replaced file, shows. (The PGlite adapter
      // reports a failed COMMIT as done: tests/catalogue/image-delete-commit.test.ts.)
      const runs = [...lastOfTx.map((at) => ({ at, commit: false })), ...(onPostgres ? [{ at: writes.length - 1, commit: true }] : [])];
      for (const { at, commit } of runs) {
        const table = writes[at]!.tbl;
        const k = writes.slice(0, at + 1).filter((x) => x.tbl === table).length;
        const what = `${c.route} with ${commit ? 'the commit of ' : ''}${table}'s write #${k} failing (the request's write ${at + 1} of ${writes.length}: ${trail})`;
        const again = await c.setup(w);
        const before = await snapshot({ ...RATE_LIMIT_BUCKETS, ...c.outside });
        const filesBefore = files();
        const counted = await buckets();
        await sql(`SELECT setval('fault_probe.hits', 1, false)`);
        if (commit) await sql(`CREATE CONSTRAINT TRIGGER zz_fault_commit AFTER INSERT OR UPDATE OR DELETE ON "${table}" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fault_probe.fail_commit(${k})`);
        else await sql(`INSERT INTO fault_probe.fault VALUES ('${table}', ${k})`);
        let failed;
        try {
          failed = await send(again);
        } finally {
          if (commit) await sql(`DROP TRIGGER zz_fault_commit ON "${table}"`);
          else await sql(`DELETE FROM fault_probe.fault`);
        }
        expect(failed.status, `${what}: ${failed.text.slice(0, 300)}`).toBeGreaterThanOrEqual(500);
        expect(changes(before, await snapshot({ ...RATE_LIMIT_BUCKETS, ...c.outside })), `${what}: left behind`).toEqual({});
        const countedNow = await buckets();
        expect([...countedNow].filter(([key, n]) => n !== (counted.get(key) ?? 0) + 1 && n !== counted.get(key)), `${what}: rate limits`).toEqual([]);
        expect([...counted.keys()].filter((key) => !countedNow.has(key))).toEqual([]);
        expect(files(), `${what}: files left behind`).toEqual(filesBefore);
        if (at === writes.length - 1 && !commit) await c.verify?.(w, again);
      }
    });
  }
});
