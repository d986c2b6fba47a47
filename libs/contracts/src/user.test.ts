import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Credentials, codePointLength, hasControlChars, isBlank } from '@douyin/contracts';

test('counts code points, not UTF-16 units', () => {
  assert.equal(codePointLength('😀😀'), 2);
  assert.equal(codePointLength('抖音'), 2);
});

test('username rules: 1-32 code points, no control characters at all, not blank', () => {
  const ok = (username: string) => Credentials.safeParse({ username, password: 'secret1' }).success;
  assert.ok(ok('alice'));
  assert.ok(ok('😀'.repeat(32)));
  assert.ok(!ok('😀'.repeat(33)));
  assert.ok(!ok(''));
  assert.ok(!ok('   '));
  assert.ok(!ok('a\tb'));
  assert.ok(!ok('a\u0000b'));
  assert.ok(!ok('a\u007fb'), 'DEL');
  assert.ok(!ok('a\u0085b'), 'C1 next line');
  assert.ok(ok('a\u00a0b'), 'a no-break space is not a control character');
});

test('password rules: 6-32 code points; tabs allowed, NUL not', () => {
  const ok = (password: string) => Credentials.safeParse({ username: 'alice', password }).success;
  assert.ok(ok('123456'));
  assert.ok(!ok('12345'));
  assert.ok(!ok('x'.repeat(33)));
  assert.ok(ok('pass\tword'));
  assert.ok(!ok('pass\u0000word'));
});

test('control characters and blankness follow the contract', () => {
  assert.ok(hasControlChars('a\nb', true));
  assert.ok(!hasControlChars('a\nb'));
  assert.ok(hasControlChars('a\u001fb'));
  assert.ok(hasControlChars('a\u009fb', true));
  assert.ok(!hasControlChars('a\u009fb'), 'other text bans C0 only');
  assert.ok(isBlank('\u3000 \n'));
  assert.ok(!isBlank(' a '));
});
