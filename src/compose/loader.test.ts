import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ComposeError } from './errors.ts';
import { type LoadOptions, loadProject } from './loader.ts';

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A temp project dir `name` with the files given. */
function project(files: Record<string, string>, name = 'myapp'): string {
  const root = mkdtempSync('/tmp/berth-compose-');
  roots.push(root);
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
}

const load = (dir: string, o: LoadOptions = {}) => loadProject({ cwd: dir, environment: {}, ...o });

function refused(fn: () => unknown, re: RegExp): ComposeError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ComposeError, `expected a ComposeError, got ${e}`);
    assert.match(e.message, re);
    return e;
  }
  assert.fail(`expected a refusal matching ${re}`);
}

test('finds compose.yaml, names the project after the directory, adds the default network', () => {
  const dir = project({ 'compose.yaml': 'services:\n  web:\n    image: busybox\n' }, 'My.App_1');
  const p = load(dir);
  assert.equal(p.name, 'myapp_1');
  assert.equal(p.workingDir, dir);
  assert.deepEqual(p.configFiles, [join(dir, 'compose.yaml')]);
  assert.deepEqual(p.services.web.networks, { default: null });
  assert.equal(p.networks.default.name, 'myapp_1_default');
});

test('looks in parent directories and picks up the override file', () => {
  const dir = project({
    'docker-compose.yml': 'services:\n  web:\n    image: a\n    environment: [X=1]\n',
    'docker-compose.override.yml': 'services:\n  web:\n    environment:\n      Y: 2\n',
    'sub/deeper/.keep': '',
  });
  const p = load(join(dir, 'sub/deeper'));
  assert.deepEqual(p.services.web.environment, { X: '1', Y: '2' });
  assert.equal(p.configFiles.length, 2);
});

test('project name: -p, COMPOSE_PROJECT_NAME, name:, directory; invalid names refused', () => {
  const dir = project({ 'compose.yaml': 'name: fromfile\nservices:\n  a:\n    image: x\n' });
  assert.equal(load(dir).name, 'fromfile');
  assert.equal(load(dir, { environment: { COMPOSE_PROJECT_NAME: 'fromenv' } }).name, 'fromenv');
  assert.equal(load(dir, { projectName: 'flag', environment: { COMPOSE_PROJECT_NAME: 'fromenv' } }).name, 'flag');
  refused(() => load(dir, { projectName: 'Bad Name' }), /invalid project name "Bad Name"/);
  const bad = project({ 'compose.yaml': 'name: UPPER\nservices:\n  a:\n    image: x\n' });
  refused(() => load(bad), /compose\.yaml:1:1: name: "UPPER" does not match/);
});

test('interpolation from .env and the environment (environment wins), with $$ and errors placed', () => {
  const dir = project({
    '.env': 'TAG=1.0\nPORT=8080\nONLY_DOTENV=yes\n',
    'compose.yaml': [
      'services:',
      '  web:',
      '    image: "busybox:${TAG}"',
      '    ports: ["${PORT}:80"]',
      '    command: echo $$HOME ${MISSING:-fallback}',
      '    environment:',
      '      A: ${ONLY_DOTENV}',
      '',
    ].join('\n'),
  });
  const p = load(dir, { environment: { TAG: '2.0' } });
  assert.equal(p.services.web.image, 'busybox:2.0');
  assert.equal(p.services.web.ports?.[0].published, '8080');
  assert.deepEqual(p.services.web.command, ['echo', '$HOME', 'fallback']);
  assert.equal(p.services.web.environment?.A, 'yes');
  const req = project({ 'compose.yaml': 'services:\n  web:\n    image: ${IMAGE:?set IMAGE first}\n' });
  refused(
    () => load(req),
    /compose\.yaml:3:5: services\.web\.image: required variable IMAGE is missing a value: set IMAGE first/,
  );
});

