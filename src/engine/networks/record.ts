/**
 * Network records (the `networks` table: id → name, JSON record): Docker's
 * inspect fields plus Berth's own (`bridge`, the Linux bridge's name).
 * A container's runtime wiring (`netSandbox`) rides on its container record.
 */
import type { PortBinding } from '../../network/ports.ts';
import type { ContainerRecord } from '../containers/record.ts';

export interface NetworkRecord {
  Name: string;
  Id: string;
  Created: string;
  Scope: 'local';
  Driver: 'bridge' | 'host' | 'null';
  EnableIPv4: boolean;
  EnableIPv6: boolean;
  IPAM: {
    Driver: 'default';
    Options: Record<string, string> | null;
    Config: Array<{ Subnet: string; Gateway: string; IPRange?: string }>;
  };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Options: Record<string, string>;
  Labels: Record<string, string>;
  /** Berth's: the Linux bridge (bridge driver only). */
  bridge?: string;
}

export const PREDEFINED = ['bridge', 'host', 'none'] as const;

export interface NetSandbox {
  /** The namespace file the container joined. */
  netns: string;
  /** Host ends of the veth pairs, by network name. */
  veths: Record<string, string>;
  /** Published ports as bound (random host ports resolved). */
  ports: PortBinding[];
}

type WithSandbox = ContainerRecord & { netSandbox?: NetSandbox };

export function sandboxOf(rec: ContainerRecord): NetSandbox | undefined {
  return (rec as WithSandbox).netSandbox;
}

export function setSandbox(rec: ContainerRecord, s: NetSandbox | undefined): void {
  if (s) (rec as WithSandbox).netSandbox = s;
  else delete (rec as WithSandbox).netSandbox;
}

/** `default` and empty mean `bridge`, as in Docker. */
export function networkModeOf(mode: string | undefined): string {
  return !mode || mode === 'default' ? 'bridge' : mode;
}

export function isSpecialMode(mode: string): boolean {
  return mode === 'host' || mode === 'none' || mode.startsWith('container:');
}
