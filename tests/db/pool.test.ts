// The server's PostgreSQL pool when the database ends idle connections (a restart, a failover, an
// administrator's pg_terminate_backend): the process must not crash, and the next query must work.
import express from 'express';
import pg from 'pg';
import pino from 'pino';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, pageClause, sqlRows, type Database } from '../../src/db/client.js';
import { errorHandler } from '../../src/http/errors.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

describe.skipIf(!process.env.TEST_DATABASE_URL)('the PostgreSQL pool', () => {
  let testDb: TestDatabase;
  let db: Database;
  const dropped: Error[] = [];
  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = await createDatabase({ databaseUrl: testDb.databaseUrl, poolMax: 3, onIdleConnectionError: (err) => dropped.push(err) });
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.close();
  });

  it('survives the server ending its idle connections, and says so', async () => {
    // three connections open and idle in the pool
    const pids = await Promise.all([1, 2, 3].map(() => sqlRows<{ pid: number }>(db.prisma, 'SELECT pg_backend_pid() AS pid, pg_sleep(0.3)')));
    expect(new Set(pids.map((r) => r[0]!.pid)).size).toBe(3);
    const admin = new pg.Client({ connectionString: testDb.databaseUrl });
    await admin.connect();
    try {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    } finally {
      await admin.end();
    }
    // all three told (a connection whose end the pool has not read yet would still be handed out)
    await expect.poll(() => dropped.length, { timeout: 10_000 }).toBe(3);
    expect(dropped[0]!.message).toMatch(/terminat/i);
    // the pool opens new connections: plain statements and Prisma both work
    expect((await sqlRows<{ n: number }>(db.prisma, 'SELECT 1 AS n'))[0]!.n).toBe(1);
    expect(await db.prisma.user.count()).toBeGreaterThanOrEqual(0);
  });

  it('runs prepared statements with their own values on every connection, and any number of texts', async () => {
    // the same text with different values, concurrently (several connections, each preparing it once)
    const ids = Array.from({ length: 30 }, (_, i) => i + 1);
    const answers = await Promise.all(ids.map((i) => sqlRows<{ n: number }>(db.prisma, 'SELECT $1::int * 2 AS n', [i], { prepared: true })));
    expect(answers.map((r) => r[0]!.n)).toEqual(ids.map((i) => i * 2));
    // more distinct texts than are kept prepared: the rest run as one-off statements, same answers
    for (let i = 0; i < 260; i++) {
      const [row] = await sqlRows<{ n: number }>(db.prisma, `SELECT $1::int + ${i} AS n`, [1], { prepared: true });
      expect(row!.n).toBe(1 + i);
    }
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('prepared statements', () => {
  let testDb: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    // one connection, so pg_prepared_statements shows what this client prepared
    db = await createDatabase({ databaseUrl: testDb.databaseUrl, poolMax: 1 });
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.close();
  });
  const prepared = () => sqlRows<{ statement: string }>(db.prisma, `SELECT statement FROM pg_prepared_statements WHERE name LIKE 'colederma%'`);

  it("keep Prisma's recurring statements prepared, but not pattern searches", async () => {
    await db.prisma.user.findFirst({ where: { id: 1 } });
    expect((await prepared()).some((p) => p.statement.includes('"users"'))).toBe(false); // a first run: not yet
    await db.prisma.user.findFirst({ where: { id: 2 } });
    await db.prisma.user.findFirst({ where: { id: 3 } });
    expect((await prepared()).filter((p) => p.statement.includes('"users"'))).toHaveLength(1);
    for (const term of ['a', 'b', 'c']) await db.prisma.user.findMany({ where: { username: { contains: term, mode: 'insensitive' } } });
    expect((await prepared()).some((p) => /ILIKE/i.test(p.statement))).toBe(false);
  });

  it('keep the statements in use prepared however many others came before, and forget the rest', async () => {
    // far more recurring texts than are kept prepared (300), as page offsets and filters make over days
    for (let i = 0; i < 700; i++) for (let k = 0; k < 2; k++) await sqlRows(db.prisma, `SELECT $1::int - ${i} AS n`, [1], { prepared: true });
    const hot = 'SELECT $1::int * 3 AS hot';
    for (const n of [1, 2, 3]) expect((await sqlRows<{ hot: number }>(db.prisma, hot, [n], { prepared: true }))[0]!.hot).toBe(n * 3);
    const held = await prepared();
    expect(held.some((p) => p.statement === hot)).toBe(true);
    // the forgotten ones are deallocated on the connection, not piled up (700 here otherwise)
    expect(held.length).toBeLessThanOrEqual(2 * 300 + 5);
  });

  it('can be turned off (DB_PREPARED_STATEMENTS=false, for a pooler that cannot keep them)', async () => {
    const plain = await createDatabase({ databaseUrl: testDb.databaseUrl, poolMax: 1, preparedStatements: false });
    try {
      for (const id of [1, 2, 3]) {
        await plain.prisma.user.findFirst({ where: { id } });
        await sqlRows(plain.prisma, 'SELECT $1::int AS n', [id], { prepared: true });
      }
      const left = await sqlRows<{ n: number }>(plain.prisma, 'SELECT count(*)::int AS n FROM pg_prepared_statements');
      expect(left[0]!.n).toBe(0);
    } finally {
      await plain.close();
    }
  });

  it('runs its sessions with JIT off, Prisma\'s statements and plain ones alike', async () => {
    expect((await sqlRows<{ jit: string }>(db.prisma, 'SHOW jit'))[0]!.jit).toBe('off');
    expect((await db.prisma.$queryRaw<{ jit: string }[]>`SELECT current_setting('jit') AS jit`)[0]!.jit).toBe('off');
  });
});

