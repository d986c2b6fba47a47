import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ConfigError, DbEnv, EMBEDDED_SERVICES, loadConfig, serviceEnv, toDbConfig, toServiceConfig } from '@douyin/config';

test('a service with no environment runs embedded on its own loopback port with the static registry', () => {
  const config = toServiceConfig('user', loadConfig(serviceEnv('user'), {}));
  assert.equal(config.port, 9101);
  assert.equal(config.advertiseHost, '127.0.0.1');
  assert.equal(config.registry.consulUrl, undefined);
  assert.equal(config.registry.staticServices, EMBEDDED_SERVICES);
  assert.match(EMBEDDED_SERVICES, /user=127\.0\.0\.1:9101/);
  assert.equal(config.production, false);
});

test('a wildcard bind advertises a dialable address', () => {
  const config = toServiceConfig('user', loadConfig(serviceEnv('user'), { HOST: '0.0.0.0', NODE_ENV: 'production', METRICS_TOKEN: 'q8VhZ0xk3JtY2mWc7RnP' }));
  assert.equal(config.advertiseHost, '127.0.0.1');
  assert.equal(config.production, true);
  const pod = toServiceConfig('user', loadConfig(serviceEnv('user'), { HOST: '0.0.0.0', ADVERTISE_HOST: '10.1.2.3' }));
  assert.equal(pod.advertiseHost, '10.1.2.3');
});

test('rejects a malformed static service list and a non-URL Consul address', () => {
  assert.throws(() => loadConfig(serviceEnv('user'), { STATIC_SERVICES: 'user', CONSUL_HTTP_ADDR: 'nope' }), /STATIC_SERVICES[\s\S]*CONSUL_HTTP_ADDR|CONSUL_HTTP_ADDR[\s\S]*STATIC_SERVICES/);
});

test('production refuses a service without DATABASE_URL; development falls back to SQLite', () => {
  const Env = z.object({ ...serviceEnv('user').shape, ...DbEnv.shape }).transform((e) => toDbConfig('user', e));
  assert.throws(() => loadConfig(Env, { NODE_ENV: 'production' }), (err: unknown) => err instanceof ConfigError && /DATABASE_URL/.test(err.message));
  assert.equal(loadConfig(Env, { NODE_ENV: 'production', DATABASE_URL: 'mysql://u:p@db:3306/d' }).url, 'mysql://u:p@db:3306/d');
  assert.deepEqual(loadConfig(Env, {}), { url: undefined, dataDir: 'data', name: 'user', poolSize: 10 });
  // An unreadable secret mount is named with the refusal it causes, not hidden by it.
  assert.throws(
    () => loadConfig(Env, { NODE_ENV: 'production', DATABASE_URL_FILE: '/nonexistent/database-url' }),
    (err: unknown) => err instanceof ConfigError && err.problems.length === 2 && /DATABASE_URL_FILE: cannot read/.test(err.problems[0]!),
  );
});

test('production refuses a missing or placeholder METRICS_TOKEN', () => {
  const configOf = (env: Record<string, string>) => toServiceConfig('user', loadConfig(serviceEnv('user'), env));
  assert.throws(() => configOf({ NODE_ENV: 'production' }), /METRICS_TOKEN \(or METRICS_TOKEN_FILE\): required with NODE_ENV=production/);
  assert.equal(configOf({}).metricsToken, undefined, 'development serves /metrics without one');
  assert.throws(() => configOf({ NODE_ENV: 'production', METRICS_TOKEN: 'replace-with-at-least-16-random-characters' }), /METRICS_TOKEN: looks like a placeholder/);
  assert.equal(configOf({ NODE_ENV: 'production', METRICS_TOKEN: 'q8VhZ0xk3JtY2mWc7RnP' }).metricsToken, 'q8VhZ0xk3JtY2mWc7RnP');
  // A random token may begin with "dev" (one in 32,768 base64 ones): only "dev-" or "dev_" marks a placeholder.
  assert.equal(configOf({ NODE_ENV: 'production', METRICS_TOKEN: 'DevQ8VhZ0xk3JtY2mWc7' }).metricsToken, 'DevQ8VhZ0xk3JtY2mWc7');
  assert.equal(configOf({ METRICS_TOKEN: 'replace-with-at-least-16-random-characters' }).production, false, 'development takes any');
});
