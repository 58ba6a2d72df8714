/**
 * Persistence with a data directory (`startSwitchyard({ dataDir })`, `--data-dir`):
 *
 *   <dataDir>/catalog.json        the resource catalog (lowdb): queues, topics, subscriptions,
 *                                 buses, rules, archives, connections... (one section per service)
 *   <dataDir>/sqs-journal.log     the SQS message journal: a snapshot followed by appended changes
 *   <dataDir>/sns-journal.log     SNS: FIFO dedup entries, HTTP deliveries waiting for a retry
 *   <dataDir>/events-journal.log  EventBridge: archived events, deliveries waiting for a retry
 *   <dataDir>/lock                the pid of the process using the directory
 *
 * On open: the catalog is read (a damaged catalog stops the start with a clear message and is
 * left untouched), queues are rebuilt, the journal is replayed (damaged records are reported with
 * their offsets and skipped; everything intact before and after is kept; a damaged journal is
 * kept aside as `sqs-journal.log.damaged-<time>`), and the journal is rewritten as a clean
 * snapshot of what was recovered.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Clock } from '../clock.js';
import type { SqsService } from '../sqs/service.js';
import { Catalog, PersistenceError, emptyCatalog, type CatalogData, type QueueDef } from './catalog.js';
import { Journal, readJournal, writeFileAtomicSync, type FsyncMode, type JournalProblem } from './journal.js';
import { acquireLock, releaseLock } from './lock.js';
import type { ServiceStore } from './service-store.js';
import { SqsJournalHooks, replay, restoreInto, snapshotRecords } from './sqs-store.js';

export { PersistenceError } from './catalog.js';
export type { ServiceStore, StoreIo } from './service-store.js';

export const CATALOG_FILE = 'catalog.json';
export const SQS_JOURNAL_FILE = 'sqs-journal.log';
/** Compact the journal past this size by default. */
export const DEFAULT_COMPACT_BYTES = 64 * 1024 * 1024;

export interface PersistenceOptions {
  dir: string;
  sqs: SqsService;
  /** The other services' state (SNS, EventBridge), restored after SQS in this order. */
  stores?: ServiceStore[];
  clock: Clock;
  /** Recovery warnings (damaged records, recreated queues). Default: stderr. */
  warn?: (message: string) => void;
  onError?: (err: unknown) => void;
  compactBytes?: number;
  /** When an acknowledged write counts as stored (journal.ts). Default `periodic`. */
  fsync?: FsyncMode;
}

export interface RecoveryReport {
  /** What was damaged and what was done about it, one sentence each. */
  warnings: string[];
  problems: JournalProblem[];
  queues: number;
  messages: number;
  /** Where the damaged journal was kept, if it was (the first one, if several were). */
  damagedCopy?: string;
}

interface Recovered {
  records: unknown[];
  problems: JournalProblem[];
  damagedCopy: string | undefined;
}

/**
 * Read a journal's intact records; report each damaged record, and keep a damaged file aside
 * (a torn last record is only the end of an unacknowledged write: reported, not kept).
 */
function recoverJournal(file: string, warn: (msg: string) => void): Recovered {
  const contents = readJournal(file);
  let damagedCopy: string | undefined;
  if (contents.problems.some((p) => p.kind === 'corrupt')) {
    damagedCopy = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    fs.copyFileSync(file, damagedCopy);
  }
  for (const p of contents.problems) {
    warn(
      p.kind === 'torn-tail'
        ? `${file}: the last record (byte offset ${p.offset}, ${p.length} bytes, record ${p.line}) is incomplete, cut off when the process stopped; dropped (it was never acknowledged). ${contents.records.length} intact records recovered.`
        : `${file}: record ${p.line} at byte offset ${p.offset} (${p.length} bytes) is damaged (${p.reason}); skipped. ${contents.records.length} intact records before and after it recovered.`,
    );
  }
  if (damagedCopy) warn(`the damaged journal was kept as ${damagedCopy}`);
  return { records: contents.records, problems: contents.problems, damagedCopy };
}

