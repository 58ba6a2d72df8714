/**
 * EventBridge's resources: AWS::Events::EventBus (and its Policy), AWS::Events::EventBusPolicy,
 * AWS::Events::Rule (with its targets: input transformers, retry policies, DLQs),
 * AWS::Events::Archive, AWS::Events::Connection and AWS::Events::ApiDestination, through
 * CreateEventBus, PutPermission, PutRule, PutTargets, CreateArchive, CreateConnection and
 * CreateApiDestination, and their Update operations when applied again.
 *
 * What Ref gives follows CloudFormation: a bus's name; a rule's name on the default bus and
 * `bus|name` on another bus (CloudFormation's physical id for such a rule); an archive's,
 * connection's or API destination's name. GetAtt gives their ARNs.
 */
import { canonical, sameValue, tagList } from '../config-file/apply.js';
import { memberShape } from '../config-file/check.js';
import { eventsShapes } from '../events/shapes.js';
import type { Props } from './properties.js';
import type { Out, Outcome, Provider, ResourceContext, Where } from './resource.js';
import { whereOf } from './resource.js';

const TARGETS = memberShape(eventsShapes.PutTargets.input, 'Targets');
const BUS = eventsShapes.CreateEventBus.input;
const CONNECTION = eventsShapes.CreateConnection.input;
const CONDITION = memberShape(eventsShapes.PutPermission.input, 'Condition');

/** Tags an EventBridge resource with the template's tags that differ; whether any did. */
function tagEvents(r: ResourceContext, ResourceARN: string, tags: Record<string, string>, where: Where): boolean {
  if (Object.keys(tags).length === 0) return false;
  const events = r.services.events;
  const current = Object.fromEntries(((r.call(events, 'ListTagsForResource', { ResourceARN }, where).Tags ?? []) as Array<{ Key: string; Value: string }>).map((x) => [x.Key, x.Value]));
  const changed = Object.entries(tags).filter(([k, v]) => current[k] !== v);
  if (changed.length === 0) return false;
  r.call(events, 'TagResource', { ResourceARN, Tags: tagList(Object.fromEntries(changed)) }, where);
  return true;
}

