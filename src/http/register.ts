import express, { type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { fileTypeFromBuffer } from 'file-type';
import { MalformedImageError, stripImageMetadata } from '../lib/image-metadata.js';
import type { AppContext } from '../app-context.js';
import { hasRole, isStaff } from './auth-user.js';
import { authenticate } from './authenticate.js';
import { audit } from '../modules/audit/audit.service.js';
import { badRequest, forbidden, HttpError, unauthorized, zodFieldErrors } from './errors.js';
import { isReadOnly, methodsOf, type RouteDef, type UploadSpec } from './route.js';
import type { Tx } from '../db/client.js';

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);
/** the most a multipart text field may hold (an upload form's fields are ids and flags) */
const MAX_FIELD_BYTES = 10_000;
/** decimal digits only: `0x10`, `1e1` or ` 16` in a path are not row 16 */
const idParam = z.string().regex(/^\d{1,10}$/, 'expected a positive integer').transform(Number).pipe(z.number().int().positive().max(2_147_483_647));

/** Path parameters named `id` (or `id_*`) are positive integers; others are strings. */
function defaultParams(path: string): z.ZodType | undefined {
  const names = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  if (!names.length) return undefined;
  return z.object(Object.fromEntries(names.map((n) => [n, n === 'id' || n.startsWith('id_') ? idParam : z.string().min(1).max(200)])));
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return value as T;
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    throw badRequest(where === 'params' ? 'Invalid path parameter' : 'Invalid input', zodFieldErrors(result.error, where === 'body' ? undefined : where));
  }
  return result.data;
}

/**
 * What multer passes on is about the request's body: its own limits (MulterError, mapped by the
 * error handler: 413 or 400), or busboy's plain Errors for a body it cannot parse ("Multipart:
 * Boundary not found", "Unexpected end of form", "Malformed part header", …) or a request that
 * broke off. The storage is memory, so nothing here is the server's fault: a 400, not a 500.
 */
function asUploadError(err: unknown): unknown {
  if (err instanceof multer.MulterError || err instanceof HttpError) return err;
  const message = err instanceof Error && err.message ? err.message : 'malformed multipart body';
  return badRequest(`Invalid upload: ${message}`);
}

async function readUpload(req: Request, res: Response, spec: UploadSpec, maxBytes: number) {
  // Browsers and HTTP clients send a file name's UTF-8 bytes as they are (filename="é.png");
  // busboy would read them as latin1 ('Ã©') unless told.
  // The form's text fields are ids and flags. busboy keeps each in memory up to `fieldSize` (1 MB
  // unless told): 50 of them were 50 times the JSON body limit, for any signed-in caller.
  const limits = { fileSize: maxBytes, files: 1, fields: 50, fieldSize: MAX_FIELD_BYTES };
  const upload = multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits }).single(spec.field);
  await new Promise<void>((resolve, reject) => upload(req, res, (err?: unknown) => (err ? reject(asUploadError(err)) : resolve())));
  const file = req.file;
  if (!file) {
    if (spec.required !== false) throw badRequest(`File field "${spec.field}" is required`, [{ field: spec.field, message: 'required' }]);
    return undefined;
  }
  // The client's name and Content-Type are not trusted: the bytes decide.
  const detected = await fileTypeFromBuffer(file.buffer);
  const ok = detected && (IMAGE_TYPES.has(detected.mime) || (spec.accept === 'image-or-pdf' && detected.mime === 'application/pdf'));
  if (!ok) {
    throw new HttpError(415, spec.accept === 'image' ? 'The file must be a JPEG, PNG, WebP or GIF image' : 'The file must be an image or a PDF', [
      { field: spec.field, message: 'unsupported file type' },
    ]);
  }
  // Photos carry where and when they were taken (Exif GPS, device, times): not kept, not served.
  let buffer: Buffer;
  try {
    buffer = stripImageMetadata(detected.mime, file.buffer);
  } catch (err) {
    if (!(err instanceof MalformedImageError)) throw err;
    throw new HttpError(415, 'The file is not a readable image', [{ field: spec.field, message: err.message }]);
  }
  return { buffer, mime: detected.mime, ext: detected.ext, size: buffer.length };
}

/** a UTF-16 surrogate without its other half (JSON's "\ud800" escape makes one) */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why PostgreSQL could not store a text as given, if it could not. */
function unstorable(s: string): string | undefined {
  if (s.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(s)) return 'must be valid Unicode text (a lone surrogate)';
  return undefined;
}

/** deeper than any request of the API (a Midtrans notification's `va_numbers[0].bank` is 3) */
const MAX_DEPTH = 20;

