/**
 * Strict mode (`--strict-auth`): every AWS request must carry a SigV4 signature, in the
 * Authorization header or as a presigned query string (`X-Amz-Signature`), made with one of the
 * configured credentials. A misconfigured client then fails here as it would on AWS, with
 * AWS's error, instead of passing in CI and failing in production. It is a check on clients,
 * not access control: the inspection API (`/_switchyard/*`) is not authenticated.
 *
 * The checks, in the order AWS's JSON services make them (as dynalite recorded DynamoDB's
 * answers, mhart/dynalite index.js; the query services answer the same conditions with their own
 * codes):
 *   both kinds of signature              -> mismatch  "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
 *   none (or not an AWS4- header)        -> missing   "Request is missing Authentication Token"
 *   a part missing                       -> incomplete "Authorization header requires 'Signature' parameter. ... Authorization=<header>"
 *   a date that is not ISO 8601 basic    -> incomplete "Date must be in ISO-8601 'basic format'. Got '...'. See http://en.wikipedia.org/wiki/ISO_8601"
 *   more than 15 minutes off             -> mismatch  "Signature expired: <date> is now earlier than <now - 15 min> (<now> - 15 min.)"
 *                                                     "Signature not yet current: <date> is still later than <now + 15 min> (<now> + 15 min.)"
 *   Host not signed                      -> mismatch  "'Host' must be a 'SignedHeader' in the AWS Authorization."
 *   another algorithm                    -> incomplete "Unsupported AWS 'algorithm': '...' (only AWS4-HMAC-SHA256 for now). "
 *   a malformed credential               -> incomplete "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '...'"
 *   a scope that does not fit            -> mismatch  "Credential should be scoped with a valid terminator: 'aws4_request', not '...'. "
 *                                                     "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '...' != '...', from '...'."
 *   an access key nobody configured      -> unknown-key "The security token included in the request is invalid."
 *   a signature that does not match      -> mismatch  "The request signature we calculated does not match the signature you provided. ..."
 *                                                     followed by the canonical string and the string to sign, as AWS writes them
 * The scope's service is checked once the gateway knows the service ("Credential should be
 * scoped to correct service: 'sqs'. ").
 *
 * Time: the request's date is compared with the wall clock (Date.now), not Switchyard's clock.
 * The SDKs sign with their machine's real time and know nothing of a test's frozen or advanced
 * clock; what AWS's 15-minute window catches is a client whose clock is wrong, which only real
 * time can show. (The SDKs correct their offset from the response's Date header and retry, on
 * AWS as here.)
 */
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { AwsError } from './errors.js';
import {
  ALGORITHM,
  amzDate,
  canonicalHeaders,
  canonicalPath,
  canonicalQuery,
  canonicalRequest,
  parseAmzDate,
  sha256Hex,
  signatureOf,
  signingKey,
  stringToSign,
  type CredentialScope,
} from './sigv4.js';

/** An access key Switchyard accepts in strict mode (and, in any mode, the account it acts in). */
export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
  /** The account requests signed with this key act in. Default: the key itself when it is 12 digits, else the server's account. */
  account?: string;
}

export type AuthFailureKind = 'missing' | 'incomplete' | 'unknown-key' | 'mismatch';

export interface AuthFailure {
  ok: false;
  kind: AuthFailureKind;
  message: string;
}

export interface Authenticated {
  ok: true;
  credential: Credential;
  scope: CredentialScope;
}

/** AWS's window for a request's date, either side of the server's time. */
export const MAX_SKEW_MS = 15 * 60_000;
const MAX_EXPIRES_S = 7 * 24 * 3600;

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const fail = (kind: AuthFailureKind, message: string): AuthFailure => ({ ok: false, kind, message });

/** Signing keys are the same all day for a key, region and service: four HMACs saved per request. */
class SigningKeys {
  private readonly keys = new Map<string, Buffer>();
  get(secret: string, scope: CredentialScope): Buffer {
    const id = `${scope.accessKeyId}/${scope.date}/${scope.region}/${scope.service}`;
    let key = this.keys.get(id);
    if (key === undefined) {
      if (this.keys.size >= 1000) this.keys.clear();
      key = signingKey(secret, scope.date, scope.region, scope.service);
      this.keys.set(id, key);
    }
    return key;
  }
}

interface Parts {
  presigned: boolean;
  algorithm: string;
  credential: string;
  signedHeaders: string;
  signature: string;
  date: string;
  /** Presigned: X-Amz-Expires in seconds. */
  expires?: number;
  /** The raw query, for the canonical query string. */
  rawQuery: string;
}

export class SigV4Verifier {
  private readonly credentials = new Map<string, Credential>();
  private readonly keys = new SigningKeys();

  /** `wallNow`: epoch ms of the real time (tests pass their own). */
  constructor(
    credentials: readonly Credential[],
    private readonly wallNow: () => number = Date.now,
  ) {
    for (const c of credentials) this.credentials.set(c.accessKeyId, c);
  }

