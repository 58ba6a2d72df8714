/**
 * Strict mode's verifier (src/gateway/sigv4.ts, src/gateway/auth.ts) on its own: AWS's published
 * SigV4 examples, agreement with the SDK's signer (@smithy/signature-v4) on generated requests
 * (paths, query strings and header values of every kind), each of AWS's refusals in the order AWS
 * checks, the 15-minute window on the wall clock (not Switchyard's), and the settings: the
 * option, the config file, the command line. The real clients are in compat/strict-auth.test.ts.
 */
import type { IncomingMessage } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sqs from '@aws-sdk/client-sqs';
import { SigV4Verifier, authError, type AuthFailure } from '../src/gateway/auth.js';
import { canonicalPath, canonicalQuery, canonicalRequest, sha256Hex, signatureOf, signingKey, stringToSign } from '../src/gateway/sigv4.js';
import { parseCommandLine } from '../src/cli/options.js';
import { startSwitchyard, type Switchyard } from '../src/index.js';

const EXAMPLE_KEY = 'AKIDEXAMPLE';
const EXAMPLE_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

/** What the verifier reads of a request, as node:http gives it. */
function request(method: string, url: string, headers: Record<string, string | string[]>): IncomingMessage {
  const lower: Record<string, string> = {};
  const distinct: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    const values = Array.isArray(v) ? v : [v];
    distinct[k.toLowerCase()] = values;
    lower[k.toLowerCase()] = values.join(', ');
  }
  return { method, url, headers: lower, headersDistinct: distinct } as unknown as IncomingMessage;
}

/** Signs like an SDK (the SDK's own signer), for `host` at `date`. */
async function sdkSigned(opts: {
  method?: string;
  path?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  service?: string;
  secret?: string;
  key?: string;
  date?: Date;
}): Promise<{ req: IncomingMessage; body: Buffer }> {
  const signer = new SignatureV4({
    service: opts.service ?? 'sqs',
    region: 'us-east-1',
    credentials: { accessKeyId: opts.key ?? EXAMPLE_KEY, secretAccessKey: opts.secret ?? EXAMPLE_SECRET },
    sha256: Sha256,
  });
  const signed = await signer.sign(
    { method: opts.method ?? 'POST', protocol: 'http:', hostname: 'localhost', port: 4566, path: opts.path ?? '/', query: opts.query, headers: { host: 'localhost:4566', ...opts.headers }, body: opts.body },
    { signingDate: opts.date ?? new Date() },
  );
  const q = new URLSearchParams(opts.query ?? {}).toString().replace(/\+/g, '%20');
  return { req: request(signed.method, `${signed.path}${q ? `?${q}` : ''}`, signed.headers as Record<string, string>), body: Buffer.from(opts.body ?? '') };
}

const verifier = (now = Date.now) => new SigV4Verifier([{ accessKeyId: EXAMPLE_KEY, secretAccessKey: EXAMPLE_SECRET }], now);
const failureOf = (result: ReturnType<SigV4Verifier['verify']>): AuthFailure => {
  if (result.ok) throw new Error('verified');
  return result;
};

