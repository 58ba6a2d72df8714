/**
 * Inputs the fuzz suites found mishandled, kept as plain tests (docs/reliability.md, "Hostile
 * input (fuzzing)", lists each with what was wrong).
 */
import { describe, expect, it } from 'vitest';
import { decodeJsonInput } from '../../src/gateway/json-codec.js';
import { decodeQueryInput, parseForm } from '../../src/gateway/query-codec.js';
import { structure, timestamp } from '../../src/gateway/shapes.js';
import { eventsShapes } from '../../src/events/shapes.js';
import { sqsShapes } from '../../src/sqs/shapes.js';
import { compilePatternText, matchesEvent } from '../../src/patterns/index.js';
import { TemplateError, applyTemplate, loadConfig, loadTemplate, startSwitchyard } from '../../src/index.js';
import { errorOf } from '../support.js';

describe('JSON codec', () => {
  it('refuses an epoch-seconds timestamp past a Date (1e400) with SerializationException, not an Invalid Date', () => {
    const body = '{"ReplayName":"r","EventSourceArn":"a","EventStartTime":1e400,"EventEndTime":1,"Destination":{"Arn":"b"}}';
    const err = errorOf(() => decodeJsonInput(body, eventsShapes.StartReplay.input));
    expect(err.type).toBe('SerializationException');
    expect(err.message).toContain('EventStartTime');
    expect(errorOf(() => decodeJsonInput('{"Entries":[{"Time":-1e16}]}', eventsShapes.PutEvents.input)).type).toBe('SerializationException');
  });

  it('keeps the millisecond of an epoch-seconds timestamp (540879100.703 * 1000 is 540879100702.99994)', () => {
    const input = decodeJsonInput('{"Entries":[{"Time":540879100.703}]}', eventsShapes.PutEvents.input) as { Entries: Array<{ Time: Date }> };
    expect(input.Entries[0].Time.getTime()).toBe(540879100703);
  });
});

describe('query codec', () => {
  it('refuses an integer past 32 bits with InvalidParameterValue naming the value sent, not Infinity', () => {
    const digits = '123456789012345678901234567890';
    const form = parseForm(`QueueUrl=u&ReceiptHandle=r&VisibilityTimeout=${digits}`);
    const err = errorOf(() => decodeQueryInput(form, sqsShapes.ChangeMessageVisibility.input));
    expect(err.type).toBe('InvalidParameterValue');
    expect(err.message).toBe(`Value ${digits} for parameter VisibilityTimeout is invalid.`);
    const long = '9'.repeat(400);
    expect(errorOf(() => decodeQueryInput(parseForm(`MaxResults=${long}`), sqsShapes.ListQueues.input)).message).toContain(long);
    expect(errorOf(() => decodeQueryInput(parseForm('MaxResults=2147483648'), sqsShapes.ListQueues.input)).type).toBe('InvalidParameterValue');
    expect(decodeQueryInput(parseForm('MaxResults=2147483647'), sqsShapes.ListQueues.input)).toEqual({ MaxResults: 2147483647 });
  });

  it('reads timestamps to the millisecond and refuses an empty one rather than reading the epoch', () => {
    const shape = structure({ T: timestamp });
    expect((decodeQueryInput(parseForm('T=540879100.703'), shape).T as Date).getTime()).toBe(540879100703);
    expect(errorOf(() => decodeQueryInput(parseForm('T='), shape)).type).toBe('InvalidParameterValue');
  });
});

describe('event patterns', () => {
  it('matches a wildcard with several stars in linear time (a regular expression took 43 s on 500 characters)', () => {
    const pattern = compilePatternText('{"detail":{"key":[{"wildcard":"*a*a*a*b"}]}}');
    const start = performance.now();
    expect(matchesEvent(pattern, { detail: { key: 'a'.repeat(200_000) } })).toBe(false);
    expect(matchesEvent(pattern, { detail: { key: `${'a'.repeat(200_000)}b` } })).toBe(true);
    expect(matchesEvent(pattern, { detail: { key: 'aab' } })).toBe(false);
    expect(matchesEvent(pattern, { detail: { key: 'xaxaxab' } })).toBe(true);
    expect(performance.now() - start).toBeLessThan(500);
    // `\*` is a literal star: `\**` is a star, then any text.
    const anythingBut = compilePatternText(JSON.stringify({ a: [{ 'anything-but': { wildcard: ['*x*x*x*y', '\\**'] } }] }));
    expect(matchesEvent(anythingBut, { a: 'x'.repeat(200_000) })).toBe(true);
    expect(matchesEvent(anythingBut, { a: '*-' })).toBe(false);
    expect(matchesEvent(anythingBut, { a: 'x*' })).toBe(true);
  });
});

