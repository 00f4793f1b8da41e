/**
 * `berth image bootstrap busybox`: makes busybox:latest from the host's
 * busybox-static in about a second, with no registry: a root with the
 * applet links, /etc/passwd and /etc/group, /tmp 1777.
 */
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importRootfs, upToDate } from './import.ts';
import { run, tarDirectory } from './run.ts';

const BUSYBOX = '/bin/busybox';

export async function bootstrapBusybox(ref = 'busybox:latest'): Promise<void> {
  let bin: Buffer;
  try {
    bin = await readFile(BUSYBOX);
  } catch {
    throw new Error(`${BUSYBOX} is missing: install it with 'apt-get install busybox-static'`);
  }
  if (bin.includes(Buffer.from('/lib64/ld-linux')))
    throw new Error(`${BUSYBOX} is not statically linked: install busybox-static`);
  const source = `busybox-static sha256:${createHash('sha256').update(bin).digest('hex')}`;
  if (await upToDate(ref, source)) {
    process.stdout.write(`${ref} is up to date\n`);
    return;
  }
  const root = await mkdtemp(join(tmpdir(), 'berth-busybox-'));
  try {
    for (const d of [
      'bin',
      'sbin',
      'usr/bin',
      'usr/sbin',
      'etc',
      'tmp',
      'root',
      'home',
      'mnt',
      'var/tmp',
      'var/www',
      'proc',
      'sys',
      'dev',
    ]) {
      await mkdir(join(root, d), { recursive: true });
    }
    await copyFile(BUSYBOX, join(root, 'bin/busybox'));
    await chmod(join(root, 'bin/busybox'), 0o755);
    await run('chroot', [root, '/bin/busybox', '--install', '-s']);
    await writeFile(
      join(root, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n',
    );
    await writeFile(join(root, 'etc/group'), 'root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n');
    await chmod(join(root, 'tmp'), 0o1777);
    await chmod(join(root, 'var/tmp'), 0o1777);
    await chmod(join(root, 'root'), 0o700);
    const tar = tarDirectory(root);
    await importRootfs(
      tar.stdout as NodeJS.ReadableStream as never,
      ref,
      source,
      ['CMD ["sh"]'],
      'berth image bootstrap busybox',
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