describe('pageClause', () => {
  it('writes a page as literals and refuses anything but non-negative integers', () => {
    expect(pageClause(20, 10)).toBe('OFFSET 20 LIMIT 10');
    for (const [skip, take] of [[-1, 10], [0, 1.5], [Number.NaN, 1], [0, Number.MAX_SAFE_INTEGER + 2]]) expect(() => pageClause(skip!, take!)).toThrow(RangeError);
  });
});

describe('errors of plain statements (sqlRows)', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(() => testDb.close());

  it('answer as the same SQLSTATE does through Prisma (422, 409), never 500', async () => {
    // on PostgreSQL sqlRows goes through pg (the SQLSTATE is the error's own `code`), on PGlite through Prisma
    const raise = (state: string) => sqlRows(testDb.prisma, `DO $$ BEGIN RAISE EXCEPTION 'raised' USING ERRCODE = '${state}'; END $$`).catch((e: unknown) => e);
    const app = express();
    let error: unknown;
    app.get('/', () => {
      throw error;
    });
    app.use(errorHandler(pino({ level: 'silent' })));
    const answers: Record<string, unknown> = {};
    for (const state of ['22003', '23505', '23503', '23001', '40001', '40P01', '42P01']) {
      error = await raise(state);
      const r = await supertest(app).get('/');
      answers[state] = [r.status, r.body.message];
    }
    // the real statement of deliveries/calculate beyond a 32-bit column
    error = await sqlRows(testDb.prisma, 'SELECT $1::int + 1 AS n', [2_147_483_647]).catch((e: unknown) => e);
    answers.overflow = [(await supertest(app).get('/')).status];
    expect(answers).toEqual({
      '22003': [422, expect.stringMatching(/too large/)],
      '23505': [409, expect.stringMatching(/Duplicate/)],
      '23503': [409, expect.stringMatching(/referenced/)],
      '23001': [409, expect.stringMatching(/referenced/)],
      '40001': [409, 'Concurrent update, please retry'],
      '40P01': [409, 'Concurrent update, please retry'],
      // anything else stays an internal error
      '42P01': [500, 'Internal server error'],
      overflow: [422],
    });
  });
});
