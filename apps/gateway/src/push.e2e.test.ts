import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { databaseModes, freshDatabase, until } from '@douyin/testing';
import { apkCall, startLocalMesh } from '../test/processes.js';
import { readEvents } from '../test/sse.js';

const BUDGET_MS = 600;

// user + message and two gateways as processes on loopback: a message sent through one gateway reaches a push
// connection on the other only by that gateway's poll of the message service.
for (const mode of databaseModes()) {
  test(`push across gateways, long after the request that opened the connection ran out of budget (${mode})`, { timeout: 90_000 }, async (t) => {
    const db = await freshDatabase(t, mode);
    // Only the listening gateway gets the short budget: sign-ups and sends through the other one need not race it on a
    // busy machine.
    const mesh = await startLocalMesh(t, db, ['user', 'message'], { gateways: 2, firstGateway: { MESH_TIMEOUT_MS: String(BUDGET_MS) } });
    const [listening, sending] = [mesh.gateway, mesh.otherGateways[0]!];
    const apk = async (path: string, params: Record<string, string | number>) => {
      const body = await apkCall<Record<string, unknown>>(sending.url, 'POST', path, params);
      assert.equal(body.status_code, 0, String(body.status_msg));
      return body;
    };
    const register = async (username: string) => {
      const body = await apk('/douyin/user/register/', { username, password: 'secret1' });
      return { id: body.user_id as number, token: body.token as string };
    };
    const [ann, bob] = [await register('ann'), await register('bob')];
    const stop = new AbortController();
    t.after(() => stop.abort());
    const bobLeaves = new AbortController();
    t.after(() => bobLeaves.abort());
    const pushed = readEvents((await fetch(`${listening.url}/douyin/message/push/?token=${bob.token}`, { signal: bobLeaves.signal })).body!);

    await sleep(3 * BUDGET_MS); // the listening gateway's polls outlive the push request's deadline
    for (const content of ['one', 'two']) await apk('/douyin/message/action/', { token: ann.token, to_user_id: bob.id, action_type: 1, content });
    const got = [await pushed.next(), await pushed.next()];
    assert.deepEqual(
      got.map((m) => [m.from_user_id, m.content]),
      [
        [ann.id, 'one'],
        [ann.id, 'two'],
      ],
    );

    // A connection opened once the hub has heard the message service starts from the service's clock as the hub
    // reckons it: a whole millisecond, or its polls would all be refused. (Bob's goes first: its own `since`, older,
    // would otherwise be what a poll of both asks from.)
    bobLeaves.abort();
    const annPushed = readEvents((await fetch(`${listening.url}/douyin/message/push/?token=${ann.token}`, { signal: stop.signal })).body!);
    await sleep(3 * BUDGET_MS);
    await apk('/douyin/message/action/', { token: bob.token, to_user_id: ann.id, action_type: 1, content: 'three' });
    const three = await Promise.race([annPushed.next(), sleep(10_000).then(() => assert.fail('a message sent through the other gateway never came'))]);
    assert.deepEqual([three.from_user_id, three.content], [bob.id, 'three']);
    assert.match(annPushed.lastId() ?? '', /^\d+$/, 'where a reconnect resumes: a whole millisecond');
    assert.doesNotMatch(listening.output(), /chat push poll failed/);

    // The client leaving is a push connection's usual end: counted as served (both), not as a request its client gave up on.
    stop.abort();
    const served = /^douyin_gateway_http_requests_total\{method="GET",route="\/douyin\/message\/push\/",code="0",outcome="ok"\} 2$/m;
    await until('the push connection counted', async () => served.test(await (await fetch(`${listening.url}/metrics`)).text()));
    assert.doesNotMatch(await (await fetch(`${listening.url}/metrics`)).text(), /douyin_gateway_http_request_duration_seconds_count\{[^}]*push/);
  });
}
