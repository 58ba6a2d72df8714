/**
 * Assembles the process: one port whose hot path goes straight to the gateway, and an express
 * app for the human-facing routes under /_switchyard/ (health, the inspection API under
 * /_switchyard/api/, the debug UI's files) and LocalStack's /_aws/ inspection paths.
 *
 * Express and the inspection routes are loaded on the first request that needs them: importing
 * express costs about 85 ms and 6 MB of RSS, which start-up and an idle server should not pay.
 * `GET /_switchyard/health` (the container's HEALTHCHECK, readiness probes) is answered here.
 */
import type { Faults } from './faults/faults.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type express from 'express';
import type { Clock } from './clock.js';
import type { ResolvedOptions } from './config.js';
import { Gateway } from './gateway/gateway.js';
import { AwsError, CommonErrors } from './gateway/errors.js';
import { OriginPolicy } from './gateway/origin.js';
import type { EventsService } from './events/service.js';
import type { SnsService } from './sns/service.js';
import { SIGNING_CERT_PATH } from './sns/signing.js';
import type { SqsService } from './sqs/service.js';
import type { Stacks } from './templates/stacks.js';
import { VERSION } from './version.js';

export interface ServerParts {
  options: ResolvedOptions;
  clock: Clock;
  sqs: SqsService;
  events: EventsService;
  sns: SnsService;
  /** Injected faults (src/faults): API errors here, delivery faults in the services. */
  faults?: Faults;
  /** Empties all state (`POST /_switchyard/api/reset`); the same function as `Switchyard.reset()`. */
  reset?(): void;
  /** The stacks applied from templates (`GET /_switchyard/api/stacks`). */
  stacks?: Stacks;
}

/** The most time a client has to send a whole request, body included (node checks every 30 s). */
export const REQUEST_RECEIVE_TIMEOUT_MS = 120_000;

/** The largest body any inspection route takes (POST /_switchyard/api/explain's 2 MB). */
export const INSPECTION_MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * Bodies the inspection API will not read: one declared larger than any route takes, and one of
 * unknown length (chunked). express.json refuses a body past its route's limit, but reads the
 * rest of it to the end before answering; these are refused at once instead, and the connection
 * closed, so a client cannot keep a huge or endless body going.
 */
