import { describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app-context.js';
import { addJob, startBackgroundJobs } from '../src/jobs.js';

// The scheduler alone (this file registers its own job; the modules' jobs are not imported here).
describe('background jobs', () => {
  it('stop() waits for the run in progress, which is told to stop, and starts no further run', async () => {
    const events: string[] = [];
    let started!: () => void;
    const isStarted = new Promise<void>((r) => (started = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let signal: AbortSignal | undefined;
    addJob({
      name: 'test.slow',
      everyMs: 5,
      run: async (_app, stopping) => {
        signal = stopping;
        events.push('run');
        started();
        await gate;
        events.push('run finished');
      },
    });
    const app = { logger: { error: () => undefined } } as unknown as AppContext;
    const jobs = startBackgroundJobs(app);
    await isStarted;
    const stopped = Promise.resolve(jobs.stop()).then(() => events.push('stopped'));
    expect(signal?.aborted).toBe(true);
    await new Promise((r) => setTimeout(r, 30)); // several intervals: no second run starts
    release();
    await stopped;
    expect(events).toEqual(['run', 'run finished', 'stopped']);
  });
});
