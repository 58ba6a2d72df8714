/**
 * Target input shaping (src/events/transform.ts): Input, InputPath and InputTransformer, with
 * AWS's own examples verbatim where it gives them:
 *  - the user guide's examples table (eb-transform-target-input.html),
 *  - the InputTransformer API reference's three templates,
 *  - LocalStack's snapshots recorded against AWS (test_events_inputs.snapshot.json),
 *  - the PutTargets messages AWS is quoted giving (aws-cli#6711, LocalStack snapshots).
 */
import { describe, expect, it } from 'vitest';
import {
  compileTargetInput,
  jsonSyntaxError,
  targetInputConstraintViolations,
  validateTargetInput,
  type TargetInput,
  type TransformContext,
} from '../src/events/transform.js';
import { errorOf } from './support.js';

/** The user guide's example Amazon EC2 event. */
const EC2_EVENT = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' },
};

/** The user guide's Input Path for it. */
const GUIDE_PATHS = {
  timestamp: '$.time',
  instance: '$.detail.instance-id',
  state: '$.detail.state',
  resource: '$.resources[0]',
};

/** The rule of the guide's "reserved variables" rows. */
const CTX: TransformContext = {
  ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example',
  ruleName: 'example',
  ingestionTime: '2015-11-11T21:29:55.123Z',
};

/** LocalStack's recorded event (test_events.py EVENT_DETAIL on core.update-account-command). */
const LS_EVENT = {
  version: '0',
  id: '2f0ad2d9-0a71-4e1c-9b7b-b8f0d7a1c9e4',
  'detail-type': 'core.update-account-command',
  source: 'core.update-account-command',
  account: '111111111111',
  time: '2024-06-11T08:33:04Z',
  region: 'us-east-1',
  resources: [],
  detail: { command: 'update-account', payload: { acc_id: '0a787ecb-4015', sf_id: 'baz' } },
};

function shape(target: TargetInput, event: Record<string, unknown> = EC2_EVENT, ctx = CTX): string {
  return compileTargetInput({ Id: 't1', ...target })(event, ctx);
}

function transform(template: string, paths: Record<string, string> = GUIDE_PATHS, event: Record<string, unknown> = EC2_EVENT): string {
  return shape({ InputTransformer: { InputPathsMap: paths, InputTemplate: template } }, event);
}

/** The ValidationException message PutTargets gives for `target`. */
function refusal(target: TargetInput, position?: number): string {
  const err = errorOf(() => validateTargetInput(target, position));
  expect(err.type).toBe('ValidationException');
  expect(err.status).toBe(400);
  return err.message;
}

describe('no input members', () => {
  it('sends the whole event as JSON, in its own key order', () => {
    expect(shape({})).toBe(JSON.stringify(EC2_EVENT));
  });
});

