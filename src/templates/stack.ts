/**
 * Applying a template as a stack: parameters (defaults, overrides) and conditions first, then
 * every reference checked and the resources put in dependency order (Ref, Fn::GetAtt, the names
 * in Fn::Sub, DependsOn), then each resource created in that order with its properties resolved
 * (intrinsics.ts) from the values of those before it, then the outputs.
 *
 * Synchronous from start to end: at start-up, no request is served before the template's
 * resources exist (src/index.ts). Any problem throws a TemplateError naming the template, the
 * place in it (`Resources.OrdersQueue.Properties.VisibilityTimeout`) and the problem; an error
 * from AWS's validation names the operation and AWS's code and message.
 */
import { OperationError } from '../config-file/apply.js';
import type { Mapping } from '../config-file/check.js';
import { joinPath } from '../config-file/errors.js';
import { TemplateError } from './errors.js';
import { archive, apiDestination, connection, eventBus, eventBusPolicy, rule } from './events-resources.js';
import { Intrinsics, NO_VALUE, references, type Scope } from './intrinsics.js';
import { eventSourceMapping, pollerKey } from './lambda-resources.js';
import { partitionOf, stableUuid } from './names.js';
import { Props } from './properties.js';
import { ResourceContext, type Outcome, type Provider, type TemplateServices } from './resource.js';
import { nameProperty, plausible } from './skipped.js';
import { queue, queueInlinePolicy, queuePolicy } from './sqs-resources.js';
import { subscription, topic, topicInlinePolicy, topicPolicy } from './sns-resources.js';
import type { StackReport, StackResource } from './stacks.js';
import type { ParameterDecl, Template } from './template.js';

/** The resource types Switchyard creates; every other type is listed as skipped. */
export const PROVIDERS: Record<string, Provider> = {
  'AWS::SQS::Queue': queue,
  'AWS::SQS::QueuePolicy': queuePolicy,
  'AWS::SQS::QueueInlinePolicy': queueInlinePolicy,
  'AWS::SNS::Topic': topic,
  'AWS::SNS::Subscription': subscription,
  'AWS::SNS::TopicPolicy': topicPolicy,
  'AWS::SNS::TopicInlinePolicy': topicInlinePolicy,
  'AWS::Events::EventBus': eventBus,
  'AWS::Events::EventBusPolicy': eventBusPolicy,
  'AWS::Events::Rule': rule,
  'AWS::Events::Archive': archive,
  'AWS::Events::Connection': connection,
  'AWS::Events::ApiDestination': apiDestination,
  'AWS::Lambda::EventSourceMapping': eventSourceMapping,
};

const PSEUDO = ['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix'];
const PARAMETER_TYPE = /^(String|Number|List<Number>|CommaDelimitedList|AWS::.+|List<AWS::.+>)$/;

export interface ApplyTemplateOptions {
  /** The server's account and region: the stack's resources go there. */
  account: string;
  region: string;
  /** Scheme, host and port clients reach the server at (queue URLs). */
  baseUrl: string;
  /** Values for parameters of every template (the command line's --parameter): each template takes those it declares. */
  sharedParameters?: Record<string, string>;
}

/** A template ready to apply: checked, SAM-transformed, with the parameter values given for it. */
export interface LoadedTemplate extends Template {
  /** Values for this template's parameters; one it does not declare is an error. */
  parameterValues: Record<string, string>;
}

export function applyTemplate(template: LoadedTemplate, services: TemplateServices, options: ApplyTemplateOptions): StackReport {
  return new StackRun(template, services, options).run();
}

class StackRun implements Scope {
  private readonly parameters = new Map<string, string | string[]>();
  private readonly conditions = new Map<string, boolean>();
  private readonly evaluating = new Set<string>();
  private readonly outcomes = new Map<string, Outcome & { type: string }>();
  private readonly excluded = new Map<string, string>();
  private readonly intrinsics: Intrinsics;
  readonly mappings: Template['mappings'];
  readonly region: string;
  private readonly account: string;
  private readonly stackId: string;

  constructor(
    private readonly t: LoadedTemplate,
    private readonly services: TemplateServices,
    private readonly options: ApplyTemplateOptions,
  ) {
    this.mappings = t.mappings;
    this.region = options.region;
    this.account = options.account;
    this.stackId = `arn:${partitionOf(this.region)}:cloudformation:${this.region}:${this.account}:stack/${t.stackName}/${stableUuid(this.account, this.region, t.stackName)}`;
    this.intrinsics = new Intrinsics(this, (path, problem) => this.fail(path, problem));
  }

