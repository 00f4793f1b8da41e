// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text holds ${VAR} on purpose
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SyntaxProblem } from './errors.ts';
import { expand, expandWords, lookupIn } from './expand.ts';
import { parseWords } from './words.ts';

const env = lookupIn({ A: 'a', EMPTY: '', SP: 'x y', HOME: '/root', FILE: 'archive.tar.gz', _U9: 'u' });

/** [input, output] with the default escape. */
const CASES: [string, string][] = [
  ['plain', 'plain'],
  ['$A', 'a'],
  ['${A}', 'a'],
  ['$A$A', 'aa'],
  ['x$A-y', 'xa-y'],
  ['$_U9', 'u'],
  ['$UNSET', ''],
  ['${UNSET}', ''],
  ['$', '$'],
  ['a$ b', 'a$ b'],
  ['$/x', '$/x'],
  ['${A:-d}', 'a'],
  ['${EMPTY:-d}', 'd'],
  ['${UNSET:-d}', 'd'],
  ['${A-d}', 'a'],
  ['${EMPTY-d}', ''],
  ['${UNSET-d}', 'd'],
  ['${A:+alt}', 'alt'],
  ['${EMPTY:+alt}', ''],
  ['${UNSET:+alt}', ''],
  ['${A+alt}', 'alt'],
  ['${EMPTY+alt}', 'alt'],
  ['${UNSET+alt}', ''],
  ['${UNSET:-$A}', 'a'],
  ['${UNSET:-${HOME}/x}', '/root/x'],
  ['${UNSET:-"q w"}', 'q w'],
  ['${FILE%.gz}', 'archive.tar'],
  ['${FILE%%.*}', 'archive'],
  ['${FILE#*.}', 'tar.gz'],
  ['${FILE##*.}', 'gz'],
  ["'$A'", '$A'],
  ["'a\\b'", 'a\\b'],
  ['"$A"', 'a'],
  ['"${A} and \'$A\'"', "a and 'a'"],
  ['"\\$A"', '$A'],
  ['"a\\"b"', 'a"b'],
  ['"a\\b"', 'a\\b'],
  ['"a\\\\b"', 'a\\b'],
  ['\\$A', '$A'],
  ['\\a', 'a'],
  ['a\\', 'a'],
  ['x\\ y', 'x y'],
  ['"$SP"', 'x y'],
  ['$SP', 'x y'],
];

for (const [input, want] of CASES) {
  test(`expand ${JSON.stringify(input)}`, () => assert.equal(expand(input, env), want));
}

test('backtick escape', () => {
  assert.equal(expand('`$A', env, { escape: '`' }), '$A');
  assert.equal(expand('c:\\dir', env, { escape: '`' }), 'c:\\dir');
  assert.equal(expand('"`"x"', env, { escape: '`' }), '"x');
});

test('skipQuotes keeps quotes literal (heredoc bodies)', () => {
  assert.equal(expand(`echo "$A" '$A'`, env, { skipQuotes: true }), `echo "a" 'a'`);
});

test('skipUnset leaves unset variables as written', () => {
  assert.equal(expand('$A $NOPE ${NOPE}', env, { skipUnset: true }), 'a $NOPE ${NOPE}');
});

test('errors', () => {
  for (const [input, message] of [
    ["'open", /matching single-quote/],
    ['"open', /matching double-quote/],
    ['${A', /missing '}'/],
    ['${A:-x', /matching }/],
    ['${', /missing '}'/],
    ['${}', /bad substitution/],
    ['${:-x}', /bad substitution/],
    ['${A:=x}', /unsupported modifier/],
    ['${A/x/y}', /unsupported modifier/],
    ['${UNSET:?must be set}', /UNSET: must be set/],
    ['${EMPTY:?}', /EMPTY: is not allowed to be unset/],
    ['${UNSET?}', /UNSET: is not allowed to be unset/],
  ] as const) {
    assert.throws(
      () => expand(input, env),
      (e: unknown) => e instanceof SyntaxProblem && message.test(e.message),
      input,
    );
  }
  assert.equal(expand('${EMPTY?}', env), '');
});

test('expandWords splits on unquoted blanks, expansion results split too', () => {
  assert.deepEqual(expandWords(`a "b c" 'd e'  $SP "$SP" x\\ y`, env), ['a', 'b c', 'd e', 'x', 'y', 'x y', 'x y']);
  assert.deepEqual(expandWords('', env), []);
});

test('parseWords keeps quotes and escapes but splits like Docker', () => {
  assert.deepEqual(parseWords(`a=1 b="x y" c='p q' d=e\\ f  g=""`, '\\'), [
    'a=1',
    'b="x y"',
    "c='p q'",
    'd=e\\ f',
    'g=""',
  ]);
  assert.deepEqual(parseWords(`a="x\\" y" b='\\' c`, '\\'), ['a="x\\" y"', "b='\\'", 'c']);
  assert.deepEqual(parseWords('a=x` y', '`'), ['a=x` y']);
  assert.deepEqual(parseWords('  ', '\\'), []);
});
