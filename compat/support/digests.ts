/**
 * SQS's digests written from shared/reference/MD5.md, independently of src/sqs/md5.ts, so the
 * compat suites check the server against the specification rather than against itself.
 */
import { createHash } from 'node:crypto';

export interface AttributeLike {
  DataType?: string;
  StringValue?: string;
  /** Raw bytes (the SDKs' Uint8Array, or a byte array from the boto3 script's JSON). */
  BinaryValue?: Uint8Array | number[];
}

export const md5 = (data: string | Buffer): string => createHash('md5').update(data).digest('hex');

/** The byte string MD5.md section 3 feeds to MD5: attributes sorted by name, length-prefixed. */
export function encodeAttributes(attrs: Record<string, AttributeLike>): Buffer {
  const parts: Buffer[] = [];
  const prefixed = (data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length, 0);
    parts.push(len, data);
  };
  for (const name of Object.keys(attrs).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const v = attrs[name];
    prefixed(Buffer.from(name, 'utf8'));
    prefixed(Buffer.from(v.DataType!, 'utf8'));
    if (v.StringValue !== undefined) {
      parts.push(Buffer.from([1]));
      prefixed(Buffer.from(v.StringValue, 'utf8'));
    } else if (v.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      prefixed(Buffer.from(v.BinaryValue));
    }
  }
  return Buffer.concat(parts);
}

export function attributesMd5(attrs: Record<string, AttributeLike>): string {
  return md5(encodeAttributes(attrs));
}