describe('Input', () => {
  it('is sent exactly as given, whitespace and all, whatever the event', () => {
    const input = '{ "env" : "dev",\n  "n": [1, 2.50] }';
    expect(shape({ Input: input })).toBe(input);
    expect(shape({ Input: input }, LS_EVENT)).toBe(input);
  });

  it('may be any JSON value: a string, a number, null', () => {
    for (const input of ['"hello"', '42', 'null', 'true', '[]', ' {} ']) expect(shape({ Input: input })).toBe(input);
  });

  it('is refused when it is not JSON, with the location Jackson gives (aws-cli#6711)', () => {
    expect(refusal({ Id: '1', Input: 'env:dev' })).toBe(
      'JSON syntax error in input for target 1: [Source: (String)"env:dev"; line: 1, column: 4]',
    );
    expect(refusal({ Id: 'clone_lambda', Input: "{'db_name': 'x'}" })).toBe(
      'JSON syntax error in input for target clone_lambda: [Source: (String)"{\'db_name\': \'x\'}"; line: 1, column: 3]',
    );
  });

  it('locates errors on later lines, at the end of a text that stops early, and after trailing text', () => {
    expect(jsonSyntaxError('{\n  "a": 1,\n  "b": x\n}')).toMatch(/; line: 3, column: 9\]$/);
    expect(jsonSyntaxError('{"a": [1, 2')).toBe('[Source: (String)"{"a": [1, 2"; line: 1, column: 12]');
    expect(jsonSyntaxError('{"a": 1} {')).toMatch(/line: 1, column: 11\]$/);
    expect(jsonSyntaxError('')).toBe('[Source: (String)""; line: 1, column: 1]');
  });

  it('refuses what strict JSON refuses', () => {
    for (const bad of ['{"a": 01}', '{"a": 1.}', '{"a": .5}', '{"a": +1}', '[1,]', '{"a":1,}', '"tab\there"', '"\\x"', 'nul', 'True', '{"a" 1}', 'NaN'])
      expect(jsonSyntaxError(bad), bad).toBeDefined();
    for (const good of ['{"a": -0.5e+10}', '"\\u00e9\\n\\/"', '[[],[{}]]', '\t\r\n1\n']) expect(jsonSyntaxError(good), good).toBeUndefined();
  });

  it('shows at most 500 characters of a long input, as Jackson does', () => {
    const input = 'x'.repeat(600);
    expect(jsonSyntaxError(input)).toBe(`[Source: (String)"${'x'.repeat(500)}"[truncated 100 chars]; line: 1, column: 601]`);
  });

  it('is at most 8192 characters (the request model)', () => {
    const input = `"${'a'.repeat(8190)}"`;
    expect(shape({ Input: input })).toBe(input);
    const long = `"${'a'.repeat(8191)}"`;
    expect(refusal({ Id: 't1', Input: long }, 3)).toBe(
      `1 validation error detected: Value '${long}' at 'targets.3.member.input' failed to satisfy constraint: Member must have length less than or equal to 8192`,
    );
  });
});

describe('Input, InputPath and InputTransformer are exclusive', () => {
  it("refuses any two of them with AWS's message (LocalStack snapshot)", () => {
    const transformer = { InputPathsMap: { c: '$.detail.command' }, InputTemplate: '{"command": <c>}' };
    const message = 'Only one of Input, InputPath, or InputTransformer must be provided for target t1.';
    expect(refusal({ Id: 't1', InputPath: '$.detail', InputTransformer: transformer })).toBe(message);
    expect(refusal({ Id: 't1', Input: '{}', InputPath: '$.detail' })).toBe(message);
    expect(refusal({ Id: 't1', Input: '{}', InputTransformer: transformer })).toBe(message);
  });
});

