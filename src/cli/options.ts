/**
 * The command line's settings: each flag with its environment variable, parsed and checked.
 * Flags win over the environment. A mistake (an unknown flag, a missing or bad value) is a
 * UsageError: one line for stderr, and exit code 2.
 */
import { DEFAULTS, checkOrigin, optionsFromEnv, type SwitchyardOptions } from '../config.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; options: SwitchyardOptions; logLevel: LogLevel };

/** A mistake on the command line or in the environment; its message is the one line to print. */
export class UsageError extends Error {}

interface Parsed {
  options: SwitchyardOptions;
  logLevel: LogLevel;
}

interface Setting {
  /** The flag without its dashes; absent for settings only the environment gives. */
  flag?: string;
  env: string;
  /** The value's name in the help text. */
  value: string;
  help: string;
  /** Given more than once, each flag counts (in order); otherwise the last one wins. */
  repeatable?: boolean;
  /** A switch: the flag alone means `true` (`--flag=false` also works); the variable takes true/false. */
  switch?: boolean;
  /** Checks `raw` (from `source`, the flag or the variable) and stores it. */
  apply(raw: string, source: string, into: Parsed): void;
}

function integer(raw: string, source: string, min: number, max: number): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`${source} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

function boolean(raw: string, source: string): boolean {
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no') return false;
  throw new UsageError(`${source} must be true or false, got ${JSON.stringify(raw)}`);
}

/** `KEY:SECRET[:ACCOUNT]`, comma-separated (a secret may hold `:`-free base64 such as `+` and `/`). */
function credentialList(raw: string, source: string): NonNullable<SwitchyardOptions['credentials']> {
  const out: NonNullable<SwitchyardOptions['credentials']> = [];
  for (const item of raw.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const [accessKeyId, secretAccessKey, account, extra] = item.split(':');
    if (!accessKeyId || !/^[A-Za-z0-9]{1,128}$/.test(accessKeyId) || !secretAccessKey || extra !== undefined || (account !== undefined && !/^\d{12}$/.test(account)))
      throw new UsageError(`${source} must be KEY:SECRET or KEY:SECRET:ACCOUNT (12 digits), comma-separated; ${JSON.stringify(item.replace(/:.*/, ':...'))} is not`);
    out.push(account === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, account });
  }
  if (out.length === 0) throw new UsageError(`${source} must list at least one KEY:SECRET`);
  return out;
}

function nonEmpty(raw: string, source: string, what: string): string {
  if (raw.trim() === '') throw new UsageError(`${source} must be ${what}, got an empty value`);
  return raw;
}

/** The flags and variables, in the order --help lists them. */
export const SETTINGS: readonly Setting[] = [
  {
    flag: 'port',
    env: 'SWITCHYARD_PORT',
    value: 'N',
    help: `TCP port; 0 picks a free one (default ${DEFAULTS.port})`,
    apply: (raw, source, into) => void (into.options.port = integer(raw, source, 0, 65535)),
  },
  {
    flag: 'host',
    env: 'SWITCHYARD_HOST',
    value: 'ADDR',
    help: `interface to bind; 0.0.0.0 listens on the network (default ${DEFAULTS.host})`,
    apply: (raw, source, into) => {
      if (!/^[A-Za-z0-9.:%_[\]-]{1,255}$/.test(raw))
        throw new UsageError(`${source} must be a host name or IP address, got ${JSON.stringify(raw)}`);
      into.options.host = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
    },
  },
  {
    flag: 'region',
    env: 'SWITCHYARD_REGION',
    value: 'NAME',
    help: `region for requests without a SigV4 credential scope (default ${DEFAULTS.region})`,
    apply: (raw, source, into) => {
      if (!/^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$/.test(raw))
        throw new UsageError(`${source} must be a region name such as us-east-1, got ${JSON.stringify(raw)}`);
      into.options.region = raw;
    },
  },
  {
    flag: 'account',
    env: 'SWITCHYARD_ACCOUNT',
    value: 'ID',
    help: `account for access keys that are not a 12-digit account id (default ${DEFAULTS.account})`,
    apply: (raw, source, into) => {
      if (!/^\d{12}$/.test(raw)) throw new UsageError(`${source} must be a 12-digit account id, got ${JSON.stringify(raw)}`);
      into.options.account = raw;
    },
  },
  {
    flag: 'config',
    env: 'SWITCHYARD_CONFIG',
    value: 'FILE',
    help: 'YAML or JSON file of resources to create at start (default none)',
    apply: (raw, source, into) => void (into.options.config = nonEmpty(raw, source, 'a file name')),
  },
  {
    flag: 'template',
    env: 'SWITCHYARD_TEMPLATE',
    value: 'FILE',
    repeatable: true,
    help: 'CloudFormation, SAM or CDK template (JSON or YAML) whose resources to create at start; repeatable; the variable takes several, comma-separated (default none)',
    apply: (raw, source, into) => {
      const files = source.startsWith('--') ? [raw] : raw.split(',').map((f) => f.trim()).filter(Boolean);
      for (const file of files) (into.options.templates ??= []).push({ file: nonEmpty(file, source, 'a file name') });
    },
  },
  {
    flag: 'parameter',
    env: 'SWITCHYARD_PARAMETERS',
    value: 'KEY=VALUE',
    repeatable: true,
    help: "value of the templates' parameter KEY; repeatable; the variable takes several, space-separated (default: their Defaults)",
    apply: (raw, source, into) => {
      const pairs = source.startsWith('--') ? [raw] : raw.split(/\s+/).filter(Boolean);
      for (const pair of pairs) {
        const eq = pair.indexOf('=');
        const key = eq > 0 ? pair.slice(0, eq) : '';
        if (!/^[A-Za-z0-9]+$/.test(key)) throw new UsageError(`${source} must be KEY=VALUE with an alphanumeric KEY (a template parameter), got ${JSON.stringify(pair)}`);
        (into.options.templateParameters ??= {})[key] = pair.slice(eq + 1);
      }
    },
  },
  {
    flag: 'data-dir',
    env: 'SWITCHYARD_DATA_DIR',
    value: 'DIR',
    help: 'keep all state in DIR across restarts (default none: in memory only)',
    apply: (raw, source, into) => void (into.options.dataDir = nonEmpty(raw, source, 'a directory')),
  },
  {
    flag: 'fsync',
    env: 'SWITCHYARD_FSYNC',
    value: 'MODE',
    help: 'with --data-dir: periodic (written before the answer, synced each second; survives kill -9) or always (synced before the answer; survives power loss) (default periodic)',
    apply: (raw, source, into) => {
      if (raw !== 'periodic' && raw !== 'always') throw new UsageError(`${source} must be periodic or always, got ${JSON.stringify(raw)}`);
      into.options.fsync = raw;
    },
  },
  {
    flag: 'log-level',
    env: 'SWITCHYARD_LOG_LEVEL',
    value: 'LEVEL',
    help: 'error, warn, info or debug (debug: one line per AWS request) (default info)',
    apply: (raw, source, into) => {
      const level = raw.toLowerCase() as LogLevel;
      if (!LOG_LEVELS.includes(level))
        throw new UsageError(`${source} must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(raw)}`);
      into.logLevel = level;
    },
  },
  {
    flag: 'strict-auth',
    env: 'SWITCHYARD_STRICT_AUTH',
    value: '',
    switch: true,
    help: 'verify SigV4 signatures against SWITCHYARD_CREDENTIALS (or credentials: in the config file); bad ones get AWS\'s errors (default off: any key works)',
    apply: (raw, source, into) => void (into.options.strictAuth = boolean(raw, source)),
  },
  {
    env: 'SWITCHYARD_CREDENTIALS',
    value: 'KEY:SECRET[:ACCOUNT],...',
    help: 'access keys Switchyard knows, each with its secret and optionally the account its requests act in (default none)',
    apply: (raw, source, into) => void (into.options.credentials = credentialList(raw, source)),
  },
  {
    flag: 'cors-origin',
    env: 'SWITCHYARD_CORS_ORIGIN',
    value: 'ORIGIN',
    repeatable: true,
    help: 'a web origin (http://localhost:3000) allowed to call the AWS API and change things through the inspection API from a browser; repeatable; the variable takes several, comma-separated (default none: only Switchyard\'s own pages)',
    apply: (raw, source, into) => {
      const list = raw.split(',').map((o) => o.trim()).filter((o) => o !== '');
      if (list.length === 0) throw new UsageError(`${source} must be an origin such as http://localhost:3000, got an empty value`);
      for (const origin of list) {
        try {
          (into.options.corsOrigins ??= []).push(checkOrigin(origin));
        } catch (err) {
          throw new UsageError(`${source}: ${(err as Error).message}`);
        }
      }
    },
  },
  {
    env: 'SWITCHYARD_FORWARD_<SERVICE>',
    value: 'URL',
    help: 'endpoint for EventBridge targets of lambda, states, kinesis, firehose or logs (default none: captured)',
    apply: () => {}, // read by pattern below
  },
  {
    env: 'SWITCHYARD_RULES_PER_BUS',
    value: 'N',
    help: `rules per event bus (default ${DEFAULTS.rulesPerBus})`,
    apply: (raw, source, into) => void (into.options.rulesPerBus = integer(raw, source, 1, 1_000_000)),
  },
  {
    env: 'SWITCHYARD_TRACE_CAPACITY',
    value: 'N',
    help: `records kept in the trace, the oldest go first (default ${DEFAULTS.traceCapacity})`,
    apply: (raw, source, into) => void (into.options.traceCapacity = integer(raw, source, 1, 10_000_000)),
  },
  {
    env: 'SWITCHYARD_IDEMPOTENCY_KEY_PATH',
    value: 'PATH',
    help: `dotted path of the idempotency key in events and JSON bodies (default ${DEFAULTS.idempotencyKeyPath})`,
    apply: (raw, source, into) => void (into.options.idempotencyKeyPath = nonEmpty(raw, source, 'a dotted path')),
  },
  {
    env: 'SWITCHYARD_IDEMPOTENCY_KEY_ATTRIBUTE',
    value: 'NAME',
    help: `message attribute holding the idempotency key (default ${DEFAULTS.idempotencyKeyAttribute})`,
    apply: (raw, source, into) => void (into.options.idempotencyKeyAttribute = nonEmpty(raw, source, 'an attribute name')),
  },
];

