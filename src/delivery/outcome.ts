/**
 * What one attempt to hand an event (or message) to a target came to. Every deliverer (an SQS
 * queue in-process, another bus, an HTTP API destination, a forwarder to another local endpoint)
 * answers with one of these; the retry loop reads `retryable` to decide between another attempt
 * (with backoff on the clock) and the dead-letter queue.
 */
import type { DeliveryInjection } from '../trace/trace.js';

export type DeliveryOutcome =
  | {
      ok: true;
      /** Recorded but not delivered anywhere: no endpoint is configured for the target's service. */
      captured?: boolean;
      /** HTTP status, for HTTP targets. */
      status?: number;
      /** A short description for the trace (a message id, a response excerpt). */
      detail?: string;
      /** A fault acted in the target itself (a queue's own duplicate fault): marked on the delivery. */
      injected?: DeliveryInjection;
    }
  | {
      ok: false;
      /** As AWS writes it in the DLQ's ERROR_CODE attribute. */
      code: string;
      /** As AWS writes it in the DLQ's ERROR_MESSAGE attribute. */
      message: string;
      retryable: boolean;
      status?: number;
      /** The target asked for this long before the next attempt (HTTP Retry-After). */
      retryAfterMs?: number;
    };

export const delivered = (detail?: string): DeliveryOutcome => ({ ok: true, detail });

export const failed = (code: string, message: string, retryable: boolean, status?: number): DeliveryOutcome => ({
  ok: false,
  code,
  message,
  retryable,
  status,
});
