/**
 * Signature Version 4, the parts a server needs: what the Authorization header says (the access
 * key, which may select the account, and the credential scope's region and service), and the
 * canonical request, string to sign and signature as AWS computes them for services other than
 * S3 ("Create a signed AWS API request", IAM user guide, reference_sigv-create-signed-request).
 * Verifying against configured credentials is auth.ts's; outside strict mode only
 * parseCredentialScope runs, and signatures are not checked.
 *
 * Where the AWS guide is terse, the clients decide (a verifier must compute what they sign):
 * - the path is the request's path as sent, normalised (empty and `.` segments dropped, `..`
 *   removes the segment before it, a trailing slash kept) and then URI-encoded once more, so an
 *   encoded path is encoded twice, as for every service but S3 (botocore's SigV4Auth
 *   `_normalize_url_path`, @smithy/signature-v4's `getCanonicalPath`);
 * - query parameters are decoded, encoded again with RFC 3986's unreserved set left as is,
 *   sorted by name and then value; a presigned request's X-Amz-Signature is left out;
 * - each signed header's values are trimmed, inner runs of whitespace become one space, and
 *   several values (the header sent twice) are joined with commas.
 */
import { createHash, createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

const PART = /^[A-Za-z0-9-]{1,64}$/;

export function parseCredentialScope(authorization: string | string[] | undefined): CredentialScope | undefined {
  if (typeof authorization !== 'string' || authorization.length > 8192) return undefined;
  // indexOf and split rather than one regex over the whole header: this runs on every request.
  const at = authorization.indexOf('Credential=');
  if (at < 0) return undefined;
  let end = authorization.indexOf(',', at);
  if (end < 0) end = authorization.length;
  const parts = authorization.slice(at + 11, end).trim().split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') return undefined;
  const [accessKeyId, date, region, service] = parts;
  if (accessKeyId.length === 0 || accessKeyId.length > 128 || !/^\d{8}$/.test(date) || !PART.test(region) || !PART.test(service))
    return undefined;
  return { accessKeyId, date, region, service };
}

/** The credential scope of a presigned URL's `X-Amz-Credential`, decoded; same rules as the header's. */
export function parsePresignedScope(credential: string): CredentialScope | undefined {
  return parseCredentialScope(`Credential=${credential}`);
}

/** RFC 3986 encoding: everything but `A-Z a-z 0-9 - _ . ~` as %XX of its UTF-8 bytes; `/` kept when asked. */
export function uriEncode(text: string, keepSlash: boolean): string {
  const encoded = encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return keepSlash ? encoded.replace(/%2F/g, '/') : encoded;
}

/** The canonical URI: the path as sent, normalised, then encoded once more (never S3's rules). */
export function canonicalPath(rawPath: string): string {
  if (rawPath === '' || rawPath === '/') return '/';
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const path = `${rawPath.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return uriEncode(path, true);
}

/** A query component decoded: `%XX` sequences as UTF-8, `+` as itself (the SDKs never send one for a space). */
function decodeComponent(text: string): string {
  return text.includes('%') ? decodeURIComponent(text) : text;
}

/**
 * The canonical query string of a raw query (without the `?`). Throws a URIError for a malformed
 * `%` sequence. `skip` names a parameter left out (X-Amz-Signature of a presigned request).
 */
export function canonicalQuery(rawQuery: string, skip?: string): string {
  if (rawQuery === '') return '';
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decodeComponent(eq < 0 ? part : part.slice(0, eq));
    if (name === skip) continue;
    pairs.push([uriEncode(name, false), uriEncode(decodeComponent(eq < 0 ? '' : part.slice(eq + 1)), false)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** `name:value` lines for the signed headers (lower-case names, in the order given). */
export function canonicalHeaders(req: IncomingMessage, signedHeaders: readonly string[]): string {
  const distinct = req.headersDistinct;
  let out = '';
  for (const name of signedHeaders) {
    const values = Object.hasOwn(distinct, name) ? distinct[name] : undefined;
    const value = values ? values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',') : '';
    out += `${name}:${value}\n`;
  }
  return out;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function canonicalRequest(method: string, path: string, query: string, headers: string, signedHeaders: string, payloadHash: string): string {
  return `${method}\n${path}\n${query}\n${headers}\n${signedHeaders}\n${payloadHash}`;
}

export function stringToSign(amzDate: string, scope: CredentialScope, canonical: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope.date}/${scope.region}/${scope.service}/aws4_request\n${sha256Hex(canonical)}`;
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const kDate = createHmac('sha256', `AWS4${secretAccessKey}`).update(date).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  return createHmac('sha256', kService).update('aws4_request').digest();
}

export function signatureOf(key: Buffer, toSign: string): string {
  return createHmac('sha256', key).update(toSign).digest('hex');
}

/** `20240102T030405Z` (ISO 8601 basic format, UTC, whole seconds) for epoch milliseconds. */
export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Epoch ms of an ISO 8601 basic-format timestamp (`20240102T030405Z`), or undefined. */
export function parseAmzDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isNaN(ms) || amzDate(ms) !== text ? undefined : ms;
}
