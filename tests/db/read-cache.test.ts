import { describe, expect, it } from 'vitest';
import { nextChange, ReadCache } from '../../src/db/read-cache.js';

function setup(opts: { ttlMs?: number; maxEntries?: number } = {}) {
  let now = 1_000_000;
  const cache = new ReadCache({ ttlMs: opts.ttlMs ?? 60_000, maxEntries: opts.maxEntries ?? 10, now: () => now });
  let fenced = 0;
  cache.attach({ caughtUp: async () => void fenced++ });
  let computed = 0;
  const compute = (value: string, validUntil?: number) => async () => {
    computed += 1;
    return { value, validUntil };
  };
  return {
    cache,
    compute,
    computed: () => computed,
    fenced: () => fenced,
    advance: (ms: number) => (now += ms),
    get now() {
      return now;
    },
  };
}

describe('ReadCache', () => {
  it('keeps an answer until a table it read changes; other tables leave it', async () => {
    const s = setup();
    expect(await s.cache.get('k', ['menus', 'menu_images'], s.compute('a'))).toBe('a');
    expect(await s.cache.get('k', ['menus', 'menu_images'], s.compute('b'))).toBe('a');
    s.cache.changed('stocks');
    expect(await s.cache.get('k', ['menus', 'menu_images'], s.compute('c'))).toBe('a');
    expect(s.computed()).toBe(1);
    s.cache.changed('menu_images');
    expect(await s.cache.get('k', ['menus', 'menu_images'], s.compute('d'))).toBe('d');
    expect(await s.cache.get('k', ['menus', 'menu_images'], s.compute('e'))).toBe('d');
    expect(s.computed()).toBe(2);
  });

  it('keeps one row until that row changes (user_auth:<id>), all rows until their table does', async () => {
    const s = setup();
    const sources = (id: number) => ['user_auth', `user_auth:${id}`];
    expect(await s.cache.get('user:1', sources(1), s.compute('one'))).toBe('one');
    expect(await s.cache.get('user:2', sources(2), s.compute('two'))).toBe('two');
    s.cache.changed('user_auth:2');
    expect(await s.cache.get('user:1', sources(1), s.compute('one again'))).toBe('one');
    expect(await s.cache.get('user:2', sources(2), s.compute('two again'))).toBe('two again');
    s.cache.changed('user_auth');
    expect(await s.cache.get('user:1', sources(1), s.compute('one, third'))).toBe('one, third');
  });

  it('forgets every version, and every answer with them, past 50,000 changed rows (its memory stays bounded)', async () => {
    const s = setup();
    expect(await s.cache.get('k', ['menus'], s.compute('a'))).toBe('a');
    for (let id = 1; id < 50_000; id++) s.cache.changed(`user_auth:${id}`);
    expect(await s.cache.get('k', ['menus'], s.compute('b'))).toBe('a');
    s.cache.changed('user_auth:50000');
    s.cache.changed('user_auth:50001');
    expect(s.cache.size).toBe(0);
    expect(await s.cache.get('k', ['menus'], s.compute('c'))).toBe('c');
  });

  it('does not keep an answer computed while a table it read changed (its snapshot may be older)', async () => {
    const s = setup();
    let release!: () => void;
    const slow = s.cache.get('k', ['menus'], async () => {
      await new Promise<void>((r) => (release = r));
      return { value: 'old' };
    });
    await Promise.resolve();
    s.cache.changed('menus');
    release();
    expect(await slow).toBe('old'); // the request that computed it still gets it
    expect(await s.cache.get('k', ['menus'], s.compute('new'))).toBe('new');
    expect(s.cache.size).toBe(1);
  });

  it('shares one computation among concurrent lookups; a failure is not kept', async () => {
    const s = setup();
    let calls = 0;
    const failing = async () => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 5));
      throw new Error('database down');
    };
    const all = await Promise.allSettled([s.cache.get('k', ['menus'], failing), s.cache.get('k', ['menus'], failing)]);
    expect(all.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    expect(s.cache.size).toBe(0);
    const [a, b] = await Promise.all([s.cache.get('k', ['menus'], s.compute('x')), s.cache.get('k', ['menus'], s.compute('y'))]);
    expect([a, b, s.computed()]).toEqual(['x', 'x', 1]);
  });

  it('holds an answer until its validUntil and its time to live, and not for a clock set back', async () => {
    const s = setup({ ttlMs: 10_000 });
    await s.cache.get('promo', ['menus'], s.compute('before', s.now + 3_000));
    s.advance(2_999);
    expect(await s.cache.get('promo', ['menus'], s.compute('x'))).toBe('before');
    s.advance(1);
    expect(await s.cache.get('promo', ['menus'], s.compute('during'))).toBe('during');
    s.advance(9_999);
    expect(await s.cache.get('promo', ['menus'], s.compute('y'))).toBe('during');
    s.advance(1);
    expect(await s.cache.get('promo', ['menus'], s.compute('later'))).toBe('later');
    s.advance(-5_000);
    expect(await s.cache.get('promo', ['menus'], s.compute('earlier'))).toBe('earlier');
    // an answer already past its validUntil is not kept at all
    await s.cache.get('past', ['menus'], s.compute('p', s.now));
    expect(await s.cache.get('past', ['menus'], s.compute('q'))).toBe('q');
  });

  it('evicts the least recently used answer beyond maxEntries', async () => {
    const s = setup({ maxEntries: 2 });
    await s.cache.get('a', ['t'], s.compute('a'));
    await s.cache.get('b', ['t'], s.compute('b'));
    await s.cache.get('a', ['t'], s.compute('a2')); // a used last
    await s.cache.get('c', ['t'], s.compute('c'));
    expect(s.cache.size).toBe(2);
    expect(await s.cache.get('a', ['t'], s.compute('a3'))).toBe('a');
    expect(await s.cache.get('b', ['t'], s.compute('b2'))).toBe('b2');
  });

  it('caches nothing without a feed, and empties when the feed is lost or comes back', async () => {
    const s = setup();
    await s.cache.get('k', ['t'], s.compute('a'));
    s.cache.detach();
    expect(s.cache.live).toBe(false);
    expect(s.cache.size).toBe(0);
    expect(await s.cache.get('k', ['t'], s.compute('b'))).toBe('b');
    expect(await s.cache.get('k', ['t'], s.compute('c'))).toBe('c');
    expect(s.cache.size).toBe(0);
    // a computation begun before the feed came back is not kept (changes were missed meanwhile)
    let release!: () => void;
    const slow = s.cache.get('k', ['t'], async () => {
      await new Promise<void>((r) => (release = r));
      return { value: 'during outage' };
    });
    s.cache.attach({ caughtUp: async () => {} });
    release();
    await slow;
    expect(await s.cache.get('k', ['t'], s.compute('d'))).toBe('d');
    expect(await s.cache.get('k', ['t'], s.compute('e'))).toBe('d');
  });

  it('settle waits for the feed only when something is kept or being computed', async () => {
    const s = setup();
    await s.cache.settle();
    expect(s.fenced()).toBe(0);
    await s.cache.get('k', ['t'], s.compute('a'));
    await s.cache.settle();
    expect(s.fenced()).toBe(1);
  });

  it('is off with a time to live of 0', async () => {
    const s = setup({ ttlMs: 0 });
    await s.cache.get('k', ['t'], s.compute('a'));
    expect(await s.cache.get('k', ['t'], s.compute('b'))).toBe('b');
    expect(s.cache.size).toBe(0);
  });
});

describe('nextChange', () => {
  it('is the earliest time after now', () => {
    const d = (ms: number) => new Date(ms);
    expect(nextChange(100, [d(50), null, d(300), d(200), undefined, d(100)])).toBe(200);
    expect(nextChange(100, [d(50), null])).toBeUndefined();
  });
});
