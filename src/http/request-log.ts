import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';

/**
 * Request ids and one log line per finished request (what pino-http did here), without its
 * per-request cost: pino-http builds a child logger for every request up front (serialising the
 * request into the child's bindings), which measured as the largest single item of the framework's
 * per-request CPU. Here the child (`req.log`) is made only when something logs, and the completion
 * line only when its level is enabled (5xx and errors: error, 4xx: warn, others: info).
 *
 * `req.log` is a getter on the app's request prototype (`requests`, express's `app.request`):
 * defined on each request instead, the accessor gave every request a hidden class of its own, and
 * every later property read on it (the router's, the body parser's) took V8's slow path.
 */
export function requestLog(logger: Logger, requests: Request): RequestHandler {
  Object.defineProperty(requests, 'log', {
    configurable: true,
    get(this: Request) {
      return (this.childLogger ??= logger.child({ req: { id: this.id, method: this.method, url: loggedUrl(this.originalUrl ?? this.url) } }));
    },
    set(this: Request, v: Logger) {
      this.childLogger = v;
    },
  });
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    req.id = id;
    res.setHeader('x-request-id', id);
    const start = Date.now();
    const done = (err?: unknown) => {
      res.removeListener('close', done);
      res.removeListener('finish', done);
      res.removeListener('error', done);
      const error = err instanceof Error ? err : res.statusCode >= 500 ? new Error(`failed with status code ${res.statusCode}`) : undefined;
      const level = error ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      req.log[level]({ res: { statusCode: res.statusCode }, ...(error ? { err: error } : {}), responseTime: Date.now() - start }, error ? 'request errored' : 'request completed');
    };
    res.on('close', done);
    res.on('finish', done);
    res.on('error', done);
    next();
  };
}

/**
 * The URL as logged, without the secrets some URLs carry: a password recovery link's hash
 * (`users/<address>/forgot/<hash>/password/...`, usable until it expires or is used, also after a
 * refused attempt) and a private file link's signature (`/files/...?signature=`).
 */
function loggedUrl(url: string): string {
  return url.replace(/(\/forgot\/)[^/?#]*/gi, '$1[redacted]').replace(/([?&]signature=)[^&#]*/gi, '$1[redacted]');
}

declare module 'http' {
  interface IncomingMessage {
    id: string;
    log: Logger;
    /** the request's child logger, once something logged (see requestLog) */
    childLogger?: Logger;
  }
}
