/**
 * The AWS wire-protocol path: a plain node:http request handler (no framework on the hot path)
 * that reads the body itself, works out (service, operation, protocol, account, region),
 * decodes the input with the protocol's codec, runs the service's handler, and encodes the
 * output or the error in the same protocol.
 */
import { uuid } from '../ids.js';
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestContext, ServiceHandler } from './context.js';
import { AwsError, CommonErrors } from './errors.js';
import { decodeJsonInput, encodeJsonOutput } from './json-codec.js';
import { decodeQueryInput, encodeXmlError, encodeXmlResponse, parseForm, type FormParams } from './query-codec.js';
import { parseCredentialScope } from './sigv4.js';
import { SigV4Verifier, authError, wrongService, type AuthFailure, type Authenticated, type Credential } from './auth.js';
import { fromOwnPage } from './origin.js';
import type { Faults } from '../faults/faults.js';
import { QuotaCounter, apiFaults } from '../faults/api.js';

export interface GatewayOptions {
  services: ServiceHandler[];
  defaultAccount: string;
  defaultRegion: string;
  /** Requests larger than this are refused before they are buffered whole. */
  maxBodyBytes: number;
  /** Host (and port) for URLs when the request carries no usable Host header. */
  fallbackHost: string;
  onError?(err: unknown): void;
  /**
   * Called once per AWS request when its response has been written: the service (`sqs`,
   * `events`, `sns`, or `unknown`), the operation (`unknown` when none could be read), the HTTP
   * status and the time from the request's arrival in milliseconds. Absent: nothing is measured.
   */
  onRequestLogged?(service: string, operation: string, status: number, ms: number): void;
  /** Injected API errors, quotas and latency (src/faults); asked only while a fault is set. */
  faults?: Faults;
  /** The clock's time, for quotas per second. */
  now?: () => number;
  /** Access keys: the account each acts in, and (strict mode) the secrets signatures are checked with. */
  credentials?: readonly Credential[];
  /** Strict mode: refuse requests without a valid SigV4 signature by one of `credentials` (auth.ts). */
  strictAuth?: boolean;
  /** Real time in epoch ms, for the signature's 15-minute window. Default Date.now. */
  wallNow?: () => number;
}

/** How long, and how much more, a refused client may go on sending before its connection is cut. */
const LINGER_MS = 1000;
const LINGER_BYTES = 1024 * 1024;

/**
 * A lingering close for a refused body. Node closes a `connection: close` response's socket as
 * soon as the answer is written; a client still sending then gets a TCP reset, which throws away
 * the 413 before it has read it (it sees EPIPE instead of RequestEntityTooLarge). So this socket
 * half-closes (FIN: the answer is complete) and keeps reading and discarding what still comes,
 * for at most LINGER_MS or LINGER_BYTES, and only then is destroyed.
 */
function lingerOnClose(req: IncomingMessage): void {
  const socket = req.socket as Socket & { destroySoon?: () => void };
  socket.destroySoon = () => {
    socket.end();
    let drained = 0;
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.on('data', (d: Buffer) => {
      drained += d.length;
      if (drained > LINGER_BYTES) socket.destroy();
    });
    socket.once('end', () => socket.destroy());
    socket.once('close', () => clearTimeout(timer));
    socket.resume();
  };
}

type Protocol =
  | { kind: 'json'; service: ServiceHandler; operation: string }
  | { kind: 'query'; service?: ServiceHandler; action?: string };

const HOST = /^[A-Za-z0-9.\-_:[\]]{1,255}$/;
const SQS_QUEUE_PATH = /^\/\d{12}\/[^/]+\/?$/;

/** The context handed to handlers; a class so that no closure is allocated per request. */
class GatewayContext implements RequestContext {
  constructor(
    private readonly gateway: Gateway,
    private readonly res: ServerResponse,
    readonly account: string,
    readonly region: string,
    readonly requestId: string,
    readonly baseUrl: string,
    readonly protocol: 'json' | 'query',
    readonly accessKeyId: string | undefined,
  ) {}

