import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@douyin/telemetry';

test('tags every line with the service and instance', () => {
  const logger = createLogger({ service: 'user', instanceId: 'user-1', level: 'info' });
  const bindings = logger.bindings();
  assert.equal(bindings.service, 'user');
  assert.equal(bindings.instance, 'user-1');
  assert.equal(logger.isLevelEnabled('debug'), false);
});

test('an error is logged with its message and code but without the SQL and values mysql2 attaches', () => {
  const lines: string[] = [];
  const logger = createLogger({ service: 'user', destination: { write: (line: string) => void lines.push(line) } });
  const err = Object.assign(new Error("Duplicate entry for key 'users_username'"), {
    code: 'ER_DUP_ENTRY',
    sql: "insert into `users` (`username`, `password_hash`) values ('alice', '$argon2id$secret')",
  });
  logger.error({ err }, 'procedure failed');
  const logged = JSON.parse(lines[0] ?? '{}') as { err?: Record<string, unknown> };
  assert.deepEqual([logged.err?.message, logged.err?.code, logged.err?.type], ["Duplicate entry for key 'users_username'", 'ER_DUP_ENTRY', 'Error']);
  assert.doesNotMatch(lines[0] ?? '', /alice|argon2id/);
});

test('a reason logged as text stays text', () => {
  const lines: string[] = [];
  const logger = createLogger({ service: 'gateway', destination: { write: (line: string) => void lines.push(line) } });
  logger.warn({ err: 'deadline exceeded calling favorite@127.0.0.1:1' }, 'mesh call failed');
  logger.warn({ err: null }, 'nothing to say');
  assert.equal((JSON.parse(lines[0] ?? '{}') as { err?: unknown }).err, 'deadline exceeded calling favorite@127.0.0.1:1');
  assert.equal((JSON.parse(lines[1] ?? '{}') as { err?: unknown }).err, null);
});

test('objects hanging off an error are left out: an HTTP client error keeps the request headers it sent on its response', () => {
  const lines: string[] = [];
  const logger = createLogger({ service: 'user', destination: { write: (line: string) => void lines.push(line) } });
  const request = { _header: 'PUT /v1/agent/service/register HTTP/1.1\r\nx-consul-token: acl-secret-0123\r\n\r\n' };
  const response = { statusCode: 403, req: request, headers: { 'x-consul-knownleader': 'true' } };
  const cause = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', config: { headers: { authorization: 'Bearer cause-secret' } } });
  const err = Object.assign(new Error('Forbidden', { cause }), { statusCode: 403, response, data: { code: 'FORBIDDEN', reason: 'acl', nested: { token: 'x' } } });
  logger.error({ err }, 'registration failed');
  const logged = JSON.parse(lines[0] ?? '{}') as { err?: Record<string, unknown> };
  assert.equal(logged.err?.statusCode, 403);
  assert.deepEqual(logged.err?.data, { code: 'FORBIDDEN', reason: 'acl' });
  assert.match(String(logged.err?.message), /Forbidden.*socket hang up/);
  assert.doesNotMatch(lines[0] ?? '', /acl-secret|cause-secret|x-consul-token/);
});
