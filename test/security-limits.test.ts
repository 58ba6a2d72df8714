/**
 * Request size limits, enforced before a body is buffered whole: the AWS API's 5 MiB (a larger
 * Content-Length is refused before a byte of the body is read; a chunked body is cut off as it
 * passes the limit); the inspection API's 2 MiB with a declared length (more, or a chunked body,
 * is refused at once; express.json would read such a body to its end before answering), then each
 * route's express.json limit (100 KB by default); node's 16 KiB of headers. After a 413 the
 * connection is closed, so a client cannot keep streaming into a server that stopped listening.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSwitchyard, type Switchyard } from '../src/index.js';

const MiB = 1024 * 1024;
let sy: Switchyard;
let port: number;

beforeAll(async () => {
  sy = await startSwitchyard({ port: 0 });
  port = sy.port;
});

afterAll(async () => {
  await sy?.stop();
});

interface Outcome {
  /** The raw answer, up to the socket's close. */
  answer: string;
  /** Body bytes the client got to write before the server closed the connection. */
  written: number;
  closedByServer: boolean;
}

/**
 * Sends `head`, then `total` body bytes in `chunk`-sized pieces (chunked transfer coding unless
 * the head declares a length), every `everyMs`, until the server answers and closes.
 */
function stream(head: string, opts: { total: number; chunk: number; everyMs?: number; chunked?: boolean }): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let answer = '';
    let written = 0;
    let closedByServer = false;
    const piece = Buffer.alloc(opts.chunk, 0x61);
    const framed = opts.chunked === false ? piece : Buffer.concat([Buffer.from(`${opts.chunk.toString(16)}\r\n`), piece, Buffer.from('\r\n')]);
    let timer: NodeJS.Timeout | undefined;
    const pump = (): void => {
      while (!socket.destroyed && written < opts.total) {
        written += opts.chunk;
        const more = socket.write(framed);
        if (opts.everyMs) {
          timer = setTimeout(pump, opts.everyMs);
          return;
        }
        if (!more) return void socket.once('drain', pump);
      }
      if (!socket.destroyed && opts.chunked !== false) socket.write('0\r\n\r\n');
    };
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('end', () => (closedByServer = true));
    socket.on('error', () => (closedByServer = true));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answer, written, closedByServer });
    });
    socket.write(head, () => pump());
  });
}

const sqsJsonHead = (extra: string) =>
  `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.SendMessage\r\n${extra}\r\n`;

describe('the AWS API (5 MiB)', () => {
  it('a declared Content-Length past the limit: 413 at once, no body read, the connection closed', async () => {
    // 100 MiB declared; the client sends 64 KiB a time, slowly: the answer does not wait for them.
    const started = Date.now();
    const out = await stream(sqsJsonHead(`Content-Length: ${100 * MiB}\r\n`), { total: 100 * MiB, chunk: 64 * 1024, everyMs: 50, chunked: false });
    expect(out.answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(out.answer.toLowerCase()).toContain('connection: close');
    expect(out.answer).toContain('"__type":"RequestEntityTooLarge"');
    expect(out.answer).toContain(`"message":"Request body must be at most ${5 * MiB} bytes."`);
    expect(out.closedByServer).toBe(true);
    expect(out.written).toBeLessThan(2 * MiB);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a chunked body (no length declared) is cut off as it passes 5 MiB, fast or slow', async () => {
    const fast = await stream(sqsJsonHead('Transfer-Encoding: chunked\r\n'), { total: 256 * MiB, chunk: 256 * 1024 });
    expect(fast.answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(fast.closedByServer).toBe(true);
    // The server stopped reading at 5 MiB: what the client got out is the limit plus what the
    // socket buffers held, nowhere near the 256 MiB it meant to send.
    expect(fast.written).toBeLessThan(32 * MiB);

    const slow = await stream(sqsJsonHead('Transfer-Encoding: chunked\r\n'), { total: 64 * MiB, chunk: MiB, everyMs: 10 });
    expect(slow.answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(slow.written).toBeLessThanOrEqual(8 * MiB);
  });

  it('the query protocol gets the same refusal in XML', async () => {
    const out = await stream(`POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${6 * MiB}\r\n\r\n`, { total: 0, chunk: 1, chunked: false });
    expect(out.answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(out.answer).toContain('<Code>RequestEntityTooLarge</Code>');
  });

  it('a body just under the limit still works, and the server stays up for the next request', async () => {
    const body = JSON.stringify({ QueueName: 'x'.repeat(5 * MiB - 100) });
    const res = await fetch(sy.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.CreateQueue' }, body });
    // The body was read and decoded: the answer is about the name, not the size.
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('InvalidParameterValue');
    const ok = await fetch(sy.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' }, body: '{}' });
    expect(ok.status).toBe(200);
  });
});

describe('the inspection API (2 MiB at most; express.json limits per route)', () => {
  const post = (path: string, extra: string) => `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n${extra}\r\n`;

  it('a declared length past every route\'s limit: 413 as JSON at once, nothing read, the connection closed', async () => {
    const out = await stream(post('/_switchyard/api/reset', `Content-Length: ${50 * MiB}\r\n`), { total: 50 * MiB, chunk: 64 * 1024, everyMs: 50, chunked: false });
    expect(out.answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(out.answer.toLowerCase()).toContain('connection: close');
    expect(out.answer).toContain(`{"error":"PayloadTooLarge","message":"The body must be at most ${2 * MiB} bytes."}`);
    expect(out.closedByServer).toBe(true);
    expect(out.written).toBeLessThan(2 * MiB);
  });

  it('a body of unknown length (chunked): 411 at once, the connection closed', async () => {
    for (const path of ['/_switchyard/api/explain', '/_switchyard/api/faults']) {
      const out = await stream(post(path, 'Transfer-Encoding: chunked\r\n'), { total: 128 * MiB, chunk: 256 * 1024 });
      expect(out.answer, path).toMatch(/^HTTP\/1\.1 411 /);
      expect(out.answer, path).toContain('"error":"LengthRequired"');
      expect(out.closedByServer, path).toBe(true);
      expect(out.written, path).toBeLessThan(32 * MiB);
    }
  });

  it("a declared length within 2 MiB but past the route's own limit: express.json's 413", async () => {
    const out = await stream(post('/_switchyard/api/faults', `Content-Length: ${300 * 1024}\r\n`), { total: 300 * 1024, chunk: 60 * 1024, chunked: false });
    expect(out.answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(out.answer).toContain('{"error":"BadRequest","message":"request entity too large"}');
  });

  it('a JSON body within the limit works as before', async () => {
    const res = await fetch(`${sy.endpoint}/_switchyard/api/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms: 0, pad: 'x'.repeat(50_000) }) });
    expect(res.status).toBe(200);
  });
});

describe('headers', () => {
  it('headers past 16 KiB (a giant URL, a SubscribeURL included): 431 from node, nothing buffered', async () => {
    const res = await fetch(`${sy.endpoint}/?Action=ConfirmSubscription&Token=${'a'.repeat(64 * 1024)}`);
    expect(res.status).toBe(431);
  });

});
