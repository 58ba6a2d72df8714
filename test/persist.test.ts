/**
 * Persistence (`dataDir`): a restart keeps queues and messages in every state; damaged files are
 * reported and what is intact is recovered. Each test stops one Switchyard and starts another on
 * the same directory, on frozen clocks, so deadlines across the restart are exact.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListQueueTagsCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { PersistenceError, startSwitchyard, type Switchyard } from '../src/index.js';
import { CATALOG_FILE, SQS_JOURNAL_FILE } from '../src/persist/index.js';
import { Journal, encodeRecord, parseJournal } from '../src/persist/journal.js';
import { crc32, crc32Fallback } from '../src/persist/crc.js';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
const running: Switchyard[] = [];
const dirs: string[] = [];

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-persist-'));
  dirs.push(d);
  return d;
}

async function start(dataDir: string, at = T0, warnings?: string[]): Promise<{ sy: Switchyard; sqs: SQSClient }> {
  const sy = await startSwitchyard({ port: 0, dataDir, frozenClockAt: at });
  running.push(sy);
  if (warnings) warnings.push(...sy.persistence!.report.warnings);
  const sqs = new SQSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return { sy, sqs };
}

async function stop(sy: Switchyard): Promise<void> {
  running.splice(running.indexOf(sy), 1);
  await sy.stop();
}

afterEach(async () => {
  for (const sy of running.splice(0)) await sy.stop();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function counts(sqs: SQSClient, QueueUrl: string): Promise<[number, number, number]> {
  const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes!;
  return [Number(a.ApproximateNumberOfMessages), Number(a.ApproximateNumberOfMessagesNotVisible), Number(a.ApproximateNumberOfMessagesDelayed)];
}

async function receive(sqs: SQSClient, QueueUrl: string, max = 10, VisibilityTimeout?: number): Promise<Message[]> {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: max, VisibilityTimeout, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }));
  return out.Messages ?? [];
}

describe('restart', () => {
  it('creates a fresh data directory, and keeps queues with their attributes and tags', async () => {
    const dir = path.join(tmpDir(), 'nested', 'data');
    const first = await start(dir);
    await first.sqs.send(new CreateQueueCommand({ QueueName: 'dlq' }));
    const url = (
      await first.sqs.send(
        new CreateQueueCommand({
          QueueName: 'orders',
          Attributes: { VisibilityTimeout: '60', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:dlq', maxReceiveCount: 3 }) },
          tags: { team: 'shop' },
        }),
      )
    ).QueueUrl!;
    await stop(first.sy);
    expect(fs.existsSync(path.join(dir, CATALOG_FILE))).toBe(true);

    const warnings: string[] = [];
    const second = await start(dir, T0 + 1000, warnings);
    expect(warnings).toEqual([]);
    const a = (await second.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes!;
    expect(a.VisibilityTimeout).toBe('60');
    expect(JSON.parse(a.RedrivePolicy!)).toEqual({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:dlq', maxReceiveCount: 3 });
    expect(a.CreatedTimestamp).toBe(String(Math.floor(T0 / 1000)));
    expect((await second.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags).toEqual({ team: 'shop' });
  });

  it('keeps visible, in-flight (receive count, receipt handle, deadline) and delayed messages', async () => {
    const dir = tmpDir();
    const first = await start(dir);
    const url = (await first.sqs.send(new CreateQueueCommand({ QueueName: 'q' }))).QueueUrl!;
    const attrs = { kind: { DataType: 'String', StringValue: 'a' }, raw: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 255]) } };
    const m1 = await first.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'one', MessageAttributes: attrs }));
    const m2 = await first.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'two' }));
    const m3 = await first.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'three', DelaySeconds: 120 }));
    const m4 = await first.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'four' }));
    const [r1] = await receive(first.sqs, url, 1, 60);
    expect(r1.MessageId).toBe(m1.MessageId);
    // m2 received and then made visible again; m4 received and deleted.
    const [r2, r4] = await receive(first.sqs, url, 2, 30);
    expect(r2.MessageId).toBe(m2.MessageId);
    await first.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: r2.ReceiptHandle!, VisibilityTimeout: 0 }));
    await first.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: r4.ReceiptHandle! }));
    expect(await counts(first.sqs, url)).toEqual([1, 1, 1]);
    await stop(first.sy);

    const second = await start(dir, T0 + 10_000);
    expect(second.sy.persistence!.report.messages).toBe(3);
    expect(await counts(second.sqs, url)).toEqual([1, 1, 1]);
    // The in-flight message comes back at its deadline (60 s after T0), with its receive count.
    second.sy.clock.advance(49_000);
    expect(await counts(second.sqs, url)).toEqual([1, 1, 1]);
    second.sy.clock.advance(1_000);
    expect(await counts(second.sqs, url)).toEqual([2, 0, 1]);
    const got = await receive(second.sqs, url, 10, 300);
    const byId = new Map(got.map((m) => [m.MessageId, m]));
    expect(byId.get(m1.MessageId)!.Attributes!.ApproximateReceiveCount).toBe('2');
    expect(byId.get(m1.MessageId)!.MessageAttributes).toEqual(attrs);
    expect(byId.get(m1.MessageId)!.Attributes!.SentTimestamp).toBe(String(T0));
    expect(byId.get(m2.MessageId)!.Attributes!.ApproximateReceiveCount).toBe('2');
    expect(byId.get(m2.MessageId)!.Body).toBe('two');
    // The delayed one appears 120 s after it was sent.
    second.sy.clock.advance(60_000);
    expect(await counts(second.sqs, url)).toEqual([1, 2, 0]);
    const [late] = await receive(second.sqs, url);
    expect(late.MessageId).toBe(m3.MessageId);
  });

  it('a receipt handle from before the restart still deletes; a later receive gets a new one', async () => {
    const dir = tmpDir();
    const first = await start(dir);
    const url = (await first.sqs.send(new CreateQueueCommand({ QueueName: 'q' }))).QueueUrl!;
    await first.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    const [r] = await receive(first.sqs, url, 1, 300);
    await stop(first.sy);
    const second = await start(dir, T0 + 1000);
    await second.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: r.ReceiptHandle! }));
    expect(await counts(second.sqs, url)).toEqual([0, 0, 0]);
    await stop(second.sy);
    const third = await start(dir, T0 + 2000);
    expect(await counts(third.sqs, url)).toEqual([0, 0, 0]);
  });

  it('FIFO: order, held groups, sequence numbers and the dedup window survive', async () => {
    const dir = tmpDir();
    const first = await start(dir);
    const url = (await first.sqs.send(new CreateQueueCommand({ QueueName: 'jobs.fifo', Attributes: { FifoQueue: 'true' } }))).QueueUrl!;
    const sent = [];
    for (const [body, group] of [['a1', 'A'], ['b1', 'B'], ['a2', 'A'], ['a3', 'A'], ['b2', 'B']])
      sent.push(await first.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: body })));
    const [held] = await receive(first.sqs, url, 1, 100); // a1 in flight: group A held
    expect(held.Body).toBe('a1');
    await stop(first.sy);

    const second = await start(dir, T0 + 30_000);
    // Dedup: the same id within 5 minutes answers with the original message.
    const dup = await second.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a2', MessageGroupId: 'A', MessageDeduplicationId: 'a2' }));
    expect(dup.MessageId).toBe(sent[2].MessageId);
    expect(dup.SequenceNumber).toBe(sent[2].SequenceNumber);
    const fresh = await second.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'b3', MessageGroupId: 'B', MessageDeduplicationId: 'b3' }));
    expect(BigInt(fresh.SequenceNumber!)).toBeGreaterThan(BigInt(sent[4].SequenceNumber!));
    // Group A is held while a1 is in flight: only B's messages, in order.
    expect((await receive(second.sqs, url, 10, 100)).map((m) => m.Body)).toEqual(['b1', 'b2', 'b3']);
    await second.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: held.ReceiptHandle! }));
    expect((await receive(second.sqs, url, 10, 100)).map((m) => m.Body)).toEqual(['a2', 'a3']);
    // After the window, the id is new again.
    second.sy.clock.advance(5 * 60_000);
    const again = await second.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a2', MessageGroupId: 'A', MessageDeduplicationId: 'a2' }));
    expect(again.MessageId).not.toBe(sent[2].MessageId);
  });

  it('a message redriven to the DLQ is in the DLQ after a restart, not in its source', async () => {
    const dir = tmpDir();
    const first = await start(dir);
    const dlq = (await first.sqs.send(new CreateQueueCommand({ QueueName: 'dlq' }))).QueueUrl!;
    const src = (
      await first.sqs.send(
        new CreateQueueCommand({ QueueName: 'src', Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:dlq', maxReceiveCount: 1 }) } }),
      )
    ).QueueUrl!;
    await first.sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: 'poison' }));
    await receive(first.sqs, src, 1, 1);
    first.sy.clock.advance(1000);
    expect(await receive(first.sqs, src)).toEqual([]); // moved to the DLQ instead
    await stop(first.sy);
    const second = await start(dir, T0 + 5000);
    expect(await counts(second.sqs, src)).toEqual([0, 0, 0]);
    const [m] = await receive(second.sqs, dlq);
    expect(m.Body).toBe('poison');
    expect(m.Attributes!.DeadLetterQueueSourceArn).toBe('arn:aws:sqs:us-east-1:000000000000:src');
  });

  it('compaction keeps the live state and shrinks the journal; reset() empties the disk too', async () => {
    const dir = tmpDir();
    const first = await start(dir);
    const url = (await first.sqs.send(new CreateQueueCommand({ QueueName: 'q' }))).QueueUrl!;
    for (let i = 0; i < 50; i++) await first.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }));
    for (const m of await receive(first.sqs, url, 10, 100)) await first.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
    const file = path.join(dir, SQS_JOURNAL_FILE);
    const before = fs.statSync(file).size;
    await first.sy.persistence!.journal.requestCompaction();
    expect(fs.statSync(file).size).toBeLessThan(before);
    await first.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'after' }));
    await stop(first.sy);
    const second = await start(dir, T0 + 1000);
    expect(await counts(second.sqs, url)).toEqual([41, 0, 0]);
    second.sy.reset();
    await second.sy.persistence!.flush();
    await stop(second.sy);
    const third = await start(dir, T0 + 2000);
    expect([...third.sy.sqs.allQueues()]).toEqual([]);
  });
});

describe('damaged files', () => {
  async function journalWithFive(): Promise<{ dir: string; url: string; ids: string[] }> {
    const dir = tmpDir();
    const { sy, sqs } = await start(dir);
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'q' }))).QueueUrl!;
    const ids = [];
    for (let i = 1; i <= 5; i++) ids.push((await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `body-${i}` }))).MessageId!);
    await stop(sy);
    return { dir, url, ids };
  }

  /** Byte offsets at which each record of the journal starts. */
  function recordOffsets(file: string): number[] {
    const buf = fs.readFileSync(file);
    const offsets = [0];
    for (let i = buf.indexOf(10); i >= 0 && i < buf.length - 1; i = buf.indexOf(10, i + 1)) offsets.push(i + 1);
    return offsets;
  }

  it('a journal cut off mid-record: the intact records are recovered and the cut reported', async () => {
    const { dir, url, ids } = await journalWithFive();
    const file = path.join(dir, SQS_JOURNAL_FILE);
    const offsets = recordOffsets(file);
    const last = offsets[offsets.length - 1];
    fs.truncateSync(file, last + 20);
    const warnings: string[] = [];
    const { sy, sqs } = await start(dir, T0 + 1000, warnings);
    expect(warnings.join('\n')).toMatch(new RegExp(`last record \\(byte offset ${last}, 20 bytes.*incomplete`));
    const got = await receive(sqs, url);
    expect(got.map((m) => m.MessageId)).toEqual(ids.slice(0, 4));
    // The journal was rewritten clean: new records do not follow the torn one.
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later' }));
    await stop(sy);
    const again: string[] = [];
    const third = await start(dir, T0 + 2000, again);
    expect(again).toEqual([]);
    expect(await counts(third.sqs, url)).toEqual([1, 4, 0]);
  });

  it('a damaged byte in the middle: that record reported with its offset, everything before and after recovered', async () => {
    const { dir, url, ids } = await journalWithFive();
    const file = path.join(dir, SQS_JOURNAL_FILE);
    const offsets = recordOffsets(file);
    const buf = fs.readFileSync(file);
    // The third message's record: find it by its body, flip one byte of the body.
    const at = buf.indexOf('body-3');
    const record = offsets.filter((o) => o <= at).pop()!;
    buf[at] ^= 0x20;
    fs.writeFileSync(file, buf);
    const warnings: string[] = [];
    const { sy, sqs } = await start(dir, T0 + 1000, warnings);
    expect(warnings.join('\n')).toMatch(new RegExp(`byte offset ${record} .*damaged \\(checksum mismatch\\)`));
    expect(sy.persistence!.report.damagedCopy).toBeDefined();
    expect(fs.readFileSync(sy.persistence!.report.damagedCopy!)).toEqual(buf); // kept as it was
    expect((await receive(sqs, url)).map((m) => m.MessageId)).toEqual([ids[0], ids[1], ids[3], ids[4]]);
  });

  it('a damaged catalog.json stops the start with the file and the position, and is left untouched', async () => {
    const { dir } = await journalWithFive();
    const file = path.join(dir, CATALOG_FILE);
    const text = fs.readFileSync(file, 'utf8');
    const broken = text.slice(0, Math.floor(text.length / 2)); // cut off half-way
    fs.writeFileSync(file, broken);
    const journal = fs.readFileSync(path.join(dir, SQS_JOURNAL_FILE));
    const err = await startSwitchyard({ port: 0, dataDir: dir }).then(
      (sy) => {
        running.push(sy);
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PersistenceError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/line \d+, column \d+/);
    expect((err as Error).message).toContain('did not start');
    expect(fs.readFileSync(file, 'utf8')).toBe(broken);
    expect(fs.readFileSync(path.join(dir, SQS_JOURNAL_FILE))).toEqual(journal);
  });

  it('a catalog entry that is malformed is skipped and reported; its messages are kept in a recreated queue', async () => {
    const { dir, url, ids } = await journalWithFive();
    const file = path.join(dir, CATALOG_FILE);
    const data = JSON.parse(fs.readFileSync(file, 'utf8'));
    data.sqs.queues[0].account = 'nope';
    fs.writeFileSync(file, JSON.stringify(data));
    const warnings: string[] = [];
    const { sqs } = await start(dir, T0 + 1000, warnings);
    expect(warnings.join('\n')).toMatch(/sqs\.queues\[0\] is malformed/);
    expect(warnings.join('\n')).toMatch(/5 messages of arn:aws:sqs:us-east-1:000000000000:q, a queue missing from .*recreated/);
    expect((await receive(sqs, url)).map((m) => m.MessageId)).toEqual(ids);
  });
});

