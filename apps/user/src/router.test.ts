import { test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseModes, rejectsWith } from '@douyin/testing';
import { callerFor, freshSchema } from '../test/harness.js';
import { createRouter } from './router.js';

for (const mode of databaseModes()) {
  test(`register then login returns the same id, and byId shows the name verbatim (${mode})`, async (t) => {
    const db = await freshSchema(t, mode);
    const caller = callerFor(createRouter({ db }));
    const name = "O'Brien 😀 抖音; DROP TABLE users";
    const { userId } = await caller.register({ username: name, password: 'secret1' });
    assert.deepEqual(await caller.login({ username: name, password: 'secret1' }), { userId });
    const profile = await caller.byId({ userId });
    assert.equal(profile.name, name);
    assert.equal(profile.id, userId);
  });

  test(`wrong password and unknown user fail alike (${mode})`, async (t) => {
    const db = await freshSchema(t, mode);
    const caller = callerFor(createRouter({ db }));
    await caller.register({ username: 'alice', password: 'secret1' });
    const wrong = await caller.login({ username: 'alice', password: 'secret2' }).catch((e: unknown) => e);
    const unknown = await caller.login({ username: 'bob', password: 'secret1' }).catch((e: unknown) => e);
    rejectsWith('UNAUTHORIZED', 'bad_credentials')(wrong);
    rejectsWith('UNAUTHORIZED', 'bad_credentials')(unknown);
    assert.equal((wrong as Error).message, (unknown as Error).message);
  });

  test(`usernames are unique, case-sensitive and compared without padding (${mode})`, async (t) => {
    const db = await freshSchema(t, mode);
    const caller = callerFor(createRouter({ db }));
    await caller.register({ username: 'alice', password: 'secret1' });
    await assert.rejects(caller.register({ username: 'alice', password: 'other12' }), rejectsWith('CONFLICT', 'username_taken'));
    await caller.register({ username: 'Alice', password: 'secret1' });
    await caller.register({ username: 'alice ', password: 'secret1' });
    const rows = await db.selectFrom('users').select('username').execute();
    assert.deepEqual(rows.map((r) => r.username).sort(), ['Alice', 'alice', 'alice '].sort());
  });

  test(`concurrent registrations of one name create exactly one user (${mode})`, async (t) => {
    const db = await freshSchema(t, mode);
    const caller = callerFor(createRouter({ db }));
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
    const caller = callerFor(createRouter({ db }));
    const { userId: a } = await caller.register({ username: 'a', password: 'secret1' });
    const { userId: b } = await caller.register({ username: 'b', password: 'secret1' });
    await assert.rejects(caller.byId({ userId: b + 100 }), rejectsWith('NOT_FOUND', 'user_not_found'));
    const found = await caller.byIds({ userIds: [b, a, a, b + 100] });
    assert.deepEqual(found.map((u) => u.id).sort((x, y) => x - y), [a, b]);
    assert.deepEqual(await caller.byIds({ userIds: [] }), []);
  });

  test(`invalid input is rejected before anything is written (${mode})`, async (t) => {
    const db = await freshSchema(t, mode);
    const caller = callerFor(createRouter({ db }));
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
}
