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

/** Forgot password: ask for the e-mail, follow its link, choose `next`. Returns the link used. */
async function resetByEmail(email: string, next: string) {
  await w.call('post', `/users/${email}/recovery/password/email`, null);
  const link = recoveryLink(await w.lastMailTo(email));
  expect(link.email).toBe(email);
  await w.call('post', `/users/${link.email}/forgot/${link.hash}/password/email`, null, { new_password: next, confirm_new_password: next });
  return link;
}

describe('journey: account recovery by e-mail', () => {
  it('a customer resets a forgotten password from the e-mailed link (old sessions end), later unlocks a blocked account the same way', async () => {
    const person = newPerson('forgetful');
    await register(w, person);
    const phone = await w.signIn(person.username, person.password);
    const laptop = await w.signIn(person.users_email, person.password);
    await w.call('get', '/users/data', phone.bearer);

    const first = await resetByEmail(person.users_email, 'brand-new-pass-42');
    // every session signed in with the old password has ended
    await w.call('get', '/users/data', phone.bearer, undefined, 401);
    await w.call('get', '/users/data', laptop.bearer, undefined, 401);
    // the old password no longer works, the new one does, and the link cannot be used twice
    await w.call('post', '/users/login', null, { act: 'login', username: person.username, password: person.password, app: 'mobile' }, 401);
    const fresh = await w.signIn(person.username, 'brand-new-pass-42');
    expect((await w.call('get', '/users/data', fresh.bearer)).body.users.username).toBe(person.username);
    await w.call('post', `/users/${first.email}/forgot/${first.hash}/password/email`, null, { new_password: 'another-pass-77', confirm_new_password: 'another-pass-77' }, 422);

    // months later: wrong guesses until the account is blocked; even the right password is refused
    const wrong = { act: 'login', username: person.username, password: 'not-my-password', app: 'mobile' };
    for (let i = 0; i < w.t.app.config.LOGIN_MAX_ATTEMPTS; i++) await w.call('post', '/users/login', null, wrong, 401);
    const locked = await w.t.http.post('/users/login').send({ act: 'login', username: person.username, password: 'brand-new-pass-42', app: 'mobile' });
    expect(locked.status).not.toBe(200);
    await w.call('get', '/users/data', fresh.bearer, undefined, 401);
    // a recovery link lifts the block
    await resetByEmail(person.users_email, 'third-pass-2026');
    await w.signIn(person.username, 'third-pass-2026');
  });
});
