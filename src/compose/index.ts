/**
 * berth compose: load a Compose project (loader → Project), plan it (graph,
 * hash, convert) and run it against any Engine API daemon through
 * src/client (up, down, ops, run/exec, logs). Pure parts first: the
 * loader refuses a bad project before anything starts.
 */
export { renderConfig, renderHashes } from './config-output.ts';
export { ComposeError, pathText } from './errors.ts';
export { chooseProjectName, findComposeFiles, isValidProjectName, normalizeProjectName } from './files.ts';
export { checkCycles, dependenciesOf, startLevels, startOrder, withDependencies } from './graph.ts';
export { serviceHash } from './hash.ts';
export { buildService, ensureImages, imageOf, pullService, pushService } from './images.ts';
export { COMPOSE_VERSION, containerName, defaultImageName, L } from './labels.ts';
export { type LoadOptions, loadProject } from './loader.ts';
export { displayName, type LogOptions, streamLogs } from './logs.ts';
export {
  type DownOptions,
  down,
  killServices,
  removeServices,
  restartServices,
  selected,
  startServices,
  stopServices,
} from './ops.ts';
export { replicasOf } from './project.ts';
export { type ExecOptions, exec, type RunOptions, run, type Stdio } from './run.ts';
export { projectContainers, type Replica, type Reporter, silentReporter, streamReporter } from './state.ts';
export type { Project, ServiceConfig } from './types.ts';
export { type UpOptions, type UpResult, up } from './up.ts';
export { waitFor } from './waits.ts';
