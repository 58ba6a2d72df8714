/**
 * The public API: start a Switchyard in this process (tests, scripts) or from the command line.
 *
 *   const sy = await startSwitchyard({ port: 0 });
 *   // sy.endpoint -> http://127.0.0.1:PORT
 *   await sy.stop();
 */
import type { AddressInfo } from 'node:net';
import { Clock } from './clock.js';
import { resolveOptions, type SwitchyardOptions } from './config.js';
import { applyConfig, loadConfig, withConfigSettings } from './config-file/index.js';
import { createSwitchyardServer } from './server.js';
import { EventsService } from './events/service.js';
import { SnsService } from './sns/service.js';
import { SqsService } from './sqs/service.js';
import { Persistence } from './persist/index.js';
import { createEventsStore } from './persist/events-store.js';
import { createSnsStore } from './persist/sns-store.js';
import { TraceLog } from './trace/trace.js';
import { Faults, checkFaultSpec } from './faults/faults.js';
import { Assertions, type DeliveryRecord, type IdempotencyReport, type PublishedMessage, type WaitOptions } from './inspect/assertions.js';
import type { EventTrace } from './trace/trace.js';
import { applyTemplate, checkSharedParameters, loadTemplate } from './templates/load.js';
import { Stacks } from './templates/stacks.js';

export { Clock } from './clock.js';
export type { SwitchyardOptions } from './config.js';
export { PersistenceError } from './persist/index.js';
export { ConfigFileError, applyConfig, loadConfig } from './config-file/index.js';
export { Faults, FaultSpecError, type Fault, type FaultSpec } from './faults/faults.js';
export { WaitTimeout, type DeliveryRecord, type IdempotencyReport, type PublishedMessage, type WaitOptions } from './inspect/assertions.js';
export type { EventTrace } from './trace/trace.js';
export { TemplateError } from './templates/errors.js';
export { applyTemplate, loadTemplate } from './templates/load.js';
export { Stacks, type StackReport, type StackResource } from './templates/stacks.js';
export type { LoadedTemplate, TemplateSource } from './templates/index.js';

export interface Switchyard {
  /** `http://host:port`, ready for an SDK's `endpoint` option. */
  readonly endpoint: string;
  readonly port: number;
  /** The clock every deadline runs on: `clock.advance(30_000)` makes 30 s pass now. */
  readonly clock: Clock;
  readonly sqs: SqsService;
  readonly events: EventsService;
  readonly sns: SnsService;
  /** Injected faults: `sy.faults.add({ kind: 'duplicate', resource: queueArn, probability: 0.5 })` (docs/testing.md). */
  readonly faults: Faults;
  /**
   * The stacks applied from templates (`templates`, `--template`, the config file's
   * `templates:`): `stacks.resource('shop', 'OrdersQueue')?.url`, `stacks.list()` (docs/templates.md).
   */
  readonly stacks: Stacks;
  /** With `dataDir`: the files, and what start-up recovered (`persistence.report.warnings`). */
  readonly persistence: Persistence | undefined;
  /** Drop all state (queues, messages). */
  reset(): void;
  /**
   * The first event matching an EventBridge pattern: already routed, or arriving within
   * `timeout` real ms (default 5000); rejects with WaitTimeout (docs/testing.md).
   */
  waitForEvent(pattern: object | string, options?: WaitOptions): Promise<EventTrace>;
  /** Every delivery to a target or subscription endpoint (ARN, URL, subscription ARN, rule ARN, `ruleArn#targetId`), oldest first. */
  deliveriesTo(arn: string): DeliveryRecord[];
  /** A queue's messages (URL or ARN), peeked without receiving them; undefined for no such queue. */
  messagesIn(queue: string): ReturnType<Assertions['messagesIn']>;
  /** Every message published to a topic, oldest first. */
  publishedTo(topicArn: string): PublishedMessage[];
  /** Idempotency keys seen on more than one record, and targets that got one key twice. */
  repeatedIdempotencyKeys(): IdempotencyReport;
  /** Stop accepting, end open connections, and stop the clock. */
  stop(): Promise<void>;
}

