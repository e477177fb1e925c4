import { expect } from 'vitest';
import type { TestApp, TestUser } from './app.js';

// The audit log in tests of "a change and its entry commit together" (tests/audit/change-entry*.test.ts).

/** Makes every insert into the audit log fail, as a full disk or a broken log table would. */
export async function breakAuditLog(t: TestApp) {
  await t.app.db.$executeRawUnsafe(`CREATE FUNCTION test_refuse_log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$`);
  await t.app.db.$executeRawUnsafe(`CREATE TRIGGER test_refuse_log BEFORE INSERT ON logs FOR EACH ROW EXECUTE FUNCTION test_refuse_log()`);
}
export async function repairAuditLog(t: TestApp) {
  await t.app.db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_refuse_log ON logs`);
  await t.app.db.$executeRawUnsafe(`DROP FUNCTION IF EXISTS test_refuse_log()`);
}

/** The generic entry of an audited change (by `by`, sent with User-Agent audit-test/1), as the route machinery writes it. */
export const entryOf = (action: string, resource: string, id: number | null, by: TestUser) => ({
  id_users: by.id,
  role: by.roles[0],
  action,
  resource,
  resource_id: id === null ? null : String(id),
  id_patients: null,
  outcome: 'success',
  ip: expect.stringMatching(/127\.0\.0\.1/),
  user_agent: 'audit-test/1',
  details: null,
});

export const lastSeq = async (t: TestApp) => (await t.app.db.log.aggregate({ _max: { seq: true } }))._max.seq ?? 0;
export const logsAfter = (t: TestApp, seq: number) => t.app.db.log.findMany({ where: { seq: { gt: seq } }, orderBy: { seq: 'asc' } });

/** the answer to a change whose entry could not be written */
export const REFUSED = { status: 500, message: 'Internal server error' };
