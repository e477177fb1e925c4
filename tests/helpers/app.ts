import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import type { AppContext } from '../../src/app-context.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createContext } from '../../src/context.js';
import { signToken } from '../../src/http/authenticate.js';
import type { Role } from '../../src/http/auth-user.js';
import { hashPassword } from '../../src/modules/identity/users.service.js';
import { watchTableChanges } from '../../src/db/table-changes.js';
import { createTestDatabase } from './database.js';
import { responseValidator } from './response-validator.js';

export const TEST_PASSWORD = 'secret-pass-123';

export interface TestUser {
  id: number;
  username: string;
  token: string;
  roles: Role[];
}

/**
 * A real app on a fresh database of its own (PostgreSQL with TEST_DATABASE_URL, else PGlite).
 * External services are pointed at local fake servers by the tests that need them (env overrides).
 */
export async function createTestApp(env: Record<string, string> = {}) {
  const database = await createTestDatabase();
  const dir = mkdtempSync(path.join(tmpdir(), 'colederma-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    BCRYPT_COST: '4',
    JWT_SECRET: 'test-secret-that-is-long-enough-0123456789',
    PUBLIC_BASE_URL: 'http://api.test',
    UPLOAD_DIR: path.join(dir, 'uploads'),
    PRIVATE_UPLOAD_DIR: path.join(dir, 'private'),
    // the rate-limit tests turn it on; elsewhere many requests come from one IP
    RATE_LIMIT_ENABLED: 'false',
    ...env,
  });
  const app: AppContext = createContext(config, database.prisma);
  // the read cache on, as in the server, so that every test also checks that no answer is stale
  const stopWatching = await watchTableChanges(app.db, [app.reads, app.callers], app.logger);
  const validator = responseValidator(app);
  const server = createApp(app, undefined, { before: validator.handler });
  const http = supertest(server);
  let counter = 0;

  /** Creates a user with the given roles straight in the database and signs a token for it. */
  async function user(roles: Role[] = ['CUSTOMER'], fields: Record<string, unknown> = {}): Promise<TestUser> {
    counter += 1;
    const username = `u${counter}_${roles.join('_').toLowerCase()}_${Math.random().toString(36).slice(2, 7)}`;
    const u = await app.db.user.create({
      data: {
        username,
        users_fullname: `Test ${username}`,
        users_email: `${username}@example.com`,
        users_phone: `0812${String(Date.now() % 1e7).padStart(7, '0')}${counter}`.slice(0, 15),
        password_hash: await hashPassword(app, TEST_PASSWORD),
        roles: { create: roles.map((role_codes) => ({ role_codes })) },
        ...fields,
      },
    });
    return { id: u.id, username, roles, token: signToken(app, { id: u.id, token_version: u.token_version, roles }) };
  }

  const auth = (u: TestUser | string) => ({ Authorization: `Bearer ${typeof u === 'string' ? u : u.token}` });

  return {
    app,
    http,
    /** PostgreSQL URL of this file's database (TEST_DATABASE_URL mode), e.g. for scripts */
    databaseUrl: database.databaseUrl,
    user,
    auth,
    /** answers that did not match openapi.json so far */
    responseProblems: () => validator.problems(),
    async close() {
      const problems = await validator.problems();
      await stopWatching();
      await database.close();
      rmSync(dir, { recursive: true, force: true });
      if (problems.length) throw new Error(`Answers that do not match openapi.json:\n${problems.join('\n')}`);
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/** Smallest valid PNG (1×1), for upload tests. */
export const PNG_1PX = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
