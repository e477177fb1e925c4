// CPU time per request, read from /proc (Linux): for the server process and for PostgreSQL.
// Requests/s and latency move with whatever else shares the machine; the CPU a request costs
// barely does, so it is the figure to compare builds by on a busy or shared host.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports process times in clock ticks of 10 ms (USER_HZ = 100). */
const TICK_MS = 10;

/** utime + stime of a process, plus cutime + cstime (children it has reaped), in ms. */
function processMs(pid: number | string): { comm: string; ms: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
    // the fields after "(comm) ": state is field 3, utime 14, stime 15, cutime 16, cstime 17
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { comm, ms: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS };
  } catch {
    return undefined; // not Linux, or the process has gone
  }
}

/**
 * Every `postgres` process on this machine (the postmaster's reaped backends included through
 * its children's times); undefined when none is visible (a remote database).
 */
function postgresMs(): number | undefined {
  let total: number | undefined;
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    const p = processMs(pid);
    if (p?.comm === 'postgres') total = (total ?? 0) + p.ms;
  }
  return total;
}

export interface CpuPerRequest {
  /** the server process (the app or the baseline) */
  server_ms: number | null;
  /** PostgreSQL, all of its processes */
  postgres_ms: number | null;
}

/** Runs `work`, which answers how many requests it made, and divides the CPU it cost by them. */
export async function measureCpu<T extends { requests: number }>(serverPid: number | undefined, work: () => Promise<T>): Promise<T & { cpu_ms_per_request: CpuPerRequest }> {
  const server0 = serverPid === undefined ? undefined : processMs(serverPid)?.ms;
  const pg0 = postgresMs();
  const result = await work();
  const server1 = serverPid === undefined ? undefined : processMs(serverPid)?.ms;
  const pg1 = postgresMs();
  const per = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined || result.requests === 0 ? null : +((b - a) / result.requests).toFixed(3);
  return { ...result, cpu_ms_per_request: { server_ms: per(server0, server1), postgres_ms: per(pg0, pg1) } };
}