describe('InputPath', () => {
  it('sends the value at the path as JSON (LocalStack snapshots)', () => {
    expect(shape({ InputPath: '$.detail' }, LS_EVENT)).toBe('{"command":"update-account","payload":{"acc_id":"0a787ecb-4015","sf_id":"baz"}}');
    expect(shape({ InputPath: '$.detail.payload' }, LS_EVENT)).toBe('{"acc_id":"0a787ecb-4015","sf_id":"baz"}');
    // A string arrives as JSON text, quotes included: the recorded body is "\"baz\"".
    expect(shape({ InputPath: '$.detail.payload.sf_id' }, LS_EVENT)).toBe('"baz"');
  });

  it('reads the whole event at $, array indices, dashed names, numbers and booleans', () => {
    expect(shape({ InputPath: '$' })).toBe(JSON.stringify(EC2_EVENT));
    expect(shape({ InputPath: '$.resources[0]' })).toBe('"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"');
    expect(shape({ InputPath: '$.detail-type' })).toBe('"EC2 Instance State-change Notification"');
    const event = { detail: { grid: [[1, 2], [3, { 'a/b': true }]], n: 0, off: false, nothing: null } };
    expect(shape({ InputPath: '$.detail.grid[1][0]' }, event)).toBe('3');
    expect(shape({ InputPath: '$.detail.grid[1][1].a/b' }, event)).toBe('true');
    expect(shape({ InputPath: '$.detail.n' }, event)).toBe('0');
    expect(shape({ InputPath: '$.detail.off' }, event)).toBe('false');
    expect(shape({ InputPath: '$.detail.nothing' }, event)).toBe('null');
  });

  it('reads deep paths', () => {
    let deep: Record<string, unknown> = { leaf: 'bottom' };
    let path = '';
    for (let i = 0; i < 60; i++) {
      deep = { [`l${i % 10}`]: deep };
      path = `.l${i % 10}${path}`;
    }
    expect(shape({ InputPath: `$.detail${path}.leaf` }, { detail: deep })).toBe('"bottom"');
  });

  it('collects every match of a wildcard into an array', () => {
    const event = { detail: { items: [{ id: 'a' }, { other: 1 }, { id: 'c' }], tags: { x: 1, y: 2 } } };
    expect(shape({ InputPath: '$.detail.items[*].id' }, event)).toBe('["a","c"]');
    expect(shape({ InputPath: '$.detail.tags.*' }, event)).toBe('[1,2]');
    expect(shape({ InputPath: '$.detail.none[*]' }, event)).toBe('[]');
  });

  it('sends null for a path that is not in the event, and never reaches Object.prototype', () => {
    expect(shape({ InputPath: '$.detail.missing' })).toBe('null');
    expect(shape({ InputPath: '$.detail.state.deeper' })).toBe('null');
    expect(shape({ InputPath: '$.resources[5]' })).toBe('null');
    expect(shape({ InputPath: '$.detail[0]' })).toBe('null');
    expect(shape({ InputPath: '$.constructor' })).toBe('null');
    expect(shape({ InputPath: '$.detail.__proto__' })).toBe('null');
  });

  it('refuses what EventBridge does not support: no $, brackets with names, .., filters', () => {
    for (const path of ['detail', '$detail', '$.', '$.detail.', "$.detail['key']", '$["detail"]', '$..state', '$.detail[-1]',
      '$.detail[0:2]', '$.detail[?(@.a)]', '$.detail.a b', '$.detail.a:b', '$.detail[0', '$[0]', ''])
      expect(refusal({ Id: 'my-target', InputPath: path }), path).toBe('InputPath for target my-target is invalid.');
  });

  it('is at most 256 characters (the request model)', () => {
    const path = `$.${'a'.repeat(255)}`;
    expect(refusal({ Id: 't1', InputPath: path })).toBe(
      `1 validation error detected: Value '${path}' at 'targets.1.member.inputPath' failed to satisfy constraint: Member must have length less than or equal to 256`,
    );
  });
});

describe('InputTransformer: the user guide examples table', () => {
  it('Simple string', () => {
    expect(transform('"instance <instance> is in <state>"')).toBe('"instance i-0123456789 is in RUNNING"');
  });

  it('String with escaped quotes', () => {
    expect(transform('"instance \\"<instance>\\" is in <state>"')).toBe('"instance \\"i-0123456789\\" is in RUNNING"');
  });

  it('Simple JSON (string variables gain quotes; the JSON sent is minified)', () => {
    expect(transform('{\n  "instance" : <instance>,\n  "state": <state>\n}')).toBe('{"instance":"i-0123456789","state":"RUNNING"}');
  });

  it('JSON with strings and variables', () => {
    const template = '{\n "instance" : <instance>,\n "state": "<state>",\n "instanceStatus": "instance \\"<instance>\\" is in <state>"\n}';
    const out = transform(template);
    expect(out).toBe('{"instance":"i-0123456789","state":"RUNNING","instanceStatus":"instance \\"i-0123456789\\" is in RUNNING"}');
    expect(JSON.parse(out)).toEqual({ instance: 'i-0123456789', state: 'RUNNING', instanceStatus: 'instance "i-0123456789" is in RUNNING' });
  });

  it('JSON with a mix of variables and static information', () => {
    const template = '{\n  "instance" : <instance>,\n  "state": [ 9, <state>, true ],\n  "Transformed" : "Yes"\n}\n';
    expect(transform(template)).toBe('{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}');
  });

  it('Including reserved variables in JSON', () => {
    const template = '{\n  "instance" : <instance>,\n  "state": <state>,\n  "ruleArn" : <aws.events.rule-arn>,\n  "ruleName" : <aws.events.rule-name>,\n  "originalEvent" : <aws.events.event>\n}';
    expect(JSON.parse(transform(template))).toEqual({
      instance: 'i-0123456789',
      state: 'RUNNING',
      ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example',
      ruleName: 'example',
      originalEvent: {
        id: EC2_EVENT.id,
        account: '123456789012',
        detailType: 'EC2 Instance State-change Notification',
        time: CTX.ingestionTime,
        source: 'aws.ec2',
        region: 'us-east-1',
        resources: EC2_EVENT.resources,
        version: '0',
      },
    });
  });

  it('Including reserved variables in a string', () => {
    expect(transform('"<aws.events.rule-name> triggered"')).toBe('"example triggered"');
  });

  it('Amazon CloudWatch log group (the guide prints invalid JSON here; the fixed rules give this)', () => {
    // The guide's output column reads `"timestamp" : 2015-11-11T21:29:54Z` and leaves the
    // message unterminated, an error reported in awsdocs/amazon-eventbridge-user-guide#25.
    const template = '{\n  "timestamp" : <timestamp>,\n  "message": "instance \\"<instance>\\" is in <state>"\n}';
    expect(JSON.parse(transform(template))).toEqual({ timestamp: '2015-11-11T21:29:54Z', message: 'instance "i-0123456789" is in RUNNING' });
  });

  it('array index paths in InputPathsMap ($.resources[0])', () => {
    expect(transform('{"r": <resource>}')).toBe('{"r":"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"}');
  });
});

