/**
 * Pattern JSON to a validated pattern: the structure of an EventBridge event pattern, checked the
 * way AWS checks it, with AWS's reasons. Nothing here matches events; `compile.ts` turns the
 * result into a matcher.
 *
 * Objects from JSON are read with Object.keys only: a `__proto__` key is an own property after
 * JSON.parse and is treated as a field name like any other.
 */
import { parseCidr } from './cidr.js';
import { InvalidPatternError } from './errors.js';
import { parsePatternJson } from './json.js';
import { validateWildcard } from './wildcard.js';

export type Scalar = string | number | boolean | null;
export type NumericOp = '=' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { kind: 'exact'; value: Scalar }
  | { kind: 'prefix'; value: string; ignoreCase: boolean }
  | { kind: 'suffix'; value: string; ignoreCase: boolean }
  | { kind: 'equals-ignore-case'; value: string }
  | { kind: 'wildcard'; value: string }
  | { kind: 'cidr'; value: string }
  | { kind: 'exists'; value: boolean }
  | { kind: 'numeric'; terms: Array<[NumericOp, number]> }
  | { kind: 'anything-but'; op: AnythingButOp; strings: string[]; numbers: number[] };

export type AnythingButOp = 'equals' | 'prefix' | 'suffix' | 'equals-ignore-case' | 'wildcard';

/** A field's path (keys joined by `.`) and its conditions, any one of which may match. */
export interface FieldPattern {
  path: string;
  conditions: Condition[];
}

/** Every field must match, and for each `$or`, at least one of its alternatives. */
export interface ValidatedPattern {
  fields: FieldPattern[];
  ors: ValidatedPattern[][];
}

/** Deeper patterns are refused before they could exhaust the call stack; real ones are a few levels deep. */
const MAX_DEPTH = 64;

const OPERATORS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists', 'cidr', 'wildcard']);
const NUMERIC_OPS = new Set<string>(['=', '<', '<=', '>', '>=']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Pattern text (as sent in `EventPattern`) to a validated pattern, or InvalidPatternError. */
export function validatePatternText(text: string): ValidatedPattern {
  return validatePattern(parsePatternJson(text));
}

export function validatePattern(json: unknown): ValidatedPattern {
  if (!isObject(json)) throw new InvalidPatternError('Filter is not an object');
  return validateObject(json, '');
}

function validateObject(obj: Record<string, unknown>, prefix: string, depth = 0): ValidatedPattern {
  const out: ValidatedPattern = { fields: [], ors: [] };
  addObject(out, obj, prefix, depth);
  return out;
}

function addObject(out: ValidatedPattern, obj: Record<string, unknown>, prefix: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new InvalidPatternError(`Pattern is nested more than ${MAX_DEPTH} levels deep`);
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    if (key === '$or' && isOrList(value)) {
      out.ors.push(value.map((alt) => validateObject(alt, prefix, depth + 1)));
      continue;
    }
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (Array.isArray(value)) out.fields.push({ path, conditions: validateMatchList(value) });
    else if (isObject(value)) addObject(out, value, path, depth + 1);
    else throw new InvalidPatternError(`"${key}" must be an object or an array`);
  }
}

/** `$or` needs two or more objects; anything else is an ordinary field named `$or`, as AWS reads it. */
function isOrList(value: unknown): value is Record<string, unknown>[] {
  return Array.isArray(value) && value.length >= 2 && value.every(isObject);
}

function validateMatchList(list: unknown[]): Condition[] {
  if (list.length === 0) throw new InvalidPatternError('Empty arrays are not allowed');
  return list.map((item) => {
    if (item === null || typeof item === 'string' || typeof item === 'boolean') return { kind: 'exact', value: item };
    if (typeof item === 'number') return { kind: 'exact', value: item };
    if (Array.isArray(item)) throw new InvalidPatternError('Match value must be String, number, true, false, or null');
    return validateMatchExpression(item as Record<string, unknown>);
  });
}

function onlyKey(obj: Record<string, unknown>): string {
  const keys = Object.keys(obj);
  if (keys.length === 0) throw new InvalidPatternError('Empty objects are not allowed');
  if (keys.length > 1) throw new InvalidPatternError('Only one key allowed in match expression');
  return keys[0];
}

function validateMatchExpression(expr: Record<string, unknown>): Condition {
  const op = onlyKey(expr);
  const value = expr[op];
  if (!OPERATORS.has(op)) throw new InvalidPatternError(`Unrecognized match type ${op}`);
  switch (op) {
    case 'prefix':
    case 'suffix':
      return validatePrefixSuffix(op, value);
    case 'equals-ignore-case':
      if (typeof value !== 'string') throw new InvalidPatternError('equals-ignore-case match pattern must be a string');
      return { kind: 'equals-ignore-case', value };
    case 'wildcard':
      if (typeof value !== 'string') throw new InvalidPatternError('wildcard match pattern must be a string');
      validateWildcard(value);
      return { kind: 'wildcard', value };
    case 'cidr':
      // AWS's reason for a non-string CIDR really does say "prefix".
      if (typeof value !== 'string') throw new InvalidPatternError('prefix match pattern must be a string');
      parseCidr(value);
      return { kind: 'cidr', value };
    case 'exists':
      if (typeof value !== 'boolean') throw new InvalidPatternError('exists match pattern must be either true or false.');
      return { kind: 'exists', value };
    case 'numeric':
      return { kind: 'numeric', terms: validateNumeric(value) };
    default:
      return validateAnythingBut(value);
  }
}

