/**
 * Real containers through conmon with crun and runc (as root): a busybox
 * rootfs, a cgroup parent unique to this run, everything removed after.
 * crun cases run only where crun works on this host's cgroup layout.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { attach, resize } from './attach.ts';
import { cgroupDirs, removeCgroupTree, runtimeSupport } from './cgroups.ts';
import { maybeRotate, readLogs } from './logs.ts';
import { type ContainerHandle, ContainerRuntime, writeBundleConfig } from './monitor.ts';
import type { RuntimeName } from './runtime-cli.ts';
import { buildSpec } from './spec.ts';
import type { RuntimeSpecInput } from './spec-input.ts';
import { readCgroupStats } from './stats.ts';
import { makeBusyboxRootfs } from './test-rootfs.ts';

const support = runtimeSupport();
const base = mkdtempSync(join(tmpdir(), 'berth-rt-'));
const cgroupParent = `/berth-test-${randomBytes(4).toString('hex')}`;
let rootfs = '';
const rt = new ContainerRuntime({ stateDir: join(base, 'state') });
const made: ContainerHandle[] = [];
let seq = 0;

before(() => {
  rootfs = makeBusyboxRootfs(join(base, 'rootfs'));
});

after(async () => {
  for (const h of made) await rt.delete(h, { force: true }).catch(() => {});
  removeCgroupTree(cgroupParent);
  rmSync(base, { recursive: true, force: true });
});

type Over = Omit<Partial<RuntimeSpecInput>, 'process'> & { process?: Partial<RuntimeSpecInput['process']> };

async function make(runtime: RuntimeName, args: string[], over: Over = {}, io: { stdin?: boolean } = {}) {
  const id = `t${process.pid}-${++seq}`;
  const bundle = join(base, id);
  const { process: p, ...rest } = over;
  const spec = buildSpec({
    id,
    rootfs,
    cgroupParent,
    ...rest,
    process: { args, env: ['PATH=/bin:/usr/bin:/sbin'], uid: 0, gid: 0, ...p },
  });
  await writeBundleConfig(bundle, spec);
  const h: ContainerHandle = { id, bundle, runtime };
  made.push(h);
  const logPath = join(bundle, 'ctr.log');
  const created = await rt.createContainer({ ...h, logPath, stdin: io.stdin, tty: p?.tty });
  return { h, logPath, created, spec };
}

const text = (logPath: string) =>
  readLogs(logPath)
    .map((e) => e.line)
    .join('\n');

async function run(runtime: RuntimeName, args: string[], over: Over = {}) {
  const c = await make(runtime, args, over);
  await rt.startContainer(c.h);
  const exit = await rt.waitExit(c.h);
  await rt.delete(c.h);
  return { ...c, exit, out: text(c.logPath) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const runtime of ['runc', 'crun'] as RuntimeName[]) {
  const ok = support[runtime].ok;
  const skip = ok ? false : `${runtime} cannot run here: ${support[runtime].reason}`;
  if (skip) console.log(`# skipping ${runtime} cases: ${skip}`);

  describe(`containers under conmon + ${runtime}`, { skip, concurrency: false }, () => {
    test('echo hello lands in the log; timing of true', async () => {
      const r = await run(runtime, ['echo', 'hello']);
      assert.equal(r.exit.exitCode, 0);
      assert.equal(r.out, 'hello');
      assert.equal(r.exit.oomKilled, false);
      const steps = { create: [] as number[], start: [] as number[], exit: [] as number[], delete: [] as number[] };
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const c = await make(runtime, ['true']);
        const t1 = performance.now();
        await rt.startContainer(c.h);
        const t2 = performance.now();
        await rt.waitExit(c.h);
        const t3 = performance.now();
        await rt.delete(c.h);
        const t4 = performance.now();
        steps.create.push(t1 - t0);
        steps.start.push(t2 - t1);
        steps.exit.push(t3 - t2);
        steps.delete.push(t4 - t3);
      }
      const m = Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, median(v).toFixed(1)]));
      const total = median(
        steps.create.map((_, i) => steps.create[i]! + steps.start[i]! + steps.exit[i]! + steps.delete[i]!),
      );
      console.log(
        `# timing ${runtime} true (median of 5, ms): create ${m.create} start ${m.start} exit-seen ${m.exit} delete ${m.delete} total ${total.toFixed(1)} (spawns: conmon, ${runtime} create [by conmon]${runtime === 'crun' ? '; start and delete in-process' : `, ${runtime} start, ${runtime} delete`})`,
      );
    });

    test('exit code 42', async () => {
      const r = await run(runtime, ['sh', '-c', 'exit 42']);
      assert.equal(r.exit.exitCode, 42);
      assert.ok(r.exit.finishedAt instanceof Date);
    });

    test('stdin through attach: cat echoes input, stderr kept apart', async () => {
      const c = await make(runtime, ['sh', '-c', 'cat; echo bye >&2'], {}, { stdin: true });
      const a = await attach(c.h.bundle);
      const got: string[] = [];
      a.onData((s, d) => got.push(`${s}:${d.toString()}`));
      const closed = new Promise<void>((r) => a.onClose(() => r()));
      await rt.startContainer(c.h);
      await a.write('x\ny\n');
      await a.closeStdin();
      const exit = await rt.waitExit(c.h);
      await closed;
      assert.equal(exit.exitCode, 0);
      assert.equal(
        got
          .filter((g) => g.startsWith('stdout:'))
          .join('')
          .replaceAll('stdout:', ''),
        'x\ny\n',
      );
      assert.ok(got.includes('stderr:bye\n'));
      assert.equal(text(c.logPath), 'x\ny\nbye');
      await rt.delete(c.h);
    });

    test('TTY and resize: stty size follows', async () => {
      const c = await make(runtime, ['sh', '-c', 'sleep 0.3; stty size'], { process: { tty: true } }, { stdin: true });
      const a = await attach(c.h.bundle);
      let out = '';
      a.onData((_s, d) => {
        out += d.toString();
      });
      resize(c.h.bundle, 33, 101);
      await rt.startContainer(c.h);
      const exit = await rt.waitExit(c.h);
      assert.equal(exit.exitCode, 0);
      await new Promise((r) => setTimeout(r, 50));
      a.close();
      assert.match(out, /33 101\r\n/);
      assert.match(text(c.logPath), /33 101/);
      await rt.delete(c.h);
    });

    test('exec: output through attach, exit code; detached exec', async () => {
      const c = await make(runtime, ['sleep', '60']);
      await rt.startContainer(c.h);
      const proc = { ...c.spec.process, args: ['sh', '-c', 'echo in-exec; echo err >&2; exit 7'], terminal: false };
      const t0 = performance.now();
      const s = await rt.exec(c.h, { sessionId: 'e1', process: proc, attach: true });
      let out = '';
      s.attachment!.onData((st, d) => {
        out += `${st}:${d.toString()}`;
      });
      assert.ok(s.pid > 0);
      assert.equal(await s.wait(), 7);
      const took = performance.now() - t0;
      await new Promise((r) => setTimeout(r, 50));
      assert.match(out, /stdout:in-exec\n/);
      assert.match(out, /stderr:err\n/);
      s.attachment!.close();
      s.remove();
      const t1 = performance.now();
      const s2 = await rt.exec(c.h, { sessionId: 'e2', process: { ...proc, args: ['true'] } });
      assert.equal(await s2.wait(), 0);
      console.log(
        `# timing ${runtime} exec: attached sh ${took.toFixed(1)} ms, detached true ${(performance.now() - t1).toFixed(1)} ms`,
      );
      s2.remove();
      const st = await rt.state(c.h);
      assert.equal(st.status, 'running');
      await rt.kill(c.h, 'KILL');
      assert.equal((await rt.waitExit(c.h)).exitCode, 137);
      await rt.delete(c.h);
    });

    test('attached exec without a TTY runs under the runtime directly: real pipes, stdin, its errors', async () => {
      const c = await make(runtime, ['sleep', '60']);
      await rt.startContainer(c.h);
      const base = { ...c.spec.process, terminal: false };
      const collect = (s: { attachment?: { onData(cb: (st: string, d: Buffer) => void): void } }) => {
        let out = '';
        s.attachment!.onData((st, d) => {
          out += `${st}:${d.toString()}`;
        });
        return () => out;
      };
      // /dev/stdout and /dev/stderr open (pipes, not sockets); stdin reaches the process
      const s = await rt.exec(c.h, {
        sessionId: 'd1',
        process: { ...base, args: ['sh', '-c', 'read x; echo "got $x" > /dev/stdout; echo e > /dev/stderr; exit 5'] },
        stdin: true,
        attach: true,
      });
      const out = collect(s);
      const closed = new Promise<void>((r) => s.attachment!.onClose(() => r()));
      assert.ok(s.pid > 0);
      await s.attachment!.write('hi\n');
      await s.attachment!.closeStdin();
      assert.equal(await s.wait(), 5);
      await closed;
      assert.match(out(), /stdout:got hi\n/);
      assert.match(out(), /stderr:e\n/);
      s.remove();
      // the runtime's own refusal is an error with its words, not the process's output
      await assert.rejects(
        rt.exec(c.h, { sessionId: 'd2', process: { ...base, args: ['nosuchcmd'] }, attach: true }),
        /nosuchcmd/,
      );
      // a signal shows as 128+N
      const k = await rt.exec(c.h, {
        sessionId: 'd3',
        process: { ...base, args: ['sh', '-c', 'kill -9 $$'] },
        attach: true,
      });
      assert.equal(await k.wait(), 137);
      k.remove();
      await rt.kill(c.h, 'KILL');
      await rt.waitExit(c.h);
      await rt.delete(c.h);
    });

    test('start after the init died is refused; delete removes state and cgroup', async () => {
      const c = await make(runtime, ['true']);
      const st = await rt.state(c.h);
      process.kill(st.pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
      await assert.rejects(rt.startContainer(c.h));
      await rt.kill(c.h, 'KILL', true).catch(() => {});
      await rt.delete(c.h, { force: true });
      await assert.rejects(rt.state(c.h), /does not exist|not found|no such/i);
      const r = await run(runtime, ['true']);
      assert.equal(r.exit.exitCode, 0);
      await assert.rejects(rt.state(r.h), /does not exist|not found|no such/i);
      for (const dir of cgroupDirs(r.spec.linux.cgroupsPath!)) assert.equal(existsSync(dir), false, dir);
    });

    test('--memory 32m: OOM gives 137 and oomKilled', async () => {
      const r = await run(runtime, ['tail', '/dev/zero'], {
        resources: { memory: 32 << 20, memorySwap: 32 << 20 },
      });
      assert.equal(r.exit.exitCode, 137);
      assert.equal(r.exit.oomKilled, true);
    });

    test('pids limit holds a fork storm; stats see it', async () => {
      const c = await make(
        runtime,
        ['sh', '-c', 'sh -c "for i in \\$(seq 1 40); do sleep 5 & done"; echo rc=$?; exec sleep 5'],
        {
          resources: { pidsLimit: 20 },
        },
      );
      await rt.startContainer(c.h);
      await new Promise((r) => setTimeout(r, 700));
      const stats = readCgroupStats(c.spec.linux.cgroupsPath!);
      assert.equal(stats.pids_stats.limit, 20);
      assert.ok(stats.pids_stats.current! <= 20 && stats.pids_stats.current! >= 10, `pids ${stats.pids_stats.current}`);
      assert.ok(stats.memory_stats.usage! > 0);
      assert.ok(stats.cpu_stats.cpu_usage.total_usage > 0);
      await rt.kill(c.h, 'KILL', true);
      await rt.waitExit(c.h);
      assert.match(text(c.logPath), /fork|Resource temporarily unavailable/i);
      assert.match(text(c.logPath), /rc=[1-9]/);
      await rt.delete(c.h);
    });

    test('CapEff: Docker default, 0 with cap-drop ALL', async () => {
      const d = await run(runtime, ['grep', 'CapEff', '/proc/self/status']);
      assert.match(d.out, /CapEff:\s+00000000a80425fb/);
      const none = await run(runtime, ['grep', 'CapEff', '/proc/self/status'], { capDrop: ['ALL'] });
      assert.match(none.out, /CapEff:\s+0000000000000000/);
      const seccomp = await run(runtime, ['sh', '-c', 'mkdir -p /tmp/m && mount -t tmpfs t /tmp/m; echo rc=$?'], {
        capAdd: [],
      });
      assert.match(seccomp.out, /rc=[1-9]/);
    });

    test('pause/resume, update, log rotation with reopen, attach close paths', async () => {
      const c = await make(
        runtime,
        ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo line$i; sleep 0.02; done'],
        {},
        {
          stdin: true,
        },
      );
      await rt.startContainer(c.h);
      // close from inside a data callback, twice: must not crash the process
      const a = await attach(c.h.bundle);
      let n = 0;
      await new Promise<void>((resolve) => {
        a.onData(() => {
          n++;
          a.close();
          a.close();
          resolve();
        });
      });
      assert.ok(a.closed && n >= 1);
      await assert.rejects(a.write('x'), /closed/);
      await assert.rejects(attach(join(base, 'nonexistent')), /ENOENT|attach/);
      await rt.pause(c.h);
      assert.equal((await rt.state(c.h)).status, 'paused');
      await rt.resume(c.h);
      assert.equal((await rt.state(c.h)).status, 'running');
      await rt.update(c.h, { pids: { limit: 50 } });
      assert.equal(readCgroupStats(c.spec.linux.cgroupsPath!).pids_stats.limit, 50);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(maybeRotate(c.logPath, { maxSize: 1, maxFiles: 3, ctlDir: c.h.bundle }), true);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(maybeRotate(c.logPath, { maxSize: 1 << 30, maxFiles: 3, ctlDir: c.h.bundle }), false);
      await rt.kill(c.h, 'KILL');
      await rt.waitExit(c.h);
      const lines = readLogs(c.logPath, { maxFiles: 3 }).map((e) => e.line);
      const nums = lines.map((l) => Number(l.replace('line', '')));
      assert.ok(readLogs(c.logPath).length > 0, 'conmon writes to the reopened file');
      assert.ok(readLogs(`${c.logPath}.1`).length > 0, 'the rotated file kept history');
      assert.deepEqual(
        nums,
        nums.map((_, i) => i + 1),
        'no line lost or reordered across the rotation',
      );
      await rt.delete(c.h);
    });

    test('killing the launching process leaves the container running', async () => {
      const id = `t${process.pid}-${++seq}`;
      const bundle = join(base, id);
      const spec = buildSpec({
        id,
        rootfs,
        cgroupParent,
        process: { args: ['sleep', '300'], env: ['PATH=/bin'], uid: 0, gid: 0 },
      });
      await writeBundleConfig(bundle, spec);
      const h: ContainerHandle = { id, bundle, runtime };
      made.push(h);
      const monitorUrl = new URL('./monitor.js', import.meta.url).href;
      const script = `
        const { ContainerRuntime } = await import(${JSON.stringify(monitorUrl)});
        const rt = new ContainerRuntime({ stateDir: ${JSON.stringify(join(base, 'state'))} });
        const h = ${JSON.stringify(h)};
        const r = await rt.createContainer({ ...h, logPath: h.bundle + '/ctr.log' });
        await rt.startContainer(h);
        console.log(JSON.stringify(r));
        setInterval(() => {}, 1000);`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const line = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout.on('data', (d) => {
          buf += d.toString();
          if (buf.includes('\n')) resolve(buf.trim());
        });
        child.on('exit', (code) => reject(new Error(`launcher exited ${code}`)));
      });
      const { pid, monitorPid } = JSON.parse(line) as { pid: number; monitorPid: number };
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      await new Promise((r) => setTimeout(r, 200));
      process.kill(pid, 0);
      process.kill(monitorPid, 0);
      assert.equal(rt.containerPid(h), pid);
      assert.equal(rt.monitorPid(h), monitorPid);
      assert.equal((await rt.state(h)).status, 'running');
      assert.equal(rt.readExitFile(h), undefined);
      await rt.kill(h, 'KILL');
      const exit = await rt.waitExit(h);
      assert.equal(exit.exitCode, 137);
      assert.deepEqual(rt.readExitFile(h)?.exitCode, 137);
      await rt.delete(h);
    });
  });
}

test('crun support is reported with a reason when refused', () => {
  if (!support.crun.ok) assert.match(support.crun.reason!, /hybrid|not found/);
  assert.equal(support.runc.ok, true);
  void readFileSync;
});
