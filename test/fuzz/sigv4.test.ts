/**
 * Fuzzing SigV4 (src/gateway/sigv4.ts, auth.ts): the credential scope every request's
 * Authorization header is read for, and strict mode's verifier. Hostile headers, dates, paths and
 * presigned query strings are refused with one of AWS's four failures, never a throw, in bounded
 * time; a request the SDK signed and then altered in any one part is refused; through a strict
 * server, every refusal is the protocol's 400/403, never a 500. (Agreement with the SDK's signer on
 * valid requests is test/security-auth.test.ts's.)
 */
import type { IncomingMessage } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SigV4Verifier } from '../../src/gateway/auth.js';
import { parseCredentialScope } from '../../src/gateway/sigv4.js';
import { startSwitchyard, type Switchyard } from '../../src/index.js';
import { anyString } from './arbitraries.js';
import { assertNoPollution, bounded, count, params, printCounts } from './support.js';

const KEY = 'AKIDFUZZ';
const SECRET = 'fuzz/secret+key';

let strict: Switchyard;
const internal: unknown[] = [];
beforeAll(async () => {
  strict = await startSwitchyard({ port: 0, strictAuth: true, credentials: [{ accessKeyId: KEY, secretAccessKey: SECRET }], onError: (err) => internal.push(err) });
});
afterAll(async () => {
  await strict?.stop();
  printCounts();
});

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const part = fc.oneof(fc.constantFrom('us-east-1', 'sqs', 'sns', 'events', '20240101', 'aws4_request', KEY, '123456789012', '__proto__', 'constructor', '', 'a'.repeat(65), 'US-EAST-1'), printable);
const credential = fc.oneof(
  fc.array(part, { minLength: 0, maxLength: 7 }).map((parts) => parts.join('/')),
  fc.constantFrom(`${KEY}/20240101/us-east-1/sqs/aws4_request`, `${KEY}/20240101/us-east-1/sqs/aws4_request/`, '/////', ''),
);
const authorization = fc.oneof(
  fc.tuple(fc.constantFrom('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512', 'AWS4-', 'AWS4-ECDSA-P256-SHA256', 'aws4-hmac-sha256', ''), credential, fc.oneof(fc.constantFrom('host', 'host;x-amz-date', 'x-amz-date', '', ';;;', 'host;__proto__;constructor'), printable), fc.oneof(fc.constantFrom('0'.repeat(64), 'f'.repeat(63), ''), printable), fc.boolean()).map(
    ([alg, cred, signed, sig, spaces]) => `${alg} Credential=${cred},${spaces ? '  ' : ''}SignedHeaders=${signed}, Signature=${sig}`,
  ),
  printable,
  anyString,
  fc.constantFrom('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA256 ', 'AWS4-HMAC-SHA256 Credential=,,,,', 'AWS4-HMAC-SHA256 ' + 'Credential=a,'.repeat(2000), 'AWS4-HMAC-SHA256 =,=,=', 'AWS4-HMAC-SHA256 __proto__=x, constructor=y'),
);
const amzDate = fc.oneof(
  fc.date({ min: new Date('1970-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((d) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')),
  fc.constantFrom('20240230T000000Z', '20241301T000000Z', '99999999T999999Z', '2024-01-01T00:00:00Z', '', '0', 'Tue, 01 Jan 2024 00:00:00 GMT'),
  printable,
);
const path = fc.oneof(fc.constantFrom('/', '//', '/./', '/../..', '/%', '/%zz', '/%E0%A4%A', '/a b', '/000000000000/q', '*', ''), printable.map((p) => `/${p}`));
const query = fc.oneof(
  fc.constant(''),
  fc.array(fc.tuple(fc.oneof(fc.constantFrom('X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date', 'X-Amz-Expires', 'Action', '__proto__'), printable), fc.oneof(fc.constantFrom('AWS4-HMAC-SHA256', '%', '%zz', '604801', '-1', '1e9', `${KEY}%2F20240101%2Fus-east-1%2Fsqs%2Faws4_request`, 'host', ''), printable)), { maxLength: 6 }).map((ps) => ps.map(([k, v]) => `${k}=${v}`).join('&')),
);

/** A request as node:http hands it to the verifier. */
function request(method: string, url: string, headers: Record<string, string | string[]>): IncomingMessage {
  const lower: Record<string, string> = {};
  const distinct: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    const values = Array.isArray(v) ? v : [v];
    Object.defineProperty(distinct, k.toLowerCase(), { value: values, enumerable: true, writable: true, configurable: true });
    Object.defineProperty(lower, k.toLowerCase(), { value: values.join(', '), enumerable: true, writable: true, configurable: true });
  }
  return { method, url, headers: lower, headersDistinct: distinct } as unknown as IncomingMessage;
}

const KINDS = ['missing', 'incomplete', 'unknown-key', 'mismatch'];

describe('credential scope', () => {
  it('any Authorization header: a well-formed scope or none, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(authorization, fc.array(printable, { maxLength: 3 }) as fc.Arbitrary<unknown>, fc.constant(undefined)), (header) => {
        count('sigv4: parseCredentialScope');
        const scope = bounded(50, 'parseCredentialScope', () => parseCredentialScope(header as string | string[] | undefined));
        if (scope) {
          expect(scope.accessKeyId.length).toBeGreaterThan(0);
          expect(scope.date).toMatch(/^\d{8}$/);
          expect(scope.region).toMatch(/^[A-Za-z0-9-]{1,64}$/);
          expect(scope.service).toMatch(/^[A-Za-z0-9-]{1,64}$/);
          expect(Object.getPrototypeOf(scope)).toBe(Object.prototype);
        }
        assertNoPollution();
      }),
      params(2000),
    );
  });

  it('a scope as the SDKs write it reads back', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9-]{1,64}$/);
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{1,128}$/), fc.date({ min: new Date('1970-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }), token, token, (key, d, region, service) => {
        count('sigv4: scope round trip');
        const date = d.toISOString().slice(0, 10).replace(/-/g, '');
        const header = `AWS4-HMAC-SHA256 Credential=${key}/${date}/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`;
        expect(parseCredentialScope(header)).toEqual({ accessKeyId: key, date, region, service });
      }),
      params(500),
    );
  });
});

