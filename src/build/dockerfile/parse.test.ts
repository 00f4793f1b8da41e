// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text holds ${VAR} on purpose
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instruction } from './ast.ts';
import { parseDockerfile } from './parse.ts';

/** Parses `FROM x` + body and returns the instructions after that FROM, without locations. */
function body(text: string): unknown[] {
  const df = parseDockerfile(`FROM x\n${text}`);
  return df.instructions.slice(1).map(strip);
}

function strip(i: Instruction): unknown {
  const { line: _l, endLine: _e, original: _o, ...rest } = i as Instruction & Record<string, unknown>;
  if (rest.kind === 'ONBUILD') return { ...rest, trigger: strip(rest.trigger as Instruction) };
  return rest;
}

const run = (command: string, extra: Record<string, unknown> = {}) => ({
  kind: 'RUN',
  command: { form: 'shell', command },
  heredocs: [],
  mounts: [],
  network: undefined,
  security: undefined,
  ...extra,
});

const copy = (sources: string[], dest: string, extra: Record<string, unknown> = {}) => ({
  kind: 'COPY',
  sources,
  contents: [],
  dest,
  from: undefined,
  chown: undefined,
  chmod: undefined,
  link: false,
  parents: false,
  exclude: [],
  checksum: undefined,
  keepGitDir: undefined,
  json: false,
  ...extra,
});

