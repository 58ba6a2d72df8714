/**
 * Assembles the process: one node:http server whose hot path goes straight to the gateway, and
 * an express app for the human-facing routes under /_switchyard/ (health, the trace API under
 * /_switchyard/api/; the debug UI later).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import express from 'express';
import type { Clock } from './clock.js';
import type { ResolvedOptions } from './config.js';
import { Gateway } from './gateway/gateway.js';
import type { EventsService } from './events/service.js';
import type { SqsService } from './sqs/service.js';
import { traceApi, type TraceApiParts } from './trace/api.js';
import { VERSION } from './version.js';

export interface ServerParts {
  options: ResolvedOptions;
  clock: Clock;
  sqs: SqsService;
  events: EventsService;
}

export function createInspectionApp(services: readonly string[], trace?: TraceApiParts): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/_switchyard/health', (_req, res) => {
    res.json({ status: 'ok', version: VERSION, services });
  });
  if (trace) app.use('/_switchyard/api', traceApi(trace));
  app.use('/_switchyard', (_req, res) => {
    res.status(404).json({ error: 'NotFound', message: 'No such inspection route.' });
  });
  return app;
}

export function createSwitchyardServer(parts: ServerParts, fallbackHost: string): Server {
  const services = [parts.sqs, parts.events];
  const gateway = new Gateway({
    services,
    defaultAccount: parts.options.account,
    defaultRegion: parts.options.region,
    maxBodyBytes: parts.options.maxBodyBytes,
    fallbackHost,
    onError: parts.options.onError,
  });
  const app = createInspectionApp(services.map((s) => s.name), { trace: parts.events.trace, clock: parts.clock });
  const server = createServer({ keepAliveTimeout: 65_000 }, (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    if (url.startsWith('/_switchyard')) {
      app(req, res);
      return;
    }
    gateway.handle(req, res);
  });
  // Long polls hold requests for up to 20 s; never let the server time them out first.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  return server;
}