describe('InputTransformer: the API reference examples', () => {
  const paths = { instance: '$.detail.instance', status: '$.detail.status' };
  const event = { detail: { instance: 'i-1234', status: 'stopped' } };

  it('a plain-text template is sent as text', () => {
    expect(transform('<instance> is in state <status>', paths, event)).toBe('i-1234 is in state stopped');
    expect(transform('<instance> is in state "<status>"', paths, event)).toBe('i-1234 is in state "stopped"');
  });

  it('a JSON template with variables in quotes or out', () => {
    expect(transform('{"myInstance": <instance>,"myStatus": "<instance> is in state \\"<status>\\""}', paths, event)).toBe(
      '{"myInstance":"i-1234","myStatus":"i-1234 is in state \\"stopped\\""}',
    );
  });
});

describe('InputTransformer: what AWS recorded (LocalStack snapshots)', () => {
  const paths = { 'detail-type': '$.detail-type', timestamp: '$.time', command: '$.detail.command' };
  const missing = { ...paths, command: '$.detail.notinmessage' };

  it('a string template, and a path missing from the event writing nothing', () => {
    const template = '"Event of <detail-type> type, at time <timestamp>, info extracted from detail <command>"';
    expect(transform(template, paths, LS_EVENT)).toBe(
      '"Event of core.update-account-command type, at time 2024-06-11T08:33:04Z, info extracted from detail update-account"',
    );
    expect(transform(template, missing, LS_EVENT)).toBe(
      '"Event of core.update-account-command type, at time 2024-06-11T08:33:04Z, info extracted from detail "',
    );
  });

  it('a string template that starts with special characters is text, not JSON', () => {
    const template = '"{[/Check with special starting characters for event of <detail-type> type"';
    expect(transform(template, paths, LS_EVENT)).toBe('"{[/Check with special starting characters for event of core.update-account-command type"');
  });

  it('a JSON template, and a missing path in a value position writing ""', () => {
    const template = '{"detailType": <detail-type>,  "time": <timestamp>, "command": <command>}';
    expect(transform(template, paths, LS_EVENT)).toBe('{"detailType":"core.update-account-command","time":"2024-06-11T08:33:04Z","command":"update-account"}');
    expect(JSON.parse(transform(template, missing, LS_EVENT))).toEqual({
      detailType: 'core.update-account-command',
      time: '2024-06-11T08:33:04Z',
      command: '',
    });
  });

  it('the predefined variables in a string template, with no InputPathsMap at all', () => {
    const template = '"Message containing all pre defined variables <aws.events.rule-arn> <aws.events.rule-name> <aws.events.event.ingestion-time>"';
    expect(shape({ InputTransformer: { InputTemplate: template } }, LS_EVENT)).toBe(
      `"Message containing all pre defined variables ${CTX.ruleArn} example ${CTX.ingestionTime}"`,
    );
  });

  it('<aws.events.event> (no detail, detailType, ingestion time) and <aws.events.event.json> (the event)', () => {
    const template = '{"originalEvent": <aws.events.event>, "originalEventJson": <aws.events.event.json>}';
    const out = shape({ InputTransformer: { InputTemplate: template } }, LS_EVENT);
    expect(out).toBe(
      `{"originalEvent":{"id":"${LS_EVENT.id}","account":"111111111111","detailType":"core.update-account-command",` +
        `"time":"${CTX.ingestionTime}","source":"core.update-account-command","region":"us-east-1","resources":[],"version":"0"},` +
        `"originalEventJson":${JSON.stringify(LS_EVENT)}}`,
    );
  });

  it('refuses a placeholder that names nothing', () => {
    const template = '"Event of <detail-type> type, with not defined key <notdefinedkey>"';
    expect(refusal({ Id: 'target-1', InputTransformer: { InputPathsMap: paths, InputTemplate: template } })).toBe(
      'InputTemplate for target target-1 contains invalid placeholder notdefinedkey.',
    );
  });
});

