/**
 * kill -9 under load loses no acknowledged event: a Switchyard child process with a data
 * directory takes PutEvents (10 entries a call) from 8 concurrent clients for a rule that targets
 * an SQS queue and an archive of the bus; it is killed with SIGKILL while calls are in flight, and
 * a new process on the same directory must hold, for every entry PutEvents answered, its message
 * in the queue and its event in the archive.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnJsonChild, transpileSources } from './persist-build.js';

let build: string;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  // Its own build: persist-kill.test.ts may be transpiling into the default folder meanwhile.
  build = transpileSources('switchyard-test-build-events');
  fs.writeFileSync(
    path.join(build, 'persist-child.mjs'),
    `import { startSwitchyard } from './src/index.js';
const sy = await startSwitchyard({ port: 0, dataDir: process.argv[2] });
console.log(JSON.stringify({ endpoint: sy.endpoint, warnings: sy.persistence.report.warnings }));
process.on('SIGTERM', () => sy.stop().then(() => process.exit(0)));
`,
  );
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-kill-events-'));
});

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

function spawnServer(): Promise<{ child: ChildProcess; endpoint: string; warnings: string[] }> {
  return spawnJsonChild(path.join(build, 'persist-child.mjs'), dir, children);
}

async function call(endpoint: string, service: 'sqs' | 'events', action: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers:
      service === 'sqs'
        ? { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` }
        : { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSEvents.${action}` },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`${action}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Entries answered before the kill. */
const ACKED_BEFORE_KILL = 3000;

it('every acknowledged PutEvents entry is in the target queue and the archive after SIGKILL and a restart', async () => {
  const first = await spawnServer();
  const { QueueUrl } = (await call(first.endpoint, 'sqs', 'CreateQueue', { QueueName: 'events-load' })) as { QueueUrl: string };
  const { Attributes } = (await call(first.endpoint, 'sqs', 'GetQueueAttributes', { QueueUrl, AttributeNames: ['QueueArn'] })) as { Attributes: { QueueArn: string } };
  const { RuleArn } = (await call(first.endpoint, 'events', 'PutRule', { Name: 'load', EventPattern: JSON.stringify({ source: ['load'] }) })) as { RuleArn: string };
  await call(first.endpoint, 'events', 'PutTargets', { Rule: 'load', Targets: [{ Id: 'q', Arn: Attributes.QueueArn }] });
  const busArn = RuleArn.replace(/:rule\/.*$/, ':event-bus/default');
  await call(first.endpoint, 'events', 'CreateArchive', { ArchiveName: 'load', EventSourceArn: busArn });

  const acked = new Set<string>();
  let unanswered = 0;
  let killed = false;
  const client = async (n: number): Promise<void> => {
    for (let i = 0; !killed; i++) {
      const Entries = Array.from({ length: 10 }, (_, k) => ({ Source: 'load', DetailType: 'tick', Detail: JSON.stringify({ client: n, call: i, entry: k }) }));
      try {
        const out = (await call(first.endpoint, 'events', 'PutEvents', { Entries })) as { FailedEntryCount: number; Entries: { EventId: string }[] };
        expect(out.FailedEntryCount).toBe(0);
        for (const e of out.Entries) acked.add(e.EventId);
      } catch {
        unanswered++; // in flight when the process died: never acknowledged
      }
      if (acked.size >= ACKED_BEFORE_KILL && !killed) {
        killed = true; // the other clients' calls are in flight
        first.child.kill('SIGKILL');
      }
    }
  };
  const exited = new Promise((r) => first.child.once('exit', r));
  await Promise.all(Array.from({ length: 8 }, (_, n) => client(n)));
  await exited;

  const second = await spawnServer();
  const found = new Set<string>();
  const url = QueueUrl.replace(/^http:\/\/[^/]+/, second.endpoint);
  const receiver = async (): Promise<void> => {
    for (;;) {
      const out = (await call(second.endpoint, 'sqs', 'ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 600 })) as { Messages?: { Body: string }[] };
      if (!out.Messages?.length) return;
      for (const m of out.Messages) found.add((JSON.parse(m.Body) as { id: string }).id);
    }
  };
  await Promise.all(Array.from({ length: 8 }, receiver));
  const missing = [...acked].filter((id) => !found.has(id));
  expect(missing).toEqual([]);
  // At most the entries of the calls in flight at the kill came in besides.
  expect(found.size).toBeLessThanOrEqual(acked.size + 8 * 10);
  const archive = (await call(second.endpoint, 'events', 'DescribeArchive', { ArchiveName: 'load' })) as { EventCount: number };
  expect(archive.EventCount).toBeGreaterThanOrEqual(acked.size);
  expect(archive.EventCount).toBeLessThanOrEqual(acked.size + 8 * 10);
  const targets = (await call(second.endpoint, 'events', 'ListTargetsByRule', { Rule: 'load' })) as { Targets: { Arn: string }[] };
  expect(targets.Targets.map((t) => t.Arn)).toEqual([Attributes.QueueArn]);
  console.log(`kill -9 (EventBridge): ${acked.size} entries acknowledged, ${unanswered} calls unanswered at the kill, ${found.size} messages and ${archive.EventCount} archived events recovered; warnings: ${second.warnings.join(' | ') || 'none'}`);
  second.child.kill('SIGTERM');
  await new Promise((r) => second.child.once('exit', r));
}, 30_000);
