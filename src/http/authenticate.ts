import { createSecretKey, type KeyObject } from 'node:crypto';
import type { Request } from 'express';
import jwt from 'jsonwebtoken';
import type { AppContext } from '../app-context.js';
import { sqlRows } from '../db/client.js';
import { knownRoles, type AuthUser, type Role } from './auth-user.js';
import { unauthorized } from './errors.js';

interface TokenClaims {
  sub: string;
  tv: number;
  roles: Role[];
}

const keys = new Map<string, KeyObject>();
/**
 * The HMAC key as a KeyObject, made once per secret. Given a string, jsonwebtoken first tries
 * `createPublicKey` on it (which throws for an HMAC secret) on every sign and verify: a measurable
 * per-request cost under load.
 */
function jwtKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
}

export function signToken(app: AppContext, user: { id: number; token_version: number; roles: Role[] }): string {
  const claims: TokenClaims = { sub: String(user.id), tv: user.token_version, roles: user.roles };
  return jwt.sign(claims, jwtKey(app.config.JWT_SECRET), {
    algorithm: 'HS256',
    expiresIn: app.config.JWT_EXPIRES_IN as jwt.SignOptions['expiresIn'],
  });
}

function bearer(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

interface Account {
  id: number;
  username: string;
  token_version: number;
  is_blocked: number;
  deleted_at: Date | null;
  roles: string[];
}

/**
 * The account behind a token: kept by `app.callers` until the database says it changed (the
 * `user_auth:<id>` notifications of the user_auth_change_notify migration, sent after each commit
 * that changes the user's username, token version, block, deletion or roles, however it was made).
 * A change made through this API is heard before its request answers (register.ts settles the
 * caches), so a block, a password change or a lost role ends older tokens at once; one made
 * elsewhere (another server, psql) a moment after its commit. An unknown id is never kept.
 */
function account(app: AppContext, id: number): Promise<Account | undefined> {
  return app.callers.get(`user:${id}`, ['user_auth', `user_auth:${id}`], async () => {
    // One round trip for the user and their roles (a Prisma select with the relation makes two),
    // sent as plain SQL (sqlRows): the Prisma client's own per-call work would cost more CPU than
    // the whole statement.
    const [row] = await sqlRows<Account>(
      app.db,
      `SELECT u.id, u.username, u.token_version, u.is_blocked, u.deleted_at,
              coalesce((SELECT array_agg(r.role_codes::text) FROM user_roles r WHERE r.id_users = u.id), '{}') AS roles
       FROM users u WHERE u.id = $1`,
      [id],
      { prepared: true },
    );
    // an unknown id is not kept: no notification would tell of its insertion
    return { value: row, validUntil: row ? undefined : 0 };
  });
}

/**
 * Resolves the caller from the bearer token. Roles, blocks and deletion are the database's current
 * ones (see `account`), so a block or a password change ends older tokens.
 * On public routes a bad token is ignored (the caller is anonymous); elsewhere it is a 401.
 */
export async function authenticate(app: AppContext, req: Request, required: boolean): Promise<AuthUser | undefined> {
  const token = bearer(req);
  if (!token) {
    if (required) throw unauthorized();
    return undefined;
  }
  let claims: TokenClaims;
  try {
    claims = jwt.verify(token, jwtKey(app.config.JWT_SECRET), { algorithms: ['HS256'] }) as TokenClaims;
  } catch (err) {
    if (!required) return undefined;
    throw unauthorized(err instanceof jwt.TokenExpiredError ? 'Token expired' : 'Invalid token');
  }
  const id = Number(claims.sub);
  // an id beyond the users.id column (int4) made the account lookup fail with a 422 about amounts
  if (!Number.isSafeInteger(id) || id <= 0 || id > 2_147_483_647 || typeof claims.tv !== 'number') {
    if (!required) return undefined;
    throw unauthorized('Invalid token');
  }
  const user = await account(app, id);
  if (!user || user.deleted_at || user.is_blocked || user.token_version !== claims.tv) {
    if (!required) return undefined;
    throw unauthorized(user?.is_blocked ? 'Account is blocked' : 'Session is no longer valid');
  }
  const roles = knownRoles(user.roles);
  const authUser: AuthUser = { id: user.id, username: user.username, roles, token_version: claims.tv };
  req.user = authUser;
  return authUser;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      user?: AuthUser;
    }
  }
}
