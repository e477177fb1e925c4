import type { Method } from '../../src/http/route.js';
import type { TestApp, TestUser } from '../helpers/app.js';
import { audit } from '../../src/modules/audit/audit.service.js';

/**
 * Resources a customer owns. Each entry creates a row as customer A, then lists what customer B
 * tries against it. `denied` attempts must answer 403 or 404 and leave the row unchanged;
 * every answer to B must be free of A's `marker`. To cover a new resource, append an entry.
 */
export interface Attempt {
  method: Method;
  path: string;
  body?: Record<string, unknown>;
  /** denied (403/404) — or allowed but scoped to B, so it must not leak A's marker */
  expect: 'denied' | 'no-leak';
}

export interface OwnedResource {
  resource: string;
  /** creates A's row; returns its id and a string only A's row contains */
  create: (t: TestApp, a: TestUser) => Promise<{ id: number; marker: string }>;
  attempts: (id: number, a: TestUser, b: TestUser) => Attempt[];
  /** the row as stored, to prove a refused request changed nothing */
  snapshot: (t: TestApp, id: number) => Promise<unknown>;
}

export const OWNED: OwnedResource[] = [
  {
    resource: 'users',
    create: async (t, a) => {
      const marker = `a-private-address-${a.id}`;
      await t.app.db.user.update({ where: { id: a.id }, data: { users_address: marker } });
      return { id: a.id, marker };
    },
    attempts: (id) => [
      { method: 'get', path: `/users/${id}`, expect: 'denied' },
      { method: 'put', path: `/users/${id}/update`, body: { users_fullname: 'Hacked' }, expect: 'denied' },
      { method: 'post', path: `/users/${id}/update`, body: { users_fullname: 'Hacked' }, expect: 'denied' },
      { method: 'post', path: `/users/${id}/update/password`, body: { prev_password: 'x', new_password: 'hacked-123', new_password_confirm: 'hacked-123' }, expect: 'denied' },
      { method: 'put', path: `/users/${id}/update/password/admin`, body: { new_password: 'hacked-123', new_password_confirm: 'hacked-123' }, expect: 'denied' },
      { method: 'delete', path: `/users/${id}/delete`, expect: 'denied' },
      { method: 'post', path: `/users/${id}/unblock`, expect: 'denied' },
      { method: 'post', path: '/users/explore', body: { users_fullname: 'Test' }, expect: 'denied' },
      { method: 'post', path: '/users/search', body: {}, expect: 'denied' },
      { method: 'post', path: '/users/table', body: { draw: 1, start: 0, length: 10 }, expect: 'denied' },
      { method: 'get', path: '/users/data', expect: 'no-leak' },
      { method: 'get', path: '/users/data/export', expect: 'no-leak' },
    ],
    snapshot: (t, id) => t.app.db.user.findUnique({ where: { id }, include: { roles: true } }),
  },
  {
    resource: 'user_device_tokens',
    create: async (t, a) => {
      const marker = `device-token-of-a-${a.id}-xyz`;
      const row = await t.app.db.userDeviceToken.create({ data: { id_users: a.id, device_token: marker } });
      return { id: row.id, marker };
    },
    attempts: () => [
      { method: 'get', path: '/users/data', expect: 'no-leak' },
      { method: 'get', path: '/users/data/export', expect: 'no-leak' },
    ],
    snapshot: (t, id) => t.app.db.userDeviceToken.findUnique({ where: { id } }),
  },
  {
    resource: 'logs (client events recorded on B’s behalf only)',
    create: async (t, a) => {
      const marker = `log-of-a-${a.id}`;
      const row = await audit(t.app, { user: { id: a.id, roles: ['CUSTOMER'] }, action: 'client_event', resource: 'client', details: { note: marker } });
      return { id: row.id, marker };
    },
    attempts: (_id, a) => [
      { method: 'post', path: '/logs/create', body: { action: 'x', id_users: a.id, role: 'OWNER' }, expect: 'no-leak' },
      { method: 'post', path: '/logs/search', body: { id_users: a.id }, expect: 'denied' },
      { method: 'get', path: `/logs/${_id}`, expect: 'denied' },
      { method: 'put', path: `/logs/${_id}/update`, body: { action: 'x' }, expect: 'denied' },
      { method: 'delete', path: `/logs/${_id}/delete`, expect: 'denied' },
    ],
    snapshot: (t, id) => t.app.db.log.findUnique({ where: { id } }),
  },
];
