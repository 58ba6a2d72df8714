/**
 * What the soak's control-plane churn found growing without end (docs/reliability.md): every
 * deleted queue stayed in the queue-URL cache (about 2 KB each, up to 10,000 of them) and its
 * name in the "deleted recently" map forever; every message move task stayed listed. Each is now
 * bounded by what AWS itself keeps: names for the 60 s cooldown, a source's 10 most recent tasks.
 */
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, ListMessageMoveTasksCommand, SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSwitchyard, type Switchyard } from '../src/index.js';

let sy: Switchyard;
let sqs: SQSClient;

beforeAll(async () => {
  sy = await startSwitchyard({ port: 0, frozenClockAt: Date.UTC(2026, 0, 1) });
  sqs = new SQSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});

afterAll(async () => {
  sqs.destroy();
  await sy.stop();
});

/** The service's private state, read for this test only. */
function internals(): { urlCache: Map<string, unknown>; deletedAt: Map<string, number>; moveTasks: Map<string, unknown> } {
  const sqsService = sy.sqs as unknown as { urlCache: Map<string, unknown>; region(a: string, r: string): { deletedAt: Map<string, number>; moveTasks: Map<string, unknown> } };
  const region = sqsService.region('000000000000', 'us-east-1');
  return { urlCache: sqsService.urlCache, deletedAt: region.deletedAt, moveTasks: region.moveTasks };
}

it('a deleted queue leaves the URL cache, and its name is forgotten once the cooldown has passed', async () => {
  for (let i = 0; i < 200; i++) {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `churn-${i}` }));
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  }
  expect(internals().urlCache.size).toBe(0);
  expect(internals().deletedAt.size).toBe(200); // all within the 60 s cooldown
  sy.clock.advance(61_000);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'churn-last' }));
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  expect([...internals().deletedAt.keys()]).toEqual(['churn-last']);
});

it("a source queue keeps its 10 most recent move tasks, as ListMessageMoveTasks shows", async () => {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'tasks-dlq' }));
  const dlqArn = 'arn:aws:sqs:us-east-1:000000000000:tasks-dlq';
  await sqs.send(new CreateQueueCommand({ QueueName: 'tasks-src', Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) } }));
  for (let i = 0; i < 25; i++) {
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    sy.clock.advance(1000); // an empty DLQ: the task completes
  }
  const { Results } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }));
  expect(Results).toHaveLength(10);
  expect(internals().moveTasks.size).toBe(10);
  expect(dlq.QueueUrl).toBeDefined();
});
