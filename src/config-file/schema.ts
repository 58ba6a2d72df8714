/**
 * The config file's schema: what each section may hold, checked key by key, and turned into the
 * model apply.ts works from (values already in the form AWS's requests take them). Nothing here
 * looks at the running services: references between resources are checked in apply.ts, where
 * resources that already exist count too. docs/configuration.md documents every key.
 */
import { FaultSpecError, checkFaultSpec, type FaultSpec } from '../faults/faults.js';
import { eventsShapes } from '../events/shapes.js';
import { Checker, asStructure, camel, memberShape, type Mapping } from './check.js';
import { describeValue, joinPath } from './errors.js';

/** Settings the file may give; options passed to startSwitchyard (flags, environment) win. */
export interface ConfigSettings {
  port?: number;
  host?: string;
  region?: string;
  account?: string;
  forward?: Record<string, string>;
  traceCapacity?: number;
  rulesPerBus?: number;
  idempotencyKeyPath?: string;
  idempotencyKeyAttribute?: string;
  faults?: { seed?: number; rules?: FaultSpec[] };
  credentials?: { accessKeyId: string; secretAccessKey: string; account?: string }[];
  strictAuth?: boolean;
}

/** Where a resource lives; absent parts are the server's account and region. */
interface Placed {
  /** Path of the resource in the file (`queues[0]`), for errors. */
  path: string;
  name: string;
  account?: string;
  region?: string;
}

/** A queue named by another resource (a DLQ, a subscription's or a target's queue). */
export interface QueueRef {
  path: string;
  name?: string;
  arn?: string;
}

export interface QueueDecl extends Placed {
  fifo: boolean;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  deadLetter?: QueueRef & { maxReceiveCount: number };
}

export interface SubscriptionDecl {
  path: string;
  protocol: string;
  /** The endpoint as given, or undefined when `queue` names it. */
  endpoint?: string;
  queue?: { path: string; name: string };
  attributes: Record<string, string>;
  deadLetter?: QueueRef;
}

export interface TopicDecl extends Placed {
  fifo: boolean;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  subscriptions: SubscriptionDecl[];
}

export interface BusDecl extends Placed {
  /** CreateEventBus members other than Name and Tags (Description, KmsKeyIdentifier, DeadLetterConfig). */
  request: Mapping;
  deadLetter?: QueueRef;
  tags: Record<string, string>;
}

export interface ConnectionDecl extends Placed {
  /** CreateConnection members other than Name. */
  request: Mapping;
}

export interface ApiDestinationDecl extends Placed {
  connection?: { path: string; name: string };
  /** CreateApiDestination members other than Name (ConnectionArn only when given as an ARN). */
  request: Mapping;
}

export type TargetRef =
  | { kind: 'arn'; arn: string }
  | { kind: 'queue' | 'topic' | 'bus' | 'apiDestination'; path: string; name: string };

export interface TargetDecl {
  path: string;
  id: string;
  ref: TargetRef;
  deadLetter?: QueueRef;
  /** Target members other than Id and Arn, with AWS's names (Input as JSON text). */
  request: Mapping;
}

export interface RuleDecl extends Placed {
  /** The bus's name or ARN, and where the file gave it (undefined: the default bus). */
  bus: string;
  busPath?: string;
  /** PutRule members other than Name, EventBusName and Tags (EventPattern as JSON text). */
  request: Mapping;
  tags: Record<string, string>;
  targets: TargetDecl[];
}

/** A CloudFormation / SAM / CDK template to apply after the file's resources (src/templates). */
export interface TemplateDecl {
  path: string;
  /** As written in the file; relative to the config file's directory. */
  file: string;
  stackName?: string;
  parameters: Record<string, string>;
}

export interface ConfigModel {
  label: string;
  settings: ConfigSettings;
  queues: QueueDecl[];
  topics: TopicDecl[];
  buses: BusDecl[];
  connections: ConnectionDecl[];
  apiDestinations: ApiDestinationDecl[];
  rules: RuleDecl[];
  templates: TemplateDecl[];
}

