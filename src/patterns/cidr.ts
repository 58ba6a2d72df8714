/**
 * IP addresses and CIDR blocks, as 128-bit numbers (IPv4 in the low 32 bits of its own family),
 * so a range check is two bigint comparisons.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { InvalidPatternError } from './errors.js';

export interface CidrRange {
  v6: boolean;
  low: bigint;
  high: bigint;
}

export function parseIp(text: string): { v6: boolean; value: bigint } | undefined {
  if (isIPv4(text)) {
    let v = 0n;
    for (const part of text.split('.')) v = (v << 8n) | BigInt(Number(part));
    return { v6: false, value: v };
  }
  if (isIPv6(text)) {
    let s = text;
    const lastColon = s.lastIndexOf(':');
    const last = s.slice(lastColon + 1);
    if (last.includes('.')) {
      // An embedded IPv4 tail (::ffff:1.2.3.4) is two more groups.
      const v4 = parseIp(last);
      if (!v4 || v4.v6) return undefined;
      s = `${s.slice(0, lastColon + 1)}${(v4.value >> 16n).toString(16)}:${(v4.value & 0xffffn).toString(16)}`;
    }
    const double = s.indexOf('::');
    const groupsOf = (part: string): bigint[] => (part === '' ? [] : part.split(':').map((x) => BigInt(parseInt(x, 16))));
    let groups: bigint[];
    if (double < 0) groups = groupsOf(s);
    else {
      const head = groupsOf(s.slice(0, double));
      const tail = groupsOf(s.slice(double + 2));
      groups = [...head, ...new Array<bigint>(8 - head.length - tail.length).fill(0n), ...tail];
    }
    if (groups.length !== 8) return undefined;
    let v = 0n;
    for (const g of groups) v = (v << 16n) | g;
    return { v6: true, value: v };
  }
  return undefined;
}

/** Validates and parses `address/bits` with AWS's reasons for refusing. */
export function parseCidr(text: string): CidrRange {
  const parts = text.split('/');
  if (parts.length !== 2) throw new InvalidPatternError("Malformed CIDR, one '/' required");
  const [addr, bitsText] = parts;
  if (!/^\d+$/.test(bitsText)) throw new InvalidPatternError('Malformed CIDR, mask bits must be an integer');
  const ip = parseIp(addr);
  if (!ip) throw new InvalidPatternError(`Nonstandard IP address: ${addr}`);
  const width = ip.v6 ? 128 : 32;
  const bits = Number(bitsText);
  if (bits > width) throw new InvalidPatternError(`Malformed CIDR, mask bits must be between 0 and ${width}`);
  const hostBits = BigInt(width - bits);
  const low = (ip.value >> hostBits) << hostBits;
  const high = low | ((1n << hostBits) - 1n);
  return { v6: ip.v6, low, high };
}

export function inCidr(range: CidrRange, text: string): boolean {
  const ip = parseIp(text);
  return ip !== undefined && ip.v6 === range.v6 && ip.value >= range.low && ip.value <= range.high;
}
