// The benchmark scenarios. Each takes a running server handle plus context and
// returns a plain result object (JSON-serialisable) or throws.
import net from 'node:net';
import autocannon from 'autocannon';
import { SqsWire, FastWire, RawConn, encode, md5, messageBody, pool, AUTH_HEADERS, decodeXml } from './wire.mjs';
import { cpuSeconds, cpuWindow, memory, sampleCpu, sleep, openFileLimit, openFds } from './proc.mjs';

export const BODY_BYTES = 200;

const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : null);
const round = (x, d = 2) => (x == null || Number.isNaN(x) ? null : Math.round(x * 10 ** d) / 10 ** d);
const uniq = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

/** Which of json/query the server speaks, found by creating a queue with each. */
export async function probeProtocols(handle, timeoutMs = 15_000) {
  const wire = new SqsWire(handle.endpoint, { maxSockets: 2, timeoutMs: 10_000 });
  const spoken = [];
  const errors = {};
  let closesConnections = false;
  try {
    for (const protocol of ['json', 'query']) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          const res = await wire.raw(encode(protocol, 'CreateQueue', { QueueName: `probe-${protocol}` }));
          if (res.status >= 300) {
            const err = new Error(`CreateQueue (${protocol}) -> HTTP ${res.status}: ${res.body.slice(0, 200).replace(/\s+/g, ' ')}`);
            err.status = res.status;
            throw err;
          }
          if (String(res.headers.connection).toLowerCase() === 'close') closesConnections = true;
          const r = protocol === 'json' ? JSON.parse(res.body || '{}') : decodeXml('CreateQueue', res.body);
          if (r.QueueUrl) spoken.push(protocol);
          else errors[protocol] = 'CreateQueue answered without a QueueUrl';
          break;
        } catch (e) {
          // HTTP errors are answers; connection errors mean "not ready yet"
          if (e.status || Date.now() > deadline) {
            errors[protocol] = e.message;
            break;
          }
          await sleep(200);
        }
      }
    }
  } finally {
    wire.close();
  }
  return { spoken, errors, closesConnections };
}

async function createQueue(wire, protocol, name, attrs) {
  const r = await wire.call(protocol, 'CreateQueue', { QueueName: name, ...(attrs ? { Attributes: attrs } : {}) });
  if (!r.QueueUrl) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  return r.QueueUrl;
}

async function deleteQueue(wire, protocol, QueueUrl) {
  try {
    await wire.call(protocol, 'DeleteQueue', { QueueUrl });
  } catch {
    /* best effort */
  }
}

async function approxCount(wire, protocol, QueueUrl) {
  try {
    const r = await wire.call(protocol, 'GetQueueAttributes', { QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] });
    return { visible: Number(r.Attributes?.ApproximateNumberOfMessages ?? NaN), inFlight: Number(r.Attributes?.ApproximateNumberOfMessagesNotVisible ?? NaN) };
  } catch (e) {
    return { error: e.message };
  }
}

function batchEntries(seed, n = 10, bytes = BODY_BYTES) {
  return Array.from({ length: n }, (_, i) => ({ Id: `m${i}`, MessageBody: messageBody(bytes, seed * n + i) }));
}

// ------------------------------------------------------- autocannon scenarios

/**
 * Closed-loop load generator over RawConns: `connections` workers, each sending
 * the same request back to back until the deadline. Used instead of autocannon
 * for servers that close the connection after every answer (moto/werkzeug),
 * where autocannon stalls, and for everything with BENCH_LOADGEN=raw.
 */
