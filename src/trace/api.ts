/**
 * The trace as JSON under /_switchyard/api/: what the debug UI shows, and what a CI script can
 * assert on (docs/inspection-api.md). Reads are GET; writes need a JSON body, so a web page on
 * another origin cannot post them without a preflight, which is never answered.
 */
import { idempotencyReport } from '../inspect/assertions.js';
import express from 'express';
import type { Clock } from '../clock.js';
import { InvalidPatternError, explainPattern } from '../patterns/index.js';
import type { Trace, TraceLog } from './trace.js';

export interface TraceApiParts {
  trace: TraceLog;
  clock: Clock;
  /** A rule's event pattern by ARN (for "why didn't it match?"); undefined: no such rule; null: a scheduled rule. */
  rulePattern?(ruleArn: string): string | null | undefined;
  /** Empties all state, as `Switchyard.reset()` does (`POST /reset`); without it the route is absent. */
  reset?(): void;
}

/** One fault that touched a record, as a summary lists it (src/faults). */
export interface InjectedSummary {
  faultId: string;
  kind: string;
  /** duplicate: deliveries in all. */
  copies?: number;
  /** latency: milliseconds added. */
  delayMs?: number;
  /** How many marks of this fault the record carries (failed attempts, deliveries). */
  times: number;
}

/**
 * The faults that touched a record: the send's own mark, each delivery's (duplicate, latency;
 * `injected` and `alsoInjected`) and each attempt's (failure); one entry per fault and kind.
 * Undefined when none did. Marks are read defensively: a delivery or attempt without one (or
 * from an older build) adds nothing.
 */
export function injectedOf(t: Trace): InjectedSummary[] | undefined {
  let out: Map<string, InjectedSummary> | undefined;
  const add = (mark: unknown): void => {
    if (typeof mark !== 'object' || mark === null) return;
    const { faultId, kind, copies, delayMs } = mark as Record<string, unknown>;
    if (typeof faultId !== 'string' || typeof kind !== 'string') return;
    const key = `${faultId}\n${kind}`;
    out ??= new Map();
    let s = out.get(key);
    if (!s) {
      s = { faultId, kind, times: 0 };
      if (typeof copies === 'number') s.copies = copies;
      if (typeof delayMs === 'number') s.delayMs = delayMs;
      out.set(key, s);
    }
    s.times++;
  };
  if (t.kind === 'send') add(t.injected);
  else
    for (const d of t.deliveries) {
      const marks = d as { injected?: unknown; alsoInjected?: unknown };
      add(marks.injected);
      if (Array.isArray(marks.alsoInjected)) for (const m of marks.alsoInjected) add(m);
      for (const a of d.attempts) add((a as { injected?: unknown }).injected);
    }
  return out && [...out.values()];
}

/** The list view of a record. */
export function summary(t: Trace, log: TraceLog) {
  const key = log.keyOf(t);
  const injected = injectedOf(t);
  const common = {
    id: t.id,
    kind: t.kind,
    at: new Date(t.at).toISOString(),
    via: t.via,
    idempotencyKey: key,
    repeatedKey: key !== undefined && log.sameKey(t).length > 1,
    // Only when a fault touched the record: summaries stay as they were otherwise.
    ...(injected ? { injected } : {}),
  };
  switch (t.kind) {
    case 'publish':
      return {
        ...common,
        topicArn: t.topicArn,
        subject: t.message.subject,
        filteredOut: t.filteredOut,
        deliveries: t.deliveries.map((d) => ({ subscriptionArn: d.subscriptionArn, protocol: d.protocol, targetArn: d.targetArn, state: d.state, attempts: d.attempts.length })),
      };
    case 'send':
      return { ...common, queueArn: t.queueArn, duplicate: t.duplicate ?? false, deliveries: [] };
    default:
      return {
        ...common,
        busArn: t.busArn,
        source: t.event.source,
        detailType: t.event['detail-type'],
        matchedRules: t.matchedRules,
        deliveries: t.deliveries.map((d) => ({ targetId: d.targetId, targetArn: d.targetArn, state: d.state, attempts: d.attempts.length })),
      };
  }
}

/** Does `arn` name the resource given by name or ARN in a filter? */
function names(arn: string, filter: string, separator: string): boolean {
  return arn === filter || arn.endsWith(`${separator}${filter}`);
}

