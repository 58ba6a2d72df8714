/**
 * Faults on API calls, asked by the gateway before a handler runs: an injected error
 * (throttling, internal, unavailable), AWS's per-second quotas when a `quota` fault turns them
 * on, and added latency. The SDKs' retry logic is exercised by exactly what AWS would send.
 */
import { AwsError } from '../gateway/errors.js';
import { API_ERRORS, THROTTLING_ERROR, type Fault, type FaultService, type Faults } from './faults.js';

/** The answer a fired api-error fault gives, in the service's own terms. */
export function injectedApiError(fault: Fault, service: FaultService): AwsError {
  const code = fault.error ?? THROTTLING_ERROR[service];
  const known = API_ERRORS[code];
  const err = new AwsError({ type: code, status: known.status, queryCode: known.queryCode }, fault.message ?? known.message);
  err.injected = fault.id;
  return err;
}

/**
 * AWS's default per-second quotas that a `quota` fault enforces when it gives no `perSecond`
 * (Service Quotas, us-east-1): FIFO queues 300 calls per second per action per queue without
 * high throughput; PutEvents 10,000 requests per second per account and region; SNS Publish
 * 30,000 per second per account (us-east-1). Others: no default, so a quota needs `perSecond`.
 */
function defaultQuota(service: FaultService, operation: string, resource: string | undefined): number | undefined {
  if (service === 'sqs' && resource?.endsWith('.fifo') && /^(SendMessage|SendMessageBatch|ReceiveMessage|DeleteMessage|DeleteMessageBatch|ChangeMessageVisibility|ChangeMessageVisibilityBatch)$/.test(operation)) return 300;
  if (service === 'events' && operation === 'PutEvents') return 10_000;
  if (service === 'sns' && (operation === 'Publish' || operation === 'PublishBatch')) return 30_000;
  return undefined;
}

/** Calls counted per second of the clock, per quota fault and what it counts. */
export class QuotaCounter {
  private second = -1;
  private counts = new Map<string, number>();

  /** Count one call; true when it is over the quota (and must be throttled). */
  over(fault: Fault, key: string, now: number, limit: number): boolean {
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      this.second = second;
      this.counts.clear();
    }
    const k = `${fault.id}\n${key}`;
    const n = (this.counts.get(k) ?? 0) + 1;
    this.counts.set(k, n);
    return n > limit;
  }
}

export interface ApiFaultDecision {
  error?: AwsError;
  delayMs?: number;
}

/**
 * What faults do to one call. `resource` is the queue URL, topic ARN or bus the call is about,
 * when the input names one (quotas count per resource where AWS does).
 */
export function apiFaults(faults: Faults, quotas: QuotaCounter, now: number, service: FaultService, operation: string, account: string, region: string, resource: string | undefined): ApiFaultDecision | undefined {
  const call = { service, operation };
  const keys = resource ? [resource] : [];
  const fault = faults.pick('api-error', keys, call);
  if (fault) return { error: injectedApiError(fault, service) };
  for (const quota of faults.list()) {
    if (quota.kind !== 'quota' || quota.service !== service || (quota.operation !== undefined && quota.operation !== operation)) continue;
    const limit = quota.perSecond ?? defaultQuota(service, operation, resource);
    if (limit === undefined) continue;
    // SQS counts per queue, the others per account and region.
    const key = service === 'sqs' ? `${operation}\n${resource ?? ''}` : `${operation}\n${account}\n${region}`;
    if (quotas.over(quota, key, now, limit)) {
      faults.fired(quota, `${service}.${operation}`);
      const err = new AwsError({ type: THROTTLING_ERROR[service], status: API_ERRORS[THROTTLING_ERROR[service]].status }, API_ERRORS[THROTTLING_ERROR[service]].message);
      err.injected = quota.id;
      return { error: err };
    }
  }
  const latency = faults.pick('latency', keys, call);
  if (latency) return { delayMs: latency.delayMs };
  return undefined;
}
