/**
 * EventBridge connections and API destinations: the store's eleven operations on a frozen clock,
 * and real HTTP calls to API destinations against a local node:http server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as eb from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../src/clock.js';
import {
  authorizeOAuthConnection,
  invokeApiDestination,
  OAuthTokenCache,
  type ApiDestinationCall,
} from '../src/delivery/api-destination.js';
import { ConnectionStore, type ConnectionRecord } from '../src/events/connections.js';
import { errorOf } from './support.js';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

function setup(): { clock: Clock; store: ConnectionStore } {
  const clock = new Clock({ frozen: true, start: T0 });
  return { clock, store: new ConnectionStore({ clock, account: ACCOUNT, region: REGION }) };
}

const basic = (name = 'basic-conn', extra: Partial<eb.CreateConnectionRequest> = {}): eb.CreateConnectionRequest => ({
  Name: name,
  AuthorizationType: 'BASIC',
  AuthParameters: { BasicAuthParameters: { Username: 'user', Password: 'pass' } },
  ...extra,
});

const apiKey = (name = 'key-conn'): eb.CreateConnectionRequest => ({
  Name: name,
  AuthorizationType: 'API_KEY',
  AuthParameters: {
    ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'k-123' },
    InvocationHttpParameters: {
      HeaderParameters: [
        { Key: 'x-team', Value: 'orders', IsValueSecret: false },
        { Key: 'x-signing', Value: 's3cr3t', IsValueSecret: true },
      ],
    },
  },
});

const oauth = (name: string, endpoint: string, extra: Partial<eb.CreateConnectionOAuthRequestParameters> = {}): eb.CreateConnectionRequest => ({
  Name: name,
  AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
  AuthParameters: {
    OAuthParameters: {
      ClientParameters: { ClientID: 'client-1', ClientSecret: 'shh' },
      AuthorizationEndpoint: endpoint,
      HttpMethod: 'POST',
      ...extra,
    },
  },
});

describe('ConnectionStore: connections', () => {
  it('creates a BASIC connection AUTHORIZED, with AWS ARNs and Date times', () => {
    const { store } = setup();
    const out = store.createConnection(basic('orders', { Description: 'to the orders API' }));
    expect(out.ConnectionArn).toMatch(new RegExp(`^arn:aws:events:${REGION}:${ACCOUNT}:connection/orders/${UUID}$`));
    expect(out.ConnectionState).toBe('AUTHORIZED');
    expect(out.CreationTime).toEqual(new Date(T0));
    expect(out.LastModifiedTime).toEqual(new Date(T0));

    const d = store.describeConnection({ Name: 'orders' });
    expect(d).toEqual({
      ConnectionArn: out.ConnectionArn,
      Name: 'orders',
      Description: 'to the orders API',
      ConnectionState: 'AUTHORIZED',
      AuthorizationType: 'BASIC',
      SecretArn: expect.stringMatching(new RegExp(`^arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:events!connection/orders/${UUID}-[A-Za-z0-9]{6}$`)),
      AuthParameters: { BasicAuthParameters: { Username: 'user' } },
      CreationTime: new Date(T0),
      LastModifiedTime: new Date(T0),
      LastAuthorizedTime: new Date(T0),
    });
    // The password lives on only in the internal record, for delivery.
    expect(JSON.stringify(d)).not.toContain('pass');
    expect(store.connectionByArn(out.ConnectionArn!)?.credentials?.basic).toEqual({ username: 'user', password: 'pass' });
  });

  it('answers API_KEY parameters without the key value or secret parameter values', () => {
    const { store } = setup();
    store.createConnection(apiKey());
    const d = store.describeConnection({ Name: 'key-conn' });
    expect(d.AuthParameters).toEqual({
      ApiKeyAuthParameters: { ApiKeyName: 'x-api-key' },
      InvocationHttpParameters: {
        HeaderParameters: [
          { Key: 'x-team', Value: 'orders', IsValueSecret: false },
          { Key: 'x-signing', IsValueSecret: true },
        ],
      },
    });
    expect(JSON.stringify(d)).not.toMatch(/k-123|s3cr3t/);
  });

  it('creates an OAuth connection AUTHORIZING, without the client secret in Describe', () => {
    const { store, clock } = setup();
    const out = store.createConnection(
      oauth('oa', 'https://auth.example.com/token', {
        OAuthHttpParameters: { BodyParameters: [{ Key: 'grant_type', Value: 'client_credentials', IsValueSecret: false }] },
      }),
    );
    expect(out.ConnectionState).toBe('AUTHORIZING');
    const d = store.describeConnection({ Name: 'oa' });
    expect(d.ConnectionState).toBe('AUTHORIZING');
    expect(d.AuthParameters).toEqual({
      OAuthParameters: {
        ClientParameters: { ClientID: 'client-1' },
        AuthorizationEndpoint: 'https://auth.example.com/token',
        HttpMethod: 'POST',
        OAuthHttpParameters: { BodyParameters: [{ Key: 'grant_type', Value: 'client_credentials', IsValueSecret: false }] },
      },
    });
    expect(JSON.stringify(d)).not.toContain('shh');

    const record = store.connectionByArn(out.ConnectionArn!)!;
    clock.advance(5000);
    store.markAuthorized(record.arn, record.credentialsVersion);
    const after = store.describeConnection({ Name: 'oa' });
    expect(after.ConnectionState).toBe('AUTHORIZED');
    expect(after.LastAuthorizedTime).toEqual(new Date(T0 + 5000));

    store.markAuthorizationFailed(record.arn, record.credentialsVersion, 'The authorization endpoint responded with HTTP 401.');
    expect(store.describeConnection({ Name: 'oa' })).toMatchObject({
      ConnectionState: 'DEAUTHORIZED',
      StateReason: 'The authorization endpoint responded with HTTP 401.',
    });
    // A result for credentials since replaced is ignored.
    store.updateConnection({ Name: 'oa', AuthParameters: { OAuthParameters: { ClientParameters: { ClientSecret: 'new' } } } });
    store.markAuthorized(record.arn, 1);
    expect(store.describeConnection({ Name: 'oa' }).ConnectionState).toBe('AUTHORIZING');
  });

  it('rejects what AWS rejects on CreateConnection', () => {
    const { store } = setup();
    store.createConnection(basic('dup'));
    let err = errorOf(() => store.createConnection(basic('dup')));
    expect([err.type, err.status, err.message]).toEqual(['ResourceAlreadyExistsException', 400, "Connection 'dup' already exists."]);

    err = errorOf(() => store.createConnection(basic('Invalid Name With Spaces!')));
    expect(err.type).toBe('ValidationException');
    expect(err.message).toBe(
      "1 validation error detected: Value 'Invalid Name With Spaces!' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
    );

    err = errorOf(() => store.createConnection({ ...basic('x'), AuthorizationType: 'INVALID_AUTH_TYPE' as eb.ConnectionAuthorizationType }));
    expect(err.message).toBe(
      "1 validation error detected: Value 'INVALID_AUTH_TYPE' at 'authorizationType' failed to satisfy constraint: Member must satisfy enum value set: [BASIC, OAUTH_CLIENT_CREDENTIALS, API_KEY]",
    );

    err = errorOf(() => store.createConnection(basic('a'.repeat(65))));
    expect(err.message).toMatch(/^1 validation error detected: .* Member must have length less than or equal to 64$/);

    // The parameters must be those of the authorization type, and complete.
    err = errorOf(() => store.createConnection({ ...apiKey('m'), AuthorizationType: 'BASIC' }));
    expect(err.type).toBe('ValidationException');
    expect(err.message).toContain('ApiKeyAuthParameters is not valid for AuthorizationType BASIC');
    err = errorOf(() =>
      store.createConnection({ Name: 'p', AuthorizationType: 'BASIC', AuthParameters: { BasicAuthParameters: { Username: 'u', Password: undefined } } }),
    );
    expect(err.message).toBe('Failed to create the connection(s). BasicAuthParameters.Password is required for AuthorizationType BASIC.');
    err = errorOf(() => store.createConnection({ ...oauth('o', 'ftp://auth.example.com') }));
    expect(err.message).toContain("Endpoint 'ftp://auth.example.com' is invalid");
    expect(() => store.describeConnection({ Name: 'p' })).toThrow(); // nothing half-created
  });

  it('answers ResourceNotFoundException in AWS words for a missing connection', () => {
    const { store } = setup();
    for (const op of [
      () => store.describeConnection({ Name: 'nope' }),
      () => store.updateConnection({ Name: 'nope', Description: 'x' }),
      () => store.deleteConnection({ Name: 'nope' }),
      () => store.deauthorizeConnection({ Name: 'nope' }),
    ]) {
      const err = errorOf(op);
      expect([err.type, err.status, err.message]).toEqual([
        'ResourceNotFoundException',
        400,
        "Failed to describe the connection(s). Connection 'nope' does not exist.",
      ]);
    }
  });

  it('updates a connection: only the members given change, and the credentials re-authorize', () => {
    const { store, clock } = setup();
    const { ConnectionArn } = store.createConnection(basic('c'));
    const before = store.connectionByArn(ConnectionArn!)!.credentialsVersion;
    clock.advance(60_000);
    const out = store.updateConnection({ Name: 'c', Description: 'new', AuthParameters: { BasicAuthParameters: { Password: 'p2' } } });
    expect(out).toEqual({
      ConnectionArn,
      ConnectionState: 'AUTHORIZED',
      CreationTime: new Date(T0),
      LastModifiedTime: new Date(T0 + 60_000),
      LastAuthorizedTime: new Date(T0 + 60_000),
    });
    const record = store.connectionByArn(ConnectionArn!)!;
    expect(record.credentials?.basic).toEqual({ username: 'user', password: 'p2' });
    expect(record.credentialsVersion).toBe(before + 1);
    expect(store.describeConnection({ Name: 'c' }).Description).toBe('new');

    // Changing the type needs that type's parameters, complete.
    const err = errorOf(() => store.updateConnection({ Name: 'c', AuthorizationType: 'API_KEY' }));
    expect(err.message).toBe('Failed to update the connection(s). ApiKeyAuthParameters is required for AuthorizationType API_KEY.');
    store.updateConnection({ Name: 'c', AuthorizationType: 'API_KEY', AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'k', ApiKeyValue: 'v' } } });
    expect(store.describeConnection({ Name: 'c' }).AuthParameters).toEqual({ ApiKeyAuthParameters: { ApiKeyName: 'k' } });
    // To OAuth: AUTHORIZING again.
    expect(store.updateConnection({ ...oauth('c', 'https://auth.example.com/t'), Name: 'c' }).ConnectionState).toBe('AUTHORIZING');
  });

  it('deauthorizes: DEAUTHORIZING answered, then DEAUTHORIZED without credentials or secret', () => {
    const { store, clock } = setup();
    const { ConnectionArn } = store.createConnection(basic('c'));
    const dest = store.createApiDestination({ Name: 'd', ConnectionArn, InvocationEndpoint: 'https://api.example.com', HttpMethod: 'POST' });
    expect(dest.ApiDestinationState).toBe('ACTIVE');
    clock.advance(1000);
    expect(store.deauthorizeConnection({ Name: 'c' })).toEqual({
      ConnectionArn,
      ConnectionState: 'DEAUTHORIZING',
      CreationTime: new Date(T0),
      LastModifiedTime: new Date(T0 + 1000),
      LastAuthorizedTime: new Date(T0),
    });
    const d = store.describeConnection({ Name: 'c' });
    expect(d.ConnectionState).toBe('DEAUTHORIZED');
    expect(d.SecretArn).toBeUndefined();
    expect(d.AuthParameters).toBeUndefined();
    expect(store.connectionByArn(ConnectionArn!)?.credentials).toBeUndefined();
    expect(store.describeApiDestination({ Name: 'd' }).ApiDestinationState).toBe('INACTIVE');

    // New credentials authorize it again, with a new secret.
    const up = store.updateConnection({ Name: 'c', AuthParameters: { BasicAuthParameters: { Username: 'u2', Password: 'p2' } } });
    expect(up.ConnectionState).toBe('AUTHORIZED');
    expect(store.describeConnection({ Name: 'c' }).SecretArn).toMatch(/secret:events!connection\/c\//);
    expect(store.describeApiDestination({ Name: 'd' }).ApiDestinationState).toBe('ACTIVE');
  });

  it('deletes a connection even while an API destination uses it (the destination goes INACTIVE)', () => {
    const { store } = setup();
    const { ConnectionArn } = store.createConnection(basic('c'));
    store.createApiDestination({ Name: 'd', ConnectionArn, InvocationEndpoint: 'https://api.example.com', HttpMethod: 'POST' });
    const out = store.deleteConnection({ Name: 'c' });
    expect(out).toEqual({
      ConnectionArn,
      ConnectionState: 'DELETING',
      CreationTime: new Date(T0),
      LastModifiedTime: new Date(T0),
      LastAuthorizedTime: new Date(T0),
    });
    expect(errorOf(() => store.describeConnection({ Name: 'c' })).type).toBe('ResourceNotFoundException');
    expect(store.connectionByArn(ConnectionArn!)).toBeUndefined();
    expect(store.describeApiDestination({ Name: 'd' }).ApiDestinationState).toBe('INACTIVE');
    // A new connection of the same name is another incarnation: the destination still points at the old one.
    store.createConnection(basic('c'));
    expect(store.describeApiDestination({ Name: 'd' }).ApiDestinationState).toBe('INACTIVE');
  });

  it('lists connections by prefix and state, a page at a time', () => {
    const { store } = setup();
    for (const n of ['b-3', 'a-1', 'b-1', 'b-2', 'c-1']) store.createConnection(basic(n));
    store.createConnection(oauth('b-oauth', 'https://auth.example.com/t'));

    const all = store.listConnections({});
    expect(all.Connections!.map((c) => c.Name)).toEqual(['a-1', 'b-1', 'b-2', 'b-3', 'b-oauth', 'c-1']);
    expect(all.NextToken).toBeUndefined();
    expect(Object.keys(all.Connections![0]).sort()).toEqual(
      ['AuthorizationType', 'ConnectionArn', 'ConnectionState', 'CreationTime', 'LastAuthorizedTime', 'LastModifiedTime', 'Name'],
    );

    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = store.listConnections({ NamePrefix: 'b-', Limit: 2, NextToken: token });
      names.push(...page.Connections!.map((c) => c.Name!));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(names).toEqual(['b-1', 'b-2', 'b-3', 'b-oauth']);
    expect(pages).toBe(2);

    expect(store.listConnections({ ConnectionState: 'AUTHORIZING' }).Connections!.map((c) => c.Name)).toEqual(['b-oauth']);

    expect(errorOf(() => store.listConnections({ Limit: 0 })).message).toBe(
      "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    expect(errorOf(() => store.listConnections({ Limit: 101 })).message).toContain('less than or equal to 100');
    expect(errorOf(() => store.listConnections({ NextToken: 'garbage' })).type).toBe('ValidationException');
  });
});

describe('ConnectionStore: API destinations', () => {
  it('creates, describes, updates, lists and deletes an API destination', () => {
    const { store, clock } = setup();
    const { ConnectionArn } = store.createConnection(basic('c'));
    const created = store.createApiDestination({
      Name: 'orders',
      Description: 'Test API destination',
      ConnectionArn,
      InvocationEndpoint: 'https://example.com/api',
      HttpMethod: 'POST',
    });
    expect(created).toEqual({
      ApiDestinationArn: expect.stringMatching(new RegExp(`^arn:aws:events:${REGION}:${ACCOUNT}:api-destination/orders/${UUID}$`)),
      ApiDestinationState: 'ACTIVE',
      CreationTime: new Date(T0),
      LastModifiedTime: new Date(T0),
    });
    expect(store.describeApiDestination({ Name: 'orders' })).toEqual({
      ApiDestinationArn: created.ApiDestinationArn,
      Name: 'orders',
      Description: 'Test API destination',
      ApiDestinationState: 'ACTIVE',
      ConnectionArn,
      InvocationEndpoint: 'https://example.com/api',
      HttpMethod: 'POST',
      InvocationRateLimitPerSecond: 300,
      CreationTime: new Date(T0),
      LastModifiedTime: new Date(T0),
    });
    expect(store.apiDestinationByArn(created.ApiDestinationArn!)).toMatchObject({ endpoint: 'https://example.com/api', method: 'POST' });

    clock.advance(2000);
    const updated = store.updateApiDestination({
      Name: 'orders',
      Description: 'Updated API destination',
      InvocationEndpoint: 'https://example.com/api/v2',
      HttpMethod: 'PUT',
      InvocationRateLimitPerSecond: 10,
    });
    expect(updated).toEqual({
      ApiDestinationArn: created.ApiDestinationArn,
      ApiDestinationState: 'ACTIVE',
      CreationTime: new Date(T0),
      LastModifiedTime: new Date(T0 + 2000),
    });
    const listed = store.listApiDestinations({});
    expect(listed.ApiDestinations).toEqual([
      {
        ApiDestinationArn: created.ApiDestinationArn,
        Name: 'orders',
        ApiDestinationState: 'ACTIVE',
        ConnectionArn,
        InvocationEndpoint: 'https://example.com/api/v2',
        HttpMethod: 'PUT',
        InvocationRateLimitPerSecond: 10,
        CreationTime: new Date(T0),
        LastModifiedTime: new Date(T0 + 2000),
      },
    ]);

    expect(store.deleteApiDestination({ Name: 'orders' })).toEqual({});
    const err = errorOf(() => store.describeApiDestination({ Name: 'orders' }));
    expect([err.type, err.message]).toEqual([
      'ResourceNotFoundException',
      "Failed to describe the api-destination(s). An api-destination 'orders' does not exist.",
    ]);
    expect(store.apiDestinationByArn(created.ApiDestinationArn!)).toBeUndefined();
    expect(errorOf(() => store.deleteApiDestination({ Name: 'orders' })).message).toBe(
      "Failed to delete the api-destination(s). An api-destination 'orders' does not exist.",
    );
    expect(errorOf(() => store.updateApiDestination({ Name: 'orders', HttpMethod: 'GET' })).message).toBe(
      "Failed to update the api-destination(s). An api-destination 'orders' does not exist.",
    );
  });

  it('is INACTIVE while its OAuth connection is AUTHORIZING', () => {
    const { store } = setup();
    const { ConnectionArn } = store.createConnection(oauth('o', 'https://auth.example.com/t'));
    const out = store.createApiDestination({ Name: 'd', ConnectionArn, InvocationEndpoint: 'https://example.com', HttpMethod: 'POST' });
    expect(out.ApiDestinationState).toBe('INACTIVE');
    const c = store.connectionByArn(ConnectionArn!)!;
    store.markAuthorized(c.arn, c.credentialsVersion);
    expect(store.describeApiDestination({ Name: 'd' }).ApiDestinationState).toBe('ACTIVE');
  });

  it('rejects what AWS rejects on CreateApiDestination and UpdateApiDestination', () => {
    const { store } = setup();
    const { ConnectionArn } = store.createConnection(basic('c'));
    const good = { Name: 'd', ConnectionArn, InvocationEndpoint: 'https://example.com', HttpMethod: 'POST' } as const;
    store.createApiDestination(good);

    let err = errorOf(() => store.createApiDestination(good));
    expect([err.type, err.message]).toEqual([
      'ResourceAlreadyExistsException',
      "Failed to create the api-destination(s). An api-destination with name 'd' already exists.",
    ]);

    err = errorOf(() =>
      store.createApiDestination({ ...good, Name: 'x', ConnectionArn: 'invalid-connection-arn', HttpMethod: 'INVALID_METHOD' as eb.ApiDestinationHttpMethod }),
    );
    expect(err.message).toBe(
      "2 validation errors detected: Value 'invalid-connection-arn' at 'connectionArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:aws([a-z]|\\-)*:events:([a-z]|\\d|\\-)*:([0-9]{12})?:connection\\/[\\.\\-_A-Za-z0-9]+\\/[\\-A-Za-z0-9]+$; Value 'INVALID_METHOD' at 'httpMethod' failed to satisfy constraint: Member must satisfy enum value set: [HEAD, POST, PATCH, DELETE, PUT, GET, OPTIONS]",
    );

    const missing = `arn:aws:events:${REGION}:${ACCOUNT}:connection/other/00000000-0000-4000-8000-000000000000`;
    err = errorOf(() => store.createApiDestination({ ...good, Name: 'x', ConnectionArn: missing }));
    expect([err.type, err.message]).toEqual([
      'ResourceNotFoundException',
      `Failed to create the api-destination(s). Connection '${missing}' does not exist.`,
    ]);
    err = errorOf(() => store.updateApiDestination({ Name: 'd', ConnectionArn: missing }));
    expect(err.message).toBe(`Failed to update the api-destination(s). Connection '${missing}' does not exist.`);

    err = errorOf(() => store.createApiDestination({ ...good, Name: 'x', InvocationEndpoint: 'not a url' }));
    expect(err.message).toBe(
      "Failed to create the api-destination(s). Parameter InvocationEndpoint is not valid. Reason: Endpoint 'not a url' is invalid, please provide a valid HTTPS endpoint URL.",
    );

    err = errorOf(() => store.createApiDestination({ ...good, Name: 'x', InvocationRateLimitPerSecond: 301 }));
    expect([err.type, err.message]).toEqual([
      'LimitExceededException',
      "Failed to create the api-destination(s). Invalid Invocation Rate Limit: Rate specified '301' for 'x' exceeds maximum allowed of '300'.",
    ]);
    err = errorOf(() => store.createApiDestination({ ...good, Name: 'x', InvocationRateLimitPerSecond: 0 }));
    expect(err.type).toBe('ValidationException');
    expect(store.listApiDestinations({}).ApiDestinations!.map((d) => d.Name)).toEqual(['d']);
  });

  it('lists API destinations by prefix or connection, a page at a time', () => {
    const { store } = setup();
    const a = store.createConnection(basic('a')).ConnectionArn!;
    const b = store.createConnection(basic('b')).ConnectionArn!;
    for (const [name, conn] of [['d1', a], ['d2', b], ['d3', a], ['e1', a]] as const)
      store.createApiDestination({ Name: name, ConnectionArn: conn, InvocationEndpoint: 'https://example.com', HttpMethod: 'POST' });

    expect(store.listApiDestinations({ NamePrefix: 'd' }).ApiDestinations!.map((d) => d.Name)).toEqual(['d1', 'd2', 'd3']);
    expect(store.listApiDestinations({ ConnectionArn: a }).ApiDestinations!.map((d) => d.Name)).toEqual(['d1', 'd3', 'e1']);
    const first = store.listApiDestinations({ Limit: 3 });
    expect(first.ApiDestinations!.map((d) => d.Name)).toEqual(['d1', 'd2', 'd3']);
    const second = store.listApiDestinations({ Limit: 3, NextToken: first.NextToken });
    expect(second.ApiDestinations!.map((d) => d.Name)).toEqual(['e1']);
    expect(second.NextToken).toBeUndefined();

    const err = errorOf(() => store.listApiDestinations({ NamePrefix: 'd', ConnectionArn: a }));
    expect(err.message).toBe(
      'Failed to list the api-destination(s). Request failed because only one filter is supported per request, either ConnectionArn or NamePrefix.',
    );
  });

  it('keeps state per store: another account or region sees nothing', () => {
    const { store, clock } = setup();
    store.createConnection(basic('c'));
    const other = new ConnectionStore({ clock, account: '210987654321', region: REGION });
    expect(other.listConnections({}).Connections).toEqual([]);
    store.reset();
    expect(store.listConnections({}).Connections).toEqual([]);
  });
});

// ----------------------------------------------------------------------------------------------
// Real HTTP

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: Seen, res: ServerResponse) => void;

let server: Server;
let base: string;
let seen: Seen[] = [];
const routes = new Map<string, Handler>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      const path = new URL(req.url!, 'http://x').pathname;
      const handler = routes.get(path) ?? routes.get('*');
      if (handler) handler(s, res);
      else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen = [];
  routes.clear();
});

function connectionFor(store: ConnectionStore, input: eb.CreateConnectionRequest): Readonly<ConnectionRecord> {
  return store.connectionByArn(store.createConnection(input).ConnectionArn!)!;
}

function deps(clock: Clock, tokens = new OAuthTokenCache()) {
  return { tokens, now: () => clock.now() };
}

const EVENT = JSON.stringify({ id: 'e-1', 'detail-type': 'OrderPlaced', detail: { orderId: 42 } });

describe('invokeApiDestination', () => {
  it('BASIC: sends the event with the Basic header and the headers AWS adds', async () => {
    const { store, clock } = setup();
    const connection = connectionFor(store, basic('c'));
    const out = await invokeApiDestination({ endpoint: `${base}/hook`, method: 'POST', connection, body: EVENT }, deps(clock));
    expect(out).toMatchObject({ ok: true, status: 200 });
    expect(seen).toHaveLength(1);
    const req = seen[0];
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/hook');
    expect(req.body).toBe(EVENT);
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('user:pass').toString('base64')}`);
    expect(req.headers['user-agent']).toBe('Amazon/EventBridge/ApiDestinations');
    expect(req.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(req.headers.range).toBe('bytes=0-1048575');
    expect(req.headers.connection).toBe('close');
  });

  it('API_KEY: the key rides its own header; connection parameters join every call', async () => {
    const { store, clock } = setup();
    const connection = connectionFor(store, apiKey());
    const out = await invokeApiDestination({ endpoint: `${base}/hook`, method: 'PUT', connection, body: EVENT }, deps(clock));
    expect(out.ok).toBe(true);
    expect(seen[0].method).toBe('PUT');
    expect(seen[0].headers['x-api-key']).toBe('k-123');
    expect(seen[0].headers['x-team']).toBe('orders');
    expect(seen[0].headers['x-signing']).toBe('s3cr3t');
    expect(seen[0].headers.authorization).toBeUndefined();
  });

  it('fills path wildcards in order and merges target and connection parameters (the connection wins)', async () => {
    const { store, clock } = setup();
    const connection = connectionFor(store, {
      Name: 'c',
      AuthorizationType: 'API_KEY',
      AuthParameters: {
        ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'k' },
        InvocationHttpParameters: {
          HeaderParameters: [{ Key: 'X-Env', Value: 'from-connection' }, { Key: 'User-Agent', Value: 'evil' }],
          QueryStringParameters: [{ Key: 'region', Value: 'eu' }],
          BodyParameters: [{ Key: 'source', Value: 'switchyard' }],
        },
      },
    });
    const call: ApiDestinationCall = {
      endpoint: `${base}/orders/*/items/*?fixed=1`,
      method: 'POST',
      connection,
      body: EVENT,
      httpParameters: {
        PathParameterValues: ['a b', '7'],
        HeaderParameters: { 'x-env': 'from-target', 'x-trace': 't-1' },
        QueryStringParameters: { region: 'us', page: '2' },
      },
    };
    expect((await invokeApiDestination(call, deps(clock))).ok).toBe(true);
    const req = seen[0];
    const url = new URL(req.url, 'http://x');
    expect(url.pathname).toBe('/orders/a%20b/items/7');
    expect(Object.fromEntries(url.searchParams)).toEqual({ fixed: '1', region: 'eu', page: '2' });
    expect(req.headers['x-env']).toBe('from-connection');
    expect(req.headers['x-trace']).toBe('t-1');
    expect(req.headers['user-agent']).toBe('Amazon/EventBridge/ApiDestinations');
    expect(JSON.parse(req.body)).toEqual({ ...JSON.parse(EVENT), source: 'switchyard' });
  });

  it('sends no body with GET', async () => {
    const { store, clock } = setup();
    const connection = connectionFor(store, basic('c'));
    await invokeApiDestination({ endpoint: `${base}/hook`, method: 'GET', connection, body: EVENT }, deps(clock));
    expect(seen[0].method).toBe('GET');
    expect(seen[0].body).toBe('');
  });

  it('OAuth: one token request, cached across calls until it nears expiry', async () => {
    const { store, clock } = setup();
    let issued = 0;
    routes.set('/token', (_req, res) => {
      issued++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: `tok-${issued}`, token_type: 'bearer', expires_in: 3600 }));
    });
    const connection = connectionFor(
      store,
      oauth('o', `${base}/token?tenant=t1`, {
        OAuthHttpParameters: {
          BodyParameters: [
            { Key: 'grant_type', Value: 'client_credentials' },
            { Key: 'audience', Value: 'orders-api' },
          ],
          HeaderParameters: [{ Key: 'x-tenant', Value: 't1' }],
          QueryStringParameters: [{ Key: 'scope', Value: 'write' }],
        },
      }),
    );
    const tokens = new OAuthTokenCache();
    const d = deps(clock, tokens);
    const call = { endpoint: `${base}/hook`, method: 'POST', connection, body: EVENT };
    expect(await invokeApiDestination(call, d)).toMatchObject({ ok: true, status: 200 });
    expect(await invokeApiDestination(call, d)).toMatchObject({ ok: true, status: 200 });

    const tokenRequests = seen.filter((s) => s.url.startsWith('/token'));
    expect(tokenRequests).toHaveLength(1);
    const t = tokenRequests[0];
    expect(t.method).toBe('POST');
    expect(Object.fromEntries(new URL(t.url, 'http://x').searchParams)).toEqual({ tenant: 't1', scope: 'write' });
    expect(t.headers.authorization).toBe(`Basic ${Buffer.from('client-1:shh').toString('base64')}`);
    expect(t.headers['x-tenant']).toBe('t1');
    expect(t.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(t.body))).toEqual({ grant_type: 'client_credentials', audience: 'orders-api' });
    const calls = seen.filter((s) => s.url === '/hook');
    expect(calls.map((c) => c.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-1']);

    // 59 minutes 1 second later the token expires within a minute: a new one is asked for.
    clock.advance(3_541_000);
    await invokeApiDestination(call, d);
    expect(issued).toBe(2);
    expect(seen.at(-1)!.headers.authorization).toBe('Bearer tok-2');
    expect(tokens.requests).toBe(2);
  });

  it('OAuth: a 401 from the endpoint refreshes the token once and calls again', async () => {
    const { store, clock } = setup();
    let issued = 0;
    routes.set('/token', (_req, res) => {
      issued++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: `tok-${issued}` }));
    });
    routes.set('/hook', (req, res) => {
      res.writeHead(req.headers.authorization === 'Bearer tok-1' ? 401 : 202);
      res.end();
    });
    const connection = connectionFor(store, oauth('o', `${base}/token`));
    const out = await invokeApiDestination({ endpoint: `${base}/hook`, method: 'POST', connection, body: EVENT }, deps(clock));
    expect(out).toMatchObject({ ok: true, status: 202 });
    expect(issued).toBe(2);
    expect(seen.filter((s) => s.url === '/hook').map((s) => s.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
  });

  it('OAuth: authorizeOAuthConnection records AUTHORIZED, or DEAUTHORIZED with the reason', async () => {
    const { store, clock } = setup();
    routes.set('/token', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"access_token":"tok"}');
    });
    routes.set('/bad-token', (_req, res) => {
      res.writeHead(401);
      res.end('{"error":"invalid_client"}');
    });
    const good = connectionFor(store, oauth('good', `${base}/token`));
    const bad = connectionFor(store, oauth('bad', `${base}/bad-token`));
    const d = deps(clock);
    expect(await authorizeOAuthConnection(store, good.arn, d)).toEqual({ ok: true });
    expect(store.describeConnection({ Name: 'good' }).ConnectionState).toBe('AUTHORIZED');
    expect(await authorizeOAuthConnection(store, bad.arn, d)).toEqual({
      ok: false,
      reason: 'The authorization endpoint responded with HTTP 401.',
    });
    expect(store.describeConnection({ Name: 'bad' })).toMatchObject({
      ConnectionState: 'DEAUTHORIZED',
      StateReason: 'The authorization endpoint responded with HTTP 401.',
    });
    // An invocation through the refused connection fails without a retry.
    const out = await invokeApiDestination({ endpoint: `${base}/hook`, method: 'POST', connection: bad, body: EVENT }, d);
    expect(out).toEqual({
      ok: false,
      code: 'SDK_CLIENT_ERROR',
      message: 'Unable to invoke ApiDestination endpoint: Failed to obtain an OAuth token for the connection: The authorization endpoint responded with HTTP 401.',
      retryable: false,
      status: 401,
    });
    expect(seen.filter((s) => s.url === '/hook')).toHaveLength(0);
  });

  it('maps the status to the outcome as AWS retries', async () => {
    const { store, clock } = setup();
    const connection = connectionFor(store, basic('c'));
    const cases: Array<[number, boolean | 'ok']> = [
      [200, 'ok'],
      [204, 'ok'],
      [302, false],
      [400, false],
      [403, false],
      [404, false],
      [401, true],
      [409, true],
      [429, true],
      [500, true],
      [503, true],
    ];
    for (const [status, expected] of cases) {
      routes.set('/status', (_req, res) => {
        res.writeHead(status, status === 302 ? { location: '/elsewhere' } : {});
        res.end(status === 204 ? undefined : 'nope');
      });
      const out = await invokeApiDestination({ endpoint: `${base}/status`, method: 'POST', connection, body: EVENT }, deps(clock));
      if (expected === 'ok') expect(out, `HTTP ${status}`).toMatchObject({ ok: true, status });
      else
        expect(out, `HTTP ${status}`).toMatchObject({
          ok: false,
          code: 'SDK_CLIENT_ERROR',
          retryable: expected,
          status,
          message: expect.stringMatching(new RegExp(`^Unable to invoke ApiDestination endpoint: The endpoint responded with HTTP ${status}`)),
        });
    }
    // The redirect was not followed.
    expect(seen.some((s) => s.url === '/elsewhere')).toBe(false);

    // fetch (the Fetch standard) turns a 407 into a network error: still retried, as AWS retries 407.
    routes.set('/proxy', (_req, res) => {
      res.writeHead(407);
      res.end();
    });
    const proxy = await invokeApiDestination({ endpoint: `${base}/proxy`, method: 'POST', connection, body: EVENT }, deps(clock));
    expect(proxy).toMatchObject({ ok: false, code: 'SDK_CLIENT_ERROR', retryable: true });
  });

  it('reads Retry-After: a delay for the retry loop, or (negative) no retry at all', async () => {
    const { store, clock } = setup();
    const connection = connectionFor(store, basic('c'));
    routes.set('/slow-down', (_req, res) => {
      res.writeHead(429, { 'retry-after': '3' });
      res.end();
    });
    routes.set('/give-up', (_req, res) => {
      res.writeHead(503, { 'retry-after': '-1' });
      res.end();
    });
    const call = (path: string) => invokeApiDestination({ endpoint: `${base}${path}`, method: 'POST', connection, body: EVENT }, deps(clock));
    expect(await call('/slow-down')).toMatchObject({ ok: false, retryable: true, status: 429, retryAfterMs: 3000 });
    const giveUp = await call('/give-up');
    expect(giveUp).toMatchObject({ ok: false, retryable: false, status: 503 });
    expect(giveUp).not.toHaveProperty('retryAfterMs');
  });

  it('an unreachable endpoint is SDK_CLIENT_ERROR, retryable', async () => {
    const { store, clock } = setup();
    const connection = connectionFor(store, basic('c'));
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const out = await invokeApiDestination({ endpoint: `http://127.0.0.1:${port}/hook`, method: 'POST', connection, body: EVENT }, deps(clock));
    expect(out).toEqual({
      ok: false,
      code: 'SDK_CLIENT_ERROR',
      message: 'Unable to invoke ApiDestination endpoint: API destination endpoint cannot be reached.',
      retryable: true,
    });
  });

  it('a silent endpoint times out as AWS reports it, retryable', async () => {
    const { store, clock } = setup();
    const connection = connectionFor(store, basic('c'));
    routes.set('/silent', () => {
      // never answers
    });
    const started = Date.now();
    const out = await invokeApiDestination(
      { endpoint: `${base}/silent`, method: 'POST', connection, body: EVENT },
      { ...deps(clock), timeoutMs: 150 },
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(out).toEqual({
      ok: false,
      code: 'UNKNOWN',
      message: 'Unable to invoke ApiDestination endpoint: Timeout calling endpoint for API Destination: socket closed.',
      retryable: true,
    });
  });

  it('a deauthorized connection is not called', async () => {
    const { store, clock } = setup();
    const { ConnectionArn } = store.createConnection(basic('c'));
    store.deauthorizeConnection({ Name: 'c' });
    const connection = store.connectionByArn(ConnectionArn!)!;
    const out = await invokeApiDestination({ endpoint: `${base}/hook`, method: 'POST', connection, body: EVENT }, deps(clock));
    expect(out).toMatchObject({ ok: false, code: 'SDK_CLIENT_ERROR', retryable: false });
    expect(seen).toHaveLength(0);
  });
});