describe('InputTransformer: placement and escaping', () => {
  const special = 'say "hi" \\ bye\nnext\tline \u0001 é <b>';
  const event = {
    detail: {
      text: special,
      script: '<script>alert("x")</script>',
      lookalike: '<state>',
      n: 4.5,
      flag: true,
      nothing: null,
      obj: { a: [1, 'two'], 'k"ey': '<x>' },
      list: ['a', 'b'],
    },
  };
  const paths = {
    text: '$.detail.text',
    script: '$.detail.script',
    lookalike: '$.detail.lookalike',
    state: '$.detail.lookalike',
    n: '$.detail.n',
    flag: '$.detail.flag',
    nothing: '$.detail.nothing',
    obj: '$.detail.obj',
    list: '$.detail.list',
    missing: '$.detail.missing',
  };

  it('escapes strings inside a JSON template string, so the body stays valid JSON', () => {
    const out = transform('{"a": "[<text>]", "b": <text>}', paths, event);
    expect(JSON.parse(out)).toEqual({ a: `[${special}]`, b: special });
    expect(out).toBe(`{"a":"[${JSON.stringify(special).slice(1, -1)}]","b":${JSON.stringify(special)}}`);
  });

  it('writes non-string values as JSON in a value position, as escaped JSON text inside a string', () => {
    const out = transform('{"n": <n>, "f": <flag>, "z": <nothing>, "o": <obj>, "l": <list>, "s": "<n>|<flag>|<nothing>|<obj>|<list>"}', paths, event);
    expect(JSON.parse(out)).toEqual({
      n: 4.5,
      f: true,
      z: null,
      o: event.detail.obj,
      l: ['a', 'b'],
      s: `4.5|true|null|${JSON.stringify(event.detail.obj)}|["a","b"]`,
    });
  });

  it('writes a missing path as "" in a value position and as nothing inside a string', () => {
    expect(transform('{"m": <missing>, "s": "[<missing>]", "l": [<missing>]}', paths, event)).toBe('{"m":"","s":"[]","l":[""]}');
  });

  it('inserts values raw in a template that is not JSON (AWS escapes nothing there)', () => {
    expect(transform('"<text>"', paths, event)).toBe(`"${special}"`);
    expect(transform('n=<n> f=<flag> z=<nothing> o=<obj> l=<list> m=<missing>.', paths, event)).toBe(
      `n=4.5 f=true z=null o=${JSON.stringify(event.detail.obj)} l=["a","b"] m=.`,
    );
    // An array template is not a JSON template: strings go in unquoted.
    expect(transform('[<list>, <lookalike>]', paths, event)).toBe('[["a","b"], <state>]');
  });

  it('passes <script>-like and placeholder-like values through untouched, never substituting them again', () => {
    expect(transform('<script>', paths, event)).toBe('<script>alert("x")</script>');
    expect(JSON.parse(transform('{"html": "<script>", "v": <script>}', paths, event))).toEqual({ html: event.detail.script, v: event.detail.script });
    expect(transform('<lookalike> and <state>', paths, event)).toBe('<state> and <state>');
    expect(JSON.parse(transform('{"a": <lookalike>, "b": "<state>"}', paths, event))).toEqual({ a: '<state>', b: '<state>' });
  });

  it('keeps string literals exactly as written (escapes and spacing) while minifying around them', () => {
    expect(transform('{ "a b" : "  x\\u00e9\\/ <state> " ,\n\t"c" : [ 1 , -2.5e+3 , null , false ] }', paths, event)).toBe(
      '{"a b":"  x\\u00e9\\/ <state> ","c":[1,-2.5e+3,null,false]}',
    );
  });

  it('treats a "<" that opens no placeholder as text', () => {
    expect(JSON.parse(transform('{"a": "1 < 2", "b": "x <3"}', paths, event))).toEqual({ a: '1 < 2', b: 'x <3' });
    expect(transform('"1 < 2"', paths, event)).toBe('"1 < 2"');
  });

  it('substitutes inside a quoted key (a bare placeholder key is refused, below)', () => {
    expect(transform('{"k-<flag>": 1}', paths, event)).toBe('{"k-true":1}');
  });

  it('a template with no placeholders is sent as is (JSON minified)', () => {
    expect(transform('"constant"', {}, event)).toBe('"constant"');
    expect(transform('{ "constant": true }', {}, event)).toBe('{"constant":true}');
  });
});

