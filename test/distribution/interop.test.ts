/** A multi-platform index (platform choice), and interop with skopeo both ways. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { makeTar } from '../../src/store/test-tar.ts';
import { loadBusybox, runAsync, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { type Distribution, startDistribution } from './peers.ts';

let d: TestDaemon;
let reg: Distribution;
let tmp: string;

before(async () => {
  d = await startDaemon();
  await loadBusybox(d);
  reg = await startDistribution();
  tmp = mkdtempSync('/tmp/berth-dist-interop-');
});
after(async () => {
  await reg?.stop();
  await d?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

function ok(r: { code: number; stdout: string; stderr: string }): string {
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function putBlob(repo: string, b: Buffer): Promise<string> {
  const start = await fetch(`http://${reg.host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  assert.equal(start.status, 202);
  const loc = new URL(String(start.headers.get('location')), `http://${reg.host}`);
  loc.searchParams.set('digest', sha(b));
  const put = await fetch(loc, { method: 'PUT', body: b, headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(put.status, 201, await put.text());
  return sha(b);
}

async function putManifest(
  repo: string,
  ref: string,
  mediaType: string,
  body: unknown,
): Promise<{ digest: string; size: number }> {
  const b = Buffer.from(JSON.stringify(body));
  const r = await fetch(`http://${reg.host}/v2/${repo}/manifests/${ref}`, {
    method: 'PUT',
    body: b,
    headers: { 'Content-Type': mediaType },
  });
  assert.equal(r.status, 201, await r.text());
  return { digest: sha(b), size: b.length };
}

async function platformImage(repo: string, arch: string): Promise<{ digest: string; size: number }> {
  const tar = await makeTar([{ name: 'arch', content: `${arch}\n` }]);
  const gz = gzipSync(tar);
  const layer = await putBlob(repo, gz);
  const cfg = Buffer.from(
    JSON.stringify({
      architecture: arch,
      os: 'linux',
      config: { Cmd: ['/arch'] },
      rootfs: { type: 'layers', diff_ids: [sha(tar)] },
    }),
  );
  const cfgDigest = await putBlob(repo, cfg);
  const body = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cfgDigest, size: cfg.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer, size: gz.length }],
  };
  const bytes = Buffer.from(JSON.stringify(body));
  return putManifest(repo, sha(bytes), 'application/vnd.oci.image.manifest.v1+json', body);
}

test('a multi-platform index: linux/amd64 by default, --platform linux/arm64 picks the other', async () => {
  const repo = 'multi/app';
  const amd = await platformImage(repo, 'amd64');
  const arm = await platformImage(repo, 'arm64');
  const index = await putManifest(repo, '1', 'application/vnd.oci.image.index.v1+json', {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        ...arm,
        platform: { os: 'linux', architecture: 'arm64' },
      },
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        ...amd,
        platform: { os: 'linux', architecture: 'amd64' },
      },
    ],
  });
  const img = `${reg.host}/${repo}:1`;
  ok(await d.dockerAsync(['pull', img]));
  const a = JSON.parse(ok(d.docker(['image', 'inspect', img])))[0];
  assert.equal(a.Architecture, 'amd64');
  assert.ok(a.RepoDigests.includes(`${reg.host}/${repo}@${index.digest}`), a.RepoDigests.join(','));
  ok(d.docker(['rmi', img]));
  ok(await d.dockerAsync(['pull', '--platform', 'linux/arm64', img]));
  assert.equal(ok(d.docker(['image', 'inspect', '-f', '{{.Architecture}}', img])).trim(), 'arm64');
  const none = await d.dockerAsync(['pull', '--platform', 'linux/s390x', img]);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /no matching manifest for linux\/s390x/);
});

test('what Berth pushes skopeo copies; what skopeo pushes Berth pulls', async () => {
  const img = `${reg.host}/interop/berth:1`;
  ok(d.docker(['tag', 'busybox:latest', img]));
  const id = ok(d.docker(['image', 'inspect', '-f', '{{.Id}}', img])).trim();
  ok(await d.dockerAsync(['push', img]));
  const out = join(tmp, 'oci');
  ok(await runAsync('skopeo', ['copy', '--src-tls-verify=false', `docker://${img}`, `oci:${out}:x`]));
  const cfg = JSON.parse(ok(await runAsync('skopeo', ['inspect', '--config', `oci:${out}:x`])));
  const local = JSON.parse(ok(d.docker(['image', 'inspect', img])))[0];
  assert.deepEqual(cfg.rootfs.diff_ids, local.RootFS.Layers, 'skopeo got the same layers');
  assert.ok(id.startsWith('sha256:'));

  // skopeo pushes the saved busybox archive (docker schema 2, gzip layers); Berth pulls it
  const archive = join(process.env.BERTH_TEST_CACHE ?? '/tmp/berth-test-cache', 'busybox.tar');
  const skImg = `${reg.host}/interop/skopeo:1`;
  ok(await runAsync('skopeo', ['copy', '--dest-tls-verify=false', `docker-archive:${archive}`, `docker://${skImg}`]));
  const pull = ok(await d.dockerAsync(['pull', skImg]));
  assert.match(pull, /Digest: sha256:/);
  const layers = JSON.parse(ok(d.docker(['image', 'inspect', skImg])))[0].RootFS.Layers;
  const orig = JSON.parse(ok(d.docker(['image', 'inspect', 'busybox:latest'])))[0].RootFS.Layers;
  assert.deepEqual(layers, orig);
  const run = d.docker(['run', '--rm', '--network', 'none', skImg, 'echo', 'from-skopeo']);
  assert.equal(run.stdout.trim(), 'from-skopeo', run.stderr);
});
