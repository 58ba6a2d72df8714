#!/usr/bin/env node
/**
 * Writes a service's shapes (src/<service>/shapes.ts) from botocore's model (service-2.json), the
 * same Smithy model the JS SDK is generated from, keeping what the JS SDK's runtime schema drops
 * (the integer/long/double distinction) and the query protocol's names (lists `Name.member.N`,
 * maps `Name.entry.N.key/value`, locationNames such as MessageAttributes' `Name`/`Value`).
 * Run it when an operation is added to a service's list:
 *
 *   node scripts/gen-shapes.mjs events|sns [path/to/service-2.json.gz]
 *
 * Default path: the botocore of `python3` (pip's boto3).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** Per service: the model, the operations Switchyard serves (the others answer "not yet supported"), the output. */
const SERVICES = {
  events: {
    model: 'events/2015-10-07',
    prefix: 'events',
    title: "EventBridge's operations as shapes (awsJson1_1; JSON member names only)",
    more: 'the others answer "not yet supported" (see operations.ts)',
    allOperations: false,
    operations: [
  'CancelReplay', 'CreateApiDestination', 'CreateArchive', 'CreateConnection', 'CreateEventBus',
  'DeauthorizeConnection', 'DeleteApiDestination', 'DeleteArchive', 'DeleteConnection', 'DeleteEventBus',
  'DeleteRule', 'DescribeApiDestination', 'DescribeArchive', 'DescribeConnection', 'DescribeEventBus',
  'DescribeReplay', 'DescribeRule', 'DisableRule', 'EnableRule', 'ListApiDestinations', 'ListArchives',
  'ListConnections', 'ListEventBuses', 'ListReplays', 'ListRuleNamesByTarget', 'ListRules',
  'ListTagsForResource', 'ListTargetsByRule', 'PutEvents', 'PutPermission', 'PutRule', 'PutTargets',
  'RemovePermission', 'RemoveTargets', 'StartReplay', 'TagResource', 'TestEventPattern', 'UntagResource',
  'UpdateApiDestination', 'UpdateArchive', 'UpdateConnection', 'UpdateEventBus',
],
  },
  sns: {
    model: 'sns/2010-03-31',
    prefix: 'sns',
    title: "SNS's operations as shapes (query protocol, XML responses)",
    more: 'the others of `snsAllOperations` answer "not yet supported"',
    allOperations: true,
    operations: [
  'AddPermission', 'ConfirmSubscription', 'CreateTopic', 'DeleteTopic', 'GetDataProtectionPolicy',
  'GetSubscriptionAttributes', 'GetTopicAttributes', 'ListSubscriptions', 'ListSubscriptionsByTopic',
  'ListTagsForResource', 'ListTopics', 'Publish', 'PublishBatch', 'PutDataProtectionPolicy',
  'RemovePermission', 'SetSubscriptionAttributes', 'SetTopicAttributes', 'Subscribe', 'TagResource',
  'Unsubscribe', 'UntagResource',
],
  },
};

const service = SERVICES[process.argv[2]];
if (!service) throw new Error(`usage: node scripts/gen-shapes.mjs ${Object.keys(SERVICES).join('|')} [service-2.json.gz]`);
const OPERATIONS = service.operations;
let path = process.argv[3];
let botocoreVersion = 'unknown';
if (!path) {
  const out = execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__));print(botocore.__version__)'], { encoding: 'utf8' }).trim().split('\n');
  path = `${out[0]}/data/${service.model}/service-2.json.gz`;
  botocoreVersion = out[1];
}
const raw = readFileSync(path);
const model = JSON.parse((path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8'));
const shapes = model.shapes;

const consts = new Map(); // structure name -> emitted const name
const lines = [];

function expr(name) {
  const s = shapes[name];
  switch (s.type) {
    case 'string': return 'string';
    case 'integer': return 'integer';
    case 'long': return 'long';
    case 'double': case 'float': return 'double';
    case 'boolean': return 'boolean';
    case 'blob': return 'blob';
    case 'timestamp': return 'timestamp';
    case 'list': {
      const opts = [];
      if (s.flattened) opts.push('flattened: true');
      if (s.member.locationName) opts.push(`memberName: '${s.member.locationName}'`);
      return `list(${expr(s.member.shape)}${opts.length ? `, { ${opts.join(', ')} }` : ''})`;
    }
    case 'map': {
      const opts = [];
      if (s.flattened) opts.push('flattened: true');
      if (s.key.locationName) opts.push(`keyName: '${s.key.locationName}'`);
      if (s.value.locationName) opts.push(`valueName: '${s.value.locationName}'`);
      return `map(${expr(s.value.shape)}${opts.length ? `, { ${opts.join(', ')} }` : ''})`;
    }
    case 'structure': return structConst(name);
    default: throw new Error(`unknown type ${s.type} of ${name}`);
  }
}

function structConst(name) {
  if (consts.has(name)) return consts.get(name);
  const id = name[0].toLowerCase() + name.slice(1);
  consts.set(name, id);
  const s = shapes[name];
  const req = new Set(s.required ?? []);
  const members = Object.entries(s.members).map(([m, spec]) => {
    const e = expr(spec.shape);
    const wireName = spec.locationName && spec.locationName !== m ? `'${spec.locationName}'` : undefined;
    if (req.has(m)) return `  ${m}: required(${e}${wireName ? `, ${wireName}` : ''}),`;
    return `  ${m}: ${wireName ? `wire(${e}, ${wireName})` : e},`;
  });
  lines.push(`const ${id} = structure({\n${members.join('\n')}\n});`);
  return id;
}

const ops = [];
for (const op of OPERATIONS) {
  const o = model.operations[op];
  if (!o) throw new Error(`no operation ${op}`);
  const input = o.input ? structConst(o.input.shape) : 'structure({})';
  const output = o.output ? structConst(o.output.shape) : undefined;
  ops.push(`  ${op}: { input: ${input}${output ? `, output: ${output}` : ''} },`);
}
const all = Object.keys(model.operations).sort();

const used = new Set(['required', 'structure']);
const body = lines.join('\n\n');
for (const n of ['blob', 'boolean', 'double', 'integer', 'list', 'long', 'map', 'string', 'timestamp', 'wire'])
  if (new RegExp(`\\b${n}\\(|\\b${n}\\b[,)]`).test(body)) used.add(n);
const imports = [...used].sort().join(', ');

const name = service.prefix;
const text = `/**
 * ${service.title}. GENERATED by
 * scripts/gen-shapes.mjs from botocore ${botocoreVersion}'s ${service.model.replace('/', ' ')} model;
 * do not edit by hand. Only the operations Switchyard serves are listed;
 * ${service.more}.
 */
import { ${imports}, type OperationShapes } from '../gateway/shapes.js';

${body}

export const ${name}Shapes = {
${ops.join('\n')}
} satisfies Record<string, OperationShapes>;

export type ${name[0].toUpperCase() + name.slice(1)}Operation = keyof typeof ${name}Shapes;
${
  service.allOperations
    ? `
/** Every operation of the model (${all.length}). */
export const ${name}AllOperations: ReadonlySet<string> = new Set([
${all.map((o) => `  '${o}',`).join('\n')}
]);
`
    : ''
}`;
writeFileSync(new URL(`../src/${name}/shapes.ts`, import.meta.url), text);
console.log(`wrote src/${name}/shapes.ts: ${OPERATIONS.length} of ${all.length} operations, ${consts.size} structures`);
