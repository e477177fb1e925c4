import path from 'node:path';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { AppContext } from './app-context.js';
import type { Config } from './config.js';
import type { PrismaClient } from './db/client.js';
import { CountCache } from './db/count-cache.js';
import { ReadCache } from './db/read-cache.js';
import { FileStorage } from './lib/storage.js';
import { loggedError } from './lib/logged-error.js';
import { RajaOngkir } from './adapters/rajaongkir.js';

/** The app's logger (standard output unless given `destination`, as the tests do). */
export function createLogger(config: Config, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: config.LOG_LEVEL,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.password_hash'], remove: true },
    // a failed database call's arguments stay out of the log (src/lib/logged-error.ts)
    serializers: { err: loggedError },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Wires the application's dependencies; the server and the tests both call this. */
export function createContext(config: Config, db: PrismaClient, logger: Logger = createLogger(config)): AppContext {
  const storage = new FileStorage({
    publicDir: path.resolve(config.UPLOAD_DIR),
    privateDir: path.resolve(config.PRIVATE_UPLOAD_DIR),
    baseUrl: config.PUBLIC_BASE_URL,
    secret: `${config.JWT_SECRET}:files`,
    ttlSeconds: config.SIGNED_URL_TTL_SECONDS,
  });
  const rajaongkir = new RajaOngkir(config, logger);
  const counts = new CountCache({
    minRows: config.COUNT_CACHE_MIN_ROWS,
    ttlMs: config.COUNT_CACHE_SECONDS * 1000,
    maxEntries: 1000,
    // the app's clock, read at each count, so that a test that pins app.now moves the cache's too
    now: () => app.now().getTime(),
  });
  // off until the server listens for table changes (watchTableChanges in server.ts)
  const reads = new ReadCache({ ttlMs: config.READ_CACHE_SECONDS * 1000, maxEntries: 256, now: () => app.now().getTime() });
  // each caller's account (authenticate.ts), kept until it changes: one entry per recent caller
  const callers = new ReadCache({ ttlMs: config.READ_CACHE_SECONDS * 1000, maxEntries: 20_000, now: () => app.now().getTime() });
  const app: AppContext = { db, config, logger, storage, now: () => new Date(), rajaongkir, counts, reads, callers, lifecycle: { stopping: false } };
  return app;
}
