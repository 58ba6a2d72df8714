/**
 * A template's structure, checked before anything runs: the sections CloudFormation knows,
 * each resource's Type / Properties / DependsOn / Condition, the parameters' declarations, the
 * outputs. Intrinsic functions are left as they are (intrinsics.ts resolves them when the
 * resource is created); what can be checked without the running services is checked here, so
 * a bad template fails before the port is bound.
 */
import { Checker, type Mapping } from '../config-file/check.js';
import { describeValue, joinPath } from '../config-file/errors.js';
import { TemplateError } from './errors.js';

/** One resource, as the template (or the SAM transform) declares it. */
export interface TemplateResource {
  logicalId: string;
  type: string;
  /** Properties as written: intrinsics unresolved. */
  properties: Mapping;
  dependsOn: string[];
  condition?: string;
  /** Where errors point: `Resources.OrdersQueue`, or the SAM event a resource was made from. */
  path: string;
}

export interface ParameterDecl {
  name: string;
  type: string;
  default?: string;
  allowedValues?: string[];
  allowedPattern?: string;
  constraintDescription?: string;
  minLength?: number;
  maxLength?: number;
  minValue?: number;
  maxValue?: number;
  noEcho: boolean;
}

export interface OutputDecl {
  name: string;
  value: unknown;
  description?: unknown;
  exportName?: unknown;
  condition?: string;
}

export interface Template {
  /** The file as it was named, or `templates[0]` for a body given in code. */
  label: string;
  stackName: string;
  description?: string;
  transforms: string[];
  parameters: Map<string, ParameterDecl>;
  mappings: Record<string, Record<string, Mapping>>;
  conditions: Map<string, unknown>;
  /** In the template's order; the SAM transform replaces serverless resources with what they mean. */
  resources: Map<string, TemplateResource>;
  outputs: OutputDecl[];
  /** SAM function events of types Switchyard does not turn into resources (Api, S3, ...): `Fn.Events.Name (Api)`. */
  skippedEvents: string[];
}

const SECTIONS = ['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Transform', 'Resources', 'Outputs', 'Globals', 'Hooks'];
const RESOURCE_KEYS = ['Type', 'Properties', 'DependsOn', 'Condition', 'Metadata', 'DeletionPolicy', 'UpdateReplacePolicy', 'UpdatePolicy', 'CreationPolicy', 'Version'];
const PARAMETER_KEYS = ['Type', 'Default', 'AllowedValues', 'AllowedPattern', 'ConstraintDescription', 'Description', 'MaxLength', 'MaxValue', 'MinLength', 'MinValue', 'NoEcho'];
const OUTPUT_KEYS = ['Value', 'Description', 'Export', 'Condition'];
/** Transforms whose meaning Switchyard carries out (the SAM transform) or needs nothing for. */
export const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';
const KNOWN_TRANSFORMS = [SAM_TRANSFORM, 'AWS::LanguageExtensions'];
const LOGICAL_ID = /^[A-Za-z0-9]+$/;
/** CloudFormation's rule for stack names. */
export const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/** The checking vocabulary of the config file, failing with a TemplateError. */
export class TemplateChecker extends Checker {
  override fail(path: string | undefined, problem: string): never {
    throw new TemplateError(this.label, path || undefined, problem);
  }
}

/**
 * Values nested deeper than this are refused before anything walks them: the intrinsics and the
 * reference check recurse, and real templates (event patterns included) nest a few dozen levels.
 */
export const MAX_TEMPLATE_DEPTH = 100;

/** Refuse a template nested past MAX_TEMPLATE_DEPTH, naming where (an explicit stack: no recursion). */
function checkDepth(c: TemplateChecker, data: unknown): void {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: data, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_TEMPLATE_DEPTH) c.fail(path, `values are nested more than ${MAX_TEMPLATE_DEPTH} levels deep here`);
    for (const [k, item] of Object.entries(v)) stack.push({ v: item, path: Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k, depth: depth + 1 });
  }
}

