import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isIdempotencyKey, messageProblem, nameProblem } from '../shared/rules.ts';
import { lastSeenText, typingText } from '../src/format.ts';

test('messages: empty and over-long are refused with stable codes; 2000 characters (code points) fit', () => {
  assert.equal(messageProblem('')?.code, 'EMPTY_MESSAGE');
  assert.equal(messageProblem(' \n\t ')?.code, 'EMPTY_MESSAGE');
  assert.equal(messageProblem(42)?.code, 'EMPTY_MESSAGE');
  assert.equal(messageProblem('x'.repeat(2000)), null);
  assert.equal(messageProblem('😀'.repeat(2000)), null); // 4000 UTF-16 units, 2000 characters
  assert.equal(messageProblem('x'.repeat(2001))?.code, 'MESSAGE_TOO_LONG');
  assert.match(messageProblem('x'.repeat(2001))!.error, /at most 2000 characters \(this one has 2001\)/);
});

test('names and keys', () => {
  assert.equal(nameProblem('Ana'), null);
  assert.equal(nameProblem(' ')?.code, 'INVALID_NAME');
  assert.equal(nameProblem('x'.repeat(33))?.code, 'INVALID_NAME');
  assert.equal(nameProblem('a\u0000b')?.code, 'INVALID_NAME');
  assert.ok(isIdempotencyKey(crypto.randomUUID()));
  assert.ok(!isIdempotencyKey('short'));
  assert.ok(!isIdempotencyKey('has spaces in it'));
});

test('typing indicator text', () => {
  assert.equal(typingText([]), '');
  assert.equal(typingText(['Ana']), 'Ana is typing…');
  assert.equal(typingText(['Ana', 'Ben']), 'Ana and Ben are typing…');
  assert.equal(typingText(['Ana', 'Ben', 'Cleo']), '3 people are typing…');
});

test('last seen text', () => {
  const now = 1_700_000_000_000;
  assert.equal(lastSeenText(now - 20_000, now), 'last seen just now');
  assert.equal(lastSeenText(now - 5 * 60_000, now), 'last seen 5 min ago');
  assert.equal(lastSeenText(now - 3 * 3600_000, now), 'last seen 3 h ago');
  assert.match(lastSeenText(now - 3 * 86_400_000, now), /^last seen \S+/);
});
