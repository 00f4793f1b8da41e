import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replicaRequest } from './convert.ts';
import { checkCycles, startLevels, startOrder, withDependencies } from './graph.ts';
import { serviceHash } from './hash.ts';
import type { Project, ServiceConfig } from './types.ts';

const svc = (deps: string[] = [], extra: ServiceConfig = {}): ServiceConfig => ({
  image: 'x',
  depends_on: Object.fromEntries(deps.map((d) => [d, { condition: 'service_started' as const, required: true }])),
  ...extra,
});

test('start order, levels, closure; stop order is the reverse', () => {
  const s = { web: svc(['api', 'cache']), api: svc(['db']), db: svc(), cache: svc(), lone: svc() };
  assert.deepEqual(startOrder(s), ['db', 'api', 'cache', 'lone', 'web']);
  assert.deepEqual(startLevels(s), [['db', 'cache', 'lone'], ['api'], ['web']]);
  assert.deepEqual(withDependencies(s, ['api']), ['db', 'api']);
  const net = { app: svc([], { network_mode: 'service:vpn' }), vpn: svc() };
  assert.deepEqual(startOrder(net), ['vpn', 'app']);
  assert.throws(
    () => checkCycles({ a: svc(['b']), b: svc(['c']), c: svc(['a']) }),
    /dependency cycle: a -> b -> c -> a/,
  );
});

test('config hash ignores scale, replicas, depends_on and profiles, not environment or image', () => {
  const a = svc(['db'], { environment: { A: '1' }, scale: 2 });
  assert.equal(serviceHash(a), serviceHash({ ...a, scale: 5, depends_on: {}, profiles: ['x'] }));
  assert.equal(serviceHash({ ...a, deploy: { replicas: 2 } }), serviceHash({ ...a, deploy: { replicas: 3 } }));
  assert.notEqual(serviceHash(a), serviceHash({ ...a, environment: { A: '2' } }));
  assert.notEqual(serviceHash(a, 'sha256:1'), serviceHash(a, 'sha256:2'));
});

test('a replica as a create request: labels, ports, mounts, limits, healthcheck, network', () => {
  const web: ServiceConfig = {
    image: 'web:1',
    command: ['run'],
    environment: { A: '1' },
    ports: [{ target: 80, published: '8080', host_ip: '127.0.0.1', protocol: 'tcp' }],
    expose: ['9000'],
    volumes: [
      { type: 'volume', source: 'data', target: '/data', read_only: true },
      { type: 'bind', source: '/host', target: '/h', bind: { create_host_path: true } },
      { type: 'tmpfs', target: '/run', tmpfs: { size: '1m' } },
    ],
    networks: { default: { aliases: ['www'], ipv4_address: '10.0.0.5' } },
    healthcheck: { test: ['CMD', 'true'], interval: '1s', retries: 3 },
    deploy: { resources: { limits: { cpus: '0.5', memory: '64m', pids: 100 } } },
    restart: 'on-failure:3',
    stop_grace_period: '1m',
    cap_add: ['NET_ADMIN'],
    init: true,
  };
  const p: Project = {
    name: 'proj',
    workingDir: '/w',
    configFiles: ['/w/compose.yaml'],
    services: { web },
    disabled: {},
    networks: { default: { name: 'proj_default' } },
    volumes: { data: { name: 'proj_data' } },
    secrets: {},
    configs: {},
    environment: {},
  };
  const r = replicaRequest({ project: p, service: 'web', number: 2, image: 'web:1', hash: 'h' }, 'proj-web-2');
  assert.equal(r.Labels?.['com.docker.compose.project'], 'proj');
  assert.equal(r.Labels?.['com.docker.compose.container-number'], '2');
  assert.equal(r.Labels?.['com.docker.compose.config-hash'], 'h');
  assert.deepEqual(r.Env, ['A=1']);
  assert.deepEqual(r.Cmd, ['run']);
  assert.deepEqual(Object.keys(r.ExposedPorts ?? {}).sort(), ['80/tcp', '9000/tcp']);
  const hc = r.HostConfig;
  assert.deepEqual(hc?.PortBindings, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] });
  assert.deepEqual(hc?.Binds, ['/host:/h']);
  assert.deepEqual(
    hc?.Mounts?.map((m) => [m.Type, m.Source, m.Target]),
    [
      ['volume', 'proj_data', '/data'],
      ['tmpfs', undefined, '/run'],
    ],
  );
  assert.equal(hc?.Mounts?.[1].TmpfsOptions?.SizeBytes, 1024 * 1024);
  assert.equal(hc?.NanoCpus, 5e8);
  assert.equal(hc?.Memory, 64 * 1024 * 1024);
  assert.equal(hc?.PidsLimit, 100);
  assert.deepEqual(hc?.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.equal(hc?.NetworkMode, 'proj_default');
  assert.equal(r.StopTimeout, 60);
  assert.deepEqual(r.Healthcheck, {
    Test: ['CMD', 'true'],
    Interval: 1e9,
    Timeout: undefined,
    StartPeriod: undefined,
    StartInterval: undefined,
    Retries: 3,
  });
  const ep = r.NetworkingConfig?.EndpointsConfig?.proj_default as {
    Aliases: string[];
    IPAMConfig: { IPv4Address: string };
  };
  assert.deepEqual(ep.Aliases, ['proj-web-2', 'web', 'www']);
  assert.equal(ep.IPAMConfig.IPv4Address, '10.0.0.5');
});