describe('InputTransformer: where each predefined variable may go', () => {
  it('rule name, ARN and ingestion time go anywhere, quoted as values, raw in text', () => {
    const template = '{"arn": <aws.events.rule-arn>, "s": "<aws.events.rule-name>@<aws.events.event.ingestion-time>"}';
    expect(shape({ InputTransformer: { InputTemplate: template } })).toBe(`{"arn":"${CTX.ruleArn}","s":"example@${CTX.ingestionTime}"}`);
    expect(shape({ InputTransformer: { InputTemplate: '<aws.events.rule-name>' } })).toBe('example');
  });

  it('the event variables are refused outside a JSON template', () => {
    for (const name of ['aws.events.event.json', 'aws.events.event']) {
      for (const template of [`"the event: <${name}>"`, `[<${name}>]`, `<${name}>`])
        expect(refusal({ Id: 't1', InputTransformer: { InputTemplate: template } }), template).toBe(
          `InputTemplate for target t1 contains placeholder ${name} valid only for JSON template.`,
        );
    }
  });

  it('inside a JSON template string, the event is written as escaped JSON text', () => {
    const out = shape({ InputTransformer: { InputTemplate: '{"raw": "<aws.events.event.json>"}' } });
    expect(JSON.parse(JSON.parse(out).raw)).toEqual(EC2_EVENT);
  });
});

