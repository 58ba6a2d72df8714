/**
 * EventBridge connections and API destinations of one (account, region): their state and their
 * eleven operations, each typed by the SDK's own request and response shapes.
 *
 * What AWS does, and what this file copies (API reference:
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateConnection.html and its
 * siblings; responses and messages as LocalStack's snapshot tests recorded them against AWS):
 * - ARNs `arn:aws:events:<r>:<a>:connection/<name>/<uuid>` and `.../api-destination/<name>/<uuid>`;
 *   the uuid names one incarnation: an API destination keeps the ARN of the connection it was
 *   given, and a connection deleted and created again under the same name is another connection.
 * - The credentials live in a Secrets Manager secret AWS creates for the connection,
 *   `arn:aws:secretsmanager:<r>:<a>:secret:events!connection/<name>/<uuid>-<6 chars>`; Describe
 *   answers its ARN and the authorization parameters without the password, the API key value,
 *   the client secret, and without the value of any HTTP parameter marked IsValueSecret.
 * - ConnectionState: BASIC and API_KEY connections are AUTHORIZED as soon as they are created
 *   (CreateConnection already answers AUTHORIZED on AWS); OAUTH_CLIENT_CREDENTIALS connections are
 *   AUTHORIZING until EventBridge has a token from the authorization endpoint. Here the token
 *   request is the delivery side's business (src/delivery/api-destination.ts): it reports back
 *   with `markAuthorized` / `markAuthorizationFailed`. DeauthorizeConnection answers DEAUTHORIZING
 *   as AWS does, and the connection is DEAUTHORIZED at once (AWS takes about a second), without
 *   its authorization parameters or its secret. DeleteConnection answers DELETING and the
 *   connection is gone at once.
 * - An API destination is ACTIVE while its connection is AUTHORIZED, INACTIVE otherwise
 *   (including while an OAuth connection is still AUTHORIZING, and after its connection is
 *   deleted: AWS lets a connection in use be deleted).
 *
 * Choices where AWS is silent or not locally useful:
 * - InvocationEndpoint and AuthorizationEndpoint may be http:// as well as https:// (AWS accepts
 *   HTTPS only): a local emulator's endpoints are mostly http://localhost.
 * - Lists are in name order; NextToken is an opaque cursor (the last name answered), so pages
 *   stay correct while resources are created or deleted between calls.
 */
import type * as eb from '@aws-sdk/client-eventbridge';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { AwsError } from '../gateway/errors.js';
import { uuid } from '../ids.js';
import { limitExceeded, resourceAlreadyExists, resourceNotFound, validationException } from './errors.js';

/** AWS's default, and (as a quota) its ceiling, for InvocationRateLimitPerSecond. */
export const DEFAULT_INVOCATION_RATE_LIMIT = 300;
/** "Connections" and "Api destinations" quotas: 3,000 each per account per Region. */
export const MAX_CONNECTIONS = 3000;
export const MAX_API_DESTINATIONS = 3000;
const MAX_LIST_LIMIT = 100;

const AUTH_TYPES: readonly eb.ConnectionAuthorizationType[] = ['BASIC', 'OAUTH_CLIENT_CREDENTIALS', 'API_KEY'];
const OAUTH_METHODS: readonly eb.ConnectionOAuthHttpMethod[] = ['GET', 'POST', 'PUT'];
const DESTINATION_METHODS: readonly eb.ApiDestinationHttpMethod[] = ['HEAD', 'POST', 'PATCH', 'DELETE', 'PUT', 'GET', 'OPTIONS'];
const CONNECTION_STATES: readonly eb.ConnectionState[] = [
  'CREATING',
  'UPDATING',
  'DELETING',
  'AUTHORIZED',
  'DEAUTHORIZED',
  'AUTHORIZING',
  'DEAUTHORIZING',
  'ACTIVE',
  'FAILED_CONNECTIVITY',
];

const NAME_PATTERN = /^[.\-_A-Za-z0-9]+$/;
const NAME_PATTERN_TEXT = '[\\.\\-_A-Za-z0-9]+';
const CONNECTION_ARN_PATTERN = /^arn:aws([a-z]|-)*:events:([a-z]|\d|-)*:([0-9]{12})?:connection\/[.\-_A-Za-z0-9]+\/[-A-Za-z0-9]+$/;
const CONNECTION_ARN_PATTERN_TEXT =
  '^arn:aws([a-z]|\\-)*:events:([a-z]|\\d|\\-)*:([0-9]{12})?:connection\\/[\\.\\-_A-Za-z0-9]+\\/[\\-A-Za-z0-9]+$';

/** The OAuth half of a connection's credentials. */
export interface OAuthCredentials {
  clientId: string;
  clientSecret: string;
  authorizationEndpoint: string;
  httpMethod: eb.ConnectionOAuthHttpMethod;
  /** Extra header, query string and body parameters of the token request. */
  httpParameters?: eb.ConnectionHttpParameters;
}

