/**
 * The engine's event bus: every change a client may watch (`docker events`)
 * is published here in the Engine API's shape, and kept in a small ring so
 * that `since` can replay recent history.
 */
import { EventEmitter } from 'node:events';
import type { EventMessage } from '../wire/system.ts';

export type EngineEvent = EventMessage & { Type: 'container' | 'image' | 'network' | 'volume' | 'daemon' | 'builder' };

const RING = 1024;

export class EventBus {
  private emitter = new EventEmitter();
  private ring: EngineEvent[] = [];

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(type: EngineEvent['Type'], action: string, id: string, attributes: Record<string, string> = {}): EngineEvent {
    const nowNs = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
    const ev: EngineEvent = {
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: 'local',
      time: Number(nowNs / 1_000_000_000n),
      timeNano: Number(nowNs),
    };
    if (type === 'container' || type === 'image') {
      ev.status = action;
      ev.id = id;
      if (attributes.image) ev.from = attributes.image;
    }
    this.ring.push(ev);
    if (this.ring.length > RING) this.ring.shift();
    this.emitter.emit('event', ev);
    return ev;
  }

  /** Events since `sinceNs` still in the ring. */
  history(sinceNs: number): EngineEvent[] {
    return this.ring.filter((e) => e.timeNano >= sinceNs);
  }

  subscribe(fn: (e: EngineEvent) => void): () => void {
    this.emitter.on('event', fn);
    return () => this.emitter.off('event', fn);
  }
}
