/**
 * Persistence with a data directory (`startSwitchyard({ dataDir })`, `--data-dir`):
 *
 *   <dataDir>/catalog.json     the resource catalog (lowdb): queues, attributes, tags
 *   <dataDir>/sqs-journal.log  the SQS message journal: a snapshot followed by appended changes
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
import { Journal, readJournal, writeFileAtomicSync, type JournalProblem } from './journal.js';
import { SqsJournalHooks, replay, restoreInto, snapshotRecords } from './sqs-store.js';

export { PersistenceError } from './catalog.js';

export const CATALOG_FILE = 'catalog.json';
export const SQS_JOURNAL_FILE = 'sqs-journal.log';
/** Compact the journal past this size by default. */
export const DEFAULT_COMPACT_BYTES = 64 * 1024 * 1024;

export interface PersistenceOptions {
  dir: string;
  sqs: SqsService;
  clock: Clock;
  /** Recovery warnings (damaged records, recreated queues). Default: stderr. */
  warn?: (message: string) => void;
  onError?: (err: unknown) => void;
  compactBytes?: number;
}

export interface RecoveryReport {
  /** What was damaged and what was done about it, one sentence each. */
  warnings: string[];
  problems: JournalProblem[];
  queues: number;
  messages: number;
  /** Where the damaged journal was kept, if it was. */
  damagedCopy?: string;
}

export class Persistence {
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly journal: Journal,
    readonly catalog: Catalog,
    private readonly hooks: SqsJournalHooks,
    private readonly sqs: SqsService,
    readonly report: RecoveryReport,
  ) {}

  static async open(options: PersistenceOptions): Promise<Persistence> {
    const dir = path.resolve(options.dir);
    fs.mkdirSync(dir, { recursive: true });
    const warnings: string[] = [];
    const warn = (msg: string): void => {
      warnings.push(msg);
      (options.warn ?? ((m: string) => process.stderr.write(`switchyard: persistence: ${m}\n`)))(msg);
    };
    const { sqs } = options;
    const catalogFile = path.join(dir, CATALOG_FILE);
    const journalFile = path.join(dir, SQS_JOURNAL_FILE);
    const catalog = new Catalog(catalogFile, () => buildCatalog(sqs));
    const { data } = await catalog.load(warn);

    // The journal is read before anything is set up, so a failure leaves every file as it was.
    const contents = readJournal(journalFile);
    const { queues: replayed, unknown } = replay(contents.records);
    let damagedCopy: string | undefined;
    if (contents.problems.some((p) => p.kind === 'corrupt')) {
      damagedCopy = `${journalFile}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      fs.copyFileSync(journalFile, damagedCopy);
    }
    for (const p of contents.problems) {
      warn(
        p.kind === 'torn-tail'
          ? `${journalFile}: the last record (byte offset ${p.offset}, ${p.length} bytes, record ${p.line}) is incomplete, cut off when the process stopped; dropped (it was never acknowledged). ${contents.records.length} intact records recovered.`
          : `${journalFile}: record ${p.line} at byte offset ${p.offset} (${p.length} bytes) is damaged (${p.reason}); skipped. ${contents.records.length} intact records before and after it recovered.`,
      );
    }
    if (damagedCopy) warn(`the damaged journal was kept as ${damagedCopy}`);
    if (unknown > 0) warn(`${journalFile}: ${unknown} records of an unknown kind ignored`);

    const journal = new Journal({
      file: journalFile,
      compactBytes: options.compactBytes ?? DEFAULT_COMPACT_BYTES,
      snapshot: () => snapshotRecords(sqs.allQueues()),
      onError: options.onError ?? ((err) => process.stderr.write(`switchyard: persistence: writing ${journalFile} failed: ${String(err)}\n`)),
    });
    const hooks = new SqsJournalHooks(journal);
    const persistence = new Persistence(dir, journal, catalog, hooks, sqs, { warnings, problems: contents.problems, queues: 0, messages: 0, damagedCopy });
    sqs.persistence = {
      journal: hooks,
      durable: () => journal.durable(),
      catalogChanged: () => catalog.save(),
    };

    // Queues from the catalog, then their messages.
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
      // Start from a clean journal: exactly what was recovered, nothing damaged left in it.
      writeFileAtomicSync(journalFile, snapshotRecords(sqs.allQueues()));
      journal.reopen();
      if (catalogIncomplete || !fs.existsSync(catalogFile)) await catalog.save();
    } catch (err) {
      sqs.persistence = undefined;
      await journal.close();
      throw err;
    } finally {
      hooks.enabled = true;
    }
    return persistence;
  }

  /** Everything acknowledged is on disk (it already is; this waits for the rest). */
  flush(): Promise<void> {
    return this.journal.durable().then(() => this.catalog.save());
  }

  /** After `reset()`: the journal becomes an empty snapshot and the catalog empty. */
  reset(): Promise<void> {
    return this.journal.requestCompaction().then(() => this.catalog.save());
  }

  /**
   * Write everything, close the files, and stop recording (the queues' own shutdown, which
   * destroys them, must not reach the disk).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.journal.durable().catch(() => {});
      await this.catalog.save();
    } finally {
      this.hooks.enabled = false;
      await this.journal.close();
      this.sqs.persistence = undefined;
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
