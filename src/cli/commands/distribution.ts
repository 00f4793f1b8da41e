/** berth pull, push, login, logout: progress bars on a terminal, plain lines otherwise. */
import { createInterface } from 'node:readline/promises';
import { login as apiLogin, pullImage, pushImage } from '../../client/distribution.ts';
import { parseReference, parseReferenceWithDefaultTag } from '../../oci/reference.ts';
import type { ProgressMessage } from '../../wire/images.ts';
import { api } from '../context.ts';
import { authHeader, eraseAuth, getAuth, HUB_SERVER, serverKey, storeAuth } from './docker-config.ts';

/** Draws Docker's progress: one line per id, redrawn in place on a TTY. */
export class ProgressRenderer {
  private ids = new Map<string, number>();
  private lines = 0;
  private tty: boolean;
  private out: NodeJS.WriteStream;

  constructor(out: NodeJS.WriteStream = process.stdout) {
    this.out = out;
    this.tty = Boolean(out.isTTY);
  }

  private text(m: ProgressMessage): string {
    const head = m.id ? `${m.id}: ` : '';
    return `${head}${m.status ?? ''}${m.progress && this.tty ? ` ${m.progress}` : ''}`;
  }

  write(m: ProgressMessage): void {
    if (m.aux || (!m.status && !m.progress)) return;
    if (!this.tty) {
      if (m.progress || m.status === 'Downloading' || m.status === 'Extracting' || m.status === 'Pushing') return;
      this.out.write(`${this.text(m)}\n`);
      return;
    }
    if (!m.id) {
      this.out.write(`${this.text(m)}\n`);
      this.lines++;
      return;
    }
    const at = this.ids.get(m.id);
    if (at === undefined) {
      this.ids.set(m.id, this.lines);
      this.out.write(`${this.text(m)}\n`);
      this.lines++;
      return;
    }
    const up = this.lines - at;
    this.out.write(`\x1b[${up}A\r\x1b[2K${this.text(m)}\r\x1b[${up}B`);
  }
}

function domainOf(name: string): string {
  return parseReference(name).domain;
}

export async function pull(name: string, o: { platform?: string; quiet?: boolean }): Promise<void> {
  const ref = parseReferenceWithDefaultTag(name);
  const r = new ProgressRenderer();
  const fromImage = `${ref.domain}/${ref.path}`;
  const tag = ref.digest ?? ref.tag;
  for await (const m of pullImage(api(), {
    fromImage,
    tag,
    platform: o.platform,
    auth: authHeader(getAuth(ref.domain)),
  })) {
    if (!o.quiet) r.write(m);
  }
  const full = `${ref.domain}/${ref.path}${ref.digest ? `@${ref.digest}` : `:${ref.tag}`}`;
  process.stdout.write(`${full}\n`);
}

export async function push(name: string, o: { quiet?: boolean; allTags?: boolean }): Promise<void> {
  const ref = parseReference(name);
  const r = new ProgressRenderer();
  const repo = `${ref.domain}/${ref.path}`;
  const tag = o.allTags ? undefined : (ref.tag ?? 'latest');
  for await (const m of pushImage(api(), { name: repo, tag, auth: authHeader(getAuth(ref.domain)) })) {
    if (!o.quiet) r.write(m);
  }
}

async function ask(q: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(q)).trim();
  } finally {
    rl.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString()
    .replace(/\r?\n$/, '');
}

export async function login(
  server: string | undefined,
  o: { username?: string; password?: string; passwordStdin?: boolean },
): Promise<void> {
  const domain = server ? domainOf(`${server.replace(/^https?:\/\//, '').replace(/\/.*$/, '')}/x`) : 'docker.io';
  const key = server && domain !== 'docker.io' ? serverKey(domain) : HUB_SERVER;
  let { username, password } = o;
  if (o.passwordStdin) password = await readStdin();
  if (!username) username = await ask('Username: ');
  if (password === undefined) password = await ask('Password: ');
  const res = await apiLogin(api(), { username, password, serveraddress: key });
  storeAuth({ username, password, serveraddress: key });
  process.stdout.write(`${res.Status}\n`);
}

export async function logout(server: string | undefined): Promise<void> {
  const key = server ? serverKey(server.replace(/^https?:\/\//, '').replace(/\/.*$/, '')) : HUB_SERVER;
  const had = eraseAuth(key);
  process.stdout.write(had ? `Removing login credentials for ${key}\n` : `Not logged in to ${key}\n`);
}