const SETTINGS = ['port', 'host', 'region', 'account', 'forward', 'traceCapacity', 'rulesPerBus', 'idempotencyKeyPath', 'idempotencyKeyAttribute', 'faults', 'credentials', 'strictAuth'] as const;
const SECTIONS = ['queues', 'topics', 'buses', 'rules', 'connections', 'apiDestinations', 'templates'] as const;
const TOP_LEVEL = [...SETTINGS, ...SECTIONS];
const FORWARD_SERVICES = ['lambda', 'states', 'kinesis', 'firehose', 'logs'];
const PLACEMENT = ['name', 'account', 'region'];

const TARGET_SHAPE = asStructure(memberShape(eventsShapes.PutTargets.input, 'Targets'));
const BUS_SHAPE = eventsShapes.CreateEventBus.input;
const RULE_SHAPE = eventsShapes.PutRule.input;
const CONNECTION_SHAPE = eventsShapes.CreateConnection.input;
const API_DESTINATION_SHAPE = eventsShapes.CreateApiDestination.input;

/** Check a config's content and make the model; throws a ConfigFileError at the first problem. */
export function checkConfig(data: unknown, label: string): ConfigModel {
  const c = new Checker(label);
  const model: ConfigModel = { label, settings: {}, queues: [], topics: [], buses: [], connections: [], apiDestinations: [], rules: [], templates: [] };
  // An empty file (or one holding only comments) declares nothing.
  if (data === null || data === undefined) return model;
  if (!c.isMapping(data))
    c.fail(undefined, `the file must hold a mapping of settings and resources (${TOP_LEVEL.join(', ')}), not ${Array.isArray(data) ? 'a list' : 'a single value'}`);
  // Keys starting with `x-` are the file's own (a place for YAML anchors to share); they are ignored.
  const own = Object.keys(data).filter((k) => k.startsWith('x-'));
  const top = c.mapping(data, '', [...TOP_LEVEL, ...own], TOP_LEVEL);
  model.settings = checkSettings(c, top);
  const section = (key: (typeof SECTIONS)[number]): unknown[] => (top[key] === undefined || top[key] === null ? [] : c.list(top[key], key));
  model.queues = section('queues').map((v, i) => checkQueue(c, v, `queues[${i}]`));
  model.topics = section('topics').map((v, i) => checkTopic(c, v, `topics[${i}]`));
  model.buses = section('buses').map((v, i) => checkBus(c, v, `buses[${i}]`));
  model.connections = section('connections').map((v, i) => checkConnection(c, v, `connections[${i}]`));
  model.apiDestinations = section('apiDestinations').map((v, i) => checkApiDestination(c, v, `apiDestinations[${i}]`));
  model.rules = section('rules').map((v, i) => checkRule(c, v, `rules[${i}]`));
  model.templates = section('templates').map((v, i) => checkTemplateEntry(c, v, `templates[${i}]`));
  return model;
}

/** `templates: [{file, stackName, parameters}]`, or just the file's name. */
function checkTemplateEntry(c: Checker, v: unknown, path: string): TemplateDecl {
  if (typeof v === 'string') return { path, file: c.name(v, path), parameters: {} };
  const o = c.mapping(v, path, ['file', 'stackName', 'parameters']);
  const decl: TemplateDecl = { path, file: c.name(o.file, joinPath(path, 'file')), parameters: {} };
  if (o.stackName !== undefined) decl.stackName = c.name(o.stackName, joinPath(path, 'stackName'));
  if (o.parameters !== undefined && o.parameters !== null) {
    // Parameter values are text to CloudFormation; numbers and booleans are written as text.
    const params = c.mapping(o.parameters, joinPath(path, 'parameters'), Object.keys(o.parameters as Mapping));
    for (const [k, item] of Object.entries(params)) {
      if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') decl.parameters[k] = String(item);
      else if (Array.isArray(item) && item.every((x) => typeof x === 'string' || typeof x === 'number')) decl.parameters[k] = item.join(',');
      else c.fail(joinPath(joinPath(path, 'parameters'), k), `must be a string, got ${describeValue(item)}`);
    }
  }
  return decl;
}