test('schema errors name the file, the line, the path and the problem', () => {
  const cases: Array<[string, RegExp]> = [
    ['services:\n  web:\n    image: x\n    ports: 80\n', /compose\.yaml:4:5: services\.web\.ports: must be a list/],
    [
      'services:\n  web:\n    image: x\n    bogus: 1\n',
      /compose\.yaml:4:5: services\.web\.bogus: unknown field "bogus"/,
    ],
    ['services:\n  web:\n    image: x\n    restart: [1]\n', /services\.web\.restart: must be a string/],
    ['services:\n  web:\n    image: x\n    scale: many\n', /services\.web\.scale: must be an integer/],
    [
      'services:\n  web:\n    image: x\n    depends_on:\n      db:\n        condition: sometimes\n  db:\n    image: y\n',
      /services\.web\.depends_on\.db\.condition: must be one of "service_started"/,
    ],
    [
      'services:\n  web:\n    image: x\n    volumes:\n      - source: a\n',
      /services\.web\.volumes\[0\]: missing required field "type"/,
    ],
    ['services:\n  web:\n    image: x\nnetworks:\n  n1:\n    driver: [a]\n', /networks\.n1\.driver: must be a string/],
    ['services:\n  web: [1]\n', /services\.web: must be a mapping/],
    ['services:\n  web:\n    image: x\n  web:\n    image: y\n', /invalid YAML: Map keys must be unique/],
    ['x-anchors: &a {image: busybox}\nservices:\n  web:\n    <<: *a\n    x-mine: ok\n', /^$/],
  ];
  for (const [text, re] of cases) {
    const dir = project({ 'compose.yaml': text });
    if (re.source === '^$') {
      assert.equal(load(dir).services.web.image, 'busybox');
      continue;
    }
    const e = refused(() => load(dir), re);
    assert.equal(e.file, join(dir, 'compose.yaml'));
  }
});

test('unknown dependency, cycle, undefined network/volume/secret, no image refused with the path', () => {
  const y = (s: string) => project({ 'compose.yaml': s });
  refused(
    () => load(y('services:\n  web:\n    image: x\n    depends_on: [db]\n')),
    /compose\.yaml:4:\d+: services\.web\.depends_on\.db: depends on undefined service "db"/,
  );
  refused(
    () =>
      load(
        y(
          'services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on:\n      c: {condition: service_healthy}\n  c:\n    image: x\n    depends_on: [a]\n',
        ),
      ),
    /services\.a\.depends_on: dependency cycle: a -> b -> c -> a/,
  );
  refused(
    () => load(y('services:\n  a:\n    image: x\n    networks: [front]\n')),
    /services\.a\.networks\.front: service "a" refers to undefined network "front"/,
  );
  refused(() => load(y('services:\n  a:\n    image: x\n    volumes: ["data:/d"]\n')), /undefined volume "data"/);
  refused(
    () => load(y('services:\n  a:\n    image: x\n    secrets: [s]\n')),
    /services\.a\.secrets\[0\]: .*undefined secret "s"/,
  );
  refused(
    () => load(y('services:\n  a:\n    command: x\n')),
    /services\.a: service "a" has neither an image nor a build/,
  );
  refused(
    () => load(y('services:\n  a:\n    image: x\n    healthcheck:\n      interval: soon\n')),
    /services\.a\.healthcheck\.interval: invalid duration "soon"/,
  );
  refused(() => load(y('services:\n  a:\n    image: x\n    restart: sometimes\n')), /invalid restart policy/);
  // Optional dependencies on missing services are dropped.
  const p = load(
    y('services:\n  a:\n    image: x\n    depends_on:\n      b: {condition: service_started, required: false}\n'),
  );
  assert.deepEqual(p.services.a.depends_on, {});
});