describe('journal format', () => {
  it('records are CRC-checked lines; the fallback CRC agrees with zlib', () => {
    const line = encodeRecord({ t: 'D', q: 'arn', id: 'x\ny' });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1); // newlines inside values are escaped
    for (const s of ['', 'a', 'hello world', 'ü€😀', 'x'.repeat(1000)]) expect(crc32Fallback(s)).toBe(crc32(s) >>> 0);
    const parsed = parseJournal(Buffer.from(line + line.replace('"D"', '"E"') + line.slice(0, 5)));
    expect(parsed.records).toHaveLength(1);
    expect(parsed.problems.map((p) => [p.kind, p.offset])).toEqual([
      ['corrupt', line.length],
      ['torn-tail', 2 * line.length],
    ]);
  });
});

describe('sync modes (--fsync)', () => {
  const journalIn = (dir: string, fsync: 'periodic' | 'always', syncIntervalMs?: number) =>
    new Journal({ file: path.join(dir, 'j.log'), compactBytes: 1 << 30, fsync, syncIntervalMs, snapshot: () => [], onError: (err) => { throw err; } });

  it('periodic: acknowledged once written to the file (no fdatasync waited for); synced in the background', async () => {
    const dir = tmpDir();
    const j = journalIn(dir, 'periodic', 5);
    j.append(encodeRecord({ t: 'D', q: 'a', id: '1' }));
    j.append(encodeRecord({ t: 'D', q: 'a', id: '2' }));
    await j.durable();
    // What a SIGKILL now would leave: the file (the page cache) already holds both records.
    expect(parseJournal(fs.readFileSync(path.join(dir, 'j.log'))).records).toHaveLength(2);
    expect(j.syncs).toBe(0);
    await vi.waitFor(() => expect(j.syncs).toBe(1));
    await j.close();
  });

  it('always: acknowledged only after the group\'s fdatasync returned', async () => {
    const dir = tmpDir();
    const j = journalIn(dir, 'always');
    for (let i = 0; i < 3; i++) {
      j.append(encodeRecord({ t: 'D', q: 'a', id: String(i) }));
      await j.durable();
      expect(j.syncs).toBeGreaterThanOrEqual(i + 1);
    }
    await j.close();
    expect(parseJournal(fs.readFileSync(path.join(dir, 'j.log'))).records).toHaveLength(3);
  });

  it('startSwitchyard({ fsync: "always" }) keeps messages across a restart like the default', async () => {
    const dir = tmpDir();
    const sy = await startSwitchyard({ port: 0, dataDir: dir, fsync: 'always', frozenClockAt: T0 });
    running.push(sy);
    const sqs = new SQSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'synced' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'on the platter' }));
    expect(sy.persistence!.journal.syncs).toBeGreaterThanOrEqual(1);
    await stop(sy);
    const second = await start(dir);
    expect((await receive(second.sqs, QueueUrl!)).map((m) => m.Body)).toEqual(['on the platter']);
  });
});