function checkSettings(c: Checker, top: Mapping): ConfigSettings {
  const s: ConfigSettings = {};
  if (top.port !== undefined) s.port = c.integer(top.port, 'port', 0, 65535);
  if (top.host !== undefined) s.host = c.name(top.host, 'host');
  if (top.region !== undefined) s.region = c.region(top.region, 'region');
  if (top.account !== undefined) s.account = c.account(top.account, 'account');
  if (top.traceCapacity !== undefined) s.traceCapacity = c.integer(top.traceCapacity, 'traceCapacity', 1, 10_000_000);
  if (top.rulesPerBus !== undefined) s.rulesPerBus = c.integer(top.rulesPerBus, 'rulesPerBus', 1, 1_000_000);
  if (top.idempotencyKeyPath !== undefined) s.idempotencyKeyPath = c.name(top.idempotencyKeyPath, 'idempotencyKeyPath');
  if (top.idempotencyKeyAttribute !== undefined) s.idempotencyKeyAttribute = c.name(top.idempotencyKeyAttribute, 'idempotencyKeyAttribute');
  if (top.faults !== undefined) s.faults = checkFaults(c, top.faults);
  if (top.strictAuth !== undefined) s.strictAuth = c.boolean(top.strictAuth, 'strictAuth');
  if (top.credentials !== undefined)
    s.credentials = c.list(top.credentials, 'credentials').map((v, i) => {
      const path = `credentials[${i}]`;
      const o = c.mapping(v, path, ['accessKeyId', 'secretAccessKey', 'account']);
      const accessKeyId = c.name(o.accessKeyId, joinPath(path, 'accessKeyId'));
      if (!/^[A-Za-z0-9]{1,128}$/.test(accessKeyId)) c.fail(joinPath(path, 'accessKeyId'), `must be 1 to 128 letters and digits, got ${JSON.stringify(accessKeyId)}`);
      const cred: NonNullable<ConfigSettings['credentials']>[number] = { accessKeyId, secretAccessKey: c.name(o.secretAccessKey, joinPath(path, 'secretAccessKey')) };
      if (o.account !== undefined) cred.account = c.account(o.account, joinPath(path, 'account'));
      return cred;
    });
  if (top.forward !== undefined) {
    const f = c.mapping(top.forward, 'forward', FORWARD_SERVICES);
    s.forward = {};
    for (const [service, url] of Object.entries(f)) {
      const path = joinPath('forward', service);
      const text = c.string(url, path);
      let parsed: URL | undefined;
      try {
        parsed = new URL(text);
      } catch {
        parsed = undefined;
      }
      if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
        c.fail(path, `must be an http:// or https:// URL, got ${JSON.stringify(text)}`);
      s.forward[service] = text;
    }
  }
  return s;
}

/** `faults: {seed, rules: [...]}`: each rule checked as the faults API checks it (src/faults). */
function checkFaults(c: Checker, value: unknown): NonNullable<ConfigSettings['faults']> {
  const f = c.mapping(value, 'faults', ['seed', 'rules']);
  const out: NonNullable<ConfigSettings['faults']> = {};
  if (f.seed !== undefined) out.seed = c.integer(f.seed, 'faults.seed', 0, 2 ** 32 - 1);
  if (f.rules !== undefined && f.rules !== null) {
    out.rules = c.list(f.rules, 'faults.rules').map((rule, i) => {
      try {
        return checkFaultSpec(rule, `faults.rules[${i}]`);
      } catch (err) {
        if (!(err instanceof FaultSpecError)) throw err;
        return c.fail(err.path, err.message.slice(err.path.length + 2));
      }
    });
  }
  return out;
}

function placement(c: Checker, o: Mapping, path: string): Placed {
  const p: Placed = { path, name: c.name(o.name, joinPath(path, 'name')) };
  if (o.account !== undefined) p.account = c.account(o.account, joinPath(path, 'account'));
  if (o.region !== undefined) p.region = c.region(o.region, joinPath(path, 'region'));
  return p;
}

/** `fifo:` and the name: a name ending in `.fifo` means FIFO unless `fifo: false` says otherwise. */
function fifoOf(c: Checker, o: Mapping, name: string, attributes: Record<string, string>, attribute: string, path: string): boolean {
  const given = o.fifo === undefined ? undefined : c.boolean(o.fifo, joinPath(path, 'fifo'));
  const attr = attributes[attribute];
  if (given !== undefined && attr !== undefined && String(given) !== attr.toLowerCase())
    c.fail(joinPath(path, 'fifo'), `says ${given} but attributes.${attribute} says ${attr}`);
  return given ?? (attr !== undefined ? attr.toLowerCase() === 'true' : name.endsWith('.fifo'));
}

