/**
 * Compute-instance naming (docs/architecture.md): the server id is the compute instance name,
 * deterministic for (hub, user, project, VM size, server name).
 */
import { createHash } from 'node:crypto';

export const SERVER_ID_PATTERN = /^ci-[0-9a-p]{21}$/;

export interface ServerIdentity {
  /** HUB_ID: compute names are unique per region, so two hubs on one subscription must not share ids. */
  hubId: string;
  user: string;
  project: string;
  vmSize: string;
  /** "" for the user's default server. */
  serverName: string;
}

/**
 * The parts are joined with a newline, which none of them can contain: a plain concatenation let
 * alice/xyz-lab and alicex/yz-lab share one id.
 */
export function serverIdFor({ hubId, user, project, vmSize, serverName }: ServerIdentity): string {
  const input = [hubId, user, project, vmSize, serverName].join('\n');
  const hex = createHash('md5').update(input, 'utf8').digest('hex').slice(0, 21);
  return `ci-${avoidAllDigits(hex)}`;
}

/**
 * Azure rejects a name ending in "-" followed only by digits. When the hash is all digits the
 * first digit d becomes the letter g+d; g..p never occur in hex, so no two ids collide.
 */
function avoidAllDigits(hex: string): string {
  if (!/^[0-9]+$/.test(hex)) return hex;
  const first = String.fromCharCode('g'.charCodeAt(0) + Number(hex[0]));
  return first + hex.slice(1);
}

export function isServerId(value: string): boolean {
  return SERVER_ID_PATTERN.test(value);
}
