/**
 * The assertions of src/inspect/assertions.ts over HTTP, under /_switchyard/api/
 * (docs/inspection-api.md, docs/testing.md):
 *
 *   POST /wait-for-event    {"pattern": {...}, "timeoutMs": 2000, "bus": "orders"}: the first matching
 *                           event (already in the trace, or arriving within timeoutMs); 408 when none
 *   GET  /deliveries?target=<ARN or URL>
 *   GET  /published?topic=<topic ARN>
 *   GET  /messages?queue=<queue URL or ARN>
 */
import express from 'express';
import { InvalidPatternError } from '../patterns/errors.js';
import { Assertions, WaitTimeout } from './assertions.js';

/** A waiting request is answered by this at the latest (an HTTP client's own timeout is usually 30-120 s). */
const MAX_WAIT_MS = 60_000;

export function assertionsApi(assertions: Assertions): express.Router {
  const router = express.Router();

  router.post('/wait-for-event', express.json({ limit: '256kb' }), (req, res, next) => {
    const body = req.body as { pattern?: unknown; timeoutMs?: unknown; bus?: unknown } | undefined;
    const timeout = body?.timeoutMs === undefined ? 5000 : Number(body.timeoutMs);
    if (!req.is('application/json') || body?.pattern === undefined || !Number.isFinite(timeout) || timeout < 0 || timeout > MAX_WAIT_MS || (body.bus !== undefined && typeof body.bus !== 'string')) {
      res.status(400).json({ error: 'BadRequest', message: `Send {"pattern": <object or JSON text>, "timeoutMs": <0 to ${MAX_WAIT_MS}, default 5000>, "bus": <name or ARN, optional>} as application/json.` });
      return;
    }
    const pattern = typeof body.pattern === 'string' ? body.pattern : (body.pattern as object);
    assertions.waitForEvent(pattern, { timeout, bus: body.bus as string | undefined }).then(
      (event) => res.json(event),
      (err: unknown) => {
        if (err instanceof WaitTimeout) res.status(408).json({ error: 'Timeout', message: err.message });
        else if (err instanceof InvalidPatternError) res.status(400).json({ error: 'InvalidEventPattern', message: err.message });
        else next(err);
      },
    );
  });

  router.get('/deliveries', (req, res) => {
    const target = req.query.target;
    if (typeof target !== 'string' || target === '') {
      res.status(400).json({ error: 'BadRequest', message: 'Give the target: /deliveries?target=<ARN, URL, rule ARN or ruleArn#targetId>.' });
      return;
    }
    res.json({ deliveries: assertions.deliveriesTo(target) });
  });

  router.get('/published', (req, res) => {
    const topic = req.query.topic;
    if (typeof topic !== 'string' || topic === '') {
      res.status(400).json({ error: 'BadRequest', message: 'Give the topic: /published?topic=<topic ARN>.' });
      return;
    }
    res.json({ messages: assertions.publishedTo(topic) });
  });

  router.get('/messages', (req, res) => {
    const queue = req.query.queue;
    if (typeof queue !== 'string' || queue === '') {
      res.status(400).json({ error: 'BadRequest', message: 'Give the queue: /messages?queue=<queue URL or ARN>.' });
      return;
    }
    const limit = Math.min(Math.max(Number(req.query.limit ?? 1000) || 1000, 1), 10_000);
    const messages = assertions.messagesIn(queue, limit);
    if (!messages) {
      res.status(404).json({ error: 'NotFound', message: `No queue ${queue}.` });
      return;
    }
    res.json(messages);
  });

  return router;
}
