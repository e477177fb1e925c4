import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { AppContext } from './app-context.js';
import type { Config } from './config.js';
import type { PrismaClient } from './db/client.js';
import { FileStorage } from './lib/storage.js';
import { RajaOngkir } from './adapters/rajaongkir.js';

export function createLogger(config: Config): Logger {
  return pino({
    level: config.LOG_LEVEL,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.password_hash'], remove: true },
  });
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
  return { db, config, logger, storage, now: () => new Date(), rajaongkir };
}
