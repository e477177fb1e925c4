import { afterAll, expect } from 'vitest';

// A statement sent on a connection that is still running another (e.g. two queries of one
// transaction in a Promise.all) is queued by pg 8 with a deprecation warning and refused by pg 9.
// Every test file fails if its code did that, naming the test that was running.
const overlapping: string[] = [];
process.on('warning', (w) => {
  if (w.name === 'DeprecationWarning' && w.message.includes('already executing a query')) {
    overlapping.push(`${expect.getState().currentTestName ?? '(outside a test)'}\n${w.stack ?? w.message}`);
  }
});

afterAll(() => {
  expect(overlapping, 'statements sent on a connection already running one (run them one after another)').toEqual([]);
});
