/**
 * berth version: the client's versions and the daemon's. Its own file, so that
 * the CLI's fast path (entry.ts) loads this and the client, nothing more.
 */
import { API_VERSION, BERTH_VERSION } from '../../lib/version.ts';
import { api } from '../context.ts';
import { writeOut } from '../output.ts';

export async function version(o: { format?: string }): Promise<void> {
  const client = {
    Version: BERTH_VERSION,
    ApiVersion: API_VERSION,
    NodeVersion: process.version,
    Os: 'linux',
    Arch: process.arch === 'x64' ? 'amd64' : process.arch,
  };
  let server: Awaited<ReturnType<ReturnType<typeof api>['version']>> | undefined;
  let error: Error | undefined;
  try {
    server = await api().version();
  } catch (e) {
    error = e as Error;
  }
  if (o.format === 'json') {
    writeOut(`${JSON.stringify({ Client: client, Server: server ?? null })}\n`);
  } else {
    let out = `Client: Berth\n Version:      ${client.Version}\n API version:  ${client.ApiVersion}\n Node version: ${client.NodeVersion}\n OS/Arch:      ${client.Os}/${client.Arch}\n`;
    if (server) {
      out += `\nServer: ${server.Platform.Name}\n Engine:\n  Version:      ${server.Version}\n  API version:  ${server.ApiVersion} (minimum version ${server.MinAPIVersion})\n  OS/Arch:      ${server.Os}/${server.Arch}\n  Kernel:       ${server.KernelVersion}\n`;
    }
    writeOut(out);
  }
  if (error) throw error;
}
