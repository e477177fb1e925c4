import type { Server } from 'node:http';
import type { AppContext } from '../app-context.js';

/**
 * Stops serving (SIGTERM/SIGINT). From now on /health answers 503 and every answer closes its
 * connection (app.ts), but the listener stays open SHUTDOWN_DRAIN_DELAY_MS more: a load balancer
 * that polls /health every few seconds keeps sending new connections until it has seen the 503,
 * and a closed port would refuse them. Then the listener closes and the requests in flight get
 * SHUTDOWN_GRACE_MS to finish before their connections are cut. Resolves when the last one closed.
 */
export async function stopServing(app: AppContext, server: Server): Promise<void> {
  app.lifecycle.stopping = true;
  const { SHUTDOWN_DRAIN_DELAY_MS: drainMs, SHUTDOWN_GRACE_MS: graceMs } = app.config;
  if (drainMs > 0) await new Promise((resolve) => setTimeout(resolve, drainMs));
  app.logger.info('no new connections: finishing the requests in flight');
  const force = setTimeout(() => server.closeAllConnections(), graceMs);
  force.unref();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
  clearTimeout(force);
}
