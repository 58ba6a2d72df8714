/**
 * The small checking vocabulary the schema is written in: each check takes the value, its path
 * in the file, and either returns the value in the type wanted or throws a ConfigFileError that
 * says where and what. The first problem found stops the check (one line per failed start).
 */
import type { Shape, StructureShape } from '../gateway/shapes.js';
import { ConfigFileError, describeValue, joinPath } from './errors.js';

export type Mapping = Record<string, unknown>;

export class Checker {
  constructor(readonly label: string) {}

  fail(path: string | undefined, problem: string): never {
    throw new ConfigFileError(this.label, path || undefined, problem);
  }

  isMapping(v: unknown): v is Mapping {
    return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
  }

  /** A mapping whose keys are all in `allowed` (an unknown key is an error, with a suggestion). */
  mapping(v: unknown, path: string, allowed: readonly string[], shown: readonly string[] = allowed): Mapping {
    if (!this.isMapping(v)) this.fail(path, `must be a mapping, got ${describeValue(v)}`);
    for (const key of Object.keys(v)) {
      if (!allowed.includes(key)) {
        const near = closest(key, allowed);
        this.fail(
          joinPath(path, key),
          `unknown key${near ? ` (did you mean "${near}"?)` : ''}; expected one of: ${shown.join(', ')}`,
        );
      }
    }
    return v;
  }