test('canonical form: ports, volumes, depends_on, healthcheck, build, environment lists', () => {
  const dir = project({
    'compose.yaml': `
services:
  web:
    build:
      context: ./app
      dockerfile: Dockerfile.dev
      args: [VERSION=1]
      target: prod
    ports:
      - "127.0.0.1:8080:80"
      - target: 443
        published: 8443
    expose: [9000, "9001"]
    volumes:
      - data:/data
      - ./conf:/etc/conf:ro
      - /anon
      - type: tmpfs
        target: /run
        tmpfs: {size: 1000}
    depends_on: [db]
    environment: [A=1, "B=two=2"]
    labels: [com.example=1]
    healthcheck:
      test: curl -f localhost
      interval: 5s
    tmpfs: /tmp
    dns: 10.0.0.1
    extra_hosts: ["somehost=1.2.3.4", "other:5.6.7.8"]
    deploy:
      replicas: "2"
      resources:
        limits: {cpus: "0.5", memory: 64M}
    init: "true"
  db:
    image: db
    networks:
      default:
        aliases: [database]
volumes:
  data: {}
`,
  });
  const p = load(dir);
  const web = p.services.web;
  assert.deepEqual(web.build, {
    context: join(dir, 'app'),
    dockerfile: 'Dockerfile.dev',
    args: { VERSION: '1' },
    target: 'prod',
  });
  assert.deepEqual(web.ports, [
    { mode: 'ingress', target: 80, published: '8080', host_ip: '127.0.0.1', protocol: 'tcp' },
    { mode: 'ingress', target: 443, published: '8443', protocol: 'tcp' },
  ]);
  assert.deepEqual(web.expose, ['9000', '9001']);
  assert.deepEqual(
    web.volumes?.map((v) => [v.type, v.source, v.target, v.read_only]),
    [
      ['volume', 'data', '/data', undefined],
      ['bind', join(dir, 'conf'), '/etc/conf', true],
      ['volume', undefined, '/anon', undefined],
      ['tmpfs', undefined, '/run', undefined],
    ],
  );
  assert.deepEqual(web.depends_on, { db: { condition: 'service_started', required: true } });
  assert.deepEqual(web.environment, { A: '1', B: 'two=2' });
  assert.deepEqual(web.labels, { 'com.example': '1' });
  assert.deepEqual(web.healthcheck, { test: ['CMD-SHELL', 'curl -f localhost'], interval: '5s' });
  assert.deepEqual(web.tmpfs, ['/tmp']);
  assert.deepEqual(web.dns, ['10.0.0.1']);
  assert.deepEqual(web.extra_hosts, ['somehost:1.2.3.4', 'other:5.6.7.8']);
  assert.equal(web.deploy?.replicas, 2);
  assert.equal(web.init, true);
  assert.deepEqual(p.services.db.networks, { default: { aliases: ['database'] } });
  assert.equal(p.volumes.data.name, 'myapp_data');
});

test('several -f files merge in order; COMPOSE_FILE does the same', () => {
  const dir = project({
    'a.yaml': `
services:
  web:
    image: a
    command: [one]
    ports: ["80"]
    environment: {A: "1", B: "1"}
    volumes: ["./x:/x", "./y:/y"]
    cap_add: [NET_ADMIN]
`,
    'b.yaml': `
services:
  web:
    image: b
    command: two
    ports: ["81"]
    environment: [B=2]
    volumes: ["./z:/x"]
    cap_add: [NET_ADMIN, SYS_TIME]
  extra:
    image: e
`,
  });
  const check = (p: ReturnType<typeof load>) => {
    const w = p.services.web;
    assert.equal(w.image, 'b');
    assert.deepEqual(w.command, ['two']);
    assert.deepEqual(
      w.ports?.map((x) => x.target),
      [80, 81],
    );
    assert.deepEqual(w.environment, { A: '1', B: '2' });
    assert.deepEqual(
      w.volumes?.map((v) => `${v.source}:${v.target}`),
      [`${dir}/z:/x`, `${dir}/y:/y`],
    );
    assert.deepEqual(w.cap_add, ['NET_ADMIN', 'SYS_TIME']);
    assert.ok(p.services.extra);
  };
  check(load(dir, { files: ['a.yaml', 'b.yaml'] }));
  check(load(dir, { environment: { COMPOSE_FILE: 'a.yaml:b.yaml' } }));
});

test('extends: same file, another file (its paths relative to it), chains, cycles refused', () => {
  const dir = project({
    'common/base.yaml': `
services:
  base:
    image: base
    environment: {FROM: base, KEEP: "1"}
    volumes: ["./data:/data"]
`,
    'compose.yaml': `
services:
  mid:
    extends: {file: common/base.yaml, service: base}
    environment: {FROM: mid}
  web:
    extends: mid
    command: run
`,
  });
  const p = load(dir);
  assert.equal(p.services.web.image, 'base');
  assert.deepEqual(p.services.web.environment, { FROM: 'mid', KEEP: '1' });
  assert.deepEqual(p.services.web.command, ['run']);
  assert.equal(p.services.web.volumes?.[0].source, join(dir, 'common/data'));
  assert.equal(p.services.web.extends, undefined);
  const cyc = project({ 'compose.yaml': 'services:\n  a:\n    extends: b\n  b:\n    extends: a\n' });
  refused(() => load(cyc), /circular extends/);
  const missing = project({ 'compose.yaml': 'services:\n  a:\n    extends: nope\n' });
  refused(() => load(missing), /services\.a\.extends\.service: service "nope" not found/);
});

