/**
 * Issue 2, "Done when": the real docker CLI drives berthd — version, info,
 * images (filters, digests, json), inspect, history, tag, rmi, import,
 * save | load, prune, events, system df — and the API edges (ping headers,
 * version prefixes, error bodies, unknown parameters).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dockerCli, loadBusybox, runAsync, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { dockerArchive, makeTar, tinyLayer } from './archive.ts';
import { errorMessageOf, rawRequest } from './http.ts';

let d: TestDaemon;
let busyboxId: string;
/** Images loaded from a hand-made archive: old (2020), mid (2021, labelled), new (2022). */
let ids: { old: string; mid: string; new: string };

function ok(args: string[], input?: Buffer | string): string {
  const r = d.docker(args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function lines(s: string): string[] {
  return s.split('\n').filter((l) => l.trim() !== '');
}

/** `docker images --format {{.Repository}}:{{.Tag}}` with the given extra args, sorted. */
function refs(...args: string[]): string[] {
  return lines(ok(['images', '--format', '{{.Repository}}:{{.Tag}}', ...args])).sort();
}

before(async () => {
  d = await startDaemon();
  await loadBusybox(d);
  busyboxId = ok(['image', 'inspect', '--format', '{{.Id}}', 'busybox']).trim();
  const a = await dockerArchive([
    { tags: ['filt/old:1'], layers: [await tinyLayer('old.txt', 'old')], created: '2020-01-01T00:00:00Z' },
    {
      tags: ['filt/mid:1'],
      layers: [await tinyLayer('mid.txt', 'mid')],
      created: '2021-01-01T00:00:00Z',
      labels: { tier: 'gold' },
    },
    { tags: ['filt/new:1'], layers: [await tinyLayer('new.txt', 'new')], created: '2022-01-01T00:00:00Z' },
  ]);
  ok(['load'], a.tar);
  ids = { old: a.ids[0], mid: a.ids[1], new: a.ids[2] };
});

after(async () => {
  await d?.cleanup();
});

describe('system', () => {
  test('docker version: server is Berth, exit 0, nothing on stderr', () => {
    const r = d.docker(['version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr.trim(), '');
    assert.match(r.stdout, /Server: Berth/);
    const j = JSON.parse(ok(['version', '--format', 'json'])) as {
      Server: { ApiVersion: string; Platform: { Name: string } };
    };
    assert.match(j.Server.Platform.Name, /Berth/);
    const [maj, min] = j.Server.ApiVersion.split('.').map(Number);
    assert.ok(maj === 1 && min >= 44, `API version ${j.Server.ApiVersion} is below 1.44`);
  });

  test('docker info: real NCPU and MemTotal, right image count', () => {
    const r = d.docker(['info', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const i = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(i.NCPU, cpus().length);
    const mem = i.MemTotal as number;
    assert.ok(Math.abs(mem - totalmem()) < 64 * 1024 * 1024, `MemTotal ${mem} vs ${totalmem()}`);
    const count = lines(ok(['images', '-q', '--no-trunc'])).length;
    assert.equal(new Set(lines(ok(['images', '-q', '--no-trunc']))).size, count);
    assert.equal(i.Images, count);
    assert.equal(i.OSType, 'linux');
    assert.ok(typeof i.KernelVersion === 'string' && i.KernelVersion !== '');
    assert.ok(typeof i.Driver === 'string' && i.Driver !== '');
    assert.ok(i.CgroupVersion === '1' || i.CgroupVersion === '2');
    const text = d.docker(['info']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Images: \d+/);
  });

  test('docker system df', () => {
    const out = ok(['system', 'df']);
    assert.match(out, /^Images\s+\d+/m);
    const j = JSON.parse(lines(ok(['system', 'df', '--format', 'json']))[0]) as { Type: string };
    assert.equal(j.Type, 'Images');
  });

  test('docker events: a tag event appears, filters apply', async () => {
    const p = spawn(
      dockerCli(),
      ['events', '--filter', 'type=image', '--filter', 'event=tag', '--format', '{{json .}}'],
      {
        env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, 'docker-config') },
      },
    );
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    try {
      await new Promise((r) => setTimeout(r, 700));
      ok(['tag', 'busybox', 'evt/one:1']);
      ok(['rmi', 'evt/one:1']); // an untag event, filtered out
      const deadline = Date.now() + 5000;
      while (!out.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      p.kill();
    }
    const evs = lines(out).map((l) => JSON.parse(l) as { Type: string; Action: string; Actor: { ID: string } });
    assert.equal(evs.length, 1, `expected one tag event, got: ${out}`);
    assert.equal(evs[0].Type, 'image');
    assert.equal(evs[0].Action, 'tag');
    assert.equal(evs[0].Actor.ID, busyboxId);
  });

  test('docker events --since/--until replays history and exits', async () => {
    const now = Math.floor(Date.now() / 1000);
    const r = await d.dockerAsync(
      [
        'events',
        '--since',
        String(now - 120),
        '--until',
        String(now + 1),
        '--filter',
        'event=untag',
        '--format',
        '{{.Action}}',
      ],
      { timeoutMs: 20_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok(lines(r.stdout).includes('untag'), r.stdout);
  });
});

describe('images', () => {
  test('docker images lists busybox; --format json; --digests', () => {
    assert.ok(refs().includes('busybox:latest'));
    const js = lines(ok(['images', '--format', 'json'])).map((l) => JSON.parse(l) as Record<string, string>);
    const bb = js.find((x) => x.Repository === 'busybox');
    assert.ok(bb, 'busybox in --format json');
    assert.equal(bb.Tag, 'latest');
    assert.equal(bb.ID, busyboxId.slice(7, 19));
    const dg = ok(['images', '--digests', 'busybox']);
    assert.match(lines(dg)[0], /REPOSITORY\s+TAG\s+DIGEST\s+IMAGE ID/);
    assert.match(lines(dg)[1], /^busybox\s+latest\s+\S+\s+[0-9a-f]{12}/);
  });

  test('filters: reference, label, before, since, dangling', async () => {
    assert.deepEqual(refs('--filter', 'reference=filt/*'), ['filt/mid:1', 'filt/new:1', 'filt/old:1']);
    assert.deepEqual(refs('filt/old'), ['filt/old:1']);
    assert.deepEqual(refs('--filter', 'label=tier=gold'), ['filt/mid:1']);
    assert.deepEqual(refs('--filter', 'label=tier'), ['filt/mid:1']);
    assert.deepEqual(refs('--filter', 'reference=filt/*', '--filter', 'before=filt/mid:1'), ['filt/old:1']);
    assert.deepEqual(refs('--filter', 'reference=filt/*', '--filter', 'since=filt/mid:1'), ['filt/new:1']);
    // A dangling image: imported without a name.
    const tar = await makeTar([{ name: 'dangling.txt', content: 'dangling' }]);
    const id = ok(['import', '-'], tar).trim();
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    const dangling = lines(ok(['images', '-q', '--no-trunc', '--filter', 'dangling=true']));
    assert.deepEqual(dangling, [id]);
    const notDangling = lines(ok(['images', '-q', '--no-trunc', '--filter', 'dangling=false']));
    assert.ok(!notDangling.includes(id));
    assert.ok(notDangling.includes(busyboxId));
    // prune removes it and keeps the tagged ones.
    const pr = ok(['image', 'prune', '-f']);
    assert.match(pr, new RegExp(`deleted: ${id}`, 'i'));
    assert.deepEqual(lines(ok(['images', '-q', '--filter', 'dangling=true'])), []);
    assert.ok(refs().includes('busybox:latest'));
  });

  test('docker image inspect busybox: Docker shape', () => {
    const [i] = JSON.parse(ok(['image', 'inspect', 'busybox'])) as Array<Record<string, unknown>>;
    assert.equal(i.Id, busyboxId);
    assert.match(busyboxId, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(i.RepoTags, ['busybox:latest']);
    assert.ok(Array.isArray(i.RepoDigests));
    const rootfs = i.RootFS as { Type: string; Layers: string[] };
    assert.equal(rootfs.Type, 'layers');
    assert.equal(rootfs.Layers.length, 1);
    assert.match(rootfs.Layers[0], /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual((i.Config as { Cmd: string[] }).Cmd, ['sh']);
    assert.ok(!Number.isNaN(Date.parse(i.Created as string)));
    assert.ok((i.Size as number) > 1_000_000, `Size ${i.Size}`);
    assert.equal(i.Os, 'linux');
    assert.equal(ok(['image', 'inspect', '--format', '{{.Config.Cmd}}', 'busybox']).trim(), '[sh]');
    // Short ID and full ID resolve to the same image.
    assert.equal(ok(['image', 'inspect', '--format', '{{.Id}}', busyboxId.slice(7, 19)]).trim(), busyboxId);
  });

  test('docker history busybox', () => {
    const out = lines(ok(['history', 'busybox']));
    assert.match(out[0], /IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT/);
    assert.ok(out.length >= 2);
    assert.ok(out[1].startsWith(busyboxId.slice(7, 19)), out[1]);
    const q = lines(ok(['history', '-q', '--no-trunc', 'busybox']));
    assert.equal(q[0], busyboxId);
  });

  test('docker tag and docker rmi: untag vs delete, 409 by ID with several tags unless -f', async () => {
    const a = await dockerArchive([{ tags: ['rm/me:a'], layers: [await tinyLayer('rm.txt', 'rm')] }]);
    ok(['load'], a.tar);
    const id = a.ids[0];
    ok(['tag', 'rm/me:a', 'rm/me:b']);
    ok(['tag', id.slice(7, 19), 'other.example.com:5000/rm/me']);
    assert.deepEqual(refs('--filter', 'reference=rm/me'), ['rm/me:a', 'rm/me:b']);
    assert.equal(ok(['image', 'inspect', '--format', '{{.Id}}', 'other.example.com:5000/rm/me']).trim(), id);
    // Untag one name: the image stays.
    const u = ok(['rmi', 'rm/me:b']);
    assert.match(u, /Untagged: rm\/me:b/);
    assert.doesNotMatch(u, /Deleted/);
    assert.equal(ok(['image', 'inspect', '--format', '{{.Id}}', 'rm/me:a']).trim(), id);
    // By ID with two names: conflict.
    const c = d.docker(['rmi', id.slice(7, 19)]);
    assert.equal(c.code, 1);
    assert.match(c.stderr, /conflict|must be forced/i);
    assert.equal(ok(['image', 'inspect', '--format', '{{.Id}}', 'rm/me:a']).trim(), id);
    // -f deletes.
    const f = ok(['rmi', '-f', id.slice(7, 19)]);
    assert.match(f, /Untagged: rm\/me:a/);
    assert.match(f, new RegExp(`Deleted: ${id}`));
    const gone = d.docker(['image', 'inspect', id]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /No such image/i);
  });

  test('docker import: file and stdin, --change, -m', async () => {
    const tar = await makeTar([
      { name: 'bin/', type: 'directory' },
      { name: 'hello.txt', content: 'hello from import' },
    ]);
    const file = join(d.dir, 'rootfs.tar');
    writeFileSync(file, tar);
    const id1 = ok([
      'import',
      '--change',
      'CMD ["/bin/hello"]',
      '--change',
      'ENV FOO=bar',
      '--change',
      'LABEL k=v',
      '--change',
      'WORKDIR /srv',
      '-m',
      'imported for a test',
      file,
      'imp/file:1',
    ]).trim();
    assert.match(id1, /^sha256:[0-9a-f]{64}$/);
    const [i] = JSON.parse(ok(['image', 'inspect', 'imp/file:1'])) as Array<{
      Id: string;
      Comment: string;
      Config: { Cmd: string[]; Env: string[]; Labels: Record<string, string>; WorkingDir: string };
    }>;
    assert.equal(i.Id, id1);
    assert.deepEqual(i.Config.Cmd, ['/bin/hello']);
    assert.ok(i.Config.Env.includes('FOO=bar'), String(i.Config.Env));
    assert.equal(i.Config.Labels.k, 'v');
    assert.equal(i.Config.WorkingDir, '/srv');
    assert.equal(i.Comment, 'imported for a test');
    const hist = ok(['history', '--format', '{{.Comment}}', 'imp/file:1']);
    assert.match(hist, /imported for a test/);
    // From stdin: same layer, no changes → a different config, a new image.
    const id2 = ok(['import', '-', 'imp/stdin'], tar).trim();
    assert.match(id2, /^sha256:[0-9a-f]{64}$/);
    assert.notEqual(id2, id1);
    assert.equal(ok(['image', 'inspect', '--format', '{{.Id}}', 'imp/stdin:latest']).trim(), id2);
    const bad = d.docker(['import', '--change', 'FROBNICATE x', file, 'imp/bad']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /FROBNICATE|change|instruction/i);
  });

  test('docker save busybox | docker load gives back the same image ID', async () => {
    const cli = dockerCli();
    const env = { DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, 'docker-config') };
    const file = join(d.dir, 'bb.tar');
    const s = await d.dockerAsync(['save', '-o', file, 'busybox']);
    assert.equal(s.code, 0, s.stderr);
    ok(['rmi', 'busybox']);
    assert.notEqual(d.docker(['image', 'inspect', busyboxId]).code, 0);
    const l = await d.dockerAsync(['load', '-i', file]);
    assert.equal(l.code, 0, l.stderr);
    assert.match(l.stdout, /Loaded image: busybox:latest/);
    assert.equal(ok(['image', 'inspect', '--format', '{{.Id}}', 'busybox']).trim(), busyboxId);
    // And through a pipe, as the issue writes it.
    const p = await runAsync('sh', ['-c', `'${cli}' save busybox | '${cli}' load`], env);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /Loaded image: busybox:latest/);
    assert.equal(ok(['image', 'inspect', '--format', '{{.Id}}', 'busybox']).trim(), busyboxId);
    // Several images in one save.
    const multi = join(d.dir, 'multi.tar');
    const m = await d.dockerAsync(['save', '-o', multi, 'busybox', 'filt/old:1', 'filt/new:1']);
    assert.equal(m.code, 0, m.stderr);
    ok(['rmi', 'filt/old:1', 'filt/new:1']);
    const ml = await d.dockerAsync(['load', '-i', multi]);
    assert.equal(ml.code, 0, ml.stderr);
    assert.equal(ok(['image', 'inspect', '--format', '{{.Id}}', 'filt/old:1']).trim(), ids.old);
    assert.equal(ok(['image', 'inspect', '--format', '{{.Id}}', 'filt/new:1']).trim(), ids.new);
    void ids.mid;
  });
});

describe('API edges', () => {
  test('/_ping GET and HEAD carry the headers', async () => {
    for (const method of ['GET', 'HEAD']) {
      const r = await rawRequest(d.socket, method, '/_ping');
      assert.equal(r.status, 200);
      assert.match(String(r.headers['api-version']), /^1\.\d+$/);
      assert.equal(r.headers.ostype, 'linux');
      assert.ok(r.headers['builder-version'] !== undefined, 'Builder-Version');
      assert.ok(r.headers['docker-experimental'] !== undefined, 'Docker-Experimental');
      assert.equal(r.body, method === 'GET' ? 'OK' : '');
    }
  });

  test('paths with and without /v1.NN; a version above the max is refused with 400', async () => {
    const plain = await rawRequest(d.socket, 'GET', '/version');
    assert.equal(plain.status, 200);
    const max = (JSON.parse(plain.body) as { ApiVersion: string }).ApiVersion;
    for (const v of ['1.24', '1.41', '1.44', max]) {
      const r = await rawRequest(d.socket, 'GET', `/v${v}/version`);
      assert.equal(r.status, 200, `/v${v}/version: ${r.body}`);
    }
    const [maj, min] = max.split('.').map(Number);
    const tooNew = await rawRequest(d.socket, 'GET', `/v${maj}.${min + 1}/version`);
    assert.equal(tooNew.status, 400);
    assert.match(errorMessageOf(tooNew), /too new|maximum/i);
    const tooOld = await rawRequest(d.socket, 'GET', '/v1.12/version');
    assert.equal(tooOld.status, 400);
    const img = await rawRequest(d.socket, 'GET', '/v1.44/images/busybox/json');
    assert.equal(img.status, 200);
  });

  test('unknown query parameters are ignored', async () => {
    const r = await rawRequest(d.socket, 'GET', '/images/json?frobnicate=1&all=0&zzz=');
    assert.equal(r.status, 200, r.body);
    assert.ok(Array.isArray(JSON.parse(r.body)));
    const v = await rawRequest(d.socket, 'GET', '/version?unknown=yes');
    assert.equal(v.status, 200);
  });

  test('errors are {"message"} with 404, 409, 400', async () => {
    const nf = await rawRequest(d.socket, 'GET', '/images/no-such-image:latest/json');
    assert.equal(nf.status, 404);
    assert.match(errorMessageOf(nf), /no such image/i);
    const cli = d.docker(['image', 'inspect', 'no-such-image']);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /No such image/i);

    const a = await dockerArchive([{ tags: ['conf/x:a', 'conf/x:b'], layers: [await tinyLayer('c.txt', 'c')] }]);
    ok(['load'], a.tar);
    const conflict = await rawRequest(d.socket, 'DELETE', `/images/${a.ids[0].slice(7, 19)}`);
    assert.equal(conflict.status, 409);
    assert.match(errorMessageOf(conflict), /conflict|forced/i);

    const noRepo = await rawRequest(d.socket, 'POST', '/images/busybox/tag');
    assert.equal(noRepo.status, 400);
    assert.ok(errorMessageOf(noRepo).length > 0);
    const badFilter = await rawRequest(d.socket, 'GET', `/images/json?filters=${encodeURIComponent('{not json')}`);
    assert.equal(badFilter.status, 400);
    errorMessageOf(badFilter);
    const badRef = await rawRequest(d.socket, 'POST', '/images/busybox/tag?repo=UPPERCASE');
    assert.equal(badRef.status, 400);
    errorMessageOf(badRef);
    const nope = await rawRequest(d.socket, 'GET', '/no/such/endpoint');
    assert.equal(nope.status, 404);
    errorMessageOf(nope);
  });
});