  /** Whether the request carries any SigV4 signature at all (header or presigned). */
  static signed(req: IncomingMessage): boolean {
    return req.headers.authorization !== undefined || (req.url ?? '').includes('X-Amz-Algorithm=');
  }

  verify(req: IncomingMessage, body: Buffer): Authenticated | AuthFailure {
    const parts = this.parts(req);
    if (!('presigned' in parts)) return parts;
    const ms = parseAmzDate(parts.date);
    if (ms === undefined) return fail('incomplete', `Date must be in ISO-8601 'basic format'. Got '${parts.date}'. See http://en.wikipedia.org/wiki/ISO_8601`);
    const now = this.wallNow();
    if (parts.presigned) {
      if (now > ms + parts.expires! * 1000)
        return fail('mismatch', `Signature expired: ${amzDate(ms + parts.expires! * 1000)} is now earlier than ${amzDate(now)} (${parts.date} + ${parts.expires} s, X-Amz-Expires).`);
      if (ms - now > MAX_SKEW_MS) return fail('mismatch', `Signature not yet current: ${parts.date} is still later than ${amzDate(now + MAX_SKEW_MS)} (${amzDate(now)} + 15 min.)`);
    } else if (now - ms > MAX_SKEW_MS) {
      return fail('mismatch', `Signature expired: ${parts.date} is now earlier than ${amzDate(now - MAX_SKEW_MS)} (${amzDate(now)} - 15 min.)`);
    } else if (ms - now > MAX_SKEW_MS) {
      return fail('mismatch', `Signature not yet current: ${parts.date} is still later than ${amzDate(now + MAX_SKEW_MS)} (${amzDate(now)} + 15 min.)`);
    }
    const signed = parts.signedHeaders.split(';');
    if (!signed.includes('host')) return fail('mismatch', "'Host' must be a 'SignedHeader' in the AWS Authorization.");
    if (parts.algorithm !== ALGORITHM) return fail('incomplete', `Unsupported AWS 'algorithm': '${parts.algorithm}' (only ${ALGORITHM} for now). `);
    const pieces = parts.credential.replace(/\/+$/, '').split('/');
    if (pieces.length !== 5)
      return fail('incomplete', `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${parts.credential}'`);
    const [accessKeyId, date, region, service, terminator] = pieces;
    let scopeProblems = '';
    if (!/^[a-z0-9-]{1,64}$/.test(region)) scopeProblems += `Credential should be scoped to a valid region, not '${region}'. `;
    if (!/^[a-z0-9-]{1,64}$/.test(service)) scopeProblems += `Credential should be scoped to a valid service, not '${service}'. `;
    if (terminator !== 'aws4_request') scopeProblems += `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `;
    if (date !== parts.date.slice(0, 8))
      scopeProblems += `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${parts.date.slice(0, 8)}', from '${parts.date}'.`;
    if (scopeProblems) return fail('mismatch', scopeProblems.trimEnd());
    const credential = this.credentials.get(accessKeyId);
    if (!credential) return fail('unknown-key', 'The security token included in the request is invalid.');

    const scope: CredentialScope = { accessKeyId, date, region, service };
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    let canonical: string;
    try {
      canonical = canonicalRequest(
        req.method ?? 'GET',
        canonicalPath(q >= 0 ? url.slice(0, q) : url),
        canonicalQuery(parts.rawQuery, parts.presigned ? 'X-Amz-Signature' : undefined),
        canonicalHeaders(req, signed),
        parts.signedHeaders,
        sha256Hex(body),
      );
    } catch {
      return fail('incomplete', 'The query string holds a malformed percent-encoded sequence.');
    }
    const toSign = stringToSign(parts.date, scope, canonical);
    const expected = signatureOf(this.keys.get(credential.secretAccessKey, scope), toSign);
    if (!sameSignature(expected, parts.signature))
      return fail('mismatch', `${SIGNATURE_MISMATCH}\n\nThe Canonical String for this request should have been\n'${canonical}'\n\nThe String-to-Sign should have been\n'${toSign}'\n`);
    return { ok: true, credential, scope };
  }