async function rawLoop(handle, request, connections, seconds) {
  const u = new URL(handle.endpoint);
  let head = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${u.host}\r\ncontent-length: ${Buffer.byteLength(request.body)}\r\n`;
  for (const [k, v] of Object.entries(request.headers)) head += `${k}: ${v}\r\n`;
  const bytes = Buffer.from(`${head}\r\n${request.body}`);
  const lat = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  async function worker() {
    const c = new RawConn(u.hostname, Number(u.port));
    try {
      for (let i = 0; i < 10_000_000 && performance.now() < deadline && errors < 100; i++) {
        const a = performance.now();
        try {
          const r = await c.request(bytes, Math.max(2000, deadline - a + 5000));
          if (r.status >= 200 && r.status < 300) ok++;
          else non2xx++;
          lat.push(performance.now() - a);
        } catch {
          errors++;
        }
      }
    } finally {
      c.close();
    }
  }
  await Promise.all(Array.from({ length: connections }, worker));
  const wall = (performance.now() - t0) / 1000;
  lat.sort((x, y) => x - y);
  return { reqPerSec: round((ok + non2xx) / wall, 0), reqTotal: ok + non2xx, latencyMs: { p50: round(pct(lat, 50)), p90: round(pct(lat, 90)), p99: round(pct(lat, 99)), mean: round(lat.reduce((s, x) => s + x, 0) / (lat.length || 1)) }, non2xx, errors, timeouts: 0 };
}

/** Run the load generator once (warmup, then measured), sampling client and server CPU. */
async function cannon(handle, request, cfg, t) {
  if (t?.loadgen === 'raw') {
    if (cfg.warmup > 0) await rawLoop(handle, request, cfg.connections, cfg.warmup);
    const w = cpuWindow(handle.pid);
    const r = await rawLoop(handle, request, cfg.connections, cfg.duration);
    const cpu = w.end();
    return { loadgen: 'raw-loop', ...r, serverCores: cpu.serverCores, clientCores: cpu.clientCores, otherCores: cpu.otherCores, durationSec: round(cpu.wall) };
  }
  const opts = {
    url: `${handle.endpoint}${request.path}`,
    method: request.method,
    headers: request.headers,
    body: request.body,
    connections: cfg.connections,
    pipelining: 1,
    timeout: 10,
  };
  if (cfg.warmup > 0) await autocannon({ ...opts, duration: cfg.warmup });
  const w = cpuWindow(handle.pid);
  const r = await autocannon({ ...opts, duration: cfg.duration });
  const cpu = w.end();
  return {
    loadgen: 'autocannon',
    reqPerSec: round(r.requests.average, 0),
    reqTotal: r.requests.total,
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, mean: round(r.latency.average) },
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    serverCores: cpu.serverCores,
    clientCores: cpu.clientCores,
    otherCores: cpu.otherCores,
    durationSec: round(cpu.wall),
  };
}

/**
 * Unmeasured warmup for JIT-compiled servers (ElasticMQ on the JVM needs tens
 * of seconds of load before it reaches steady state): cycles SendMessage
 * (each protocol spoken), SendMessageBatch and ReceiveMessage through autocannon.
 */
export async function warmTarget(handle, t, seconds, connections) {
  const wire = new SqsWire(handle.endpoint, { maxSockets: 2 });
  try {
    const requests = [];
    for (const protocol of t.spoken) {
      const QueueUrl = await createQueue(wire, protocol, `bench-warm-${protocol}-${uniq()}`);
      requests.push(encode(protocol, 'SendMessage', { QueueUrl, MessageBody: messageBody(BODY_BYTES, 7) }));
      requests.push(encode(protocol, 'SendMessageBatch', { QueueUrl, Entries: batchEntries(7) }));
      requests.push(encode(protocol, 'ReceiveMessage', { QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 0 }));
    }
    const r = await autocannon({ url: `${handle.endpoint}/`, connections, duration: seconds, requests, timeout: 10 });
    return { seconds, reqPerSec: round(r.requests.average, 0), non2xx: r.non2xx };
  } finally {
    wire.close();
  }
}

function pickProtocol(spoken, prefer) {
  for (const p of prefer) if (spoken.includes(p)) return p;
  return null;
}

/** (a) SendMessage, JSON protocol. (b) SendMessage, query protocol. */
export function sendScenario(protocol) {
  return {
    id: protocol === 'json' ? 'send-json' : 'send-query',
    title: `SendMessage (${protocol}, ${BODY_BYTES} B body)`,
    kind: 'throughput',
    supports: (t) => t.spoken.includes(protocol),
    async run(handle, t, cfg) {
      const wire = new SqsWire(handle.endpoint, { maxSockets: 4 });
      try {
        const QueueUrl = await createQueue(wire, protocol, `bench-send-${protocol}-${uniq()}`);
        const MessageBody = messageBody(BODY_BYTES, 1);
        const req = encode(protocol, 'SendMessage', { QueueUrl, MessageBody });
        // one checked request first: the answer must carry the right MD5
        const check = await wire.call(protocol, 'SendMessage', { QueueUrl, MessageBody });
        if (check.MD5OfMessageBody !== md5(MessageBody)) throw new Error(`SendMessage MD5 mismatch: got ${check.MD5OfMessageBody}`);
        const res = await cannon(handle, req, cfg, t);
        if (!t.isNull) await deleteQueue(wire, protocol, QueueUrl);
        return { protocol, ...res };
      } finally {
        wire.close();
      }
    },
  };
}

/** (c) SendMessageBatch of 10, JSON protocol (query where the server speaks only that). */
export const batchScenario = {
  id: 'send-batch',
  title: `SendMessageBatch x10 (${BODY_BYTES} B bodies)`,
  kind: 'throughput',
  supports: (t) => pickProtocol(t.spoken, ['json', 'query']) != null,
  async run(handle, t, cfg) {
    const protocol = pickProtocol(t.spoken, ['json', 'query']);
    const wire = new SqsWire(handle.endpoint, { maxSockets: 4 });
    try {
      const QueueUrl = await createQueue(wire, protocol, `bench-batch-${uniq()}`);
      const Entries = batchEntries(1);
      const check = await wire.call(protocol, 'SendMessageBatch', { QueueUrl, Entries });
      if ((check.Successful ?? []).length !== 10) throw new Error(`SendMessageBatch: ${JSON.stringify(check).slice(0, 300)}`);
      const res = await cannon(handle, encode(protocol, 'SendMessageBatch', { QueueUrl, Entries }), cfg, t);
      if (!t.isNull) await deleteQueue(wire, protocol, QueueUrl);
      return { protocol, ...res, messagesPerSec: res.reqPerSec * 10 };
    } finally {
      wire.close();
    }
  },
};

// ------------------------------------------------------ receive/delete loop

/** Fill a queue with `total` messages by SendMessageBatch over `concurrency` sockets. */
async function prefill(wire, protocol, QueueUrl, total, concurrency, timeoutSec) {
  const batches = Math.ceil(total / 10);
  const t0 = performance.now();
  const r = await pool(
    batches,
    concurrency,
    async (i) => {
      const res = await wire.call(protocol, 'SendMessageBatch', { QueueUrl, Entries: batchEntries(i) });
      if ((res.Failed ?? []).length) throw new Error(`SendMessageBatch failed entries: ${JSON.stringify(res.Failed[0])}`);
    },
    Date.now() + timeoutSec * 1000,
  );
  const sec = (performance.now() - t0) / 1000;
  return { sent: r.done * 10, seconds: round(sec), messagesPerSec: round((r.done * 10) / sec, 0), timedOut: r.timedOut, errors: r.errors.slice(0, 3).map((e) => e.message) };
}

/** (d) ReceiveMessage(10) + DeleteMessageBatch from a pre-filled queue, 16 workers. */
export const receiveScenario = {
  id: 'receive-delete',
  title: 'ReceiveMessage(10) + DeleteMessageBatch, pre-filled queue',
  kind: 'throughput',
  supports: (t) => pickProtocol(t.spoken, ['json', 'query']) != null,
  async run(handle, t, cfg) {
    const protocol = pickProtocol(t.spoken, ['json', 'query']);
    const workers = cfg.connections;
    const wire = new FastWire(handle.endpoint, { maxSockets: Math.max(workers, cfg.prefillConcurrency), timeoutMs: Math.max(30, cfg.duration + 10) * 1000 });
    try {
      const QueueUrl = await createQueue(wire, protocol, `bench-recv-${uniq()}`, { VisibilityTimeout: '300' });
      let fill = null;
      let count = null;
      if (!t.isNull) {
        fill = await prefill(wire, protocol, QueueUrl, cfg.prefill, cfg.prefillConcurrency, cfg.prefillTimeout);
        count = await approxCount(wire, protocol, QueueUrl);
      }
      let receives = 0;
      let nonEmpty = 0;
      let messages = 0;
      let deleted = 0;
      let deleteFailed = 0;
      let drained = false;
      const errors = [];
      const lat = [];
      const w = cpuWindow(handle.pid);
      const t0 = performance.now();
      const deadline = t0 + cfg.duration * 1000;
      let lastEnd = t0;
      const maxIter = Math.ceil(cfg.prefill / 10) * 2 + 1_000_000; // hard bound on any loop
      async function worker() {
        let empties = 0;
        for (let it = 0; it < maxIter && performance.now() < deadline && errors.length < 20; it++) {
          const a = performance.now();
          try {
            const r = await wire.call(protocol, 'ReceiveMessage', { QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 300 });
            receives++;
            const msgs = r.Messages ?? [];
            if (msgs.length === 0) {
              if (++empties >= 3) {
                drained = true;
                break;
              }
              continue;
            }
            empties = 0;
            nonEmpty++;
            messages += msgs.length;
            const d = await wire.call(protocol, 'DeleteMessageBatch', { QueueUrl, Entries: msgs.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) });
            deleted += (d.Successful ?? []).length;
            deleteFailed += (d.Failed ?? []).length;
            lat.push(performance.now() - a);
            lastEnd = performance.now();
          } catch (e) {
            errors.push(e.message);
          }
        }
      }
      await Promise.all(Array.from({ length: workers }, worker));
      const wall = (Math.max(lastEnd, t0 + 1) - t0) / 1000;
      const cpu = w.end();
      lat.sort((x, y) => x - y);
      if (!t.isNull) await deleteQueue(wire, protocol, QueueUrl);
      if (errors.length >= 20) throw new Error(`receive loop: ${errors[0]}`);
      return {
        protocol,
        reqPerSec: round(nonEmpty / wall, 0), // receive+delete pairs per second
        requestsPerSec: round((receives + nonEmpty) / wall, 0),
        messagesPerSec: round(messages / wall, 0),
        latencyMs: { p50: round(pct(lat, 50)), p90: round(pct(lat, 90)), p99: round(pct(lat, 99)) },
        receives,
        nonEmptyReceives: nonEmpty,
        messages,
        deleted,
        deleteFailed,
        drained,
        durationSec: round(wall),
        serverCores: cpu.serverCores,
        clientCores: cpu.clientCores,
        otherCores: cpu.otherCores,
        prefill: fill,
        queueCountAfterPrefill: count,
        errors: errors.slice(0, 3),
      };
    } finally {
      wire.close();
    }
  },
};

// ------------------------------------------------------------ e2e via SDK

/** (e) SendMessage -> ReceiveMessage(WaitTimeSeconds) latency through the AWS SDK. */
export function e2eScenario(protocol) {
  return {
    id: protocol === 'json' ? 'e2e-sdk-json' : 'e2e-sdk-query',
    title: protocol === 'json' ? 'send->receive latency, @aws-sdk/client-sqs (JSON)' : 'send->receive latency, @aws-sdk/client-sqs@3.445 (query)',
    kind: 'latency',
    supports: (t) => !t.isNull && t.spoken.includes(protocol),
    async run(handle, t, cfg) {
      const sdk = await import(protocol === 'json' ? '@aws-sdk/client-sqs' : 'sqs-legacy');
      const client = new sdk.SQSClient({
        endpoint: handle.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
        maxAttempts: 1,
      });
      try {
        const { QueueUrl } = await client.send(new sdk.CreateQueueCommand({ QueueName: `bench-e2e-${protocol}-${uniq()}` }));
        const samples = [];
        let misses = 0;
        const total = cfg.e2eSamples + cfg.e2eWarmup;
        const deadline = Date.now() + cfg.e2eTimeout * 1000;
        for (let i = 0; i < total && Date.now() < deadline; i++) {
          const body = `e2e-${i}-${uniq()}`;
          const a = performance.now();
          await client.send(new sdk.SendMessageCommand({ QueueUrl, MessageBody: body }));
          let got = null;
          for (let tries = 0; tries < 3 && !got; tries++) {
            const r = await client.send(new sdk.ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: cfg.e2eWait }));
            got = (r.Messages ?? []).find((m) => m.Body === body) ?? null;
            if (!got) misses++;
            for (const m of r.Messages ?? []) if (m !== got) await client.send(new sdk.DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
          }
          const ms = performance.now() - a;
          if (!got) throw new Error(`message ${i} not received after 3 receives`);
          await client.send(new sdk.DeleteMessageCommand({ QueueUrl, ReceiptHandle: got.ReceiptHandle }));
          if (i >= cfg.e2eWarmup) samples.push(ms);
        }
        await client.send(new sdk.DeleteQueueCommand({ QueueUrl })).catch(() => {});
        samples.sort((x, y) => x - y);
        return {
          protocol,
          samples: samples.length,
          latencyMs: { p50: round(pct(samples, 50)), p90: round(pct(samples, 90)), p99: round(pct(samples, 99)), max: round(samples.at(-1)), mean: round(samples.reduce((s, x) => s + x, 0) / samples.length) },
          emptyReceives: misses,
        };
      } finally {
        client.destroy();
      }
    },
  };
}

// ------------------------------------------------------------------ memory

/** (f) RSS of the server with N queued 200-byte messages (fresh server). */
export const memoryScenario = {
  id: 'memory',
  title: `RSS with queued ${BODY_BYTES}-byte messages`,
  kind: 'memory',
  fresh: true,
  supports: (t) => !t.isNull && pickProtocol(t.spoken, ['json', 'query']) != null,
  async run(handle, t, cfg) {
    const protocol = pickProtocol(t.spoken, ['json', 'query']);
    const wire = new FastWire(handle.endpoint, { maxSockets: cfg.prefillConcurrency });
    try {
      await sleep(1000);
      const idle = memory(handle.pid);
      const QueueUrl = await createQueue(wire, protocol, `bench-mem-${uniq()}`);
      const fill = await prefill(wire, protocol, QueueUrl, cfg.memoryMessages, cfg.prefillConcurrency, cfg.memoryTimeout);
      await sleep(2000);
      const loaded = memory(handle.pid);
      const count = await approxCount(wire, protocol, QueueUrl);
      return {
        protocol,
        messages: fill.sent,
        requested: cfg.memoryMessages,
        fill,
        queueCount: count,
        idleRssMiB: round(idle.rss / 2 ** 20, 1),
        rssMiB: round(loaded.rss / 2 ** 20, 1),
        peakRssMiB: round(loaded.hwm / 2 ** 20, 1),
        bytesPerMessage: fill.sent ? round((loaded.rss - idle.rss) / fill.sent, 0) : null,
      };
    } finally {
      wire.close();
    }
  },
};

// --------------------------------------------------------------- long polls

/** (g) Server CPU with N idle long polls (WaitTimeSeconds=20) vs idle. */
export const longPollScenario = {
  id: 'longpoll',
  title: 'CPU with idle long polls (WaitTimeSeconds=20, empty queue)',
  kind: 'longpoll',
  fresh: true,
  supports: (t) => !t.isNull && pickProtocol(t.spoken, ['json', 'query']) != null,
  async run(handle, t, cfg) {
    const protocol = pickProtocol(t.spoken, ['json', 'query']);
    const wire = new SqsWire(handle.endpoint, { maxSockets: 2 });
    const sockets = [];
    try {
      const { soft } = openFileLimit();
      const want = cfg.longPolls;
      const n = Math.max(0, Math.min(want, soft - 300));
      const QueueUrl = await createQueue(wire, protocol, `bench-poll-${uniq()}`);
      await sleep(500);
      const idle = await sampleCpu(handle.pid, cfg.cpuWindow * 1000);
      const idleMem = memory(handle.pid);
      const idleFds = openFds(handle.pid);

      const req = encode(protocol, 'ReceiveMessage', { QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 20 });
      const head =
        `POST / HTTP/1.1\r\nHost: 127.0.0.1:${handle.port}\r\n` +
        Object.entries({ ...req.headers, 'content-length': Buffer.byteLength(req.body) })
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('') +
        '\r\n';
      const payload = Buffer.from(head + req.body);
      let answered = 0;
      let connectTimeouts = 0;
      let sockErrors = 0;
      let firstError = null;
      let repoll = true; // an answered (expired) poll is re-issued at once, like a real consumer
      let watchFor = null;
      let wokeAt = null;
      const answeredBodies = [];
      const tOpen = performance.now();
      const openCpu0 = cpuSeconds(handle.pid);
      const openOne = () =>
        new Promise((resolve) => {
          const s = net.connect({ host: '127.0.0.1', port: handle.port });
          s.setNoDelay(true);
          // a server that stops accepting leaves SYNs unanswered: give up on it
          const connectTimer = setTimeout(() => {
            connectTimeouts++;
            s.destroy();
            resolve();
          }, 5000);
          s.on('connect', () => {
            clearTimeout(connectTimer);
            s.write(payload);
            resolve();
          });
          s.on('data', (d) => {
            const text = d.toString('latin1');
            let k = 0;
            for (let at = text.indexOf('HTTP/1.'); at >= 0; at = text.indexOf('HTTP/1.', at + 1)) k++;
            if (k === 0) return;
            answered += k;
            if (answeredBodies.length < 3) answeredBodies.push(text);
            if (watchFor && wokeAt === null && text.includes(watchFor)) wokeAt = performance.now();
            if (repoll && !s.destroyed) for (let j = 0; j < k; j++) s.write(payload);
          });
          s.on('error', (e) => {
            clearTimeout(connectTimer);
            sockErrors++;
            firstError ??= e.message;
            resolve();
          });
          sockets.push(s);
        });
      const BATCH = 250;
      const OPEN_LIMIT_MS = 25_000;
      for (let i = 0; i < n; i += BATCH) {
        await Promise.all(Array.from({ length: Math.min(BATCH, n - i) }, openOne));
        if (performance.now() - tOpen > OPEN_LIMIT_MS || connectTimeouts + sockErrors >= 250) break;
      }
      const openSec = (performance.now() - tOpen) / 1000;
      const openServerCores = (cpuSeconds(handle.pid) - openCpu0) / openSec;
      await sleep(1000);
      const answeredBefore = answered;
      const busy = await sampleCpu(handle.pid, cfg.cpuWindow * 1000);
      const busyMem = memory(handle.pid);
      const serverFds = openFds(handle.pid);
      const answeredDuring = answered - answeredBefore;
      // a send must wake one of the waiting polls, with its message
      const wakeBody = `wake-${uniq()}`;
      watchFor = wakeBody;
      const w0 = performance.now();
      await wire.call(protocol, 'SendMessage', { QueueUrl, MessageBody: wakeBody });
      while (wokeAt === null && performance.now() - w0 < 3000) await sleep(2);
      repoll = false;
      return {
        protocol,
        requested: want,
        opened: sockets.length - connectTimeouts - sockErrors,
        attempted: sockets.length,
        connectTimeouts,
        serverOpenFds: serverFds, // ~ connections the server really accepted (plus its own files)
        idleServerOpenFds: idleFds,
        fdSoftLimit: soft,
        openSeconds: round(openSec),
        openServerCores: round(openServerCores),
        socketErrors: sockErrors,
        firstSocketError: firstError,
        answeredBeforeWindow: answeredBefore,
        answeredDuringWindow: answeredDuring,
        idleCores: round(idle.cores, 4),
        pollCores: round(busy.cores, 4),
        idleCpuSeconds: round(idle.cpuSeconds, 3),
        pollCpuSeconds: round(busy.cpuSeconds, 3),
        cpuWindowSeconds: round(busy.wallSeconds, 2),
        idleCpuPct: round(idle.cores * 100, 2),
        pollCpuPct: round(busy.cores * 100, 2),
        idleRssMiB: round(idleMem.rss / 2 ** 20, 1),
        pollRssMiB: round(busyMem.rss / 2 ** 20, 1),
        threads: busyMem.threads,
        wakeLatencyMs: wokeAt === null ? null : round(wokeAt - w0),
        wokeAPoller: wokeAt !== null,
        sampleAnswer: answeredBodies[0]?.slice(0, 200) ?? null,
      };
    } finally {
      // RST instead of FIN: 10k client-side TIME_WAITs would crowd the
      // ephemeral port range for whatever runs next
      for (const s of sockets) (s.resetAndDestroy ?? s.destroy).call(s);
      wire.close();
    }
  },
};

export const SCENARIOS = {
  'send-json': sendScenario('json'),
  'send-query': sendScenario('query'),
  'send-batch': batchScenario,
  'receive-delete': receiveScenario,
  'e2e-sdk-json': e2eScenario('json'),
  'e2e-sdk-query': e2eScenario('query'),
  memory: memoryScenario,
  longpoll: longPollScenario,
};

export { decodeXml, AUTH_HEADERS };
