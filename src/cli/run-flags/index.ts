/**
 * `run`/`create` flags → one `POST /containers/create` request, with
 * docker's parsing of sizes, durations, ports, volumes, mounts, ulimits,
 * devices and restart policies.
 */
export type { CreateFlags } from './flags.ts';
export { parseDevice, parseRestart, parseUlimit } from './host-specs.ts';
export { envList } from './lists.ts';
export { parseMount } from './mounts.ts';
export { parsePublish } from './ports.ts';
export { type CreatePlan, createRequest } from './request.ts';
export { parseBytes, parseDuration } from './units.ts';