  list(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) this.fail(path, `must be a list, got ${describeValue(v)}`);
    return v;
  }

  string(v: unknown, path: string): string {
    if (typeof v !== 'string') this.fail(path, `must be a string, got ${describeValue(v)}${typeof v === 'number' ? ' (quote it)' : ''}`);
    return v;
  }

  name(v: unknown, path: string): string {
    if (v === undefined) this.fail(path, 'is required');
    const s = this.string(v, path);
    if (s === '') this.fail(path, 'must not be empty');
    return s;
  }

  optString(v: unknown, path: string): string | undefined {
    return v === undefined ? undefined : this.string(v, path);
  }

  boolean(v: unknown, path: string): boolean {
    if (typeof v !== 'boolean') this.fail(path, `must be true or false, got ${describeValue(v)}`);
    return v;
  }

  integer(v: unknown, path: string, min: number, max: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(path, `must be a whole number, got ${describeValue(v)}`);
    if (v < min || v > max) this.fail(path, `must be between ${min} and ${max}, got ${v}`);
    return v;
  }

  /**
   * An AWS account id. YAML reads an unquoted `000000000000` as the number 0, so a whole number
   * of at most 12 digits is taken as those digits, zero-padded.
   */
  account(v: unknown, path: string): string {
    const s = typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 1e12 ? String(v).padStart(12, '0') : v;
    if (typeof s !== 'string' || !/^\d{12}$/.test(s)) this.fail(path, `must be a 12-digit account id, got ${describeValue(v)}`);
    return s;
  }

  region(v: unknown, path: string): string {
    const s = this.string(v, path);
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(s)) this.fail(path, `must be a region name such as us-east-1, got ${describeValue(v)}`);
    return s;
  }

  /**
   * An attribute value: AWS's attribute values are strings, so numbers and booleans are written
   * as text (`30`, `true`), and a mapping or list (a policy) as its JSON.
   */
  attributeValue(v: unknown, path: string): string {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (this.isMapping(v) || Array.isArray(v)) return JSON.stringify(v);
    return this.fail(path, `must be a string, number, boolean or mapping, got ${describeValue(v)}`);
  }

  /** Attribute names to values (`attributes:`): names as AWS spells them, values as attributeValue. */
  attributes(v: unknown, path: string): Record<string, string> {
    if (v === undefined) return {};
    if (!this.isMapping(v)) this.fail(path, `must be a mapping of attribute names to values, got ${describeValue(v)}`);
    const out: Record<string, string> = {};
    for (const [k, item] of Object.entries(v)) out[k] = this.attributeValue(item, joinPath(path, k));
    return out;
  }

  /** Tags: a mapping of keys to values (numbers and booleans written as text). */
  tags(v: unknown, path: string): Record<string, string> {
    if (v === undefined) return {};
    if (!this.isMapping(v)) this.fail(path, `must be a mapping of tag keys to values, got ${describeValue(v)}`);
    const out: Record<string, string> = {};
    for (const [k, item] of Object.entries(v)) {
      if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') out[k] = String(item);
      else this.fail(joinPath(path, k), `must be a string, got ${describeValue(item)}`);
    }
    return out;
  }

  /** A JSON document (pattern, policy): a mapping written out as JSON, or JSON text as it is. */
  json(v: unknown, path: string): string {
    if (typeof v === 'string') return v;
    if (this.isMapping(v) || Array.isArray(v)) return JSON.stringify(v);
    return this.fail(path, `must be a mapping (or its JSON as a string), got ${describeValue(v)}`);
  }

  /**
   * A value after one of AWS's request structures, written with the member names in camelCase
   * (`apiKeyAuthParameters`, `clientID`) or as AWS spells them (`ApiKeyAuthParameters`). Returns
   * it with AWS's names, so it can go into the request as it is.
   */
  aws(v: unknown, shape: Shape, path: string): unknown {
    switch (shape.kind) {
      case 'structure': {
        const members = shape.members;
        const names = members.map((m) => camel(m.name));
        const obj = this.mapping(v, path, names.concat(members.map((m) => m.name)), names);
        return this.awsMembers(obj, members, path, true);
      }
      case 'list':
        return this.list(v, path).map((item, i) => this.aws(item, shape.member, joinPath(path, i)));
      case 'map': {
        if (!this.isMapping(v)) this.fail(path, `must be a mapping, got ${describeValue(v)}`);
        const out: Mapping = {};
        for (const [k, item] of Object.entries(v)) out[k] = this.aws(item, shape.value, joinPath(path, k));
        return out;
      }
      case 'string':
        return this.string(v, path);
      case 'integer':
      case 'long':
        return this.integer(v, path, shape.kind === 'integer' ? -2147483648 : Number.MIN_SAFE_INTEGER, shape.kind === 'integer' ? 2147483647 : Number.MAX_SAFE_INTEGER);
      case 'double':
        if (typeof v !== 'number') this.fail(path, `must be a number, got ${describeValue(v)}`);
        return v;
      case 'boolean':
        return this.boolean(v, path);
      default:
        return this.string(v, path);
    }
  }

  /**
   * The members of `obj` that belong to `members` (by camelCase or AWS name), converted to AWS's
   * names; a member given under both names is an error, and so is a missing required one when
   * `checkRequired`. Keys that are not members are left to the caller.
   */
  awsMembers(obj: Mapping, members: StructureShape['members'], path: string, checkRequired: boolean): Mapping {
    const out: Mapping = {};
    for (const m of members) {
      const c = camel(m.name);
      const has = Object.hasOwn(obj, c);
      const hasAws = c !== m.name && Object.hasOwn(obj, m.name);
      if (has && hasAws) this.fail(joinPath(path, m.name), `given twice (also as "${c}")`);
      const key = has ? c : hasAws ? m.name : undefined;
      if (key === undefined || obj[key] === undefined || obj[key] === null) {
        if (checkRequired && m.required) this.fail(joinPath(path, c), 'is required');
        continue;
      }
      out[m.name] = this.aws(obj[key], m.shape, joinPath(path, key));
    }
    return out;
  }
}

/** `ApiKeyAuthParameters` -> `apiKeyAuthParameters`. */
export function camel(name: string): string {
  return name[0].toLowerCase() + name.slice(1);
}

/** The member of a structure named `name` (AWS's spelling); throws when the model has none. */
export function memberShape(shape: StructureShape, name: string): Shape {
  const m = shape.members.find((x) => x.name === name);
  if (!m) throw new Error(`config-file: the model has no member ${name}`);
  return m.shape;
}

/** The structure of a list's items or a structure's member, for reaching into request shapes. */
export function asStructure(shape: Shape): StructureShape {
  const s = shape.kind === 'list' ? shape.member : shape;
  if (s.kind !== 'structure') throw new Error('config-file: expected a structure in the model');
  return s;
}

/** The allowed key closest to a misspelt one, if any is close (at most 2 edits, or a case slip). */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const a of allowed) {
    if (a.toLowerCase() === key.toLowerCase()) return a;
    const d = distance(key.toLowerCase(), a.toLowerCase());
    if (d < bestDistance) {
      best = a;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