export async function startSwitchyard(options: SwitchyardOptions = {}): Promise<Switchyard> {
  // A config file is read and checked first; its settings lie beneath the options (which win).
  const configFile = options.config !== undefined ? await loadConfig(options.config) : undefined;
  const resolved = resolveOptions(configFile ? withConfigSettings(options, configFile.settings) : options);
  // Templates are read and checked before the port is bound too.
  const templates = await Promise.all((resolved.templates ?? []).map((t, i) => loadTemplate(t, t.file ?? `templates[${i}]`)));
  await checkSharedParameters(resolved.templateParameters, [...(configFile?.loadedTemplates ?? []), ...templates]);
  const clock =
    resolved.frozenClockAt !== undefined ? new Clock({ frozen: true, start: resolved.frozenClockAt }) : new Clock();
  const faults = new Faults(resolved.faults?.seed, () => clock.now());
  // The faults given at start are checked once, and set again by reset() (which drops the rest).
  const startFaults = (resolved.faults?.rules ?? []).map((rule, i) => checkFaultSpec(rule, `faults.rules[${i}]`));
  const setStartFaults = (): void => {
    faults.clear();
    if (resolved.faults?.seed !== undefined) faults.reseed(resolved.faults.seed);
    for (const spec of startFaults) faults.add(spec);
  };
  setStartFaults();
  // One trace for every service: the debug UI shows events and publishes on one timeline.
  const trace = new TraceLog(resolved.traceCapacity, { path: resolved.idempotencyKeyPath, attribute: resolved.idempotencyKeyAttribute });
  const sqs = new SqsService({ clock, trace, faults });
  const events = new EventsService({
    clock,
    trace,
    findQueue: sqs.findByArn,
    forward: resolved.forward,
    rulesPerBus: resolved.rulesPerBus,
    faults,
    onError: resolved.onError,
  });
  const sns = new SnsService({ clock, trace, findQueue: sqs.findByArn, forwarder: events.forwarder, faults, onError: resolved.onError });
  // What templates create, and the SQS pollers of their event source mappings.
  const stacks = new Stacks({ sqs, lambdaEndpoint: resolved.forward.lambda, region: resolved.region, onError: resolved.onError });
  // EventBridge rules that target topics publish through SNS.
  events.router.ports.set('sns', sns.publishFromEvents);
  // With a data directory: rebuild the state on disk before the first request (src/persist).
  const persistence = resolved.dataDir ? await Persistence.open({ dir: resolved.dataDir, sqs, stores: [createSnsStore(sns), createEventsStore(events)], clock, onError: resolved.onError, fsync: resolved.fsync }) : undefined;
  const displayHost = resolved.host === '0.0.0.0' || resolved.host === '::' ? 'localhost' : resolved.host;
  const server = createSwitchyardServer({ options: resolved, clock, sqs, events, sns, faults, stacks, reset: () => reset() }, `${displayHost}:${resolved.port}`);
  await new Promise<void>((resolve, reject) => {
    const failed = (err: Error): void => {
      if (persistence) persistence.close().then(() => reject(err), () => reject(err));
      else reject(err);
    };
    server.listener.once('error', failed);
    // A deep accept backlog: test suites open thousands of long-poll connections at once, and
    // node's default of 511 makes bursts stall for a second at a time.
    server.listener.listen({ port: resolved.port, host: resolved.host, backlog: 4096 }, () => {
      server.listener.off('error', failed);
      resolve();
    });
  });
  const port = (server.listener.address() as AddressInfo).port;
  const reset = (): void => {
    stacks.reset();
    sqs.reset();
    events.reset();
    sns.reset();
    trace.clear();
    setStartFaults();
    persistence?.reset().catch(resolved.onError);
  };
  const endpoint = `http://${displayHost.includes(':') ? `[${displayHost}]` : displayHost}:${port}`;
  sns.publicUrl = endpoint;
  const assertions = new Assertions(trace, sqs);
  const sy: Switchyard = {
    endpoint,
    port,
    clock,
    sqs,
    events,
    sns,
    faults,
    stacks,
    persistence,
    reset,
    waitForEvent: (pattern, opts) => assertions.waitForEvent(pattern, opts),
    deliveriesTo: (arn) => assertions.deliveriesTo(arn),
    messagesIn: (queue) => assertions.messagesIn(queue),
    publishedTo: (topicArn) => assertions.publishedTo(topicArn),
    repeatedIdempotencyKeys: () => assertions.repeatedIdempotencyKeys(),
    stop: async () => {
      // Stop accepting and let the requests in flight finish (long polls answered empty) first.
      await server.close();
      // Everything to disk and the files closed before the in-memory state is dropped.
      // The pollers of event source mappings stop before the files close (their deletes are journaled).
      stacks.close();
      await persistence?.close();
      sqs.reset();
      sns.reset();
      events.close();
      clock.stop();
    },
  };
  // The config file's resources, once the endpoint is known (SNS confirmation URLs carry it),
  // then the templates' (config file's first). Synchronous, with no await since listen: no
  // request is served before they have run.
  if (configFile || templates.length > 0) {
    try {
      const where = { account: resolved.account, region: resolved.region, baseUrl: endpoint };
      if (configFile) applyConfig(configFile, { sqs, sns, events, stacks }, { ...where, templateParameters: resolved.templateParameters });
      for (const t of templates) applyTemplate(t, { sqs, sns, events, stacks }, { ...where, sharedParameters: resolved.templateParameters });
      // With a data directory: what the file created is on disk before start-up reports success.
      await persistence?.flush();
    } catch (err) {
      await sy.stop();
      throw err;
    }
  }
  return sy;
}