  private fail(path: string | undefined, problem: string): never {
    throw new TemplateError(this.t.label, path, problem);
  }

  run(): StackReport {
    this.resolveParameters();
    // Every reference is checked (and the order found) before anything is evaluated.
    const order = this.order();
    for (const name of this.t.conditions.keys()) this.condition(name, joinPath('Conditions', name));
    const resources: StackResource[] = [];
    const pollers = new Set<string>();
    for (const id of order) {
      const r = this.t.resources.get(id)!;
      if (r.condition && !this.conditions.get(r.condition)) {
        this.excluded.set(id, r.condition);
        resources.push({ logicalId: id, type: r.type, status: 'excluded', note: `its condition ${r.condition} is false` });
        continue;
      }
      const outcome = this.create(id);
      this.outcomes.set(id, { ...outcome, type: r.type });
      if (r.type === 'AWS::Lambda::EventSourceMapping' && outcome.status !== 'skipped') pollers.add(pollerKey(this.account, this.region, this.t.stackName, id));
      resources.push({
        logicalId: id,
        type: r.type,
        status: outcome.status,
        physicalId: outcome.physicalId,
        ref: outcome.ref,
        ...(outcome.arn ? { arn: outcome.arn } : {}),
        ...(outcome.url ? { url: outcome.url } : {}),
        attributes: outcome.attributes,
        ...(outcome.note ? { note: outcome.note } : {}),
      });
    }
    const report: StackReport = {
      stackName: this.t.stackName,
      stackId: this.stackId,
      template: this.t.label,
      account: this.account,
      region: this.region,
      ...(this.t.description ? { description: this.t.description } : {}),
      parameters: Object.fromEntries(
        [...this.parameters].map(([k, v]) => [k, this.t.parameters.get(k)!.noEcho ? '****' : Array.isArray(v) ? v.join(',') : v]),
      ),
      conditions: Object.fromEntries(this.conditions),
      resources,
      skipped: [
        ...resources.filter((r) => r.status === 'skipped').map((r) => `${r.logicalId} (${r.type}${r.note ? `: ${r.note}` : ''})`),
        ...this.t.skippedEvents,
      ],
      outputs: this.outputs(),
    };
    this.services.stacks?.record(report, pollers);
    return report;
  }

  // ------------------------------------------------------------------ parameters and conditions

  private resolveParameters(): void {
    const declared = [...this.t.parameters.keys()];
    for (const name of Object.keys(this.t.parameterValues))
      if (!this.t.parameters.has(name))
        this.fail(joinPath('Parameters', name), `a value is given, but the template declares no such parameter${declared.length ? ` (it declares: ${declared.join(', ')})` : ''}`);
    for (const decl of this.t.parameters.values()) {
      const raw = this.t.parameterValues[decl.name] ?? this.options.sharedParameters?.[decl.name] ?? decl.default;
      if (raw === undefined)
        this.fail(joinPath('Parameters', decl.name), `no value: the parameter has no Default, so give one (--parameter ${decl.name}=VALUE, or parameters in the template's entry)`);
      this.parameters.set(decl.name, this.parameterValue(decl, raw));
    }
  }

  private parameterValue(p: ParameterDecl, raw: string): string | string[] {
    const path = joinPath('Parameters', p.name);
    if (!PARAMETER_TYPE.test(p.type)) this.fail(joinPath(path, 'Type'), `unknown parameter type ${p.type}; CloudFormation's are String, Number, List<Number>, CommaDelimitedList and the AWS-specific types (AWS::EC2::..., AWS::SSM::Parameter::Value<...>)`);
    const isList = p.type === 'CommaDelimitedList' || p.type.startsWith('List<') || /^AWS::SSM::Parameter::Value<(List<.*>|CommaDelimitedList)>$/.test(p.type);
    const numeric = p.type === 'Number' || p.type === 'List<Number>';
    const values = isList ? raw.split(',').map((v) => v.trim()) : [raw];
    const broken = (why: string): never => this.fail(path, p.constraintDescription ? `${p.constraintDescription} (${why})` : why);
    for (const v of values) {
      if (numeric && (v.trim() === '' || Number.isNaN(Number(v)))) broken(`${JSON.stringify(v)} is not a number`);
      if (p.allowedValues && !p.allowedValues.includes(v)) broken(`${JSON.stringify(v)} is not one of the AllowedValues: ${p.allowedValues.join(', ')}`);
      if (p.allowedPattern !== undefined && !new RegExp(`^(?:${p.allowedPattern})$`).test(v)) broken(`${JSON.stringify(v)} does not match the AllowedPattern ${p.allowedPattern}`);
      if (p.minLength !== undefined && v.length < p.minLength) broken(`${JSON.stringify(v)} is shorter than the MinLength ${p.minLength}`);
      if (p.maxLength !== undefined && v.length > p.maxLength) broken(`${JSON.stringify(v)} is longer than the MaxLength ${p.maxLength}`);
      if (numeric && p.minValue !== undefined && Number(v) < p.minValue) broken(`${v} is less than the MinValue ${p.minValue}`);
      if (numeric && p.maxValue !== undefined && Number(v) > p.maxValue) broken(`${v} is more than the MaxValue ${p.maxValue}`);
    }
    return isList ? values : raw;
  }

