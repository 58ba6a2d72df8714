/**
 * The trace as JSON under /_switchyard/api/: what the debug UI shows, and what a CI script can
 * assert on. Read-only, except moving the clock (which needs a JSON body, so a web page the
 * developer visits cannot post it cross-origin without a preflight that we never answer).
 */
import express from 'express';
import type { Clock } from '../clock.js';
import type { Trace, TraceLog } from './trace.js';

export interface TraceApiParts {
  trace: TraceLog;
  clock: Clock;
}

function summary(t: Trace) {
  if (t.kind === 'publish')
    return {
      id: t.id,
      kind: t.kind,
      at: new Date(t.at).toISOString(),
      topicArn: t.topicArn,
      via: t.via,
      subject: t.message.subject,
      filteredOut: t.filteredOut,
      deliveries: t.deliveries.map((d) => ({ subscriptionArn: d.subscriptionArn, protocol: d.protocol, targetArn: d.targetArn, state: d.state, attempts: d.attempts.length })),
    };
  return {
    kind: t.kind,
    id: t.id,
    at: new Date(t.at).toISOString(),
    busArn: t.busArn,
    via: t.via,
    source: t.event.source,
    detailType: t.event['detail-type'],
    matchedRules: t.matchedRules,
    deliveries: t.deliveries.map((d) => ({ targetId: d.targetId, targetArn: d.targetArn, state: d.state, attempts: d.attempts.length })),
  };
}

export function traceApi(parts: TraceApiParts): express.Router {
  const router = express.Router();

  /**
   * Newest first: events and SNS publishes (`kind`). Filters: kind (event, publish), bus (name or
   * ARN), source, detailType, topic (name or ARN), q (free text), limit (default 100, max 1000).
   */
  router.get('/events', (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const limit = Math.min(Math.max(Number(q.limit ?? 100) || 100, 1), 1000);
    const out = [];
    for (const t of parts.trace.newest()) {
      if (q.kind && t.kind !== q.kind) continue;
      if (t.kind === 'event') {
        if (q.topic) continue;
        if (q.bus && t.busArn !== q.bus && !t.busArn.endsWith(`:event-bus/${q.bus}`)) continue;
        if (q.source && t.event.source !== q.source) continue;
        if (q.detailType && t.event['detail-type'] !== q.detailType) continue;
        if (q.q && !JSON.stringify(t.event).includes(q.q)) continue;
      } else {
        if (q.bus || q.source || q.detailType) continue;
        if (q.topic && t.topicArn !== q.topic && !t.topicArn.endsWith(`:${q.topic}`)) continue;
        if (q.q && !JSON.stringify(t.message).includes(q.q)) continue;
      }
      out.push(summary(t));
      if (out.length >= limit) break;
    }
    res.json({ events: out, total: parts.trace.size });
  });

  router.get('/events/:id', (req, res) => {
    const t = parts.trace.get(req.params.id);
    if (!t) {
      res.status(404).json({ error: 'NotFound', message: `No event ${req.params.id} in the trace.` });
      return;
    }
    res.json({ ...t, at: new Date(t.at).toISOString() });
  });

  router.get('/clock', (_req, res) => {
    res.json({ now: new Date(parts.clock.now()).toISOString(), frozen: parts.clock.frozen });
  });

  /** `{"ms": 60000}` makes a minute pass now: schedules fire, retries run, visibility expires. */
  router.post('/clock/advance', express.json(), (req, res) => {
    const ms = Number((req.body as { ms?: unknown } | undefined)?.ms);
    if (!req.is('application/json') || !Number.isFinite(ms) || ms < 0) {
      res.status(400).json({ error: 'BadRequest', message: 'Send {"ms": <non-negative number>} as application/json.' });
      return;
    }
    parts.clock.advance(ms);
    res.json({ now: new Date(parts.clock.now()).toISOString() });
  });

  return router;
}
