/**
 * `berth image bootstrap debian:SUITE`: a minimal Debian image made with
 * debootstrap (minbase) from the host's apt mirror; the root filesystem tar
 * is cached in /var/cache/berth/bootstrap so it is made only once.
 */
import { createReadStream, createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { importRootfs, upToDate } from './import.ts';
import { run, tarDirectory } from './run.ts';

const CACHE = '/var/cache/berth/bootstrap';

/** The Debian mirror the host's apt uses, so no other host is contacted. */
export function aptMirror(): string {
  const files = [
    '/etc/apt/sources.list',
    ...(existsSync('/etc/apt/sources.list.d')
      ? readdirSync('/etc/apt/sources.list.d').map((f) => `/etc/apt/sources.list.d/${f}`)
      : []),
  ];
  for (const f of files) {
    if (!/\.(list|sources)$/.test(f) && f !== '/etc/apt/sources.list') continue;
    let text = '';
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    const m = /^URIs:\s*(\S+\/debian)\s*$/m.exec(text) ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\s/m.exec(text);
    if (m) return m[1];
  }
  return 'http://deb.debian.org/debian';
}

export async function bootstrapDebian(suite: string, ref = `debian:${suite}`): Promise<void> {
  if (!/^[a-z]+$/.test(suite)) throw new Error(`unknown Debian suite "${suite}"`);
  const cached = join(CACHE, `debian-${suite}-minbase.tar`);
  const source = `debootstrap minbase ${suite}`;
  if (existsSync(cached) && (await upToDate(ref, source))) {
    process.stdout.write(`${ref} is up to date\n`);
    return;
  }
  if (!existsSync(cached)) {
    await mkdir(CACHE, { recursive: true });
    const root = await mkdtemp(join(CACHE, `.debootstrap-${suite}-`));
    try {
      const mirror = aptMirror();
      process.stdout.write(
        `debootstrap --variant=minbase ${suite} from ${mirror} (a few minutes, cached in ${CACHE})\n`,
      );
      await run('debootstrap', ['--variant=minbase', suite, root, mirror]);
      await rm(join(root, 'var/cache/apt/archives'), { recursive: true, force: true });
      await mkdir(join(root, 'var/cache/apt/archives/partial'), { recursive: true });
      const tmp = `${cached}.tmp`;
      await pipeline(tarDirectory(root).stdout as never, createWriteStream(tmp));
      await rename(tmp, cached);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
  await importRootfs(createReadStream(cached), ref, source, ['CMD ["bash"]'], `berth image bootstrap debian:${suite}`);
}
