/** skopeo copy pushes an OCI layout to the registry and pulls it back; the digests stay the same. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { testRegistry } from './helpers.ts';

const run = promisify(execFile);
const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A one-layer OCI image layout on disk, tagged `v1`. */
async function makeLayout(dir: string): Promise<string> {
  const src = join(dir, 'rootfs');
  await mkdir(join(src, 'etc'), { recursive: true });
  await writeFile(join(src, 'etc', 'hello.txt'), 'hello from berth\n');
  const tar = (
    await run('tar', ['-C', src, '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '-cf', '-', '.'], {
      encoding: 'buffer',
      maxBuffer: 1 << 24,
    })
  ).stdout;
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [`sha256:${hex(tar)}`] },
      config: {},
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: `sha256:${hex(config)}`,
        size: config.length,
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: `sha256:${hex(layer)}`,
          size: layer.length,
        },
      ],
    }),
  );
  const layout = join(dir, 'layout');
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  for (const b of [layer, config, manifest]) await writeFile(join(layout, 'blobs', 'sha256', hex(b)), b);
  await writeFile(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: `sha256:${hex(manifest)}`,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': 'v1' },
        },
      ],
    }),
  );
  return `sha256:${hex(manifest)}`;
}

test('skopeo copy to and from the registry keeps digests', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-reg-skopeo-'));
  const r = await testRegistry();
  try {
    const digest = await makeLayout(dir);
    const policy = join(dir, 'policy.json');
    await writeFile(policy, '{"default":[{"type":"insecureAcceptAnything"}]}');
    const dest = `docker://${r.host}/sk/app:v1`;
    await run('skopeo', ['--policy', policy, 'copy', '--dest-tls-verify=false', `oci:${join(dir, 'layout')}:v1`, dest]);
    const m = await r.call('HEAD', '/v2/sk/app/manifests/v1');
    assert.equal(m.status, 200);
    assert.equal(m.headers['docker-content-digest'], digest, 'the pushed manifest keeps its digest');

    const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${r.host}/sk/app:v1`]);
    assert.equal(`sha256:${hex(Buffer.from(stdout))}`, digest);

    await run('skopeo', [
      '--policy',
      policy,
      'copy',
      '--src-tls-verify=false',
      `docker://${r.host}/sk/app:v1`,
      `oci:${join(dir, 'out')}:v1`,
    ]);
    const index = JSON.parse(await readFile(join(dir, 'out', 'index.json'), 'utf8'));
    assert.equal(index.manifests[0].digest, digest, 'the pulled image has the same digest');
    await run('skopeo', [
      '--policy',
      policy,
      'copy',
      '--dest-tls-verify=false',
      `docker://${r.host}/sk/app:v1`,
      `docker://${r.host}/sk/copy:v1`,
      '--src-tls-verify=false',
    ]);
    const copied = await r.call('HEAD', '/v2/sk/copy/manifests/v1');
    assert.equal(copied.headers['docker-content-digest'], digest, 'registry-to-registry copy (cross-repository mount)');
  } finally {
    await r.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});
