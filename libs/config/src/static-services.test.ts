import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStaticServices } from '@douyin/config';

test('parses services with several addresses, tolerating whitespace and a trailing separator', () => {
  const parsed = parseStaticServices(' user = 127.0.0.1:9101 , 127.0.0.1:9111 ;video=localhost:9102; gw=[::1]:8080;');
  assert.deepEqual([...parsed], [
    ['user', [{ address: '127.0.0.1', port: 9101 }, { address: '127.0.0.1', port: 9111 }]],
    ['video', [{ address: 'localhost', port: 9102 }]],
    ['gw', [{ address: '::1', port: 8080 }]],
  ]);
  assert.equal(parseStaticServices('  ').size, 0);
});

test('rejects a malformed spec, naming the bad entry', () => {
  const bad: Array<[string, RegExp]> = [
    ['user127.0.0.1:9101', /"user127\.0\.0\.1:9101"/],
    ['user=127.0.0.1', /"127\.0\.0\.1" in "user=127\.0\.0\.1"/],
    ['user=127.0.0.1:99999', /"127\.0\.0\.1:99999"/],
    ['user=127.0.0.1:9101,', /"" in "user=127\.0\.0\.1:9101,"/],
    ['user=a:1;user=b:2', /"user" is listed twice/],
    ['us er=a:1', /"us er=a:1"/],
  ];
  for (const [spec, message] of bad) assert.throws(() => parseStaticServices(spec), message, spec);
});