/** [name, Dockerfile body after `FROM x`, expected instructions] */
const OK: [string, string, unknown[]][] = [
  ['RUN shell form', 'RUN echo hi  there', [run('echo hi  there')]],
  ['RUN exec form', 'RUN ["echo", "a b"]', [{ ...run(''), command: { form: 'exec', args: ['echo', 'a b'] } }]],
  ['RUN malformed JSON is shell form', 'RUN [echo, hi]', [run('[echo, hi]')]],
  ['lower-case keyword', 'run echo', [run('echo')]],
  ['continuation', 'RUN echo a \\\n  b', [run('echo a   b')]],
  ['continuation with trailing blanks', 'RUN echo a \\  \n  b', [run('echo a   b')]],
  ['comment inside continuation', 'RUN echo a \\\n# note\n  # indented note\n b', [run('echo a  b')]],
  ['blank line inside continuation', 'RUN echo a \\\n\n b', [run('echo a  b')]],
  ['continuation at end of file', 'RUN echo a \\', [run('echo a')]],
  ['comments and blank lines between instructions', '# c\n\n   # c2\nRUN a\n\n', [run('a')]],
  ['# not a comment mid-line', 'RUN echo # kept', [run('echo # kept')]],
  [
    'RUN flags',
    'RUN --network=none --security=insecure --mount=type=bind,source=/s,target=/t,from=build,rw true',
    [
      run('true', {
        network: 'none',
        security: 'insecure',
        mounts: [{ type: 'bind', target: '/t', source: '/s', from: 'build', readonly: false, hasVariables: false }],
      }),
    ],
  ],
  [
    'RUN cache mount',
    'RUN --mount=type=cache,target=/c,id=pip,sharing=private,mode=0755,uid=1000,gid=1000 true',
    [
      run('true', {
        mounts: [
          {
            type: 'cache',
            target: '/c',
            id: 'pip',
            sharing: 'private',
            source: undefined,
            from: undefined,
            readonly: false,
            mode: 0o755,
            uid: 1000,
            gid: 1000,
            hasVariables: false,
          },
        ],
      }),
    ],
  ],
  [
    'RUN tmpfs and secret mounts',
    'RUN --mount=type=tmpfs,target=/tmp,size=64m --mount=type=secret,id=tok,required --mount=type=secret,id=k,env=KEY true',
    [
      run('true', {
        mounts: [
          { type: 'tmpfs', target: '/tmp', size: 64 * 1024 * 1024, hasVariables: false },
          {
            type: 'secret',
            id: 'tok',
            target: '/run/secrets/tok',
            env: undefined,
            required: true,
            mode: 0o400,
            uid: 0,
            gid: 0,
            hasVariables: false,
          },
          {
            type: 'secret',
            id: 'k',
            target: undefined,
            env: 'KEY',
            required: false,
            mode: 0o400,
            uid: 0,
            gid: 0,
            hasVariables: false,
          },
        ],
      }),
    ],
  ],
  [
    'RUN secret id from target, quoted CSV field',
    'RUN --mount=\'type=secret,"target=/run/a,b"\' true',
    [
      run('true', {
        mounts: [
          {
            type: 'secret',
            id: 'a,b',
            target: '/run/a,b',
            env: undefined,
            required: false,
            mode: 0o400,
            uid: 0,
            gid: 0,
            hasVariables: false,
          },
        ],
      }),
    ],
  ],
  [
    'RUN mount with a variable',
    'RUN --mount=type=cache,target=/c,uid=$UID true',
    [
      run('true', {
        mounts: [
          {
            type: 'cache',
            target: '/c',
            id: undefined,
            sharing: 'shared',
            source: undefined,
            from: undefined,
            readonly: false,
            mode: undefined,
            uid: undefined,
            gid: undefined,
            hasVariables: true,
          },
        ],
      }),
    ],
  ],
  [
    'RUN heredoc',
    'RUN <<EOF\necho $A\n  two\nEOF\nRUN next',
    [
      run('<<EOF', { heredocs: [{ name: 'EOF', content: 'echo $A\n  two\n', expand: true, chomp: false, fd: 0 }] }),
      run('next'),
    ],
  ],
  [
    'RUN heredoc <<- strips tabs, quoted terminator, two on a line, fd',
    'RUN <<-A cat 3<<"B"\n\t\tx\n\tA\n$y\nB',
    [
      run('<<-A cat 3<<"B"', {
        heredocs: [
          { name: 'A', content: 'x\n', expand: true, chomp: true, fd: 0 },
          { name: 'B', content: '$y\n', expand: false, chomp: false, fd: 3 },
        ],
      }),
    ],
  ],
  [
    "RUN heredoc with 'quoted' terminator and a command",
    "RUN python3 <<'PY' > /out\nprint(1)\nPY",
    [
      run("python3 <<'PY' > /out", {
        heredocs: [{ name: 'PY', content: 'print(1)\n', expand: false, chomp: false, fd: 0 }],
      }),
    ],
  ],
  [
    'no heredoc in exec form',
    'RUN ["sh", "-c", "cat <<EOF"]',
    [{ ...run(''), command: { form: 'exec', args: ['sh', '-c', 'cat <<EOF'] } }],
  ],
  ['<< inside a word is not a heredoc', 'RUN echo a<<b', [run('echo a<<b')]],
  ['CMD shell', 'CMD echo hi', [{ kind: 'CMD', command: { form: 'shell', command: 'echo hi' } }]],
  ['CMD exec', 'CMD ["a","b"]', [{ kind: 'CMD', command: { form: 'exec', args: ['a', 'b'] } }]],
  ['CMD empty JSON', 'CMD []', [{ kind: 'CMD', command: { form: 'exec', args: [] } }]],
  [
    'ENTRYPOINT',
    'ENTRYPOINT ["/bin/sh", "-c"]',
    [{ kind: 'ENTRYPOINT', command: { form: 'exec', args: ['/bin/sh', '-c'] } }],
  ],
  [
    'ENV key=value pairs, quotes kept',
    'ENV A=1 B="two words" C=x\\ y D=',
    [
      {
        kind: 'ENV',
        pairs: [
          { key: 'A', value: '1' },
          { key: 'B', value: '"two words"' },
          { key: 'C', value: 'x\\ y' },
          { key: 'D', value: '' },
        ],
      },
    ],
  ],
  [
    'ENV legacy form',
    'ENV PATH /usr/bin:/bin  and more',
    [{ kind: 'ENV', pairs: [{ key: 'PATH', value: '/usr/bin:/bin  and more' }] }],
  ],
  [
    'LABEL pairs',
    'LABEL "com.example.a"="x y" b=c',
    [
      {
        kind: 'LABEL',
        pairs: [
          { key: '"com.example.a"', value: '"x y"' },
          { key: 'b', value: 'c' },
        ],
      },
    ],
  ],
  [
    'LABEL legacy form',
    'LABEL maintainer someone else',
    [{ kind: 'LABEL', pairs: [{ key: 'maintainer', value: 'someone else' }] }],
  ],
  [
    'ARG several with defaults',
    'ARG A B=2 C="x y"',
    [{ kind: 'ARG', args: [{ name: 'A' }, { name: 'B', default: '2' }, { name: 'C', default: '"x y"' }] }],
  ],
  ['EXPOSE', 'EXPOSE 80 443/tcp  53/udp', [{ kind: 'EXPOSE', ports: ['80', '443/tcp', '53/udp'] }]],
  ['USER', 'USER app:app', [{ kind: 'USER', value: 'app:app' }]],
  ['WORKDIR with spaces', 'WORKDIR /my dir', [{ kind: 'WORKDIR', value: '/my dir' }]],
  ['STOPSIGNAL', 'STOPSIGNAL SIGKILL', [{ kind: 'STOPSIGNAL', value: 'SIGKILL' }]],
  ['MAINTAINER', 'MAINTAINER Jane <j@x>', [{ kind: 'MAINTAINER', value: 'Jane <j@x>' }]],
  ['COPY', 'COPY a b /dst/', [copy(['a', 'b'], '/dst/')]],
  ['COPY JSON form', 'COPY ["a b", "/d"]', [copy(['a b'], '/d', { json: true })]],
  [
    'COPY flags',
    'COPY --from=build --chown=1:2 --chmod=644 --link --exclude=*.md --exclude=x /a /b',
    [copy(['/a'], '/b', { from: 'build', chown: '1:2', chmod: '644', link: true, exclude: ['*.md', 'x'] })],
  ],
  ['COPY --link=false', 'COPY --link=false a b', [copy(['a'], 'b')]],
  [
    'COPY heredoc',
    'COPY <<EOF <<"RAW" src /dest/\nhello $X\nEOF\n$Y\nRAW',
    [
      copy(['src'], '/dest/', {
        contents: [
          { name: 'EOF', content: 'hello $X\n', expand: true, chomp: false, fd: 0 },
          { name: 'RAW', content: '$Y\n', expand: false, chomp: false, fd: 0 },
        ],
      }),
    ],
  ],
  [
    'ADD flags',
    'ADD --checksum=sha256:abc --keep-git-dir --chown=app https://x/y.tgz /opt/',
    [
      copy(['https://x/y.tgz'], '/opt/', {
        kind: 'ADD',
        checksum: 'sha256:abc',
        keepGitDir: true,
        chown: 'app',
      }),
    ],
  ],
  ['VOLUME JSON', 'VOLUME ["/a", "/b c"]', [{ kind: 'VOLUME', paths: ['/a', '/b c'] }]],
  ['VOLUME words', 'VOLUME /a /b', [{ kind: 'VOLUME', paths: ['/a', '/b'] }]],
  ['HEALTHCHECK NONE', 'HEALTHCHECK NONE', [{ kind: 'HEALTHCHECK', healthcheck: { test: ['NONE'] } }]],
  [
    'HEALTHCHECK CMD with options',
    'HEALTHCHECK --interval=1m30s --timeout=5s --start-period=0s --start-interval=500ms --retries=3 CMD curl -f http://localhost/ || exit 1',
    [
      {
        kind: 'HEALTHCHECK',
        healthcheck: {
          test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'],
          interval: 90e9,
          timeout: 5e9,
          startInterval: 500e6,
          retries: 3,
        },
      },
    ],
  ],
  [
    'HEALTHCHECK CMD exec form',
    'HEALTHCHECK cmd ["/bin/check", "-q"]',
    [{ kind: 'HEALTHCHECK', healthcheck: { test: ['CMD', '/bin/check', '-q'] } }],
  ],
  [
    'SHELL',
    'SHELL ["/bin/bash", "-euo", "pipefail", "-c"]',
    [{ kind: 'SHELL', shell: ['/bin/bash', '-euo', 'pipefail', '-c'] }],
  ],
  ['ONBUILD', 'ONBUILD COPY . /app', [{ kind: 'ONBUILD', expression: 'COPY . /app', trigger: copy(['.'], '/app') }]],
  [
    'ONBUILD with heredoc',
    'ONBUILD RUN <<EOF\nx\nEOF',
    [
      {
        kind: 'ONBUILD',
        expression: 'RUN <<EOF',
        trigger: run('<<EOF', { heredocs: [{ name: 'EOF', content: 'x\n', expand: true, chomp: false, fd: 0 }] }),
      },
    ],
  ],
];

