/**
 * Every setting in one object. Flags, environment variables and (in a later issue) a config
 * file all end up here; nothing else reads process.env.
 */
export interface SwitchyardOptions {
  /** TCP port; 0 picks a free one. Default 4566. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1: a development tool does not listen on the network unless asked. */
  host?: string;
  /** Account for requests whose access key is not a 12-digit account id. Default 000000000000. */
  account?: string;
  /** Region for requests without a SigV4 credential scope. Default us-east-1. */
  region?: string;
  /** Largest request body accepted, in bytes. Default 5 MiB (a 1 MiB message in the most verbose encoding). */
  maxBodyBytes?: number;
  /** Start the clock frozen at this instant (tests); time then moves only through clock.advance(). */
  frozenClockAt?: number;
  /** Called with unexpected errors (a bug, never a client mistake). Default: printed to stderr. */
  onError?(err: unknown): void;
  /**
   * Endpoints for EventBridge targets of services Switchyard does not emulate, by the ARN's
   * service name: `{ lambda: 'http://127.0.0.1:3001', states: 'http://127.0.0.1:8083' }`.
   * Targets of a service without one are recorded in the trace as captured.
   */
  forward?: Record<string, string>;
  /** Rules per event bus. AWS's default quota is 300 (adjustable); so is ours. */
  rulesPerBus?: number;
  /** Events kept in the trace (a ring: the oldest go first). Default 10,000. */
  traceCapacity?: number;
  /** Dotted JSON path of the idempotency key in events and JSON message bodies. Default `detail.metadata.idempotency-key`. */
  idempotencyKeyPath?: string;
  /** Message attribute holding the idempotency key of SNS and SQS messages. Default `idempotency-key`. */
  idempotencyKeyAttribute?: string;
  /**
   * Config file (YAML or JSON) declaring the resources to create at start (`--config`), or the
   * same content as an object; its settings apply where no option is given (docs/configuration.md).
   */
  config?: string | object;
  /**
   * CloudFormation, SAM or CDK templates whose resources are created at start, after the config
   * file's (`--template`, docs/templates.md): each a file (JSON or YAML) or a body, with its stack
   * name (default: the file's name) and values for its parameters.
   */
  templates?: Array<{ file?: string; body?: string | object; stackName?: string; parameters?: Record<string, string> }>;
  /** Parameter values for every template (`--parameter Key=Value`): each takes those it declares; one no template declares is an error. */
  templateParameters?: Record<string, string>;
  /** Directory where all state persists across restarts (`--data-dir`); none: in memory only. */
  dataDir?: string;
  /**
   * With `dataDir`: when an acknowledged write counts as stored (`--fsync`). `periodic` (default):
   * written to the file before the response, synced to the disk within a second; survives
   * SIGKILL and crashes of Switchyard. `always`: synced before the response; survives power loss.
   */
  fsync?: 'periodic' | 'always';
  /**
   * Faults to inject from the start (docs/testing.md): `{ seed: 42, rules: [{ kind: 'api-error',
   * service: 'sqs', operation: 'SendMessage', count: 2 }] }`. More can be added at run time with
   * `sy.faults.add(...)` or `POST /_switchyard/api/faults`.
   */
  faults?: { seed?: number; rules?: import('./faults/faults.js').FaultSpec[] };
  /** Called once per AWS request when its response is written: service, operation, HTTP status, milliseconds. */
  onRequestLogged?(service: string, operation: string, status: number, ms: number): void;
  /**
   * Access keys Switchyard knows: `[{ accessKeyId, secretAccessKey, account? }]`. With `strictAuth`
   * every AWS request must be signed (SigV4) with one of them; in any mode a key's `account` is
   * the account its requests act in (default: a 12-digit key is its own account, others `account`).
   */
  credentials?: import('./gateway/auth.js').Credential[];
  /**
   * Verify SigV4 signatures (`--strict-auth`): a request signed with an unknown key, a wrong
   * secret or a clock off by more than 15 minutes gets AWS's error (docs/reliability.md). Needs
   * `credentials`. Default false: any key and secret work.
   */
  strictAuth?: boolean;
  /**
   * Web origins (`http://localhost:3000`) allowed to call the AWS API and change things through
   * the inspection API from a browser (`--cors-origin`), with CORS answers; `*` allows any.
   * Default none: only Switchyard's own pages (docs/reliability.md).
   */
  corsOrigins?: string[];
}

export interface ResolvedOptions
  extends Required<Omit<SwitchyardOptions, 'frozenClockAt' | 'onError' | 'config' | 'dataDir' | 'onRequestLogged' | 'faults' | 'templates' | 'templateParameters'>> {
  templates?: SwitchyardOptions['templates'];
  templateParameters?: SwitchyardOptions['templateParameters'];
  faults?: SwitchyardOptions['faults'];
  frozenClockAt?: number;
  onError(err: unknown): void;
  config?: string | object;
  dataDir?: string;
  onRequestLogged?(service: string, operation: string, status: number, ms: number): void;
}

export const DEFAULTS = {
  port: 4566,
  host: '127.0.0.1',
  account: '000000000000',
  region: 'us-east-1',
  maxBodyBytes: 5 * 1024 * 1024,
  rulesPerBus: 300,
  traceCapacity: 10_000,
  idempotencyKeyPath: 'detail.metadata.idempotency-key',
  idempotencyKeyAttribute: 'idempotency-key',
  fsync: 'periodic',
} as const;