describe('strict-mode verifier', () => {
  const verifier = new SigV4Verifier([{ accessKeyId: KEY, secretAccessKey: SECRET }]);

  it('hostile headers, dates, paths and presigned queries: one of AWS\'s four failures, never a throw', () => {
    fc.assert(
      fc.property(fc.option(authorization, { nil: undefined }), fc.option(amzDate, { nil: undefined }), fc.option(printable, { nil: undefined }), path, query, fc.constantFrom('POST', 'GET', ''), (auth, date, httpDate, p, q, method) => {
        count('sigv4: verifier, hostile requests');
        const headers: Record<string, string | string[]> = { host: 'localhost:4566' };
        if (auth !== undefined) headers.authorization = auth;
        if (date !== undefined) headers['x-amz-date'] = date;
        if (httpDate !== undefined) headers.date = httpDate;
        const result = bounded(100, 'verify', () => verifier.verify(request(method, q ? `${p}?${q}` : p, headers), Buffer.from('{}')));
        expect(result.ok).toBe(false);
        if (!result.ok) {
          expect(KINDS).toContain(result.kind);
          expect(typeof result.message).toBe('string');
        }
        assertNoPollution();
      }),
      params(2000),
    );
  });

  it('a request the SDK signed, altered in one part (body, a signed header, path, query, date, signature), is refused', async () => {
    const signer = new SignatureV4({ service: 'sqs', region: 'us-east-1', credentials: { accessKeyId: KEY, secretAccessKey: SECRET }, sha256: Sha256 });
    const change = fc.constantFrom('body', 'header', 'path', 'query', 'date', 'signature', 'none');
    await fc.assert(
      fc.asyncProperty(anyString, fc.stringMatching(/^\/[A-Za-z0-9._~-]{0,12}$/), fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,5}$/), fc.string({ maxLength: 8 }), { maxKeys: 2 }), fc.stringMatching(/^[ -~]{1,16}$/), change, async (body, p, q, headerValue, what) => {
        count('sigv4: verifier, signed then altered');
        const now = new Date();
        const signed = await signer.sign(
          { method: 'POST', protocol: 'http:', hostname: 'localhost', port: 4566, path: p, query: q, headers: { host: 'localhost:4566', 'content-type': 'application/x-amz-json-1.0', 'x-fuzz': headerValue }, body },
          { signingDate: now },
        );
        const headers = { ...(signed.headers as Record<string, string>) };
        let url = p;
        const qs = new URLSearchParams(q).toString().replace(/\+/g, '%20');
        if (qs) url += `?${qs}`;
        let sent = Buffer.from(body);
        if (what === 'body') sent = Buffer.concat([sent, Buffer.from(' ')]);
        if (what === 'header') headers['x-fuzz'] = `${headerValue}x`;
        // Prefixed inside the first segment: `/x/..` would normalise to the same path as `/..`.
        if (what === 'path') url = `/zz${url.slice(1)}`;
        if (what === 'query') url += `${qs ? '&' : '?'}extra=1`;
        if (what === 'date') headers['x-amz-date'] = new Date(now.getTime() + 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
        if (what === 'signature') headers.authorization = headers.authorization.replace(/Signature=(.)/, (_, c: string) => `Signature=${c === 'a' ? 'b' : 'a'}`);
        const result = verifier.verify(request('POST', url, headers), sent);
        if (what === 'none') expect(result.ok).toBe(true);
        else {
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.kind).toBe('mismatch');
        }
      }),
      params(300),
    );
  });

  it('through a strict server: every refusal is the protocol\'s 400 or 403, never a 500', async () => {
    const target = fc.constantFrom(
      { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' },
      { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.ListRules' },
      { 'content-type': 'application/x-www-form-urlencoded' },
    );
    await fc.assert(
      fc.asyncProperty(target, fc.option(authorization, { nil: undefined }), fc.option(amzDate, { nil: undefined }), query, async (t, auth, date, q) => {
        count('sigv4: strict server, hostile requests');
        const headers: Record<string, string> = { ...(t as Record<string, string>) };
        if (auth !== undefined) headers.authorization = auth;
        if (date !== undefined) headers['x-amz-date'] = date;
        const form = t['content-type'].startsWith('application/x-www-form') ? 'Action=ListTopics&Version=2010-03-31' : '{}';
        let res: Response;
        try {
          res = await fetch(`${strict.endpoint}/${q ? `?${q}` : ''}`, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(5000) });
        } catch (err) {
          // fetch refuses header values it cannot send (non-Latin-1): nothing reached the server.
          if (err instanceof TypeError && !String((err as Error & { cause?: unknown }).cause ?? '').includes('ECONN')) return;
          throw err;
        }
        const text = await res.text();
        // 431: node's own refusal of a head past 16 KiB, before any of Switchyard runs.
        if (res.status === 431) return;
        expect([400, 403, 404]).toContain(res.status);
        if (t['content-type'].startsWith('application/x-amz-json')) expect(typeof JSON.parse(text).__type).toBe('string');
        else expect(text).toMatch(/<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>/);
      }),
      params(200),
    );
    expect(internal).toEqual([]);
  });
});
