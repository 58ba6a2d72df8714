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
import { createSwitchyardServer } from './server.js';
import { EventsService } from './events/service.js';
import { SnsService } from './sns/service.js';
import { SqsService } from './sqs/service.js';
import { TraceLog } from './trace/trace.js';

export { Clock } from './clock.js';
export type { SwitchyardOptions } from './config.js';

export interface Switchyard {
  /** `http://host:port`, ready for an SDK's `endpoint` option. */
  readonly endpoint: string;
  readonly port: number;
  /** The clock every deadline runs on: `clock.advance(30_000)` makes 30 s pass now. */
  readonly clock: Clock;
  readonly sqs: SqsService;
  readonly events: EventsService;
  readonly sns: SnsService;
  /** Drop all state (queues, messages). */
  reset(): void;
  /** Stop accepting, end open connections, and stop the clock. */
  stop(): Promise<void>;
}

export async function startSwitchyard(options: SwitchyardOptions = {}): Promise<Switchyard> {
  const resolved = resolveOptions(options);
  const clock =
    resolved.frozenClockAt !== undefined ? new Clock({ frozen: true, start: resolved.frozenClockAt }) : new Clock();
  // One trace for every service: the debug UI shows events and publishes on one timeline.
  const trace = new TraceLog(resolved.traceCapacity, { path: resolved.idempotencyKeyPath, attribute: resolved.idempotencyKeyAttribute });
  const sqs = new SqsService({ clock, trace });
  const events = new EventsService({
    clock,
    trace,
    findQueue: sqs.findByArn,
    forward: resolved.forward,
    rulesPerBus: resolved.rulesPerBus,
    onError: resolved.onError,
  });
  const sns = new SnsService({ clock, trace, findQueue: sqs.findByArn, forwarder: events.forwarder, onError: resolved.onError });
  // EventBridge rules that target topics publish through SNS.
  events.router.ports.set('sns', sns.publishFromEvents);
  const displayHost = resolved.host === '0.0.0.0' || resolved.host === '::' ? 'localhost' : resolved.host;
  const server = createSwitchyardServer({ options: resolved, clock, sqs, events, sns }, `${displayHost}:${resolved.port}`);
  await new Promise<void>((resolve, reject) => {
    server.listener.once('error', reject);
    // A deep accept backlog: test suites open thousands of long-poll connections at once, and
    // node's default of 511 makes bursts stall for a second at a time.
    server.listener.listen({ port: resolved.port, host: resolved.host, backlog: 4096 }, () => {
      server.listener.off('error', reject);
      resolve();
    });
  });
  const port = (server.listener.address() as AddressInfo).port;
  const reset = (): void => {
    sqs.reset();
    events.reset();
    sns.reset();
    trace.clear();
  };
  const endpoint = `http://${displayHost.includes(':') ? `[${displayHost}]` : displayHost}:${port}`;
  sns.publicUrl = endpoint;
  return {
    endpoint,
    port,
    clock,
    sqs,
    events,
    sns,
    reset,
    stop: async () => {
      sqs.reset();
      sns.reset();
      events.close();
      clock.stop();
      await server.close();
    },
  };
}
