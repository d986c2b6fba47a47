import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loginTokens, parseCredentials } from './login-tokens.js';

/** A gateway's login route: users a, b, c with password "pw"; b is refused with 42901 once before it may log in. */
async function fakeGateway(t: { after(fn: () => unknown): void }) {
  const ids: Record<string, number> = { a: 1, b: 2, c: 3 };
  const asked: string[] = [];
  let bRefused = false;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const username = url.searchParams.get('username') ?? '';
    asked.push(`${req.method} ${url.pathname} ${username}`);
    const answer = (body: object, headers: Record<string, string> = {}) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    if (username === 'b' && !bRefused) {
      bRefused = true;
      return answer({ status_code: 42901, status_msg: 'too many requests' }, { 'retry-after': '1' });
    }
    const id = ids[username];
    if (id === undefined || url.searchParams.get('password') !== 'pw') return answer({ status_code: 40103, status_msg: 'wrong username or password' });
    answer({ status_code: 0, status_msg: 'success', user_id: id, token: `token-of-${username}` });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}

test('each user is logged in through the APK route, in order, a 42901 waited out', async (t) => {
  const gateway = await fakeGateway(t);
  const credentials = ['c', 'a', 'b'].map((username) => ({ username, password: 'pw' }));
  assert.deepEqual(await loginTokens({ gateway: gateway.url, credentials, concurrency: 2 }), ['3 token-of-c', '1 token-of-a', '2 token-of-b']);
  assert.equal(gateway.asked.filter((line) => line === 'POST /douyin/user/login/ b').length, 2);
});

test('any other refusal fails the run, naming the user', async (t) => {
  const gateway = await fakeGateway(t);
  const credentials = [{ username: 'a', password: 'pw' }, { username: 'a', password: 'wrong' }];
  await assert.rejects(loginTokens({ gateway: gateway.url, credentials }), /login of a failed: 40103 wrong username or password/);
});

test('credentials are "<username> <password>" lines', () => {
  assert.deepEqual(parseCredentials('xiao_1 bench-pass-1\n\n  ming_2\tp2  \n'), [
    { username: 'xiao_1', password: 'bench-pass-1' },
    { username: 'ming_2', password: 'p2' },
  ]);
  assert.throws(() => parseCredentials('a b\n\njust-a-name\n'), /line 3/);
});