describe('SigV4 as AWS documents it', () => {
  it("AWS's test suite example get-vanilla", () => {
    const scope = { accessKeyId: EXAMPLE_KEY, date: '20150830', region: 'us-east-1', service: 'service' };
    const canonical = canonicalRequest('GET', canonicalPath('/'), canonicalQuery(''), 'host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n', 'host;x-amz-date', sha256Hex(''));
    const sig = signatureOf(signingKey(EXAMPLE_SECRET, '20150830', 'us-east-1', 'service'), stringToSign('20150830T123600Z', scope, canonical));
    expect(sig).toBe('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  });

  it("the IAM user guide's ListUsers example: the hashed canonical request and the signature", () => {
    const scope = { accessKeyId: EXAMPLE_KEY, date: '20150830', region: 'us-east-1', service: 'iam' };
    const canonical = canonicalRequest(
      'GET',
      canonicalPath('/'),
      canonicalQuery('Version=2010-05-08&Action=ListUsers'),
      'content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n',
      'content-type;host;x-amz-date',
      sha256Hex(''),
    );
    expect(sha256Hex(canonical)).toBe('f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59');
    const sig = signatureOf(signingKey(EXAMPLE_SECRET, '20150830', 'us-east-1', 'iam'), stringToSign('20150830T123600Z', scope, canonical));
    expect(sig).toBe('5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7');
  });

  it('paths: normalised, then encoded once more (never S3\'s rules)', () => {
    expect(canonicalPath('')).toBe('/');
    expect(canonicalPath('/000000000000/orders')).toBe('/000000000000/orders');
    expect(canonicalPath('/a/./b/../c//d/')).toBe('/a/c/d/');
    expect(canonicalPath('/a%20b/é')).toBe('/a%2520b/%C3%A9');
    expect(canonicalPath('/../..')).toBe('/');
  });

  it('query strings: decoded, encoded again (RFC 3986), sorted by name then value', () => {
    expect(canonicalQuery('b=2&a=1&a=0&c')).toBe('a=0&a=1&b=2&c=');
    expect(canonicalQuery('k=a%20b&k2=%7E*&x=%E2%9C%93')).toBe('k=a%20b&k2=~%2A&x=%E2%9C%93');
    expect(canonicalQuery('X-Amz-Signature=abc&a=1', 'X-Amz-Signature')).toBe('a=1');
    expect(() => canonicalQuery('a=%ZZ%FF')).toThrow();
  });
});

describe('the verifier agrees with the SDK signer', () => {
  it('on generated paths, query strings, header values and bodies (fast-check)', async () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }).filter((s) => s !== '.' && s !== '..'), { maxLength: 4 }),
        fc.dictionary(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).filter((k) => !k.startsWith('X-Amz-')), text, { maxKeys: 4 }),
        fc.string({ unit: 'grapheme-ascii', maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, ' ')),
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        async (segments, query, headerValue, body) => {
          const path = `/${segments.map(encodeURIComponent).join('/')}`;
          const { req, body: raw } = await sdkSigned({ path, query, headers: { 'x-custom': headerValue, 'content-type': 'text/plain' }, body });
          const result = verifier().verify(req, raw);
          expect(result.ok, JSON.stringify({ path, query, headerValue, body, result })).toBe(true);
          // One byte more in the body and it no longer verifies.
          expect(verifier().verify(req, Buffer.concat([raw, Buffer.from('x')])).ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hostile headers and URLs never throw: every one is an AWS refusal (fast-check)', () => {
    const header = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc
        .tuple(fc.constantFrom('AWS4-HMAC-SHA256', 'AWS4-X', 'AWS4-'), fc.string({ maxLength: 80 }), fc.string({ maxLength: 40 }), fc.string({ maxLength: 70 }))
        .map(([alg, cred, signed, sig]) => `${alg} Credential=${cred}, SignedHeaders=${signed}, Signature=${sig}`),
    );
    const url = fc.oneof(
      fc.string({ maxLength: 200 }).map((s) => `/${s}`),
      fc.string({ maxLength: 200 }).map((s) => `/?X-Amz-Algorithm=AWS4-HMAC-SHA256&${s}`),
      fc.constant('/?X-Amz-Algorithm=x&X-Amz-Credential=%ZZ&X-Amz-Signature=1&X-Amz-SignedHeaders=host&X-Amz-Date=20260101T000000Z&a=%E0%A4%A'),
    );
    fc.assert(
      fc.property(fc.option(header), url, fc.option(fc.string({ maxLength: 30 })), fc.uint8Array({ maxLength: 64 }), (authorization, u, date, body) => {
        const headers: Record<string, string> = { host: 'localhost' };
        if (authorization !== null) headers.authorization = authorization;
        if (date !== null) headers['x-amz-date'] = date;
        const result = verifier().verify(request('POST', u, headers), Buffer.from(body));
        expect(result.ok).toBe(false);
        if (!result.ok) expect(['missing', 'incomplete', 'unknown-key', 'mismatch']).toContain(result.kind);
      }),
      { numRuns: 2000 },
    );
  });

  it('a header sent twice is signed as its values joined with commas', async () => {
    const { req, body } = await sdkSigned({ headers: { 'x-multi': 'a' } });
    const headers = { ...(req.headers as Record<string, string>) };
    // The client signed `x-multi:a`; sent as two lines it reads `a,b` and no longer matches.
    const twice = request('POST', req.url!, { ...headers, 'x-multi': ['a', 'b'] });
    const result = failureOf(verifier().verify(twice, body));
    expect(result.message).toContain('\nx-multi:a,b\n');
  });
});

