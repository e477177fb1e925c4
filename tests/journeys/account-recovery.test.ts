import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPerson, register, startWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

/** The link in the recovery e-mail: its secret and the address it names. */
function recoveryLink(mail: string) {
  const m = /https:\/\/app\.colederma\.test\/account\/recovery\?hash=([\w-]+)&email=([^\s]+)/.exec(mail);
  expect(m, 'a recovery link in the e-mail').not.toBeNull();
  return { hash: m![1]!, email: decodeURIComponent(m![2]!) };
}

describe('journey: account recovery by e-mail', () => {
  it('a customer who forgot the password resets it from the e-mailed link; old sessions end', async () => {
    const person = newPerson('forgetful');
    await register(w, person);
    const phone = await w.signIn(person.username, person.password);
    const laptop = await w.signIn(person.users_email, person.password);
    await w.call('get', '/users/data', phone.bearer);

    await w.call('post', `/users/${person.users_email}/recovery/password/email`, null);
    const link = recoveryLink(await w.lastMailTo(person.users_email));
    expect(link.email).toBe(person.users_email);

    const next = 'brand-new-pass-42';
    await w.call('post', `/users/${link.email}/forgot/${link.hash}/password/email`, null, { new_password: next, confirm_new_password: next });

    // every session signed in with the old password has ended
    await w.call('get', '/users/data', phone.bearer, undefined, 401);
    await w.call('get', '/users/data', laptop.bearer, undefined, 401);
    // the old password no longer works, the new one does, and the link cannot be used twice
    await w.call('post', '/users/login', null, { act: 'login', username: person.username, password: person.password, app: 'mobile' }, 401);
    const fresh = await w.signIn(person.username, next);
    expect((await w.call('get', '/users/data', fresh.bearer)).body.users.username).toBe(person.username);
    await w.call('post', `/users/${link.email}/forgot/${link.hash}/password/email`, null, { new_password: 'another-pass-77', confirm_new_password: 'another-pass-77' }, 422);
  });
});