/** A queue named by name or ARN: `name`, `{name}` or `{arn}` (plus the extra keys the caller allows). */
function queueRef(c: Checker, v: unknown, path: string, extra: readonly string[] = []): { ref: QueueRef; o?: Mapping } {
  if (typeof v === 'string') {
    if (v === '') c.fail(path, 'must not be empty');
    return { ref: v.startsWith('arn:') ? { path, arn: v } : { path, name: v } };
  }
  if (!c.isMapping(v)) c.fail(path, `must be a queue name or a mapping with name (or arn), got ${describeValue(v)}`);
  const o = c.mapping(v, path, ['name', 'arn', ...extra]);
  if ((o.name === undefined) === (o.arn === undefined)) c.fail(path, 'give the queue by name or by arn (one of them)');
  return {
    ref: o.name !== undefined ? { path, name: c.name(o.name, joinPath(path, 'name')) } : { path, arn: c.name(o.arn, joinPath(path, 'arn')) },
    o,
  };
}

function checkQueue(c: Checker, v: unknown, path: string): QueueDecl {
  const o = c.mapping(v, path, [...PLACEMENT, 'fifo', 'attributes', 'deadLetterQueue', 'tags']);
  const p = placement(c, o, path);
  const attributes = c.attributes(o.attributes, joinPath(path, 'attributes'));
  const fifo = fifoOf(c, o, p.name, attributes, 'FifoQueue', path);
  if (fifo) attributes.FifoQueue = 'true';
  else delete attributes.FifoQueue;
  const q: QueueDecl = { ...p, fifo, attributes, tags: c.tags(o.tags, joinPath(path, 'tags')) };
  if (o.deadLetterQueue !== undefined) {
    const dlqPath = joinPath(path, 'deadLetterQueue');
    if (attributes.RedrivePolicy !== undefined)
      c.fail(dlqPath, 'give either deadLetterQueue or attributes.RedrivePolicy, not both');
    if (!c.isMapping(o.deadLetterQueue)) c.fail(dlqPath, 'must be a mapping with name (or arn) and maxReceiveCount');
    const { ref, o: d } = queueRef(c, o.deadLetterQueue, dlqPath, ['maxReceiveCount']);
    const countPath = joinPath(dlqPath, 'maxReceiveCount');
    if (d?.maxReceiveCount === undefined) c.fail(countPath, 'is required');
    q.deadLetter = { ...ref, maxReceiveCount: c.integer(d.maxReceiveCount, countPath, 1, 1000) };
  }
  return q;
}

const SUBSCRIPTION_KEYS = [
  'protocol',
  'endpoint',
  'queue',
  'rawMessageDelivery',
  'filterPolicy',
  'filterPolicyScope',
  'deliveryPolicy',
  'redrivePolicy',
  'deadLetterQueue',
  'subscriptionRoleArn',
  'replayPolicy',
];

function checkTopic(c: Checker, v: unknown, path: string): TopicDecl {
  const o = c.mapping(v, path, [...PLACEMENT, 'fifo', 'attributes', 'tags', 'subscriptions']);
  const p = placement(c, o, path);
  const attributes = c.attributes(o.attributes, joinPath(path, 'attributes'));
  const fifo = fifoOf(c, o, p.name, attributes, 'FifoTopic', path);
  if (fifo) attributes.FifoTopic = 'true';
  else delete attributes.FifoTopic;
  const subs = o.subscriptions === undefined ? [] : c.list(o.subscriptions, joinPath(path, 'subscriptions'));
  return {
    ...p,
    fifo,
    attributes,
    tags: c.tags(o.tags, joinPath(path, 'tags')),
    subscriptions: subs.map((s, i) => checkSubscription(c, s, `${path}.subscriptions[${i}]`)),
  };
}

