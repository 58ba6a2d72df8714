/**
 * Invoking an EventBridge API destination for real: one HTTP request to the destination's
 * endpoint, authorized by its connection, answered as a DeliveryOutcome for the retry loop.
 *
 * What AWS does, and what this file copies:
 * - Headers EventBridge adds to every request: User-Agent `Amazon/EventBridge/ApiDestinations`,
 *   Content-Type `application/json; charset=utf-8`, Range `bytes=0-1048575`, Accept-Encoding
 *   `gzip,deflate`, Connection `close` ("Headers included in requests to API destinations",
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html).
 *   Content-Type may be replaced by a header parameter (AWS's Slack guide sets its own); the
 *   others, and Host / Content-Length / Transfer-Encoding, cannot be.
 * - Authorization: BASIC -> `Authorization: Basic base64(user:password)`; API_KEY -> a header
 *   named ApiKeyName with the key's value; OAUTH_CLIENT_CREDENTIALS -> `Authorization: Bearer
 *   <access_token>` from the connection's authorization endpoint.
 * - Parameters: the target's HttpParameters and the connection's InvocationHttpParameters are
 *   merged, "with any values from the Connection taking precedence" (the SDK's HttpParameters
 *   doc). PathParameterValues fill the endpoint's `*` wildcards in order. Connection body
 *   parameters are merged into a JSON-object body (a body that is not a JSON object is sent as
 *   it is).
 * - Timeout: "EventBridge requests to an API destination endpoint must have a maximum client
 *   execution timeout of 5 seconds" (same page). The timeout is wall time
 *   (AbortSignal.timeout), not the Switchyard clock: it bounds real network I/O.
 * - Retries: AWS retries 401, 407, 409, 429 and 5xx, and not 1xx, 2xx, 3xx or the other 4xx
 *   (the current user guide; older versions said 429 and 5xx only). Redirects are not followed:
 *   a 3xx is a failure that is not retried. A response's Retry-After is read: a negative value
 *   stops the retries (AWS: "If Retry-After value is negative, EventBridge stops retrying");
 *   a positive one is reported as `retryAfterMs` for the retry loop to honour.
 *   One gap: fetch follows the Fetch standard, which turns a 407 response into a network error;
 *   a 407 is therefore reported as an unreachable endpoint (retried, as AWS retries 407) and does
 *   not refresh an OAuth token.
 * - OAuth tokens are cached until `expires_in` and refreshed "when a 401 or 407 response is
 *   returned" and "proactively ... if the token is about to expire" (within 60 s)
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-target-connection-auth.html).
 *   On a 401/407 the call is made once more with a fresh token.
 * - DLQ ERROR_CODE / ERROR_MESSAGE, as AWS wrote them in DLQ messages people have published:
 *   unreachable endpoint -> `SDK_CLIENT_ERROR`, "Unable to invoke ApiDestination endpoint: API
 *   destination endpoint cannot be reached."; timeout -> `UNKNOWN`, "Unable to invoke
 *   ApiDestination endpoint: Timeout calling endpoint for API Destination: socket closed.".
 *   For an HTTP error status no published sample was found; Switchyard writes
 *   `SDK_CLIENT_ERROR` with the same prefix and the status.
 *
 * Where AWS documents nothing, for the token request (choices, not observations):
 * - the client id and secret go in an `Authorization: Basic base64(id:secret)` header
 *   (RFC 6749 §2.3.1, which every authorization server must accept); nothing else is added:
 *   `grant_type=client_credentials`, `scope`, `audience` come from OAuthHttpParameters, as AWS's
 *   partner guides tell users to set them;
 * - OAuthHttpParameters body parameters are sent form-encoded (JSON when a header parameter sets
 *   a JSON Content-Type); for a GET they go in the query string. InvocationHttpParameters belong
 *   to invocations only, not to the token request;
 * - the response is read as JSON: access_token, token_type (default Bearer), expires_in; at most
 *   64 KiB of it, and a 3xx is a failed authorization: no redirect is followed, here or for
 *   invocations, so a call goes only to the host the connection or destination names.
 */
import type * as eb from '@aws-sdk/client-eventbridge';
import type { ConnectionRecord, ConnectionStore } from '../events/connections.js';
import type { DeliveryOutcome } from './outcome.js';

