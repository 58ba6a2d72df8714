/**
 * `switchyard`: read the flags and the environment, start, print one line, and stop cleanly on
 * SIGINT/SIGTERM. Exit codes: 0 after a clean stop (and for --help, --version), 1 when it cannot
 * start (port in use, a bad config file), 2 for a mistake on the command line or in the
 * environment. Every message is one line on stderr, never a stack trace, except for a bug
 * (an unexpected internal error), which is logged at warn with its stack.
 */
import { DEFAULTS, type SwitchyardOptions } from '../config.js';
import type { StackReport, Switchyard } from '../index.js';
import { VERSION } from '../version.js';
import { Logger, describeError } from './log.js';
import { UsageError, helpText, parseCommandLine } from './options.js';

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  let command;
  try {
    command = parseCommandLine(argv, env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`switchyard: ${err.message}\n`);
    process.exit(2);
  }
  if (command.kind === 'help') {
    process.stdout.write(helpText(VERSION));
    return;
  }
  if (command.kind === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return;
  }

  const log = new Logger(command.logLevel);
  const options: SwitchyardOptions = {
    ...command.options,
    onError: (err) => log.warn(`internal error: ${describeError(err)}`),
  };
  if (log.enabled('debug'))
    options.onRequestLogged = (service, operation, status, ms) => log.debug(`${service} ${operation} ${status} ${ms.toFixed(1)} ms`);

  // Signals are handled from here on: one that comes while starting stops the server once it is up.
  let sy: Switchyard | undefined;
  let stopping = false;
  const stopNow = (server: Switchyard): void => {
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error(`could not stop cleanly: ${describeError(err)}`);
        process.exit(1);
      },
    );
  };
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn(`${signal} again: exiting without waiting for requests in flight`);
      process.exit(1);
    }
    stopping = true;
    log.info(`${signal}: stopping (finishing requests in flight)`);
    if (sy) stopNow(sy);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  // Loaded only now: --help and --version answer without loading the services.
  const { startSwitchyard } = await import('../index.js');
  try {
    sy = await startSwitchyard(options);
  } catch (err) {
    log.error(startFailure(err, options));
    process.exit(1);
  }
  if (stopping) {
    stopNow(sy);
    return;
  }
  const services = [sy.sqs, sy.events, sy.sns].map((s) => s.name).join(', ');
  const data = options.dataDir !== undefined ? `; data: ${options.dataDir}, fsync ${options.fsync ?? DEFAULTS.fsync}` : '';
  process.stdout.write(`switchyard ${VERSION} listening on ${sy.endpoint} (UI: ${sy.endpoint}/_switchyard/; services: ${services}${data})\n`);
  const stacks = sy.stacks.list();
  if (stacks.length > 0) process.stdout.write(stacks.flatMap(stackLines).map((l) => `${l}\n`).join(''));
}

/**
 * What a template created, after the start line: a line per stack, then each resource's URL
 * and ARN by logical id, then the skipped ones on one line.
 *
 *   stack ShopStack (cdk.out/ShopStack.template.json): 18 created, 5 skipped
 *     OrdersQueue3DFA1D51  http://127.0.0.1:4566/000000000000/ShopStack-OrdersQueue3DFA1D51-G8AAK4IUUJGF3  arn:aws:sqs:...
 *     skipped: InvoiceFunction0302DF74 (AWS::Lambda::Function), ...
 */
export function stackLines(stack: StackReport): string[] {
  const counts = new Map<string, number>();
  for (const r of stack.resources) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const made = stack.resources.filter((r) => r.status !== 'skipped' && r.status !== 'excluded');
  const width = Math.max(0, ...made.map((r) => r.logicalId.length));
  const lines = [`stack ${stack.stackName} (${stack.template}): ${[...counts].map(([status, n]) => `${n} ${status}`).join(', ')}`];
  for (const r of made) lines.push(`  ${r.logicalId.padEnd(width)}  ${[r.url, r.arn].filter(Boolean).join('  ') || `(${r.type})`}`);
  if (stack.skipped.length > 0) lines.push(`  skipped: ${stack.skipped.join(', ')}`);
  const excluded = stack.resources.filter((r) => r.status === 'excluded');
  if (excluded.length > 0) lines.push(`  not created (condition false): ${excluded.map((r) => r.logicalId).join(', ')}`);
  return lines;
}

/** Why start-up failed, as one line. */
export function startFailure(err: unknown, options: SwitchyardOptions): string {
  // The listen error carries the address it tried: the port may come from the config file.
  const net = err as (NodeJS.ErrnoException & { port?: number; address?: string; hostname?: string }) | undefined;
  const port = net?.port ?? options.port ?? DEFAULTS.port;
  const host = net?.address ?? net?.hostname ?? options.host ?? DEFAULTS.host;
  const code = net?.code;
  switch (code) {
    case 'EADDRINUSE':
      return `port ${port} is already in use on ${host} (try --port)`;
    case 'EACCES':
      return `no permission to listen on port ${port} of ${host} (ports below 1024 need privileges; try --port)`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${host}: no such address on this machine (try --host 127.0.0.1)`;
  }
  const message = err instanceof Error ? err.message.replace(/\s*\n\s*/g, ' ') : String(err);
  // A bad config file or data directory names the file and what is wrong in its message.
  if (err instanceof Error && (err.name === 'ConfigFileError' || err.name === 'TemplateError' || err.name === 'PersistenceError')) return message;
  return `cannot start: ${message}`;
}
