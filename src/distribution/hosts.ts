/**
 * Where a registry domain is reached: its endpoints (mirrors first for
 * docker.io), plain HTTP or HTTPS, and the TLS material Docker keeps in
 * `certs.d`:
 *
 *   CERTS_DIR/HOST:PORT/ca.crt        extra CA (also any *.crt)
 *   CERTS_DIR/HOST:PORT/client.cert   client certificate (with client.key)
 *   CERTS_DIR/HOST:PORT/client.key
 *
 * A registry is insecure (plain HTTP allowed, TLS not verified) when it is
 * listed in `insecureRegistries` (host, host:port or CIDR) or its host is an
 * IP in 127.0.0.0/8, as Docker does.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_DOMAIN } from '../oci/reference.ts';

export const DEFAULT_CERTS_DIR = '/etc/berth/certs.d';
const DOCKER_HUB = 'https://registry-1.docker.io';

export interface HostsConfig {
  insecureRegistries?: string[];
  registryMirrors?: string[];
  certsDir?: string;
}

export interface TlsMaterial {
  ca?: Buffer[];
  cert?: Buffer;
  key?: Buffer;
}

export interface Endpoint {
  /** `https://host:port` or `http://host:port`, no trailing slash. */
  base: string;
  /** The registry domain this endpoint serves (for auth and certs). */
  domain: string;
  insecure: boolean;
  mirror: boolean;
  tls: TlsMaterial;
  /** For an insecure registry: try the other scheme when this one fails. */
  fallback?: string;
}

function hostOf(domain: string): string {
  if (domain.startsWith('[')) return domain.slice(1, domain.indexOf(']'));
  const i = domain.lastIndexOf(':');
  return i >= 0 ? domain.slice(0, i) : domain;
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, p) => (n << 8) + Number(p), 0) >>> 0;
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  if (isIP(ip) !== 4 || isIP(net) !== 4) return false;
  const n = Number(bits);
  const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
  return (ipv4ToInt(ip) & mask) === (ipv4ToInt(net) & mask);
}

export class RegistryHosts {
  private insecure: string[];
  private mirrors: string[];
  readonly certsDir: string;
  private tlsCache = new Map<string, TlsMaterial>();

  constructor(c: HostsConfig = {}) {
    this.insecure = ['127.0.0.0/8', ...(c.insecureRegistries ?? [])];
    this.mirrors = (c.registryMirrors ?? []).map((m) => m.replace(/\/+$/, ''));
    this.certsDir = c.certsDir ?? DEFAULT_CERTS_DIR;
  }

  isInsecure(domain: string): boolean {
    const host = hostOf(domain);
    for (const e of this.insecure) {
      if (e.includes('/')) {
        if (inCidr(host, e)) return true;
      } else if (e === domain || e === host) return true;
    }
    return false;
  }

  /** CA, client cert and key from certs.d for `domain` (read once). */
  tls(domain: string): TlsMaterial {
    let t = this.tlsCache.get(domain);
    if (t) return t;
    t = {};
    const dir = join(this.certsDir, domain);
    if (existsSync(dir)) {
      const files = readdirSync(dir);
      const cas = files.filter((f) => f.endsWith('.crt')).map((f) => readFileSync(join(dir, f)));
      if (cas.length) t.ca = cas;
      const cert = files.find((f) => f.endsWith('.cert'));
      if (cert) {
        const key = join(dir, cert.replace(/\.cert$/, '.key'));
        if (existsSync(key)) {
          t.cert = readFileSync(join(dir, cert));
          t.key = readFileSync(key);
        }
      }
    }
    this.tlsCache.set(domain, t);
    return t;
  }

  /** The endpoints to try for a pull, in order (mirrors first for docker.io). */
  pullEndpoints(domain: string): Endpoint[] {
    const out: Endpoint[] = [];
    if (domain === DEFAULT_DOMAIN) {
      for (const m of this.mirrors) {
        const d = new URL(m).host;
        out.push({ ...this.endpoint(d), base: m, mirror: true });
      }
    }
    out.push(this.endpoint(domain));
    return out;
  }

  /** The endpoint for a push (never a mirror). */
  endpoint(domain: string): Endpoint {
    if (domain === DEFAULT_DOMAIN) {
      return { base: DOCKER_HUB, domain, insecure: false, mirror: false, tls: {} };
    }
    const insecure = this.isInsecure(domain);
    return {
      base: `https://${domain}`,
      domain,
      insecure,
      mirror: false,
      tls: this.tls(domain),
      fallback: insecure ? `http://${domain}` : undefined,
    };
  }
}
