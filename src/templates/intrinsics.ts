/**
 * CloudFormation's intrinsic functions: `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`,
 * `Fn::Select`, `Fn::Split`, `Fn::If`, `Fn::FindInMap`, `Fn::Base64`, `Fn::GetAZs`,
 * `Fn::ImportValue`, `Fn::Cidr`, `Fn::Length` and `Fn::ToJsonString`, and the condition
 * functions `Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not` and `Condition`.
 *
 * What a name means (a parameter, a pseudo parameter, a resource's Ref or attribute, a
 * condition, an export) comes from a Scope: the stack being applied (stack.ts) answers with
 * values of resources already created, which the dependency order guarantees.
 *
 * `Ref: AWS::NoValue` resolves to NO_VALUE, and a property, list item or mapping member whose
 * value is NO_VALUE is left out, as CloudFormation does (typically `!If [Cond, x, !Ref AWS::NoValue]`).
 */
import { joinPath } from '../config-file/errors.js';
import type { Mapping } from '../config-file/check.js';

export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export interface Scope {
  /** A parameter's or pseudo parameter's value; undefined when `name` is neither. */
  parameter(name: string): string | string[] | typeof NO_VALUE | undefined;
  /** What `Ref` gives for a resource of the template (which has been created). */
  resource(logicalId: string, path: string): string;
  /** What `Fn::GetAtt` gives. */
  attribute(logicalId: string, attribute: string, path: string): unknown;
  /** A condition of the Conditions section. */
  condition(name: string, path: string): boolean;
  /** An output exported by another stack. */
  importValue(name: string, path: string): string;
  mappings: Record<string, Record<string, Mapping>>;
  region: string;
}

type Fail = (path: string, problem: string) => never;

/**
 * The longest text an intrinsic may build (Fn::Sub, Fn::Join, Fn::Base64): CloudFormation's
 * template body is at most 1 MB, and no property AWS takes is longer.
 */
export const MAX_RESOLVED_CHARS = 1024 * 1024;

const CONDITION_FUNCTIONS = ['Fn::Equals', 'Fn::And', 'Fn::Or', 'Fn::Not'];

export class Intrinsics {
  constructor(
    private readonly scope: Scope,
    private readonly fail: Fail,
  ) {}

  /** `v` with every intrinsic function replaced by its value; NO_VALUE for `Ref: AWS::NoValue`. */
  resolve(v: unknown, path: string): unknown {
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      v.forEach((item, i) => {
        const r = this.resolve(item, joinPath(path, i));
        if (r !== NO_VALUE) out.push(r);
      });
      return out;
    }
    if (!isMapping(v)) return v;
    const fn = intrinsicOf(v);
    if (fn) return fn === 'Ref' ? this.ref(v.Ref, joinPath(path, 'Ref')) : this.call(fn, v[fn], joinPath(path, fn));
    const out: Mapping = {};
    for (const [k, item] of Object.entries(v)) {
      const r = this.resolve(item, joinPath(path, k));
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }

  /** A condition: `{Condition: name}`, or `Fn::Equals` / `Fn::And` / `Fn::Or` / `Fn::Not`. */
  condition(v: unknown, path: string): boolean {
    const fn = isMapping(v) ? (Object.keys(v).length === 1 ? Object.keys(v)[0] : undefined) : undefined;
    const arg = fn ? (v as Mapping)[fn] : undefined;
    const at = fn ? joinPath(path, fn) : path;
    switch (fn) {
      case 'Condition':
        return this.scope.condition(this.text(arg, at), at);
      case 'Fn::Equals': {
        const [a, b] = this.args(arg, at, 2, 2, '[value1, value2]');
        return this.scalarText(this.resolve(a, joinPath(at, 0)), joinPath(at, 0)) === this.scalarText(this.resolve(b, joinPath(at, 1)), joinPath(at, 1));
      }
      case 'Fn::And':
      case 'Fn::Or': {
        const conditions = this.args(arg, at, 2, 10, '[condition, condition, ...] (2 to 10)');
        const values = conditions.map((c, i) => this.condition(c, joinPath(at, i)));
        return fn === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
      }
      case 'Fn::Not': {
        const [c] = this.args(arg, at, 1, 1, '[condition]');
        return !this.condition(c, joinPath(at, 0));
      }
      default:
        return this.fail(path, 'must be a condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not) or {Condition: name}');
    }
  }

