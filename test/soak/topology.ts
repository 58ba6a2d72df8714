/**
 * The resources the soak runs on, and where each message should end up.
 *
 *   SQS          soak-std-0..3                 standard queues, direct sends
 *                soak-faulty                   standard, direct sends, with injected duplicate and reorder faults (soak only)
 *                soak-fifo-0.fifo, -1.fifo     FIFO, direct sends (one producer per message group)
 *                soak-redrive -> soak-redrive-dlq   maxReceiveCount 2; poison messages go to the DLQ, move tasks bring them back
 *   SNS          soak-topic     -> soak-sns-a  raw, filter on the `route` attribute (a, ab)
 *                               -> soak-sns-b  envelope, filter on the body (detail.route b, ab)
 *                soak-topic.fifo -> soak-sns-fifo.fifo      raw, everything
 *                                -> soak-sns-fifo-odd.fifo  raw, filter on the `parity` attribute (odd)
 *   EventBridge  default bus, source `soak`, detail.targets (an array) picks the rules:
 *                soak-to-queue  (q)     -> soak-eb-q        InputPath $.detail
 *                soak-to-topic  (topic) -> soak-topic       the event; only soak-sns-b's body filter can pass it
 *                soak-to-bus    (bus)   -> soak-bus -> soak-bus-to-queue (detail.n >= 0) -> soak-eb-bus-q, InputTransformer
 *                soak-to-fifo   (fifo)  -> soak-eb-fifo.fifo, group `eb` (one producer)
 */
import { CreateQueueCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { CreateEventBusCommand, PutRuleCommand, PutTargetsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';

export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';

export const STD_QUEUES = ['soak-std-0', 'soak-std-1', 'soak-std-2', 'soak-std-3'];
export const FAULTY = 'soak-faulty';
export const FIFO_QUEUES = ['soak-fifo-0.fifo', 'soak-fifo-1.fifo'];
export const SNS_A = 'soak-sns-a';
export const SNS_B = 'soak-sns-b';
export const SNS_FIFO_ALL = 'soak-sns-fifo.fifo';
export const SNS_FIFO_ODD = 'soak-sns-fifo-odd.fifo';
export const EB_Q = 'soak-eb-q';
export const EB_BUS_Q = 'soak-eb-bus-q';
export const EB_FIFO = 'soak-eb-fifo.fifo';
export const REDRIVE = 'soak-redrive';
export const REDRIVE_DLQ = 'soak-redrive-dlq';
export const TOPIC = 'soak-topic';
export const FIFO_TOPIC = 'soak-topic.fifo';
export const BUS = 'soak-bus';
/** The group EventBridge puts soak-eb-fifo.fifo's messages in (SqsParameters). */
export const EB_FIFO_GROUP = 'eb';

/** Standard queues the consumers read (the redrive pair has its own workers). */
export const STD_DESTINATIONS = [...STD_QUEUES, SNS_A, SNS_B, EB_Q, EB_BUS_Q];
export const FIFO_DESTINATIONS = [...FIFO_QUEUES, SNS_FIFO_ALL, SNS_FIFO_ODD, EB_FIFO];
export const ALL_QUEUES = [...STD_DESTINATIONS, FAULTY, ...FIFO_DESTINATIONS, REDRIVE, REDRIVE_DLQ];

/** The name the ledger counts a queue under: the redrive pair is one place (messages move between the two). */
export function destOf(queue: string): string {
  return queue === REDRIVE_DLQ ? REDRIVE : queue;
}

export const queueArn = (name: string): string => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
export const topicArn = (name: string): string => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
export const busArn = (name: string): string => `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${name}`;
export const queueUrl = (endpoint: string, name: string): string => `${endpoint}/${ACCOUNT}/${name}`;

export type Route = 'a' | 'b' | 'ab' | 'none';
export const ROUTES: Route[] = ['a', 'b', 'ab', 'none'];
export type EventTarget = 'q' | 'topic' | 'bus' | 'fifo';

/** Where a publish to soak-topic goes. */
export function topicDestinations(route: Route): string[] {
  const out: string[] = [];
  if (route === 'a' || route === 'ab') out.push(SNS_A);
  if (route === 'b' || route === 'ab') out.push(SNS_B);
  return out;
}

/** Where a publish to soak-topic.fifo goes. */
export function fifoTopicDestinations(seq: number): string[] {
  return seq % 2 === 1 ? [SNS_FIFO_ALL, SNS_FIFO_ODD] : [SNS_FIFO_ALL];
}

export interface SoakEventDetail {
  sk: string;
  targets: EventTarget[];
  route: Route;
  n: number;
  g?: string;
  s?: number;
  metadata: { 'idempotency-key': string };
}

/** Where a soak event ends up (queues). */
export function eventDestinations(d: SoakEventDetail): string[] {
  const out: string[] = [];
  if (d.targets.includes('q')) out.push(EB_Q);
  if (d.targets.includes('topic') && (d.route === 'b' || d.route === 'ab')) out.push(SNS_B);
  if (d.targets.includes('bus') && d.n >= 0) out.push(EB_BUS_Q);
  if (d.targets.includes('fifo')) out.push(EB_FIFO);
  return out;
}

/** The targets an event's trace record on the default bus must list (ARNs). */
export function eventTargetArns(d: SoakEventDetail): string[] {
  const out: string[] = [];
  if (d.targets.includes('q')) out.push(queueArn(EB_Q));
  if (d.targets.includes('topic')) out.push(topicArn(TOPIC));
  if (d.targets.includes('bus')) out.push(busArn(BUS));
  if (d.targets.includes('fifo')) out.push(queueArn(EB_FIFO));
  return out.sort();
}

export interface Clients {
  sqs: SQSClient;
  sns: SNSClient;
  eb: EventBridgeClient;
}

/** Long enough that no receive in the soak times out by itself: every redelivery is one the clients asked for. */
export const VISIBILITY_TIMEOUT = 600;

export async function createTopology(c: Clients, endpoint: string, withFaultyQueue: boolean): Promise<void> {
  const attrs = { VisibilityTimeout: String(VISIBILITY_TIMEOUT) };
  const fifoAttrs = { ...attrs, FifoQueue: 'true' };
  const standard = [...STD_DESTINATIONS, REDRIVE_DLQ, ...(withFaultyQueue ? [FAULTY] : [])];
  for (const name of standard) await c.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attrs }));
  for (const name of FIFO_DESTINATIONS) await c.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: fifoAttrs }));
  await c.sqs.send(
    new CreateQueueCommand({
      QueueName: REDRIVE,
      Attributes: { ...attrs, RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn(REDRIVE_DLQ), maxReceiveCount: 2 }) },
    }),
  );
  await c.sqs.send(
    new SetQueueAttributesCommand({ QueueUrl: queueUrl(endpoint, REDRIVE_DLQ), Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'allowAll' }) } }),
  );

  const { TopicArn } = await c.sns.send(new CreateTopicCommand({ Name: TOPIC }));
  await c.sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: queueArn(SNS_A),
      Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ route: ['a', 'ab'] }) },
    }),
  );
  await c.sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: queueArn(SNS_B),
      Attributes: { FilterPolicyScope: 'MessageBody', FilterPolicy: JSON.stringify({ detail: { route: ['b', 'ab'] } }) },
    }),
  );
  const fifo = await c.sns.send(new CreateTopicCommand({ Name: FIFO_TOPIC, Attributes: { FifoTopic: 'true' } }));
  await c.sns.send(new SubscribeCommand({ TopicArn: fifo.TopicArn, Protocol: 'sqs', Endpoint: queueArn(SNS_FIFO_ALL), Attributes: { RawMessageDelivery: 'true' } }));
  await c.sns.send(
    new SubscribeCommand({
      TopicArn: fifo.TopicArn,
      Protocol: 'sqs',
      Endpoint: queueArn(SNS_FIFO_ODD),
      Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ parity: ['odd'] }) },
    }),
  );

  await c.eb.send(new CreateEventBusCommand({ Name: BUS }));
  const rule = async (name: string, pattern: object, target: Parameters<typeof targetsOf>[0], bus?: string): Promise<void> => {
    await c.eb.send(new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: JSON.stringify(pattern) }));
    await c.eb.send(new PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: targetsOf(target) }));
  };
  await rule('soak-to-queue', { source: ['soak'], detail: { targets: ['q'] } }, { Id: 'q', Arn: queueArn(EB_Q), InputPath: '$.detail' });
  await rule('soak-to-topic', { source: ['soak'], detail: { targets: ['topic'] } }, { Id: 't', Arn: topicArn(TOPIC) });
  await rule('soak-to-bus', { source: ['soak'], detail: { targets: ['bus'] } }, { Id: 'b', Arn: busArn(BUS) });
  await rule('soak-to-fifo', { source: ['soak'], detail: { targets: ['fifo'] } }, { Id: 'f', Arn: queueArn(EB_FIFO), SqsParameters: { MessageGroupId: EB_FIFO_GROUP } });
  await rule(
    'soak-bus-to-queue',
    { source: ['soak'], detail: { n: [{ numeric: ['>=', 0] }] } },
    {
      Id: 'bq',
      Arn: queueArn(EB_BUS_Q),
      InputTransformer: { InputPathsMap: { sk: '$.detail.sk', n: '$.detail.n' }, InputTemplate: '{"sk": <sk>, "n": <n>, "via": "soak-bus"}' },
    },
    BUS,
  );
}

function targetsOf(t: NonNullable<ConstructorParameters<typeof PutTargetsCommand>[0]['Targets']>[number]): NonNullable<ConstructorParameters<typeof PutTargetsCommand>[0]['Targets']> {
  return [t];
}
