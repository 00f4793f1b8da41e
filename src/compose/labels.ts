/**
 * The `com.docker.compose.*` labels Docker Compose puts on what it makes;
 * Berth uses the same, so both tools see the same projects.
 */
export const L = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  version: 'com.docker.compose.version',
  configHash: 'com.docker.compose.config-hash',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
  image: 'com.docker.compose.image',
  dependsOn: 'com.docker.compose.depends_on',
  replace: 'com.docker.compose.replace',
} as const;

/** The Compose version Berth reports in its labels (what Docker Compose v2 writes). */
export const COMPOSE_VERSION = '2.29.0';

export const projectFilter = (project: string): Record<string, string[]> => ({ label: [`${L.project}=${project}`] });

export function containerName(project: string, service: string, n: number): string {
  return `${project}-${service}-${n}`;
}

/** The image name Compose gives a built service that names no image. */
export function defaultImageName(project: string, service: string): string {
  return `${project}-${service}`;
}