  private ref(name: unknown, path: string): unknown {
    const n = this.text(name, path);
    const p = this.scope.parameter(n);
    return p !== undefined ? p : this.scope.resource(n, path);
  }

  private bounded(text: unknown, path: string): unknown {
    if (typeof text === 'string' && text.length > MAX_RESOLVED_CHARS) this.fail(path, `the value is longer than ${MAX_RESOLVED_CHARS} characters`);
    return text;
  }

  private call(fn: string, arg: unknown, path: string): unknown {
    switch (fn) {
      case 'Fn::GetAtt': {
        let id: unknown;
        let attribute: unknown;
        if (typeof arg === 'string') {
          const dot = arg.indexOf('.');
          if (dot < 0) this.fail(path, `must be "LogicalId.Attribute" or [LogicalId, Attribute], got ${JSON.stringify(arg)}`);
          [id, attribute] = [arg.slice(0, dot), arg.slice(dot + 1)];
        } else [id, attribute] = this.args(arg, path, 2, 2, '[LogicalId, Attribute]');
        const name = this.text(id, joinPath(path, 0));
        return this.scope.attribute(name, this.text(this.resolve(attribute, joinPath(path, 1)), joinPath(path, 1)), path);
      }
      case 'Fn::Sub':
        return this.bounded(this.sub(arg, path), path);
      case 'Fn::Join': {
        const [delimiter, list] = this.args(arg, path, 2, 2, '[delimiter, [values]]');
        const d = this.text(delimiter, joinPath(path, 0));
        return this.bounded(
          this.list(this.resolve(list, joinPath(path, 1)), joinPath(path, 1))
            .map((item, i) => this.scalarText(item, joinPath(joinPath(path, 1), i)))
            .join(d),
          path,
        );
      }
      case 'Fn::Select': {
        const [index, list] = this.args(arg, path, 2, 2, '[index, [values]]');
        const i = Number(this.resolve(index, joinPath(path, 0)));
        const items = this.list(this.resolve(list, joinPath(path, 1)), joinPath(path, 1));
        if (!Number.isInteger(i) || i < 0 || i >= items.length)
          this.fail(joinPath(path, 0), `index ${JSON.stringify(index)} is out of range: the list has ${items.length} item${items.length === 1 ? '' : 's'}`);
        return items[i];
      }
      case 'Fn::Split': {
        const [delimiter, source] = this.args(arg, path, 2, 2, '[delimiter, string]');
        return this.scalarText(this.resolve(source, joinPath(path, 1)), joinPath(path, 1)).split(this.text(delimiter, joinPath(path, 0)));
      }
      case 'Fn::If': {
        const [name, yes, no] = this.args(arg, path, 3, 3, '[condition name, value if true, value if false]');
        const holds = this.scope.condition(this.text(name, joinPath(path, 0)), joinPath(path, 0));
        return holds ? this.resolve(yes, joinPath(path, 1)) : this.resolve(no, joinPath(path, 2));
      }
      case 'Fn::FindInMap': {
        const args = this.args(arg, path, 3, 4, '[MapName, TopLevelKey, SecondLevelKey]');
        const [map, top, second] = args.slice(0, 3).map((a, i) => this.scalarText(this.resolve(a, joinPath(path, i)), joinPath(path, i)));
        const found = this.scope.mappings[map]?.[top]?.[second];
        if (found !== undefined) return found;
        const fallback = args[3];
        if (isMapping(fallback) && 'DefaultValue' in fallback) return this.resolve(fallback.DefaultValue, joinPath(joinPath(path, 3), 'DefaultValue'));
        if (!this.scope.mappings[map]) return this.fail(joinPath(path, 0), `no mapping named ${map} is declared in Mappings`);
        if (!this.scope.mappings[map][top]) return this.fail(joinPath(path, 1), `the mapping ${map} has no key ${top}`);
        return this.fail(joinPath(path, 2), `the mapping ${map} has no key ${second} under ${top}`);
      }
      case 'Fn::Base64': {
        // Each level grows the text by a third: checked before encoding, not after.
        const text = this.scalarText(this.resolve(arg, path), path);
        if (text.length > (MAX_RESOLVED_CHARS / 4) * 3) this.fail(path, `the encoded value would be longer than ${MAX_RESOLVED_CHARS} characters`);
        return Buffer.from(text, 'utf8').toString('base64');
      }
      case 'Fn::GetAZs': {
        const region = this.scalarText(this.resolve(arg ?? '', path), path) || this.scope.region;
        return ['a', 'b', 'c'].map((zone) => `${region}${zone}`);
      }
      case 'Fn::ImportValue':
        return this.scope.importValue(this.scalarText(this.resolve(arg, path), path), path);
      case 'Fn::Cidr': {
        const [block, count, bits] = this.args(arg, path, 3, 3, '[ipBlock, count, cidrBits]').map((a, i) => this.scalarText(this.resolve(a, joinPath(path, i)), joinPath(path, i)));
        return cidr(block, Number(count), Number(bits), (problem) => this.fail(path, problem));
      }
      case 'Fn::Length':
        return this.list(this.resolve(arg, path), path).length;
      case 'Fn::ToJsonString': {
        const value = this.resolve(arg, path);
        if (!isMapping(value) && !Array.isArray(value)) this.fail(path, 'must be a mapping or a list');
        return JSON.stringify(value);
      }
      case 'Fn::Transform':
        return this.fail(path, 'macros (Fn::Transform) are not supported by Switchyard');
      default:
        if (CONDITION_FUNCTIONS.includes(fn)) return this.fail(path, `${fn} can only be used in Conditions (use Fn::If with a condition name here)`);
        return this.fail(path, `unknown intrinsic function ${fn}`);
    }
  }