function validatePrefixSuffix(op: 'prefix' | 'suffix', value: unknown): Condition {
  if (typeof value === 'string') return { kind: op, value, ignoreCase: false };
  if (isObject(value)) {
    const inner = onlyKey(value);
    if (inner !== 'equals-ignore-case') throw new InvalidPatternError(`Unsupported ${op} pattern: ${inner}`);
    const v = value[inner];
    if (typeof v !== 'string') throw new InvalidPatternError('equals-ignore-case match pattern must be a string');
    return { kind: op, value: v, ignoreCase: true };
  }
  throw new InvalidPatternError(`${op} match pattern must be a string`);
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function validateNumeric(value: unknown): Array<[NumericOp, number]> {
  if (!Array.isArray(value)) throw new InvalidPatternError('Value of numeric must be an array.');
  if (value.length === 0) throw new InvalidPatternError('Empty arrays are not allowed');
  const first = value[0];
  if (typeof first !== 'string' || !NUMERIC_OPS.has(first))
    throw new InvalidPatternError(`Unrecognized numeric range operator: ${String(first)}`);
  const op = first as NumericOp;
  const operand = (o: NumericOp, v: unknown): number => {
    if (!isNumber(v)) throw new InvalidPatternError(`Value of ${o === '=' ? 'equals' : o} must be numeric`);
    return v;
  };
  const bottom = operand(op, value[1]);
  if (value.length === 2) return [[op, bottom]];
  if (op === '=' || op === '<' || op === '<=') throw new InvalidPatternError('Too many elements in numeric expression');
  const second = value[2];
  if (typeof second !== 'string' || !NUMERIC_OPS.has(second))
    throw new InvalidPatternError(`Unrecognized numeric range operator: ${String(second)}`);
  if (second !== '<' && second !== '<=') throw new InvalidPatternError(`Bad numeric range operator: ${second}`);
  const top = operand(second, value[3]);
  if (value.length > 4) throw new InvalidPatternError('Too many terms in numeric range expression');
  if (!(bottom < top)) throw new InvalidPatternError('Bottom must be less than top');
  return [
    [op, bottom],
    [second, top],
  ];
}

function validateAnythingBut(value: unknown): Condition {
  if (typeof value === 'string') return { kind: 'anything-but', op: 'equals', strings: [value], numbers: [] };
  if (isNumber(value)) return { kind: 'anything-but', op: 'equals', strings: [], numbers: [value] };
  if (Array.isArray(value)) {
    if (value.length === 0) throw new InvalidPatternError('Empty arrays are not allowed');
    if (value.some((v) => typeof v !== 'string' && typeof v !== 'number'))
      throw new InvalidPatternError('Inside anything but list, start|null|boolean is not supported.');
    const strings = value.filter((v): v is string => typeof v === 'string');
    const numbers = value.filter((v): v is number => typeof v === 'number');
    if (strings.length > 0 && numbers.length > 0)
      throw new InvalidPatternError('Inside anything but list, either all values are number or string, mixed type is not supported');
    return { kind: 'anything-but', op: 'equals', strings, numbers };
  }
  if (isObject(value)) {
    const op = onlyKey(value);
    const inner = value[op];
    switch (op) {
      case 'prefix':
      case 'suffix': {
        const list = stringList(inner, 'prefix/suffix match pattern must be a string');
        if (list.some((s) => s === '')) throw new InvalidPatternError('Null prefix/suffix not allowed');
        return { kind: 'anything-but', op, strings: list, numbers: [] };
      }
      case 'equals-ignore-case':
        return {
          kind: 'anything-but',
          op,
          strings: stringList(inner, 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'),
          numbers: [],
        };
      case 'wildcard': {
        const list = stringList(inner, 'wildcard match pattern must be a string');
        for (const w of list) validateWildcard(w);
        return { kind: 'anything-but', op, strings: list, numbers: [] };
      }
      default:
        throw new InvalidPatternError(`Unsupported anything-but pattern: ${op}`);
    }
  }
  throw new InvalidPatternError('Value of anything-but must be an array or single string/number value.');
}

/** A string, or a non-empty list of strings; objects inside get AWS's generic anything-but reason. */
function stringList(value: unknown, reason: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) {
    if (value.length === 0) throw new InvalidPatternError('Empty arrays are not allowed');
    if (value.every((v): v is string => typeof v === 'string')) return value;
    throw new InvalidPatternError(reason);
  }
  if (isObject(value)) throw new InvalidPatternError('Value of anything-but must be an array or single string/number value.');
  throw new InvalidPatternError(reason);
}
