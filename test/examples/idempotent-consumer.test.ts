/**
 * The example of docs/testing.md, run by `npm test`: at-least-once delivery means a consumer
 * sees some messages twice; an idempotent consumer (one that remembers the idempotency key the
 * sender set) charges each order once, a naive one charges twice. Switchyard makes the duplicate
 * happen on demand, with a seed, instead of once in a blue moon in production.
 *
 * In your own project, import from 'switchyard' instead of '../../src/index.js'.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { startSwitchyard, type Switchyard } from '../../src/index.js';

// ---- the application under test ---------------------------------------------------------

interface OrderPlaced {
  orderId: string;
  amount: number;
  metadata: { 'idempotency-key': string };
}

/** The order service publishes a fact; the key is set once, by the sender, and never changes. */
async function placeOrder(eb: EventBridgeClient, orderId: string, amount: number): Promise<void> {
  const detail: OrderPlaced = { orderId, amount, metadata: { 'idempotency-key': `order-placed-${orderId}` } };
  await eb.send(new PutEventsCommand({ Entries: [{ Source: 'shop.orders', DetailType: 'OrderPlaced', Detail: JSON.stringify(detail) }] }));
}

type Charge = (order: OrderPlaced) => void;

/** Charges the card for every message: fine until a message comes twice. */
function naivePayments(charges: string[]): Charge {
  return (order) => void charges.push(order.orderId);
}

/**
 * Remembers which keys it has processed. In a real service the key goes into a table with a
 * unique constraint, in the same transaction as the charge.
 */
function idempotentPayments(charges: string[]): Charge {
  const processed = new Set<string>();
  return (order) => {
    const key = order.metadata['idempotency-key'];
    if (processed.has(key)) return;
    processed.add(key);
    charges.push(order.orderId);
  };
}

/** The payments worker: receive, handle, delete, until the queue is empty. */
async function drain(sqs: SQSClient, queueUrl: string, charge: Charge): Promise<void> {
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    if (Messages.length === 0) return;
    for (const m of Messages) {
      const event = JSON.parse(m.Body!) as { detail: OrderPlaced };
      charge(event.detail);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}

// ---- the tests ------------------------------------------------------------------------------

let sy: Switchyard;
let sqs: SQSClient;
let eb: EventBridgeClient;
let queueUrl: string;
let queueArn: string;

beforeAll(async () => {
  // A fixed seed: the same messages are duplicated in every run.
  sy = await startSwitchyard({ port: 0, faults: { seed: 2026 } });
  const client = { endpoint: sy.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  sqs = new SQSClient(client);
  eb = new EventBridgeClient(client);
});
afterAll(() => sy.stop());

beforeEach(async () => {
  sy.reset();
  ({ QueueUrl: queueUrl } = (await sqs.send(new CreateQueueCommand({ QueueName: 'payments' }))) as { QueueUrl: string });
  queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await eb.send(new PutRuleCommand({ Name: 'orders-to-payments', EventPattern: JSON.stringify({ source: ['shop.orders'], 'detail-type': ['OrderPlaced'] }) }));
  await eb.send(new PutTargetsCommand({ Rule: 'orders-to-payments', Targets: [{ Id: 'payments', Arn: queueArn }] }));
  // At-least-once, on purpose: about a third of the messages reach the consumer twice.
  sy.faults.add({ kind: 'duplicate', resource: queueArn, probability: 0.35 });
});

async function run(charge: (charges: string[]) => Charge): Promise<string[]> {
  for (let i = 1; i <= 20; i++) await placeOrder(eb, `o-${i}`, 10 * i);
  const charges: string[] = [];
  await drain(sqs, queueUrl, charge(charges));
  return charges;
}

const everyOrderOnce = Array.from({ length: 20 }, (_, i) => `o-${i + 1}`);

describe('payments under at-least-once delivery', () => {
  it('the idempotent consumer charges each order exactly once', async () => {
    const charges = await run(idempotentPayments);
    expect([...charges].sort()).toEqual([...everyOrderOnce].sort());
    // The duplicates did happen: the fault fired, and the trace says which messages.
    expect(sy.faults.list()[0].fired).toBeGreaterThan(0);
  });

  // The same assertion against the naive consumer fails, as it should: it charged some orders
  // twice. `it.fails` passes only while the test inside it fails.
  it.fails('the naive consumer charges some orders twice (this test is expected to fail)', async () => {
    const charges = await run(naivePayments);
    expect([...charges].sort()).toEqual([...everyOrderOnce].sort());
  });

  it('what the assertions show: the event, its delivery, and which orders came twice', async () => {
    await placeOrder(eb, 'o-1', 10);
    const event = await sy.waitForEvent({ 'detail-type': ['OrderPlaced'], detail: { orderId: ['o-1'] } });
    expect(event.matchedRules).toEqual([expect.stringContaining('rule/orders-to-payments')]);
    expect(sy.deliveriesTo(queueArn).map((d) => d.state)).toEqual(['delivered']);
    expect(sy.messagesIn(queueUrl)!.visible).toHaveLength(1);
    // The sender retried PutEvents after a timeout: two events, one key.
    await placeOrder(eb, 'o-1', 10);
    expect(sy.repeatedIdempotencyKeys().repeatedKeys.map((r) => [r.key, r.ids.length])).toEqual([['order-placed-o-1', 2]]);
  });
});
