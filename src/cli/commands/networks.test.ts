import assert from 'node:assert/strict';
import { test } from 'node:test';
import { networkCreateRequest } from './networks.ts';
import { pruneWarning } from './system-prune.ts';

test('network create: gateways and ranges go to the subnet that holds them', () => {
  const r = networkCreateRequest('n', {
    driver: 'bridge',
    subnet: ['10.1.0.0/24', '10.2.0.0/16'],
    gateway: ['10.2.0.9', '10.1.0.1'],
    ipRange: ['10.1.0.128/25'],
    label: ['a=b', 'flag'],
    opt: ['com.docker.network.bridge.name=br0'],
    internal: true,
  });
  assert.deepEqual(r.IPAM?.Config, [
    { Subnet: '10.1.0.0/24', Gateway: '10.1.0.1', IPRange: '10.1.0.128/25' },
    { Subnet: '10.2.0.0/16', Gateway: '10.2.0.9' },
  ]);
  assert.deepEqual(r.Labels, { a: 'b', flag: '' });
  assert.deepEqual(r.Options, { 'com.docker.network.bridge.name': 'br0' });
  assert.equal(r.Internal, true);
  assert.equal(r.Driver, 'bridge');
});

test('network create: a gateway outside every subnet is refused before any request', () => {
  assert.throws(
    () => networkCreateRequest('n', { gateway: ['10.9.0.1'] }),
    /every ip-range or gateway must have a corresponding subnet/,
  );
  assert.throws(
    () => networkCreateRequest('n', { subnet: ['10.1.0.0/24'], gateway: ['10.9.0.1'] }),
    /corresponding subnet/,
  );
});

test('system prune: the warning lists what the flags remove, and the filters', () => {
  assert.equal(
    pruneWarning({ all: true, volumes: true, filter: ['label=a=b'] }),
    'WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n' +
      '  - all anonymous volumes not used by at least one container\n' +
      '  - all images without at least one container associated to them\n  - all build cache\n\n' +
      '  Items to be pruned will be filtered with:\n  - label=a=b\n\nAre you sure you want to continue?',
  );
});