export const API_DESTINATION_TIMEOUT_MS = 5000;
export const API_DESTINATION_USER_AGENT = 'Amazon/EventBridge/ApiDestinations';
const CONTENT_TYPE = 'application/json; charset=utf-8';
/** A token this close to its expiry is refreshed before a call. */
const OAUTH_REFRESH_LEAD_MS = 60_000;
/** How much of a response is kept for the trace. */
const DETAIL_BYTES = 512;
/** The most of a response body that is read (AWS's own Range header asks for the first MiB). */
const MAX_RESPONSE_BYTES = 1 << 20;
/** The most of an authorization server's answer that is read: a token response is a few hundred bytes. */
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

/** Headers EventBridge owns: connection and target parameters cannot set them. */
const FIXED_HEADERS: Record<string, string> = {
  'User-Agent': API_DESTINATION_USER_AGENT,
  Range: 'bytes=0-1048575',
  'Accept-Encoding': 'gzip,deflate',
  Connection: 'close',
};
const RESERVED_HEADERS = new Set(['user-agent', 'range', 'accept-encoding', 'connection', 'host', 'content-length', 'transfer-encoding']);

const ERROR_PREFIX = 'Unable to invoke ApiDestination endpoint: ';

export interface ApiDestinationCall {
  /** The destination's InvocationEndpoint; may hold `*` path wildcards. */
  endpoint: string;
  /** The destination's HttpMethod. */
  method: string;
  connection: Readonly<ConnectionRecord>;
  /** The target input, as EventBridge sends it (usually the event as JSON). */
  body: string;
  /** The target's HttpParameters. */
  httpParameters?: eb.HttpParameters;
}

export interface ApiDestinationDeps {
  /** Default: the global fetch (Node's undici). */
  fetch?: typeof fetch;
  tokens: OAuthTokenCache;
  /** Epoch ms, for token expiry: pass the Switchyard clock's `now`. */
  now(): number;
  /** Per-request timeout in ms. Default AWS's 5000. */
  timeoutMs?: number;
}

/** A DeliveryOutcome, with the delay a failing endpoint asked for in Retry-After. */
export type ApiDestinationOutcome = DeliveryOutcome & { retryAfterMs?: number };

export interface OAuthToken {
  accessToken: string;
  /** `Bearer` unless the authorization server named another type. */
  tokenType: string;
  /** Epoch ms; undefined when the server gave no expires_in. */
  expiresAt?: number;
}

/** The token request failed; `retryable` as for an invocation (network, timeout, 429, 5xx). */
export class OAuthTokenError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'OAuthTokenError';
  }
}

type TokenDeps = Pick<ApiDestinationDeps, 'fetch' | 'now' | 'timeoutMs'>;

interface CacheEntry {
  version: number;
  token?: OAuthToken;
  pending?: Promise<OAuthToken>;
}

/**
 * OAuth access tokens per connection, for one Switchyard. Keyed by connection ARN (which names
 * one incarnation of a connection) and its credentials version, so a token obtained with
 * credentials since updated or removed is never sent. Concurrent callers share one token
 * request.
 */
export class OAuthTokenCache {
  private readonly entries = new Map<string, CacheEntry>();
  /** Token requests made (for tests and the inspection API). */
  requests = 0;

  /** A usable token: the cached one unless it is missing, about to expire, or `refresh` is set. */
  async token(connection: Readonly<ConnectionRecord>, deps: TokenDeps, options: { refresh?: boolean } = {}): Promise<OAuthToken> {
    const oauth = connection.credentials?.oauth;
    if (!oauth) throw new OAuthTokenError('The connection has no OAuth client credentials.', false);
    let entry = this.entries.get(connection.arn);
    if (!entry || entry.version !== connection.credentialsVersion) {
      entry = { version: connection.credentialsVersion };
      this.entries.set(connection.arn, entry);
    }
    if (entry.pending) return entry.pending;
    const cached = entry.token;
    if (!options.refresh && cached && (cached.expiresAt === undefined || cached.expiresAt - deps.now() > OAUTH_REFRESH_LEAD_MS))
      return cached;

    const current = entry;
    this.requests++;
    current.token = undefined;
    current.pending = requestToken(oauth, deps).then(
      (token) => {
        current.pending = undefined;
        if (this.entries.get(connection.arn) === current) current.token = token;
        return token;
      },
      (err: unknown) => {
        current.pending = undefined;
        throw err;
      },
    );
    return current.pending;
  }

