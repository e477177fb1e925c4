import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartWithAddress, chooseJne, newCustomer, staffSignsIn, staffStockTheShop } from './shop.js';
import { startWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

type Note = { id: number | string; intentions: string; title: string; is_read: number | string; reference_id: number | string };

describe('journey: a customer’s notifications and the phones they reach', () => {
  it('events notify and push; the customer reads them; a phone handed over, a password change and a dead token decide where pushes go', async () => {
    const admin = (await staffSignsIn(w)).bearer;
    const shop = await staffStockTheShop(w, admin, { stock: 50 });
    // the customer signs up on phone one (newCustomer registers it); the app later also holds an old, uninstalled token
    const c = await newCustomer(w, 'nt', 'phone-one-nt');
    await w.call('post', '/users/register_device_token', c.bearer, { device_token: 'dead-tablet-nt', already_login: true });

    /** Something happens to the customer: a cart checked out, then cancelled by staff (an `order_cancelled` notice). */
    const anEvent = async (bearer: string, patientId: number) => {
      const orderId = await cartWithAddress(w, bearer, patientId, shop.menuId, 1);
      await chooseJne(w, bearer, orderId);
      await w.call('put', `/orders/${orderId}/checkout`, bearer, {});
      await w.call('put', `/orders/${orderId}/cancel`, admin, { cancel_reason: 'stok habis' });
      return orderId;
    };
    const counts = async (bearer: string) => (await w.call('get', '/users/data', bearer)).body.users.notifications as { notifications: number; unread: number; isread: number };
    const list = async (bearer: string, filter: object = {}) => (await w.call('post', '/notifications/explore?page=1&length=50', bearer, filter)).body.data as Note[];

    // two events: two notices, pushed to the live phone; the dead token is refused by FCM and forgotten
    const first = await anEvent(c.bearer, c.patientId);
    const second = await anEvent(c.bearer, c.patientId);
    expect(await w.pushesTo('phone-one-nt')).toEqual(['Pesanan dibatalkan', 'Pesanan dibatalkan']);
    expect(await w.pushesTo('dead-tablet-nt')).toEqual([]);
    const refusedAtFirst = w.fcm.unregistered.length;
    expect(refusedAtFirst).toBeGreaterThan(0);
    expect(await counts(c.bearer)).toMatchObject({ notifications: 2, unread: 2, isread: 0 });

    // the list, and search with the unread filter, show both
    const notes = await list(c.bearer);
    expect(notes.map((n) => Number(n.reference_id)).sort()).toEqual([first, second].sort());
    expect((await w.call('post', '/notifications/search', c.bearer, { is_read: 0 })).body.notifications).toHaveLength(2);

    // the customer opens one and it is marked read
    const opened = notes.find((n) => Number(n.reference_id) === first)!;
    expect((await w.call('get', `/notifications/${opened.id}`, c.bearer)).body.notifications).toMatchObject({ intentions: 'order_cancelled' });
    expect((await w.call('put', `/notifications/${opened.id}/mark/as/read`, c.bearer, {})).body).toEqual({ mark_as_read: true });
    expect(await counts(c.bearer)).toMatchObject({ unread: 1, isread: 1 });
    expect((await list(c.bearer, { is_read: 0 })).map((n) => Number(n.reference_id))).toEqual([second]);
    // then marks all read
    expect((await w.call('put', '/notifications/mark/all', c.bearer, { id_users: c.id })).body).toEqual({ mark_all: true });
    expect(await counts(c.bearer)).toMatchObject({ notifications: 2, unread: 0, isread: 2 });

    // a notice is on its way to phone one when the customer gives it to a relative, who signs in there:
    // the phone is now the relative's, and the customer's notice is not shown on it
    await anEvent(c.bearer, c.patientId);
    const relative = await newCustomer(w, 'rl', 'phone-one-nt');
    // the customer carries on from phone two
    await w.call('post', '/users/register_device_token', c.bearer, { device_token: 'phone-two-nt', already_login: true });
    await anEvent(c.bearer, c.patientId);
    await anEvent(relative.bearer, relative.patientId);
    expect(await w.pushesTo('phone-two-nt')).toHaveLength(1);
    expect(await w.pushesTo('phone-one-nt')).toHaveLength(3); // the two earlier ones, then only the relative's
    expect(await counts(c.bearer)).toMatchObject({ notifications: 4, unread: 2 });
    expect(await counts(relative.bearer)).toMatchObject({ notifications: 1, unread: 1 });

    // a notice is on its way to phone two when the customer changes the password: the session ends and
    // phone two forgets the account (the queued push is dropped)
    await anEvent(c.bearer, c.patientId);
    await w.call('post', `/users/${c.id}/update/password`, c.bearer, { prev_password: c.person.password, new_password: 'a-new-pass-456', new_password_confirm: 'a-new-pass-456' });
    await w.call('get', '/users/data', c.bearer, undefined, 401);
    const again = await w.signIn(c.person.username, 'a-new-pass-456');
    await anEvent(again.bearer, c.patientId);
    expect(await w.pushesTo('phone-two-nt')).toHaveLength(1); // stored, not pushed: no phone is signed in
    expect(await counts(again.bearer)).toMatchObject({ notifications: 6, unread: 4 });
    // once phone two registers again after signing in, pushes resume
    await w.call('post', '/users/register_device_token', again.bearer, { device_token: 'phone-two-nt', already_login: false });
    await anEvent(again.bearer, c.patientId);
    expect(await w.pushesTo('phone-two-nt')).toHaveLength(2);
    // FCM was never asked about the dead token again after it first answered UNREGISTERED
    expect(w.fcm.unregistered.length).toBe(refusedAtFirst);
    // the relative's phone never got the customer's notices
    expect(await w.pushesTo('phone-one-nt')).toHaveLength(3);
  });
});
