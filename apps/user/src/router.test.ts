import { test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseModes, rejectsWith, sharedRedisUrl } from '@douyin/testing';
import { callerFor, freshSchema, profileCache } from '../test/harness.js';
import { createRouter } from './router.js';

for (const mode of databaseModes()) {
  test(`register then login returns the same id, and byId shows the name verbatim (${mode})`, async (t) => {
    const db = await freshSchema(t, mode);
    const caller = callerFor(createRouter({ db, cache: await profileCache(t) }));
    const name = "O'Brien 😀 抖音; DROP TABLE users";
    const { userId } = await caller.register({ username: name, password: 'secret1' });
    assert.deepEqual(await caller.login({ username: name, password: 'secret1' }), { userId });
    const profile = await caller.byId({ userId });
    assert.equal(profile.name, name);
    assert.equal(profile.id, userId);
  });

  test(`wrong password and unknown user fail alike (${mode})`, async (t) => {
    const db = await freshSchema(t, mode);
    const caller = callerFor(createRouter({ db, cache: await profileCache(t) }));
    await caller.register({ username: 'alice', password: 'secret1' });
    const wrong = await caller.login({ username: 'alice', password: 'secret2' }).catch((e: unknown) => e);
    const unknown = await caller.login({ username: 'bob', password: 'secret1' }).catch((e: unknown) => e);
    rejectsWith('UNAUTHORIZED', 'bad_credentials')(wrong);
    rejectsWith('UNAUTHORIZED', 'bad_credentials')(unknown);
    assert.equal((wrong as Error).message, (unknown as Error).message);
  });

  test(`usernames are unique, case-sensitive and compared without padding (${mode})`, async (t) => {
    const db = await freshSchema(t, mode);
    const caller = callerFor(createRouter({ db, cache: await profileCache(t) }));
    await caller.register({ username: 'alice', password: 'secret1' });
    await assert.rejects(caller.register({ username: 'alice', password: 'other12' }), rejectsWith('CONFLICT', 'username_taken'));
    await caller.register({ username: 'Alice', password: 'secret1' });
    await caller.register({ username: 'alice ', password: 'secret1' });
    const rows = await db.selectFrom('users').select('username').execute();
    assert.deepEqual(rows.map((r) => r.username).sort(), ['Alice', 'alice', 'alice '].sort());
  });

  test(`concurrent registrations of one name create exactly one user (${mode})`, async (t) => {
    const db = await freshSchema(t, mode);
    const caller = callerFor(createRouter({ db, cache: await profileCache(t) }));
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => caller.register({ username: 'race', password: 'secret1' })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1);
    for (const r of lost) rejectsWith('CONFLICT', 'username_taken')(r.reason);
    const { count } = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    assert.equal(Number(count), 1);
  });

  test(`byId of an unknown user is NOT_FOUND; byIds skips unknown ids (${mode})`, async (t) => {
    const db = await freshSchema(t, mode);
    const caller = callerFor(createRouter({ db, cache: await profileCache(t) }));
    const { userId: a } = await caller.register({ username: 'a', password: 'secret1' });
    const { userId: b } = await caller.register({ username: 'b', password: 'secret1' });
    await assert.rejects(caller.byId({ userId: b + 100 }), rejectsWith('NOT_FOUND', 'user_not_found'));
    const found = await caller.byIds({ userIds: [b, a, a, b + 100] });
    assert.deepEqual(found.map((u) => u.id).sort((x, y) => x - y), [a, b]);
    assert.deepEqual(await caller.byIds({ userIds: [] }), []);
  });

  test(`invalid input is rejected before anything is written (${mode})`, async (t) => {
    const db = await freshSchema(t, mode);
    const caller = callerFor(createRouter({ db, cache: await profileCache(t) }));
    for (const bad of [
      { username: '', password: 'secret1' },
      { username: 'x'.repeat(33), password: 'secret1' },
      { username: 'tab\there', password: 'secret1' },
      { username: 'ok', password: '12345' },
    ]) {
      await assert.rejects(caller.register(bad), rejectsWith('BAD_REQUEST'));
    }
    assert.equal((await db.selectFrom('users').selectAll().execute()).length, 0);
  });

  test(`profiles come from the cache once read, and an id unknown at a miss is found once registered (${mode})`, async (t) => {
    const db = await freshSchema(t, mode);
    const cache = await profileCache(t);
    const caller = callerFor(createRouter({ db, cache }));
    const { userId: alice } = await caller.register({ username: 'alice', password: 'secret1' });
    assert.deepEqual((await caller.byIds({ userIds: [alice, alice + 1] })).map((u) => u.name), ['alice']);
    const { userId: bob } = await caller.register({ username: 'bob', password: 'secret1' });
    assert.deepEqual((await caller.byIds({ userIds: [bob, alice] })).map((u) => u.name), ['bob', 'alice'], 'in the order asked');

    // A profile never changes after registration; with Redis the second read does not touch the row at all.
    await db.deleteFrom('users').where('id', '=', alice).execute();
    if (sharedRedisUrl()) {
      assert.equal((await caller.byId({ userId: alice })).name, 'alice');
      assert.deepEqual(cache.stats.of('profile'), { hits: 2, misses: 3, declined: 0, failures: 0 });
    } else {
      await assert.rejects(caller.byId({ userId: alice }), rejectsWith('NOT_FOUND', 'user_not_found'));
    }
  });
}
