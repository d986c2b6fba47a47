import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { databaseModes, freshDatabase, type AppProcess } from '@douyin/testing';
import type { ApkMessage } from '../src/apk.js';
import { apkCall, startLocalMesh } from '../test/processes.js';
import { readEvents } from '../test/sse.js';

type Body = Record<string, unknown> & { status_code: number; status_msg: string };

/** One APK call against the running gateway; every answer must be HTTP 200 JSON. */
const callerOf = (gateway: AppProcess) => (method: 'GET' | 'POST', path: string, params: Record<string, string | number>) =>
  apkCall<Body>(gateway.url, method, path, params);

// user + relation + message + gateway as processes on loopback, found through the static registry.
for (const mode of databaseModes()) {
  test(`follows, friends and chat across real processes (${mode})`, { timeout: 120_000 }, async (t) => {
    const db = await freshDatabase(t, mode);
    const mesh = await startLocalMesh(t, db, ['user', 'relation', 'message']);
    const { gateway } = mesh;
    const services = [...mesh.services.values()];
    const call = callerOf(gateway);
    const register = async (username: string) => {
      const body = await call('POST', '/douyin/user/register/', { username, password: 'secret1' });
      assert.equal(body.status_code, 0, body.status_msg);
      return { id: body.user_id as number, token: body.token as string };
    };
    const [ann, bob, cat, dan] = [await register('ann'), await register('bob'), await register('cat'), await register('dan')];
    const people = [ann, bob, cat, dan];

    await t.test('a concurrent follow/unfollow storm ends with exact counts', async () => {
      const ops = [];
      for (let round = 0; round < 6; round++) {
        for (const from of people) {
          for (const to of people) {
            if (from === to) continue;
            ops.push(call('POST', '/douyin/relation/action/', { token: from.token, to_user_id: to.id, action_type: (round + from.id + to.id) % 3 === 0 ? 2 : 1 }));
          }
        }
      }
      for (const body of await Promise.all(ops)) assert.equal(body.status_code, 0, `${body.status_msg}\n${services.map((s) => s.output()).join('\n')}`);
      for (const person of people) {
        const [profile, follows, followers] = await Promise.all([
          call('GET', '/douyin/user/', { user_id: person.id }),
          call('GET', '/douyin/relation/follow/list/', { user_id: person.id }),
          call('GET', '/douyin/relation/follower/list/', { user_id: person.id }),
        ]);
        const user = profile.user as { follow_count: number; follower_count: number };
        assert.equal(user.follow_count, (follows.user_list as unknown[]).length);
        assert.equal(user.follower_count, (followers.user_list as unknown[]).length);
      }
    });

    await t.test('a polling client sees every message of two concurrent senders exactly once; push too', async () => {
      for (const [from, to] of [[ann, bob], [bob, ann]] as const) {
        assert.equal((await call('POST', '/douyin/relation/action/', { token: from.token, to_user_id: to.id, action_type: 1 })).status_code, 0);
      }
      const stop = new AbortController();
      const push = await fetch(`${gateway.url}/douyin/message/push/?token=${bob.token}`, { signal: stop.signal });
      const pushed = readEvents(push.body!);
      const send = (from: typeof ann, to: typeof ann, content: string) =>
        call('POST', '/douyin/message/action/', { token: from.token, to_user_id: to.id, action_type: 1, content });
      assert.equal((await send(ann, bob, 'opening')).status_code, 0);

      // bob's APK: a first load, then a poll every 150 ms with the largest create_time seen.
      const first = (await call('GET', '/douyin/message/chat/', { token: bob.token, to_user_id: ann.id })).message_list as ApkMessage[];
      const seen = first.map((m) => m.content);
      let last = Math.max(...first.map((m) => m.create_time));
      let sending = true;
      const poller = (async () => {
        for (;;) {
          const done = !sending;
          const body = await call('GET', '/douyin/message/chat/', { token: bob.token, to_user_id: ann.id, pre_msg_time: last });
          for (const m of body.message_list as ApkMessage[]) {
            assert.equal(m.from_user_id, ann.id);
            seen.push(m.content);
            last = Math.max(last, m.create_time);
          }
          if (done) return;
          await sleep(150);
        }
      })();
      // ann on two devices at once, bob answering at the same time.
      const sender = async (who: typeof ann, to: typeof ann, tag: string) => {
        for (let i = 0; i < 20; i++) assert.equal((await send(who, to, `${tag}${i}`)).status_code, 0);
      };
      await Promise.all([sender(ann, bob, 'phone'), sender(ann, bob, 'tablet'), sender(bob, ann, 'reply')]);
      sending = false;
      await poller;

      const history = (await call('GET', '/douyin/message/chat/', { token: ann.token, to_user_id: bob.id })).message_list as ApkMessage[];
      assert.equal(history.length, 61);
      const times = history.map((m) => m.create_time);
      assert.ok(times.every((time, i) => i === 0 || time > (times[i - 1] as number)), 'create_time unique and increasing');
      const fromAnn = history.filter((m) => m.from_user_id === ann.id).map((m) => m.content);
      assert.deepEqual(seen, fromAnn); // each exactly once, in order

      const received: string[] = [];
      while (received.length < 61) received.push((await pushed.next()).content);
      assert.deepEqual(received.sort(), history.map((m) => m.content).sort());
      stop.abort();
      assert.equal(await pushed.ended, false);

      const friends = await call('GET', '/douyin/relation/friend/list/', { token: bob.token });
      const [friend] = friends.user_list as Array<{ id: number; message: string; msgType: number; is_follow: boolean }>;
      const latest = history.at(-1)!;
      assert.deepEqual(friend, { ...friend, id: ann.id, is_follow: true, message: latest.content, msgType: latest.from_user_id === bob.id ? 1 : 0 });
    });
  });
}
