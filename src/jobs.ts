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
  const timers = jobs.flatMap((job) => {
    let busy = false;
    const tick = () => {
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
    };
    // a first run at start: a process restarted more often than an hourly job's interval would
    // otherwise never run it (points would not expire, quotes pile up)
    const first = setTimeout(tick, 0);
    const t = setInterval(tick, job.everyMs);
    first.unref();
    t.unref();
    return [first, t];
  });
  return {
    stop: async () => {
      timers.forEach((t) => clearTimeout(t));
      stopping.abort();
      await Promise.all(running);
    },
  };
}
