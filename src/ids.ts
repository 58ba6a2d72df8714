/**
 * UUID v4 strings for message, event and request ids.
 *
 * Why not crypto.randomUUID(): Node builds its result by concatenation, so each id is a tree of
 * ~14 cons-string nodes (~450 bytes) until something flattens it; with a million queued messages
 * that is most of the heap. These ids are written into a byte buffer and read out once as a flat
 * one-byte string (~56 bytes), from a pool of random bytes refilled 4 KiB at a time.
 */
import { randomFillSync } from 'node:crypto';

const POOL = Buffer.allocUnsafe(4096);
let offset = POOL.length;
const HEX = Buffer.from('0123456789abcdef');
const OUT = Buffer.allocUnsafe(36);
// Byte index of each hex pair in the 36-character form (dashes at 8, 13, 18, 23).
const POS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
OUT[8] = OUT[13] = OUT[18] = OUT[23] = 0x2d;

export function uuid(): string {
  if (offset + 16 > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  for (let i = 0; i < 16; i++) {
    let b = POOL[offset + i];
    if (i === 6) b = (b & 0x0f) | 0x40; // version 4
    else if (i === 8) b = (b & 0x3f) | 0x80; // RFC 4122 variant
    OUT[POS[i]] = HEX[b >> 4];
    OUT[POS[i] + 1] = HEX[b & 0x0f];
  }
  offset += 16;
  return OUT.toString('latin1', 0, 36);
}
