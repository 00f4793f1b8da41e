/**
 * The engine: the domain services over one data root, composed once.
 *
 * Data root layout (owned by the parts named):
 *   DATA_ROOT/berth.lock       the daemon's lock (daemon)
 *   DATA_ROOT/metadata.db      SQLite metadata (store/db.ts)
 *   DATA_ROOT/content/         blobs and ingests (store/content.ts)
 *   DATA_ROOT/snapshots/       unpacked layers and writable layers (store/snapshots.ts)
 *   DATA_ROOT/containers/ID/   per-container files: hostname, hosts, resolv.conf, logs
 *   DATA_ROOT/volumes/NAME/    named volumes
 * Exec root (tmpfs, gone at reboot): EXEC_ROOT/berth.sock, runtime state, bundles.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../lib/log.ts';
import { API_VERSION, BERTH_VERSION, MIN_API_VERSION } from '../lib/version.ts';
import { runtimeSupport } from '../runtime/cgroups.ts';
import { ContainerRuntime } from '../runtime/monitor.ts';
import { FsContentStore } from '../store/content.ts';
import { Database } from '../store/db.ts';
import { collectGarbage } from '../store/gc.ts';
import { OverlaySnapshotter } from '../store/snapshots.ts';
import { ContainerService } from './containers/container-service.ts';
import { ExecService } from './containers/exec-service.ts';
import { ContainerFilesystem } from './containers/filesystem.ts';
import { HealthMonitor } from './containers/health.ts';
import { reconcile } from './containers/reconcile.ts';
import { ContainerRecords } from './containers/records.ts';
import { summaryView } from './containers/view.ts';
import { EventBus } from './events.ts';
import { ImageService } from './images/image-service.ts';
import { ImageRecords } from './images/records.ts';
import { Unpacker } from './images/unpack.ts';
import { type ContainerNetworking, type NetworkService, openNetworking } from './networks/index.ts';
import { buildInfo } from './system/info.ts';
import { VolumeService } from './volumes/volume-service.ts';

export interface EngineOptions {
  dataRoot: string;
  execRoot: string;
  /** Host-unique name of this daemon (prefix of cgroups, bridges, chains). */
  instance: string;
  cgroupParent: string;
  defaultRuntime: 'crun' | 'runc';
  log: Logger;
  /** Registry client settings (pull and push). */
  registry?: {
    insecureRegistries?: string[];
    registryMirrors?: string[];
    maxConcurrentDownloads?: number;
    maxConcurrentUploads?: number;
    certsDir?: string;
  };
  /** Networks: the default bridge's subnet and the embedded DNS's upstreams (daemon config). */
  bridgeSubnet?: string;
  dns?: string[];
}

export class Engine {
  readonly opts: EngineOptions;
  readonly db: Database;
  readonly content: FsContentStore;
  readonly events: EventBus;
  readonly snapshots: OverlaySnapshotter;
  readonly images: ImageService;
  readonly unpacker: Unpacker;
  readonly runtime: ContainerRuntime;
  readonly containers: ContainerService;
  readonly execs: ExecService;
  readonly volumes: VolumeService;
  readonly networks: NetworkService;
  readonly networking: ContainerNetworking;
  readonly filesystems: ContainerFilesystem;
  readonly startedAt = new Date();
  /** Parts above the engine (the builder) that keep blobs and snapshots alive, or hold GC off while busy. */
  readonly gcRoots: Array<() => Promise<{ blobs: string[]; snapshots: string[]; busy?: boolean }>> = [];
  /** The build cache for `system df` (set by the builder). */
  buildCacheUsage: () => Promise<unknown[]> = async () => [];
  /** Runtime facts the daemon found at start (which runtimes work, warnings). */
  runtimeInfo: { runtimes: Record<string, { path: string }>; defaultRuntime: string; warnings: string[] } = {
    runtimes: {},
    defaultRuntime: 'crun',
    warnings: [],
  };

  private constructor(opts: EngineOptions, db: Database, content: FsContentStore, snapshots: OverlaySnapshotter) {
    this.opts = opts;
    this.db = db;
    this.content = content;
    this.snapshots = snapshots;
    this.events = new EventBus();
    this.images = new ImageService(new ImageRecords(db), content, this.events);
    this.unpacker = new Unpacker(content, snapshots, this.images);
    this.runtime = new ContainerRuntime({ stateDir: join(opts.execRoot, 'runtime') });
    const support = runtimeSupport();
    let defaultRuntime = opts.defaultRuntime;
    const warnings: string[] = [];
    if (defaultRuntime === 'crun' && !support.crun.ok) {
      defaultRuntime = 'runc';
      const why = `crun cannot run containers on this host (${support.crun.reason}); using runc. Mount the hugetlb cgroup controller as v1 (scripts/setup.sh does) to use crun.`;
      warnings.push(`WARNING: ${why}`);
      opts.log.warn(why);
    }
    this.runtimeInfo = {
      runtimes: {
        ...(support.crun.ok ? { crun: { path: '/usr/bin/crun' } } : {}),
        ...(support.runc.ok ? { runc: { path: '/usr/sbin/runc' } } : {}),
      },
      defaultRuntime,
      warnings,
    };
    this.volumes = new VolumeService(db, opts.dataRoot, this.events);
    ({ service: this.networks, networking: this.networking } = openNetworking({ db, events: this.events, ...opts }));
    this.containers = new ContainerService({
      volumes: this.volumes,
      dataRoot: opts.dataRoot,
      execRoot: opts.execRoot,
      cgroupParent: opts.cgroupParent,
      defaultRuntime,
      images: this.images,
      unpacker: this.unpacker,
      snapshots,
      events: this.events,
      runtime: this.runtime,
      records: new ContainerRecords(db),
      networks: this.networking,
      log: opts.log,
    });
    this.networking.bindContainers(this.containers.records);
    this.images.setUsage((id) => this.containers.usage(id));
    this.volumes.setUsers((name) => this.containers.volumeUsers(name));
    this.execs = new ExecService(this.containers);
    const health = new HealthMonitor(this.containers, this.execs, (rec, status) =>
      this.containers.publishHealth(rec, status),
    );
    this.containers.onStarted = (rec) => health.start(rec);
    this.filesystems = new ContainerFilesystem(this.containers, snapshots, opts.execRoot);
    this.events.subscribe((e) => {
      if (e.Type === 'container' && e.Action === 'destroy') this.execs.dropContainer(e.Actor.ID);
    });
  }

