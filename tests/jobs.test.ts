import { describe, expect, it, vi } from 'vitest';
import type { AppContext } from '../src/app-context.js';

// The scheduler alone: each test registers its own jobs in a fresh copy of the module (the
// modules' jobs are not imported here).
const scheduler = async () => {
  vi.resetModules();
  return import('../src/jobs.js');
};
describe('background jobs', () => {
  it('stop() waits for the run in progress, which is told to stop, and starts no further run', async () => {
    const { addJob, startBackgroundJobs } = await scheduler();
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

describe('background jobs at start', () => {
  it('run once at start, not only after their first interval (an hourly job in a process restarted every half hour)', async () => {
    const { addJob, startBackgroundJobs } = await scheduler();
    vi.useFakeTimers();
    try {
      const runs: number[] = [];
      addJob({ name: 'test.hourly', everyMs: 3_600_000, run: async () => void runs.push(Date.now()) });
      const jobs = startBackgroundJobs({ logger: { error: () => undefined } } as unknown as AppContext);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(runs).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(3_600_000);
      expect(runs).toHaveLength(2);
      await jobs.stop();
      await vi.advanceTimersByTimeAsync(3_600_000);
      expect(runs).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