  /** The request's signature parts, or why there are none to check. */
  private parts(req: IncomingMessage): Parts | AuthFailure {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawQuery = q >= 0 ? url.slice(q + 1) : '';
    const header = req.headers.authorization;
    const presigned = rawQuery.includes('X-Amz-Algorithm=');
    if (header !== undefined && presigned)
      return fail('mismatch', "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
    if (presigned) {
      const params = new URLSearchParams(rawQuery);
      let missing = '';
      for (const p of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date'])
        if (!params.get(p)) missing += `AWS query-string parameters must include '${p}'. `;
      if (missing) return fail('incomplete', `${missing}Re-examine the query-string parameters.`);
      const expiresText = params.get('X-Amz-Expires') ?? String(MAX_EXPIRES_S);
      const expires = /^\d{1,7}$/.test(expiresText) ? Number(expiresText) : NaN;
      if (!(expires >= 0 && expires <= MAX_EXPIRES_S))
        return fail('incomplete', `X-Amz-Expires must be a number of seconds from 0 to ${MAX_EXPIRES_S} (a week), got '${expiresText}'.`);
      return {
        presigned: true,
        algorithm: params.get('X-Amz-Algorithm')!,
        credential: params.get('X-Amz-Credential')!,
        signedHeaders: params.get('X-Amz-SignedHeaders')!,
        signature: params.get('X-Amz-Signature')!,
        date: params.get('X-Amz-Date')!,
        expires,
        rawQuery,
      };
    }
    if (header === undefined || !header.trimStart().startsWith('AWS4-')) return fail('missing', 'Request is missing Authentication Token');
    // `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`
    const trimmed = header.trim();
    const space = trimmed.search(/\s/);
    const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
    const fields = new Map<string, string>();
    for (const item of (space < 0 ? '' : trimmed.slice(space)).split(',')) {
      const eq = item.indexOf('=');
      if (eq > 0) fields.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
    }
    let missing = '';
    for (const p of ['Credential', 'Signature', 'SignedHeaders']) if (!fields.get(p)) missing += `Authorization header requires '${p}' parameter. `;
    const xAmzDate = req.headers['x-amz-date'];
    const httpDate = req.headers.date;
    if (xAmzDate === undefined && httpDate === undefined)
      missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
    if (missing) return fail('incomplete', `${missing}Authorization=${header}`);
    // X-Amz-Date wins; a Date header (RFC 7231) is read and written in the basic format.
    let date = typeof xAmzDate === 'string' ? xAmzDate : '';
    if (xAmzDate === undefined) {
      const ms = Date.parse(httpDate!);
      date = Number.isNaN(ms) ? httpDate! : amzDate(ms);
    }
    return {
      presigned: false,
      algorithm,
      credential: fields.get('Credential')!,
      signedHeaders: fields.get('SignedHeaders')!,
      signature: fields.get('Signature')!,
      date,
      rawQuery,
    };
  }
}

function sameSignature(expected: string, given: string): boolean {
  if (given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(given, 'latin1'));
}

/**
 * The AWS error for a failed check, by service and protocol.
 *
 * Query protocol (SQS's older clients, SNS), with the codes and statuses of the SQS and SNS
 * API references' Common Errors pages and the answers users have posted (SQS query
 * `InvalidClientTokenId` 403, ex-aws/ex_aws#220; `SignatureDoesNotMatch` 403 with the canonical
 * string, boto/boto#1573; SNS `InvalidClientTokenId` 403, aws/aws-sdk-js#1919):
 *   missing MissingAuthenticationToken 403, incomplete IncompleteSignature 400,
 *   unknown-key InvalidClientTokenId 403, mismatch SignatureDoesNotMatch 403.
 * EventBridge (awsJson1_1): the coral framework's exceptions, all 400, as the JSON services
 * answer them (dynalite's recording; UnrecognizedClientException 400 from ECR, ECS, Cognito):
 *   MissingAuthenticationTokenException, IncompleteSignatureException,
 *   UnrecognizedClientException, InvalidSignatureException.
 * SQS over JSON (awsJson1_0 with awsQueryCompatible): the coral names in `__type` and the query
 * codes and statuses in `x-amzn-query-error`, so the SDKs report the same codes in both protocols.
 */
export function authError(failure: AuthFailure, service: string, protocol: 'json' | 'query'): AwsError {
  const json = protocol === 'json' && service !== 'sqs';
  const spec = (() => {
    switch (failure.kind) {
      case 'missing':
        return { type: 'MissingAuthenticationTokenException', queryCode: 'MissingAuthenticationToken', status: json ? 400 : 403 };
      case 'incomplete':
        return { type: 'IncompleteSignatureException', queryCode: 'IncompleteSignature', status: 400 };
      case 'unknown-key':
        return { type: 'UnrecognizedClientException', queryCode: 'InvalidClientTokenId', status: json ? 400 : 403 };
      case 'mismatch':
        return { type: 'InvalidSignatureException', queryCode: 'SignatureDoesNotMatch', status: json ? 400 : 403 };
    }
  })();
  // The query protocol's <Code> is the type AWS names there.
  if (protocol === 'query') spec.type = spec.queryCode;
  return new AwsError(spec, failure.message);
}

/** The check of the scope's service, once the gateway knows which service was asked. */
export function wrongService(scope: CredentialScope, service: string): AuthFailure | undefined {
  return scope.service === service ? undefined : fail('mismatch', `Credential should be scoped to correct service: '${service}'.`);
}
