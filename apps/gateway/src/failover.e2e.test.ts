import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { databaseModes, freshDatabase, startFakeConsul, type AppProcess, type DatabaseMode, type FakeConsul } from '@douyin/testing';
import { apk, discoveredBy, startGateway, startUser, steadyTraffic, succeeded, until, type Traffic } from '../test/processes.js';

/** Two user instances and a gateway, all registered in one fake Consul, with the gateway seeing both users. */
async function consulMesh(t: TestContext, mode: DatabaseMode) {
  const consul = await startFakeConsul();
  t.after(() => consul.stop());
  const db = await freshDatabase(t, mode);
  const discovery = { consulUrl: consul.url };
  const [a, b, gateway] = await Promise.all([
    startUser(t, db, discovery),
    startUser(t, db, discovery),
    // info level for its "service instances changed" lines: they show what the gateway's discovery holds. One failure
    // opens a breaker here: how many calls reach a killed instance before its check fails depends on the machine.
    // The traffic logs in from one address hundreds of times a minute, past the login bucket meant for a client.
    startGateway(t, db, discovery, { LOG_LEVEL: 'info', MESH_BREAKER_CONSECUTIVE_FAILURES: '1', RATE_LIMIT_LOGIN_IP: 'off' }),
  ]);
  const instanceId = (user: AppProcess): string | undefined =>
    consul.services().find((s) => s.service === 'user' && s.id.startsWith(`user-127.0.0.1-${user.port}-`))?.id;
  const passing = (user: AppProcess) => consul.services().some((s) => s.id === instanceId(user) && s.status === 'passing');
  await until('both user instances to pass their checks', () => passing(a) && passing(b));
  const both = [instanceId(a), instanceId(b)].sort().join();
  await until('the gateway to discover both user instances', () => discoveredBy(gateway, 'user')?.join() === both);

  const api = apk(gateway);
  const alice = await succeeded(api.register('alice', 'secret1'));
  return { consul, a, b, gateway, api, instanceId, passing, aliceId: alice.user_id ?? 0 };
}

/** The APK's two user queries, alternating: both are retried on another instance by the mesh. */
const queries = (api: ReturnType<typeof apk>, userId: number) => (n: number) =>
  n % 2 === 0 ? succeeded(api.user({ user_id: userId })) : succeeded(api.login('alice', 'secret1'));

// A busy machine serves fewer calls per second; a count, not a rate, keeps the verdict meaningful there too.
const atLeast = (traffic: Traffic, calls: number) => until(`${calls} calls`, () => traffic.ok + traffic.failed >= calls, 15_000);

const summary = (traffic: Traffic) => `${traffic.ok} ok, ${traffic.failed} failed: ${traffic.failures.join('; ')}`;

/** Attempts the gateway's mesh client saw fail on `instanceId` (and sent elsewhere, when it could). */
const failedAttempts = (gateway: AppProcess, instanceId = '') =>
  gateway.output().split('\n').filter((line) => line.includes('"mesh call failed"') && line.includes(`"${instanceId}"`)).length;

for (const mode of databaseModes()) {
  test(`a crashed user instance: queries keep succeeding, it leaves discovery, and a Consul outage changes nothing (${mode})`, { timeout: 120_000 }, async (t) => {
    const { consul, a, gateway, api, instanceId, passing, aliceId } = await consulMesh(t, mode);
    const deadId = instanceId(a);
    let traffic = steadyTraffic(t, queries(api, aliceId));
    await sleep(300); // both instances take traffic before the crash

    const killedAt = Date.now();
    await a.kill();
    // The agent's HTTP check (every 2 s by the registry's defaults) turns it critical; the watch drops it at once.
    await until('the killed instance to fail its check', () => !passing(a));
    const criticalAfterMs = Date.now() - killedAt;
    assert.equal(consul.services().find((s) => s.id === deadId)?.status, 'critical');
    await until('the gateway to drop the killed instance', () => discoveredBy(gateway, 'user')?.includes(deadId ?? '') === false);
    await sleep(1_000);
    await atLeast(traffic, 100);
    await traffic.stop();
    t.diagnostic(`SIGKILL: critical after ${criticalAfterMs} ms; ${summary(traffic)}; ${failedAttempts(gateway, deadId)} attempts hit the dead instance`);
    assert.ok(failedAttempts(gateway, deadId) > 0, 'the stream reached the dead instance, so the retries were exercised');
    assert.ok(traffic.failed <= traffic.ok / 99, summary(traffic));
    // The failures opened the dead instance's breaker (the gateway's own counter, and its log naming the instance),
    // so calls stopped waiting on it.
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(metrics, /douyin_gateway_breaker_transitions_total\{(?=[^}]*target="user")(?=[^}]*state="open")[^}]*\} [1-9]/);
    const opened = gateway.output().split('\n').filter((line) => line.includes('"breaker opened"'));
    assert.ok(opened.some((line) => line.includes(`"${deadId}"`)), opened.join('\n'));

    await consul.stop();
    traffic = steadyTraffic(t, queries(api, aliceId));
    await sleep(1_500); // the gateway's watch fails and retries meanwhile
    await atLeast(traffic, 50);
    await traffic.stop();
    t.diagnostic(`Consul down: ${summary(traffic)}`);
    assert.equal(traffic.failed, 0, summary(traffic));
    assert.match(gateway.output(), /consul watch failed, serving cached instances/);
    assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200);
  });

  test(`a gracefully stopped user instance deregisters at once and drains without a failed request (${mode})`, { timeout: 120_000 }, async (t) => {
    const { consul, b, gateway, api, instanceId, aliceId } = await consulMesh(t, mode);
    const leavingId = instanceId(b);
    const read = queries(api, aliceId);
    // Registrations too: a mutation is re-sent only when it certainly did not run, so the drain must not drop one.
    const traffic = steadyTraffic(t, (n) => (n % 3 === 2 ? succeeded(api.register(`user-${n}`, 'secret1')) : read(n)));
    await sleep(500);

    const stoppedAt = Date.now();
    const exit = b.stop();
    await until('the stopping instance to leave Consul', () => !consul.services().some((s) => s.id === leavingId));
    const goneAfterMs = Date.now() - stoppedAt;
    assert.equal(await exit, 0, b.output());
    // It deregistered itself while its check still passed, rather than being dropped for failing it.
    assert.deepEqual(consul.departures().filter((d) => d.id === leavingId), [{ id: leavingId, by: 'deregistration', status: 'passing' }]);
    await sleep(1_000);
    await atLeast(traffic, 50);
    await traffic.stop();
    t.diagnostic(`SIGTERM: deregistered after ${goneAfterMs} ms; ${summary(traffic)}; ${failedAttempts(gateway, leavingId)} attempts retried`);
    assert.equal(traffic.failed, 0, summary(traffic));
  });
}
