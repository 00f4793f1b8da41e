/**
 * Issue 7, done when: a multi-stage Dockerfile using every instruction
 * (secrets through berth build) builds, and the image runs with the right
 * user, workdir, env, entrypoint, cmd, healthcheck, labels and files.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { build, builtId, inspect, makeContext } from './util.ts';

let d: TestDaemon;
let server: Server;
let port = 0;

before(async () => {
  d = await startDaemon();
  await loadBusybox(d);
  server = createServer((req, res) => {
    if (req.url === '/remote.txt') {
      res.writeHead(200, { 'Last-Modified': 'Wed, 21 Oct 2015 07:28:00 GMT' });
      res.end('from the web\n');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  server?.close();
  await d?.cleanup();
});

const dockerfile = (port: number) => `# syntax=docker/dockerfile:1
ARG BASE=busybox
FROM \${BASE} AS base
ARG GREETING=hello
ENV APP_HOME=/srv/app
WORKDIR $APP_HOME
RUN echo "$GREETING" > greeting.txt

FROM base AS builder
ARG TARGETARCH
SHELL ["/bin/sh", "-c"]
COPY --chmod=0755 tool.sh /usr/local/bin/tool
RUN --mount=type=secret,id=token cat /run/secrets/token > /token-seen && echo "arch=$TARGETARCH" > /arch
RUN --mount=type=cache,target=/cache echo cached >> /cache/log && cp /cache/log /cachelog
RUN --mount=type=tmpfs,target=/scratch touch /scratch/x && ls /scratch > /tmpfs-list
RUN --mount=type=bind,source=data,target=/mnt/data cat /mnt/data/a.txt > /bound
RUN --network=none tool > /tool-out
RUN <<EOF
set -e
echo heredoc > /heredoc.txt
EOF

FROM busybox AS final
MAINTAINER berth-tests
LABEL org.example.role="final" version=1
EXPOSE 8080/tcp
VOLUME /data
ENV MODE=prod APP_HOME=/srv/app
COPY --from=builder /token-seen /arch /heredoc.txt /bound /tmpfs-list /tool-out /out/
COPY --from=base /srv/app/greeting.txt /out/
COPY <<EOF /out/inline.txt
inline $APP_HOME
EOF
ADD archive.tar.gz /unpacked/
ADD http://127.0.0.1:${port}/remote.txt /out/remote.txt
COPY --chown=nobody data/ /data-copy/
COPY --link data/*.txt /globbed/
ONBUILD RUN echo triggered > /tmp/triggered
STOPSIGNAL SIGUSR1
HEALTHCHECK --interval=5s --timeout=2s --retries=4 CMD test -f /out/greeting.txt
WORKDIR /out
USER nobody
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat greeting.txt"]
`;

test('a multi-stage Dockerfile with every instruction builds and runs right', async () => {
  const ctx = makeContext({
    Dockerfile: dockerfile(port),
    'tool.sh': '#!/bin/sh\necho tool ran\n',
    'data/a.txt': 'A\n',
    'data/b.txt': 'B\n',
    'archive/inner/x.txt': 'inside the tar\n',
    'secret.txt': 's3cr3t\n',
  });
  try {
    execFileSync('tar', ['czf', `${ctx.dir}/archive.tar.gz`, '-C', `${ctx.dir}/archive`, '.']);
    const out = await build(d, [
      '-t',
      'every:1',
      '--secret',
      `id=token,src=${ctx.dir}/secret.txt`,
      '--label',
      'from.cli=yes',
      ctx.dir,
    ]);
    builtId(out);
    assert.match(out, /Successfully tagged every:1/);
    const img = await inspect(d, 'every:1');
    const c = img.Config;
    assert.equal(c.User, 'nobody');
    assert.equal(c.WorkingDir, '/out');
    assert.ok(c.Env.includes('MODE=prod'), c.Env.join(','));
    assert.deepEqual(c.Entrypoint, ['/bin/sh', '-c']);
    assert.deepEqual(c.Cmd, ['cat greeting.txt']);
    assert.deepEqual(c.Healthcheck, {
      Test: ['CMD-SHELL', 'test -f /out/greeting.txt'],
      Interval: 5e9,
      Timeout: 2e9,
      Retries: 4,
    });
    assert.equal(c.Labels['org.example.role'], 'final');
    assert.equal(c.Labels.version, '1');
    assert.equal(c.Labels['from.cli'], 'yes');
    assert.equal(c.StopSignal, 'SIGUSR1');
    assert.ok('8080/tcp' in c.ExposedPorts);
    assert.ok('/data' in c.Volumes);
    assert.deepEqual(c.OnBuild, ['RUN echo triggered > /tmp/triggered']);
    assert.equal(img.Author, 'berth-tests');

    const r = await d.dockerAsync(['run', '--rm', 'every:1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello\n');
    const files = await d.dockerAsync([
      'run',
      '--rm',
      'every:1',
      'id -un; pwd; cat token-seen arch heredoc.txt bound tmpfs-list tool-out inline.txt /unpacked/inner/x.txt /globbed/a.txt /globbed/b.txt; stat -c "%U %a" /data-copy/a.txt; ls /',
    ]);
    assert.equal(files.code, 0, files.stderr);
    const lines = files.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 13), [
      'nobody',
      '/out',
      's3cr3t',
      'arch=amd64',
      'heredoc',
      'A',
      'x',
      'tool ran',
      'inline /srv/app',
      'inside the tar',
      'A',
      'B',
      'nobody 644',
    ]);

    // ADD of a URL: mode 0600, the server's Last-Modified as mtime
    const web = await d.dockerAsync([
      'run',
      '--rm',
      '-u',
      'root',
      'every:1',
      'stat -c "%a %Y" remote.txt; cat remote.txt',
    ]);
    assert.equal(web.stdout, `600 ${Date.parse('2015-10-21T07:28:00Z') / 1000}\nfrom the web\n`);

    // ONBUILD triggers run in a child build
    ctx.write('Dockerfile', 'FROM every:1\nUSER root\nRUN cat /tmp/triggered\n');
    const child = await build(d, ['-t', 'every:child', ctx.dir]);
    assert.match(child, /Executing 1 build trigger/);
    const t = await d.dockerAsync(['run', '--rm', 'every:child', 'cat /tmp/triggered']);
    assert.equal(t.stdout, 'triggered\n');
  } finally {
    ctx.remove();
  }
});

test('--target builds only the stages the target needs', async () => {
  const ctx = makeContext({
    Dockerfile:
      'FROM busybox AS a\nRUN echo a > /a\nFROM busybox AS b\nRUN exit 7\nFROM busybox AS c\nCOPY --from=a /a /a\nCMD ["cat","/a"]\nFROM c AS d\nRUN exit 9\n',
  });
  try {
    const out = await build(d, ['-t', 'target:c', '--target', 'c', ctx.dir]);
    assert.doesNotMatch(out, /exit 7|exit 9/);
    const r = await d.dockerAsync(['run', '--rm', 'target:c']);
    assert.equal(r.stdout, 'a\n');
  } finally {
    ctx.remove();
  }
});
