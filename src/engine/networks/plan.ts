/**
 * What `create` records of a container's networking: the network mode
 * settled ("default" → bridge) and the endpoint settings of each network it
 * joins at start. Checks only; nothing on the host changes here.
 */
import { InvalidArgumentError, NotFoundError } from '../../lib/errors.ts';
import type { HostConfig } from '../../wire/containers.ts';
import { type EndpointConfig, endpointSettings } from './endpoints.ts';
import type { NetworkService } from './network-service.ts';
import { networkModeOf } from './record.ts';

export function planEndpoints(
  svc: NetworkService,
  containerExists: (ref: string) => boolean,
  hc: HostConfig,
  nc: { EndpointsConfig?: Record<string, unknown> } | undefined,
): Record<string, Record<string, unknown>> {
  const mode = networkModeOf(hc.NetworkMode);
  hc.NetworkMode = mode;
  if (mode === 'none' || mode === 'host') return {};
  if (mode.startsWith('container:')) {
    const ref = mode.slice('container:'.length);
    if (!containerExists(ref)) throw new NotFoundError(`No such container: ${ref}`);
    if (hc.PortBindings && Object.keys(hc.PortBindings).length)
      throw new InvalidArgumentError('conflicting options: port publishing and the container type network mode');
    return {};
  }
  const eps = (nc?.EndpointsConfig ?? {}) as Record<string, EndpointConfig>;
  const main = svc.get(mode);
  const out: Record<string, Record<string, unknown>> = {
    [main.Name]: endpointSettings(main, eps[mode] ?? eps[main.Name] ?? eps[main.Id]),
  };
  for (const [ref, cfg] of Object.entries(eps)) {
    const n = svc.get(networkModeOf(ref));
    if (n.Name in out) continue;
    if (n.Driver !== 'bridge') throw new InvalidArgumentError(`container cannot be connected to network ${n.Name}`);
    out[n.Name] = endpointSettings(n, cfg);
  }
  return out;
}