  static async open(opts: EngineOptions): Promise<Engine> {
    await mkdir(opts.dataRoot, { recursive: true, mode: 0o711 });
    await mkdir(opts.execRoot, { recursive: true, mode: 0o711 });
    const db = new Database(join(opts.dataRoot, 'metadata.db'));
    const content = await new FsContentStore(join(opts.dataRoot, 'content')).init();
    const snapshots = await new OverlaySnapshotter(db, join(opts.dataRoot, 'snapshots')).init();
    const engine = new Engine(opts, db, content, snapshots);
    await engine.recover();
    return engine;
  }

  /** After a crash: partial ingests are collected. */
  private async recover(): Promise<void> {
    const n = await this.content.collectIngests(0);
    if (n > 0) this.opts.log.info('collected partial ingests left by an earlier run', { count: n });
    const o = await this.snapshots.collectOrphans();
    if (o > 0) this.opts.log.info('collected unpack directories left by an earlier run', { count: o });
    this.networks.ensurePredefined();
    // Network leftovers go first: the restarts that reconcile schedules take fresh namespaces.
    await this.networking.recover(this.opts.execRoot);
    await reconcile(this.containers, this.runtime, this.opts.log);
  }

  /** Unpacks an image's layers (also the full check of every layer entry). */
  async unpack(rec: import('./images/records.ts').ImageRecord): Promise<void> {
    await this.unpacker.unpack(rec);
  }

  /** Removes blobs and snapshots no image, container or cache refers to. */
  async gc(): Promise<{ blobs: number; snapshots: number }> {
    const liveBlobs = await this.images.liveBlobs();
    const liveSnapshots = new Set<string>(await this.images.snapshotKeys());
    for (const c of this.containers.records.all()) liveSnapshots.add(c.snapshotKey);
    for (const roots of this.gcRoots) {
      const r = await roots();
      if (r.busy) return { blobs: 0, snapshots: 0 };
      for (const b of r.blobs) liveBlobs.add(b as import('../lib/digest.ts').Digest);
      for (const k of r.snapshots) liveSnapshots.add(k);
    }
    const r = await collectGarbage({ content: this.content, snapshotter: this.snapshots, liveBlobs, liveSnapshots });
    return { blobs: r.blobs.length, snapshots: r.snapshots.length };
  }

  async info(): Promise<Record<string, unknown>> {
    return buildInfo({
      id: this.opts.instance,
      dataRoot: this.opts.dataRoot,
      execRoot: this.opts.execRoot,
      version: BERTH_VERSION,
      apiVersion: API_VERSION,
      minApiVersion: MIN_API_VERSION,
      images: this.images.records.count(),
      containers: this.containers.counts(),
      defaultRuntime: this.runtimeInfo.defaultRuntime,
      runtimes: this.runtimeInfo.runtimes,
      warnings: this.runtimeInfo.warnings,
      cgroupParent: this.opts.cgroupParent,
      registryMirrors: [],
      insecureRegistries: [],
    });
  }

  async diskUsage(): Promise<Record<string, unknown>> {
    const images = await this.images.list(new Map(), { countContainers: true });
    const layersSize = this.snapshots
      .list()
      .filter((s) => s.kind === 'committed')
      .reduce((n, s) => n + s.size, 0);
    return {
      LayersSize: layersSize,
      Images: images,
      Containers: this.containers.records.all().map((c) => ({
        ...summaryView(c, c.Config.Image),
        ...this.filesystems.sizes(c, this.images.records.get(c.Image)?.size ?? 0),
      })),
      Volumes: this.volumes.usage(),
      BuildCache: await this.buildCacheUsage(),
    };
  }

  /** Caches that refill on demand, released when the daemon goes quiet (daemon/idle-trim.ts). */
  releaseMemory(): void {
    this.db.releaseMemory();
  }

  async close(): Promise<void> {
    this.containers.detachAll();
    await this.containers.settle();
    await this.networking.settle();
    this.networking.close();
    this.db.close();
  }
}
