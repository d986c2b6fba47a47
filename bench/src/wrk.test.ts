import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWrk } from './wrk.js';

const OUTPUT = `Running 5s test @ http://127.0.0.1:8080/douyin/feed/
  2 threads and 64 connections
  Latency Distribution
     50%  812.00us
     75%    1.20ms
     90%    2.10ms
     99%    1.05s
  5123 requests in 5.01s, 10.2MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:   1022.55
Transfer/sec:      2.04MB
APK answers: 5110 ok, 6 with status_code != 0
first APK error: 200 {"status_code":42901,"status_msg":"too many requests"}
`;

test('wrk --latency output becomes req/s, p50/p99 in ms and every kind of failed answer', () => {
  assert.deepEqual(parseWrk(OUTPUT), {
    rps: 1022.55,
    p50Ms: 0.812,
    p99Ms: 1050,
    requests: 5123,
    errors: 2 + 3 + 4 + 6,
    firstApkError: '200 {"status_code":42901,"status_msg":"too many requests"}',
  });
});

test('output without a latency distribution is an error, not a zero', () => {
  assert.throws(() => parseWrk('Requests/sec: 10\n'), /no 50% latency/);
});
