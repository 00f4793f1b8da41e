/**
 * Puts an image straight into a registry over HTTP (no engine involved):
 * layer tars, gzipped or not, a config naming their diffIDs (or the ones
 * given, to make a lying image), and a Docker v2 manifest.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A monolithic blob upload (POST, then PUT with the digest). */
export async function putBlob(host: string, repo: string, b: Buffer): Promise<string> {
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  const loc = new URL(String(start.headers.get('location')), `http://${host}`);
  loc.searchParams.set('digest', sha(b));
  const put = await fetch(loc, { method: 'PUT', body: b });
  if (put.status !== 201) throw new Error(`blob upload: ${put.status}`);
  return sha(b);
}

export interface RegistryLayer {
  /** The layer's tar. */
  tar: Buffer;
  /** Stored gzipped (level 1); default true. */
  gzip?: boolean;
}

/** Pushes the image as `host/repo:tag`; `diffIds` overrides the config's. */
export async function pushImage(
  host: string,
  repo: string,
  tag: string,
  layers: RegistryLayer[],
  diffIds?: string[],
): Promise<void> {
  const descriptors = [];
  for (const l of layers) {
    const gz = l.gzip ?? true;
    const blob = gz ? gzipSync(l.tar, { level: 1 }) : l.tar;
    descriptors.push({
      mediaType: gz ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.oci.image.layer.v1.tar',
      digest: await putBlob(host, repo, blob),
      size: blob.length,
    });
  }
  const cfg = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: diffIds ?? layers.map((l) => sha(l.tar)) },
    }),
  );
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      digest: await putBlob(host, repo, cfg),
      size: cfg.length,
    },
    layers: descriptors,
  };
  const r = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    body: JSON.stringify(manifest),
    headers: { 'Content-Type': manifest.mediaType },
  });
  if (r.status !== 201) throw new Error(`manifest: ${r.status} ${await r.text()}`);
}
