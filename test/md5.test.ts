/** The vectors of shared/reference/MD5.md. */
import { createHash } from 'node:crypto';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { md5Hex, md5OfAttributes } from '../src/sqs/md5.js';

const str = (DataType: string, StringValue: string): MessageAttributeValue => ({ DataType, StringValue });
const bin = (DataType: string, bytes: number[]): MessageAttributeValue => ({ DataType, BinaryValue: new Uint8Array(bytes) });

describe('body digest (MD5OfMessageBody / MD5OfBody)', () => {
  it('is the lower-case hex MD5 of the UTF-8 body', () => {
    expect(md5Hex('hello world')).toBe('5eb63bbbe01eeed093cb22bb8f5acdc3');
    expect(md5Hex('{"hello":"world"}')).toBe('fbc24bcc7a1794758fc1327fcfebdaf6');
    // AWS vector (aws-sdk-ruby#1885)
    expect(md5Hex('{"foo":20}')).toBe('d6cf0f93237ada70daf9b6e75cfff2e6');
  });

  it('hashes UTF-8 bytes, not Latin-1 or UTF-16', () => {
    const body = 'héllo wörld 🌍';
    expect(md5Hex(body)).toBe('0e487ea323b9fe6a06a7796b48540d5c');
    expect(md5Hex(body)).toBe(rawMd5(Buffer.from(body, 'utf8')));
    expect(md5Hex(body)).not.toBe(rawMd5(Buffer.from(body, 'latin1')));
  });

  it('keeps a \\r (the XML encoder must not lose it)', () => {
    expect(md5Hex('a\r\nb')).not.toBe(md5Hex('a\nb'));
  });
});

describe('attribute digest (MD5OfMessageAttributes / MD5OfMessageSystemAttributes)', () => {
  it('reproduces the worked example (Blob, City, Population)', () => {
    const attrs = {
      City: str('String', 'Any City'),
      Population: str('Number', '1250800'),
      Blob: bin('Binary', [1, 2, 3]),
    };
    expect(md5OfAttributes(attrs)).toBe('1f95e5086c99f10a02072a6b358e2465');
  });

  it('sorts by name whatever the insertion order', () => {
    const a = { Population: str('Number', '1250800'), Blob: bin('Binary', [1, 2, 3]), City: str('String', 'Any City') };
    const b = { Blob: bin('Binary', [1, 2, 3]), City: str('String', 'Any City'), Population: str('Number', '1250800') };
    expect(md5OfAttributes(a)).toBe('1f95e5086c99f10a02072a6b358e2465');
    expect(md5OfAttributes(b)).toBe('1f95e5086c99f10a02072a6b358e2465');
  });

  it('reproduces the published AWS and SDK vectors', () => {
    expect(md5OfAttributes({ baz: str('String', 'qux') })).toBe('16bd0283a5b4962721ccd3efe4bc6257');
    expect(md5OfAttributes({ timestamp: str('Number', '1493147359900') })).toBe('235c5c510d26fb653d073faed50ae77c');
    expect(md5OfAttributes({ timestamp: str('Number', '1493147359901') })).toBe('994258b45346a2cc3f9cbb611aa7af30');
    expect(md5OfAttributes({ 'SOME_Valid.attribute-Name': str('Number', '1493147359900') })).toBe('36655e7e9d7c0e8479fa3f3f42247ae7');
  });

  it('hashes the full DataType, so custom subtypes change the digest', () => {
    expect(md5OfAttributes({ price: str('Number.float', '9.99') })).toBe('a708d61fa9258d76a4db3b9f79a9b437');
    expect(md5OfAttributes({ price: str('Number', '9.99') })).toBe('fddd202d660e3a312b6e11692ecfb118');
  });

  it('reproduces the captured SendMessage digests', () => {
    expect(md5OfAttributes({ City: str('String', 'Any City'), Blob: bin('Binary', [1, 2, 3]) })).toBe('239ae0210b5decfca300f48585acfb62');
    expect(md5OfAttributes({ City: str('String', 'Any City') })).toBe('0c32cb5c844c01fbd5b6b434b52cf670');
  });

  it('digests system attributes with the same encoding (AWSTraceHeader)', () => {
    const trace = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    expect(md5OfAttributes({ AWSTraceHeader: str('String', trace) })).toBe('5ae4d5d7636402d80f4eb6d213245a88');
  });

  it('hashes the raw bytes of a binary value, even a view into a larger buffer', () => {
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
    const view = backing.subarray(2, 5);
    const attrs = {
      City: str('String', 'Any City'),
      Population: str('Number', '1250800'),
      Blob: { DataType: 'Binary', BinaryValue: view },
    };
    expect(md5OfAttributes(attrs)).toBe('1f95e5086c99f10a02072a6b358e2465');
  });

  it('uses byte lengths for non-ASCII values', () => {
    // Hand-built encoding: [len]"n" [len]"String" 01 [len]utf8("é🌍")
    const value = 'é🌍';
    const bytes = Buffer.from(value, 'utf8');
    expect(bytes.length).toBe(6);
    const encoded = Buffer.concat([
      Buffer.from([0, 0, 0, 1]),
      Buffer.from('n'),
      Buffer.from([0, 0, 0, 6]),
      Buffer.from('String'),
      Buffer.from([1, 0, 0, 0, bytes.length]),
      bytes,
    ]);
    expect(md5OfAttributes({ n: str('String', value) })).toBe(rawMd5(encoded));
  });

  it('gives no digest for no attributes', () => {
    expect(md5OfAttributes(undefined)).toBeUndefined();
    expect(md5OfAttributes({})).toBeUndefined();
  });
});

/** MD5 straight from node:crypto, independent of the module under test. */
function rawMd5(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}
