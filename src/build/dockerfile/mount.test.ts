// biome-ignore-all lint/suspicious/noTemplateCurlyInString: mount specs hold ${VAR} on purpose
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from './duration.ts';
import { SyntaxProblem } from './errors.ts';
import { expand, lookupIn } from './expand.ts';
import { csvFields, parseMount, parseSize } from './mount.ts';

test('csvFields follows Go encoding/csv', () => {
  assert.deepEqual(csvFields('a=1,b=2'), ['a=1', 'b=2']);
  assert.deepEqual(csvFields('"a=1,2",b'), ['a=1,2', 'b']);
  assert.deepEqual(csvFields('"say ""hi""",x'), ['say "hi"', 'x']);
  assert.deepEqual(csvFields('a,,b,'), ['a', '', 'b', '']);
  assert.throws(() => csvFields('a"b'), SyntaxProblem);
  assert.throws(() => csvFields('"open'), SyntaxProblem);
});

test('parseMount re-parses with the builder expander once variables are known', () => {
  const spec = 'type=cache,target=$DIR,id=${ID:-dflt},uid=$UID,mode=0700';
  const raw = parseMount(spec);
  assert.equal(raw.hasVariables, true);
  const lookup = lookupIn({ DIR: '/cache', UID: '1000' });
  const m = parseMount(spec, (v) => expand(v, lookup));
  assert.deepEqual(m, {
    type: 'cache',
    target: '/cache',
    id: 'dflt',
    sharing: 'shared',
    source: undefined,
    from: undefined,
    readonly: false,
    mode: 0o700,
    uid: 1000,
    gid: undefined,
    hasVariables: false,
  });
});

test('parseMount defaults and aliases', () => {
  assert.deepEqual(parseMount('target=/src'), {
    type: 'bind',
    target: '/src',
    source: undefined,
    from: undefined,
    readonly: true,
    hasVariables: false,
  });
  assert.equal((parseMount('type=bind,dst=/x,readwrite=true') as { readonly: boolean }).readonly, false);
  assert.equal((parseMount('type=BIND,destination=/x,ro=false') as { readonly: boolean }).readonly, false);
  assert.deepEqual(parseMount('type=ssh'), {
    type: 'ssh',
    id: 'default',
    target: undefined,
    env: undefined,
    required: false,
    mode: 0o600,
    uid: 0,
    gid: 0,
    hasVariables: false,
  });
  assert.equal((parseMount('type=secret,target=/etc/npmrc') as { id: string }).id, 'npmrc');
  assert.throws(() => parseMount('type=secret'), /one of id, source or target is required/);
  assert.throws(() => parseMount('type=tmpfs,target=/t,mode=0700'), /unexpected key 'mode' for mount type 'tmpfs'/);
  assert.throws(() => parseMount('type=bind,target=/t,readonly=perhaps'), /invalid value for readonly/);
  assert.throws(() => parseMount('type=cache,target=/t,mode=0999'), /invalid value for mode/);
  assert.throws(() => parseMount('type=bind,target'), /must be a key=value pair/);
});

test('parseSize and parseDuration', () => {
  assert.equal(parseSize('1024'), 1024);
  assert.equal(parseSize('64k'), 64 * 1024);
  assert.equal(parseSize('1.5g'), 1.5 * 1024 ** 3);
  assert.equal(parseSize('2MiB'), 2 * 1024 ** 2);
  assert.throws(() => parseSize('lots'), SyntaxProblem);
  assert.equal(parseDuration('30s'), 30e9);
  assert.equal(parseDuration('1m30s'), 90e9);
  assert.equal(parseDuration('1.5h'), 5400e9);
  assert.equal(parseDuration('250ms'), 250e6);
  assert.equal(parseDuration('10us'), 10e3);
  assert.equal(parseDuration('0'), 0);
  for (const bad of ['', 's', '5', '1x', '1m30', '--1s']) assert.throws(() => parseDuration(bad), SyntaxProblem, bad);
});
