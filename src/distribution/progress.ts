/**
 * Docker's JSON progress messages for pull and push, and the bar text the
 * docker CLI shows (`[====>      ]  1.2MB/3.4MB`).
 */

/** One progress message (the shape of the Engine API's JSON progress lines). */
export interface ProgressMessage {
  id?: string;
  status?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: Record<string, unknown>;
}

export type ProgressSink = (m: ProgressMessage) => void;

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** Sizes as Docker writes them (decimal units, 3 significant digits). */
export function humanSize(n: number): string {
  let i = 0;
  let v = n;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toPrecision(3).replace(/\.?0+$/, '')}${UNITS[i]}`;
}

export function progressBar(current: number, total: number, width = 50): string {
  if (!(total > 0)) return humanSize(current);
  const done = Math.max(0, Math.min(width, Math.floor((current / total) * width)));
  const bar = `[${'='.repeat(Math.max(0, done - 1))}${done > 0 ? (done === width ? '=' : '>') : ''}${' '.repeat(width - done)}]`;
  return `${bar}  ${humanSize(current)}/${humanSize(total)}`;
}

/** The short ID Docker shows for a layer: 12 hex digits of its digest. */
export function shortId(digest: string): string {
  return digest.replace(/^sha\d+:/, '').slice(0, 12);
}

/** A per-layer progress reporter that sends at most one message per `intervalMs` while bytes move. */
export class LayerProgress {
  private sink: ProgressSink;
  readonly id: string;
  private last = 0;
  private readonly intervalMs: number;

  constructor(sink: ProgressSink, id: string, intervalMs = 100) {
    this.sink = sink;
    this.id = id;
    this.intervalMs = intervalMs;
  }

  status(status: string): void {
    this.sink({ status, progressDetail: {}, id: this.id });
  }

  bytes(status: string, current: number, total: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < this.intervalMs) return;
    this.last = now;
    this.sink({ status, progressDetail: { current, total }, progress: progressBar(current, total), id: this.id });
  }
}
