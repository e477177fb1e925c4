import { STATUS_CODES, type Server, type ServerOptions } from 'node:http';
import type { Duplex } from 'node:stream';
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

/**
 * A request Node's parser refuses before Express sees it (headers or a query string over Node's
 * 16 KB, a malformed request line, a request that took too long) is answered in the API's JSON error
 * shape, as every other refusal: Node's own answer is a bare status line without a body.
 */
export function answerClientErrors(server: Server) {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const message = status === 431 ? 'Request headers or query string too large' : status === 408 ? 'Request timed out' : 'Malformed HTTP request';
    const body = JSON.stringify({ status, message });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}
