/**
 * An append-only journal of records with grouped, durable writes.
 *
 * One record is one line: eight hex digits of the CRC-32 of the JSON that follows, a space, the
 * JSON, `\n`. JSON.stringify escapes every newline inside strings, so `\n` only ever ends a
 * record: a reader can always find the next record after a damaged one.
 *
 * Group commit: `append()` only queues the line. Every line appended in one turn of the event
 * loop (all the requests node parsed in that poll phase) goes out in the next check phase as one
 * `write` (to the page cache, on the main thread, so groups stay in order in the file) and one
 * `fdatasync` (in the thread pool). The next group does not wait for the previous group's sync
 * (up to 4 run at once): an fdatasync makes durable everything written before it started, so
 * when one returns, its group and every earlier one are on disk. Waiting for the previous sync
 * instead would make closed-loop clients fall into alternating half-groups, each request paying
 * for two syncs. `durable()` is a promise for "everything appended so far is on disk"; a request
 * that must not be acknowledged before then waits for it.
 *
 * fdatasync rather than fsync: it flushes the data and the metadata needed to read it back (the
 * file's new size), and skips only the timestamps. That is the honest meaning of "on disk" for an
 * append, at less cost.
 *
 * Two sync modes (`--fsync`, docs/persistence.md):
 * - `periodic` (the default): a group is acknowledged once its `write` returned. The record is
 *   then in the file (the kernel's page cache), so killing Switchyard, even with SIGKILL, or it
 *   crashing, loses nothing acknowledged; only the machine losing power or the kernel crashing
 *   could, and only what was written in the last `syncIntervalMs` (1 s), which a background
 *   `fdatasync` then flushes. This is what the issue asks ("written to the file before the
 *   response goes out, so kill -9 loses nothing acknowledged") and what Redis's default
 *   `appendfsync everysec` does.
 * - `always`: a group is acknowledged only after its `fdatasync` returned (survives power loss),
 *   at the price of a disk flush in every request's latency (docs/benchmarks.md).
 *
 * Compaction: past `compactBytes`, the owner's `snapshot()` (the current state, as records) is
 * written to a new file, synced, and renamed over the journal (then the directory is synced), so
 * the journal is at every instant either the old file or the new one, never a mix.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from './crc.js';

export function encodeRecord(value: unknown): string {
  const json = JSON.stringify(value);
  return (crc32(json) >>> 0).toString(16).padStart(8, '0') + ' ' + json + '\n';
}

export interface JournalProblem {
  kind: 'torn-tail' | 'corrupt';
  /** Byte offset of the damaged record in the file. */
  offset: number;
  length: number;
  /** 1-based record (line) number. */
  line: number;
  reason: string;
}

export interface JournalContents {
  records: unknown[];
  problems: JournalProblem[];
  bytes: number;
}

/** Read every intact record; report each damaged one with its offset and go on after it. */
export function readJournal(file: string): JournalContents {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], problems: [], bytes: 0 };
    throw err;
  }
  return parseJournal(buf);
}