function refuseInspectionBody(req: IncomingMessage, res: ServerResponse): boolean {
  const length = req.headers['content-length'];
  let status: number;
  let body: { error: string; message: string };
  if (length === undefined) {
    if (req.headers['transfer-encoding'] === undefined) return false;
    status = 411;
    body = { error: 'LengthRequired', message: `Send the body with a Content-Length (at most ${INSPECTION_MAX_BODY_BYTES} bytes).` };
  } else {
    if (!(Number(length) > INSPECTION_MAX_BODY_BYTES)) return false;
    status = 413;
    body = { error: 'PayloadTooLarge', message: `The body must be at most ${INSPECTION_MAX_BODY_BYTES} bytes.` };
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  res.end(JSON.stringify(body));
  return true;
}

/** Where the debug UI's files are: `ui/` at the package root, from src/ (tests) or dist/src/ (built). */
function uiDirectory(): string | undefined {
  for (const rel of ['../ui/', '../../ui/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return undefined;
}

/** The health answer: what `GET /_switchyard/health` sends. */
function healthBody(services: readonly string[]): string {
  return JSON.stringify({ status: 'ok', version: VERSION, services });
}

export async function createInspectionApp(
  parts: Pick<ServerParts, 'clock' | 'sqs' | 'events' | 'sns' | 'reset' | 'faults' | 'stacks'>,
  services: readonly string[],
): Promise<express.Express> {
  const [{ default: express }, { traceApi }, { localStackSqsMessages, resourceApi }, { faultsApi }, { assertionsApi }, { Assertions }] = await Promise.all([
    import('express'),
    import('./trace/api.js'),
    import('./inspect/resources.js'),
    import('./faults/http.js'),
    import('./inspect/assertions-api.js'),
    import('./inspect/assertions.js'),
  ]);
  const stacksApi = parts.stacks ? (await import('./templates/http.js')).stacksApi : undefined;
  const { sns, events, sqs, clock } = parts;
  const app = express();
  app.disable('x-powered-by');
  // The certificate SNS messages are signed with: their SigningCertURL points here.
  app.get(SIGNING_CERT_PATH, (_req, res, next) => {
    sns.signer.certificatePem().then((pem) => res.type('application/x-pem-file').send(pem), next);
  });
  // A subscription's confirmation token, for endpoints that cannot receive the
  // SubscriptionConfirmation (email, an HTTP endpoint behind a firewall): test code confirms
  // with ConfirmSubscription. Same path shape as LocalStack's /_aws/sns/subscription-tokens/.
  const token: express.RequestHandler = (req, res) => {
    const arn = String(req.params.arn);
    const sub = sns.subscriptionByArn(arn);
    if (!sub) {
      res.status(404).json({ error: 'The provided SubscriptionARN is not found', subscription_arn: arn });
      return;
    }
    res.json({ subscription_token: sub.token, subscription_arn: sub.arn });
  };
  app.get('/_switchyard/api/sns/subscription-tokens/:arn', token);
  app.get('/_aws/sns/subscription-tokens/:arn', token);
  const resourceParts = { sqs, events, sns, now: () => clock.now() };
  app.get('/_aws/sqs/messages', localStackSqsMessages(resourceParts));
  app.use('/_switchyard/api', traceApi({ trace: events.trace, clock, rulePattern: (arn) => rulePattern(events, arn), reset: parts.reset }));
  app.use('/_switchyard/api', resourceApi(resourceParts));
  if (parts.faults) app.use('/_switchyard/api', faultsApi(parts.faults));
  app.use('/_switchyard/api', assertionsApi(new Assertions(events.trace, sqs)));
  if (parts.stacks && stacksApi) app.use('/_switchyard/api', stacksApi(parts.stacks));
  app.use('/_switchyard/api', (_req, res) => {
    res.status(404).json({ error: 'NotFound', message: 'No such inspection route.' });
  });
  const ui = uiDirectory();
  if (ui) app.use('/_switchyard', express.static(ui, { index: 'index.html', fallthrough: true }));
  app.use(['/_switchyard', '/_aws'], (_req, res) => {
    res.status(404).json({ error: 'NotFound', message: 'No such inspection route.' });
  });
  // Errors as JSON (a malformed JSON body, a hostile event too complex to explain), never a stack page.
  app.use((err: { status?: number; type?: string; message?: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const status = typeof err.status === 'number' && err.status >= 400 && err.status < 600 ? err.status : 500;
    if (status >= 500) parts.events.reportError(err);
    // A body past its route's limit (express.json's): close once answered rather than drain the rest.
    if (status === 413) res.setHeader('connection', 'close');
    res.status(status).json({ error: status >= 500 ? 'InternalError' : 'BadRequest', message: status >= 500 ? 'Internal error.' : String(err.message ?? 'Bad request.') });
  });
  return app;
}

/** A rule's pattern by ARN: undefined when there is no such rule, null for a scheduled rule. */
function rulePattern(events: EventsService, arn: string): string | null | undefined {
  for (const r of events.allRegions())
    for (const bus of r.buses.values())
      for (const rule of bus.rules.values()) if (rule.arn === arn) return rule.eventPattern ?? null;
  return undefined;
}

/**
 * The listening side: one port that speaks HTTP and HTTPS alike. The first byte of a connection
 * decides (22 opens a TLS handshake): HTTPS exists because SNS signature verifiers such as
 * sns-validator fetch the SigningCertURL over https only, and the TLS certificate is the SNS
 * signing certificate itself, so a subscriber that trusts it for one trusts it for the other.
 */
export class SwitchyardServer {
  readonly listener: NetServer;
  readonly http: Server;
  private https?: Promise<HttpsServer>;
  /** Every open connection, and those whose first byte has not come yet (neither server knows them). */
  private readonly sockets = new Set<Socket>();
  private readonly unrouted = new Set<Socket>();

  constructor(
    http: Server,
    private readonly tlsCredentials: () => Promise<{ key: string; cert: string }>,
    private readonly handler: (req: IncomingMessage, res: ServerResponse) => void,
    /** Called first in close(): answer what waits (long polls, event streams). */
    private readonly drain: () => void = () => {},
  ) {
    this.http = http;
    // The HTTP servers never listen themselves; 'listening' starts their connection tracking
    // (headersTimeout checks, closeAllConnections), which node sets up on that event.
    http.emit('listening');
    this.listener = createNetServer((socket) => this.route(socket));
  }

  private route(socket: Socket): void {
    this.sockets.add(socket);
    this.unrouted.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.unrouted.delete(socket);
    });
    socket.once('data', (first: Buffer) => {
      this.unrouted.delete(socket);
      socket.pause();
      socket.unshift(first);
      if (first[0] !== 22) {
        this.http.emit('connection', socket);
        socket.resume();
        return;
      }
      this.httpsServer().then(
        (server) => {
          server.emit('connection', socket);
          socket.resume();
        },
        () => socket.destroy(),
      );
    });
    socket.on('error', () => socket.destroy());
  }

  private httpsServer(): Promise<HttpsServer> {
    this.https ??= this.tlsCredentials().then(({ key, cert }) => {
      // A handshake that never completes must not hold a connection for node's default 120 s.
      const server = createHttpsServer({ key, cert, keepAliveTimeout: 65_000, handshakeTimeout: 10_000 }, this.handler);
      server.requestTimeout = REQUEST_RECEIVE_TIMEOUT_MS;
      server.headersTimeout = 60_000;
      server.emit('listening');
      return server;
    });
    return this.https;
  }

  /**
   * Stop accepting; answer waiting long polls (empty, as if their wait had run out) and end event
   * streams; let the requests in flight finish, closing each connection once it is idle; after
   * `graceMs`, end whatever is still open.
   */
  async close(graceMs = 5_000): Promise<void> {
    let closed = false;
    const allClosed = new Promise<void>((resolve) =>
      this.listener.close(() => {
        closed = true;
        resolve();
      }),
    );
    this.drain();
    for (const socket of this.unrouted) socket.destroy();
    const servers: Server[] = [this.http];
    const https = this.https ? await this.https.catch(() => undefined) : undefined;
    if (https) servers.push(https);
    // Not listening, so close() only stops the connection checks and closes idle connections.
    for (const s of servers) s.close(() => {});
    const deadline = Date.now() + graceMs;
    while (!closed && Date.now() < deadline) {
      await Promise.race([allClosed, new Promise((resolve) => setTimeout(resolve, 10))]);
      // A connection whose last response has been written is idle now: close it.
      for (const s of servers) s.closeIdleConnections();
    }
    if (!closed) for (const socket of this.sockets) socket.destroy();
    await allClosed;
  }
}

export function createSwitchyardServer(parts: ServerParts, fallbackHost: string): SwitchyardServer {
  const services = [parts.sqs, parts.events, parts.sns];
  const serviceNames = services.map((s) => s.name);
  const gateway = new Gateway({
    services,
    defaultAccount: parts.options.account,
    defaultRegion: parts.options.region,
    maxBodyBytes: parts.options.maxBodyBytes,
    fallbackHost,
    onError: parts.options.onError,
    onRequestLogged: parts.options.onRequestLogged,
    faults: parts.faults,
    now: () => parts.clock.now(),
    credentials: parts.options.credentials,
    strictAuth: parts.options.strictAuth,
  });
  // Requests from web pages: only Switchyard's own pages and allowed origins (src/gateway/origin.ts).
  const origins = new OriginPolicy(parts.options.corsOrigins, parts.options.host);
  let app: Promise<express.Express> | undefined;
  const inspect = (req: IncomingMessage, res: ServerResponse): void => {
    (app ??= createInspectionApp(parts, serviceNames)).then(
      (handle) => handle(req, res),
      (err: unknown) => {
        parts.options.onError(err);
        app = undefined;
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: 'InternalError', message: 'Internal error.' }));
      },
    );
  };
  /** Open event streams (GET /_switchyard/api/stream): ended when the server closes. */
  const streams = new Set<ServerResponse>();
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const inspection = url.startsWith('/_switchyard') || url.startsWith('/_aws/');
    if (OriginPolicy.fromBrowser(req)) {
      const verdict = origins.screen(req, res, inspection ? 'inspection' : 'aws');
      if (verdict.kind === 'answered') return;
      if (verdict.kind === 'refused') {
        if (!inspection) return gateway.refuse(req, res, new AwsError(CommonErrors.AccessDenied, verdict.message));
        res.writeHead(403, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: 'CrossOriginRefused', message: verdict.message }));
        req.resume();
        return;
      }
    }
    if (inspection) {
      if (refuseInspectionBody(req, res)) return;
      const path = url.split('?', 1)[0];
      if (path === '/_switchyard/health' && (req.method === 'GET' || req.method === 'HEAD')) {
        const body = healthBody(serviceNames);
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      if (path === '/_switchyard/api/stream') {
        streams.add(res);
        res.once('close', () => streams.delete(res));
      }
      inspect(req, res);
      return;
    }
    gateway.handle(req, res);
  };
  const server = createServer({ keepAliveTimeout: 65_000 }, handler);
  // requestTimeout bounds receiving a request (headers and body), not answering it: a body
  // trickled in for minutes is cut off (408), a long poll waiting 20 s for a message is not.
  server.requestTimeout = REQUEST_RECEIVE_TIMEOUT_MS;
  server.headersTimeout = 60_000;
  return new SwitchyardServer(server, () => parts.sns.signer.tlsCredentials(), handler, () => {
    gateway.drain();
    for (const res of streams) res.end();
  });
}
