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