  /** Fn::Sub: `${Name}` (a parameter, pseudo parameter, resource's Ref or a variable), `${Res.Attr}`, `${!Literal}`. */
  private sub(arg: unknown, path: string): string {
    let template: unknown = arg;
    let variables: Mapping = {};
    if (Array.isArray(arg)) {
      const [t, vars] = this.args(arg, path, 2, 2, '[string, {variables}]');
      template = t;
      if (!isMapping(vars)) this.fail(joinPath(path, 1), 'must be a mapping of variable names to values');
      variables = vars;
    }
    const text = this.text(template, Array.isArray(arg) ? joinPath(path, 0) : path);
    return text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      if (Object.hasOwn(variables, inner)) {
        const at = joinPath(joinPath(path, 1), inner);
        return this.scalarText(this.resolve(variables[inner], at), at);
      }
      const p = this.scope.parameter(inner);
      if (p !== undefined) {
        if (p === NO_VALUE || Array.isArray(p)) this.fail(path, `\${${inner}} is not a single value and cannot be substituted`);
        return p;
      }
      const dot = inner.indexOf('.');
      if (dot > 0) return this.scalarText(this.scope.attribute(inner.slice(0, dot), inner.slice(dot + 1), path), path);
      if (inner === '') this.fail(path, `${whole} names nothing`);
      return this.scope.resource(inner, path);
    });
  }

  private args(arg: unknown, path: string, min: number, max: number, form: string): unknown[] {
    if (!Array.isArray(arg) || arg.length < min || arg.length > max) this.fail(path, `must be a list: ${form}`);
    return arg;
  }

  private list(v: unknown, path: string): unknown[] {
    if (typeof v === 'string') return v.split(','); // a CommaDelimitedList's value, given as text
    if (!Array.isArray(v)) this.fail(path, 'must be a list (or resolve to one)');
    return v;
  }

  private text(v: unknown, path: string): string {
    if (typeof v !== 'string') this.fail(path, `must be a string, got ${Array.isArray(v) ? 'a list' : typeof v === 'object' && v ? 'a mapping' : JSON.stringify(v)}`);
    return v;
  }

  /** A resolved value used as text (in Sub, Join, Equals): strings, numbers and booleans. */
  private scalarText(v: unknown, path: string): string {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return this.fail(path, `must be a single value here, got ${v === NO_VALUE ? 'AWS::NoValue' : Array.isArray(v) ? 'a list' : v === null ? 'null' : 'a mapping'}`);
  }
}

