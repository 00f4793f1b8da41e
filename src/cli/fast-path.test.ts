import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchFastPath } from './fast-path.ts';

test('version, with the global host and its own format, in every spelling', () => {
  assert.deepEqual(matchFastPath(['version']), { name: 'version' });
  assert.deepEqual(matchFastPath(['-H', 'unix:///x', 'version', '-f', 'json']), {
    name: 'version',
    host: 'unix:///x',
    format: 'json',
  });
  assert.deepEqual(matchFastPath(['--host=tcp://h:1', 'version', '--format=json']), {
    name: 'version',
    host: 'tcp://h:1',
    format: 'json',
  });
  assert.deepEqual(matchFastPath(['-Hunix:///y', 'version', '-fjson']), {
    name: 'version',
    host: 'unix:///y',
    format: 'json',
  });
  assert.deepEqual(matchFastPath(['version', '--format', '{{.Client.Version}}']), {
    name: 'version',
    format: '{{.Client.Version}}',
  });
});

test('anything else goes to the full CLI', () => {
  for (const argv of [
    [],
    ['ps'],
    ['version', '--help'],
    ['version', '-f'],
    ['-H'],
    ['version', 'extra'],
    ['version', '-H', 'x'],
    ['-f', 'json', 'version'],
    ['--version'],
    ['help', 'version'],
  ])
    assert.equal(matchFastPath(argv), undefined, argv.join(' '));
});
