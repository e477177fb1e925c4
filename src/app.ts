import { randomBytes } from 'node:crypto';
import path from 'node:path';
import express from 'express';
import helmet from 'helmet';
import cors from 'cors';
import type { AppContext } from './app-context.js';
import { errorHandler, notFound, notFoundRoute } from './http/errors.js';
import { buildOpenApi, docsPage } from './http/openapi.js';
import { JSON_TYPES, registerRoutes } from './http/register.js';
import { rateLimit } from './http/rate-limit.js';
import { requestLog } from './http/request-log.js';
import type { RouteDef } from './http/route.js';
import { allRoutes } from './modules/index.js';

/** what an uploaded file served from the API's origin may do: nothing (a picture still shows) */
const FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";
/** the pictures the uploads write (src/http/register.ts); other files under /uploads are downloads */
const SERVED_INLINE = /\.(jpe?g|png|webp|gif)$/i;

/** Builds the Express app (no listen): the server entry and the tests share it. */
export interface AppOptions {
  /** runs first on every request (the test suite installs its response validator here) */
  before?: express.RequestHandler;
}

export function createApp(app: AppContext, routes: RouteDef[] = allRoutes(), options: AppOptions = {}) {
  const server = express();
  if (options.before) server.use(options.before);
  server.disable('x-powered-by');
  // Answers are per caller and mostly to POSTs; Express would hash every body (SHA-1) for an ETag
  // no client sends back (≈1% of a list request's CPU in a profile).
  server.disable('etag');
  server.set('trust proxy', app.config.TRUST_PROXY);
  server.use(requestLog(app.logger, server.request));
  // While shutting down, a keep-alive connection (a proxy's) would otherwise carry request after
  // request until SHUTDOWN_GRACE_MS cuts it, answer or not: each one now closes after its answer.
  server.use((_req, res, next) => {
    if (app.lifecycle.stopping) res.setHeader('Connection', 'close');
    next();
  });
  server.use(helmet({ crossOriginResourcePolicy: { policy: 'same-site' } }));
  server.use(
    cors({
      origin: (origin, cb) => cb(null, !origin || app.config.CORS_ORIGINS.includes(origin) ? origin ?? false : false),
      credentials: false,
      // readable by the dashboard's script (a cross-origin answer shows it only the safelisted headers):
      // how long a 429 waits, an export's file name, the id to quote in a support request
      exposedHeaders: ['Retry-After', 'Content-Disposition', 'X-Request-Id'],
      maxAge: 600,
    }),
  );
  // `+json` types too: the routes accept them as JSON, and unread they were taken for no body
  server.use(express.json({ limit: app.config.BODY_LIMIT, type: JSON_TYPES }));
  server.use(express.urlencoded({ extended: true, limit: app.config.BODY_LIMIT, parameterLimit: 1000 }));

  server.get('/health', async (_req, res) => {
    // not ready: the proxy or orchestrator stops sending traffic here
    if (app.lifecycle.stopping) return void res.status(503).json({ status: 'stopping' });
    try {
      await app.db.$queryRaw`SELECT 1`;
      res.json({ status: 'ok', database: 'ok' });
    } catch {
      res.status(503).json({ status: 'degraded', database: 'unreachable' });
    }
  });
  const spec = buildOpenApi(routes, app.config.PUBLIC_BASE_URL);
  server.get('/openapi.json', (_req, res) => {
    res.json(spec);
  });
  server.get('/docs', (_req, res) => {
    const nonce = randomBytes(16).toString('base64');
    // this replaces helmet's policy: frame-ancestors, base-uri, form-action and object-src are not
    // covered by default-src, so they are named again
    res.setHeader(
      'Content-Security-Policy',
      `default-src 'self'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'`,
    );
    res.type('html').send(docsPage('/openapi.json').replace('<script>', `<script nonce="${nonce}">`));
  });

  // Public pictures (catalogue, services, users' avatars). A folder is no file: the JSON 404, not
  // serve-static's HTML redirect to the folder with a slash (which has no index either).
  // The API writes only JPEG, PNG, WebP and GIF there; anything else in the folder (an old system's
  // uploads copied in: HTML, SVG, scripts) is a download, and no file served from here may run a
  // script or load anything on the API's origin.
  server.use(
    '/uploads',
    express.static(path.resolve(app.config.UPLOAD_DIR), {
      index: false,
      redirect: false,
      dotfiles: 'deny',
      fallthrough: true,
      maxAge: '1h',
      setHeaders: (res, file) => {
        res.setHeader('Content-Security-Policy', FILE_CSP);
        if (!SERVED_INLINE.test(file)) res.setHeader('Content-Disposition', 'attachment');
      },
    }),
  );
  // Private health files: only through a short-lived signed link.
  server.get('/files/:resource/:name', (req, res) => {
    const file = app.storage.verifySigned(req.params.resource, req.params.name, String(req.query.expires ?? ''), String(req.query.signature ?? ''), app.now().getTime());
    if (!file) throw notFound('File not found or link expired');
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('Content-Disposition', 'attachment');
    res.setHeader('Content-Security-Policy', FILE_CSP);
    res.sendFile(file, { dotfiles: 'deny' }, (err) => {
      if (err && !res.headersSent) res.status(404).json({ status: 404, message: 'File not found or link expired' });
    });
  });

  server.use(rateLimit(app));
  server.use(registerRoutes(app, routes));
  server.use(notFoundRoute);
  server.use(errorHandler(app.logger));
  return server;
}
