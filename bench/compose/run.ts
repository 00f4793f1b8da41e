/**
 * Issue 8's speed target, in one run:
 *
 *   `up -d` of a 10-service project, images present    Berth ≤ 0.5 × docker-compose
 *   a no-op `up -d` (everything up to date)             (reported)
 *
 * Berth's figure is `berth compose` against berthd; Docker's is Debian's
 * docker-compose 1.29 against Debian's dockerd 20.10 (started here on its
 * own roots). The same file for both: ten busybox services running `sleep`,
 * no builds, on the project's default network, which is a user-defined
 * bridge network that Compose creates, so dockerd needs no default bridge
 * and runs as the shared peer does (`--bridge=none --iptables=false`,
 * leaving the host's firewall alone; Docker then skips its per-network NAT
 * rules, which makes its figure slightly lower than on a stock install).
 * The network gets a subnet of its own outside 172.16/12, where test daemons
 * running on the same machine pick theirs. Before each timed `up` the
 * project is taken `down` (not timed); the no-op `up` follows it. Engines
 * take turns round by round; medians. docker-compose against berthd is
 * measured too, to tell the client's share from the engine's.
 *
 *   npm run build && node dist/bench/compose/run.js [--runs N]
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../test/helpers/daemon.ts';
import { median, printRows, startBerthd, startDockerd, timed } from '../lib/peers.ts';
import { removeDockerLeftovers, snapshotHost, stopBerthdClean } from '../networks/host.ts';
import { seedBusybox } from '../networks/images.ts';

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 5;
const SERVICES = 10;
const DC = '/usr/bin/docker-compose';
const PROJECT = 'benchc';
const log = (s: string) => process.stderr.write(`${s}\n`);

function composeFile(octet: number): string {
  const services = Array.from(
    { length: SERVICES },
    (_, i) => `  s${i + 1}:\n    image: busybox\n    command: ["sleep", "100000"]\n    stop_signal: SIGKILL\n`,
  );
  return `version: "2.4"\nservices:\n${services.join('')}networks:\n  default:\n    ipam:\n      config:\n        - subnet: 10.214.${octet}.0/24\n`;
}

/** One way of running Compose against one engine. */
interface Runner {
  name: string;
  cmd: string;
  base: string[];
  env: Record<string, string>;
}

const up = (r: Runner) => timed(r.cmd, [...r.base, 'up', '-d'], r.env);
const down = (r: Runner) => timed(r.cmd, [...r.base, 'down', '--timeout', '0'], r.env);

async function main(): Promise<void> {
  if (!existsSync(DC)) throw new Error(`${DC} not found: apt-get install -y docker-compose`);
  const before = snapshotHost();
  const berthd = await startBerthd(mkdtempSync('/tmp/bench-berth-'));
  const docker = await startDockerd({ dir: mkdtempSync('/tmp/bench-dockerd-') });
  const octet = 100 + Math.floor(Math.random() * 100);
  const runners: Runner[] = [];
  try {
    await seedBusybox(berthd, [docker.docker]);
    const project = (name: string, o: number) => {
      const dir = join(berthd.dir, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'docker-compose.yml'), composeFile(o));
      return ['-f', join(dir, 'docker-compose.yml'), '-p', `${PROJECT}${name}`];
    };
    const dockerEnv = { DOCKER_HOST: docker.host, COMPOSE_HTTP_TIMEOUT: '600' };
    runners.push(
      { name: 'berth compose → berthd', cmd: join(ROOT, 'bin/berth'), base: ['compose', ...project('b', octet)], env: berthd.env },
      { name: 'docker-compose → dockerd', cmd: DC, base: project('d', octet + 1), env: dockerEnv },
      { name: 'docker-compose → berthd', cmd: DC, base: project('db', octet + 2), env: { DOCKER_HOST: berthd.env.DOCKER_HOST } },
    ); // biome-ignore format: one runner a line
    const times: Record<string, { up: number[]; noop: number[] }> = {};
    for (const r of runners) {
      times[r.name] = { up: [], noop: [] };
      await up(r); // warm-up: first network and container creation on this engine
      await down(r);
    }
    for (let i = 0; i < RUNS; i++) {
      for (const r of runners) {
        const t = times[r.name];
        t.up.push(await up(r));
        t.noop.push(await up(r));
        await down(r);
        log(`${r.name}: up -d ${t.up.at(-1)?.toFixed(0)} ms, no-op up ${t.noop.at(-1)?.toFixed(0)} ms`);
      }
    }
    const [b, d, x] = runners.map((r) => ({ up: median(times[r.name].up), noop: median(times[r.name].noop) }));
    printRows(`Compose, ${SERVICES} services (runs: ${RUNS}, ${new Date().toISOString()})`, [
      { what: `\`up -d\`, ${SERVICES} services, images present`, berth: b.up / 1000, docker: d.up / 1000, unit: 's', target: '≤ 0.5 × Docker', ok: b.up <= 0.5 * d.up },
      { what: 'no-op `up -d` (everything up to date)', berth: b.noop / 1000, docker: d.noop / 1000, unit: 's', target: '—', ok: true },
    ]); // biome-ignore format: table rows
    process.stdout.write(
      `\ndocker-compose 1.29 against berthd (for the client's share): up -d ${(x.up / 1000).toFixed(2)} s, no-op up ${(x.noop / 1000).toFixed(2)} s\n`,
    );
  } finally {
    for (const r of runners) await down(r).catch(() => {});
    await stopBerthdClean(berthd);
    await docker.stop();
    removeDockerLeftovers(before);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
