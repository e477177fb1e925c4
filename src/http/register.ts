import express, { type Request, type Response, type Router } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { fileTypeFromBuffer } from 'file-type';
import type { AppContext } from '../app-context.js';
import { authenticate } from './authenticate.js';
import { badRequest, forbidden, HttpError, unauthorized, zodFieldErrors } from './errors.js';
import { methodsOf, type RouteDef, type UploadSpec } from './route.js';

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);
const idParam = z.coerce.number().int().positive().max(2_147_483_647);

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

async function readUpload(req: Request, res: Response, spec: UploadSpec, maxBytes: number) {
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: maxBytes, files: 1, fields: 50 } }).single(spec.field);
  await new Promise<void>((resolve, reject) => upload(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
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
  return { buffer: file.buffer, mime: detected.mime, ext: detected.ext, size: file.size };
}

export function checkAccess(def: RouteDef, user: RequestContextUser) {
  if (def.access === 'public') return;
  if (!user) throw unauthorized();
  if (def.access === 'authenticated') return;
  if (!user.roles.some((r) => def.access.includes(r))) throw forbidden();
}
type RequestContextUser = import('./auth-user.js').AuthUser | undefined;

/** Mounts route definitions: authentication, access rule, validation, then the handler. */
export function registerRoutes(app: AppContext, defs: RouteDef[]): Router {
  const router = express.Router();
  for (const def of sortBySpecificity(defs)) {
    const params = def.params ?? defaultParams(def.path);
    for (const method of methodsOf(def)) {
      router[method](def.path, async (req: Request, res: Response) => {
        const user = await authenticate(app, req, def.access !== 'public');
        checkAccess(def, user);
        const parsedParams = parse(params, req.params, 'params');
        const file = def.upload ? await readUpload(req, res, def.upload, app.config.UPLOAD_MAX_BYTES) : undefined;
        const body = parse(def.body, req.body, 'body');
        const query = parse(def.query, req.query, 'query');
        const result = await def.handler({ req, res, app, user, body, query, params: parsedParams, file });
        if (result !== undefined && !res.headersSent) res.json(result);
      });
    }
  }
  return router;
}

/** Literal segments before parameters, so `/users/data` is not taken for `/users/:id`. */
export function sortBySpecificity(defs: RouteDef[]): RouteDef[] {
  const key = (p: string) => p.split('/').filter(Boolean).map((seg) => (seg.startsWith(':') ? 1 : 0));
  return [...defs].sort((a, b) => {
    const ka = key(a.path);
    const kb = key(b.path);
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
    return 0;
  });
}