const FORWARD_ENV = /^SWITCHYARD_FORWARD_([A-Z0-9_]+)$/;

function forwardUrl(raw: string, source: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new UsageError(`${source} must be an http:// or https:// URL, got ${JSON.stringify(raw)}`);
  return raw;
}

/**
 * Reads the command line (without `node` and the script) and the environment. Throws
 * UsageError for anything it cannot use.
 */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): Command {
  const byFlag = new Map(SETTINGS.filter((s) => s.flag).map((s) => [s.flag!, s]));
  const fromFlags = new Map<Setting, Array<{ raw: string; source: string }>>();
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg === '--version') {
      version = true;
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      throw new UsageError(
        arg.startsWith('-') && arg !== '-' && arg !== '--'
          ? `unknown option ${arg} (see switchyard --help)`
          : `unexpected argument ${JSON.stringify(arg)} (see switchyard --help)`,
      );
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const setting = byFlag.get(name);
    if (!setting) throw new UsageError(`unknown option --${name} (see switchyard --help)`);
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else if (setting.switch) raw = 'true';
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value (--${name} ${setting.value})`);
      raw = next;
      i++;
    }
    fromFlags.set(setting, [...(fromFlags.get(setting) ?? []), { raw, source: `--${name}` }]);
  }
  if (help) return { kind: 'help' };
  if (version) return { kind: 'version' };

  // Whatever config.ts reads from the environment, then each setting checked: flag, else variable.
  const parsed: Parsed = { options: optionsFromEnv(env), logLevel: 'info' };
  for (const setting of SETTINGS) {
    const flags = fromFlags.get(setting);
    if (flags) for (const flag of setting.repeatable ? flags : flags.slice(-1)) setting.apply(flag.raw, flag.source, parsed);
    else if (!setting.env.includes('<') && env[setting.env]) setting.apply(env[setting.env]!, setting.env, parsed);
  }
  const forward: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const m = FORWARD_ENV.exec(key);
    if (m && value) forward[m[1].toLowerCase()] = forwardUrl(value, key);
  }
  if (Object.keys(forward).length > 0) parsed.options.forward = { ...parsed.options.forward, ...forward };
  return { kind: 'run', options: parsed.options, logLevel: parsed.logLevel };
}

/** `switchyard --help`: every flag and environment variable, one line each. */
export function helpText(version: string): string {
  const left = (s: Setting) => (s.flag ? (s.value ? `--${s.flag} ${s.value}` : `--${s.flag}`) : '');
  const middle = (s: Setting) => (s.flag ? s.env : `${s.env}=${s.value}`);
  const w1 = Math.max(...SETTINGS.map((s) => left(s).length), '-h, --help'.length);
  const w2 = Math.max(...SETTINGS.map((s) => middle(s).length));
  const line = (a: string, b: string, c: string) => `  ${a.padEnd(w1)}  ${b.padEnd(w2)}  ${c}`.trimEnd();
  return [
    `switchyard ${version}: a local, AWS-compatible EventBridge, SQS and SNS`,
    '',
    'Usage: switchyard [options]',
    '',
    'Each option can also be set by its environment variable; a flag wins over the variable.',
    '',
    ...SETTINGS.map((s) => line(left(s), middle(s), s.help)),
    line('-h, --help', '', 'this text'),
    line('--version', '', 'the version'),
    '',
    'Prints one line once it is listening; SIGINT or SIGTERM stops it after the requests in flight.',
    '',
  ].join('\n');
}
