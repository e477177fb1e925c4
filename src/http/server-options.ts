import type { ServerOptions } from 'node:http';
import type { Config } from '../config.js';

/**
 * The Node HTTP server's timeouts. Node 20 closes an idle keep-alive connection after 5 s; a
 * reverse proxy or load balancer keeping its upstream connections for longer (nginx's `keepalive`
 * and AWS ALB: 60 s) sends a request on one just as Node closes it, and answers 502. So the server
 * keeps them HTTP_KEEP_ALIVE_TIMEOUT_MS (65 s, longer than the proxy). Headers must arrive within
 * a minute, and longer than that idle time; a whole request within Node's 5 minutes.
 */
export function serverOptions(config: Config): ServerOptions {
  return {
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    headersTimeout: Math.max(60_000, config.HTTP_KEEP_ALIVE_TIMEOUT_MS + 1000),
    requestTimeout: 300_000,
  };
}