/** The intrinsic a one-key mapping calls (`Ref`, `Fn::Join`), if it is one. */
export function intrinsicOf(v: Mapping): string | undefined {
  const keys = Object.keys(v);
  if (keys.length !== 1) return undefined;
  return keys[0] === 'Ref' || keys[0].startsWith('Fn::') ? keys[0] : undefined;
}

/**
 * Every name `v` refers to (Ref, Fn::GetAtt, the names in Fn::Sub), with where it does, for
 * the dependency order and for finding references to nothing before anything is created.
 */
export function references(v: unknown, path: string, found: (name: string, attribute: string | undefined, path: string) => void): void {
  if (Array.isArray(v)) {
    v.forEach((item, i) => references(item, joinPath(path, i), found));
    return;
  }
  if (!isMapping(v)) return;
  const fn = intrinsicOf(v);
  if (fn === 'Ref' && typeof v.Ref === 'string') {
    found(v.Ref, undefined, joinPath(path, 'Ref'));
    return;
  }
  if (fn === 'Fn::GetAtt') {
    const arg = v[fn];
    const at = joinPath(path, fn);
    if (typeof arg === 'string' && arg.includes('.')) found(arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1), at);
    else if (Array.isArray(arg) && typeof arg[0] === 'string') {
      found(arg[0], typeof arg[1] === 'string' ? arg[1] : '', at);
      references(arg[1], joinPath(at, 1), found);
    }
    return;
  }
  if (fn === 'Fn::Sub') {
    const arg = v[fn];
    const at = joinPath(path, fn);
    const text = Array.isArray(arg) ? arg[0] : arg;
    const vars = Array.isArray(arg) && isMapping(arg[1]) ? arg[1] : {};
    if (Array.isArray(arg)) references(arg[1], joinPath(at, 1), found);
    if (typeof text === 'string') {
      for (const m of text.matchAll(/\$\{([^}!][^}]*)\}/g)) {
        const inner = m[1];
        if (Object.hasOwn(vars, inner)) continue;
        const dot = inner.indexOf('.');
        if (dot > 0 && !inner.includes('::')) found(inner.slice(0, dot), inner.slice(dot + 1), at);
        else found(inner, undefined, at);
      }
    }
    return;
  }
  for (const [k, item] of Object.entries(v)) references(item, joinPath(path, k), found);
}

export function isMapping(v: unknown): v is Mapping {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Fn::Cidr for IPv4: `count` blocks of `bits` host bits each, from the start of `block`. */
function cidr(block: string, count: number, bits: number, fail: (problem: string) => never): string[] {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(block);
  if (!m) return fail(`the block ${JSON.stringify(block)} is not an IPv4 CIDR block (IPv6 is not supported by Switchyard)`);
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return fail(`the block ${JSON.stringify(block)} is not a valid CIDR block`);
  if (!Number.isInteger(count) || count < 1 || count > 256) return fail('the count must be a whole number from 1 to 256');
  const newPrefix = 32 - bits;
  if (!Number.isInteger(bits) || bits < 0 || newPrefix < prefix) return fail(`cidrBits ${bits} does not fit in a /${prefix} block`);
  if (count > 2 ** (newPrefix - prefix)) return fail(`a /${prefix} block holds only ${2 ** (newPrefix - prefix)} blocks of /${newPrefix}`);
  const base = (((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3]) & (prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = (base >>> 0) + i * 2 ** bits;
    out.push(`${(a >>> 24) & 255}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${newPrefix}`);
  }
  return out;
}