/**
 * Text PostgreSQL cannot hold as given is refused up front as invalid input: U+0000 fails deep in
 * the database with a 500; a lone surrogate is refused in JSON and silently turned into U+FFFD in
 * text (so a value hashed before it was stored, as the audit chain does, no longer matches).
 * A value nested deeper than this looks is refused too: the Midtrans notification is stored as sent,
 * and a NUL beyond the check, or thousands of levels (Prisma's serialiser overflows the stack),
 * failed there with a 500.
 */
function assertNoNul(value: unknown, where: string, depth = 0): void {
  if (typeof value === 'string') {
    const why = unstorable(value);
    if (why) throw badRequest('Invalid input', [{ field: where, message: why }]);
  } else if (value && typeof value === 'object') {
    if (depth >= MAX_DEPTH && Object.keys(value).length) {
      throw badRequest('Invalid input', [{ field: where, message: `nested deeper than ${MAX_DEPTH} levels` }]);
    }
    for (const [k, v] of Object.entries(value)) {
      const why = unstorable(k);
      if (why) throw badRequest('Invalid input', [{ field: where, message: why }]);
      assertNoNul(v, `${where}.${k}`, depth + 1);
    }
  }
}

function checkAccess(def: RouteDef, user: RequestContextUser) {
  if (def.access === 'public') return;
  if (!user) throw unauthorized();
  if (def.access === 'authenticated') return;
  if (!user.roles.some((r) => def.access.includes(r))) throw forbidden();
}
type RequestContextUser = import('./auth-user.js').AuthUser | undefined;

/** Mounts route definitions: authentication, access rule, validation, then the handler. */
export function registerRoutes(app: AppContext, defs: RouteDef[]): RequestHandler {
  // Express tries a router's routes one by one (a regular expression each, ~313 of them), which
  // cost a measurable part of a request's CPU. So paths without parameters
  // ("/thread_messages/explore", most of the API) are found by one Map lookup, and the others by
  // a router holding only the routes of their first segment ("/orders/:id" among the "/orders/..."
  // ones; no route starts with a parameter, and a path's first segment decides which of them can
  // match). The keys follow Express's matching: case insensitive, one trailing slash allowed.
  const routers = new Map<string, express.Router>();
  const routerOf = (path: string) => {
    if (path.startsWith('/:')) throw new Error(`${path}: a route may not start with a parameter (see routerOf)`);
    const key = firstSegment(path);
    let router = routers.get(key);
    if (!router) routers.set(key, (router = express.Router()));
    return router;
  };
  const exact = new Map<string, (req: Request, res: Response) => Promise<void>>();
  /** every change committed so far heard by the read caches (a write answers only after it) */
  const settleCaches = () => Promise.all([app.reads.settle(), app.callers.settle()]);
  const allowed = new Map<string, Set<string>>(); // path → its methods, for the 405s below
  for (const def of sortBySpecificity(defs)) {
    const params = def.params ?? defaultParams(def.path);
    for (const method of methodsOf(def)) {
      const methods = allowed.get(def.path) ?? allowed.set(def.path, new Set()).get(def.path)!;
      methods.add(method.toUpperCase());
      if (method === 'get') methods.add('HEAD');
      const isChange = method !== 'get' && !isReadOnly(def);
      const handler = async (req: Request, res: Response) => {
        res.locals.route = def; // which documented operation answers (for the suite's response check)
        const user = await authenticate(app, req, def.access !== 'public');
        checkAccess(def, user);
        assertBodyType(req, def);
        assertNoNul(req.params, 'params');
        assertNoNul(req.query, 'query');
        assertNoNul(req.body, 'body');
        const parsedParams = parse(params, req.params, 'params');
        const file = def.upload ? await readUpload(req, res, def.upload, app.config.UPLOAD_MAX_BYTES) : undefined;
        const body = parse(def.body, req.body, 'body');
        const query = parse(def.query, req.query, 'query');
        const staffChange = isChange && (Array.isArray(def.access) || isStaff(user) || hasRole(user, ...(def.auditedRoles ?? [])));
        const auditChange = async (tx: Tx, answer?: unknown) => {
          if (staffChange && !res.locals.audited) await auditAdminChange(app, def, method, req, parsedParams, answer, tx);
        };
        let result: unknown;
        try {
          result = await def.handler({ req, res, app, user, body, query, params: parsedParams, file, auditChange });
        } catch (err) {
          // a refused change may have committed part of its work (a wrong current password counts
          // toward the lockout before the 422): heard by the caches before the client asks again
          if (isChange) await settleCaches().catch(() => undefined);
          throw err;
        }
        if (isChange) {
          // a handler that did not write the entry in its transaction (auditChange): written now
          if (staffChange && !res.locals.audited) await auditAdminChange(app, def, method, req, parsedParams, result);
          // a change this request made is heard by the read caches before the client can ask again
          await settleCaches();
        }
        if (result !== undefined && !res.headersSent) res.json(result);
      };
      routerOf(def.path)[method](def.path, handler);
      const key = `${method.toUpperCase()} ${def.path.toLowerCase()}`;
      if (!/[:*?(){}]/.test(def.path) && !exact.has(key)) exact.set(key, handler);
    }
  }
  // A path the API has, asked with a method it does not answer there: 405 naming the methods it
  // does (reached only when no route matched; OPTIONS is left to CORS and Express's own answer).
  const wrongMethod = express.Router();
  for (const [path, methods] of allowed) {
    wrongMethod.all(path, (req, _res, next) => {
      if (req.method === 'OPTIONS') return next();
      throw new HttpError(405, `${req.method} is not allowed on this path (allowed: ${[...methods].join(', ')})`, undefined, { Allow: [...methods].join(', ') });
    });
  }
  return (req, res, next) => {
    let path = req.path;
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    const handler = exact.get(`${req.method === 'HEAD' ? 'GET' : req.method} ${path.toLowerCase()}`);
    if (!handler) {
      const router = routers.get(firstSegment(path));
      const missed = (err?: unknown) => (err ? next(err) : wrongMethod(req, res, next));
      return router ? router(req, res, missed) : next();
    }
    req.params = {};
    handler(req, res).catch(next);
  };
}

