/**
 * What the files of the containers domain (create.ts, start.ts, exit.ts,
 * lifecycle.ts, removal.ts) need from the service that ties them together:
 * ContainerService implements it, and they import only this type (no
 * import cycle with container-service.ts).
 */
import type { Logger } from '../../lib/log.ts';
import type { ContainerHandle, ContainerRuntime } from '../../runtime/monitor.ts';
import type { OverlaySnapshotter } from '../../store/snapshots.ts';
import type { EventBus } from '../events.ts';
import type { ImageService } from '../images/image-service.ts';
import type { Unpacker } from '../images/unpack.ts';
import type { ContainerNetworking } from '../networks/sandbox.ts';
import type { VolumeService } from '../volumes/volume-service.ts';
import type { LiveTable } from './live.ts';
import type { ContainerPaths } from './paths.ts';
import type { ContainerRecord } from './record.ts';
import type { ContainerRecords } from './records.ts';

export interface ContainerServiceDeps {
  dataRoot: string;
  execRoot: string;
  cgroupParent: string;
  defaultRuntime: 'crun' | 'runc';
  images: ImageService;
  unpacker: Unpacker;
  snapshots: OverlaySnapshotter;
  events: EventBus;
  runtime: ContainerRuntime;
  records: ContainerRecords;
  volumes: VolumeService;
  /** Networks (bridge, DNS, published ports): wired at start, torn down after exit. */
  networks?: ContainerNetworking;
  log: Logger;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface ContainerContext {
  readonly deps: ContainerServiceDeps;
  readonly records: ContainerRecords;
  readonly live: LiveTable;
  onStarted(rec: ContainerRecord): void;
  paths(id: string): ContainerPaths;
  handle(rec: ContainerRecord): ContainerHandle;
  get(ref: string): ContainerRecord;
  publish(rec: ContainerRecord, action: string, extra?: Record<string, string>): void;
  watchExit(rec: ContainerRecord): void;
  waitFor(id: string, condition: WaitCondition): Promise<number>;
  unpause(ref: string): Promise<void>;
  remove(ref: string, o?: { force?: boolean; volumes?: boolean }): Promise<void>;
  /** Runs cleanup work after the answer. */
  background(p: Promise<void>): void;
}
