/**
 * What persistence needs from a service other than SQS (SNS, EventBridge): its resources as a
 * section of the lowdb catalog, and the state that must be on disk before a request is
 * acknowledged (archived events, FIFO dedup entries, deliveries waiting for a retry) as records
 * in the service's own journal (`<name>-journal.log`, same format and group commit as SQS's).
 *
 * Order at start: SQS queues and messages first (subscriptions and targets point at queues),
 * then each store's `importCatalog`, then its `replay`; then `attach` turns recording on. A store
 * must not record anything while it is being restored (attach comes after).
 */
import type { Journal } from './journal.js';

export interface StoreIo {
  /** Append records (from `encodeRecord`) to the service's journal. */
  journal: Journal;
  /** The resources changed: resolves once the catalog on disk includes the change. */
  catalogChanged(): Promise<void>;
  /**
   * Everything appended so far to every journal (SQS's and each store's) is on disk. A publish
   * or PutEvents that put messages into SQS queues in-process waits for this (after those
   * deliveries ran) before it is acknowledged.
   */
  durableAll(): Promise<void>;
}

export interface ServiceStore {
  /** The catalog section and the journal file's prefix: 'sns', 'events'. */
  readonly name: string;
  /** The resources as plain JSON (the catalog section). Called on every catalog write. */
  exportCatalog(): unknown;
  /**
   * Recreate the resources from a catalog section (undefined when the catalog has none). A
   * malformed entry is reported through `warn` with its path (`sns.topics[3]`) and skipped.
   */
  importCatalog(section: unknown, warn: (message: string) => void): void;
  /** The journal's state as encoded records, for compaction and the start-up snapshot. */
  snapshot(): string[];
  /** Apply the journal's intact records (after importCatalog). Unknown kinds: `warn`, skip. */
  replay(records: unknown[], warn: (message: string) => void): void;
  /** Recording on (with io) or off (undefined: closing, or persistence unavailable). */
  attach(io: StoreIo | undefined): void;
}