function checkSubscription(c: Checker, v: unknown, path: string): SubscriptionDecl {
  const o = c.mapping(v, path, SUBSCRIPTION_KEYS);
  const at = (k: string) => joinPath(path, k);
  let protocol = o.protocol === undefined ? undefined : c.name(o.protocol, at('protocol'));
  const s: SubscriptionDecl = { path, protocol: '', attributes: {} };
  if (o.queue !== undefined) {
    if (o.endpoint !== undefined) c.fail(at('queue'), 'give either queue or endpoint, not both');
    if (protocol !== undefined && protocol !== 'sqs') c.fail(at('queue'), `names an SQS queue, but protocol is ${protocol}`);
    protocol = 'sqs';
    s.queue = { path: at('queue'), name: c.name(o.queue, at('queue')) };
  } else {
    if (protocol === undefined) c.fail(at('protocol'), 'is required (or give queue: for an SQS queue of the file)');
    if (o.endpoint === undefined) c.fail(at('endpoint'), `is required for protocol ${protocol}`);
    s.endpoint = c.name(o.endpoint, at('endpoint'));
  }
  s.protocol = protocol;
  if (o.rawMessageDelivery !== undefined) s.attributes.RawMessageDelivery = String(c.boolean(o.rawMessageDelivery, at('rawMessageDelivery')));
  // The scope goes before the policy: a body-scope policy is checked in its own scope.
  if (o.filterPolicyScope !== undefined) s.attributes.FilterPolicyScope = c.name(o.filterPolicyScope, at('filterPolicyScope'));
  if (o.filterPolicy !== undefined) s.attributes.FilterPolicy = c.json(o.filterPolicy, at('filterPolicy'));
  if (o.deliveryPolicy !== undefined) s.attributes.DeliveryPolicy = c.json(o.deliveryPolicy, at('deliveryPolicy'));
  if (o.subscriptionRoleArn !== undefined) s.attributes.SubscriptionRoleArn = c.name(o.subscriptionRoleArn, at('subscriptionRoleArn'));
  if (o.replayPolicy !== undefined) s.attributes.ReplayPolicy = c.json(o.replayPolicy, at('replayPolicy'));
  if (o.redrivePolicy !== undefined) {
    if (o.deadLetterQueue !== undefined) c.fail(at('deadLetterQueue'), 'give either deadLetterQueue or redrivePolicy, not both');
    s.attributes.RedrivePolicy = c.json(o.redrivePolicy, at('redrivePolicy'));
  }
  if (o.deadLetterQueue !== undefined) s.deadLetter = queueRef(c, o.deadLetterQueue, at('deadLetterQueue')).ref;
  return s;
}

function checkBus(c: Checker, v: unknown, path: string): BusDecl {
  const skip = new Set(['Name', 'Tags', 'EventSourceName', 'LogConfig']);
  const members = BUS_SHAPE.members.filter((m) => !skip.has(m.name));
  const o = c.mapping(v, path, [...PLACEMENT, ...members.map((m) => camel(m.name)), 'deadLetterQueue', 'tags']);
  const p = placement(c, o, path);
  const b: BusDecl = { ...p, request: c.awsMembers(o, members, path, true), tags: c.tags(o.tags, joinPath(path, 'tags')) };
  if (o.deadLetterQueue !== undefined) {
    if (b.request.DeadLetterConfig !== undefined) c.fail(joinPath(path, 'deadLetterQueue'), 'give either deadLetterQueue or deadLetterConfig, not both');
    b.deadLetter = queueRef(c, o.deadLetterQueue, joinPath(path, 'deadLetterQueue')).ref;
  }
  if (p.name === 'default' && (Object.keys(b.request).length > 0 || b.deadLetter))
    c.fail(joinPath(path, 'name'), 'the default bus exists in every account and region; only tags can be declared for it');
  return b;
}

function checkConnection(c: Checker, v: unknown, path: string): ConnectionDecl {
  const members = CONNECTION_SHAPE.members.filter((m) => m.name !== 'Name');
  const o = c.mapping(v, path, [...PLACEMENT, ...members.map((m) => camel(m.name))]);
  return { ...placement(c, o, path), request: c.awsMembers(o, members, path, true) };
}