/** The members of `keys` the template gives, read as `read` says. */
function request(p: Props, keys: Record<string, (key: string) => unknown>): Out {
  const out: Out = {};
  for (const [key, read] of Object.entries(keys)) {
    const v = read(key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** The members of `wanted` that differ from `current`. */
function differences(current: Out, wanted: Out): Out {
  return Object.fromEntries(Object.entries(wanted).filter(([k, v]) => !sameValue(current[k], v)));
}

export const eventBus: Provider = {
  properties: ['Name', 'Description', 'KmsKeyIdentifier', 'DeadLetterConfig', 'EventSourceName', 'LogConfig', 'Policy', 'Tags'],
  attributes: ['Arn', 'Name', 'Policy'],
  apply(r) {
    const p: Props = r.props;
    const events = r.services.events;
    const name = p.requiredString('Name');
    if (p.has('EventSourceName')) p.fail('EventSourceName', 'partner event buses are not supported by Switchyard');
    const wanted = request(p, {
      Description: (k) => p.string(k),
      KmsKeyIdentifier: (k) => p.string(k) || undefined,
      DeadLetterConfig: (k) => p.shaped(k, memberShape(BUS, k)),
      LogConfig: (k) => p.shaped(k, memberShape(BUS, k)),
    });
    const tags = p.tags();
    const found = r.tryCall(events, 'DescribeEventBus', { Name: name }, 'ResourceNotFoundException');
    let status: Outcome['status'];
    let arn: string;
    if (!found) {
      arn = r.call(events, 'CreateEventBus', { Name: name, ...wanted, ...(Object.keys(tags).length ? { Tags: tagList(tags) } : {}) }).EventBusArn as string;
      status = 'created';
    } else {
      arn = found.Arn as string;
      const changed = differences(found, wanted);
      let updated = false;
      if (Object.keys(changed).length) {
        r.call(events, 'UpdateEventBus', { Name: name, ...changed });
        updated = true;
      }
      if (tagEvents(r, arn, tags, r.where)) updated = true;
      status = updated ? 'updated' : 'unchanged';
    }
    const policy = p.json('Policy');
    if (policy !== undefined) {
      const current = r.call(events, 'DescribeEventBus', { Name: name }).Policy;
      if (!sameValue(current, policy)) {
        r.call(events, 'PutPermission', { EventBusName: name, Policy: policy });
        if (status === 'unchanged') status = 'updated';
      }
    }
    const described = r.call(events, 'DescribeEventBus', { Name: name });
    return { status, physicalId: name, ref: name, arn, attributes: { Arn: arn, Name: name, Policy: described.Policy ?? '' } };
  },
};

export const eventBusPolicy: Provider = {
  properties: ['EventBusName', 'StatementId', 'Statement', 'Action', 'Principal', 'Condition'],
  attributes: [],
  apply(r) {
    const p: Props = r.props;
    const events = r.services.events;
    const bus = p.string('EventBusName') ?? 'default';
    const sid = p.requiredString('StatementId');
    const where = bus.startsWith('arn:') ? whereOf(bus, r.where) : r.where;
    const before = r.call(events, 'DescribeEventBus', { Name: bus }, where).Policy as string | undefined;
    const statements = (before ? ((JSON.parse(before) as { Statement?: Out[] }).Statement ?? []) : []) as Out[];
    if (p.has('Statement')) {
      // A whole statement: put in the bus's policy in place of the one with the same Sid.
      const given = p.json('Statement')!;
      const statement = { ...(JSON.parse(given) as Out), Sid: sid };
      const policy = { Version: '2012-10-17', Statement: [...statements.filter((s) => s.Sid !== sid), statement] };
      if (!statements.some((s) => s.Sid === sid && canonical(s) === canonical(statement)))
        r.call(events, 'PutPermission', { EventBusName: bus, Policy: JSON.stringify(policy) }, where);
    } else {
      const input: Out = { EventBusName: bus, StatementId: sid, Action: p.string('Action') ?? 'events:PutEvents', Principal: p.requiredString('Principal') };
      const condition = p.shaped('Condition', CONDITION);
      if (condition !== undefined) input.Condition = condition;
      r.call(events, 'PutPermission', input, where);
    }
    const after = r.call(events, 'DescribeEventBus', { Name: bus }, where).Policy as string | undefined;
    const status: Outcome['status'] = sameValue(before, after) ? 'unchanged' : statements.some((s) => s.Sid === sid) ? 'updated' : 'created';
    return { status, physicalId: sid, ref: sid, attributes: {} };
  },
};

export const rule: Provider = {
  properties: ['Name', 'EventBusName', 'EventPattern', 'ScheduleExpression', 'State', 'Description', 'RoleArn', 'Targets', 'Tags'],
  attributes: ['Arn'],
  apply(r) {
    const p: Props = r.props;
    const events = r.services.events;
    const name = p.string('Name') ?? r.name({ maxLength: 64 });
    const bus = p.string('EventBusName') ?? 'default';
    const where = bus.startsWith('arn:') ? whereOf(bus, r.where) : r.where;
    const busName = bus.startsWith('arn:') ? bus.slice(bus.indexOf(':event-bus/') + ':event-bus/'.length) : bus;
    const wanted = request(p, {
      EventPattern: (k) => p.json(k),
      ScheduleExpression: (k) => p.string(k),
      State: (k) => p.string(k),
      Description: (k) => p.string(k),
      RoleArn: (k) => p.string(k),
    });
    const tags = p.tags();
    const found = r.tryCall(events, 'DescribeRule', { Name: name, EventBusName: bus }, 'ResourceNotFoundException', where);
    let updated = false;
    let arn = found?.Arn as string | undefined;
    if (!found || Object.keys(differences(found, wanted)).length) {
      arn = r.call(events, 'PutRule', { Name: name, EventBusName: bus, ...wanted, ...(Object.keys(tags).length ? { Tags: tagList(tags) } : {}) }, where).RuleArn as string;
      updated = true;
    } else if (tagEvents(r, arn!, tags, where)) updated = true;

    // Targets: those that differ from the rule's (by Id) are put; others of the rule are left.
    const targets = (p.shaped('Targets', TARGETS) ?? []) as Out[];
    const current = new Map(((r.call(events, 'ListTargetsByRule', { Rule: name, EventBusName: bus }, where).Targets ?? []) as Out[]).map((t) => [t.Id, canonical(t)]));
    const put = targets.map((t, i) => ({ t, i })).filter(({ t }) => current.get(t.Id) !== canonical(t));
    for (let start = 0; start < put.length; start += 10) {
      const batch = put.slice(start, start + 10);
      const out = r.call(events, 'PutTargets', { Rule: name, EventBusName: bus, Targets: batch.map((b) => b.t) }, where);
      const failed = (out.FailedEntries ?? []) as Array<{ TargetId?: string; ErrorCode?: string; ErrorMessage?: string }>;
      if (failed.length) {
        const i = batch.find((b) => b.t.Id === failed[0].TargetId)?.i ?? batch[0].i;
        p.fail(`Targets[${i}]`, `PutTargets failed with ${failed[0].ErrorCode}: ${failed[0].ErrorMessage}`);
      }
      updated = true;
    }
    const ref = busName === 'default' ? name : `${busName}|${name}`;
    return { status: !found ? 'created' : updated ? 'updated' : 'unchanged', physicalId: ref, ref, arn, attributes: { Arn: arn } };
  },
};

export const archive: Provider = {
  properties: ['ArchiveName', 'SourceArn', 'Description', 'EventPattern', 'RetentionDays', 'KmsKeyIdentifier'],
  attributes: ['Arn', 'ArchiveName'],
  apply(r) {
    const p: Props = r.props;
    const events = r.services.events;
    const name = p.string('ArchiveName') ?? r.name({ maxLength: 48 });
    const source = p.requiredString('SourceArn');
    const where = whereOf(source, r.where);
    const wanted = request(p, {
      Description: (k) => p.string(k),
      EventPattern: (k) => p.json(k),
      RetentionDays: (k) => p.integer(k),
      KmsKeyIdentifier: (k) => p.string(k) || undefined, // CDK writes "" for none
    });
    const found = r.tryCall(events, 'DescribeArchive', { ArchiveName: name }, 'ResourceNotFoundException', where);
    let status: Outcome['status'];
    let arn: string;
    if (!found) {
      arn = r.call(events, 'CreateArchive', { ArchiveName: name, EventSourceArn: source, ...wanted }, where).ArchiveArn as string;
      status = 'created';
    } else {
      arn = found.ArchiveArn as string;
      if (found.EventSourceArn !== source) p.fail('SourceArn', `archive ${name} already exists for ${String(found.EventSourceArn)}; an archive's source cannot change`);
      const changed = differences(found, wanted);
      if (Object.keys(changed).length) r.call(events, 'UpdateArchive', { ArchiveName: name, ...changed }, where);
      status = Object.keys(changed).length ? 'updated' : 'unchanged';
    }
    return { status, physicalId: name, ref: name, arn, attributes: { Arn: arn, ArchiveName: name } };
  },
};

/** `arn:aws:events:r:a:connection/name/uuid` -> `arn:aws:events:r:a:connection/name`, CloudFormation's ArnForPolicy. */
function forPolicy(arn: string): string {
  return arn.split('/').slice(0, 2).join('/');
}

export const connection: Provider = {
  properties: ['Name', 'AuthorizationType', 'AuthParameters', 'Description', 'InvocationConnectivityParameters', 'KmsKeyIdentifier'],
  attributes: ['Arn', 'ArnForPolicy', 'SecretArn'],
  apply(r) {
    const p: Props = r.props;
    const events = r.services.events;
    const name = p.string('Name') ?? r.name({ maxLength: 64 });
    const wanted = request(p, {
      AuthorizationType: (k) => p.requiredString(k),
      AuthParameters: (k) => (p.required(k), p.shaped(k, memberShape(CONNECTION, k))),
      Description: (k) => p.string(k),
      InvocationConnectivityParameters: (k) => p.shaped(k, memberShape(CONNECTION, k)),
      KmsKeyIdentifier: (k) => p.string(k) || undefined,
    });
    const found = r.tryCall(events, 'DescribeConnection', { Name: name }, 'ResourceNotFoundException');
    // Secrets cannot be read back to compare, so an existing connection is always updated, as the config file does.
    r.call(events, found ? 'UpdateConnection' : 'CreateConnection', { Name: name, ...wanted });
    const described = r.call(events, 'DescribeConnection', { Name: name });
    const arn = described.ConnectionArn as string;
    return {
      status: found ? 'updated' : 'created',
      physicalId: name,
      ref: name,
      arn,
      attributes: { Arn: arn, ArnForPolicy: forPolicy(arn), SecretArn: described.SecretArn ?? '' },
    };
  },
};

export const apiDestination: Provider = {
  properties: ['Name', 'ConnectionArn', 'InvocationEndpoint', 'HttpMethod', 'InvocationRateLimitPerSecond', 'Description'],
  attributes: ['Arn', 'ArnForPolicy'],
  apply(r) {
    const p: Props = r.props;
    const events = r.services.events;
    const name = p.string('Name') ?? r.name({ maxLength: 64 });
    const wanted = request(p, {
      ConnectionArn: (k) => p.requiredString(k),
      InvocationEndpoint: (k) => p.requiredString(k),
      HttpMethod: (k) => p.requiredString(k),
      InvocationRateLimitPerSecond: (k) => p.integer(k),
      Description: (k) => p.string(k),
    });
    const found = r.tryCall(events, 'DescribeApiDestination', { Name: name }, 'ResourceNotFoundException');
    let status: Outcome['status'];
    if (!found) {
      r.call(events, 'CreateApiDestination', { Name: name, ...wanted });
      status = 'created';
    } else {
      const changed = differences(found, wanted);
      if (Object.keys(changed).length) r.call(events, 'UpdateApiDestination', { Name: name, ...changed });
      status = Object.keys(changed).length ? 'updated' : 'unchanged';
    }
    const arn = r.call(events, 'DescribeApiDestination', { Name: name }).ApiDestinationArn as string;
    return { status, physicalId: name, ref: name, arn, attributes: { Arn: arn, ArnForPolicy: forPolicy(arn) } };
  },
};