  parameter(name: string): string | string[] | typeof NO_VALUE | undefined {
    switch (name) {
      case 'AWS::AccountId':
        return this.account;
      case 'AWS::Region':
        return this.region;
      case 'AWS::StackName':
        return this.t.stackName;
      case 'AWS::StackId':
        return this.stackId;
      case 'AWS::Partition':
        return partitionOf(this.region);
      case 'AWS::URLSuffix':
        return this.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
      case 'AWS::NotificationARNs':
        return [];
      case 'AWS::NoValue':
        return NO_VALUE;
    }
    return this.parameters.get(name);
  }

  condition(name: string, path: string): boolean {
    const known = this.conditions.get(name);
    if (known !== undefined) return known;
    const expr = this.t.conditions.get(name);
    if (expr === undefined) return this.fail(path, `no condition named ${name} is declared in Conditions`);
    if (this.evaluating.has(name)) return this.fail(joinPath('Conditions', name), `the conditions refer to each other in a circle: ${[...this.evaluating, name].join(' -> ')}`);
    this.evaluating.add(name);
    const value = this.intrinsics.condition(expr, joinPath('Conditions', name));
    this.evaluating.delete(name);
    this.conditions.set(name, value);
    return value;
  }

  // ------------------------------------------------------------------ references and order

  /** The logical ids in an order where each comes after what it refers to; references checked. */
  private order(): string[] {
    const deps = new Map<string, Set<string>>();
    const check = (name: string, attribute: string | undefined, path: string, from: string | undefined): void => {
      if (name.startsWith('AWS::')) {
        if (!PSEUDO.includes(name)) this.fail(path, `unknown pseudo parameter ${name}; CloudFormation's are ${PSEUDO.join(', ')}`);
        if (attribute !== undefined) this.fail(path, `Fn::GetAtt needs a resource, and ${name} is a pseudo parameter`);
        return;
      }
      if (this.t.parameters.has(name)) {
        if (attribute !== undefined) this.fail(path, `Fn::GetAtt needs a resource, and ${name} is a parameter`);
        return;
      }
      if (!this.t.resources.has(name)) this.fail(path, `refers to ${name}, which is neither a parameter nor a resource of the template`);
      if (from === undefined) this.fail(path, `refers to the resource ${name}; only Resources and Outputs may refer to resources`);
      deps.get(from)!.add(name);
    };
    for (const [id, r] of this.t.resources) {
      deps.set(id, new Set());
      for (const d of r.dependsOn) {
        if (!this.t.resources.has(d)) this.fail(joinPath(r.path, 'DependsOn'), `no resource named ${d} is declared`);
        deps.get(id)!.add(d);
      }
      references(r.properties, joinPath(r.path, 'Properties'), (name, attribute, path) => check(name, attribute, path, id));
      if (deps.get(id)!.has(id)) this.fail(r.path, 'refers to itself');
    }
    for (const [name, expr] of this.t.conditions) references(expr, joinPath('Conditions', name), (n, a, path) => check(n, a, path, undefined));
    const outputsCheck = new Set<string>();
    deps.set('', outputsCheck);
    for (const o of this.t.outputs) references([o.value, o.exportName, o.description], joinPath('Outputs', o.name), (n, a, path) => check(n, a, path, ''));
    deps.delete('');

    // Kahn's algorithm, keeping the template's order among resources that are ready together.
    const placed = new Set<string>();
    const order: string[] = [];
    const ids = [...this.t.resources.keys()];
    while (order.length < ids.length) {
      const next = ids.find((id) => !placed.has(id) && [...deps.get(id)!].every((d) => placed.has(d)));
      if (next === undefined) this.fail('Resources', `circular dependency: ${this.cycle(ids.filter((id) => !placed.has(id)), deps).join(' -> ')}`);
      placed.add(next);
      order.push(next);
    }
    return order;
  }

