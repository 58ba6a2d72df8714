/**
 * What EventBridge needs from persistence (`dataDir`, src/persist/events-store.ts) while it runs.
 * The service holds one of these only while a data directory is attached; without one (the
 * default) nothing here is called and nothing is allocated for it.
 */
import type * as eb from '@aws-sdk/client-eventbridge';
import type { DeliveryJournal } from '../delivery/deliverer.js';
import type { EventTrace } from '../trace/trace.js';
import type { Archive, ArchivedEvent } from './archives.js';

/** Everything needed to make a delivery again in another process: it is recorded as it is. */
export interface DeliveryOrigin {
  account: string;
  region: string;
  busArn: string;
  via: EventTrace['via'];
  ruleArn: string;
  ruleName: string;
  /** The target as it was when the event was routed (a later PutTargets does not change it). */
  spec: eb.Target;
  /** The event as routed (with `replay-name` for a replay). */
  event: Record<string, unknown>;
  /** The body the target is sent (after Input / InputPath / InputTransformer). */
  body: string;
  /** Epoch ms the event was accepted: MaximumEventAgeInSeconds counts from here. */
  eventTime: number;
  /** Bus-to-bus hops so far. */
  hops: number;
}

export interface EventsPersistence {
  /** An event was stored in an archive (`stored` is the archive's newest event). */
  archived(archive: Archive, stored: ArchivedEvent): void;
  /** An archive was deleted, or created under a name (so an ARN) that held events before. */
  archiveEmptied(archiveArn: string): void;
  /** The journal of one delivery; asked for as the delivery starts. */
  delivery(origin: DeliveryOrigin): DeliveryJournal;
  /** Resources changed: resolves once the catalog on disk includes the change. */
  catalogChanged(): Promise<void>;
  /** Everything appended to every journal so far is on disk. */
  durableAll(): Promise<void>;
  /** The service dropped all its state (reset): deliveries under way are forgotten too. */
  reset(): void;
}
