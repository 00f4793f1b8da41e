// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text holds ${VAR} on purpose
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instruction } from './ast.ts';
import { DockerfileError } from './errors.ts';
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

function fails(text: string, line: number, message: RegExp): void {
  assert.throws(
    () => parseDockerfile(text),
    (e: unknown) => {
      assert.ok(e instanceof DockerfileError, `not a DockerfileError: ${e}`);
      assert.equal(e.kind, 'InvalidArgument');
      assert.equal(e.line, line, `line of: ${e.message}`);
      assert.match(e.message, message);
      assert.ok(e.message.startsWith(line > 0 ? `Dockerfile:${line}: ` : 'Dockerfile: '), e.message);
      return true;
    },
  );
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

/** [name, whole Dockerfile, line, message] */
const BAD: [string, string, number, RegExp][] = [
  ['unknown instruction with a suggestion', 'FROM x\nRUNN echo', 2, /unknown instruction: RUNN \(did you mean RUN\?\)/],
  ['unknown instruction, nothing close', 'FROM x\nFROBNICATE a', 2, /^Dockerfile:2: unknown instruction: FROBNICATE$/],
  ['unterminated heredoc', 'FROM x\nRUN <<EOF\necho\n', 2, /unterminated heredoc/],
  ['unterminated second heredoc', 'FROM x\nRUN <<A <<B\na\nA\nb\n', 2, /unterminated heredoc B/],
  ['unknown flag', 'FROM x\nRUN --mnt=type=cache,target=/x true', 2, /unknown flag: --mnt/],
  ['flag on an instruction without flags', 'FROM x\nENV --a=b c=d', 2, /unknown flag: --a/],
  ['COPY flag on ADD', 'FROM x\nADD --from=a b c', 2, /unknown flag: --from/],
  ['flag without value', 'FROM x\nCOPY --chown a b', 2, /missing a value on flag: --chown/],
  ['duplicate flag', 'FROM x\nCOPY --from=a --from=b c d', 2, /duplicate flag specified: --from/],
  ['bad boolean', 'FROM x\nCOPY --link=maybe a b', 2, /expecting boolean value for flag --link/],
  ['bad network', 'FROM x\nRUN --network=bridge true', 2, /network mode "bridge" not supported/],
  [
    'bad mount type',
    'FROM x\nRUN --mount=type=cahce,target=/x true',
    2,
    /unsupported mount type "cahce" \(did you mean cache\?\)/,
  ],
  ['mount without target', 'FROM x\nRUN --mount=type=cache true', 2, /mount target must be specified/],
  ['bad mount key', 'FROM x\nRUN --mount=type=cache,target=/x,sharng=locked true', 2, /unexpected key 'sharng'/],
  [
    'sharing on bind',
    'FROM x\nRUN --mount=target=/x,sharing=locked true',
    2,
    /unexpected key 'sharing' for mount type 'bind'/,
  ],
  ['bad sharing', 'FROM x\nRUN --mount=type=cache,target=/x,sharing=all true', 2, /unsupported sharing value/],
  ['bad uid', 'FROM x\nRUN --mount=type=cache,target=/x,uid=me true', 2, /invalid value for uid/],
  ['secret with from', 'FROM x\nRUN --mount=type=secret,id=a,from=b true', 2, /should not have a from/],
  ['SHELL not JSON', 'FROM x\nSHELL /bin/sh -c', 2, /SHELL requires the arguments to be in JSON form/],
  ['SHELL empty JSON', 'FROM x\nSHELL []', 2, /SHELL requires at least one argument/],
  ['non-string JSON array', 'FROM x\nCMD ["a", 1]', 2, /arrays must be comprised of strings only/],
  ['RUN without arguments', 'FROM x\nRUN', 2, /RUN requires at least one argument/],
  ['RUN empty JSON', 'FROM x\nRUN []', 2, /RUN requires at least one argument/],
  ['COPY one argument', 'FROM x\nCOPY a', 2, /COPY requires at least two arguments/],
  ['COPY heredoc as destination', 'FROM x\nCOPY a <<EOF\nx\nEOF', 2, /heredoc as a destination/],
  ['ENV without value (legacy)', 'FROM x\nENV A', 2, /ENV must have two arguments/],
  ['ENV mixed forms', 'FROM x\nENV A=1 B', 2, /can't find = in "B"/],
  ['ENV blank name', 'FROM x\nENV =1', 2, /ENV names can not be blank/],
  ['LABEL without arguments', 'FROM x\nLABEL', 2, /LABEL requires at least one argument/],
  ['ARG without arguments', 'FROM x\nARG', 2, /ARG requires at least one argument/],
  ['EXPOSE without arguments', 'FROM x\nEXPOSE', 2, /EXPOSE requires at least one argument/],
  ['USER without arguments', 'FROM x\nUSER', 2, /USER requires exactly one argument/],
  ['WORKDIR without arguments', 'FROM x\nWORKDIR  ', 2, /WORKDIR requires exactly one argument/],
  ['VOLUME empty string', 'FROM x\nVOLUME [""]', 2, /VOLUME specified can not be an empty string/],
  ['HEALTHCHECK unknown type', 'FROM x\nHEALTHCHECK RUN true', 2, /Unknown type "RUN" in HEALTHCHECK \(try CMD\)/],
  ['HEALTHCHECK NONE with args', 'FROM x\nHEALTHCHECK NONE x', 2, /HEALTHCHECK NONE takes no arguments/],
  ['HEALTHCHECK CMD without command', 'FROM x\nHEALTHCHECK CMD', 2, /Missing command after HEALTHCHECK CMD/],
  ['HEALTHCHECK bad duration', 'FROM x\nHEALTHCHECK --interval=5 CMD true', 2, /missing unit in duration/],
  ['HEALTHCHECK tiny duration', 'FROM x\nHEALTHCHECK --timeout=10us CMD true', 2, /cannot be less than 1ms/],
  ['HEALTHCHECK negative retries', 'FROM x\nHEALTHCHECK --retries=-1 CMD true', 2, /--retries cannot be negative/],
  ['ONBUILD ONBUILD', 'FROM x\nONBUILD ONBUILD RUN a', 2, /Chaining ONBUILD/],
  ['ONBUILD FROM', 'FROM x\nONBUILD FROM y', 2, /FROM isn't allowed as an ONBUILD trigger/],
  ['ONBUILD MAINTAINER', 'FROM x\nONBUILD maintainer y', 2, /MAINTAINER isn't allowed as an ONBUILD trigger/],
  ['ONBUILD with a bad trigger', 'FROM x\nONBUILD RUNN a', 2, /unknown instruction: RUNN/],
  ['ONBUILD empty', 'FROM x\nONBUILD', 2, /ONBUILD requires at least one argument/],
  ['FROM with two arguments', 'FROM a b', 1, /FROM requires either one or three arguments/],
  ['FROM with a bad AS', 'FROM a AT b', 1, /FROM requires either one or three arguments/],
  ['FROM with a bad stage name', 'FROM a AS 1st', 1, /invalid name for build stage/],
  ['FROM with an unknown flag', 'FROM --plat=x a', 1, /unknown flag: --plat/],
  ['duplicate stage name', 'FROM a AS b\nFROM c AS B', 2, /duplicate stage name "b"/],
  ['no FROM at all', 'ARG A=1', 0, /no build stage/],
  ['instruction before FROM', 'ARG A\nRUN true\nFROM x', 2, /RUN before the first FROM/],
  ['empty file', '# just a comment\n\n', 0, /file with no instructions/],
  [
    'foreign frontend',
    '# syntax=example.com/my/frontend:1\nFROM x',
    1,
    /unsupported frontend "example.com\/my\/frontend:1"/,
  ],
  ['dockerfile-upstream is refused', '# syntax=docker/dockerfile-upstream:master\nFROM x', 1, /unsupported frontend/],
  ['bad escape directive', '# escape=x\nFROM x', 1, /invalid escape token 'x'/],
  ['duplicate directive', '# escape=`\n# escape=\\\nFROM x', 2, /only one escape parser directive/],
  [
    'line number after continuations and heredocs',
    'FROM x\nRUN a \\\n b\nRUN <<E\n1\nE\nBAD x',
    7,
    /unknown instruction: BAD/,
  ],
];

for (const [name, text, line, message] of BAD) {
  test(`rejects: ${name}`, () => fails(text, line, message));
}

test('the file name given appears in the message', () => {
  assert.throws(() => parseDockerfile('FROM x\nRUNN a', { file: 'build/Dockerfile.dev' }), {
    message: 'build/Dockerfile.dev:2: unknown instruction: RUNN (did you mean RUN?)',
  });
});