/** Everything a connection's secret holds: what delivery needs to authorize a call. */
export interface ConnectionCredentials {
  basic?: { username: string; password: string };
  apiKey?: { name: string; value: string };
  oauth?: OAuthCredentials;
  /** Header, query string and body parameters added to every invocation. */
  invocationHttpParameters?: eb.ConnectionHttpParameters;
}

/** A connection as the store keeps it, secrets included. Delivery reads it; only the store writes it. */
export interface ConnectionRecord {
  readonly arn: string;
  readonly name: string;
  readonly account: string;
  readonly region: string;
  description?: string;
  authorizationType: eb.ConnectionAuthorizationType;
  /** Undefined once the connection is deauthorized. */
  credentials?: ConnectionCredentials;
  state: eb.ConnectionState;
  stateReason?: string;
  /** Undefined once the connection is deauthorized. */
  secretArn?: string;
  kmsKeyIdentifier?: string;
  /** Private API connectivity, echoed back as given (Switchyard calls every endpoint directly). */
  invocationConnectivity?: { resourceConfigurationArn: string; resourceAssociationArn: string };
  oauthConnectivity?: { resourceConfigurationArn: string; resourceAssociationArn: string };
  /** Epoch ms. */
  creationTime: number;
  lastModifiedTime: number;
  lastAuthorizedTime?: number;
  /**
   * Grows whenever the credentials change (update, deauthorize): a cached OAuth token obtained
   * with older credentials is not used again.
   */
  credentialsVersion: number;
}

/** An API destination as the store keeps it. */
export interface ApiDestinationRecord {
  readonly arn: string;
  readonly name: string;
  readonly account: string;
  readonly region: string;
  description?: string;
  connectionArn: string;
  /** InvocationEndpoint: may hold `*` path wildcards. */
  endpoint: string;
  /** HttpMethod. */
  method: eb.ApiDestinationHttpMethod;
  invocationRateLimitPerSecond: number;
  creationTime: number;
  lastModifiedTime: number;
}

export interface ConnectionStoreOptions {
  clock: Clock;
  account: string;
  region: string;
}

// --- validation messages, worded as AWS words its constraint violations -------------------

function constraint(value: unknown, at: string, rule: string): string {
  return `Value '${String(value)}' at '${at}' failed to satisfy constraint: ${rule}`;
}

function validationErrors(errors: string[]): AwsError | undefined {
  if (errors.length === 0) return undefined;
  const n = errors.length;
  return validationException(`${n} validation error${n > 1 ? 's' : ''} detected: ${errors.join('; ')}`);
}

function throwIfAny(errors: string[]): void {
  const err = validationErrors(errors);
  if (err) throw err;
}

function checkName(name: unknown, at: string, errors: string[]): void {
  if (typeof name !== 'string') return; // missing: the codec answers MissingParameter before we run
  if (name.length < 1) errors.push(constraint(name, at, 'Member must have length greater than or equal to 1'));
  if (name.length > 64) errors.push(constraint(name, at, 'Member must have length less than or equal to 64'));
  if (name.length > 0 && !NAME_PATTERN.test(name))
    errors.push(constraint(name, at, `Member must satisfy regular expression pattern: ${NAME_PATTERN_TEXT}`));
}

function checkDescription(description: unknown, errors: string[]): void {
  if (typeof description === 'string' && description.length > 512)
    errors.push(constraint(description, 'description', 'Member must have length less than or equal to 512'));
}

function checkEnum<T extends string>(value: unknown, at: string, allowed: readonly T[], errors: string[]): void {
  if (value !== undefined && !allowed.includes(value as T))
    errors.push(constraint(value, at, `Member must satisfy enum value set: [${allowed.join(', ')}]`));
}

function checkLimit(limit: unknown, errors: string[]): void {
  if (limit === undefined) return;
  if (typeof limit !== 'number' || limit < 1) errors.push(constraint(limit, 'limit', 'Member must have value greater than or equal to 1'));
  else if (limit > MAX_LIST_LIMIT) errors.push(constraint(limit, 'limit', `Member must have value less than or equal to ${MAX_LIST_LIMIT}`));
}

/** An http(s) URL with a host; AWS itself wants https (see the header comment). */
function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname.length > 0 && !u.hostname.includes('*');
  } catch {
    return false;
  }
}

// --- pagination -------------------------------------------------------------------------

function encodeToken(lastName: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after: lastName })).toString('base64url');
}

function decodeToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; after?: unknown };
    if (parsed.v === 1 && typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through
  }
  throw validationException('The NextToken provided is not valid.');
}