/** Found by test/fuzz/templates.test.ts in src/templates: each now ends in a one-line TemplateError. */
describe('templates', () => {
  const deep = (depth: number, wrap: (inner: string) => string): string => {
    let v = '"x"';
    for (let i = 0; i < depth; i++) v = wrap(v);
    return `{"Resources":{"Queue":{"Type":"AWS::SQS::Queue","Properties":{"QueueName":${v}}}}}`;
  };
  const outcome = async (text: string): Promise<unknown> => {
    const sy = await startSwitchyard({ port: 0 });
    try {
      applyTemplate(await loadTemplate({ body: text, stackName: 'fuzz' }, 't'), sy, { account: '000000000000', region: 'us-east-1', baseUrl: sy.endpoint });
      return undefined;
    } catch (err) {
      return err;
    } finally {
      await sy.stop();
    }
  };

  it('intrinsics nested 3,000 deep (Fn::Join 1,000 deep) are refused with a TemplateError, not a stack overflow (RangeError in intrinsics.ts references)', async () => {
    expect(await outcome(deep(3_000, (v) => `{"Fn::Length":${v}}`))).toBeInstanceOf(TemplateError);
    expect(await outcome(deep(1_000, (v) => `{"Fn::Join":["",[${v}]]}`))).toBeInstanceOf(TemplateError);
  });

  it('a YAML template nested 10,000 deep is refused before parsing (the parser could end the process)', async () => {
    const text = 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: ' + '['.repeat(10_000) + ']'.repeat(10_000) + '\n';
    const err = await loadTemplate({ body: text, stackName: 'fuzz' }, 't.yaml').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(TemplateError);
    expect((err as Error).message).not.toContain('\n');
  });

  it('Fn::Base64 nested 100 deep is refused with a TemplateError before its text outgrows a string (about 0.5 GB allocated first)', async () => {
    expect(await outcome(deep(100, (v) => `{"Fn::Base64":${v}}`))).toBeInstanceOf(TemplateError);
  });
});

/**
 * Found by test/fuzz/gateway.test.ts in src/gateway/gateway.ts, fixed there. protocolOf fell back to the service the SigV4 scope names even when
 * that service has no JSON protocol (SNS), and sendError then read `protocol.service.json!`:
 * the TypeError escaped the request handler and ended the process.
 */
describe('gateway', () => {
  it('a JSON-looking request signed for SNS gets an AWS error and the server keeps serving', async () => {
    const sy = await startSwitchyard({ port: 0 });
    try {
      const auth = 'AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=0';
      const cases: Array<Record<string, string>> = [{ 'x-amz-target': '.ListQueues' }, { 'x-amz-target': 'AmazonSQS' }, { 'content-type': 'application/x-amz-json-1.0' }];
      for (const headers of cases) {
        const res = await fetch(sy.endpoint, { method: 'POST', headers: { ...headers, authorization: auth }, body: '{}', signal: AbortSignal.timeout(3000) });
        expect(res.status).toBeLessThan(500);
      }
      const after = await fetch(sy.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' }, body: '{}' });
      expect(after.status).toBe(200);
    } finally {
      await sy.stop();
    }
  });
});

/**
 * Found by test/fuzz/gateway.test.ts after 8739430 ("a 413 from the gateway closes the
 * connection"): a client still sending when the server closes gets a TCP reset, which discards
 * the 413 before it is read: the client sees EPIPE / ECONNRESET, never RequestEntityTooLarge.
 * Fixed with a lingering close (half-close, keep reading and discarding for a while, then
 * destroy), which keeps both the bound and the answer.
 */
describe('oversized bodies', () => {
  it('a client streaming 64 KiB pieces past the limit still reads the 413', async () => {
    const { connect } = await import('node:net');
    const sy = await startSwitchyard({ port: 0, maxBodyBytes: 64 * 1024 });
    try {
      const url = new URL(sy.endpoint);
      const head = await new Promise<string>((resolve) => {
        const socket = connect(Number(url.port), url.hostname);
        let got = '';
        let written = 0;
        socket.on('data', (d) => (got += d.toString('latin1')));
        socket.on('error', () => {});
        socket.on('close', () => resolve(got));
        socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.SendMessage\r\nTransfer-Encoding: chunked\r\n\r\n');
        const piece = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(65536, 0x20), Buffer.from('\r\n')]);
        const next = () => {
          if (socket.destroyed || written > 32 * 1024 * 1024) return;
          socket.write(piece);
          written += 65536;
          setTimeout(next, 1);
        };
        next();
      });
      expect(head).toMatch(/^HTTP\/1\.1 413 /);
    } finally {
      await sy.stop();
    }
  });
});

describe('config file', () => {
  it('refuses YAML nested past 256 levels before parsing it (the parser\'s stack overflow could end the process in V8\'s RegExp compiler)', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-regression-'));
    try {
      const cases: Array<[string, string]> = [
        ['deep.yaml', `queues: [${'['.repeat(10_000)}${']'.repeat(10_000)}]\n`],
        ['mixed.yml', `${'{"__proto__":['.repeat(5_000)}1${']}'.repeat(5_000)}\n`],
        ['dashes.yaml', `${'- '.repeat(2_000)}x\n`],
        ['flow.conf', `{${'"a":{'.repeat(3_000)}}`],
      ];
      for (const [name, text] of cases) {
        await writeFile(join(dir, name), text);
        await expect(loadConfig(join(dir, name))).rejects.toThrow(`${join(dir, name)}: line 1: YAML nested more than 256 levels deep`);
      }
      // Quoted brackets, block scalars and ordinary nesting are not counted against a file.
      await writeFile(join(dir, 'fine.yaml'), `x-note: "${'['.repeat(1_000)}"\nx-block: |\n  ${'{'.repeat(1_000)}\nqueues:\n  - name: a\n    tags: {t: "${'['.repeat(300)}"}\nx-deep: ${'['.repeat(200)}${']'.repeat(200)}\n`);
      const model = await loadConfig(join(dir, 'fine.yaml'));
      expect(model.queues.map((q) => q.name)).toEqual(['a']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
