import 'dotenv/config';
import http from 'node:http';
import path from 'node:path';
import { createApp } from './app.js';
import { answerClientErrors, serverOptions } from './http/server-options.js';
import { stopServing } from './http/shutdown.js';
import { ConfigError, loadConfig } from './config.js';
import { createContext, createLogger } from './context.js';
import { createDatabase } from './db/client.js';
import { applyPendingMigrations } from './db/schema-engine.js';
import { ensureOwner } from './modules/identity/users.service.js';
import { seedDemoData } from './seed/index.js';
import { deliverySettings } from './modules/shipping/shipping.service.js';
import { startBackgroundJobs } from './jobs.js';
import { watchTableChanges } from './db/table-changes.js';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config);
  const embedded = !config.DATABASE_URL;
  const pgliteDir = path.join(config.DATA_DIR, 'pglite');
  const database = await createDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: pgliteDir,
    poolMax: config.DB_POOL_MAX,
    preparedStatements: config.DB_PREPARED_STATEMENTS,
    onIdleConnectionError: (err) => logger.warn({ err }, 'the database closed an idle connection'),
  });
  await applyPendingMigrations(database.adapterFactory);
  const app = createContext(config, database.prisma, logger);
  // demo data by default while the embedded database has no account but owners: its first start,
  // also when that start was stopped before the data was in (the folder exists by then)
  const demoByDefault = embedded && (await app.db.user.count({ where: { roles: { none: { role_codes: 'OWNER' } } } })) === 0;

  const owner = await ensureOwner(app);
  if (owner.created) {
    logger.warn(
      owner.password
        ? `Created the first owner "${config.OWNER_USERNAME}" with the generated password ${owner.password} (set OWNER_PASSWORD to choose it)`
        : `Created the first owner "${config.OWNER_USERNAME}"`,
    );
  }
  if (config.SEED_DEMO_DATA ?? demoByDefault) {
    await seedDemoData(app);
    logger.info('Demo data loaded');
  }

  if (!(await deliverySettings(app)).id_brandstore_gudang) {
    logger.warn('No warehouse store is set: online orders take no stock until staff name one (PUT /deliveries/settings/update {"id_brandstore_gudang": <brandstore id>})');
  }

  const jobs = startBackgroundJobs(app);
  const stopWatching = await watchTableChanges(app.db, [app.reads, app.callers], logger);
  const server = answerClientErrors(http.createServer(serverOptions(config), createApp(app))).listen(config.PORT, config.HOST, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    logger.info({ port }, `Colederma API listening on http://${config.HOST}:${port} (${database.kind}); docs at ${config.PUBLIC_BASE_URL}/docs`);
  });

  const shutdown = async (signal: string) => {
    // a second signal (a second Ctrl-C, or SIGTERM during the drain delay) changes nothing
    if (app.lifecycle.stopping) return;
    logger.info(
      { signal, drainDelayMs: config.SHUTDOWN_DRAIN_DELAY_MS },
      'shutting down: /health answers 503; new connections are still answered during the drain delay, then requests in flight finish',
    );
    const served = stopServing(app, server);
    // the database stays open for the job runs in progress (a send is recorded before it closes)
    const jobsStopped = jobs.stop();
    await served;
    await jobsStopped;
    await stopWatching();
    await database.close().catch((err) => logger.error({ err }, 'closing the database failed'));
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