  /** Forget a connection's token (it was refused, or the connection changed or went away). */
  invalidate(connectionArn: string): void {
    this.entries.delete(connectionArn);
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * Ask an OAuth connection's authorization endpoint for a token and record the result on the
 * store: AUTHORIZED, or DEAUTHORIZED with the reason. What CreateConnection / UpdateConnection of
 * an OAuth connection should start (AWS authorizes it in the background); also usable from the
 * inspection API.
 */
export async function authorizeOAuthConnection(
  store: ConnectionStore,
  connectionArn: string,
  deps: Pick<ApiDestinationDeps, 'fetch' | 'now' | 'timeoutMs' | 'tokens'>,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const connection = store.connectionByArn(connectionArn);
  if (!connection?.credentials?.oauth) return { ok: false, reason: 'The connection has no OAuth client credentials.' };
  const version = connection.credentialsVersion;
  try {
    await deps.tokens.token(connection, deps, { refresh: true });
    store.markAuthorized(connectionArn, version);
    return { ok: true };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    store.markAuthorizationFailed(connectionArn, version, reason);
    return { ok: false, reason };
  }
}

/** Make the call; never throws: every failure is an outcome. */
export async function invokeApiDestination(call: ApiDestinationCall, deps: ApiDestinationDeps): Promise<ApiDestinationOutcome> {
  const connection = call.connection;
  const credentials = connection.credentials;
  if (!credentials) return failure('SDK_CLIENT_ERROR', `The connection '${connection.name}' is not authorized (${connection.state}).`, false);

  const oauth = connection.authorizationType === 'OAUTH_CLIENT_CREDENTIALS';
  let request: PreparedRequest;
  try {
    request = prepareRequest(call);
  } catch (err) {
    return failure('SDK_CLIENT_ERROR', `Invalid invocation endpoint '${call.endpoint}': ${messageOf(err)}`, false);
  }

  const attempt = async (refresh: boolean): Promise<ApiDestinationOutcome | { status: number; response: Response }> => {
    const headers = new Headers(request.headers);
    let auth: [string, string] | undefined;
    try {
      auth = await authorizationHeader(connection, deps, refresh);
    } catch (err) {
      return tokenFailure(err);
    }
    if (auth) setHeader(headers, auth[0], auth[1]);
    for (const [k, v] of Object.entries(FIXED_HEADERS)) headers.set(k, v);
    return send(request, headers, deps);
  };

  let result = await attempt(false);
  if (oauth && 'response' in result && (result.status === 401 || result.status === 407)) {
    await discard(result.response);
    deps.tokens.invalidate(connection.arn);
    result = await attempt(true);
  }
  if (!('response' in result)) return result;
  return outcomeOf(result.response);
}

// --- the request ------------------------------------------------------------------------------

interface PreparedRequest {
  url: string;
  method: string;
  headers: Headers;
  body?: string;
}

function prepareRequest(call: ApiDestinationCall): PreparedRequest {
  const target = call.httpParameters ?? {};
  const invocation = call.connection.credentials?.invocationHttpParameters ?? {};

  const url = new URL(fillPathWildcards(call.endpoint, target.PathParameterValues ?? []));
  for (const [k, v] of Object.entries(target.QueryStringParameters ?? {})) url.searchParams.set(k, v);
  for (const p of invocation.QueryStringParameters ?? []) if (p.Key) url.searchParams.set(p.Key, p.Value ?? '');

  const headers = new Headers({ 'Content-Type': CONTENT_TYPE });
  for (const [k, v] of Object.entries(target.HeaderParameters ?? {})) setHeader(headers, k, v);
  for (const p of invocation.HeaderParameters ?? []) if (p.Key) setHeader(headers, p.Key, p.Value ?? '');

  const method = call.method.toUpperCase();
  const withoutBody = method === 'GET' || method === 'HEAD';
  return {
    url: url.toString(),
    method,
    headers,
    body: withoutBody ? undefined : mergeBodyParameters(call.body, invocation.BodyParameters),
  };
}

/**
 * Each `*` of the endpoint's path, in order, takes the next path parameter value (URL-encoded).
 * Only the path: a `*` in the host (which a URL allows) is left alone, so no value can choose
 * where the call goes; the destination's endpoint does (docs/reliability.md, "Outbound calls").
 */
function fillPathWildcards(endpoint: string, values: string[]): string {
  if (values.length === 0 || !endpoint.includes('*')) return endpoint;
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(endpoint)?.[0] ?? '';
  let i = 0;
  return authority + endpoint.slice(authority.length).replace(/\*/g, (star) => (i < values.length ? encodeURIComponent(values[i++]) : star));
}

function setHeader(headers: Headers, name: string, value: string): void {
  const key = name.trim();
  if (!key || RESERVED_HEADERS.has(key.toLowerCase())) return;
  try {
    headers.set(key, value);
  } catch {
    // A name or value HTTP cannot carry (a control character): left out rather than failing the call.
  }
}

function mergeBodyParameters(body: string, params: eb.ConnectionBodyParameter[] | undefined): string {
  if (!params || params.length === 0) return body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return body;
  const merged = parsed as Record<string, unknown>;
  for (const p of params) if (p.Key) merged[p.Key] = p.Value ?? '';
  return JSON.stringify(merged);
}

async function authorizationHeader(
  connection: Readonly<ConnectionRecord>,
  deps: ApiDestinationDeps,
  refresh: boolean,
): Promise<[string, string] | undefined> {
  const c = connection.credentials!;
  switch (connection.authorizationType) {
    case 'BASIC':
      return c.basic ? ['Authorization', basicAuth(c.basic.username, c.basic.password)] : undefined;
    case 'API_KEY':
      return c.apiKey ? [c.apiKey.name, c.apiKey.value] : undefined;
    case 'OAUTH_CLIENT_CREDENTIALS': {
      const token = await deps.tokens.token(connection, deps, { refresh });
      return ['Authorization', `${token.tokenType} ${token.accessToken}`];
    }
    default:
      return undefined;
  }
}

function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

async function send(
  request: PreparedRequest,
  headers: Headers,
  deps: Pick<ApiDestinationDeps, 'fetch' | 'timeoutMs'>,
): Promise<ApiDestinationOutcome | { status: number; response: Response }> {
  const doFetch = deps.fetch ?? fetch;
  try {
    const response = await doFetch(request.url, {
      method: request.method,
      headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs ?? API_DESTINATION_TIMEOUT_MS),
    });
    return { status: response.status, response };
  } catch (err) {
    return transportFailure(err);
  }
}

// --- the answer ------------------------------------------------------------------------------

function retryableStatus(status: number): boolean {
  return status === 401 || status === 407 || status === 409 || status === 429 || status >= 500;
}

async function outcomeOf(response: Response): Promise<ApiDestinationOutcome> {
  const status = response.status;
  let excerpt = '';
  try {
    excerpt = await readExcerpt(response);
  } catch (err) {
    // The body did not arrive in time: the endpoint answered, but the call did not finish.
    if (isTimeout(err)) return transportFailure(err);
  }
  if (status >= 200 && status < 300) return { ok: true, status, detail: `HTTP ${status}${excerpt ? `: ${excerpt}` : ''}` };

  const statusText = response.statusText ? ` ${response.statusText}` : '';
  let retryable = retryableStatus(status);
  let retryAfterMs: number | undefined;
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
  if (retryAfter !== undefined) {
    if (retryAfter < 0) retryable = false;
    else if (retryable) retryAfterMs = retryAfter;
  }
  const outcome: ApiDestinationOutcome = {
    ok: false,
    code: 'SDK_CLIENT_ERROR',
    message: `${ERROR_PREFIX}The endpoint responded with HTTP ${status}${statusText}.${excerpt ? ` Response: ${excerpt}` : ''}`,
    retryable,
    status,
  };
  if (retryAfterMs !== undefined) outcome.retryAfterMs = retryAfterMs;
  return outcome;
}

/** Retry-After in ms: delta-seconds (possibly negative, which AWS reads as "stop") or an HTTP date. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  // An HTTP date is wall time by definition; it is compared with wall time.
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

async function readExcerpt(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size < DETAIL_BYTES) chunks.push(value);
      size += value.byteLength;
      if (size >= MAX_RESPONSE_BYTES) break;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const text = Buffer.concat(chunks).toString('utf8').slice(0, DETAIL_BYTES).trim();
  return text.replace(/\s+/g, ' ');
}

/** The body as text, refused past `limit` bytes without reading the rest. */
async function readBounded(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) throw new OAuthTokenError(`The authorization endpoint answered more than ${limit} bytes.`, false, response.status);
      chunks.push(value);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // nothing to do
  }
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

