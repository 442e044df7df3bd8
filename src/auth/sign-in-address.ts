/**
 * The per-address budget of failed sign-ins (docs/identity.md, "Brute force"). A client
 * address is counted, never stored: its tag is an HMAC under a server key, of the IPv4
 * address, or of the /64 an IPv6 address belongs to (one subscriber usually holds a whole
 * /64, so counting single IPv6 addresses would give a guesser 2^64 budgets). An IPv4
 * address written as IPv6 (`::ffff:192.0.2.1`) counts as itself.
 */
import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { SIGN_IN_ADDRESS_WINDOW_MS } from '../common/http/rate-limits';

/** Where an address is counted: itself (IPv4) or its /64 (IPv6), in a canonical spelling. */
export function addressGroup(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped !== null && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, as numbers written in lower-case hex. */
function expandIPv6(address: string): string[] {
  const withoutZone = address.split('%')[0];
  const [head, tail] = withoutZone.includes('::') ? withoutZone.split('::') : [withoutZone, undefined];
  const groupsOf = (part: string | undefined): string[] => (part === undefined || part === '' ? [] : part.split(':'));
  let front = groupsOf(head);
  let back = groupsOf(tail);
  // A trailing dotted quad stands for the last two groups.
  const convert = (groups: string[]): string[] => {
    const last = groups[groups.length - 1];
    if (last === undefined || !isIPv4(last)) return groups;
    const [a, b, c, d] = last.split('.').map(Number);
    return [...groups.slice(0, -1), ((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
  };
  if (tail === undefined) front = convert(front);
  else back = convert(back);
  const missing = tail === undefined ? 0 : 8 - front.length - back.length;
  return [...front, ...Array<string>(missing).fill('0'), ...back].map((group) => parseInt(group, 16).toString(16));
}

export function addressTag(key: Buffer, address: string): Buffer {
  return createHmac('sha256', key).update(addressGroup(address)).digest().subarray(0, 16);
}

export function addressWindowStart(now: Date): Date {
  return new Date(Math.floor(now.getTime() / SIGN_IN_ADDRESS_WINDOW_MS) * SIGN_IN_ADDRESS_WINDOW_MS);
}

/** What the guard took for this request, for the service to give back on success. */
export interface AddressAttempt {
  readonly tag: Buffer;
  readonly windowStart: Date;
}