  onAbort(cb: () => void): void {
    const res = this.res;
    const waiting = this.gateway.waiting;
    // Shutting down: a long poll that starts now is answered at once (empty).
    if (waiting === undefined) {
      cb();
      return;
    }
    waiting.add(cb);
    res.once('close', () => {
      waiting.delete(cb);
      if (!res.writableEnded) cb();
    });
  }
}

export class Gateway {
  private readonly byTargetPrefix = new Map<string, ServiceHandler>();
  private readonly byQueryVersion = new Map<string, ServiceHandler>();
  private readonly byScope = new Map<string, ServiceHandler>();
  private readonly baseUrls = new Map<string, string>();
  /** The abort callbacks of requests waiting (long polls); undefined once drain() has run. */
  waiting: Set<() => void> | undefined = new Set();
  /** Strict mode only; undefined otherwise, so the default path asks nothing of it. */
  private readonly verifier?: SigV4Verifier;
  /** Access keys configured with an account; undefined when none is. */
  private readonly accounts?: Map<string, string>;

  constructor(private readonly options: GatewayOptions) {
    for (const s of options.services) {
      if (s.json) this.byTargetPrefix.set(s.json.targetPrefix, s);
      if (s.query) this.byQueryVersion.set(s.query.version, s);
      this.byScope.set(s.name, s);
    }
    const credentials = options.credentials ?? [];
    if (options.strictAuth) this.verifier = new SigV4Verifier(credentials, options.wallNow);
    const withAccount = credentials.filter((c) => c.account !== undefined);
    if (withAccount.length > 0) this.accounts = new Map(withAccount.map((c) => [c.accessKeyId, c.account!]));
  }

  /** Answers a request refused before it is read (a cross-origin request, src/gateway/origin.ts) with `err` in its protocol. */
  refuse(req: IncomingMessage, res: ServerResponse, err: AwsError): void {
    this.sendError(res, this.protocolOf(req), err, uuid());
    req.resume();
  }