describe('one process per data directory', () => {
  it('a second Switchyard on a directory in use is refused with the pid; after stop() it starts', async () => {
    const dir = tmpDir();
    const first = await start(dir);
    const err = await startSwitchyard({ port: 0, dataDir: dir }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(PersistenceError);
    expect((err as Error).message).toContain(`the data directory ${dir} is already in use`);
    await stop(first.sy);
    const second = await start(dir);
    expect(second.sy.persistence).toBeDefined();
  });

  it('a lock left by a process that is gone (kill -9) is taken over; one held by a live process is not', async () => {
    const dir = tmpDir();
    // A pid that is certainly not running: a child that has exited.
    const { spawnSync } = await import('node:child_process');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.writeFileSync(path.join(dir, 'lock'), `${gone.stdout}\n`);
    const first = await start(dir);
    expect(fs.readFileSync(path.join(dir, 'lock'), 'utf8')).toBe(`${process.pid}\n`);
    await stop(first.sy);
    expect(fs.existsSync(path.join(dir, 'lock'))).toBe(false);
    // The parent of this test runner is alive and is not us.
    fs.writeFileSync(path.join(dir, 'lock'), `${process.ppid}\n`);
    const err = await startSwitchyard({ port: 0, dataDir: dir }).then(() => undefined, (e: unknown) => e);
    expect((err as Error).message).toBe(`the data directory ${dir} is in use by process ${process.ppid} (${path.join(dir, 'lock')}); stop that Switchyard first, or use another --data-dir`);
  });
});

describe('with a config file', () => {
  it('the file applies over what the data directory restored, and what it created is kept', async () => {
    const dir = tmpDir();
    const config = {
      queues: [{ name: 'from-file', deadLetterQueue: { name: 'from-file-dlq', maxReceiveCount: 3 } }],
      topics: [{ name: 'news', subscriptions: [{ queue: 'from-file', rawMessageDelivery: true }] }],
      rules: [{ name: 'to-file', eventPattern: { source: ['app'] }, targets: [{ queue: 'from-file' }] }],
    };
    const first = await startSwitchyard({ port: 0, dataDir: dir, config, frozenClockAt: T0 });
    running.push(first);
    const sqs = new SQSClient({ endpoint: first.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'made-by-hand' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'kept' }));
    await stop(first);
    // Started again with the same file: nothing is duplicated, the hand-made queue and its message remain.
    const second = await startSwitchyard({ port: 0, dataDir: dir, config, frozenClockAt: T0 });
    running.push(second);
    expect([...second.sqs.allQueues()].map((q) => q.name).sort()).toEqual(['from-file', 'from-file-dlq', 'made-by-hand']);
    const catalog = JSON.parse(fs.readFileSync(path.join(dir, CATALOG_FILE), 'utf8')) as { sns: { topics: unknown[]; subscriptions: unknown[] }; events: { rules: unknown[] } };
    expect(catalog.sns.topics).toHaveLength(1);
    expect(catalog.sns.subscriptions).toHaveLength(1);
    expect(catalog.events.rules).toHaveLength(1);
    const sqs2 = new SQSClient({ endpoint: second.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    expect((await receive(sqs2, `${second.endpoint}/000000000000/made-by-hand`)).map((m) => m.Body)).toEqual(['kept']);
  });
});
