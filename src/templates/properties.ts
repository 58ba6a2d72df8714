/**
 * A resource's properties after intrinsics are resolved, read with the types CloudFormation
 * gives them. CloudFormation is lenient where AWS's APIs are strict: `"30"` is a fine number,
 * `"true"` a fine boolean, a number a fine string; JSON documents (policies, patterns) may be
 * written as objects. What cannot be read is an error at the property's path, and a property
 * the type does not have is an error with a suggestion, as CloudFormation's own validation is.
 */
import { Checker, type Mapping } from '../config-file/check.js';
import { describeValue, joinPath } from '../config-file/errors.js';
import type { Shape } from '../gateway/shapes.js';
import { TemplateError } from './errors.js';
import { isMapping } from './intrinsics.js';

export class Props {
  private readonly c: Checker;

  constructor(
    readonly values: Mapping,
    /** `Resources.OrdersQueue.Properties` */
    readonly path: string,
    label: string,
    type: string,
    allowed: readonly string[],
  ) {
    this.c = new (class extends Checker {
      override fail(path: string | undefined, problem: string): never {
        throw new TemplateError(label, path || undefined, problem);
      }
    })(label);
    for (const key of Object.keys(values)) {
      if (!allowed.includes(key)) {
        // The checker's own message has the suggestion; CloudFormation's word for it follows.
        try {
          this.c.mapping({ [key]: null }, path, allowed);
        } catch (err) {
          const e = err as TemplateError;
          throw new TemplateError(label, e.where, e.problem.replace(/^unknown key/, `${type} has no property ${key}`).replace('expected one of', 'its properties are'));
        }
      }
    }
  }

  at(key: string): string {
    return joinPath(this.path, key);
  }

  fail(key: string | undefined, problem: string): never {
    return this.c.fail(key === undefined ? this.path.replace(/\.Properties$/, '') : this.at(key), problem);
  }

  has(key: string): boolean {
    return this.values[key] !== undefined && this.values[key] !== null;
  }

  required(key: string): unknown {
    if (!this.has(key)) this.fail(key, 'is required');
    return this.values[key];
  }

  string(key: string): string | undefined {
    return this.has(key) ? this.text(this.values[key], this.at(key)) : undefined;
  }

  requiredString(key: string): string {
    this.required(key);
    return this.string(key)!;
  }

  integer(key: string): number | undefined {
    return this.has(key) ? this.whole(this.values[key], this.at(key)) : undefined;
  }

  boolean(key: string): boolean | undefined {
    return this.has(key) ? this.bool(this.values[key], this.at(key)) : undefined;
  }

  /** A JSON document: an object or list written out, or JSON text as it is. */
  json(key: string): string | undefined {
    if (!this.has(key)) return undefined;
    const v = this.values[key];
    if (typeof v === 'string') return v;
    if (isMapping(v) || Array.isArray(v)) return JSON.stringify(v);
    return this.fail(key, `must be a JSON document (a mapping, or its JSON as text), got ${describeValue(v)}`);
  }

  /** An attribute value as SQS and SNS take them: text, numbers and booleans as text, documents as JSON. */
  attribute(key: string): string | undefined {
    if (!this.has(key)) return undefined;
    const v = this.values[key];
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return this.json(key);
  }

  list(key: string): unknown[] {
    if (!this.has(key)) return [];
    const v = this.values[key];
    if (!Array.isArray(v)) this.fail(key, `must be a list, got ${describeValue(v)}`);
    return v;
  }

  strings(key: string): string[] {
    return this.list(key).map((v, i) => this.text(v, joinPath(this.at(key), i)));
  }

  /** `Tags: [{Key, Value}]` as a mapping of keys to values. */
  tags(key = 'Tags'): Record<string, string> {
    const v = this.values[key];
    if (isMapping(v)) {
      // SAM writes Tags as a mapping; CloudFormation as a list of {Key, Value}.
      return Object.fromEntries(Object.entries(v).map(([k, val]) => [k, this.text(val, joinPath(this.at(key), k))]));
    }
    const out: Record<string, string> = {};
    this.list(key).forEach((tag, i) => {
      const path = joinPath(this.at(key), i);
      const t = this.c.mapping(tag, path, ['Key', 'Value']);
      out[this.text(t.Key, joinPath(path, 'Key'))] = t.Value === undefined ? '' : this.text(t.Value, joinPath(path, 'Value'));
    });
    return out;
  }

  /** A value after one of AWS's request shapes (a rule's Targets, a connection's AuthParameters), with AWS's member names. */
  shaped(key: string, shape: Shape): unknown {
    return this.has(key) ? this.convert(this.values[key], shape, this.at(key)) : undefined;
  }

  private convert(v: unknown, shape: Shape, path: string): unknown {
    switch (shape.kind) {
      case 'structure': {
        const names = shape.members.map((m) => m.name);
        const obj = this.c.mapping(v, path, names);
        const out: Mapping = {};
        for (const m of shape.members) {
          const item = obj[m.name];
          if (item === undefined || item === null) {
            if (m.required) this.c.fail(joinPath(path, m.name), 'is required');
            continue;
          }
          out[m.name] = this.convert(item, m.shape, joinPath(path, m.name));
        }
        return out;
      }
      case 'list':
        if (!Array.isArray(v)) this.c.fail(path, `must be a list, got ${describeValue(v)}`);
        return v.map((item, i) => this.convert(item, shape.member, joinPath(path, i)));
      case 'map': {
        if (!isMapping(v)) this.c.fail(path, `must be a mapping, got ${describeValue(v)}`);
        return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, this.convert(item, shape.value, joinPath(path, k))]));
      }
      case 'integer':
      case 'long':
        return this.whole(v, path);
      case 'double': {
        const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
        if (typeof n !== 'number' || Number.isNaN(n)) this.c.fail(path, `must be a number, got ${describeValue(v)}`);
        return n;
      }
      case 'boolean':
        return this.bool(v, path);
      default:
        return this.text(v, path);
    }
  }

  private text(v: unknown, path: string): string {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return this.c.fail(path, `must be a string, got ${describeValue(v)}`);
  }

  private whole(v: unknown, path: string): number {
    const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) this.c.fail(path, `must be a whole number, got ${describeValue(v)}`);
    return n;
  }

  private bool(v: unknown, path: string): boolean {
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    return this.c.fail(path, `must be true or false, got ${describeValue(v)}`);
  }
}