describe("AWS's refusals, in AWS's order", () => {
  const date = '20260101T120000Z';
  const at = Date.parse('2026-01-01T12:00:00Z');
  const auth = (extra = '') => `AWS4-HMAC-SHA256 Credential=${EXAMPLE_KEY}/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}${extra}`;
  const verify = (url: string, headers: Record<string, string>) => verifier(() => at).verify(request('POST', url, { host: 'localhost:4566', ...headers }), Buffer.alloc(0));

  it('no signature, or not a SigV4 one: missing', () => {
    expect(verify('/', {})).toEqual({ ok: false, kind: 'missing', message: 'Request is missing Authentication Token' });
    expect(verify('/', { authorization: 'AWS AKID:abc' })).toMatchObject({ kind: 'missing' });
  });

  it('both an Authorization header and X-Amz-Algorithm: mismatch', () => {
    expect(verify('/?X-Amz-Algorithm=AWS4-HMAC-SHA256', { authorization: auth(), 'x-amz-date': date })).toEqual({
      ok: false,
      kind: 'mismatch',
      message: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
    });
  });

  it('parts missing: incomplete, naming each, and the header', () => {
    const header = `AWS4-HMAC-SHA256 Credential=${EXAMPLE_KEY}/20260101/us-east-1/sqs/aws4_request`;
    expect(verify('/', { authorization: header })).toEqual({
      ok: false,
      kind: 'incomplete',
      message: `Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${header}`,
    });
    expect(verify('/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=x', {})).toEqual({
      ok: false,
      kind: 'incomplete',
      message: "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.",
    });
  });

  it('a date not in the basic format: incomplete', () => {
    expect(verify('/', { authorization: auth(), 'x-amz-date': '2026-01-01T12:00:00Z' })).toMatchObject({
      kind: 'incomplete',
      message: "Date must be in ISO-8601 'basic format'. Got '2026-01-01T12:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
    });
  });

  it('15 minutes either way, on the wall clock given', () => {
    const off = (ms: number) => verifier(() => at + ms).verify(request('POST', '/', { host: 'x', authorization: auth(), 'x-amz-date': date }), Buffer.alloc(0));
    expect(off(15 * 60_000)).toMatchObject({ kind: 'mismatch', message: expect.stringContaining('signature we calculated') });
    expect(off(15 * 60_000 + 1000)).toEqual({
      ok: false,
      kind: 'mismatch',
      message: 'Signature expired: 20260101T120000Z is now earlier than 20260101T120001Z (20260101T121501Z - 15 min.)',
    });
    expect(off(-15 * 60_000 - 1000)).toEqual({
      ok: false,
      kind: 'mismatch',
      message: 'Signature not yet current: 20260101T120000Z is still later than 20260101T115959Z (20260101T114459Z + 15 min.)',
    });
  });

  it('Host not signed, another algorithm, a malformed credential, a scope that does not fit', () => {
    const h = (signedHeaders: string, credential = `${EXAMPLE_KEY}/20260101/us-east-1/sqs/aws4_request`, algorithm = 'AWS4-HMAC-SHA256') =>
      verify('/', { authorization: `${algorithm} Credential=${credential}, SignedHeaders=${signedHeaders}, Signature=abc`, 'x-amz-date': date });
    expect(h('x-amz-date')).toMatchObject({ kind: 'mismatch', message: "'Host' must be a 'SignedHeader' in the AWS Authorization." });
    expect(h('host', undefined, 'AWS4-HMAC-SHA512')).toMatchObject({ kind: 'incomplete', message: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). " });
    expect(h('host', 'a/b/c/d')).toMatchObject({ kind: 'incomplete', message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d'" });
    expect(h('host', `${EXAMPLE_KEY}/20251231/us-east-1/sqs/aws4_requestX`)).toMatchObject({
      kind: 'mismatch',
      message:
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_requestX'. Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20251231' != '20260101', from '20260101T120000Z'.",
    });
  });

  it('an unknown key, then a wrong signature', () => {
    const h = (key: string) => verify('/', { authorization: `AWS4-HMAC-SHA256 Credential=${key}/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`, 'x-amz-date': date });
    expect(h('AKIDUNKNOWN')).toEqual({ ok: false, kind: 'unknown-key', message: 'The security token included in the request is invalid.' });
    const wrong = failureOf(h(EXAMPLE_KEY));
    expect(wrong.kind).toBe('mismatch');
    expect(wrong.message).toBe(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n' +
        "The Canonical String for this request should have been\n'POST\n/\n\nhost:localhost:4566\nx-amz-date:20260101T120000Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'\n\n" +
        `The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20260101T120000Z\n20260101/us-east-1/sqs/aws4_request\n${sha256Hex('POST\n/\n\nhost:localhost:4566\nx-amz-date:20260101T120000Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')}'\n`,
    );
  });

  it('errors per service and protocol: codes and statuses', () => {
    const f = (kind: AuthFailure['kind']): AuthFailure => ({ ok: false, kind, message: 'm' });
    const row = (service: string, protocol: 'json' | 'query') =>
      (['missing', 'incomplete', 'unknown-key', 'mismatch'] as const).map((k) => {
        const e = authError(f(k), service, protocol);
        return `${e.type}/${e.queryCode} ${e.status}`;
      });
    expect(row('query', 'query')).toEqual([
      'MissingAuthenticationToken/MissingAuthenticationToken 403',
      'IncompleteSignature/IncompleteSignature 400',
      'InvalidClientTokenId/InvalidClientTokenId 403',
      'SignatureDoesNotMatch/SignatureDoesNotMatch 403',
    ]);
    expect(row('sqs', 'json')).toEqual([
      'MissingAuthenticationTokenException/MissingAuthenticationToken 403',
      'IncompleteSignatureException/IncompleteSignature 400',
      'UnrecognizedClientException/InvalidClientTokenId 403',
      'InvalidSignatureException/SignatureDoesNotMatch 403',
    ]);
    expect(row('events', 'json')).toEqual([
      'MissingAuthenticationTokenException/MissingAuthenticationToken 400',
      'IncompleteSignatureException/IncompleteSignature 400',
      'UnrecognizedClientException/InvalidClientTokenId 400',
      'InvalidSignatureException/SignatureDoesNotMatch 400',
    ]);
  });
});

describe('strict mode in a running Switchyard', () => {
  let sy: Switchyard;
  const T0 = Date.parse('2020-01-01T00:00:00Z');
  beforeAll(async () => {
    // A frozen clock years in the past: signatures are judged on the wall clock all the same.
    sy = await startSwitchyard({ port: 0, frozenClockAt: T0, config: { strictAuth: true, credentials: [{ accessKeyId: 'AKIDFILE', secretAccessKey: 'from-the-file', account: '222222222222' }] } });
  });
  afterAll(() => sy?.stop());

  it('takes credentials and strictAuth from the config file; the frozen clock does not expire signatures', async () => {
    const client = new sqs.SQSClient({ endpoint: sy.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDFILE', secretAccessKey: 'from-the-file' }, maxAttempts: 1 });
    const { QueueUrl } = await client.send(new sqs.CreateQueueCommand({ QueueName: 'from-file' }));
    expect(QueueUrl).toBe(`${sy.endpoint}/222222222222/from-file`);
    sy.clock.advance(3_600_000);
    await expect(client.send(new sqs.ListQueuesCommand({}))).resolves.toMatchObject({ QueueUrls: [QueueUrl] });
    const wrong = new sqs.SQSClient({ endpoint: sy.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDFILE', secretAccessKey: 'guess' }, maxAttempts: 1 });
    await expect(wrong.send(new sqs.ListQueuesCommand({}))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
  });
});

describe('without strict mode (the default)', () => {
  let sy: Switchyard;
  beforeAll(async () => {
    sy = await startSwitchyard({ port: 0, credentials: [{ accessKeyId: 'AKIDMAPPED', secretAccessKey: 'unused', account: '333333333333' }] });
  });
  afterAll(() => sy?.stop());

  it('any key and secret work, unsigned requests too; a configured key still picks its account', async () => {
    const anyKey = new sqs.SQSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'whatever', secretAccessKey: 'whatever' } });
    await expect(anyKey.send(new sqs.CreateQueueCommand({ QueueName: 'open' }))).resolves.toMatchObject({ QueueUrl: `${sy.endpoint}/000000000000/open` });
    const mapped = new sqs.SQSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDMAPPED', secretAccessKey: 'not-the-secret' } });
    await expect(mapped.send(new sqs.CreateQueueCommand({ QueueName: 'mapped' }))).resolves.toMatchObject({ QueueUrl: `${sy.endpoint}/333333333333/mapped` });
    const unsigned = await fetch(sy.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=ListQueues&Version=2012-11-05' });
    expect(unsigned.status).toBe(200);
  });
});

describe('settings', () => {
  it('strictAuth without credentials does not start', async () => {
    await expect(startSwitchyard({ port: 0, strictAuth: true })).rejects.toThrow(/strictAuth needs credentials/);
    await expect(startSwitchyard({ port: 0, credentials: [{ accessKeyId: 'bad key', secretAccessKey: 's' }] })).rejects.toThrow(/credentials\[0\]\.accessKeyId/);
  });

  it('the config file checks credentials: entries', async () => {
    await expect(startSwitchyard({ port: 0, config: { credentials: [{ accessKeyId: 'AKID', secret: 'x' }] } })).rejects.toThrow(/credentials\[0\]/);
    await expect(startSwitchyard({ port: 0, config: { strictAuth: 'yes' } })).rejects.toThrow(/strictAuth: must be true or false/);
  });

  it('--strict-auth, SWITCHYARD_CREDENTIALS and --cors-origin on the command line', () => {
    const run = (argv: string[], env: Record<string, string> = {}) => {
      const c = parseCommandLine(argv, env);
      if (c.kind !== 'run') throw new Error(c.kind);
      return c.options;
    };
    expect(run(['--strict-auth'], { SWITCHYARD_CREDENTIALS: 'AKID1:s1, AKID2:s/2+x:444444444444' })).toMatchObject({
      strictAuth: true,
      credentials: [{ accessKeyId: 'AKID1', secretAccessKey: 's1' }, { accessKeyId: 'AKID2', secretAccessKey: 's/2+x', account: '444444444444' }],
    });
    expect(run(['--strict-auth=false', '--port', '0'])).toMatchObject({ strictAuth: false, port: 0 });
    expect(run([], { SWITCHYARD_STRICT_AUTH: '1' })).toMatchObject({ strictAuth: true });
    expect(run(['--cors-origin', 'http://localhost:3000', '--cors-origin=https://app.example'])).toMatchObject({ corsOrigins: ['http://localhost:3000', 'https://app.example'] });
    expect(run([], { SWITCHYARD_CORS_ORIGIN: 'http://a.test:1, http://b.test' })).toMatchObject({ corsOrigins: ['http://a.test:1', 'http://b.test'] });
    expect(() => run([], { SWITCHYARD_CREDENTIALS: 'AKID' })).toThrow(/SWITCHYARD_CREDENTIALS must be KEY:SECRET/);
    expect(() => run([], { SWITCHYARD_STRICT_AUTH: 'maybe' })).toThrow(/must be true or false/);
    expect(() => run(['--cors-origin', 'localhost:3000/path'])).toThrow(/--cors-origin: a CORS origin must be/);
  });
});