  /** One cycle among `left` (each has a dependency not placed), for the error. */
  private cycle(left: string[], deps: Map<string, Set<string>>): string[] {
    const path: string[] = [];
    let at = left[0];
    while (!path.includes(at)) {
      path.push(at);
      at = [...deps.get(at)!].find((d) => left.includes(d))!;
    }
    return [...path.slice(path.indexOf(at)), at];
  }

  resource(logicalId: string, path: string): string {
    return this.created(logicalId, path).ref;
  }

  attribute(logicalId: string, attribute: string, path: string): unknown {
    const o = this.created(logicalId, path);
    const provider = PROVIDERS[o.type];
    if (provider && o.status !== 'skipped') {
      if (!provider.attributes.includes(attribute))
        this.fail(path, `${o.type} has no attribute ${attribute} for Fn::GetAtt${provider.attributes.length ? `; its attributes are ${provider.attributes.join(', ')}` : ''}`);
      return o.attributes[attribute];
    }
    // A resource Switchyard does not emulate: the attribute it has, else something in its shape.
    return o.attributes[attribute] ?? (attribute.endsWith('Arn') && o.arn ? o.arn : o.physicalId);
  }

  private created(logicalId: string, path: string): Outcome & { type: string } {
    const o = this.outcomes.get(logicalId);
    if (o) return o;
    const condition = this.excluded.get(logicalId);
    if (condition) return this.fail(path, `refers to ${logicalId}, which is not created because its condition ${condition} is false`);
    return this.fail(path, `refers to ${logicalId}, which is not created yet`);
  }

  importValue(name: string, path: string): string {
    const found = this.services.stacks?.exported(name, this.account, this.region);
    if (!found) return this.fail(path, `no stack applied before this one exports ${name}`);
    return String(found.value);
  }

  // ------------------------------------------------------------------ resources

  private create(id: string): Outcome {
    const r = this.t.resources.get(id)!;
    const propsPath = joinPath(r.path, 'Properties');
    const provider = PROVIDERS[r.type];
    if (!provider) {
      // Not emulated: a plausible name and ARN; only the property that names it is resolved.
      const key = nameProperty(r.type);
      let name: string | undefined;
      if (key && r.properties[key] !== undefined) {
        const v = this.intrinsics.resolve(r.properties[key], joinPath(propsPath, key));
        if (typeof v === 'string' && v !== '') name = v;
      }
      const p = plausible(r.type, { stackName: this.t.stackName, logicalId: id, account: this.account, region: this.region }, name);
      return { status: 'skipped', ...p };
    }
    const resolved = this.intrinsics.resolve(r.properties, propsPath);
    const props = new Props((resolved === NO_VALUE ? {} : resolved) as Mapping, propsPath, this.t.label, r.type, provider.properties);
    const ctx = new ResourceContext(this.t.stackName, id, r.type, props, { account: this.account, region: this.region }, this.options.baseUrl, this.services);
    try {
      return provider.apply(ctx);
    } catch (err) {
      if (err instanceof OperationError) this.fail(r.path, err.message);
      throw err;
    }
  }

  private outputs(): StackReport['outputs'] {
    const out: StackReport['outputs'] = {};
    for (const o of this.t.outputs) {
      if (o.condition && !this.conditions.get(o.condition)) continue;
      const path = joinPath('Outputs', o.name);
      const value = this.intrinsics.resolve(o.value, joinPath(path, 'Value'));
      const entry: StackReport['outputs'][string] = { value: value === NO_VALUE ? '' : value };
      if (o.description !== undefined) entry.description = this.intrinsics.resolve(o.description, joinPath(path, 'Description'));
      if (o.exportName !== undefined) {
        const at = joinPath(joinPath(path, 'Export'), 'Name');
        const name = this.intrinsics.resolve(o.exportName, at);
        if (typeof name !== 'string' || name === '') this.fail(at, 'must be a string');
        const other = this.services.stacks?.exported(name, this.account, this.region);
        if (other && other.stackName !== this.t.stackName) this.fail(at, `the export ${name} is already exported by the stack ${other.stackName}`);
        entry.exportName = name;
      }
      out[o.name] = entry;
    }
    return out;
  }
}
