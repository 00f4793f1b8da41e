import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError } from '../../lib/errors.ts';
import { compileIgnore, readIgnorePatterns } from './ignore.ts';

/** [.dockerignore text, paths excluded, paths kept] */
const CASES: [string, string[], string[]][] = [
  ['*.go', ['main.go', '.go'], ['a/main.go', 'main.go.txt', 'go']],
  ['**/*.go', ['main.go', 'a/main.go', 'a/b/c.go'], ['a/main.gox']],
  ['a', ['a', 'a/b', 'a/b/c'], ['ab', 'b/a']],
  ['/a', ['a', 'a/b'], ['b/a']],
  ['./a/', ['a', 'a/b'], ['b']],
  ['a/../b', ['b', 'b/x'], ['a', 'a/b']],
  ['a/**', ['a/b', 'a/b/c'], ['a', 'ab']],
  ['a/**/z', ['a/z', 'a/b/z', 'a/b/c/z', 'a/z/q'], ['a', 'z', 'b/a/z']],
  ['**', ['a', 'a/b', '.x'], []],
  ['**/node_modules', ['node_modules', 'x/node_modules', 'x/node_modules/y'], ['x/node_modulesy']],
  ['a?c', ['abc', 'a.c'], ['a/c', 'ac', 'abbc']],
  ['[a-c]x', ['ax', 'bx'], ['dx', 'x']],
  ['[^a-c]x', ['dx'], ['ax']],
  ['a\\*b', ['a*b'], ['axb']],
  ['a\\d[\\w]', ['adw'], ['ad', 'a1x', 'a1w', 'adx']],
  ['a.b', ['a.b'], ['axb']],
  ['x(1)+{2}|$', ['x(1)+{2}|$'], ['x1']],
  ['a^b', ['a^b'], ['ab']],
  ['*/temp*', ['somedir/temporary.txt', 'somedir/temp'], ['somedir/sub/temp', 'temp']],
  ['*/*/temp*', ['a/b/temp.txt'], ['a/temp.txt']],
  ['# comment\n\n   \n  spaced.txt  \n', ['spaced.txt'], ['# comment', 'comment']],
  [' # not a comment', ['# not a comment'], []],
  ['*.md\n!README.md', ['a.md'], ['README.md', 'docs/a.md']],
  ['*.md\n!README.md\nREADME.md', ['a.md', 'README.md'], []],
  ['docs\n!docs/keep', ['docs', 'docs/a', 'docs/sub/x'], ['docs/keep', 'docs/keep/inner']],
  ['**\n!src\nsrc/*.tmp', ['x', 'src/a.tmp'], ['src', 'src/a.c', 'src/sub/a.tmp']],
  ['\uFEFF*.log\r\nbuild\r\n', ['a.log', 'build/x'], ['a.txt']],
  ['! spaced', [], ['spaced']],
];

for (const [text, excluded, kept] of CASES) {
  test(`.dockerignore ${JSON.stringify(text)}`, () => {
    const m = compileIgnore(text);
    for (const p of excluded) assert.equal(m(p, false), true, `${p} should be excluded`);
    for (const p of kept) assert.equal(m(p, false), false, `${p} should be kept`);
  });
}

test('readIgnorePatterns cleans like the docker CLI', () => {
  assert.deepEqual(readIgnorePatterns('# c\n/a/b/\n!./c\n  d/../e  \n\n!/f\n/\n'), ['a/b', '!c', 'e', '!f', '/']);
});

test('bad patterns are errors', () => {
  for (const bad of ['!', '[abc', 'a\\', '[]a]']) {
    assert.throws(() => compileIgnore(bad), InvalidArgumentError, bad);
  }
});

test('mayReinclude tells when an excluded directory must still be walked', () => {
  const m = compileIgnore('a\nx\n!a/b/keep\n!x*/**/y');
  assert.equal(m.hasExceptions, true);
  assert.equal(m.mayReinclude('a'), true);
  assert.equal(m.mayReinclude('a/b'), true);
  assert.equal(m.mayReinclude('a/c'), false);
  assert.equal(m.mayReinclude('x'), true);
  assert.equal(m.mayReinclude('q'), false);
  const none = compileIgnore('a');
  assert.equal(none.hasExceptions, false);
  assert.equal(none.mayReinclude('a'), false);
  assert.equal(compileIgnore('a\n!**/keep').mayReinclude('a/deep/er'), true);
});
