/**
 * EventBridge through a second real client: Debian's boto3 1.26 (`/usr/bin/python3`, installed
 * by .ci/run), driven by compat/boto3/events.py, which prints what happened as JSON.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSwitchyard, type Switchyard } from '../src/index.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./boto3/events.py', import.meta.url));
const execFileP = promisify(execFile);

let sy: Switchyard;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let out: any;

beforeAll(async () => {
  sy = await startSwitchyard({ port: 0 });
  const { stdout } = await execFileP(PYTHON, [SCRIPT, sy.endpoint], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
    timeout: 60_000,
  });
  out = JSON.parse(stdout);
}, 90_000);

afterAll(async () => {
  await sy?.stop();
});

describe('EventBridge with Debian boto3', () => {
  it('speaks awsJson1_1 to an old botocore', () => {
    expect(out.botocore).toMatch(/^1\.29\./);
  });

  it('creates a bus and a rule on it, and puts a target with an input transformer', () => {
    expect(out.bus).toBe('arn:aws:events:us-east-1:000000000000:event-bus/boto-bus');
    expect(out.rule).toBe('arn:aws:events:us-east-1:000000000000:rule/boto-bus/big');
    expect(out.putTargets).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
    expect(out.listRules).toEqual(['big']);
    expect(out.targets).toEqual(['q']);
    expect(out.describeRule).toMatchObject({ Name: 'big', EventBusName: 'boto-bus', State: 'ENABLED' });
  });

  it('puts events with a per-entry failure and delivers only the matching one, shaped', () => {
    expect(out.putEvents.FailedEntryCount).toBe(1);
    expect(out.putEvents.Entries[0].EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.putEvents.Entries[1].EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.putEvents.Entries[2]).toEqual({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
    expect(out.bodies).toEqual(['{"total":120,"rule":"big"}']);
  });

  it('reports AWS\'s errors as botocore ClientErrors with their codes', () => {
    expect(out.deleteWithTargets).toEqual({ code: 'ValidationException', message: "Rule can't be deleted since it has targets.", status: 400 });
    expect(out.describeMissing).toMatchObject({ code: 'ResourceNotFoundException', message: 'Rule nope does not exist on EventBus default.', status: 400 });
    expect(out.badPattern).toMatchObject({ code: 'InvalidEventPatternException', status: 400 });
    expect(out.testEventPattern).toBe(true);
    expect(out.busesAfter).toEqual(['default']);
  });
});
