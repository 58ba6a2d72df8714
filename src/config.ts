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
  return {
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
  };
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
