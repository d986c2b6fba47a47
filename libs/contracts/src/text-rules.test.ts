import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommentText, Credentials, MessageContent, Title, isWellFormedText } from '@douyin/contracts';

test('half a surrogate pair is no text: refused by every text a service stores, a whole pair kept', () => {
  assert.ok(isWellFormedText('😀 抖音'));
  for (const broken of ['a\uD800', '\uDC00a', 'a\uDC00\uD800b']) assert.ok(!isWellFormedText(broken), JSON.stringify(broken));
  const schemas = {
    username: (s: string) => Credentials.safeParse({ username: s, password: 'secret1' }),
    password: (s: string) => Credentials.safeParse({ username: 'alice', password: `secret${s}` }),
    title: (s: string) => Title.safeParse(s),
    comment: (s: string) => CommentText.safeParse(s),
    content: (s: string) => MessageContent.safeParse(s),
  };
  for (const [name, parse] of Object.entries(schemas)) {
    assert.ok(parse('a😀').success, name);
    assert.ok(!parse('a\uD800').success, name);
  }
});
