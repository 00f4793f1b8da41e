// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text holds ${VAR} on purpose
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DockerfileError } from './errors.ts';
import { parseDockerfile } from './parse.ts';
import { stages } from './stages.ts';

const MULTI = `
ARG BASE=busybox
ARG TAG=1.36
ARG UNUSED
FROM \${BASE}:\${TAG} AS deps
RUN true
FROM scratch AS assets
COPY a /a
FROM deps AS build
ARG SRC=assets
COPY --from=\${SRC} /a /b
RUN --mount=type=bind,from=tools,target=/t true
FROM alpine AS tools
FROM deps AS test
COPY --from=build /b /c
FROM build AS final
COPY --from=0 / /base
COPY --from=example.com/img:1 /x /x
`;

const names = (levels: { name?: string; index: number }[][]) => levels.map((l) => l.map((s) => s.name ?? s.index));

test('stages: bases, global args and dependencies', () => {
  const s = stages(parseDockerfile(MULTI));
  assert.deepEqual(s.globalArgs, [
    { name: 'BASE', default: 'busybox' },
    { name: 'TAG', default: '1.36' },
    { name: 'UNUSED' },
  ]);
  assert.deepEqual(
    [...s.globalScope],
    [
      ['BASE', 'busybox'],
      ['TAG', '1.36'],
    ],
  );
  assert.deepEqual(
    s.stages.map((st) => [st.name, st.baseName, st.base, st.deps, st.images]),
    [
      ['deps', 'busybox:1.36', { kind: 'image', ref: 'busybox:1.36' }, [], []],
      ['assets', 'scratch', { kind: 'scratch' }, [], []],
      ['build', 'deps', { kind: 'stage', index: 0 }, [0, 1, 3], []],
      ['tools', 'alpine', { kind: 'image', ref: 'alpine' }, [], []],
      ['test', 'deps', { kind: 'stage', index: 0 }, [0, 2], []],
      ['final', 'build', { kind: 'stage', index: 2 }, [0, 2], ['example.com/img:1']],
    ],
  );
  assert.equal(s.stages[2].instructions.length, 3);
  assert.equal(s.find('BUILD')?.index, 2);
  assert.equal(s.find('3')?.name, 'tools');
  assert.equal(s.find('nope'), undefined);
});

test('needed(): the closure of the target, in parallel levels', () => {
  const s = stages(parseDockerfile(MULTI));
  assert.deepEqual(names(s.needed()), [['deps', 'assets', 'tools'], ['build']].concat([['final']]));
  assert.deepEqual(names(s.needed('final')), [['deps', 'assets', 'tools'], ['build'], ['final']]);
  assert.deepEqual(names(s.needed('test')), [['deps', 'assets', 'tools'], ['build'], ['test']]);
  assert.deepEqual(names(s.needed('deps')), [['deps']]);
  assert.deepEqual(names(s.needed('Assets')), [['assets']]);
  assert.throws(() => s.needed('nope'), /target stage "nope" could not be found/);
});

test('build args override global defaults; undeclared build args are not visible to FROM', () => {
  const df = parseDockerfile('ARG BASE=busybox\nFROM ${BASE}:${V:-latest}\nFROM ${OTHER:-scratch}');
  const s = stages(df, { buildArgs: { BASE: 'debian', V: '12', OTHER: 'x' } });
  assert.deepEqual(
    s.stages.map((st) => st.baseName),
    ['debian:latest', 'scratch'],
  );
  const p = stages(parseDockerfile('FROM --platform=$BUILDPLATFORM img:$TARGETARCH'), {
    predefined: { TARGETARCH: 'amd64' },
  });
  assert.equal(p.stages[0].baseName, 'img:amd64');
});

test('a stage name can only be a base after it is defined', () => {
  const s = stages(parseDockerfile('FROM later AS first\nFROM scratch AS later'));
  assert.deepEqual(s.stages[0].base, { kind: 'image', ref: 'later' });
});

test('a stage may copy from a later stage, but not from itself or in a cycle', () => {
  const ok = stages(parseDockerfile('FROM scratch AS a\nCOPY --from=b /x /x\nFROM scratch AS b'));
  assert.deepEqual(names(ok.needed('a')), [['b'], ['a']]);
  assert.throws(
    () => stages(parseDockerfile('FROM scratch AS a\nCOPY --from=a /x /x')),
    (e: unknown) => e instanceof DockerfileError && e.line === 2 && /circular dependency/.test(e.message),
  );
  assert.throws(
    () => stages(parseDockerfile('FROM scratch AS a\nCOPY --from=b /x /x\nFROM a AS b')),
    /circular dependency detected on stage/,
  );
  assert.throws(() => stages(parseDockerfile('FROM scratch\nCOPY --from=4 /x /x')), /invalid stage index 4/);
});

test('a FROM that expands to nothing is an error naming the line', () => {
  assert.throws(
    () => stages(parseDockerfile('ARG B\nFROM $B')),
    (e: unknown) => e instanceof DockerfileError && e.line === 2 && /should not be blank/.test(e.message),
  );
});
