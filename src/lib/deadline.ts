/**
 * Runs `work` under a hard deadline: at `ms` its signal aborts (adapters that take one close their
 * connection) and the caller stops waiting, even for work that ignores the signal. Background jobs
 * that claim a row for a while bound each send by this, shorter than the claim, so no send
 * outlives its claim and a second worker never takes the row while the first is still sending.
 */
export async function withDeadline<T>(ms: number, what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctrl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`${what} did not finish within ${ms} ms`);
      ctrl.abort(err);
      reject(err);
    }, ms);
  });
  try {
    return await Promise.race([work(ctrl.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