function passes(t: Trace, q: Record<string, string | undefined>): boolean {
  if (q.kind && t.kind !== q.kind) return false;
  if (t.kind === 'event') {
    if (q.topic || q.queue) return false;
    if (q.bus && !names(t.busArn, q.bus, ':event-bus/')) return false;
    if (q.source && t.event.source !== q.source) return false;
    if (q.detailType && t.event['detail-type'] !== q.detailType) return false;
    if (q.q && !JSON.stringify(t.event).includes(q.q)) return false;
    return true;
  }
  if (q.bus || q.source || q.detailType) return false;
  if (t.kind === 'publish') {
    if (q.queue) return false;
    if (q.topic && !names(t.topicArn, q.topic, ':')) return false;
  } else {
    if (q.topic) return false;
    if (q.queue && !names(t.queueArn, q.queue, ':')) return false;
  }
  if (q.q && !JSON.stringify(t.message).includes(q.q)) return false;
  return true;
}

function parseJsonish(v: unknown): unknown {
  return typeof v === 'string' ? JSON.parse(v) : v;
}

export function traceApi(parts: TraceApiParts): express.Router {
  const router = express.Router();
  const log = parts.trace;

  router.get('/events', (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const limit = Math.min(Math.max(Number(q.limit ?? 100) || 100, 1), 1000);
    const offset = Math.max(Number(q.offset ?? 0) || 0, 0);
    const out = [];
    let matched = 0;
    for (const t of log.newest()) {
      if (!passes(t, q)) continue;
      if (matched >= offset && out.length < limit) out.push(summary(t, log));
      matched++;
    }
    res.json({ events: out, total: log.size, matched });
  });

  router.get('/events/:id', (req, res) => {
    const t = log.get(req.params.id);
    if (!t) {
      res.status(404).json({ error: 'NotFound', message: `No record ${req.params.id} in the trace.` });
      return;
    }
    const key = log.keyOf(t);
    const deliveries =
      t.kind === 'send' ? undefined : t.deliveries.map((d) => ({ ...d, attempts: d.attempts.map((a) => ({ ...a, at: new Date(a.at).toISOString() })) }));
    res.json({ ...t, at: new Date(t.at).toISOString(), deliveries, idempotencyKey: key, sameKey: log.sameKey(t).filter((o) => o !== t).map((o) => o.id) });
  });

  router.get('/events/:id/explain', (req, res) => {
    const t = log.get(req.params.id);
    if (!t || t.kind !== 'event') {
      res.status(404).json({ error: 'NotFound', message: `No event ${req.params.id} in the trace.` });
      return;
    }
    const rule = String(req.query.rule ?? '');
    const pattern = parts.rulePattern?.(rule);
    if (pattern === undefined) {
      res.status(404).json({ error: 'NotFound', message: `No rule ${rule}.` });
      return;
    }
    if (pattern === null) {
      res.status(400).json({ error: 'NoPattern', message: `Rule ${rule} runs on a schedule; it has no event pattern.` });
      return;
    }
    res.json({ rule, pattern, explanation: explainPattern(pattern, t.event) });
  });

  router.post('/explain', express.json({ limit: '2mb' }), (req, res) => {
    const body = req.body as { event?: unknown; pattern?: unknown } | undefined;
    if (!req.is('application/json') || body?.event === undefined || body.pattern === undefined) {
      res.status(400).json({ error: 'BadRequest', message: 'Send {"event": ..., "pattern": ...} as application/json.' });
      return;
    }
    let event: unknown;
    try {
      event = parseJsonish(body.event);
    } catch {
      res.status(400).json({ error: 'InvalidEvent', message: 'The event is not valid JSON.' });
      return;
    }
    const pattern = typeof body.pattern === 'string' ? body.pattern : JSON.stringify(body.pattern);
    try {
      res.json({ explanation: explainPattern(pattern, event) });
    } catch (err) {
      if (err instanceof InvalidPatternError) {
        res.status(400).json({ error: 'InvalidEventPattern', message: err.message });
        return;
      }
      throw err;
    }
  });

  /** Server-sent events: a summary of every new record as it is added. */
  router.get('/stream', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(': switchyard trace stream\n\n');
    const unsubscribe = log.subscribe((t) => {
      // A record is added before it is routed (rules matched, deliveries started) in the same
      // turn: send it once that turn is over, so the summary says where it went.
      queueMicrotask(() => {
        if (!res.writableEnded) res.write(`event: trace\ndata: ${JSON.stringify(summary(t, log))}\n\n`);
      });
    });
    // A comment now and then keeps proxies and idle timeouts from closing the stream.
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    keepAlive.unref();
    req.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
  });

  router.get('/idempotency', (_req, res) => {
    res.json(idempotencyReport(log));
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

  /** `{}` empties all state: queues and their messages, buses, rules, topics, the trace. */
  const reset = parts.reset;
  if (reset)
    router.post('/reset', express.json(), (req, res) => {
      const body = req.body as unknown;
      if (!req.is('application/json') || typeof body !== 'object' || body === null || Array.isArray(body)) {
        res.status(400).json({ error: 'BadRequest', message: 'Send {} as application/json.' });
        return;
      }
      reset();
      res.json({ reset: true });
    });

  return router;
}
