import type { AppContext } from './app-context.js';

/**
 * Periodic work (expiring unpaid checkouts, outbox delivery, reminders) registers here;
 * each job runs on an interval and never overlaps itself.
 */
export interface Job {
  name: string;
  everyMs: number;
  run: (app: AppContext) => Promise<void>;
}

const jobs: Job[] = [];
export const addJob = (job: Job) => jobs.push(job);

export function startBackgroundJobs(app: AppContext) {
  const timers = jobs.map((job) => {
    let running = false;
    const t = setInterval(async () => {
      if (running) return;
      running = true;
      try {
        await job.run(app);
      } catch (err) {
        app.logger.error({ err, job: job.name }, 'background job failed');
      } finally {
        running = false;
      }
    }, job.everyMs);
    t.unref();
    return t;
  });
  return { stop: () => timers.forEach(clearInterval) };
}
