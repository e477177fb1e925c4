// The change feed of the read cache (src/db/table-changes.ts) against the real database: the
// migration's triggers notify after commit, and a write request's settle() returns only once the
// change has been heard.
import net from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { postgresClient } from '../../src/db/client.js';
import { ReadCache } from '../../src/db/read-cache.js';
import { watchTableChanges } from '../../src/db/table-changes.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
let cache: ReadCache;
let stop: () => Promise<void>;
const heard: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  cache = new ReadCache({ ttlMs: 60_000, maxEntries: 10, now: () => Date.now() });
  const changed = cache.changed.bind(cache);
  cache.changed = (table) => {
    heard.push(table);
    changed(table);
  };
  stop = await watchTableChanges(db.prisma, cache, pino({ level: 'silent' }));
  // something kept, so that settle() waits for the feed
  await cache.get('kept', ['brandstore'], async () => ({ value: 1 }));
});
afterAll(async () => {
  await stop?.();
  await db?.close();
});

describe('table change feed', () => {
  it('listens once started', () => {
    expect(cache.live).toBe(true);
  });

  it('has heard every committed change of a watched table by the time settle() returns', async () => {
    for (let i = 0; i < 20; i++) {
      heard.length = 0;
      // a statement-level trigger: it fires even when no row matches
      await db.prisma.$executeRawUnsafe('UPDATE menus SET harga = harga WHERE id = -1');
      await cache.settle();
      expect(heard).toEqual(['menus']);
    }
  });

  it('tells nothing of a rolled-back change, nor of tables no cached answer reads', async () => {
    heard.length = 0;
    await expect(
      db.prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe('UPDATE stocks SET quantitytotal = quantitytotal WHERE id = -1');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await db.prisma.$executeRawUnsafe('UPDATE orders SET catatan_order = catatan_order WHERE id = -1');
    await db.prisma.$executeRawUnsafe('UPDATE brandstore_menus SET nourut_menu = nourut_menu WHERE id = -1');
    await cache.settle();
    expect(heard).toEqual(['brandstore_menus']);
  });

  it('retires a kept answer when its table changes', async () => {
    await db.prisma.$executeRawUnsafe('UPDATE brandstore SET nama = nama WHERE id = -1');
    await cache.settle();
    expect(await cache.get('kept', ['brandstore'], async () => ({ value: 2 }))).toBe(2);
  });

  it("tells of users only when a name the cached answers show may have changed, not of a login's bookkeeping", async () => {
    const told = async (statement: string) => {
      heard.length = 0;
      await db.prisma.$executeRawUnsafe(statement);
      await cache.settle();
      return heard.includes('users');
    };
    expect(await told('UPDATE users SET last_login_at = now(), num_of_login_attempts = 0, updated_at = now() WHERE id = -1')).toBe(false);
    expect(await told('UPDATE users SET users_fullname = users_fullname, updated_at = now() WHERE id = -1')).toBe(true);
    expect(await told('DELETE FROM users WHERE id = -1')).toBe(true);
  });

  it("names the user whose account state changed (user_auth:<id>), and no one for a login's bookkeeping", async () => {
    const userAuth = () => heard.filter((s) => s.startsWith('user_auth'));
    const [{ id }] = await db.prisma.$queryRawUnsafe<{ id: number }[]>(
      `INSERT INTO users (username, users_fullname, password_hash, updated_at) VALUES ('feed_user', 'Feed User', 'x', now()) RETURNING id`,
    );
    const expectHeard = async (statement: string, expected: string[]) => {
      heard.length = 0;
      await db.prisma.$executeRawUnsafe(statement, id);
      await cache.settle();
      expect(userAuth(), statement).toEqual(expected);
    };
    const mine = `user_auth:${id}`;
    await expectHeard('UPDATE users SET last_login_at = now(), num_of_login_attempts = num_of_login_attempts + 1, updated_at = now() WHERE id = $1', []);
    await expectHeard('UPDATE users SET users_fullname = users_fullname WHERE id = $1', []);
    await expectHeard('UPDATE users SET token_version = token_version + 1 WHERE id = $1', [mine]);
    await expectHeard('UPDATE users SET is_blocked = 1 WHERE id = $1', [mine]);
    await expectHeard('UPDATE users SET deleted_at = now() WHERE id = $1', [mine]);
    await expectHeard(`UPDATE users SET username = username || 'x' WHERE id = $1`, [mine]);
    await expectHeard(`INSERT INTO user_roles (id_users, role_codes) VALUES ($1, 'ADMIN')`, [mine]);
    await expectHeard(`UPDATE user_roles SET role_codes = 'OWNER' WHERE id_users = $1`, [mine]);
    await expectHeard('DELETE FROM user_roles WHERE id_users = $1', [mine]);
    await expectHeard('DELETE FROM users WHERE id = $1', [mine]);
    heard.length = 0;
    await db.prisma.$executeRawUnsafe('TRUNCATE user_roles');
    await cache.settle();
    expect(userAuth()).toEqual(['user_auth']);
  });

  it.runIf(process.env.TEST_DATABASE_URL)('turns the cache off when the listening connection stops answering, instead of holding up writes', async () => {
    // a TCP proxy to the test database that can stop passing data either way (a network partition)
    const target = new URL(db.databaseUrl!);
    let frozen = false;
    const sockets: net.Socket[] = [];
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      client.on('data', (d) => void (frozen || upstream.write(d)));
      upstream.on('data', (d) => void (frozen || client.write(d)));
      for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
        a.on('error', () => {});
        a.on('close', () => b.destroy());
      }
      sockets.push(client, upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const viaProxy = new URL(db.databaseUrl!);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String((proxy.address() as net.AddressInfo).port);
    const client = postgresClient(viaProxy.toString(), 1, 10_000);
    const partitioned = new ReadCache({ ttlMs: 60_000, maxEntries: 10, now: () => Date.now() });
    const stopPartitioned = await watchTableChanges(client.prisma, partitioned, pino({ level: 'silent' }), { queryTimeoutMs: 300 });
    try {
      await partitioned.get('kept', ['menus'], async () => ({ value: 1 }));
      expect(partitioned.live).toBe(true);
      frozen = true;
      const started = Date.now();
      await partitioned.settle();
      expect(Date.now() - started).toBeLessThan(3000);
      expect(partitioned.live).toBe(false);
      expect(partitioned.size).toBe(0);
      frozen = false;
      await vi.waitFor(() => expect(partitioned.live).toBe(true), { timeout: 10_000, interval: 50 });
    } finally {
      await stopPartitioned();
      await client.close();
      for (const socket of sockets) socket.destroy();
      proxy.close();
    }
  });
});