for (const [name, text, want] of OK) {
  test(`parses: ${name}`, () => {
    assert.deepEqual(body(text), want);
  });
}

test('FROM forms', () => {
  const df = parseDockerfile(
    'ARG V=1\nFROM --platform=$BUILDPLATFORM busybox:${V} AS Build\nFROM scratch\nfrom build as Final',
  );
  assert.deepEqual(df.instructions.map(strip), [
    { kind: 'ARG', args: [{ name: 'V', default: '1' }] },
    { kind: 'FROM', image: 'busybox:${V}', name: 'build', platform: '$BUILDPLATFORM' },
    { kind: 'FROM', image: 'scratch', name: undefined, platform: undefined },
    { kind: 'FROM', image: 'build', name: 'final', platform: undefined },
  ]);
});

test('locations: line ranges cover continuations and heredoc bodies', () => {
  const df = parseDockerfile('FROM x\n\nRUN a \\\n b\nRUN <<EOF\n1\n2\nEOF\nCMD c');
  assert.deepEqual(
    df.instructions.map((i) => [i.kind, i.line, i.endLine]),
    [
      ['FROM', 1, 1],
      ['RUN', 3, 4],
      ['RUN', 5, 8],
      ['CMD', 9, 9],
    ],
  );
  assert.equal(df.instructions[1].original, 'RUN a  b');
});

