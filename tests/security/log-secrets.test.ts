import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/context.js';
import { sqlRows } from '../../src/db/client.js';
import { errorHandler } from '../../src/http/errors.js';
import { requestLog } from '../../src/http/request-log.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

// A password recovery link's hash and a private file link's signature are credentials carried in
// the URL (the document's paths): the request log must not keep them, or whoever reads the logs
// can reset the password (a refused attempt leaves the hash usable) or fetch the health file.
describe('request log and secrets in URLs', () => {
  it('writes the URL without the recovery hash or the file signature', async () => {
    const lines: any[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const server = express();
    server.use(requestLog(logger, server.request));
    server.use((_req, res) => void res.status(400).json({}));
    const http = request(server);

    const hash = 'Zx9SecretRecoveryHash_0123456789';
    const signature = 'c2lnbmF0dXJlLXNlY3JldC0xMjM0NTY3ODkw';
    await http.post(`/users/a%40example.com/forgot/${hash}/password/email`).send({ new_password: 'x' });
    await http.post(`/users/6281200001111/FORGOT/${hash}/password/wa?x=1`);
    await http.get(`/files/patients/abc.png?expires=1900000000&signature=${signature}&x=1`);
    await new Promise((r) => setImmediate(r));

    const urls = lines.filter((l) => l.msg === 'request completed').map((l) => l.req.url);
    expect(urls).toEqual([
      '/users/a%40example.com/forgot/[redacted]/password/email',
      '/users/6281200001111/FORGOT/[redacted]/password/wa?x=1',
      '/files/patients/abc.png?expires=1900000000&signature=[redacted]&x=1',
    ]);
    expect(JSON.stringify(lines)).not.toContain(hash);
    expect(JSON.stringify(lines)).not.toContain(signature);
  });
});

// A route that fails with an unexpected database error answers 500 and logs the error. Prisma's
// message renders the call's arguments and PostgreSQL's detail the failing row: a patient's data
// or a password hash would end in the log. The log keeps what failed, not the values.
describe('logged 5xx errors and the data of the database call', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('keeps the error class, code, failing call, reason, model, request id and frames, without the arguments', async () => {
    const lines: any[] = [];
    const logger = createLogger({ ...t.app.config, LOG_LEVEL: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const server = express();
    server.use(requestLog(logger, server.request));
    server.get('/unknown-argument', async () => {
      await t.app.db.user.findMany({ where: { nonexistent: 'secret-value' } } as any);
    });
    server.get('/missing-argument', async () => {
      await t.app.db.user.create({ data: { username: 'secret-value', password_hash: '$2b$04$secret-value-hash' } } as any);
    });
    // a data exception: PostgreSQL's message quotes the value
    server.get('/bad-value', async () => {
      await t.app.db.$queryRaw`SELECT ${'secret-value'}::int`;
    });
    // a NOT NULL violation: PostgreSQL's detail lists the failing row
    server.get('/null-column', async () => {
      await sqlRows(t.app.db, 'INSERT INTO users (username, password_hash) VALUES ($1, $2)', ['secret-value', 'secret-value-hash']);
    });
    server.use(errorHandler(logger));
    const http = request(server);

    const failed = async (path: string) => {
      const res = await http.get(path).set('x-request-id', `req-${path.slice(1)}`);
      expect(res.status, path).toBe(500);
      await new Promise((r) => setImmediate(r));
      const line = lines.find((l) => l.msg === 'request failed' && l.req.id === `req-${path.slice(1)}`);
      expect(line, path).toBeDefined();
      expect(line.err.stack, path).toMatch(/\n\s+at /);
      return line.err;
    };
    expect(await failed('/unknown-argument')).toMatchObject({
      type: 'PrismaClientValidationError',
      message: expect.stringMatching(/^prisma\.user\.findMany\(\): Unknown argument `nonexistent`/),
    });
    expect(await failed('/missing-argument')).toMatchObject({
      type: 'PrismaClientValidationError',
      message: expect.stringMatching(/^prisma\.user\.create\(\): Argument `users_fullname` is missing\./),
    });
    expect(await failed('/bad-value')).toMatchObject({ code: 'P2010', meta: { database: { originalCode: '22P02' } } });
    // through pg on PostgreSQL, through Prisma's raw query on PGlite
    expect(await failed('/null-column')).toMatchObject({ code: expect.stringMatching(/^23502$|^P20/) });

    expect(JSON.stringify(lines)).not.toContain('secret-value');
  });
});