export function resolveOptions(o: SwitchyardOptions = {}): ResolvedOptions {
  const account = o.account ?? DEFAULTS.account;
  if (!/^\d{12}$/.test(account)) throw new Error(`account must be 12 digits, got ${account}`);
  const resolved: ResolvedOptions = {
    port: o.port ?? DEFAULTS.port,
    host: o.host ?? DEFAULTS.host,
    account,
    region: o.region ?? DEFAULTS.region,
    maxBodyBytes: o.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    forward: o.forward ?? {},
    rulesPerBus: o.rulesPerBus ?? DEFAULTS.rulesPerBus,
    traceCapacity: o.traceCapacity ?? DEFAULTS.traceCapacity,
    idempotencyKeyPath: o.idempotencyKeyPath ?? DEFAULTS.idempotencyKeyPath,
    idempotencyKeyAttribute: o.idempotencyKeyAttribute ?? DEFAULTS.idempotencyKeyAttribute,
    frozenClockAt: o.frozenClockAt,
    onError: o.onError ?? ((err) => console.error('switchyard: internal error:', err)),
    config: o.config,
    templates: o.templates,
    templateParameters: o.templateParameters,
    dataDir: o.dataDir,
    fsync: o.fsync ?? DEFAULTS.fsync,
    faults: o.faults,
    onRequestLogged: o.onRequestLogged,
    credentials: checkCredentials(o.credentials ?? []),
    strictAuth: o.strictAuth ?? false,
    corsOrigins: (o.corsOrigins ?? []).map(checkOrigin),
  };
  if (resolved.strictAuth && resolved.credentials.length === 0)
    throw new Error('strictAuth needs credentials: give at least one access key and secret (credentials: in the config file, SWITCHYARD_CREDENTIALS, or the credentials option)');
  return resolved;
}

function checkCredentials(list: readonly import('./gateway/auth.js').Credential[]): import('./gateway/auth.js').Credential[] {
  const seen = new Set<string>();
  return list.map((c, i) => {
    const where = `credentials[${i}]`;
    if (typeof c?.accessKeyId !== 'string' || !/^[A-Za-z0-9]{1,128}$/.test(c.accessKeyId))
      throw new Error(`${where}.accessKeyId must be 1 to 128 letters and digits`);
    if (typeof c.secretAccessKey !== 'string' || c.secretAccessKey === '') throw new Error(`${where}.secretAccessKey must be a non-empty string`);
    if (c.account !== undefined && !/^\d{12}$/.test(c.account)) throw new Error(`${where}.account must be 12 digits, got ${c.account}`);
    if (seen.has(c.accessKeyId)) throw new Error(`${where}.accessKeyId ${c.accessKeyId} is given twice`);
    seen.add(c.accessKeyId);
    const { accessKeyId, secretAccessKey, account } = c;
    return account === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, account };
  });
}

/** `scheme://host[:port]` (no path), or `*`. */
export function checkOrigin(origin: string): string {
  if (origin === '*') return origin;
  let url: URL | undefined;
  try {
    url = new URL(origin);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin.replace(/\/+$/, '').toLowerCase())
    throw new Error(`a CORS origin must be scheme://host[:port] (such as http://localhost:3000) or *, got ${JSON.stringify(origin)}`);
  return url.origin;
}

/** Options from environment variables (SWITCHYARD_PORT, ...), for the command line. */
export function optionsFromEnv(env: NodeJS.ProcessEnv): SwitchyardOptions {
  const o: SwitchyardOptions = {};
  if (env.SWITCHYARD_PORT) o.port = Number(env.SWITCHYARD_PORT);
  if (env.SWITCHYARD_HOST) o.host = env.SWITCHYARD_HOST;
  if (env.SWITCHYARD_ACCOUNT) o.account = env.SWITCHYARD_ACCOUNT;
  if (env.SWITCHYARD_REGION) o.region = env.SWITCHYARD_REGION;
  if (env.SWITCHYARD_RULES_PER_BUS) o.rulesPerBus = Number(env.SWITCHYARD_RULES_PER_BUS);
  if (env.SWITCHYARD_TRACE_CAPACITY) o.traceCapacity = Number(env.SWITCHYARD_TRACE_CAPACITY);
  if (env.SWITCHYARD_IDEMPOTENCY_KEY_PATH) o.idempotencyKeyPath = env.SWITCHYARD_IDEMPOTENCY_KEY_PATH;
  if (env.SWITCHYARD_IDEMPOTENCY_KEY_ATTRIBUTE) o.idempotencyKeyAttribute = env.SWITCHYARD_IDEMPOTENCY_KEY_ATTRIBUTE;
  // SWITCHYARD_FORWARD_LAMBDA=http://127.0.0.1:3001 -> forward.lambda
  for (const [key, value] of Object.entries(env)) {
    const m = /^SWITCHYARD_FORWARD_([A-Z0-9_]+)$/.exec(key);
    if (m && value) (o.forward ??= {})[m[1].toLowerCase()] = value;
  }
  return o;
}
