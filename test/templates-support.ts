/**
 * Helpers of the template tests: a recording HTTP server (a local Lambda runtime's stand-in,
 * an API destination), whose requests a test awaits as they arrive, never by sleeping.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** For Lambda's Invoke: the function named in the path, and the invocation type. */
  functionName?: string;
  invocationType?: string;
  json(): any;
}

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface Recorder {
  url: string;
  requests: Recorded[];
  /** The first request matching `match`, already here or arriving within `timeoutMs`. */
  next(match: (r: Recorded) => boolean, timeoutMs?: number): Promise<Recorded>;
  close(): Promise<void>;
}

/** A server that records each request and answers with `answer` (default: 200, `{}`). */
export async function recorder(answer: (r: Recorded) => Answer = () => ({})): Promise<Recorder> {
  const requests: Recorded[] = [];
  const waiting = new Set<{ match: (r: Recorded) => boolean; resolve: (r: Recorded) => void }>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const fn = /^\/2015-03-31\/functions\/(.+)\/invocations/.exec(path);
      const r: Recorded = {
        method: req.method ?? 'GET',
        path,
        headers: req.headers,
        body,
        functionName: fn ? decodeURIComponent(fn[1]) : undefined,
        invocationType: req.headers['x-amz-invocation-type'] as string | undefined,
        json: () => JSON.parse(body),
      };
      requests.push(r);
      for (const w of waiting) {
        if (w.match(r)) {
          waiting.delete(w);
          w.resolve(r);
        }
      }
      const a = answer(r);
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json', ...a.headers }).end(a.body ?? '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    next(match, timeoutMs = 5_000) {
      const seen = requests.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { match, resolve: (r: Recorded) => (clearTimeout(timer), resolve(r)) };
        // A guard against a test hanging, not a wait for something to happen.
        const timer = setTimeout(() => {
          waiting.delete(w);
          reject(new Error(`no matching request within ${timeoutMs} ms; got ${requests.map((q) => `${q.method} ${q.path}`).join(', ') || 'none'}`));
        }, timeoutMs);
        waiting.add(w);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
