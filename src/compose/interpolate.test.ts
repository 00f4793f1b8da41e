import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDotenv } from './dotenv.ts';
import { InterpolationError, interpolateString, interpolateTree } from './interpolate.ts';

const env: Record<string, string> = { A: 'a', EMPTY: '', PORT: '8080' };
const look = (n: string) => env[n];
const i = (s: string) => interpolateString(s, look);

test('plain and braced variables, $$ escapes', () => {
  assert.equal(i('x-$A-${A}-y'), 'x-a-a-y');
  assert.equal(i('$$A and $${A}'), '$A and ${A}');
  assert.equal(i('cost: 5$'), 'cost: 5$');
  assert.equal(i('$UNSET|${UNSET}'), '|');
  assert.equal(i('${PORT}:80'), '8080:80');
});

test('defaults: :- for unset or empty, - for unset only', () => {
  assert.equal(i('${UNSET:-d}'), 'd');
  assert.equal(i('${EMPTY:-d}'), 'd');
  assert.equal(i('${EMPTY-d}'), '');
  assert.equal(i('${UNSET-d}'), 'd');
  assert.equal(i('${A:-d}'), 'a');
  assert.equal(i('${UNSET:-${A}-x}'), 'a-x');
  assert.equal(i('${UNSET:-${ALSO:-deep}}'), 'deep');
  assert.equal(i('${UNSET:-with space and : colon}'), 'with space and : colon');
});

test('alternatives: :+ and +', () => {
  assert.equal(i('${A:+set}'), 'set');
  assert.equal(i('${EMPTY:+set}'), '');
  assert.equal(i('${EMPTY+set}'), 'set');
  assert.equal(i('${UNSET+set}'), '');
});

test('required: :? and ? fail with the message', () => {
  assert.throws(() => i('${UNSET:?need UNSET}'), /required variable UNSET is missing a value: need UNSET/);
  assert.throws(() => i('${EMPTY:?no}'), /EMPTY/);
  assert.equal(i('${EMPTY?no}'), '');
  assert.equal(i('${A:?no}'), 'a');
});

test('bad formats are refused', () => {
  assert.throws(() => i('${}'), InterpolationError);
  assert.throws(() => i('${A'), /no closing brace/);
  assert.throws(() => i('${A:x}'), /invalid interpolation/);
  assert.throws(() => i('${1A}'), /invalid interpolation/);
});

test('tree: values only, path of the failure', () => {
  const t = interpolateTree({ services: { web: { image: 'img:${A}', ports: ['${PORT}:80'] } } }, look);
  assert.deepEqual(t, { services: { web: { image: 'img:a', ports: ['8080:80'] } } });
  try {
    interpolateTree({ services: { web: { environment: ['X=${NOPE:?set it}'] } } }, look);
    assert.fail('should throw');
  } catch (e) {
    assert.deepEqual((e as InterpolationError).path, ['services', 'web', 'environment', 0]);
  }
});

test('dotenv: quotes, export, comments, interpolation, multi-line', () => {
  const m = parseDotenv(
    [
      '# comment',
      'A=1',
      'export B = two ',
      "C='lit ${A} $$'",
      'D="x\\ny ${A}"',
      'E=${A}${B} # trailing',
      'F="multi',
      'line"',
      'G',
      'H=',
    ].join('\n'),
    '.env',
    (n) => (n === 'G' ? 'from-env' : undefined),
  );
  assert.equal(m.get('A'), '1');
  assert.equal(m.get('B'), 'two');
  assert.equal(m.get('C'), 'lit ${A} $$');
  assert.equal(m.get('D'), 'x\ny 1');
  assert.equal(m.get('E'), '1two');
  assert.equal(m.get('F'), 'multi\nline');
  assert.equal(m.get('G'), 'from-env');
  assert.equal(m.get('H'), '');
  assert.throws(() => parseDotenv('BAD KEY=1', 'x.env'), /x\.env:1.*invalid variable name/);
});