describe('InputTransformer: refused at PutTargets', () => {
  it('a JSON template that is not JSON, or uses a placeholder as a key', () => {
    const message = 'InputTemplate for target t1 is not a valid JSON text.';
    for (const template of ['{<state>: 1}', '{"a": <state> x}', '{"a": <state><state>}', '{"a": "unterminated}', '{"a": 1} trailing', '{"a": <nope}'])
      expect(refusal({ Id: 't1', InputTransformer: { InputPathsMap: GUIDE_PATHS, InputTemplate: template } }), template).toBe(message);
  });

  it('an InputPathsMap value that is not a supported path', () => {
    expect(refusal({ Id: 't9', InputTransformer: { InputPathsMap: { ok: '$.detail', bad: "$.detail['x']" }, InputTemplate: '<ok>' } })).toBe(
      'InputPath for target t9 is invalid.',
    );
  });

  it("the model's limits: 100 entries, key pattern and length (reserved dotted names fail it), 256-character paths", () => {
    const hundred = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, '$.detail']));
    validateTargetInput({ Id: 't1', InputTransformer: { InputPathsMap: hundred, InputTemplate: '<k0>' } });
    const many = { ...hundred, k100: '$.detail' };
    expect(refusal({ Id: 't1', InputTransformer: { InputPathsMap: many, InputTemplate: '<k0>' } }, 2)).toMatch(
      /^1 validation error detected: Value '\{k0=\$\.detail, k1=\$\.detail, .*, k100=\$\.detail\}' at 'targets\.2\.member\.inputTransformer\.inputPathsMap' failed to satisfy constraint: Member must have length less than or equal to 100$/,
    );
    expect(refusal({ Id: 't1', InputTransformer: { InputPathsMap: { 'aws.events.rule-name': '$.detail' }, InputTemplate: '"x"' } })).toBe(
      "1 validation error detected: Value '{aws.events.rule-name=$.detail}' at 'targets.1.member.inputTransformer.inputPathsMap' " +
        'failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 256, ' +
        'Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [A-Za-z0-9\\_\\-]+]',
    );
    expect(targetInputConstraintViolations({ InputTransformer: { InputPathsMap: { ['k'.repeat(257)]: '$' }, InputTemplate: '"x"' } })).toHaveLength(1);
    expect(targetInputConstraintViolations({ InputTransformer: { InputPathsMap: { '': '$' }, InputTemplate: '"x"' } })).toHaveLength(1);
    const longPath = `$.${'p'.repeat(255)}`;
    expect(refusal({ Id: 't1', InputTransformer: { InputPathsMap: { p: longPath }, InputTemplate: '<p>' } })).toBe(
      `1 validation error detected: Value '{p=${longPath}}' at 'targets.1.member.inputTransformer.inputPathsMap' ` +
        'failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 256]',
    );
  });

  it('InputTemplate is required, and 1 to 8192 characters', () => {
    expect(refusal({ Id: 't1', InputTransformer: { InputPathsMap: {} } })).toBe(
      "1 validation error detected: Value null at 'targets.1.member.inputTransformer.inputTemplate' failed to satisfy constraint: Member must not be null",
    );
    expect(refusal({ Id: 't1', InputTransformer: { InputTemplate: '' } })).toBe(
      "1 validation error detected: Value '' at 'targets.1.member.inputTransformer.inputTemplate' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    const long = `"${'a'.repeat(8191)}"`;
    expect(refusal({ Id: 't1', InputTransformer: { InputTemplate: long } })).toMatch(/Member must have length less than or equal to 8192$/);
    expect(shape({ InputTransformer: { InputTemplate: long.slice(1) } })).toBe(long.slice(1));
  });

  it('reports every violation of one target together, as AWS does', () => {
    const path = `$.${'a'.repeat(300)}`;
    const message = refusal({ Id: 't1', InputPath: path, InputTransformer: { InputTemplate: '' } });
    expect(message).toMatch(/^2 validation errors detected: Value '\$\.a+' at 'targets\.1\.member\.inputPath' .*; Value '' at 'targets\.1\.member\.inputTransformer\.inputTemplate' /);
  });
});

describe('compiled once, applied per event', () => {
  it('does not depend on the target object after compiling', () => {
    const target = { Id: 't1', InputTransformer: { InputPathsMap: { s: '$.detail.state' }, InputTemplate: '{"s": <s>}' } };
    const shaper = compileTargetInput(target);
    target.InputTransformer.InputTemplate = '"changed"';
    target.InputTransformer.InputPathsMap.s = '$.id';
    expect(shaper(EC2_EVENT, CTX)).toBe('{"s":"RUNNING"}');
  });

  it('reads each variable once per event however often the template uses it, and unused ones not at all', () => {
    let reads = 0;
    let unusedReads = 0;
    const detail = {};
    Object.defineProperty(detail, 'state', { enumerable: true, get: () => (reads++, 'RUNNING') });
    Object.defineProperty(detail, 'other', { enumerable: true, get: () => (unusedReads++, 'x') });
    const shaper = compileTargetInput({
      Id: 't1',
      InputTransformer: { InputPathsMap: { s: '$.detail.state', o: '$.detail.other' }, InputTemplate: '{"a": <s>, "b": "<s> <s>"}' },
    });
    expect(shaper({ detail }, CTX)).toBe('{"a":"RUNNING","b":"RUNNING RUNNING"}');
    expect(reads).toBe(1);
    expect(unusedReads).toBe(0);
    expect(shaper({ detail }, CTX)).toBe('{"a":"RUNNING","b":"RUNNING RUNNING"}');
    expect(reads).toBe(2);
  });

  it('gives each event its own values', () => {
    const shaper = compileTargetInput({ Id: 't1', InputTransformer: { InputPathsMap: { s: '$.detail.state' }, InputTemplate: '"<s>"' } });
    expect(shaper({ detail: { state: 'A' } }, CTX)).toBe('"A"');
    expect(shaper({ detail: { state: 'B' } }, CTX)).toBe('"B"');
    expect(shaper({ detail: {} }, CTX)).toBe('""');
  });
});
