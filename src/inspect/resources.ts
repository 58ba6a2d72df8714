/**
 * Resources for the debug UI and CI scripts (docs/inspection-api.md): buses and rules, queues
 * and their messages (peeked: nothing about a message changes by looking at it), topics and
 * subscriptions; deleting one message and redriving a DLQ; and LocalStack's
 * `/_aws/sqs/messages`, so tools written for it keep working.
 */
import express from 'express';
import type { EventsService } from '../events/service.js';
import type { SnsService } from '../sns/service.js';
import { MessageState } from '../sqs/message.js';
import type { Queue } from '../sqs/queue.js';
import { parseQueueUrl } from '../sqs/region.js';
import type { SqsService } from '../sqs/service.js';
import { iso, messagesByState, peeked } from './peek.js';

export interface ResourceApiParts {
  sqs: SqsService;
  events: EventsService;
  sns: SnsService;
  now(): number;
}

function pretty(pattern: string | undefined): string | undefined {
  if (pattern === undefined) return undefined;
  try {
    return JSON.stringify(JSON.parse(pattern), null, 2);
  } catch {
    return pattern;
  }
}

export function resourceApi(parts: ResourceApiParts): express.Router {
  const router = express.Router();
  const { sqs, events, sns } = parts;
  const queues = () => [...sqs.allQueues()];
  const sourcesOf = (dlq: Queue) => queues().filter((s) => s.redrivePolicy?.deadLetterTargetArn === dlq.arn);

  router.get('/buses', (_req, res) => {
    const out = [];
    for (const r of events.allRegions())
      for (const bus of r.buses.values())
        out.push({
          account: r.account,
          region: r.region,
          name: bus.name,
          arn: bus.arn,
          policy: bus.statements.length > 0 ? bus.statements : undefined,
          rules: [...bus.rules.values()].map((rule) => ({
            name: rule.name,
            arn: rule.arn,
            state: rule.state,
            description: rule.description,
            eventPattern: pretty(rule.eventPattern),
            scheduleExpression: rule.scheduleExpression,
            targets: [...rule.targets.values()].map(({ spec }) => ({
              id: spec.Id,
              arn: spec.Arn,
              input: spec.Input,
              inputPath: spec.InputPath,
              inputTransformer: spec.InputTransformer,
              deadLetterArn: spec.DeadLetterConfig?.Arn,
              retryPolicy: spec.RetryPolicy,
            })),
          })),
        });
    res.json({ buses: out });
  });

  router.get('/queues', (req, res) => {
    const base = `${req.protocol}://${req.get('host')}`;
    const all = queues();
    const dlqs = new Set(all.map((q) => q.redrivePolicy?.deadLetterTargetArn).filter((a): a is string => a !== undefined));
    res.json({
      queues: all.map((q) => ({
        account: q.id.account,
        region: q.id.region,
        name: q.name,
        url: `${base}/${q.id.account}/${encodeURIComponent(q.name)}`,
        arn: q.arn,
        fifo: q.fifo,
        counts: q.counts,
        attributes: Object.fromEntries(q.attributes),
        deadLetterTargetArn: q.redrivePolicy?.deadLetterTargetArn,
        maxReceiveCount: q.redrivePolicy?.maxReceiveCount,
        isDeadLetterQueue: dlqs.has(q.arn),
        sourceQueueArns: dlqs.has(q.arn) ? all.filter((s) => s.redrivePolicy?.deadLetterTargetArn === q.arn).map((s) => s.arn) : [],
      })),
    });
  });

  router.get('/queues/:arn/messages', (req, res) => {
    const q = sqs.findByArn(req.params.arn);
    if (!q) {
      res.status(404).json({ error: 'NotFound', message: `No queue ${req.params.arn}.` });
      return;
    }
    const limit = Math.min(Math.max(Number(req.query.limit ?? 100) || 100, 1), 1000);
    res.json(messagesByState(q, limit));
  });

  router.delete('/queues/:arn/messages/:id', (req, res) => {
    const q = sqs.findByArn(req.params.arn);
    if (!q || !q.deleteById(req.params.id)) {
      res.status(404).json({ error: 'NotFound', message: `No message ${req.params.id} in ${req.params.arn}.` });
      return;
    }
    res.status(204).end();
  });

  /** Every visible message of a DLQ back to the queue it came from, at once. */
  router.post('/queues/:arn/redrive', express.json(), (req, res) => {
    if (!req.is('application/json')) {
      res.status(400).json({ error: 'BadRequest', message: 'Send {} as application/json.' });
      return;
    }
    const dlq = sqs.findByArn(req.params.arn);
    if (!dlq) {
      res.status(404).json({ error: 'NotFound', message: `No queue ${req.params.arn}.` });
      return;
    }
    const sources = sourcesOf(dlq);
    if (sources.length === 0) {
      res.status(400).json({ error: 'NotADeadLetterQueue', message: `${dlq.arn} is no queue's dead-letter queue.` });
      return;
    }
    let moved = 0;
    for (const m of [...dlq.visibleMessages()]) {
      const target = (m.deadLetterSourceArn && sqs.findByArn(m.deadLetterSourceArn)) || (sources.length === 1 ? sources[0] : undefined);
      if (target && dlq.moveTo(m, target)) moved++;
    }
    res.json({ moved });
  });

  router.get('/topics', (_req, res) => {
    const out = [];
    for (const r of sns.allRegions())
      for (const t of r.topics.values())
        out.push({
          account: r.account,
          region: r.region,
          name: t.name,
          arn: t.arn,
          fifo: t.fifo,
          attributes: Object.fromEntries(t.attributes),
          subscriptions: [...t.subscriptions.values()].map((s) => ({
            arn: s.arn,
            protocol: s.protocol,
            endpoint: s.endpoint,
            pendingConfirmation: s.pendingConfirmation,
            rawMessageDelivery: s.raw,
            filterPolicy: s.filter ? pretty(s.attributes.get('FilterPolicy')) : undefined,
            filterPolicyScope: s.filter ? s.filterPolicyScope : undefined,
            deadLetterArn: s.deadLetterArn,
          })),
        });
    res.json({ topics: out });
  });

  return router;
}

