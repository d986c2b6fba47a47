import { test } from 'node:test';
import assert from 'node:assert/strict';
import { socialGateway } from '../test/social-gateway.js';
import { malformedIn, parseStrict } from './strict-querystring.js';

test('parseStrict parses as Fastify does and remembers the names whose values do not decode', () => {
  const parsed = parseStrict('a=%E4%BD%A0+x&b=%E4%BD&c=%zz&d=50%&d=ok&%E5%90%8D=%FF&plain=1&e+f=%');
  assert.equal(parsed.a, '你 x');
  assert.equal(parsed.plain, '1');
  assert.deepEqual([...(malformedIn(parsed) ?? [])].sort(), ['b', 'c', 'd', 'e f', '名'].sort());
  assert.deepEqual(Object.keys(parsed).sort(), ['a', 'b', 'c', 'd', 'e f', 'plain', '名'].sort(), 'the mark is no parameter');
  // Only the value a route reads counts: a name's first non-empty one.
  assert.deepEqual([...(malformedIn(parseStrict('g=ok&g=%E4&h=&h=%E4')) ?? [])], ['h']);
  assert.equal(malformedIn(parseStrict('a=%E4%BD%A0&b=1&c=100%25')), undefined);
  assert.equal(malformedIn(parseStrict('a=1')), undefined);
});

const rawCall = async (app: Awaited<ReturnType<typeof socialGateway>>['app'], url: string, form?: string) =>
  (
    await app.inject({
      method: 'POST',
      url,
      ...(form !== undefined && { payload: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    })
  ).json() as { status_code: number; status_msg: string };

test('text whose percent-escapes do not decode to UTF-8 is refused (40002) and not stored, in the query or a form', async (t) => {
  const { app, register, message } = await socialGateway(t);
  const [ann, bob] = [await register('ann'), await register('bob')];
  const action = `/douyin/message/action/?token=${ann.token}&to_user_id=${bob.user_id}&action_type=1`;
  // 你 and then a character cut short; an escape that is no escape; a byte that is never UTF-8.
  for (const content of ['%E4%BD%A0%E4%BD', '100%zz', '%FF']) {
    const refused = await rawCall(app, `${action}&content=${content}`);
    assert.deepEqual(refused, { status_code: 40002, status_msg: 'content is not percent-encoded UTF-8' }, content);
    assert.equal((await rawCall(app, `/douyin/message/action/`, `token=${ann.token}&to_user_id=${bob.user_id}&action_type=1&content=${content}`)).status_code, 40002);
  }
  assert.equal(message.messages.length, 0);

  // The check order holds: a bad token first, and an id that does not decode is malformed like any other.
  assert.equal((await rawCall(app, `/douyin/message/action/?token=%E4&to_user_id=${bob.user_id}&action_type=1&content=%E4`)).status_code, 40102);
  assert.equal((await rawCall(app, `/douyin/message/action/?token=${ann.token}&to_user_id=%E4&action_type=1&content=hi`)).status_code, 40002);
  // A parameter the route does not read may be anything; the query's value is the one read, the body's not.
  assert.equal((await rawCall(app, `${action}&content=%E4%BD%A0&extra=%E4`)).status_code, 0);
  assert.equal((await rawCall(app, `${action}&content=ok`, 'content=%E4')).status_code, 0);
  assert.deepEqual(message.messages.map((m) => m.content), ['你', 'ok']);
});