function checkApiDestination(c: Checker, v: unknown, path: string): ApiDestinationDecl {
  const skip = new Set(['Name', 'InvocationEndpoint', 'ConnectionArn']);
  const members = API_DESTINATION_SHAPE.members.filter((m) => !skip.has(m.name));
  const o = c.mapping(v, path, [...PLACEMENT, 'connection', 'connectionArn', 'endpoint', ...members.map((m) => camel(m.name))]);
  const at = (k: string) => joinPath(path, k);
  const d: ApiDestinationDecl = { ...placement(c, o, path), request: c.awsMembers(o, members, path, true) };
  if ((o.connection === undefined) === (o.connectionArn === undefined)) c.fail(at('connection'), 'give the connection by name (connection) or by ARN (connectionArn)');
  if (o.connection !== undefined) d.connection = { path: at('connection'), name: c.name(o.connection, at('connection')) };
  else d.request.ConnectionArn = c.name(o.connectionArn, at('connectionArn'));
  d.request.InvocationEndpoint = c.name(o.endpoint, at('endpoint'));
  return d;
}

const TARGET_KINDS = ['arn', 'queue', 'topic', 'bus', 'apiDestination'] as const;

function checkRule(c: Checker, v: unknown, path: string): RuleDecl {
  const skip = new Set(['Name', 'EventBusName', 'EventPattern', 'Tags']);
  const members = RULE_SHAPE.members.filter((m) => !skip.has(m.name));
  const o = c.mapping(v, path, [...PLACEMENT, 'bus', 'eventPattern', ...members.map((m) => camel(m.name)), 'tags', 'targets']);
  const at = (k: string) => joinPath(path, k);
  const p = placement(c, o, path);
  const request = c.awsMembers(o, members, path, true);
  if (o.eventPattern !== undefined) request.EventPattern = c.json(o.eventPattern, at('eventPattern'));
  const targets = o.targets === undefined ? [] : c.list(o.targets, at('targets'));
  const rule: RuleDecl = {
    ...p,
    bus: o.bus === undefined ? 'default' : c.name(o.bus, at('bus')),
    busPath: o.bus === undefined ? undefined : at('bus'),
    request,
    tags: c.tags(o.tags, at('tags')),
    targets: targets.map((t, i) => checkTarget(c, t, `${path}.targets[${i}]`)),
  };
  const ids = new Map<string, string>();
  for (const t of rule.targets) {
    const seen = ids.get(t.id);
    if (seen) c.fail(joinPath(t.path, 'id'), `target id "${t.id}" is used twice in this rule (also at ${seen})`);
    ids.set(t.id, t.path);
  }
  return rule;
}

function checkTarget(c: Checker, v: unknown, path: string): TargetDecl {
  const skip = new Set(['Id', 'Arn', 'Input']);
  const members = TARGET_SHAPE.members.filter((m) => !skip.has(m.name));
  const o = c.mapping(v, path, ['id', ...TARGET_KINDS, 'input', 'deadLetterQueue', ...members.map((m) => camel(m.name))]);
  const at = (k: string) => joinPath(path, k);
  const kinds = TARGET_KINDS.filter((k) => o[k] !== undefined);
  if (kinds.length === 0) c.fail(path, `say where the target delivers: one of ${TARGET_KINDS.join(', ')}`);
  if (kinds.length > 1) c.fail(at(kinds[1]), `give only one of ${TARGET_KINDS.join(', ')} (${kinds[0]} is given too)`);
  const kind = kinds[0];
  const value = c.name(o[kind], at(kind));
  const ref: TargetRef = kind === 'arn' ? { kind, arn: value } : { kind, path: at(kind), name: value };
  if (o.id === undefined && kind === 'arn') c.fail(at('id'), 'is required for a target given by arn');
  const id = o.id === undefined ? value : c.name(o.id, at('id'));
  const request = c.awsMembers(o, members, path, true);
  // Input is JSON text in AWS's API; a mapping (or list, number...) here is written out as JSON.
  if (o.input === null) c.fail(at('input'), 'must be the input: a mapping, or JSON text as a string');
  if (o.input !== undefined) request.Input = typeof o.input === 'string' ? o.input : JSON.stringify(o.input);
  const t: TargetDecl = { path, id, ref, request };
  if (o.deadLetterQueue !== undefined) {
    if (request.DeadLetterConfig !== undefined) c.fail(at('deadLetterQueue'), 'give either deadLetterQueue or deadLetterConfig, not both');
    t.deadLetter = queueRef(c, o.deadLetterQueue, at('deadLetterQueue')).ref;
  }
  return t;
}