/** LocalStack's `GET /_aws/sqs/messages`: a queue's messages without receiving them. */
export function localStackSqsMessages(parts: ResourceApiParts): express.RequestHandler {
  return (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    let queue: Queue | undefined;
    if (q.QueueUrl) {
      const ref = parseQueueUrl(q.QueueUrl);
      const region = q.Region ?? /sqs\.([a-z0-9-]+)\./.exec(q.QueueUrl)?.[1];
      queue = ref && [...parts.sqs.allQueues()].find((x) => x.id.account === ref.account && x.name === ref.name && (!region || x.id.region === region));
    } else if (q.QueueName) {
      queue = [...parts.sqs.allQueues()].find(
        (x) => x.name === q.QueueName && (!q.AccountId || x.id.account === q.AccountId) && (!q.Region || x.id.region === q.Region),
      );
    }
    if (!queue) {
      res.status(400).type('application/json').json({ ErrorResponse: { Error: { Code: 'AWS.SimpleQueueService.NonExistentQueue', Message: 'The specified queue does not exist.' } } });
      return;
    }
    const showInvisible = q.ShowInvisible === 'true';
    const showDelayed = q.ShowDelayed === 'true';
    const messages = [];
    for (const m of queue.peek()) {
      if (m.state === MessageState.InFlight && !showInvisible) continue;
      if (m.state === MessageState.Delayed && !showDelayed) continue;
      if (m.state === MessageState.Gone) continue;
      const p = peeked(queue, m);
      const attrs = { ...p.attributes, IsVisible: String(m.state === MessageState.Visible), IsDelayed: String(m.state === MessageState.Delayed) };
      messages.push({
        MessageId: p.messageId,
        ReceiptHandle: 'SQS/BACKDOOR/ACCESS',
        MD5OfBody: p.md5OfBody,
        Body: p.body,
        Attribute: Object.entries(attrs).map(([Name, Value]) => ({ Name, Value })),
        MessageAttribute: Object.entries(p.messageAttributes).map(([Name, v]) => ({ Name, Value: v })),
      });
    }
    const requestId = crypto.randomUUID();
    if (String(req.headers.accept ?? '').includes('application/json')) {
      res.json({ ReceiveMessageResponse: { ReceiveMessageResult: { Message: messages }, ResponseMetadata: { RequestId: requestId } } });
      return;
    }
    const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(/\r/g, '&#xD;');
    const xml = messages
      .map(
        (m) =>
          `<Message><MessageId>${m.MessageId}</MessageId><ReceiptHandle>${m.ReceiptHandle}</ReceiptHandle><MD5OfBody>${m.MD5OfBody}</MD5OfBody><Body>${esc(m.Body)}</Body>` +
          m.Attribute.map((a) => `<Attribute><Name>${esc(a.Name)}</Name><Value>${esc(a.Value)}</Value></Attribute>`).join('') +
          '</Message>',
      )
      .join('');
    res
      .type('text/xml')
      .send(
        `<?xml version="1.0"?><ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><ReceiveMessageResult>${xml}</ReceiveMessageResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></ReceiveMessageResponse>`,
      );
  };
}
