/**
 * The resource catalog: queues (and later topics, buses) in `<dataDir>/catalog.json`, kept with
 * lowdb (the user's choice). lowdb's own JSONFile writes a temporary file and renames it, but
 * never syncs, so a crash right after could leave an empty or old file on some filesystems;
 * `DurableJsonFile` is a lowdb adapter that does the same with fdatasync before the rename and a
 * directory sync after, and refuses a damaged file with its name and position instead of
 * treating it as empty.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Adapter, Low } from 'lowdb';
import { syncDir } from './journal.js';

export class PersistenceError extends Error {
  override name = 'PersistenceError';
}

export interface QueueDef {
  account: string;
  region: string;
  name: string;
  fifo: boolean;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdAt: number;
  lastModifiedAt: number;
}

export interface CatalogData {
  format: 'switchyard-catalog';
  version: 1;
  sqs: { queues: QueueDef[] };
  /** The other services' sections (`sns`, `events`), each validated by its own store. */
  [service: string]: unknown;
}

export function emptyCatalog(): CatalogData {
  return { format: 'switchyard-catalog', version: 1, sqs: { queues: [] } };
}

/** Line and column of a character position, for error messages. */
function lineColumn(text: string, position: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < position && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      col = 1;
    } else col++;
  }
  return `line ${line}, column ${col}`;
}

export class DurableJsonFile<T> implements Adapter<T> {
  constructor(readonly file: string) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await fs.promises.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      const msg = (err as Error).message;
      const pos = /position (\d+)/.exec(msg);
      const where = text.length === 0 ? 'the file is empty' : pos ? `at ${lineColumn(text, Number(pos[1]))} (byte ${Buffer.byteLength(text.slice(0, Number(pos[1])))}): ${msg}` : msg;
      throw new PersistenceError(
        `the catalog ${this.file} is damaged (${text.length} bytes, not valid JSON: ${where}). ` +
          `Switchyard did not start, so that nothing in ${path.dirname(this.file)} is overwritten; ` +
          `repair the file, or move it away to start with the queues' messages only (queues are then recreated with default attributes).`,
      );
    }
  }

  async write(data: T): Promise<void> {
    const tmp = `${this.file}.tmp`;
    const fh = await fs.promises.open(tmp, 'w');
    try {
      await fh.writeFile(JSON.stringify(data, null, 2) + '\n');
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, this.file);
    syncDir(path.dirname(this.file));
  }
}

/** Check what was read, entry by entry: a bad entry is reported and skipped, the rest kept. */
export function validateCatalog(data: unknown, file: string, warn: (msg: string) => void): CatalogData {
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new PersistenceError(`the catalog ${file} is damaged: it holds ${Array.isArray(data) ? 'an array' : typeof data}, not a catalog object. Switchyard did not start, so that nothing is overwritten.`);
  const d = data as Partial<CatalogData>;
  const out = emptyCatalog();
  // Other services' sections are passed on as they are: their stores check them entry by entry.
  for (const [key, value] of Object.entries(d)) if (key !== 'format' && key !== 'version' && key !== 'sqs' && key !== '__proto__') out[key] = value;
  const queues = d.sqs?.queues;
  if (queues !== undefined && !Array.isArray(queues)) {
    warn(`catalog ${file}: sqs.queues is not a list; no queue definitions could be read from it`);
    return out;
  }
  (queues ?? []).forEach((q, i) => {
    const ok =
      q && typeof q === 'object' && typeof q.name === 'string' && /^\d{12}$/.test(String(q.account)) && typeof q.region === 'string' &&
      typeof q.fifo === 'boolean' && q.attributes && typeof q.attributes === 'object';
    if (!ok) {
      warn(`catalog ${file}: sqs.queues[${i}] is malformed (${JSON.stringify(q)?.slice(0, 120)}); skipped`);
      return;
    }
    out.sqs.queues.push({
      account: q.account,
      region: q.region,
      name: q.name,
      fifo: q.fifo,
      attributes: Object.fromEntries(Object.entries(q.attributes).filter(([, v]) => typeof v === 'string')) as Record<string, string>,
      tags: q.tags && typeof q.tags === 'object' ? (q.tags as Record<string, string>) : {},
      createdAt: Number(q.createdAt) || Date.now(),
      lastModifiedAt: Number(q.lastModifiedAt) || Date.now(),
    });
  });
  return out;
}

/**
 * Writes of the catalog, coalesced: changes made while a write is running go out together in the
 * next one, which reads the state when it starts (so it is never older than the change).
 */
export class Catalog {
  /** Made in load(): lowdb is imported only when a data directory is used (idle memory). */
  db!: Low<CatalogData>;
  private writing = false;
  private dirty = false;
  private waiting: { resolve(): void; reject(err: unknown): void }[] = [];

  constructor(
    readonly file: string,
    private readonly build: () => CatalogData,
  ) {}

  async load(warn: (msg: string) => void): Promise<{ data: CatalogData; existed: boolean }> {
    const { Low } = await import('lowdb');
    this.db = new Low<CatalogData>(new DurableJsonFile<CatalogData>(this.file), emptyCatalog());
    await this.db.read();
    const existed = fs.existsSync(this.file);
    this.db.data = existed ? validateCatalog(this.db.data, this.file, warn) : emptyCatalog();
    return { data: this.db.data, existed };
  }

  /** Resolves once the catalog on disk includes every change made before the call. */
  save(): Promise<void> {
    this.dirty = true;
    const done = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    if (!this.writing) void this.loop();
    return done;
  }

  private async loop(): Promise<void> {
    this.writing = true;
    while (this.dirty) {
      this.dirty = false;
      const batch = this.waiting;
      this.waiting = [];
      try {
        this.db.data = this.build();
        await this.db.write();
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.writing = false;
  }
}