test('include: resources of another project join, with its own .env and directory; conflicts refused', () => {
  const dir = project({
    'db/compose.yaml': 'services:\n  db:\n    image: "db:${DBTAG}"\n    volumes: ["./init:/init"]\n',
    'db/.env': 'DBTAG=15\n',
    'compose.yaml': 'include:\n  - db/compose.yaml\nservices:\n  web:\n    image: w\n    depends_on: [db]\n',
  });
  const p = load(dir);
  assert.equal(p.services.db.image, 'db:15');
  assert.equal(p.services.db.volumes?.[0].source, join(dir, 'db/init'));
  const clash = project({
    'other.yaml': 'services:\n  web:\n    image: other\n',
    'compose.yaml': 'include: [other.yaml]\nservices:\n  web:\n    image: w\n',
  });
  refused(() => load(clash), /include\[0\]: service "web" .* conflicts/);
});

test('profiles: services without profiles always; others by --profile, COMPOSE_PROFILES or by name', () => {
  const dir = project({
    'compose.yaml': `
services:
  web: {image: w}
  debug: {image: d, profiles: [dev]}
  tools: {image: t, profiles: [ops, dev]}
`,
  });
  assert.deepEqual(Object.keys(load(dir).services), ['web']);
  assert.deepEqual(Object.keys(load(dir, { profiles: ['dev'] }).services).sort(), ['debug', 'tools', 'web']);
  assert.deepEqual(Object.keys(load(dir, { environment: { COMPOSE_PROFILES: 'ops' } }).services).sort(), [
    'tools',
    'web',
  ]);
  assert.deepEqual(Object.keys(load(dir, { services: ['debug'] }).services).sort(), ['debug', 'web']);
  const dep = project({
    'compose.yaml': 'services:\n  web: {image: w, depends_on: [dbg]}\n  dbg: {image: d, profiles: [dev]}\n',
  });
  refused(() => load(dep), /depends on service "dbg", which is not enabled \(profiles: dev\)/);
});

test('env_file merges under environment; bare names come from the environment; missing file refused', () => {
  const dir = project({
    'web.env': 'A=from-file\nB=from-file\n',
    'compose.yaml': 'services:\n  web:\n    image: w\n    env_file: web.env\n    environment: [B=own, C, D]\n',
  });
  const p = load(dir, { environment: { C: 'from-shell' } });
  assert.deepEqual(p.services.web.environment, { A: 'from-file', B: 'own', C: 'from-shell' });
  const bad = project({ 'compose.yaml': 'services:\n  web:\n    image: w\n    env_file: [nope.env]\n' });
  refused(() => load(bad), /services\.web\.env_file\[0\]: env file .*nope\.env not found/);
  const opt = project({
    'compose.yaml': 'services:\n  web:\n    image: w\n    env_file: [{path: nope.env, required: false}]\n',
  });
  assert.equal(load(opt).services.web.image, 'w');
});

test('top-level networks, volumes, secrets and configs get project-scoped names unless external or named', () => {
  const dir = project({
    's.txt': 'secret',
    'compose.yaml': `
services:
  web:
    image: w
    networks:
      front: {ipv4_address: 172.30.0.10, aliases: [www]}
    secrets: [s]
    configs: [{source: c, target: /etc/c}]
networks:
  front:
    ipam: {config: [{subnet: 172.30.0.0/24}]}
  ext: {external: true}
  named: {name: exact}
volumes:
  v: {}
  ev: {external: true, name: outside}
secrets:
  s: {file: ./s.txt}
configs:
  c: {content: hello}
`,
  });
  const p = load(dir);
  assert.equal(p.networks.front.name, 'myapp_front');
  assert.equal(p.networks.ext.name, 'ext');
  assert.equal(p.networks.named.name, 'exact');
  assert.equal(p.volumes.v.name, 'myapp_v');
  assert.equal(p.volumes.ev.name, 'outside');
  assert.equal(p.secrets.s.file, join(dir, 's.txt'));
  assert.equal(p.networks.default, undefined);
  assert.deepEqual(p.services.web.networks, { front: { ipv4_address: '172.30.0.10', aliases: ['www'] } });
});
