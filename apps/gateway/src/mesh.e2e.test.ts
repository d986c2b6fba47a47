import { test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseModes, freePort, freshDatabase } from '@douyin/testing';
import { apk, startGateway, startUser, succeeded, until } from '../test/processes.js';

// Real processes on loopback: the gateway finds the user service through the static list, as in embedded mode.
for (const mode of databaseModes()) {
  test(`gateway and user service as processes over the static mesh (${mode})`, async (t) => {
    const db = await freshDatabase(t, mode);
    const userPort = await freePort();
    const discovery = { staticUser: `127.0.0.1:${userPort}` };
    // A short breaker reset keeps the recovery check quick; the default (5 s) behaves the same, only slower. The race
    // below hashes 20 passwords at once (scrypt, four at a time): on two cores shared with another project's tests
    // that outlasted the default 3 s budget, and its losers answered 50303 instead of 40901.
    const [user, gateway] = await Promise.all([
      startUser(t, db, discovery, { PORT: String(userPort) }),
      startGateway(t, db, discovery, { MESH_BREAKER_RESET_MS: '1000', MESH_TIMEOUT_MS: '15000' }),
    ]);
    const api = apk(gateway);

    await t.test('register, login and profile answer with the APK status codes', async () => {
      const registered = await succeeded(api.register('alice', 'secret1'));
      assert.ok(registered.user_id && registered.token);
      const login = await succeeded(api.login('alice', 'secret1'));
      assert.equal(login.user_id, registered.user_id);

      const byToken = await succeeded(api.user({ token: login.token ?? '' }));
      assert.deepEqual([byToken.user?.id, byToken.user?.name], [registered.user_id, 'alice']);
      const byId = await succeeded(api.user({ user_id: registered.user_id ?? 0 }));
      assert.deepEqual(byId.user, byToken.user);

      assert.equal((await api.register('alice', 'other-password')).status_code, 40901);
      const wrongPassword = await api.login('alice', 'wrong-password');
      const unknownUser = await api.login('nobody', 'secret1');
      assert.equal(wrongPassword.status_code, 40103);
      // Same answer for both, so the login form does not reveal which names exist.
      assert.deepEqual(unknownUser, wrongPassword);
      assert.equal((await api.user({ user_id: 999_999 })).status_code, 40401);
    });

    await t.test('of 20 concurrent registrations of one name exactly one wins', async () => {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => api.register('race', `password-${i}`)));
      const winners = answers.filter((a) => a.status_code === 0);
      assert.equal(winners.length, 1, JSON.stringify(answers.map((a) => a.status_code)));
      assert.deepEqual(answers.filter((a) => a.status_code !== 0).map((a) => a.status_code), Array(19).fill(40901));

      const winner = answers.indexOf(winners[0] ?? answers[0]!);
      const login = await succeeded(api.login('race', `password-${winner}`));
      assert.equal(login.user_id, winners[0]?.user_id);
    });

    await t.test('while the user service is down the gateway answers 50303, and recovers when it returns', async () => {
      const alice = await succeeded(api.login('alice', 'secret1'));
      assert.equal(await user.stop(), 0, user.output());

      // Fail until the instance's breaker opens (its log line is the only outside sign), so recovery also
      // covers the half-open probe; earlier successes in the breaker's 10 s window delay the opening.
      for (let calls = 0; !gateway.output().includes('breaker opened'); calls++) {
        assert.ok(calls < 200, `the breaker never opened:\n${gateway.output()}`);
        const profile = await api.user({ user_id: alice.user_id ?? 0 });
        assert.equal(profile.status_code, 50303, JSON.stringify(profile));
        assert.equal(profile.user?.id, 0, 'zero fields keep the APK from crashing');
      }
      assert.equal((await api.register('bob', 'secret1')).status_code, 50303);
      assert.equal((await api.login('alice', 'secret1')).status_code, 50303);
      assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200, 'the gateway stays up');

      await startUser(t, db, discovery, { PORT: String(userPort) });
      await until('the gateway to reach the restarted user service', async () => (await api.user({ user_id: alice.user_id ?? 0 })).status_code === 0);
      // Same database: what was registered before the outage is still there.
      assert.equal((await succeeded(api.login('alice', 'secret1'))).user_id, alice.user_id);
      await succeeded(api.register('bob', 'secret1'));
    });
  });
}