export class Persistence {
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly journal: Journal,
    readonly catalog: Catalog,
    private readonly hooks: SqsJournalHooks,
    private readonly sqs: SqsService,
    /** The other services' stores and their journals. */
    private readonly stores: { store: ServiceStore; journal: Journal }[],
    readonly report: RecoveryReport,
  ) {}

  /** Every journal: SQS's first, then each store's. */
  get journals(): Journal[] {
    return [this.journal, ...this.stores.map((s) => s.journal)];
  }

  static async open(options: PersistenceOptions): Promise<Persistence> {
    const dir = path.resolve(options.dir);
    fs.mkdirSync(dir, { recursive: true });
    // One process per directory: two would interleave their journals.
    acquireLock(dir);
    try {
      return await Persistence.openLocked(dir, options);
    } catch (err) {
      releaseLock(dir);
      throw err;
    }
  }

  private static async openLocked(dir: string, options: PersistenceOptions): Promise<Persistence> {
    const warnings: string[] = [];
    const warn = (msg: string): void => {
      warnings.push(msg);
      (options.warn ?? ((m: string) => process.stderr.write(`switchyard: persistence: ${m}\n`)))(msg);
    };
    const { sqs } = options;
    const stores = options.stores ?? [];
    const onError = options.onError ?? ((err: unknown) => process.stderr.write(`switchyard: persistence: writing failed: ${String(err)}\n`));
    const catalogFile = path.join(dir, CATALOG_FILE);
    const journalFile = path.join(dir, SQS_JOURNAL_FILE);
    const catalog = new Catalog(catalogFile, () => {
      const data = buildCatalog(sqs);
      for (const s of stores) data[s.name] = s.exportCatalog();
      return data;
    });
    const { data } = await catalog.load(warn);

    // Every journal is read before anything is set up, so a failure leaves every file as it was.
    const sqsRecovered = recoverJournal(journalFile, warn);
    const { queues: replayed, unknown } = replay(sqsRecovered.records);
    if (unknown > 0) warn(`${journalFile}: ${unknown} records of an unknown kind ignored`);
    const storeFiles = stores.map((s) => path.join(dir, `${s.name}-journal.log`));
    const storeRecovered = storeFiles.map((file) => recoverJournal(file, warn));
    const problems = [sqsRecovered, ...storeRecovered].flatMap((r) => r.problems);
    const damagedCopy = [sqsRecovered, ...storeRecovered].find((r) => r.damagedCopy)?.damagedCopy;

    const journal = new Journal({ file: journalFile, compactBytes: options.compactBytes ?? DEFAULT_COMPACT_BYTES, fsync: options.fsync, snapshot: () => snapshotRecords(sqs.allQueues()), onError });
    const storeJournals = stores.map(
      (store, i) => new Journal({ file: storeFiles[i], compactBytes: options.compactBytes ?? DEFAULT_COMPACT_BYTES, fsync: options.fsync, snapshot: () => store.snapshot(), onError }),
    );
    const hooks = new SqsJournalHooks(journal);
    const persistence = new Persistence(
      dir,
      journal,
      catalog,
      hooks,
      sqs,
      stores.map((store, i) => ({ store, journal: storeJournals[i] })),
      { warnings, problems, queues: 0, messages: 0, damagedCopy },
    );
    const catalogChanged = (): Promise<void> => catalog.save();
    // Set before the queues are restored: a queue takes its journal hooks when it is created.
    sqs.persistence = {
      journal: hooks,
      durable: () => journal.durable(),
      catalogChanged,
    };

    // Queues from the catalog, then their messages; then the other services.
    hooks.enabled = false;
    try {
      for (const def of data.sqs.queues) sqs.restoreQueue(def);
      let catalogIncomplete = false;
      for (const state of replayed.values()) {
        let q = sqs.findByArn(state.arn);
        if (!q) {
          if (state.messages.size === 0) continue; // deleted (purged) with its queue
          const m = /^arn:aws[\w-]*:sqs:([\w-]+):(\d{12}):([\w.-]+)$/.exec(state.arn);
          if (!m) {
            warn(`${journalFile}: ${state.messages.size} messages for ${state.arn}, which is not a queue ARN; dropped`);
            continue;
          }
          const fifo = m[3].endsWith('.fifo');
          q = sqs.restoreQueue({ account: m[2], region: m[1], name: m[3], fifo, attributes: fifo ? { FifoQueue: 'true' } : {} });
          catalogIncomplete = true;
          warn(`${state.messages.size} messages of ${state.arn}, a queue missing from ${catalogFile}, recovered: the queue was recreated with default attributes`);
        }
        persistence.report.messages += restoreInto(q, state);
      }
      persistence.report.queues = [...sqs.allQueues()].length;
      stores.forEach((store, i) => {
        store.importCatalog(data[store.name], warn);
        store.replay(storeRecovered[i].records, warn);
      });
      // Start from clean journals: exactly what was recovered, nothing damaged left in them.
      writeFileAtomicSync(journalFile, snapshotRecords(sqs.allQueues()));
      journal.reopen();
      stores.forEach((store, i) => {
        writeFileAtomicSync(storeFiles[i], store.snapshot());
        storeJournals[i].reopen();
      });
      if (catalogIncomplete || !fs.existsSync(catalogFile) || stores.some((s) => data[s.name] === undefined)) await catalog.save();
    } catch (err) {
      sqs.persistence = undefined;
      await Promise.all([journal, ...storeJournals].map((j) => j.close()));
      throw err;
    } finally {
      hooks.enabled = true;
    }
    const durableAll = (): Promise<void> => Promise.all([journal, ...storeJournals].map((j) => j.durable())).then(() => undefined);
    stores.forEach((store, i) => store.attach({ journal: storeJournals[i], catalogChanged, durableAll }));
    return persistence;
  }

  /** Everything acknowledged is on disk (it already is; this waits for the rest). */
  flush(): Promise<void> {
    return Promise.all(this.journals.map((j) => j.durable())).then(() => this.catalog.save());
  }

  /** After `reset()`: the journals become empty snapshots and the catalog empty. */
  reset(): Promise<void> {
    return Promise.all(this.journals.map((j) => j.requestCompaction())).then(() => this.catalog.save());
  }

  /**
   * Write everything, close the files, and stop recording (the services' own shutdown, which
   * destroys their state, must not reach the disk).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await Promise.all(this.journals.map((j) => j.durable().catch(() => {})));
      await this.catalog.save();
    } finally {
      this.hooks.enabled = false;
      for (const { store } of this.stores) store.attach(undefined);
      await Promise.all(this.journals.map((j) => j.close()));
      this.sqs.persistence = undefined;
      releaseLock(this.dir);
    }
  }
}

export function buildCatalog(sqs: SqsService): CatalogData {
  const data = emptyCatalog();
  for (const q of sqs.allQueues()) {
    const def: QueueDef = {
      account: q.id.account,
      region: q.id.region,
      name: q.name,
      fifo: q.fifo,
      attributes: Object.fromEntries(q.attributes),
      tags: Object.fromEntries(q.tags),
      createdAt: q.createdAt,
      lastModifiedAt: q.lastModifiedAt,
    };
    data.sqs.queues.push(def);
  }
  return data;
}

export function isPersistenceError(err: unknown): err is PersistenceError {
  return err instanceof PersistenceError;
}