test('directives: syntax, escape with backtick, check; they end at the first other line', () => {
  const df = parseDockerfile(
    '# syntax=docker/dockerfile:1.7\n#  ESCAPE = `\n# check=skip=all\nFROM x\nRUN dir c:\\ `\n  && echo `"q`"\nENV A=x` y',
  );
  assert.deepEqual(df.directives, { syntax: 'docker/dockerfile:1.7', escape: '`', check: 'skip=all' });
  assert.deepEqual(df.instructions.slice(1).map(strip), [
    run('dir c:\\   && echo `"q`"'),
    { kind: 'ENV', pairs: [{ key: 'A', value: 'x` y' }] },
  ]);
  const late = parseDockerfile('# comment\n# escape=`\nFROM x\nRUN a \\\n b');
  assert.equal(late.directives.escape, '\\');
  assert.equal((late.instructions[1] as { original: string }).original, 'RUN a  b');
  const afterBlank = parseDockerfile('\n# syntax=whatever/else\nFROM x');
  assert.equal(afterBlank.directives.syntax, undefined);
  const bom = parseDockerfile('\uFEFF# escape=`\nFROM x');
  assert.equal(bom.directives.escape, '`');
  const crlf = parseDockerfile('FROM x\r\nRUN a \\\r\n b\r\n');
  assert.equal((crlf.instructions[1] as { original: string }).original, 'RUN a  b');
});

test('accepted # syntax= frontends', () => {
  for (const s of [
    'docker/dockerfile:1',
    'docker/dockerfile:1.7',
    'docker/dockerfile:1.7-labs',
    'docker/dockerfile',
    'docker.io/docker/dockerfile:1',
    `docker/dockerfile:1@sha256:${'a'.repeat(64)}`,
    `docker.io/docker/dockerfile@sha256:${'0'.repeat(64)}`,
  ]) {
    assert.equal(parseDockerfile(`# syntax=${s}\nFROM x`).directives.syntax, s);
  }
});

test('warnings: empty continuation lines', () => {
  const df = parseDockerfile('FROM x\nRUN a \\\n\n b');
  assert.equal(df.warnings.length, 1);
  assert.equal(df.warnings[0].line, 2);
});
