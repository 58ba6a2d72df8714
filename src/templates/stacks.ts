/**
 * The stacks applied to one Switchyard: what each template created (logical id -> physical id,
 * Ref, ARN, URL, attributes), what it skipped, its outputs and exports. The inspection API
 * (`GET /_switchyard/api/stacks`), `sy.stacks` and the command line's start-up lines read it;
 * `Fn::ImportValue` finds other stacks' exports in it; it owns the SQS pollers that event
 * source mappings start. One per Switchyard (nothing here is module-level).
 */
import type { SqsService } from '../sqs/service.js';
import { SqsEventSource, lambdaInvoker, type EventSourceSpec, type Invoke } from './sqs-event-source.js';

export interface StackResource {
  logicalId: string;
  type: string;
  /** created, updated or unchanged by this apply; skipped (a type Switchyard does not emulate); excluded (its Condition is false). */
  status: 'created' | 'updated' | 'unchanged' | 'skipped' | 'excluded';
  physicalId?: string;
  /** What `Ref` gives. */
  ref?: string;
  arn?: string;
  /** A queue's URL. */
  url?: string;
  /** What `Fn::GetAtt` gives, by attribute. */
  attributes?: Record<string, unknown>;
  /** Why it was skipped or excluded. */
  note?: string;
}

export interface StackReport {
  stackName: string;
  stackId: string;
  /** The template as it was named (a file), or `templates[N]` for a body given in code. */
  template: string;
  account: string;
  region: string;
  description?: string;
  /** Parameter values in force (NoEcho ones shown as `****`). */
  parameters: Record<string, string>;
  conditions: Record<string, boolean>;
  /** In the order they were created. */
  resources: StackResource[];
  /** `LogicalId (Type)` for every resource not created, and SAM events of other types. */
  skipped: string[];
  outputs: Record<string, { value: unknown; description?: unknown; exportName?: string }>;
}

export interface StacksOptions {
  sqs: SqsService;
  /** `forward.lambda`: where the functions that SQS event sources invoke run; none: not polled. */
  lambdaEndpoint?: string;
  region: string;
  onError(err: unknown): void;
}

export class Stacks {
  private readonly reports = new Map<string, StackReport>();
  private readonly pollers = new Map<string, SqsEventSource>();
  private invoker: { invoke: Invoke; close(): void } | undefined;

  constructor(private readonly options: StacksOptions) {}

  /** Every stack applied, in the order they were first applied. */
  list(): StackReport[] {
    return [...this.reports.values()];
  }

  /** A stack by name (and account and region, when stacks of one name live in several). */
  get(stackName: string, account?: string, region?: string): StackReport | undefined {
    return this.list().find((s) => s.stackName === stackName && (!account || s.account === account) && (!region || s.region === region));
  }

  /** The resource of a stack by logical id: `sy.stacks.resource('shop', 'OrdersQueue').url`. */
  resource(stackName: string, logicalId: string): StackResource | undefined {
    return this.get(stackName)?.resources.find((r) => r.logicalId === logicalId);
  }

  /** Keeps a stack's report (replacing an earlier apply of the same stack); stops its pollers no longer declared. */
  record(report: StackReport, pollerKeys: ReadonlySet<string>): void {
    const key = `${report.account}/${report.region}/${report.stackName}`;
    this.reports.delete(key);
    this.reports.set(key, report);
    for (const [k, poller] of this.pollers) {
      if (k.startsWith(`${key}/`) && !pollerKeys.has(k)) {
        poller.stop();
        this.pollers.delete(k);
      }
    }
  }

  /** The value another stack exports under `name` in this account and region. */
  exported(name: string, account: string, region: string): { value: unknown; stackName: string } | undefined {
    for (const s of this.reports.values()) {
      if (s.account !== account || s.region !== region) continue;
      for (const o of Object.values(s.outputs)) if (o.exportName === name) return { value: o.value, stackName: s.stackName };
    }
    return undefined;
  }

  /** Whether pollers can run: a Lambda endpoint is configured. */
  get canInvoke(): boolean {
    return this.options.lambdaEndpoint !== undefined;
  }

  /**
   * Starts polling a queue for a function under `key` (`account/region/stack/logicalId`), or
   * keeps the poller already running with the same settings.
   */
  poll(key: string, spec: EventSourceSpec): 'started' | 'unchanged' {
    const running = this.pollers.get(key);
    if (running && sameSpec(running.spec, spec)) return 'unchanged';
    running?.stop();
    this.invoker ??= lambdaInvoker(this.options.lambdaEndpoint!, this.options.region);
    const poller = new SqsEventSource(this.options.sqs, this.invoker.invoke, spec, this.options.onError);
    this.pollers.set(key, poller);
    poller.start();
    return 'started';
  }

  /** A poller's counts, for the inspection API. */
  pollerOf(key: string): { invocations: number; failures: number; lastError?: string } | undefined {
    const p = this.pollers.get(key);
    return p && { invocations: p.invocations, failures: p.failures, lastError: p.lastError };
  }

  /** Everything was reset: the stacks' resources are gone, and so are their records and pollers. */
  reset(): void {
    for (const p of this.pollers.values()) p.stop();
    this.pollers.clear();
    this.reports.clear();
  }

  close(): void {
    this.reset();
    this.invoker?.close();
    this.invoker = undefined;
  }
}

function sameSpec(a: EventSourceSpec, b: EventSourceSpec): boolean {
  return (
    a.queueArn === b.queueArn &&
    a.functionArn === b.functionArn &&
    a.batchSize === b.batchSize &&
    a.reportBatchItemFailures === b.reportBatchItemFailures &&
    a.filters.join('\n') === b.filters.join('\n')
  );
}
