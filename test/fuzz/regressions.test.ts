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
import { TemplateError, applyTemplate, loadTemplate, startSwitchyard } from '../../src/index.js';
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

  it('Fn::Base64 nested 100 deep is refused with a TemplateError before its text outgrows a string (about 0.5 GB allocated first)', async () => {
    expect(await outcome(deep(100, (v) => `{"Fn::Base64":${v}}`))).toBeInstanceOf(TemplateError);
  });
});