function page<T extends { name: string }>(sorted: T[], limit: number | undefined, nextToken: string | undefined): { items: T[]; next?: string } {
  let start = 0;
  if (nextToken !== undefined) {
    const after = decodeToken(nextToken);
    while (start < sorted.length && sorted[start].name <= after) start++;
  }
  const size = limit ?? MAX_LIST_LIMIT;
  const items = sorted.slice(start, start + size);
  const more = start + size < sorted.length;
  return { items, next: more ? encodeToken(items[items.length - 1].name) : undefined };
}

// --- shapes in and out ----------------------------------------------------------------------

/** Copies of the HTTP parameters, so later changes to the request objects do not reach the store. */
function copyHttpParameters(p: eb.ConnectionHttpParameters | undefined): eb.ConnectionHttpParameters | undefined {
  if (!p) return undefined;
  const out: eb.ConnectionHttpParameters = {};
  if (p.HeaderParameters) out.HeaderParameters = p.HeaderParameters.map((x) => ({ ...x }));
  if (p.QueryStringParameters) out.QueryStringParameters = p.QueryStringParameters.map((x) => ({ ...x }));
  if (p.BodyParameters) out.BodyParameters = p.BodyParameters.map((x) => ({ ...x }));
  return out;
}

/** The parameters as Describe shows them: a secret parameter's value is never answered. */
function publicHttpParameters(p: eb.ConnectionHttpParameters): eb.ConnectionHttpParameters {
  const hide = <T extends { Value?: string; IsValueSecret?: boolean }>(list: T[]): T[] =>
    list.map((x) => {
      if (!x.IsValueSecret) return { ...x };
      const { Value: _hidden, ...rest } = x;
      return rest as T;
    });
  const out: eb.ConnectionHttpParameters = {};
  if (p.HeaderParameters) out.HeaderParameters = hide(p.HeaderParameters);
  if (p.QueryStringParameters) out.QueryStringParameters = hide(p.QueryStringParameters);
  if (p.BodyParameters) out.BodyParameters = hide(p.BodyParameters);
  return out;
}