  /**
   * Shutting down: answer every waiting long poll now, as if its wait had run out (an empty
   * receive), and any long poll that starts from here on, so in-flight requests finish at once.
   */
  drain(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) for (const cb of waiting) cb();
  }

  /** The node:http handler for everything that is not the inspection API or the UI. */
  handle = (req: IncomingMessage, res: ServerResponse): void => {
    const requestId = uuid();
    const protocol = this.protocolOf(req);
    if (this.options.onRequestLogged) this.logWhenWritten(res, protocol, this.options.onRequestLogged);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.options.maxBodyBytes) {
      // Refuse before reading; the rest of the body is drained, never buffered, and the
      // connection closes once the answer is out, so the client cannot go on sending.
      res.setHeader('connection', 'close');
      lingerOnClose(req);
      this.sendError(res, protocol, this.tooLarge(), requestId);
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > this.options.maxBodyBytes) {
        refused = true;
        chunks.length = 0;
        res.setHeader('connection', 'close');
        lingerOnClose(req);
        this.sendError(res, protocol, this.tooLarge(), requestId);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      this.dispatch(req, res, protocol, body, requestId);
    });
    req.on('error', () => {
      /* client went away mid-body: nothing to answer */
    });
  };

  /** Reports the request to the onRequestLogged hook once its response is written. */
  private logWhenWritten(res: ServerResponse, protocol: Protocol, hook: NonNullable<GatewayOptions['onRequestLogged']>): void {
    const start = performance.now();
    res.once('finish', () => {
      const operation = protocol.kind === 'json' ? protocol.operation : protocol.action;
      hook(protocol.service?.name ?? 'unknown', operation || 'unknown', res.statusCode, performance.now() - start);
    });
  }

  private tooLarge(): AwsError {
    return new AwsError(
      CommonErrors.RequestEntityTooLarge,
      `Request body must be at most ${this.options.maxBodyBytes} bytes.`,
    );
  }

  /**
   * The JSON service to answer an unroutable JSON request: the one the SigV4 scope names if it
   * speaks JSON (SNS does not: answering it in JSON would have no JSON settings), else the first.
   */
  private jsonFallback(req: IncomingMessage): ServiceHandler | undefined {
    const scope = parseCredentialScope(req.headers.authorization);
    const named = scope && this.byScope.get(scope.service);
    return named?.json ? named : this.options.services.find((s) => s.json);
  }

  private protocolOf(req: IncomingMessage): Protocol {
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') {
      const dot = target.indexOf('.');
      const service = dot > 0 ? this.byTargetPrefix.get(target.slice(0, dot)) : undefined;
      if (service) return { kind: 'json', service, operation: target.slice(dot + 1) };
      // An unknown target still gets a JSON answer: the client speaks JSON.
      const fallback = this.jsonFallback(req);
      if (fallback) return { kind: 'json', service: fallback, operation: '' };
    } else if (/^application\/x-amz-json-/i.test(String(req.headers['content-type'] ?? ''))) {
      // A JSON body without X-Amz-Target names no operation; the client still speaks JSON.
      const fallback = this.jsonFallback(req);
      if (fallback) return { kind: 'json', service: fallback, operation: '' };
    }
    return { kind: 'query' };
  }

  private dispatch(req: IncomingMessage, res: ServerResponse, protocol: Protocol, raw: Buffer, requestId: string): void {
    let service: ServiceHandler | undefined = protocol.kind === 'json' ? protocol.service : undefined;
    try {
      // Strict mode: the signature first, over the body's raw bytes (auth.ts).
      let signed: Authenticated | undefined;
      let unsigned: AuthFailure | undefined;
      if (this.verifier !== undefined) {
        const result = this.verifier.verify(req, raw);
        if (result.ok) {
          signed = result;
          if (protocol.kind === 'json') {
            const wrong = wrongService(result.scope, protocol.service.name);
            if (wrong) throw authError(wrong, protocol.service.name, 'json');
          }
        } else if (result.kind === 'missing' && fromOwnPage(req)) {
          // The debug UI's own forms (a same-origin page of this server) send no signature.
        } else if (result.kind === 'missing' && protocol.kind === 'query') {
          // Maybe an SNS SubscribeURL, which AWS serves unsigned: decided once the action is known.
          unsigned = result;
        } else {
          throw authError(result, protocol.kind === 'json' ? protocol.service.name : 'query', protocol.kind);
        }
      }
      // isUtf8 is a vectorised check; toString then cannot replace anything with U+FFFD.
      if (!isUtf8(raw))
        throw unsigned
          ? authError(unsigned, 'query', 'query')
          : protocol.kind === 'json'
          ? new AwsError(CommonErrors.SerializationException, 'The request body is not valid UTF-8.')
          : new AwsError(CommonErrors.MalformedQueryString, 'The request body is not valid UTF-8.');
      const text = raw.toString('utf8');
      // A presigned request's scope is in its query string, which only the verifier reads.
      const scope = signed?.scope ?? parseCredentialScope(req.headers.authorization);
      const ctx = this.context(req, res, protocol.kind, requestId, scope);
      let operation: string;
      let input: Record<string, unknown>;
      if (protocol.kind === 'json') {
        operation = protocol.operation;
        const shapes = Object.hasOwn(protocol.service.operations, operation)
          ? protocol.service.operations[operation]
          : undefined;
        if (!shapes) {
          if (protocol.service.knownOperations?.has(operation))
            throw new AwsError(CommonErrors.UnknownOperation, `Operation ${operation} is not yet supported by Switchyard.`);
          throw new AwsError(CommonErrors.UnknownOperation, `Operation ${operation || String(req.headers['x-amz-target'])} is not supported by this service.`);
        }
        input = decodeJsonInput(text, shapes.input, protocol.service.missingParameter?.bind(protocol.service));
      } else {
        let params: FormParams;
        try {
          params = this.queryParams(req, text);
        } catch (err) {
          throw unsigned ? authError(unsigned, 'query', 'query') : err;
        }
        service = this.queryService(params, scope?.service, req);
        protocol.service = service;
        const action = params.get('Action');
        if (this.options.onRequestLogged) protocol.action = action;
        if (unsigned && !(service?.name === 'sns' && action === 'ConfirmSubscription')) throw authError(unsigned, 'query', 'query');
        if (signed && service) {
          const wrong = wrongService(signed.scope, service.name);
          if (wrong) throw authError(wrong, service.name, 'query');
        }
        if (!action) throw new AwsError({ type: 'MissingAction', status: 400 }, 'No action was supplied with this request.');
        operation = action;
        const shapes =
          service && Object.hasOwn(service.operations, action) ? service.operations[action] : undefined;
        if (service && !shapes && service.knownOperations?.has(action))
          throw new AwsError(CommonErrors.InvalidAction, `Operation ${action} is not yet supported by Switchyard.`);
        if (!service || !shapes)
          throw new AwsError(CommonErrors.InvalidAction, `The action ${action} is not valid for this endpoint.`);
        if (service.name === 'sqs' && !params.has('QueueUrl') && shapes.input.members.some((m) => m.name === 'QueueUrl')) {
          const path = (req.url ?? '/').split('?')[0];
          if (SQS_QUEUE_PATH.test(path)) params.set('QueueUrl', ctx.baseUrl + path.replace(/\/$/, ''));
        }
        input = decodeQueryInput(params, shapes.input, service.missingParameter?.bind(service));
      }
      const faults = this.options.faults;
      if (faults !== undefined && faults.active) {
        const resource = input.QueueUrl ?? input.TopicArn ?? input.EventBusName;
        const decision = apiFaults(faults, this.quotas, this.options.now?.() ?? Date.now(), service!.name, operation, ctx.account, ctx.region, typeof resource === 'string' ? resource : undefined);
        if (decision?.error) throw decision.error;
        if (decision?.delayMs) {
          // Real time, not the clock: the client's own timeouts run on real time.
          const svc = service!;
          setTimeout(() => this.run(svc, operation, input, ctx, res, protocol, requestId), decision.delayMs);
          return;
        }
      }
      this.run(service!, operation, input, ctx, res, protocol, requestId);
    } catch (err) {
      this.fail(res, protocol, service, err, requestId);
    }
  }

  private readonly quotas = new QuotaCounter();

  private run(service: ServiceHandler, operation: string, input: Record<string, unknown>, ctx: RequestContext, res: ServerResponse, protocol: Protocol, requestId: string): void {
    try {
      const output = service.handle(operation, input, ctx);
      // Only long polls (and, with persistence, acknowledged writes) answer later.
      if (output instanceof Promise) {
        output.then(
          (value) => this.respond(res, protocol, service, operation, value, requestId),
          (err) => this.fail(res, protocol, service, err, requestId),
        );
        return;
      }
      this.respond(res, protocol, service, operation, output, requestId);
    } catch (err) {
      this.fail(res, protocol, service, err, requestId);
    }
  }

  private respond(res: ServerResponse, protocol: Protocol, service: ServiceHandler, operation: string, output: unknown, requestId: string): void {
    if (res.writableEnded || res.destroyed) return;
    const shapes = service.operations[operation];
    if (protocol.kind === 'json') {
      this.send(res, 200, service.json!.contentType, encodeJsonOutput(shapes.output, output), requestId);
    } else {
      this.send(res, 200, 'text/xml', encodeXmlResponse(operation, service.query!.namespace, shapes.output, output, requestId), requestId);
    }
  }

  private fail(res: ServerResponse, protocol: Protocol, service: ServiceHandler | undefined, err: unknown, requestId: string): void {
    if (!(err instanceof AwsError)) this.options.onError?.(err);
    const awsErr =
      err instanceof AwsError
        ? err
        : new AwsError(CommonErrors.InternalFailure, 'We encountered an internal error. Please try again.');
    if (protocol.kind === 'query') protocol.service = service;
    this.sendError(res, protocol, awsErr, requestId);
  }

  private queryParams(req: IncomingMessage, body: string): FormParams {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const params = q >= 0 ? parseForm(url.slice(q + 1)) : new Map<string, string>();
    const type = String(req.headers['content-type'] ?? '');
    if (body.length > 0) {
      if (type !== '' && !type.toLowerCase().startsWith('application/x-www-form-urlencoded'))
        throw new AwsError(CommonErrors.InvalidAction, `Unsupported content type ${type.slice(0, 100)} without an X-Amz-Target header.`);
      for (const [k, v] of parseForm(body)) params.set(k, v);
    }
    return params;
  }

  /** Version decides (Action names overlap); then the SigV4 scope; then a unique action name. */
  private queryService(params: FormParams, scopeService: string | undefined, req: IncomingMessage): ServiceHandler | undefined {
    const version = params.get('Version');
    if (version) {
      const s = this.byQueryVersion.get(version);
      if (s) return s;
    }
    const byScope = scopeService ? this.byScope.get(scopeService) : undefined;
    if (byScope?.query) return byScope;
    const action = params.get('Action');
    if (action) {
      const candidates = this.options.services.filter((s) => s.query && Object.hasOwn(s.operations, action));
      if (candidates.length === 1) return candidates[0];
      const path = (req.url ?? '/').split('?')[0];
      if (SQS_QUEUE_PATH.test(path)) return candidates.find((s) => s.name === 'sqs');
    }
    return this.options.services.find((s) => s.name === 'sqs');
  }

  private context(
    req: IncomingMessage,
    res: ServerResponse,
    protocol: 'json' | 'query',
    requestId: string,
    scope: ReturnType<typeof parseCredentialScope>,
  ): RequestContext {
    const hostHeader = req.headers.host;
    const proto = req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
    const accessKeyId = scope?.accessKeyId;
    const configured = accessKeyId !== undefined && this.accounts !== undefined ? this.accounts.get(accessKeyId) : undefined;
    return new GatewayContext(
      this,
      res,
      configured ?? (accessKeyId && /^\d{12}$/.test(accessKeyId) ? accessKeyId : this.options.defaultAccount),
      scope?.region ?? this.options.defaultRegion,
      requestId,
      this.baseUrlFor(proto, hostHeader),
      protocol,
      accessKeyId,
    );
  }

  /** `scheme://host` for a Host header, remembered: clients send the same one on every call. */
  private baseUrlFor(proto: string, hostHeader: string | undefined): string {
    const key = `${proto} ${hostHeader}`;
    let url = this.baseUrls.get(key);
    if (url === undefined) {
      const host = hostHeader && HOST.test(hostHeader) ? hostHeader : this.options.fallbackHost;
      url = `${proto}://${host}`;
      if (this.baseUrls.size >= 1000) this.baseUrls.clear();
      this.baseUrls.set(key, url);
    }
    return url;
  }

  private send(res: ServerResponse, status: number, type: string, body: string, requestId: string): void {
    // A flat header list skips node's per-key object handling on the hot path.
    res.writeHead(status, ['content-type', type, 'content-length', String(Buffer.byteLength(body)), 'x-amzn-requestid', requestId]);
    res.end(body);
  }

  private sendError(res: ServerResponse, protocol: Protocol, err: AwsError, requestId: string): void {
    if (res.headersSent) return;
    // An injected error says so (AWS never sends this header): a test can tell it from a real one.
    if (err.injected !== undefined) res.setHeader('x-switchyard-fault', err.injected);
    if (protocol.kind === 'json') {
      const json = protocol.service.json!;
      if (json.queryCompatible) res.setHeader('x-amzn-query-error', `${err.queryCode};${err.sender ? 'Sender' : 'Receiver'}`);
      const body = JSON.stringify({ __type: err.type, message: err.message });
      this.send(res, err.status, json.contentType, body, requestId);
    } else {
      const ns = protocol.service?.query?.namespace ?? this.options.services.find((s) => s.query)?.query?.namespace ?? '';
      this.send(res, err.status, 'text/xml', encodeXmlError(ns, err, requestId), requestId);
    }
  }
}
