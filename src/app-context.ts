import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { PrismaClient } from './db/client.js';
import type { CountCache } from './db/count-cache.js';
import type { ReadCache } from './db/read-cache.js';
import type { FileStorage } from './lib/storage.js';
import type { RajaOngkir } from './adapters/rajaongkir.js';

/** Everything a handler or service may use; built once by the server (or a test). */
export interface AppContext {
  db: PrismaClient;
  config: Config;
  logger: Logger;
  storage: FileStorage;
  /** the current time; tests may pin it */
  now: () => Date;
  /** RajaOngkir API V2 (courier regions and costs; offline fallback without a key) */
  rajaongkir: RajaOngkir;
  /** large list counts, reused for a few seconds (src/db/count-cache.ts) */
  counts: CountCache;
  /** the product lists' and product page's answers, kept until their tables change (src/db/read-cache.ts) */
  reads: ReadCache;
  /** each caller's account state (roles, block, token version), kept until it changes (http/authenticate.ts) */
  callers: ReadCache;
  /** set by the server on SIGTERM/SIGINT: /health answers 503 and connections close after their answer */
  lifecycle: { stopping: boolean };
}
