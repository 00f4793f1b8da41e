import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deletedBlock, goTime, humanSize4, keyValues } from './resource-helpers.ts';

test('goTime prints an RFC 3339 time as Go does', () => {
  assert.equal(goTime('2026-11-27T19:05:03.403Z'), '2026-11-27 19:05:03.403 +0000 UTC');
  assert.equal(goTime('2026-11-27T19:05:03.400000000Z'), '2026-11-27 19:05:03.4 +0000 UTC');
  assert.equal(goTime('2026-11-27T19:05:03Z'), '2026-11-27 19:05:03 +0000 UTC');
  assert.equal(goTime(undefined), '');
});

test('humanSize4: four significant digits, decimal units', () => {
  assert.equal(humanSize4(0), '0B');
  assert.equal(humanSize4(1982411), '1.982MB');
  assert.equal(humanSize4(10240), '10.24kB');
  assert.equal(humanSize4(999), '999B');
});

test('keyValues and deletedBlock', () => {
  assert.deepEqual(keyValues(['a=b=c', 'd']), { a: 'b=c', d: '' });
  assert.equal(deletedBlock('Deleted Networks', []), '');
  assert.equal(deletedBlock('Deleted Networks', ['x', 'y']), 'Deleted Networks:\nx\ny\n\n');
});