/** Check a parsed template; throws TemplateError at the first problem. */
export function checkTemplate(data: unknown, label: string, stackName: string): Template {
  const c: TemplateChecker = new TemplateChecker(label);
  if (!c.isMapping(data)) c.fail(undefined, `a template must be a mapping with Resources, not ${Array.isArray(data) ? 'a list' : describeValue(data)}`);
  checkDepth(c, data);
  const top = c.mapping(data, '', SECTIONS);
  const t: Template = {
    label,
    stackName,
    transforms: [],
    parameters: new Map(),
    mappings: {},
    conditions: new Map(),
    resources: new Map(),
    outputs: [],
    skippedEvents: [],
  };
  if (top.Description !== undefined) t.description = c.string(top.Description, 'Description');
  if (top.Transform !== undefined) {
    const list = typeof top.Transform === 'string' ? [top.Transform] : c.list(top.Transform, 'Transform');
    t.transforms = list.map((v, i) => {
      const path = typeof top.Transform === 'string' ? 'Transform' : `Transform[${i}]`;
      if (c.isMapping(v)) c.fail(path, 'macros (a Transform with Name and Parameters) are not supported by Switchyard; only AWS::Serverless-2016-10-31 and AWS::LanguageExtensions are');
      const name = c.string(v, path);
      if (!KNOWN_TRANSFORMS.includes(name)) c.fail(path, `the transform ${name} is not supported by Switchyard; only ${KNOWN_TRANSFORMS.join(' and ')} are`);
      return name;
    });
  }
  if (top.Parameters !== undefined && top.Parameters !== null) {
    const params = c.mapping(top.Parameters, 'Parameters', Object.keys(top.Parameters as Mapping));
    for (const [name, decl] of Object.entries(params)) t.parameters.set(name, checkParameter(c, name, decl));
  }
  if (top.Mappings !== undefined && top.Mappings !== null) {
    const maps = c.mapping(top.Mappings, 'Mappings', Object.keys(top.Mappings as Mapping));
    for (const [name, map] of Object.entries(maps)) {
      const path = joinPath('Mappings', name);
      const keys = c.mapping(map, path, Object.keys((map ?? {}) as Mapping));
      t.mappings[name] = {};
      for (const [key, second] of Object.entries(keys)) {
        if (!c.isMapping(second)) c.fail(joinPath(path, key), `must be a mapping of second-level keys to values, got ${describeValue(second)}`);
        t.mappings[name][key] = second;
      }
    }
  }
  if (top.Conditions !== undefined && top.Conditions !== null) {
    const conditions = c.mapping(top.Conditions, 'Conditions', Object.keys(top.Conditions as Mapping));
    for (const [name, expr] of Object.entries(conditions)) t.conditions.set(name, expr);
  }
  if (top.Resources === undefined || top.Resources === null) c.fail('Resources', 'is required: a template declares at least one resource');
  const resources = c.mapping(top.Resources, 'Resources', Object.keys(top.Resources as Mapping));
  if (Object.keys(resources).length === 0) c.fail('Resources', 'is empty: a template declares at least one resource');
  for (const [id, decl] of Object.entries(resources)) t.resources.set(id, checkResource(c, id, decl, t));
  if (top.Outputs !== undefined && top.Outputs !== null) {
    const outputs = c.mapping(top.Outputs, 'Outputs', Object.keys(top.Outputs as Mapping));
    for (const [name, decl] of Object.entries(outputs)) {
      const path = joinPath('Outputs', name);
      const o = c.mapping(decl, path, OUTPUT_KEYS);
      if (o.Value === undefined) c.fail(joinPath(path, 'Value'), 'is required');
      const out: OutputDecl = { name, value: o.Value, description: o.Description };
      if (o.Export !== undefined) out.exportName = c.mapping(o.Export, joinPath(path, 'Export'), ['Name']).Name;
      if (o.Condition !== undefined) out.condition = conditionName(c, o.Condition, joinPath(path, 'Condition'), t);
      t.outputs.push(out);
    }
  }
  return t;
}

function checkParameter(c: TemplateChecker, name: string, decl: unknown): ParameterDecl {
  const path = joinPath('Parameters', name);
  if (!LOGICAL_ID.test(name)) c.fail(path, 'a parameter name must be alphanumeric');
  const p = c.mapping(decl, path, PARAMETER_KEYS);
  const at = (key: string) => joinPath(path, key);
  const text = (v: unknown, key: string): string => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : c.string(v, at(key)));
  const num = (key: string): number | undefined => {
    const v = p[key];
    if (v === undefined) return undefined;
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || Number.isNaN(n)) c.fail(at(key), `must be a number, got ${describeValue(v)}`);
    return n;
  };
  const out: ParameterDecl = { name, type: c.name(p.Type, at('Type')), noEcho: false };
  if (p.Default !== undefined) out.default = Array.isArray(p.Default) ? p.Default.map((v) => text(v, 'Default')).join(',') : text(p.Default, 'Default');
  if (p.AllowedValues !== undefined) out.allowedValues = c.list(p.AllowedValues, at('AllowedValues')).map((v, i) => text(v, `AllowedValues[${i}]`));
  if (p.AllowedPattern !== undefined) out.allowedPattern = c.string(p.AllowedPattern, at('AllowedPattern'));
  if (p.ConstraintDescription !== undefined) out.constraintDescription = text(p.ConstraintDescription, 'ConstraintDescription');
  out.minLength = num('MinLength');
  out.maxLength = num('MaxLength');
  out.minValue = num('MinValue');
  out.maxValue = num('MaxValue');
  if (p.NoEcho !== undefined) out.noEcho = p.NoEcho === true || p.NoEcho === 'true';
  return out;
}

function checkResource(c: TemplateChecker, id: string, decl: unknown, t: Template): TemplateResource {
  const path = joinPath('Resources', id);
  if (!LOGICAL_ID.test(id)) c.fail(path, 'a logical id must be alphanumeric (A-Z, a-z, 0-9)');
  const r = c.mapping(decl, path, RESOURCE_KEYS);
  const type = c.name(r.Type, joinPath(path, 'Type'));
  let properties: Mapping = {};
  if (r.Properties !== undefined && r.Properties !== null) {
    if (!c.isMapping(r.Properties)) c.fail(joinPath(path, 'Properties'), `must be a mapping, got ${describeValue(r.Properties)}`);
    properties = r.Properties;
  }
  const dependsOn = r.DependsOn === undefined ? [] : typeof r.DependsOn === 'string' ? [r.DependsOn] : c.list(r.DependsOn, joinPath(path, 'DependsOn')).map((v, i) => c.string(v, `${joinPath(path, 'DependsOn')}[${i}]`));
  const out: TemplateResource = { logicalId: id, type, properties, dependsOn, path };
  if (r.Condition !== undefined) out.condition = conditionName(c, r.Condition, joinPath(path, 'Condition'), t);
  return out;
}

function conditionName(c: TemplateChecker, v: unknown, path: string, t: Template): string {
  const name = c.string(v, path);
  if (!t.conditions.has(name)) c.fail(path, `no condition named ${name} is declared in Conditions`);
  return name;
}
