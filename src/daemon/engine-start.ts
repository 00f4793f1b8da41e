/**
 * The part of berthd's start that comes after it listens: open the engine
 * (store, recovery of networks and containers) and add its routes. Loaded
 * by a dynamic import, so that the daemon's first chunk is small and
 * /_ping is answered while this runs.
 */
import { engineRouter } from '../api/index.ts';
import type { Router } from '../api/router.ts';
import { Engine } from '../engine/engine.ts';
import type { Logger } from '../lib/log.ts';
import type { DaemonConfig } from './config.ts';

export async function startEngine(config: DaemonConfig, log: Logger, router: Router): Promise<Engine> {
  const engine = await Engine.open({
    dataRoot: config.dataRoot,
    execRoot: config.execRoot,
    instance: config.instance,
    cgroupParent: config.cgroupParent,
    defaultRuntime: config.defaultRuntime,
    bridgeSubnet: config.bridgeSubnet,
    dns: config.dns,
    log,
    registry: config,
  });
  for (const k of config.unknownKeys)
    engine.runtimeInfo.warnings.push(`WARNING: unknown key "${k}" in ${config.configFile} was ignored`);
  engineRouter(engine, router);
  return engine;
}
