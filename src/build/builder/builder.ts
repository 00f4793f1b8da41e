/**
 * The image builder: a Dockerfile and its context → an image, through the
 * build cache. One Builder per engine; each build is a BuildSession.
 *
 * On-disk layout (owned here), DATA_ROOT/build/:
 *   ctx/ID/           an extracted build context (removed after the build)
 *   mnt/              mount points of build steps (layers.ts)
 *   run/, runtime/    RUN bundles and the runtime's state root (run.ts)
 *   cache-mounts/H/   RUN --mount=type=cache directories (run-mounts.ts)
 *   tmp/ID/           downloads and secret files of one build
 * Cache entries are rows of `build_cache` (cache.ts).
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import type { ImageService } from '../../engine/images/image-service.ts';
import { parseTagTarget } from '../../engine/images/resolve.ts';
import type { Unpacker } from '../../engine/images/unpack.ts';
import { chainIds, type Digest } from '../../lib/digest.ts';
import { InvalidArgumentError } from '../../lib/errors.ts';
import { randomId } from '../../lib/ids.ts';
import type { Logger } from '../../lib/log.ts';
import { familiarString } from '../../oci/reference.ts';
import type { RuntimeName } from '../../runtime/runtime-cli.ts';
import type { Database } from '../../store/db.ts';
import { applyLayer } from '../../store/layer-apply.ts';
import type { OverlaySnapshotter } from '../../store/snapshots.ts';
import type { ContentStore } from '../../store/types.ts';
import type { Dockerfile } from '../dockerfile/ast.ts';
import { parseDockerfile } from '../dockerfile/parse.ts';
import { type Stage, type Stages, stages } from '../dockerfile/stages.ts';
import { BuildCache } from './cache.ts';
import { LayerMaker } from './layers.ts';
import { platformArgs } from './scope.ts';
import { BuildSession, short } from './session.ts';
import { loadState } from './state.ts';
import type { BuildEnv, BuildRequest, BuildSink } from './types.ts';

export interface BuilderDeps {
  db: Database;
  content: ContentStore;
  snapshots: OverlaySnapshotter;
  unpacker: Unpacker;
  images: ImageService;
  dataRoot: string;
  cgroupParent: string;
  runtime: () => RuntimeName;
  log: Logger;
}

export interface BuildCacheRecord {
  ID: string;
  Parent: string;
  Type: string;
  Description: string;
  InUse: boolean;
  Shared: boolean;
  Size: number;
  CreatedAt: string;
  LastUsedAt: string;
  UsageCount: number;
}

export interface PreparedBuild {
  req: BuildRequest;
  df: Dockerfile;
  predefined: Record<string, string>;
  plan: Stages;
  needed: Stage[];
}

export class Builder {
  readonly cache: BuildCache;
  readonly layers: LayerMaker;
  readonly root: string;
  private d: BuilderDeps;
  private running = 0;

  constructor(d: BuilderDeps) {
    this.d = d;
    this.root = join(d.dataRoot, 'build');
    this.cache = new BuildCache(d.db);
    this.layers = new LayerMaker({ content: d.content, snapshots: d.snapshots, unpacker: d.unpacker, root: this.root });
  }

  /** Extracts a context tar (plain, gzip or zstd) into a fresh directory. */
  async receiveContext(src: Readable): Promise<{ dir: string; bytes: number; remove: () => Promise<void> }> {
    const dir = join(this.root, 'ctx', randomId().slice(0, 16));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    let bytes = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        cb(null, chunk);
      },
    });
    src.on('error', (e) => counted.destroy(e));
    try {
      await applyLayer(src.pipe(counted), dir, { whiteouts: false });
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
    return { dir, bytes, remove: () => rm(dir, { recursive: true, force: true }) };
  }

  /** Parses and plans: every Dockerfile error is thrown here, before any step runs. */
  prepare(req: BuildRequest): PreparedBuild {
    const df = parseDockerfile(req.dockerfileText, { file: req.dockerfileName });
    const predefined = platformArgs(req.platform);
    const plan = stages(df, { buildArgs: req.buildArgs, predefined });
    const needed = plan.needed(req.target).flat();
    for (const t of req.tags) parseTagTarget(t);
    return { req, df, predefined, plan, needed };
  }

  /** Builds; returns the image ID. */
  async build(req: BuildRequest, sink: BuildSink, signal: AbortSignal): Promise<string> {
    return this.run(this.prepare(req), sink, signal);
  }

  async run(p: PreparedBuild, sink: BuildSink, signal: AbortSignal): Promise<string> {
    const { req, df, predefined, plan, needed } = p;
    const env: BuildEnv = {
      content: this.d.content,
      images: this.d.images,
      cache: this.cache,
      layers: this.layers,
      scratch: this.root,
      cgroupParent: this.d.cgroupParent,
      runtime: this.d.runtime,
      predefined,
    };
    const session = new BuildSession(env, req, sink, plan, needed, df.directives.escape, signal);
    this.running++;
    try {
      // every needed stage starts now; each waits only for the stages it uses
      const target = needed[needed.length - 1];
      const all = needed.map((s) => session.stage(s.index));
      for (const p of all) p.catch(() => {});
      let state = await session.stage(target.index);
      await Promise.all(all);
      state = await session.labels(state);
      const unused = Object.keys(req.buildArgs).filter(
        (a) => !session.usedArgs.has(a) && !plan.globalArgs.some((g) => g.name === a) && !(a in predefined),
      );
      if (unused.length && !req.quiet)
        sink.stream(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
      const rec = await this.d.images.create({
        config: await this.d.content.readBytes(state.id),
        layers: state.layers,
        tags: req.tags,
        manifest: { descriptor: state.manifest },
      });
      sink.aux({ ID: rec.id });
      if (req.quiet) sink.stream(`${rec.id}\n`);
      else {
        sink.stream(`Successfully built ${short(rec.id)}\n`);
        for (const t of req.tags) sink.stream(`Successfully tagged ${familiarString(parseTagTarget(t))}\n`);
      }
      return rec.id;
    } finally {
      this.running--;
      await session.cleanup();
    }
  }

  /** Blobs and snapshots the cache (and running builds) keep alive. */
  async gcRoots(): Promise<{ blobs: Digest[]; snapshots: string[] }> {
    const blobs: Digest[] = [];
    const snapshots: string[] = [...this.layers.active];
    for (const row of this.cache.all()) {
      const s = await loadState(this.d.content, row.manifest);
      if (!s) continue;
      blobs.push(row.manifest, s.id, ...s.layers.map((l) => l.descriptor.digest));
      const ids = s.config.rootfs?.diff_ids ?? [];
      if (ids.length) snapshots.push(chainIds(ids)[ids.length - 1]);
    }
    return { blobs, snapshots };
  }

  /** GC must wait: a build in progress holds blobs no image refers to yet. */
  get busy(): boolean {
    return this.running > 0;
  }

  /** The cache entries, each with the size of the layer it added (`system df`). */
  async usage(): Promise<BuildCacheRecord[]> {
    const counted = new Set<string>();
    const listed = new Set<string>();
    const out: BuildCacheRecord[] = [];
    const rows = [...this.cache.all()].sort((a, b) => a.createdAt - b.createdAt);
    for (const row of rows) {
      // a COPY --link step has two keys for one result: list it once
      if (listed.has(row.manifest)) continue;
      listed.add(row.manifest);
      const s = await loadState(this.d.content, row.manifest);
      if (!s) continue;
      const last = s.layers[s.layers.length - 1];
      let size = 0;
      if (last && !counted.has(last.descriptor.digest)) {
        counted.add(last.descriptor.digest);
        size = last.descriptor.size;
      }
      const h = s.config.history ?? [];
      out.push({
        ID: row.key.slice(7, 32),
        Parent: '',
        Type: 'regular',
        Description: h[h.length - 1]?.created_by ?? '',
        InUse: false,
        Shared: false,
        Size: size,
        CreatedAt: new Date(row.createdAt).toISOString(),
        LastUsedAt: new Date(row.lastUsed).toISOString(),
        UsageCount: 1,
      });
    }
    return out;
  }

  /** `builder prune`: drops cache entries, least recently used first, until at most keepStorage bytes remain. */
  async prune(o: { keepStorage?: number; all?: boolean } = {}): Promise<{ ids: string[]; reclaimed: number }> {
    if (this.running > 0) throw new InvalidArgumentError('a build is running: prune the build cache after it ends');
    const usage = await this.usage();
    const byId = new Map(usage.map((u) => [u.ID, u]));
    let total = usage.reduce((n, u) => n + u.Size, 0);
    const keep = o.keepStorage ?? 0;
    const ids: string[] = [];
    let reclaimed = 0;
    for (const row of this.cache.all()) {
      if (total <= keep && keep > 0) break;
      const id = row.key.slice(7, 32);
      const size = byId.get(id)?.Size ?? 0;
      this.cache.delete(row.key);
      ids.push(id);
      total -= size;
      reclaimed += size;
    }
    return { ids, reclaimed };
  }
}
