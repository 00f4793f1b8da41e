/**
 * Issue 7's interop check: an image built by Berth, saved and loaded into
 * real Docker (Debian's docker.io dockerd, started here on its own roots),
 * runs the same there: same image ID, user, workdir, env, entrypoint, cmd,
 * labels and files.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type PeerDocker, startDockerd } from '../foundation/dockerd.ts';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { build, makeContext } from './util.ts';

let d: TestDaemon;
let peer: PeerDocker;
const ctx = makeContext({
  Dockerfile: [
    'FROM busybox AS base',
    'RUN mkdir -p /opt/app && echo built-by-berth > /opt/app/stamp',
    'FROM busybox',
    'COPY --from=base /opt/app /opt/app',
    'COPY hello.sh /usr/local/bin/hello',
    'RUN chmod 755 /usr/local/bin/hello && echo "app:x:1234:1234::/home:/bin/sh" >> /etc/passwd',
    'ENV GREETING=hi',
    'WORKDIR /opt/app',
    'USER app',
    'LABEL org.example.kind=interop',
    'ENTRYPOINT ["/usr/local/bin/hello"]',
    'CMD ["world"]',
    '',
  ].join('\n'),
  'hello.sh': '#!/bin/sh\necho "$GREETING $1 from $(pwd) as $(id -u) $(cat /opt/app/stamp)"\n',
});

before(async () => {
  d = await startDaemon();
  await loadBusybox(d);
  peer = await startDockerd();
});

after(async () => {
  await peer?.stop();
  await d?.cleanup();
  ctx.remove();
});

test('an image built by Berth, saved and loaded into Docker, runs the same there', async () => {
  await build(d, ['-t', 'interop/app:1', ctx.dir]);
  const here = d.docker(['run', '--rm', 'interop/app:1']);
  assert.equal(here.code, 0, here.stderr);
  assert.equal(here.stdout, 'hi world from /opt/app as 1234 built-by-berth\n');
  const id = d.docker(['image', 'inspect', '-f', '{{.Id}}', 'interop/app:1']).stdout.trim();
  const file = join(d.dir, 'app.tar');
  assert.equal(d.docker(['save', '-o', file, 'interop/app:1']).code, 0);
  const loaded = await peer.docker(['load', '-i', file]);
  assert.equal(loaded.code, 0, loaded.stderr);
  const there = await peer.docker([
    'image',
    'inspect',
    '-f',
    '{{.Id}} {{.Config.User}} {{.Config.WorkingDir}} {{index .Config.Labels "org.example.kind"}}',
    'interop/app:1',
  ]);
  assert.equal(there.stdout.trim(), `${id} app /opt/app interop`);
  const run = await peer.docker(['run', '--rm', '--network', 'none', 'interop/app:1']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, here.stdout);
  const args = await peer.docker(['run', '--rm', '--network', 'none', 'interop/app:1', 'docker']);
  assert.equal(args.stdout, 'hi docker from /opt/app as 1234 built-by-berth\n');
});
