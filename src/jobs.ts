import type { AppContext } from './app-context.js';

/**
 * Periodic work (expiring unpaid checkouts, outbox delivery, reminders) registers here;
 * each job runs on an interval and never overlaps itself.
 */
export interface Job {
  name: string;
  everyMs: number;
  /** `stopping` aborts when the process shuts down: a long run stops between rows */
  run: (app: AppContext, stopping: AbortSignal) => Promise<void>;
}

const jobs: Job[] = [];
export const addJob = (job: Job) => jobs.push(job);

/**
 * Starts every registered job. `stop()` starts no further run and resolves once the runs in
 * progress have finished: the database must stay open until then, or a message or push sent but
 * not yet recorded as sent would be sent again (after its claim lapses) by the next process.
 */
export function startBackgroundJobs(app: AppContext) {
  const stopping = new AbortController();
  const running = new Set<Promise<void>>();
  const timers = jobs.map((job) => {
    let busy = false;
    const t = setInterval(() => {
      if (busy || stopping.signal.aborted) return;
      busy = true;
      const run = job
        .run(app, stopping.signal)
        .catch((err) => app.logger.error({ err, job: job.name }, 'background job failed'))
        .finally(() => {
          busy = false;
          running.delete(run);
        });
      running.add(run);
    }, job.everyMs);
    t.unref();
    return t;
  });
  return {
    stop: async () => {
      timers.forEach(clearInterval);
      stopping.abort();
      await Promise.all(running);
    },
  };
}