/** "/orders/12/checkout" → "orders" (lower case, as Express matches) */
const firstSegment = (path: string) => {
  const end = path.indexOf('/', 1);
  return (end < 0 ? path.slice(1) : path.slice(1, end)).toLowerCase();
};

/**
 * Every successful change through a role-restricted (admin) endpoint, or made by staff through any
 * other endpoint (e.g. an admin editing a customer with users/:id/update), or by a role the route names
 * in `auditedRoles` (a doctor's cancel or move of an appointment), is appended to the audit log
 * (reads sent as POST – explore, search, table, reports, dashboards – are not changes: see isReadOnly):
 * who, role, action (method and path pattern), resource, id and IP. Done here once instead of in
 * each module: in the handler's transaction when it passes it (RequestContext.auditChange, as the
 * resources' create, update and delete and the staff routes docs/compat.md names do), so that an
 * entry that cannot be written undoes the change; otherwise after the handler's own transactions have committed, in one of its own. A
 * handler that wrote its own entry for the request (audit() with `req`) is not logged twice.
 */
async function auditAdminChange(app: AppContext, def: RouteDef, method: string, req: Request, params: unknown, result: unknown, tx?: Tx) {
  const p = (params ?? {}) as Record<string, unknown>;
  let id = p.id;
  if (id === undefined && result && typeof result === 'object') {
    // a create answers `{"<key>": {"id": ...}}`
    const inner = Object.values(result as Record<string, unknown>)[0];
    if (inner && typeof inner === 'object' && 'id' in inner) id = (inner as { id: unknown }).id;
  }
  const entry = {
    user: req.user,
    action: `${method.toUpperCase()} ${def.path}`.slice(0, 50),
    resource: (def.path.split('/')[1] ?? '').slice(0, 50),
    resourceId: typeof id === 'number' || typeof id === 'string' ? String(id).slice(0, 50) : null,
    patientId: typeof p.id_patients === 'number' ? p.id_patients : null,
    req,
  };
  await audit(app, entry, tx);
}

/** what is read as JSON (app.ts's parser) and accepted as JSON (assertBodyType): the same types */
export const JSON_TYPES = ['application/json', '+json'];

// DataTables (tables, report tables) and the simulator's HTML forms post form-encoded bodies.
const FORM_BODY_PATH = /\/table$|^\/(report|dashboard)\/|^\/payments\/simulator\//;

/** JSON only where JSON is expected: a body of another type is refused, not silently ignored. */
function assertBodyType(req: Request, def: RouteDef) {
  if (req.headers['content-length'] === '0' || req.is('*/*') === null) return; // no body
  if (req.is(JSON_TYPES)) return;
  if (def.upload && req.is('multipart/form-data')) return;
  if (FORM_BODY_PATH.test(def.path) && req.is('application/x-www-form-urlencoded')) return;
  throw new HttpError(415, def.upload ? 'Send the file as multipart/form-data' : 'Send the body as JSON (Content-Type: application/json)');
}

/** Literal segments before parameters, so `/users/data` is not taken for `/users/:id`. */
function sortBySpecificity(defs: RouteDef[]): RouteDef[] {
  const key = (p: string) => p.split('/').filter(Boolean).map((seg) => (seg.startsWith(':') ? 1 : 0));
  return [...defs].sort((a, b) => {
    const ka = key(a.path);
    const kb = key(b.path);
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
    return 0;
  });
}
