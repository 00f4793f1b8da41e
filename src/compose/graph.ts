/**
 * The dependency graph of a project's services: `depends_on`, `links`,
 * `volumes_from: [service]` and `network_mode: service:NAME`. Gives the
 * start order (dependencies first), the stop order (reverse), the closure
 * of a selection, and refuses cycles naming them.
 */
import { ComposeError } from './errors.ts';
import type { ServiceConfig } from './types.ts';

/** The services `s` depends on, each with why (for error messages). */
export function dependenciesOf(s: ServiceConfig): Array<{ name: string; via: string; required: boolean }> {
  const out: Array<{ name: string; via: string; required: boolean }> = [];
  for (const [n, d] of Object.entries(s.depends_on ?? {}))
    out.push({ name: n, via: 'depends_on', required: d.required });
  for (const l of s.links ?? []) out.push({ name: l.split(':')[0], via: 'links', required: true });
  for (const v of s.volumes_from ?? [])
    if (!v.startsWith('container:')) out.push({ name: v.split(':')[0], via: 'volumes_from', required: true });
  if (s.network_mode?.startsWith('service:'))
    out.push({ name: s.network_mode.slice(8), via: 'network_mode', required: true });
  return out;
}

/** Throws on a cycle: "dependency cycle: a -> b -> a". */
export function checkCycles(services: Record<string, ServiceConfig>, file?: string): void {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string) => {
    if (state.get(n) === 2) return;
    if (state.get(n) === 1) {
      const cycle = [...stack.slice(stack.indexOf(n)), n];
      throw new ComposeError(`dependency cycle: ${cycle.join(' -> ')}`, {
        file,
        path: ['services', n, 'depends_on'],
      });
    }
    state.set(n, 1);
    stack.push(n);
    for (const d of dependenciesOf(services[n])) if (services[d.name]) visit(d.name);
    stack.pop();
    state.set(n, 2);
  };
  for (const n of Object.keys(services).sort()) visit(n);
}

/** Service names, dependencies before dependents (stable: by name within a level). */
export function startOrder(services: Record<string, ServiceConfig>, only?: Iterable<string>): string[] {
  const wanted = new Set(only ?? Object.keys(services));
  const out: string[] = [];
  const done = new Set<string>();
  const visit = (n: string) => {
    if (done.has(n) || !services[n]) return;
    done.add(n);
    for (const d of dependenciesOf(services[n])
      .map((x) => x.name)
      .sort())
      visit(d);
    if (wanted.has(n)) out.push(n);
  };
  for (const n of [...wanted].sort()) visit(n);
  return out;
}

/** Groups of services that can start together: each group depends only on earlier groups. */
export function startLevels(services: Record<string, ServiceConfig>, only?: Iterable<string>): string[][] {
  const order = startOrder(services, only);
  const level = new Map<string, number>();
  for (const n of order) {
    const deps = dependenciesOf(services[n]).filter((d) => level.has(d.name));
    level.set(n, deps.length ? Math.max(...deps.map((d) => level.get(d.name) as number)) + 1 : 0);
  }
  const levels: string[][] = [];
  for (const n of order) {
    const l = level.get(n) as number;
    levels[l] = [...(levels[l] ?? []), n];
  }
  return levels;
}

/** The selection plus everything it depends on, transitively. */
export function withDependencies(services: Record<string, ServiceConfig>, names: string[]): string[] {
  const out = new Set<string>();
  const visit = (n: string) => {
    if (out.has(n) || !services[n]) return;
    out.add(n);
    for (const d of dependenciesOf(services[n])) visit(d.name);
  };
  for (const n of names) visit(n);
  return startOrder(services, out);
}

/** Services that depend (directly) on `name`. */
export function dependentsOf(services: Record<string, ServiceConfig>, name: string): string[] {
  return Object.keys(services).filter((n) => dependenciesOf(services[n]).some((d) => d.name === name));
}
