/**
 * The digests SQS returns and SDKs verify: MD5 of the body, and MD5 over the binary encoding of
 * message (or system) attributes sorted by name. See shared/reference/MD5.md.
 */
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';

// crypto.hash (Node >= 20.12) is a one-shot digest without a Hash object per call: measurably
// cheaper on the SendMessage/ReceiveMessage hot path. Fall back where it is missing.
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';

export function md5Hex(text: string): string {
  return oneShot ? oneShot('md5', text, 'hex') : createHash('md5').update(text, 'utf8').digest('hex');
}

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n, 0);
  return b;
}

function lengthPrefixed(parts: Buffer[], data: Buffer): void {
  parts.push(u32(data.length), data);
}

/** MD5 of the attributes' binary encoding, or undefined when there are none. */
export function md5OfAttributes(attributes: Record<string, MessageAttributeValue> | undefined): string | undefined {
  if (!attributes) return undefined;
  const names = Object.keys(attributes);
  if (names.length === 0) return undefined;
  // Names are ASCII (validated), so code-unit order is byte order.
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const parts: Buffer[] = [];
  for (const name of names) {
    const v = attributes[name];
    lengthPrefixed(parts, Buffer.from(name, 'utf8'));
    lengthPrefixed(parts, Buffer.from(v.DataType ?? '', 'utf8'));
    if (v.StringValue !== undefined) {
      parts.push(Buffer.from([1]));
      lengthPrefixed(parts, Buffer.from(v.StringValue, 'utf8'));
    } else if (v.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      lengthPrefixed(parts, Buffer.from(v.BinaryValue.buffer, v.BinaryValue.byteOffset, v.BinaryValue.byteLength));
    }
  }
  return createHash('md5').update(Buffer.concat(parts)).digest('hex');
}
