/**
 * CRC-32 (IEEE, as zlib and gzip compute it). Node has `zlib.crc32` from 20.15 and 22.2; older
 * Node 20 releases get the table-driven version below, which gives the same numbers.
 */
import * as zlib from 'node:zlib';

type Crc32 = (data: string | Uint8Array) => number;

const native = (zlib as unknown as { crc32?: Crc32 }).crc32;

let table: Int32Array | undefined;
function fallback(data: string | Uint8Array): number {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let crc = -1;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

export const crc32: Crc32 = typeof native === 'function' ? native : fallback;
export const crc32Fallback = fallback;
