/**
 * What the daemon holds in memory for a container it supervises: the exit
 * watch, attach clients waiting for the start, and waiters for exit and
 * removal. Nothing here is needed to recover after a restart.
 */
import { EventEmitter } from 'node:events';
import type { ExitInfo } from '../../runtime/exit-file.ts';

export interface PendingAttach {
  connect(bundle: string): Promise<void>;
  end(): void;
}

export class LiveContainer {
  readonly events = new EventEmitter();
  /** Aborts the exit watch (daemon shutdown). */
  watch?: AbortController;
  exiting?: Promise<ExitInfo>;
  /** The cleanup after the last exit (runtime delete, unmount): a new start waits for it. */
  cleaning?: Promise<void>;
  pendingAttach: PendingAttach[] = [];
  restartTimer?: NodeJS.Timeout;
  healthTimer?: NodeJS.Timeout;
  stopLogWatch?: () => void;
  /** Serialises state changes (start, stop, remove) per container. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor() {
    this.events.setMaxListeners(0);
  }

  serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn, fn);
    this.chain = p.catch(() => {});
    return p;
  }
}

export class LiveTable {
  private map = new Map<string, LiveContainer>();
  get(id: string): LiveContainer {
    let l = this.map.get(id);
    if (!l) {
      l = new LiveContainer();
      this.map.set(id, l);
    }
    return l;
  }
  peek(id: string): LiveContainer | undefined {
    return this.map.get(id);
  }
  delete(id: string): void {
    this.map.delete(id);
  }
  all(): LiveContainer[] {
    return [...this.map.values()];
  }
}