function transportFailure(err: unknown): ApiDestinationOutcome {
  if (isTimeout(err)) return failure('UNKNOWN', 'Timeout calling endpoint for API Destination: socket closed.', true);
  return failure('SDK_CLIENT_ERROR', 'API destination endpoint cannot be reached.', true);
}

function tokenFailure(err: unknown): ApiDestinationOutcome {
  if (err instanceof OAuthTokenError)
    return failure('SDK_CLIENT_ERROR', `Failed to obtain an OAuth token for the connection: ${err.message}`, err.retryable, err.status);
  return failure('SDK_CLIENT_ERROR', `Failed to obtain an OAuth token for the connection: ${messageOf(err)}`, true);
}

function failure(code: string, message: string, retryable: boolean, status?: number): ApiDestinationOutcome {
  const out: ApiDestinationOutcome = { ok: false, code, message: ERROR_PREFIX + message, retryable };
  if (status !== undefined) out.status = status;
  return out;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// --- the OAuth token request ---------------------------------------------------------------------

async function requestToken(oauth: NonNullable<NonNullable<ConnectionRecord['credentials']>['oauth']>, deps: TokenDeps): Promise<OAuthToken> {
  const params = oauth.httpParameters ?? {};
  const method = oauth.httpMethod.toUpperCase();
  let url: URL;
  try {
    url = new URL(oauth.authorizationEndpoint);
  } catch {
    throw new OAuthTokenError(`The authorization endpoint '${oauth.authorizationEndpoint}' is not a valid URL.`, false);
  }
  for (const p of params.QueryStringParameters ?? []) if (p.Key) url.searchParams.set(p.Key, p.Value ?? '');

  const headers = new Headers({ Accept: 'application/json' });
  for (const p of params.HeaderParameters ?? []) if (p.Key) setHeader(headers, p.Key, p.Value ?? '');
  headers.set('Authorization', basicAuth(oauth.clientId, oauth.clientSecret));
  headers.set('User-Agent', API_DESTINATION_USER_AGENT);

  const bodyParams = (params.BodyParameters ?? []).filter((p) => p.Key);
  let body: string | undefined;
  if (method === 'GET') {
    for (const p of bodyParams) url.searchParams.set(p.Key!, p.Value ?? '');
  } else if (/json/i.test(headers.get('content-type') ?? '')) {
    body = JSON.stringify(Object.fromEntries(bodyParams.map((p) => [p.Key!, p.Value ?? ''])));
  } else {
    if (!headers.has('content-type')) headers.set('Content-Type', 'application/x-www-form-urlencoded');
    body = new URLSearchParams(bodyParams.map((p) => [p.Key!, p.Value ?? ''])).toString();
  }

  const doFetch = deps.fetch ?? fetch;
  let response: Response;
  let text: string;
  try {
    response = await doFetch(url.toString(), {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs ?? API_DESTINATION_TIMEOUT_MS),
    });
    text = await readBounded(response, MAX_TOKEN_RESPONSE_BYTES);
  } catch (err) {
    if (err instanceof OAuthTokenError) throw err;
    if (isTimeout(err)) throw new OAuthTokenError('Timeout calling the authorization endpoint.', true);
    throw new OAuthTokenError('The authorization endpoint cannot be reached.', true);
  }
  if (response.status < 200 || response.status >= 300) {
    const retryable = response.status === 429 || response.status >= 500;
    throw new OAuthTokenError(`The authorization endpoint responded with HTTP ${response.status}.`, retryable, response.status);
  }
  let parsed: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new OAuthTokenError('The authorization endpoint did not answer JSON.', false, response.status);
  }
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.access_token !== 'string' || parsed.access_token === '')
    throw new OAuthTokenError('The authorization endpoint answered no access_token.', false, response.status);
  const type = typeof parsed.token_type === 'string' && parsed.token_type ? parsed.token_type : 'Bearer';
  const expiresIn = typeof parsed.expires_in === 'string' ? Number(parsed.expires_in) : parsed.expires_in;
  return {
    accessToken: parsed.access_token,
    tokenType: type.toLowerCase() === 'bearer' ? 'Bearer' : type,
    expiresAt: typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0 ? deps.now() + expiresIn * 1000 : undefined,
  };
}