export function parseJournal(buf: Buffer): JournalContents {
  const records: unknown[] = [];
  const problems: JournalProblem[] = [];
  let pos = 0;
  let line = 0;
  while (pos < buf.length) {
    line++;
    const nl = buf.indexOf(10, pos);
    const end = nl < 0 ? buf.length : nl;
    const problem = (reason: string): JournalProblem => ({
      kind: nl < 0 ? 'torn-tail' : 'corrupt',
      offset: pos,
      length: end - pos + (nl < 0 ? 0 : 1),
      line,
      reason,
    });
    if (end - pos < 10 || buf[pos + 8] !== 0x20) {
      problems.push(problem(nl < 0 ? 'incomplete record' : 'malformed record'));
    } else {
      const head = buf.toString('latin1', pos, pos + 8);
      const body = buf.subarray(pos + 9, end);
      if (!/^[0-9a-f]{8}$/.test(head) || parseInt(head, 16) !== crc32(body) >>> 0) {
        problems.push(problem(nl < 0 ? 'incomplete record' : 'checksum mismatch'));
      } else {
        try {
          records.push(JSON.parse(body.toString('utf8')));
        } catch {
          problems.push(problem('checksum matches but the record is not JSON'));
        }
      }
    }
    pos = nl < 0 ? buf.length : nl + 1;
  }
  return { records, problems, bytes: buf.length };
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A group nobody waits for must not become an unhandled rejection.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

const RESOLVED = Promise.resolve();
/** fdatasyncs in flight at once (node's thread pool has 4 threads by default). */
const MAX_SYNCS = 4;

export interface JournalOptions {
  file: string;
  /** Compact once the file is this large (bytes). */
  compactBytes: number;
  /** The whole current state as encoded records (for compaction). Called synchronously. */
  snapshot(): string[];
  onError(err: unknown): void;
  /** When a group counts as durable: written to the file (`periodic`, default) or synced (`always`). */
  fsync?: FsyncMode;
  /** `periodic`: how long written data may wait for its background fdatasync. Default 1000 ms. */
  syncIntervalMs?: number;
}

export type FsyncMode = 'periodic' | 'always';
export const FSYNC_MODES: readonly FsyncMode[] = ['periodic', 'always'];

interface Group {
  seq: number;
  done: Deferred | undefined;
}

export class Journal {
  private fd: number;
  private size: number;
  private pending: string[] = [];
  private pendingGroup: Deferred | undefined;
  /** Groups written and not yet known durable, oldest first. */
  private unsynced: Group[] = [];
  private seq = 0;
  private syncing = 0;
  private compacting = false;
  private scheduled = false;
  private compactRequested = false;
  private closed = false;
  private compactAt: number;
  private readonly syncEveryGroup: boolean;
  /** `periodic`: the pending background fdatasync, and the one running. */
  private syncTimer: ReturnType<typeof setTimeout> | undefined;
  private backgroundSync: Promise<void> | undefined;
  /** Groups written (statistics for tests and benchmarks). */
  groups = 0;
  records = 0;
  /** fdatasyncs completed (per group with `always`, in the background with `periodic`). */
  syncs = 0;
  compactions = 0;

  constructor(private readonly options: JournalOptions) {
    this.compactAt = options.compactBytes;
    this.syncEveryGroup = options.fsync === 'always';
    this.fd = fs.openSync(options.file, 'a');
    this.size = fs.fstatSync(this.fd).size;
  }

  /** The file was replaced (start-up snapshot): append to the new one. Only while idle. */
  reopen(): void {
    const old = this.fd;
    this.fd = fs.openSync(this.options.file, 'a');
    fs.closeSync(old);
    this.size = fs.fstatSync(this.fd).size;
    this.compactAt = Math.max(this.options.compactBytes, this.size * 2);
  }

  get bytes(): number {
    return this.size;
  }

  append(line: string): void {
    if (this.closed) return;
    this.pending.push(line);
    this.records++;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.kick);
    }
  }

  /** Resolves once everything appended so far is on disk; rejects if writing it failed. */
  durable(): Promise<void> {
    if (this.pending.length > 0 || this.compactRequested || this.compacting) return (this.pendingGroup ??= deferred()).promise;
    const last = this.unsynced[this.unsynced.length - 1];
    if (last) return (last.done ??= deferred()).promise;
    return RESOLVED;
  }

  /** Rewrite the journal as a snapshot of the current state at the next opportunity. */
  requestCompaction(): Promise<void> {
    if (this.closed) return RESOLVED;
    this.compactRequested = true;
    const done = this.durable();
    this.kick();
    return done;
  }

  /** Write what is pending, wait for it, close the file. Later appends are ignored. */
  async close(): Promise<void> {
    while (!this.closed && (this.pending.length > 0 || this.unsynced.length > 0 || this.compactRequested || this.compacting)) {
      this.kick();
      await this.durable().catch(() => {});
    }
    if (this.closed) return;
    this.closed = true;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    await this.backgroundSync;
    try {
      fs.fdatasyncSync(this.fd);
    } catch (err) {
      this.options.onError(err);
    }
    fs.closeSync(this.fd);
  }

  /** `periodic`: flush what was written to the disk within syncIntervalMs. */
  private scheduleBackgroundSync(): void {
    if (this.syncTimer || this.closed) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      if (this.closed || this.compacting) return;
      this.syncing++;
      const seq = this.seq;
      this.backgroundSync = new Promise((resolve) =>
        fs.fdatasync(this.fd, (err) => {
          this.backgroundSync = undefined;
          this.synced(seq, err);
          resolve();
        }),
      );
    }, this.options.syncIntervalMs ?? 1000);
    // A pending flush must not keep a process (a test, a script) alive.
    this.syncTimer.unref();
  }

  private readonly kick = (): void => {
    this.scheduled = false;
    if (this.closed || this.compacting) return;
    if (this.compactRequested || (this.pending.length > 0 && this.size >= this.compactAt)) {
      // The snapshot replaces the file: wait until no sync of the old one is outstanding.
      this.compactRequested = true;
      if (this.syncing === 0) this.compact();
      return;
    }
    if (this.pending.length === 0 || this.syncing >= MAX_SYNCS) return;
    const lines = this.pending;
    this.pending = [];
    const group: Group = { seq: ++this.seq, done: this.pendingGroup };
    this.pendingGroup = undefined;
    const buf = Buffer.from(lines.length === 1 ? lines[0] : lines.join(''), 'utf8');
    // The write itself goes to the page cache (microseconds) on this thread, which keeps the
    // groups in order in the file; only the fdatasync waits for the disk, in the thread pool.
    try {
      let off = 0;
      while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
    } catch (err) {
      // Cut off whatever part of the group reached the file, so the next group does not follow
      // a torn record; the group's requests are answered with an error (not acknowledged).
      try {
        fs.ftruncateSync(this.fd, this.size);
      } catch {
        this.compactRequested = true; // the snapshot rewrites the file
      }
      this.options.onError(err);
      group.done?.reject(err);
      return;
    }
    this.size += buf.length;
    this.groups++;
    if (!this.syncEveryGroup) {
      // In the file: a process crash or SIGKILL can no longer lose it (see the top of the file).
      group.done?.resolve();
      this.scheduleBackgroundSync();
      return;
    }
    this.unsynced.push(group);
    this.syncing++;
    fs.fdatasync(this.fd, (err) => this.synced(group.seq, err));
  };

  /** An fdatasync started after group `seq` was written returned: groups up to `seq` are durable. */
  private synced(seq: number, err: NodeJS.ErrnoException | null): void {
    this.syncing--;
    if (!err) this.syncs++;
    if (err) this.options.onError(err);
    while (this.unsynced.length > 0 && this.unsynced[0].seq <= seq) {
      const g = this.unsynced.shift()!;
      if (err) g.done?.reject(err);
      else g.done?.resolve();
    }
    if (this.pending.length > 0 || this.compactRequested) this.kick();
  }

  /**
   * Everything pending is already part of the state the snapshot describes (records are appended
   * after the change they record), so the pending group is durable once the snapshot is.
   */
  private compact(): void {
    this.compacting = true;
    this.compactRequested = false;
    const carried = this.pending;
    this.pending = [];
    const group = this.pendingGroup;
    this.pendingGroup = undefined;
    const finish = (): void => {
      this.compacting = false;
      // Asked for during the compaction with nothing appended since: the snapshot covered it.
      if (this.pending.length === 0 && this.pendingGroup) {
        this.pendingGroup.resolve();
        this.pendingGroup = undefined;
      }
      if (this.pending.length > 0 || this.compactRequested) this.kick();
    };
    // A failed compaction leaves the old journal as it was: its pending records are put back and
    // appended as usual, and the next attempt waits until the file has grown by half again.
    const failed = (err: unknown): void => {
      this.options.onError(err);
      this.pending = carried.concat(this.pending);
      if (group) {
        const next = (this.pendingGroup ??= deferred());
        next.promise.then(group.resolve, group.reject);
      }
      this.compactAt = Math.max(this.options.compactBytes, this.size * 1.5);
      finish();
    };
    let lines: string[];
    try {
      lines = this.options.snapshot();
    } catch (err) {
      failed(err);
      return;
    }
    const file = this.options.file;
    const tmp = file + '.compact';
    const write = async (): Promise<number> => {
      const fh = await fs.promises.open(tmp, 'w');
      let bytes = 0;
      try {
        // In chunks: a snapshot of a million messages is hundreds of MB as one string.
        for (let i = 0; i < lines.length; ) {
          let chunk = '';
          while (i < lines.length && chunk.length < 1 << 20) chunk += lines[i++];
          const b = Buffer.from(chunk, 'utf8');
          await fh.write(b, 0, b.length);
          bytes += b.length;
        }
        await fh.datasync();
      } finally {
        await fh.close();
      }
      await fs.promises.rename(tmp, file);
      syncDir(path.dirname(file));
      return bytes;
    };
    write().then(
      (bytes) => {
        const old = this.fd;
        this.fd = fs.openSync(file, 'a');
        fs.closeSync(old);
        this.size = bytes;
        // A snapshot that is itself large (many live messages) must not compact again at once.
        this.compactAt = Math.max(this.options.compactBytes, bytes * 2);
        this.compactions++;
        group?.resolve();
        finish();
      },
      (err) => {
        fs.promises.rm(tmp, { force: true }).catch(() => {});
        failed(err);
      },
    );
  }
}

/** Make a rename in `dir` durable. */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* some filesystems refuse fsync on a directory; the rename is still atomic */
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Write `lines` to `file` atomically and durably (start-up compaction, synchronous). */
export function writeFileAtomicSync(file: string, lines: string[]): number {
  const tmp = file + '.compact';
  const fd = fs.openSync(tmp, 'w');
  let bytes = 0;
  try {
    for (let i = 0; i < lines.length; ) {
      let chunk = '';
      while (i < lines.length && chunk.length < 1 << 20) chunk += lines[i++];
      const b = Buffer.from(chunk, 'utf8');
      let off = 0;
      while (off < b.length) off += fs.writeSync(fd, b, off, b.length - off);
      bytes += b.length;
    }
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  syncDir(path.dirname(file));
  return bytes;
}
