import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { databaseModes, freshDatabase, startOtlpReceiver, startPrivateRedis, type ReceivedSpan } from '@douyin/testing';
import { apkCall, startLocalMesh } from '../test/processes.js';

const SERVER = 2;
const CLIENT = 3;
// SQL spans come from the mysql2 instrumentation; embedded SQLite has none, so the richer mode is the one run.
const mode = databaseModes().at(-1) ?? 'sqlite';

test(`one APK request is one trace across gateway, relation and user processes (${mode})`, async (t) => {
  const receiver = await startOtlpReceiver(t);
  const db = await freshDatabase(t, mode);
  // With Redis, profiles are cached: their write-backs carry user data a Redis span must not record.
  const redis = await startPrivateRedis(t);
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, REDIS_URL: redis.url };
  const { gateway, services } = await startLocalMesh(t, db, ['user', 'relation', 'message'], { env });

  const call = (path: string, params: Record<string, string | number>, headers: Record<string, string> = {}) =>
    apkCall<{ status_code: number; user_id: number; token: string }>(gateway.url, 'POST', path, params, { headers });
  const alice = await call('/douyin/user/register/', { username: 'alice', password: 'secret1' });
  const bob = await call('/douyin/user/register/', { username: 'bob', password: 'secret1' });
  // A client's own trace context, sampled: the gateway neither joins that trace nor lets it decide the sampling.
  const publicTrace = '0af7651916cd43dd8448eb211c80319c';
  const follow = await call('/douyin/relation/action/', { token: alice.token, to_user_id: bob.user_id, action_type: 1 }, { traceparent: `00-${publicTrace}-b7ad6b7169203331-01` });
  assert.equal(follow.status_code, 0, JSON.stringify(follow));
  // Any path may be asked for: a span per distinct name would be a new operation in Jaeger for each.
  assert.equal(((await (await fetch(`${gateway.url}/douyin/no-such-route-7d1f/`)).json()) as { status_code: number }).status_code, 40404);

  // A push connection's request is a span too, though its reply is a stream the handler writes itself.
  const push = await fetch(`${gateway.url}/douyin/message/push/?token=${alice.token}`);
  const reader = push.body!.getReader();
  assert.match(new TextDecoder().decode((await reader.read()).value), /: connected/);

  // A graceful stop exports what is still batched; the gateway first, as in production.
  for (const app of [gateway, ...services.values()]) assert.equal(await app.stop(), 0, app.output());
  const deadline = Date.now() + 5_000;
  const followCall = () => receiver.spans().find((s) => s.service === 'gateway' && s.kind === CLIENT && s.name === 'relation/follow');
  while (!followCall() && Date.now() < deadline) await sleep(50);
  const anchor = followCall();
  assert.ok(anchor, `no relation/follow client span from the gateway among ${receiver.spans().map((s) => `${s.service}:${s.name}`).join(', ')}`);

  assert.notEqual(anchor.traceId, publicTrace);
  assert.ok(!receiver.spans().some((s) => s.traceId === publicTrace), 'nothing joined the trace the client named');
  const pushSpans = receiver.spans().filter((s) => s.service === 'gateway' && s.kind === SERVER && s.name === 'GET /douyin/message/push/');
  assert.deepEqual(pushSpans.map((s) => [s.attributes['url.path'], String(s.attributes['http.response.status_code'])]), [['/douyin/message/push/', '200']]);
  const unmatched = receiver.spans().filter((s) => s.service === 'gateway' && s.kind === SERVER && s.attributes['url.path'] === '/douyin/no-such-route-7d1f/');
  assert.deepEqual(unmatched.map((s) => s.name), ['GET unmatched']);
  const trace = receiver.spans().filter((s) => s.traceId === anchor.traceId);
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  const roots = trace.filter((s) => s.parentSpanId === '');
  assert.equal(roots.length, 1, `one root: ${roots.map((s) => `${s.service}:${s.name}`).join(', ')}`);
  assert.deepEqual(
    [roots[0]?.service, roots[0]?.kind, roots[0]?.name],
    ['gateway', SERVER, 'POST /douyin/relation/action/'],
    'the root is the gateway answering the APK, named by its route',
  );
  // One span per request in the gateway (not one per HTTP layer, route and handler), then its calls.
  assert.equal(trace.filter((s) => s.service === 'gateway' && s.kind !== CLIENT).length, 1, trace.map((s) => `${s.service}:${s.name}`).join(', '));
  for (const span of trace) {
    if (span.parentSpanId) assert.ok(byId.has(span.parentSpanId), `${span.service}:${span.name} links to a span of the same trace`);
  }
  assert.deepEqual(new Set(trace.map((s) => s.service)), new Set(['gateway', 'relation', 'user']));

  // Every hop: a CLIENT span in the caller is the parent of the callee's first span.
  const calleeOf = (client: ReceivedSpan) => trace.find((s) => s.parentSpanId === client.spanId);
  const hops = trace.filter((s) => s.kind === CLIENT && typeof s.attributes['rpc.service'] === 'string');
  assert.ok(hops.some((c) => c.service === 'gateway' && c.attributes['rpc.service'] === 'relation'));
  assert.ok(hops.some((c) => c.service === 'relation' && c.attributes['rpc.service'] === 'user'), 'relation calls user inside the same trace');
  for (const client of hops) assert.equal(calleeOf(client)?.service, client.attributes['rpc.service'], `${client.service} -> ${client.name}`);

  if (mode === 'mysql') {
    const sql = trace.filter((s) => s.attributes['db.system'] === 'mysql' || s.attributes['db.system.name'] === 'mysql');
    assert.ok(sql.some((s) => s.service === 'relation'), 'the follow is a span of the relation service');
    for (const span of sql) assert.ok(byId.has(span.parentSpanId), 'SQL spans hang under the procedure that ran them');
    const statements = sql.map((s) => String(s.attributes['db.statement'] ?? s.attributes['db.query.text']));
    // Statements keep their placeholders: the ids, times and texts a user sent are not in the trace.
    assert.ok(statements.some((text) => /^CALL `change_follow_v2`\(\?, \?, \?, \?\)$/.test(text)), statements.join(' | '));
  }
  // The cache's commands are spans too (ioredis, which the app imports as ESM, was patched), so the check below reads them.
  const isRedis = (s: ReceivedSpan) => s.attributes['db.system'] === 'redis' || s.attributes['db.system.name'] === 'redis';
  assert.ok(receiver.spans().some(isRedis), `no Redis span among ${receiver.spans().map((s) => `${s.service}:${s.name}`).join(', ')}`);
  // No span of any trace holds what the users sent: not the username, not the password.
  for (const span of receiver.spans()) {
    for (const [name, value] of Object.entries(span.attributes)) {
      assert.doesNotMatch(String(value), /alice|secret1/, `${span.service}:${span.name} ${name}`);
    }
  }
});