/** Secrets Manager's six-character suffix on every secret ARN. */
function secretSuffix(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(6);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

const date = (ms: number | undefined): Date | undefined => (ms === undefined ? undefined : new Date(ms));

/** Drop undefined members, so responses carry only what AWS would put in them. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

type AuthParametersIn = eb.CreateConnectionAuthRequestParameters | eb.UpdateConnectionAuthRequestParameters;

const PARAMETER_FOR: Record<eb.ConnectionAuthorizationType, 'BasicAuthParameters' | 'OAuthParameters' | 'ApiKeyAuthParameters'> = {
  BASIC: 'BasicAuthParameters',
  OAUTH_CLIENT_CREDENTIALS: 'OAuthParameters',
  API_KEY: 'ApiKeyAuthParameters',
};

export class ConnectionStore {
  readonly account: string;
  readonly region: string;
  private readonly clock: Clock;
  private readonly connections = new Map<string, ConnectionRecord>();
  private readonly connectionsByArn = new Map<string, ConnectionRecord>();
  private readonly destinations = new Map<string, ApiDestinationRecord>();
  private readonly destinationsByArn = new Map<string, ApiDestinationRecord>();

  constructor(options: ConnectionStoreOptions) {
    this.clock = options.clock;
    this.account = options.account;
    this.region = options.region;
  }

  // --- lookups for delivery -------------------------------------------------------------------

  /** The connection with this exact ARN (name and incarnation), secrets included. */
  connectionByArn(arn: string): Readonly<ConnectionRecord> | undefined {
    return this.connectionsByArn.get(arn);
  }

  /** The API destination with this exact ARN. */
  apiDestinationByArn(arn: string): Readonly<ApiDestinationRecord> | undefined {
    return this.destinationsByArn.get(arn);
  }

  /** ACTIVE while the destination's connection exists and is AUTHORIZED. */
  apiDestinationState(destination: Pick<ApiDestinationRecord, 'connectionArn'>): eb.ApiDestinationState {
    return this.connectionsByArn.get(destination.connectionArn)?.state === 'AUTHORIZED' ? 'ACTIVE' : 'INACTIVE';
  }

  /**
   * The authorization endpoint answered a token: an AUTHORIZING (or previously failed) OAuth
   * connection becomes AUTHORIZED. Ignored for a connection that was since changed
   * (`credentialsVersion` no longer matches), deauthorized or deleted.
   */
  markAuthorized(arn: string, credentialsVersion: number): void {
    const c = this.connectionsByArn.get(arn);
    if (!c || c.credentialsVersion !== credentialsVersion || !c.credentials) return;
    if (c.state === 'AUTHORIZED') return;
    c.state = 'AUTHORIZED';
    c.stateReason = undefined;
    c.lastAuthorizedTime = this.clock.now();
  }

  /** The token request failed: the connection is DEAUTHORIZED with the reason, as on AWS. */
  markAuthorizationFailed(arn: string, credentialsVersion: number, reason: string): void {
    const c = this.connectionsByArn.get(arn);
    if (!c || c.credentialsVersion !== credentialsVersion || !c.credentials) return;
    c.state = 'DEAUTHORIZED';
    c.stateReason = reason;
  }

  /** Every connection, secrets included (persistence writes them to the catalog). */
  allConnections(): IterableIterator<Readonly<ConnectionRecord>> {
    return this.connections.values();
  }

  allApiDestinations(): IterableIterator<Readonly<ApiDestinationRecord>> {
    return this.destinations.values();
  }

  /** A connection as an earlier process kept it (persistence); replaces one of the same name. */
  restoreConnection(record: ConnectionRecord): void {
    const old = this.connections.get(record.name);
    if (old) this.connectionsByArn.delete(old.arn);
    this.connections.set(record.name, record);
    this.connectionsByArn.set(record.arn, record);
  }

  restoreApiDestination(record: ApiDestinationRecord): void {
    const old = this.destinations.get(record.name);
    if (old) this.destinationsByArn.delete(old.arn);
    this.destinations.set(record.name, record);
    this.destinationsByArn.set(record.arn, record);
  }

  /** Drop everything (tests, the inspection API's reset). */
  reset(): void {
    this.connections.clear();
    this.connectionsByArn.clear();
    this.destinations.clear();
    this.destinationsByArn.clear();
  }

  // --- connections ------------------------------------------------------------------------

  createConnection(input: eb.CreateConnectionRequest): eb.CreateConnectionResponse {
    const errors: string[] = [];
    checkName(input.Name, 'name', errors);
    checkDescription(input.Description, errors);
    checkEnum(input.AuthorizationType, 'authorizationType', AUTH_TYPES, errors);
    throwIfAny(errors);
    const name = input.Name!;
    const type = input.AuthorizationType!;
    const credentials = this.credentialsFrom(type, input.AuthParameters ?? {}, undefined, 'create');

    if (this.connections.has(name)) throw resourceAlreadyExists(`Connection '${name}' already exists.`);
    if (this.connections.size >= MAX_CONNECTIONS) throw limitExceeded();

    const now = this.clock.now();
    const id = uuid();
    const record: ConnectionRecord = {
      arn: `arn:aws:events:${this.region}:${this.account}:connection/${name}/${id}`,
      name,
      account: this.account,
      region: this.region,
      description: input.Description,
      authorizationType: type,
      credentials,
      state: type === 'OAUTH_CLIENT_CREDENTIALS' ? 'AUTHORIZING' : 'AUTHORIZED',
      secretArn: this.newSecretArn(name),
      kmsKeyIdentifier: input.KmsKeyIdentifier,
      invocationConnectivity: this.connectivity(input.InvocationConnectivityParameters),
      oauthConnectivity: this.connectivity(input.AuthParameters?.ConnectivityParameters),
      creationTime: now,
      lastModifiedTime: now,
      // AWS answers LastAuthorizedTime from creation on, even while an OAuth connection is
      // still AUTHORIZING (LocalStack's snapshots recorded against AWS show it).
      lastAuthorizedTime: now,
      credentialsVersion: 1,
    };
    this.connections.set(name, record);
    this.connectionsByArn.set(record.arn, record);
    return {
      ConnectionArn: record.arn,
      ConnectionState: record.state,
      CreationTime: new Date(now),
      LastModifiedTime: new Date(now),
    };
  }

  describeConnection(input: eb.DescribeConnectionRequest): eb.DescribeConnectionResponse {
    const c = this.connection(input.Name);
    return compact<eb.DescribeConnectionResponse>({
      ConnectionArn: c.arn,
      Name: c.name,
      Description: c.description,
      InvocationConnectivityParameters: c.invocationConnectivity && {
        ResourceParameters: {
          ResourceConfigurationArn: c.invocationConnectivity.resourceConfigurationArn,
          ResourceAssociationArn: c.invocationConnectivity.resourceAssociationArn,
        },
      },
      ConnectionState: c.state,
      StateReason: c.stateReason,
      AuthorizationType: c.authorizationType,
      SecretArn: c.secretArn,
      KmsKeyIdentifier: c.kmsKeyIdentifier,
      AuthParameters: this.publicAuthParameters(c),
      CreationTime: new Date(c.creationTime),
      LastModifiedTime: new Date(c.lastModifiedTime),
      LastAuthorizedTime: date(c.lastAuthorizedTime),
    });
  }

  updateConnection(input: eb.UpdateConnectionRequest): eb.UpdateConnectionResponse {
    const errors: string[] = [];
    checkName(input.Name, 'name', errors);
    checkDescription(input.Description, errors);
    checkEnum(input.AuthorizationType, 'authorizationType', AUTH_TYPES, errors);
    throwIfAny(errors);
    const c = this.connection(input.Name);

    const type = input.AuthorizationType ?? c.authorizationType;
    const auth = input.AuthParameters;
    const touchesCredentials =
      input.AuthorizationType !== undefined ||
      (auth !== undefined &&
        (auth.BasicAuthParameters !== undefined ||
          auth.ApiKeyAuthParameters !== undefined ||
          auth.OAuthParameters !== undefined ||
          auth.InvocationHttpParameters !== undefined));
    // Validate everything before changing anything: a rejected update leaves the connection as it was.
    const credentials = touchesCredentials
      ? this.credentialsFrom(type, auth ?? {}, type === c.authorizationType ? c.credentials : undefined, 'update')
      : undefined;

    const now = this.clock.now();
    if (input.Description !== undefined) c.description = input.Description;
    if (input.KmsKeyIdentifier !== undefined) c.kmsKeyIdentifier = input.KmsKeyIdentifier;
    if (input.InvocationConnectivityParameters !== undefined)
      c.invocationConnectivity = this.connectivity(input.InvocationConnectivityParameters);
    if (auth?.ConnectivityParameters !== undefined) c.oauthConnectivity = this.connectivity(auth.ConnectivityParameters);
    if (credentials) {
      c.authorizationType = type;
      c.credentials = credentials;
      c.credentialsVersion++;
      c.secretArn ??= this.newSecretArn(c.name); // a deauthorized connection gets a new secret
      c.stateReason = undefined;
      if (type === 'OAUTH_CLIENT_CREDENTIALS') c.state = 'AUTHORIZING';
      else {
        c.state = 'AUTHORIZED';
        c.lastAuthorizedTime = now;
      }
    }
    c.lastModifiedTime = now;
    return compact<eb.UpdateConnectionResponse>({
      ConnectionArn: c.arn,
      ConnectionState: c.state,
      CreationTime: new Date(c.creationTime),
      LastModifiedTime: new Date(c.lastModifiedTime),
      LastAuthorizedTime: date(c.lastAuthorizedTime),
    });
  }

  deleteConnection(input: eb.DeleteConnectionRequest): eb.DeleteConnectionResponse {
    const c = this.connection(input.Name);
    this.connections.delete(c.name);
    this.connectionsByArn.delete(c.arn);
    // API destinations that use it stay, and are INACTIVE from now on (as on AWS).
    return compact<eb.DeleteConnectionResponse>({
      ConnectionArn: c.arn,
      ConnectionState: 'DELETING',
      CreationTime: new Date(c.creationTime),
      LastModifiedTime: new Date(c.lastModifiedTime),
      LastAuthorizedTime: date(c.lastAuthorizedTime),
    });
  }

  listConnections(input: eb.ListConnectionsRequest): eb.ListConnectionsResponse {
    const errors: string[] = [];
    if (input.NamePrefix !== undefined) checkName(input.NamePrefix, 'namePrefix', errors);
    checkEnum(input.ConnectionState, 'connectionState', CONNECTION_STATES, errors);
    checkLimit(input.Limit, errors);
    throwIfAny(errors);
    const prefix = input.NamePrefix ?? '';
    const rows = [...this.connections.values()]
      .filter((c) => c.name.startsWith(prefix) && (input.ConnectionState === undefined || c.state === input.ConnectionState))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const { items, next } = page(rows, input.Limit, input.NextToken);
    return compact<eb.ListConnectionsResponse>({
      Connections: items.map((c) =>
        compact<eb.Connection>({
          ConnectionArn: c.arn,
          Name: c.name,
          ConnectionState: c.state,
          StateReason: c.stateReason,
          AuthorizationType: c.authorizationType,
          CreationTime: new Date(c.creationTime),
          LastModifiedTime: new Date(c.lastModifiedTime),
          LastAuthorizedTime: date(c.lastAuthorizedTime),
        }),
      ),
      NextToken: next,
    });
  }

  deauthorizeConnection(input: eb.DeauthorizeConnectionRequest): eb.DeauthorizeConnectionResponse {
    const c = this.connection(input.Name);
    let answered: eb.ConnectionState = c.state;
    if (c.credentials) {
      c.credentials = undefined;
      c.secretArn = undefined;
      c.credentialsVersion++;
      c.state = 'DEAUTHORIZED';
      c.stateReason = undefined;
      c.lastModifiedTime = this.clock.now();
      answered = 'DEAUTHORIZING';
    }
    return compact<eb.DeauthorizeConnectionResponse>({
      ConnectionArn: c.arn,
      ConnectionState: answered,
      CreationTime: new Date(c.creationTime),
      LastModifiedTime: new Date(c.lastModifiedTime),
      LastAuthorizedTime: date(c.lastAuthorizedTime),
    });
  }

  // --- API destinations ---------------------------------------------------------------------

  createApiDestination(input: eb.CreateApiDestinationRequest): eb.CreateApiDestinationResponse {
    const errors: string[] = [];
    checkName(input.Name, 'name', errors);
    checkDescription(input.Description, errors);
    if (typeof input.ConnectionArn === 'string' && !CONNECTION_ARN_PATTERN.test(input.ConnectionArn))
      errors.push(constraint(input.ConnectionArn, 'connectionArn', `Member must satisfy regular expression pattern: ${CONNECTION_ARN_PATTERN_TEXT}`));
    checkEnum(input.HttpMethod, 'httpMethod', DESTINATION_METHODS, errors);
    this.checkRate(input.InvocationRateLimitPerSecond, errors);
    throwIfAny(errors);
    const name = input.Name!;
    this.checkEndpoint(input.InvocationEndpoint!, 'create');
    this.checkRateQuota(input.InvocationRateLimitPerSecond, name, 'create');

    if (this.destinations.has(name))
      throw resourceAlreadyExists(`Failed to create the api-destination(s). An api-destination with name '${name}' already exists.`);
    const connectionArn = input.ConnectionArn!;
    if (!this.connectionsByArn.has(connectionArn))
      throw resourceNotFound(`Failed to create the api-destination(s). Connection '${connectionArn}' does not exist.`);
    if (this.destinations.size >= MAX_API_DESTINATIONS) throw limitExceeded();

    const now = this.clock.now();
    const record: ApiDestinationRecord = {
      arn: `arn:aws:events:${this.region}:${this.account}:api-destination/${name}/${uuid()}`,
      name,
      account: this.account,
      region: this.region,
      description: input.Description,
      connectionArn,
      endpoint: input.InvocationEndpoint!,
      method: input.HttpMethod!,
      invocationRateLimitPerSecond: input.InvocationRateLimitPerSecond ?? DEFAULT_INVOCATION_RATE_LIMIT,
      creationTime: now,
      lastModifiedTime: now,
    };
    this.destinations.set(name, record);
    this.destinationsByArn.set(record.arn, record);
    return {
      ApiDestinationArn: record.arn,
      ApiDestinationState: this.apiDestinationState(record),
      CreationTime: new Date(now),
      LastModifiedTime: new Date(now),
    };
  }

  describeApiDestination(input: eb.DescribeApiDestinationRequest): eb.DescribeApiDestinationResponse {
    const d = this.destination(input.Name, 'describe');
    return compact<eb.DescribeApiDestinationResponse>({
      ApiDestinationArn: d.arn,
      Name: d.name,
      Description: d.description,
      ApiDestinationState: this.apiDestinationState(d),
      ConnectionArn: d.connectionArn,
      InvocationEndpoint: d.endpoint,
      HttpMethod: d.method,
      InvocationRateLimitPerSecond: d.invocationRateLimitPerSecond,
      CreationTime: new Date(d.creationTime),
      LastModifiedTime: new Date(d.lastModifiedTime),
    });
  }

  updateApiDestination(input: eb.UpdateApiDestinationRequest): eb.UpdateApiDestinationResponse {
    const errors: string[] = [];
    checkName(input.Name, 'name', errors);
    checkDescription(input.Description, errors);
    if (typeof input.ConnectionArn === 'string' && !CONNECTION_ARN_PATTERN.test(input.ConnectionArn))
      errors.push(constraint(input.ConnectionArn, 'connectionArn', `Member must satisfy regular expression pattern: ${CONNECTION_ARN_PATTERN_TEXT}`));
    checkEnum(input.HttpMethod, 'httpMethod', DESTINATION_METHODS, errors);
    this.checkRate(input.InvocationRateLimitPerSecond, errors);
    throwIfAny(errors);
    if (input.InvocationEndpoint !== undefined) this.checkEndpoint(input.InvocationEndpoint, 'update');
    this.checkRateQuota(input.InvocationRateLimitPerSecond, input.Name!, 'update');
    const d = this.destination(input.Name, 'update');
    if (input.ConnectionArn !== undefined && !this.connectionsByArn.has(input.ConnectionArn))
      throw resourceNotFound(`Failed to update the api-destination(s). Connection '${input.ConnectionArn}' does not exist.`);

    if (input.Description !== undefined) d.description = input.Description;
    if (input.ConnectionArn !== undefined) d.connectionArn = input.ConnectionArn;
    if (input.InvocationEndpoint !== undefined) d.endpoint = input.InvocationEndpoint;
    if (input.HttpMethod !== undefined) d.method = input.HttpMethod;
    if (input.InvocationRateLimitPerSecond !== undefined) d.invocationRateLimitPerSecond = input.InvocationRateLimitPerSecond;
    d.lastModifiedTime = this.clock.now();
    return {
      ApiDestinationArn: d.arn,
      ApiDestinationState: this.apiDestinationState(d),
      CreationTime: new Date(d.creationTime),
      LastModifiedTime: new Date(d.lastModifiedTime),
    };
  }

  deleteApiDestination(input: eb.DeleteApiDestinationRequest): eb.DeleteApiDestinationResponse {
    const d = this.destination(input.Name, 'delete');
    this.destinations.delete(d.name);
    this.destinationsByArn.delete(d.arn);
    return {};
  }

  listApiDestinations(input: eb.ListApiDestinationsRequest): eb.ListApiDestinationsResponse {
    const errors: string[] = [];
    if (input.NamePrefix !== undefined) checkName(input.NamePrefix, 'namePrefix', errors);
    if (typeof input.ConnectionArn === 'string' && !CONNECTION_ARN_PATTERN.test(input.ConnectionArn))
      errors.push(constraint(input.ConnectionArn, 'connectionArn', `Member must satisfy regular expression pattern: ${CONNECTION_ARN_PATTERN_TEXT}`));
    checkLimit(input.Limit, errors);
    throwIfAny(errors);
    if (input.NamePrefix !== undefined && input.ConnectionArn !== undefined)
      throw validationException(
        'Failed to list the api-destination(s). Request failed because only one filter is supported per request, either ConnectionArn or NamePrefix.',
      );
    const prefix = input.NamePrefix ?? '';
    const rows = [...this.destinations.values()]
      .filter((d) => d.name.startsWith(prefix) && (input.ConnectionArn === undefined || d.connectionArn === input.ConnectionArn))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const { items, next } = page(rows, input.Limit, input.NextToken);
    return compact<eb.ListApiDestinationsResponse>({
      // Description is not part of the list entries on AWS.
      ApiDestinations: items.map((d) => ({
        ApiDestinationArn: d.arn,
        Name: d.name,
        ApiDestinationState: this.apiDestinationState(d),
        ConnectionArn: d.connectionArn,
        InvocationEndpoint: d.endpoint,
        HttpMethod: d.method,
        InvocationRateLimitPerSecond: d.invocationRateLimitPerSecond,
        CreationTime: new Date(d.creationTime),
        LastModifiedTime: new Date(d.lastModifiedTime),
      })),
      NextToken: next,
    });
  }

  // --- internals ----------------------------------------------------------------------------

  private connection(name: string | undefined): ConnectionRecord {
    const c = name === undefined ? undefined : this.connections.get(name);
    // AWS words this "describe" whatever the operation (Update, Delete, Deauthorize).
    if (!c) throw resourceNotFound(`Failed to describe the connection(s). Connection '${name}' does not exist.`);
    return c;
  }

  private destination(name: string | undefined, verb: 'describe' | 'update' | 'delete'): ApiDestinationRecord {
    const d = name === undefined ? undefined : this.destinations.get(name);
    if (!d) throw resourceNotFound(`Failed to ${verb} the api-destination(s). An api-destination '${name}' does not exist.`);
    return d;
  }

  private newSecretArn(name: string): string {
    return `arn:aws:secretsmanager:${this.region}:${this.account}:secret:events!connection/${name}/${uuid()}-${secretSuffix()}`;
  }

  private connectivity(p: eb.ConnectivityResourceParameters | undefined): ConnectionRecord['invocationConnectivity'] {
    const arn = p?.ResourceParameters?.ResourceConfigurationArn;
    if (!arn) return undefined;
    const id = uuid().replace(/-/g, '').slice(0, 17);
    return {
      resourceConfigurationArn: arn,
      resourceAssociationArn: `arn:aws:vpc-lattice:${this.region}:${this.account}:servicenetworkresourceassociation/snra-${id}`,
    };
  }

  private checkRate(rate: number | undefined, errors: string[]): void {
    if (rate !== undefined && rate < 1)
      errors.push(constraint(rate, 'invocationRateLimitPerSecond', 'Member must have value greater than or equal to 1'));
  }

  /** Above 300 is beyond the account's quota, which AWS answers with LimitExceededException. */
  private checkRateQuota(rate: number | undefined, name: string, verb: 'create' | 'update'): void {
    if (rate !== undefined && rate > DEFAULT_INVOCATION_RATE_LIMIT)
      throw limitExceeded(
        `Failed to ${verb} the api-destination(s). Invalid Invocation Rate Limit: Rate specified '${rate}' for '${name}' exceeds maximum allowed of '${DEFAULT_INVOCATION_RATE_LIMIT}'.`,
      );
  }

  private checkEndpoint(endpoint: string, verb: 'create' | 'update'): void {
    if (!isHttpUrl(endpoint))
      throw validationException(
        `Failed to ${verb} the api-destination(s). Parameter InvocationEndpoint is not valid. Reason: Endpoint '${endpoint}' is invalid, please provide a valid HTTPS endpoint URL.`,
      );
  }

  /**
   * The credentials for `type` from the request, over `previous` (same type, on update: only the
   * members given change). Only the parameters of `type` may be given, and together with
   * `previous` they must be complete.
   */
  private credentialsFrom(
    type: eb.ConnectionAuthorizationType,
    auth: AuthParametersIn,
    previous: ConnectionCredentials | undefined,
    verb: 'create' | 'update',
  ): ConnectionCredentials {
    const fail = (why: string): AwsError => validationException(`Failed to ${verb} the connection(s). ${why}`);
    const wanted = PARAMETER_FOR[type];
    for (const other of Object.values(PARAMETER_FOR))
      if (other !== wanted && auth[other] !== undefined)
        throw fail(`${other} is not valid for AuthorizationType ${type}; only ${wanted} may be given.`);

    const out: ConnectionCredentials = {
      invocationHttpParameters:
        auth.InvocationHttpParameters !== undefined ? copyHttpParameters(auth.InvocationHttpParameters) : copyHttpParameters(previous?.invocationHttpParameters),
    };
    const missing = (member: string): AwsError => fail(`${wanted}.${member} is required for AuthorizationType ${type}.`);
    if (type === 'BASIC') {
      const p = auth.BasicAuthParameters;
      const username = p?.Username ?? previous?.basic?.username;
      const password = p?.Password ?? previous?.basic?.password;
      if (p === undefined && !previous?.basic) throw fail(`${wanted} is required for AuthorizationType ${type}.`);
      if (!username) throw missing('Username');
      if (!password) throw missing('Password');
      out.basic = { username, password };
    } else if (type === 'API_KEY') {
      const p = auth.ApiKeyAuthParameters;
      const name = p?.ApiKeyName ?? previous?.apiKey?.name;
      const value = p?.ApiKeyValue ?? previous?.apiKey?.value;
      if (p === undefined && !previous?.apiKey) throw fail(`${wanted} is required for AuthorizationType ${type}.`);
      if (!name) throw missing('ApiKeyName');
      if (!value) throw missing('ApiKeyValue');
      out.apiKey = { name, value };
    } else {
      const p = auth.OAuthParameters;
      const prev = previous?.oauth;
      if (p === undefined && !prev) throw fail(`${wanted} is required for AuthorizationType ${type}.`);
      const clientId = p?.ClientParameters?.ClientID ?? prev?.clientId;
      const clientSecret = p?.ClientParameters?.ClientSecret ?? prev?.clientSecret;
      const endpoint = p?.AuthorizationEndpoint ?? prev?.authorizationEndpoint;
      const method = p?.HttpMethod ?? prev?.httpMethod;
      if (!clientId) throw missing('ClientParameters.ClientID');
      if (!clientSecret) throw missing('ClientParameters.ClientSecret');
      if (!endpoint) throw missing('AuthorizationEndpoint');
      if (!method) throw missing('HttpMethod');
      const errors: string[] = [];
      checkEnum(method, 'authParameters.oAuthParameters.httpMethod', OAUTH_METHODS, errors);
      throwIfAny(errors);
      if (!isHttpUrl(endpoint))
        throw fail(`Parameter AuthorizationEndpoint is not valid. Reason: Endpoint '${endpoint}' is invalid, please provide a valid HTTPS endpoint URL.`);
      out.oauth = {
        clientId,
        clientSecret,
        authorizationEndpoint: endpoint,
        httpMethod: method,
        httpParameters: p?.OAuthHttpParameters !== undefined ? copyHttpParameters(p.OAuthHttpParameters) : copyHttpParameters(prev?.httpParameters),
      };
    }
    if (out.invocationHttpParameters === undefined) delete out.invocationHttpParameters;
    return out;
  }

  /** AuthParameters as Describe answers them: no password, API key value or client secret. */
  private publicAuthParameters(c: ConnectionRecord): eb.ConnectionAuthResponseParameters | undefined {
    const cred = c.credentials;
    if (!cred) return undefined;
    const out: eb.ConnectionAuthResponseParameters = {};
    if (cred.basic) out.BasicAuthParameters = { Username: cred.basic.username };
    if (cred.apiKey) out.ApiKeyAuthParameters = { ApiKeyName: cred.apiKey.name };
    if (cred.oauth)
      out.OAuthParameters = compact<eb.ConnectionOAuthResponseParameters>({
        ClientParameters: { ClientID: cred.oauth.clientId },
        AuthorizationEndpoint: cred.oauth.authorizationEndpoint,
        HttpMethod: cred.oauth.httpMethod,
        OAuthHttpParameters: cred.oauth.httpParameters && publicHttpParameters(cred.oauth.httpParameters),
      });
    if (cred.invocationHttpParameters) out.InvocationHttpParameters = publicHttpParameters(cred.invocationHttpParameters);
    if (c.oauthConnectivity)
      out.ConnectivityParameters = {
        ResourceParameters: {
          ResourceConfigurationArn: c.oauthConnectivity.resourceConfigurationArn,
          ResourceAssociationArn: c.oauthConnectivity.resourceAssociationArn,
        },
      };
    return out;
  }
}
