/**
 * SNS subscription filter policies: the EventBridge pattern language (src/patterns) with SNS's
 * own rules on top.
 *
 * - Reading and checking a policy follows SNS, not EventBridge: SNS runs an older reading of the
 *   operators (no `wildcard`, `anything-but` only with a plain value, a list or `prefix`, its own
 *   wording for numeric errors), at most 5 keys, at most 150 combinations (nested keys weigh by
 *   their depth), nesting only with FilterPolicyScope MessageBody, and a 256 KiB text limit.
 *   The checked policy becomes a `ValidatedPattern` and is compiled and matched by the pattern
 *   engine, so matching semantics (arrays, `$or`, `exists`, numbers, CIDR) are EventBridge's.
 * - MessageAttributes scope: the attributes become a flat event. `String` is a string, `Number`
 *   a number, `String.Array` its JSON array (each element a candidate value), `Binary` is ignored
 *   as if absent (AWS: "Amazon SNS ignores message attributes with the Binary data type").
 *   A message without attributes matches no non-empty policy (AWS: "An empty set of attributes
 *   results in the filter not matching").
 * - MessageBody scope: the body must be a JSON object; anything else matches no non-empty policy.
 *
 * Error messages are AWS's `InvalidParameter` texts (first line only: AWS appends a Java parser
 * location, `\n at [Source: ...]`). The prefix depends on the call: Subscribe says
 * `Invalid parameter: Attributes Reason: FilterPolicy: ...`, SetSubscriptionAttributes
 * `Invalid parameter: FilterPolicy: ...`.
 */
import { parseCidr } from '../patterns/cidr.js';
import { compilePattern, type CompiledPattern } from '../patterns/compile.js';
import { InvalidPatternError } from '../patterns/errors.js';
import { flattenEvent, type FlatEvent } from '../patterns/event.js';
import { matchesEvent, matchesFlat } from '../patterns/match.js';
import type { Condition, FieldPattern, NumericOp, Scalar, ValidatedPattern } from '../patterns/validate.js';

export type FilterPolicyScope = 'MessageAttributes' | 'MessageBody';

export interface SnsMessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

export interface FilterPolicy {
  readonly scope: FilterPolicyScope;
  /** Does a message with this body and these attributes pass the policy? */
  matches(body: string, attributes: Record<string, SnsMessageAttribute> | undefined): boolean;
  /** The same, for a message prepared once for all of a topic's subscriptions. */
  matchesMessage(message: FilterSubject): boolean;
}

/**
 * A published message as filter policies read it, prepared once per publish: the attributes (or
 * the parsed body) are turned into a flattened event the first time a subscription asks, and
 * every other subscription of the topic reuses it.
 */
export class FilterSubject {
  private attributesFlat: FlatEvent | null | undefined = undefined;
  private bodyFlat: FlatEvent | null | undefined = undefined;

  constructor(
    readonly body: string,
    readonly attributes: Record<string, SnsMessageAttribute> | undefined,
  ) {}

  /** The event for a scope; null when there is nothing to match (no attributes, a body that is no JSON object). */
  flat(scope: FilterPolicyScope): FlatEvent | null {
    if (scope === 'MessageBody') {
      if (this.bodyFlat === undefined) {
        const event = bodyEvent(this.body);
        this.bodyFlat = event === undefined ? null : flattenEvent(event);
      }
      return this.bodyFlat;
    }
    if (this.attributesFlat === undefined) {
      const event = attributesEvent(this.attributes);
      this.attributesFlat = event === undefined ? null : flattenEvent(event);
    }
    return this.attributesFlat;
  }
}

/** The API call the policy came with: it decides the error message's prefix. */
export type FilterPolicyCall = 'Subscribe' | 'SetSubscriptionAttributes';

export interface FilterPolicyOptions {
  /** Default `Subscribe`. */
  call?: FilterPolicyCall;
}

/** SNS's documented limits ("Filter policy constraints in Amazon SNS"). */
export const FILTER_POLICY_LIMITS = {
  /** Keys: every attribute name; with MessageBody scope only the top-level keys. */
  maxKeys: 5,
  /** Sum over `$or` branches of the product of (values x nesting depth) per key. */
  maxCombinations: 150,
  /** UTF-8 bytes of the policy text. */
  maxBytes: 256 * 1024,
} as const;

const CALL_PREFIX: Record<FilterPolicyCall, string> = {
  Subscribe: 'Invalid parameter: Attributes Reason: ',
  SetSubscriptionAttributes: 'Invalid parameter: ',
};

/** A policy SNS refuses. `message` is the full InvalidParameter text for the call. */
export class FilterPolicyError extends Error {
  /** The text after the call's prefix, e.g. `FilterPolicy: Filter policy is too complex`. */
  readonly reason: string;

  constructor(reason: string, call: FilterPolicyCall = 'Subscribe') {
    super(CALL_PREFIX[call] + reason);
    this.name = 'FilterPolicyError';
    this.reason = reason;
  }

  /** The message as the other call would word it. */
  messageFor(call: FilterPolicyCall): string {
    return CALL_PREFIX[call] + this.reason;
  }
}

/**
 * Thrown inside this module with the reason alone; `compileFilterPolicy` turns it into a
 * FilterPolicyError for the caller's API call.
 */
class Refusal extends Error {}

/** Refused by the rule reader: SNS puts `FilterPolicy: ` before these. */
function refuse(reason: string): Refusal {
  return new Refusal(`FilterPolicy: ${reason}`);
}

/** Throws FilterPolicyError whose .message is AWS's full InvalidParameter message text. */
export function compileFilterPolicy(policyText: string, scope: FilterPolicyScope, options: FilterPolicyOptions = {}): FilterPolicy {
  try {
    const tree = readPolicy(policyText, scope);
    return new CompiledFilterPolicy(scope, compilePattern(tree), tree.fields.length === 0 && tree.ors.length === 0);
  } catch (err) {
    if (err instanceof Refusal) throw new FilterPolicyError(err.message, options.call);
    throw err;
  }
}

/** Text to a checked policy, refusing in the order SNS does: size, JSON, rules, then SNS's limits. */
function readPolicy(text: string, scope: FilterPolicyScope): PolicyTree {
  if (Buffer.byteLength(text, 'utf8') > FILTER_POLICY_LIMITS.maxBytes) throw refuse('Filter policy is too long');
  let json: unknown;
  try {
    json = new JacksonReader(text).readRoot();
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw refuse(`failed to parse JSON. ${err.message}`);
    throw err;
  }
  if (!isObject(json)) throw refuse('Filter is not an object');
  const reader = new PolicyReader();
  const tree = reader.read(json);
  // Nesting is checked once the rules have been read: AWS answers `{"key": {"suffix": "v"}}`
  // with the rule error ("suffix" must be an object or an array), not the scope error.
  if (scope === 'MessageAttributes' && reader.nested)
    throw new Refusal('Filter policy scope MessageAttributes does not support nested filter policy');
  if (countKeys(tree) > FILTER_POLICY_LIMITS.maxKeys)
    throw refuse(`Filter policy can not have more than ${FILTER_POLICY_LIMITS.maxKeys} keys`);
  if (combinations(tree) > FILTER_POLICY_LIMITS.maxCombinations) throw refuse('Filter policy is too complex');
  return tree;
}

// ---------------------------------------------------------------------------------------------
// The policy's structure and operators, as SNS reads them.

/** A field, with what SNS's limits need: how deep its key sits and which top-level key holds it. */
interface PolicyField extends FieldPattern {
  /** 1 for a key of the policy object itself, 2 for a key one object down, ... */
  depth: number;
  topKey: string;
}

interface PolicyTree extends ValidatedPattern {
  fields: PolicyField[];
  ors: PolicyTree[][];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keys SNS will not take as field names inside a `$or` alternative (AWS: "reserved keywords"). */
const RESERVED = new Set(['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists', 'cidr', 'wildcard']);

/**
 * AWS: `$or` is an OR only when its value is an array of at least 2 objects, none with a field
 * name that is a reserved keyword; otherwise it is an ordinary field name.
 */
function isOrList(value: unknown): value is Record<string, unknown>[] {
  return (
    Array.isArray(value) && value.length >= 2 && value.every((alt) => isObject(alt) && Object.keys(alt).every((k) => !RESERVED.has(k)))
  );
}

class PolicyReader {
  /** Some field's value is an object: only MessageBody scope allows that. */
  nested = false;

  read(policy: Record<string, unknown>): PolicyTree {
    const tree: PolicyTree = { fields: [], ors: [] };
    this.addObject(tree, policy, '', null, 1);
    return tree;
  }

  private addObject(tree: PolicyTree, obj: Record<string, unknown>, prefix: string, topKey: string | null, depth: number): void {
    for (const key of Object.keys(obj)) {
      const value = obj[key];
      if (key === '$or' && isOrList(value)) {
        tree.ors.push(
          value.map((alt) => {
            const branch: PolicyTree = { fields: [], ors: [] };
            this.addObject(branch, alt, prefix, topKey, depth);
            return branch;
          }),
        );
        continue;
      }
      const path = prefix === '' ? key : `${prefix}.${key}`;
      const top = topKey ?? key;
      if (Array.isArray(value)) tree.fields.push({ path, depth, topKey: top, conditions: readMatchList(value) });
      else if (isObject(value)) {
        this.nested = true;
        this.addObject(tree, value, path, top, depth + 1);
      } else throw refuse(`"${key}" must be an object or an array`);
    }
  }
}

function readMatchList(list: unknown[]): Condition[] {
  if (list.length === 0) throw refuse('Empty arrays are not allowed');
  return list.map((item): Condition => {
    if (item === null || typeof item === 'string' || typeof item === 'boolean' || typeof item === 'number') return { kind: 'exact', value: item };
    if (Array.isArray(item)) throw refuse('Match value must be String, number, true, false, or null');
    return readMatchExpression(item as Record<string, unknown>);
  });
}

/** `{operator: value}`. Like AWS's streaming reader, the first operator is read before extra keys are noticed. */
function readMatchExpression(expr: Record<string, unknown>): Condition {
  const keys = Object.keys(expr);
  if (keys.length === 0) throw refuse('Empty objects are not allowed');
  const condition = readOperator(keys[0], expr[keys[0]]);
  if (keys.length > 1) throw refuse('Only one key allowed in match expression');
  return condition;
}

/** SNS's operators. `wildcard` (EventBridge only) is an unknown match type here. */
function readOperator(op: string, value: unknown): Condition {
  switch (op) {
    case 'prefix':
    case 'suffix':
      if (typeof value !== 'string') throw refuse(`${op} match pattern must be a string`);
      return { kind: op === 'prefix' ? 'prefix' : 'suffix', value, ignoreCase: false };
    case 'equals-ignore-case':
      if (typeof value !== 'string') throw refuse('equals-ignore-case match pattern must be a string');
      return { kind: 'equals-ignore-case', value };
    case 'exists':
      if (typeof value !== 'boolean') throw refuse('exists match pattern must be either true or false.');
      return { kind: 'exists', value };
    case 'cidr':
      // AWS's reason for a non-string CIDR really does say "prefix".
      if (typeof value !== 'string') throw refuse('prefix match pattern must be a string');
      try {
        parseCidr(value);
      } catch (err) {
        if (err instanceof InvalidPatternError) throw refuse(err.reason);
        throw err;
      }
      return { kind: 'cidr', value };
    case 'numeric':
      return { kind: 'numeric', terms: readNumeric(value) };
    case 'anything-but':
      return readAnythingBut(value);
    default:
      throw refuse(`Unrecognized match type ${op}`);
  }
}

const NUMERIC_OPS = new Set<string>(['=', '<', '<=', '>', '>=']);

/** How AWS's (Java) parser prints a token it did not expect. */
function tokenText(v: unknown): string {
  if (Array.isArray(v)) return '[';
  if (isObject(v)) return '{';
  return String(v);
}

/** SNS's wording differs from EventBridge's for a missing or misplaced operator. */
function readNumeric(value: unknown): Array<[NumericOp, number]> {
  if (!Array.isArray(value)) throw refuse('Value of numeric must be an array.');
  if (value.length === 0) throw refuse('Invalid member in numeric match: ]');
  const first: unknown = value[0];
  if (typeof first !== 'string') throw refuse(`Invalid member in numeric match: ${tokenText(first)}`);
  if (!NUMERIC_OPS.has(first)) throw refuse(`Unrecognized numeric range operator: ${first}`);
  const op = first as NumericOp;
  const bottom: unknown = value[1];
  if (typeof bottom !== 'number') throw refuse(`Value of ${op === '=' ? 'equals' : op} must be numeric`);
  if (value.length === 2) return [[op, bottom]];
  if (op === '=' || op === '<' || op === '<=') throw refuse('Too many elements in numeric expression');
  const second: unknown = value[2];
  if (typeof second !== 'string') throw refuse(`Bad value in numeric range: ${tokenText(second)}`);
  if (second !== '<' && second !== '<=') throw refuse(`Bad numeric range operator: ${second}`);
  const top: unknown = value[3];
  if (typeof top !== 'number') throw refuse(`Value of ${second} must be numeric`);
  if (value.length > 4) throw refuse('Too many terms in numeric range expression');
  if (!(bottom < top)) throw refuse('Bottom must be less than top');
  return [
    [op, bottom],
    [second, top],
  ];
}

/**
 * SNS takes a string, a number, a list of them, or `{"prefix": "..."}`; it refuses the other
 * forms EventBridge has (`suffix`, `equals-ignore-case`, `wildcard` inside anything-but).
 */
function readAnythingBut(value: unknown): Condition {
  if (typeof value === 'string') return { kind: 'anything-but', op: 'equals', strings: [value], numbers: [] };
  if (typeof value === 'number') return { kind: 'anything-but', op: 'equals', strings: [], numbers: [value] };
  if (Array.isArray(value)) {
    if (value.length === 0) throw refuse('Empty arrays are not allowed');
    if (value.some((v) => typeof v !== 'string' && typeof v !== 'number'))
      throw refuse('Inside anything but list, start|null|boolean is not supported.');
    return {
      kind: 'anything-but',
      op: 'equals',
      strings: value.filter((v): v is string => typeof v === 'string'),
      numbers: value.filter((v): v is number => typeof v === 'number'),
    };
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) throw refuse('Anything-But expression name not found');
    if (keys[0] !== 'prefix') throw refuse(`Unsupported anything-but pattern: ${keys[0]}`);
    const prefix = value.prefix;
    if (typeof prefix !== 'string') throw refuse('prefix match pattern must be a string');
    if (prefix === '') throw refuse('Null prefix not allowed');
    if (keys.length > 1) throw refuse('Only one key allowed in match expression');
    return { kind: 'anything-but', op: 'prefix', strings: [prefix], numbers: [] };
  }
  throw refuse('Value of anything-but must be an array or single string/number value.');
}

// ---------------------------------------------------------------------------------------------
// SNS's limits.

/**
 * AWS: attribute policies count every key; body policies count only top-level keys ("nested
 * keys don't count"). A `$or` is no key of its own: its alternatives' keys count, once each.
 */
function countKeys(tree: PolicyTree): number {
  const keys = new Set<string>();
  const visit = (t: PolicyTree): void => {
    for (const f of t.fields) keys.add(f.topKey);
    for (const alternatives of t.ors) alternatives.forEach(visit);
  };
  visit(tree);
  return keys.size;
}

/**
 * AWS: multiply the number of values of each key, a nested key's count weighed by its depth
 * ("four values in a three-level nested key, and three values in a two-level nested key:
 * 3 x 4 x 2 x 3 = 72"); a `$or` adds up its alternatives (each branch of the expanded policy is
 * one product). AWS-validated: 152 and 160 are refused, 150 accepted.
 */
function combinations(tree: PolicyTree): number {
  let total = 1;
  for (const f of tree.fields) total *= f.conditions.length * f.depth;
  for (const alternatives of tree.ors) total *= alternatives.reduce((sum, alt) => sum + combinations(alt), 0);
  return total;
}

// ---------------------------------------------------------------------------------------------
// Matching.

class CompiledFilterPolicy implements FilterPolicy {
  constructor(
    readonly scope: FilterPolicyScope,
    private readonly pattern: CompiledPattern,
    /** `{}`: no condition at all, so every message passes. */
    private readonly matchesAll: boolean,
  ) {}

  matchesMessage(message: FilterSubject): boolean {
    if (this.matchesAll) return true;
    const flat = message.flat(this.scope);
    return flat !== null && matchesFlat(this.pattern, flat);
  }

  matches(body: string, attributes: Record<string, SnsMessageAttribute> | undefined): boolean {
    if (this.matchesAll) return true;
    const event = this.scope === 'MessageBody' ? bodyEvent(body) : attributesEvent(attributes);
    return event !== undefined && matchesEvent(this.pattern, event);
  }
}

/** The body as an event: a JSON object, or nothing to match. */
function bodyEvent(body: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  return isObject(parsed) ? parsed : undefined;
}

/**
 * The attributes as a flat event, each value typed as SNS types it; undefined when there is no
 * attribute to look at. A null prototype, so an attribute named `__proto__` is a field like any other.
 */
function attributesEvent(attributes: Record<string, SnsMessageAttribute> | undefined): Record<string, unknown> | undefined {
  if (!attributes) return undefined;
  const event: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  let count = 0;
  for (const name of Object.keys(attributes)) {
    const value = attributeValue(attributes[name]);
    if (value === undefined) continue;
    event[name] = value;
    count++;
  }
  return count === 0 ? undefined : event;
}

function attributeValue(attr: SnsMessageAttribute): Scalar | unknown[] | undefined {
  const type = attr.DataType;
  if (type.startsWith('Binary')) return undefined;
  const text = attr.StringValue;
  if (text === undefined) return undefined;
  if (type === 'String.Array') {
    // Publish has already refused a String.Array that is not a JSON array; the text is a
    // string value if one gets here anyway.
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // fall through
    }
    return text;
  }
  if (type.startsWith('Number')) {
    const n = text.trim() === '' ? NaN : Number(text);
    return Number.isNaN(n) ? text : n;
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// JSON with the error texts of AWS's parser (Jackson): `failed to parse JSON. <Jackson's message>`.
// Values are what JSON.parse gives: the last of duplicate keys wins, `__proto__` is an own key.

class JsonSyntaxError extends Error {}

const VALID_VALUES = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";
/** Jackson's default StreamReadConstraints; also keeps recursion far from the stack's limit. */
const MAX_NESTING = 1000;
/** Jackson quotes at most this much of the source in a location. */
const MAX_SNIPPET = 500;
const IDENTIFIER_START = /[\p{L}\p{Nl}\p{Sc}\p{Pc}$_]/u;
const IDENTIFIER_PART = /[\p{L}\p{Nl}\p{Nd}\p{Mn}\p{Mc}\p{Sc}\p{Pc}$_]/u;

interface Container {
  kind: 'Object' | 'Array';
  start: number;
}

class JacksonReader {
  private pos = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  readRoot(): unknown {
    const c = this.skipSpace();
    if (c === undefined) throw new JsonSyntaxError('No content to map due to end-of-input');
    if (c === '}' || c === ']') {
      const expected = c === '}' ? ']' : '}';
      throw new JsonSyntaxError(`Unexpected close marker '${c}': expected '${expected}' (for root starting at ${this.location(-1)})`);
    }
    // Like Jackson's tree reader, what follows the first value is not read.
    return this.value(null);
  }

  private value(inside: Container | null): unknown {
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number(inside === null);
    if (c === ']' || c === '}' || c === ',') throw this.unexpected('expected a value');
    if (IDENTIFIER_START.test(c)) return this.word();
    throw this.unexpected(`expected a valid value ${VALID_VALUES}`);
  }

  private object(): Record<string, unknown> {
    const here: Container = { kind: 'Object', start: this.pos };
    this.enter();
    this.pos++;
    const out: Record<string, unknown> = {};
    let c = this.skipSpace();
    if (c === '}') return this.leave(out);
    for (;;) {
      if (c === undefined) throw this.endInside(here);
      if (c === ']') throw this.mismatched(here);
      if (c !== '"') throw this.unexpected('was expecting double-quote to start field name');
      const key = this.string();
      c = this.skipSpace();
      if (c === undefined) throw new JsonSyntaxError('Unexpected end-of-input within/between Object entries');
      if (c !== ':') throw this.unexpected('was expecting a colon to separate field name and value');
      this.pos++;
      if (this.skipSpace() === undefined) throw new JsonSyntaxError('Unexpected end-of-input within/between Object entries');
      Object.defineProperty(out, key, { value: this.value(here), enumerable: true, writable: true, configurable: true });
      c = this.skipSpace();
      if (c === '}') return this.leave(out);
      if (c === undefined) throw this.endInside(here);
      if (c === ']') throw this.mismatched(here);
      if (c !== ',') throw this.unexpected('was expecting comma to separate Object entries');
      this.pos++;
      c = this.skipSpace();
    }
  }

  private array(): unknown[] {
    const here: Container = { kind: 'Array', start: this.pos };
    this.enter();
    this.pos++;
    const out: unknown[] = [];
    let c = this.skipSpace();
    if (c === ']') return this.leave(out);
    for (;;) {
      if (c === undefined) throw this.endInside(here);
      if (c === '}') throw this.mismatched(here);
      out.push(this.value(here));
      c = this.skipSpace();
      if (c === ']') return this.leave(out);
      if (c === undefined) throw this.endInside(here);
      if (c === '}') throw this.mismatched(here);
      if (c !== ',') throw this.unexpected('was expecting comma to separate Array entries');
      this.pos++;
      c = this.skipSpace();
    }
  }

  private enter(): void {
    if (++this.depth > MAX_NESTING)
      throw new JsonSyntaxError(
        `Document nesting depth (${this.depth}) exceeds the maximum allowed (${MAX_NESTING}, from \`StreamReadConstraints.getMaxNestingDepth()\`)`,
      );
  }

  private leave<T>(value: T): T {
    this.depth--;
    this.pos++;
    return value;
  }

  private string(): string {
    const text = this.text;
    let out = '';
    let i = this.pos + 1;
    for (;;) {
      if (i >= text.length) throw new JsonSyntaxError('Unexpected end-of-input: was expecting closing quote for a string value');
      const ch = text.charCodeAt(i);
      if (ch === 0x22) break;
      if (ch < 0x20) {
        this.pos = i;
        throw new JsonSyntaxError(`Illegal unquoted character (${charDesc(ch)}): has to be escaped using backslash to be included in string value`);
      }
      if (ch !== 0x5c) {
        out += text[i++];
        continue;
      }
      i++;
      if (i >= text.length) throw new JsonSyntaxError('Unexpected end-of-input in character escape sequence');
      const e = text[i++];
      const simple = ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        continue;
      }
      if (e !== 'u') throw new JsonSyntaxError(`Unrecognized character escape ${charDesc(e.charCodeAt(0))}`);
      let code = 0;
      for (let k = 0; k < 4; k++, i++) {
        if (i >= text.length) throw new JsonSyntaxError('Unexpected end-of-input in character escape sequence');
        const digit = parseInt(text[i], 16);
        if (Number.isNaN(digit))
          throw new JsonSyntaxError(`Unexpected character (${charDesc(text.charCodeAt(i))}): expected a hex-digit for character escape sequence`);
        code = code * 16 + digit;
      }
      out += String.fromCharCode(code);
    }
    this.pos = i + 1;
    return out;
  }

  private number(root: boolean): number {
    const text = this.text;
    const start = this.pos;
    let i = start;
    if (text[i] === '-') i++;
    if (!isDigit(text[i])) throw this.numberError(i, 'expected digit (0-9) to follow minus sign, for valid numeric value');
    if (text[i] === '0' && isDigit(text[i + 1])) throw new JsonSyntaxError('Invalid numeric value: Leading zeroes not allowed');
    while (isDigit(text[i])) i++;
    if (text[i] === '.') {
      i++;
      if (!isDigit(text[i])) throw this.numberError(i, 'Decimal point not followed by a digit');
      while (isDigit(text[i])) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!isDigit(text[i])) throw this.numberError(i, 'Exponent indicator not followed by a digit');
      while (isDigit(text[i])) i++;
    }
    this.pos = i;
    if (root && i < text.length && !/\s/.test(text[i])) throw this.unexpected('Expected space separating root-level values');
    return Number(text.slice(start, i));
  }

  /** `true`, `false`, `null`, or Jackson's "Unrecognized token" with the whole word. */
  private word(): boolean | null {
    const text = this.text;
    let end = this.pos + 1;
    while (end < text.length && IDENTIFIER_PART.test(text[end])) end++;
    const word = text.slice(this.pos, end);
    this.pos = end;
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    throw new JsonSyntaxError(`Unrecognized token '${word}': was expecting ${VALID_VALUES}`);
  }

  /** Skips JSON whitespace; the next character, or undefined at the end. */
  private skipSpace(): string | undefined {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text[this.pos];
      if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return c;
      this.pos++;
    }
    return undefined;
  }

  private unexpected(comment: string): JsonSyntaxError {
    return new JsonSyntaxError(`Unexpected character (${charDesc(this.text.charCodeAt(this.pos))}): ${comment}`);
  }

  private numberError(at: number, comment: string): JsonSyntaxError {
    if (at >= this.text.length) return new JsonSyntaxError('Unexpected end-of-input in a Number value');
    return new JsonSyntaxError(`Unexpected character (${charDesc(this.text.charCodeAt(at))}) in numeric value: ${comment}`);
  }

  private mismatched(container: Container): JsonSyntaxError {
    const actual = this.text[this.pos];
    const expected = container.kind === 'Object' ? '}' : ']';
    return new JsonSyntaxError(
      `Unexpected close marker '${actual}': expected '${expected}' (for ${container.kind} starting at ${this.location(container.start)})`,
    );
  }

  private endInside(container: Container): JsonSyntaxError {
    return new JsonSyntaxError(
      `Unexpected end-of-input: expected close marker for ${container.kind} (start marker at ${this.location(container.start)})`,
    );
  }

  /** Jackson's `[Source: (String)"..."; line: L, column: C]`; index -1 is the root (column 0). */
  private location(index: number): string {
    const text = this.text;
    const snippet = text.length > MAX_SNIPPET ? `"${text.slice(0, MAX_SNIPPET)}"[truncated ${text.length - MAX_SNIPPET} chars]` : `"${text}"`;
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < index; i++) {
      const c = text[i];
      if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) {
        line++;
        lineStart = i + 1;
      }
    }
    return `[Source: (String)${snippet}; line: ${line}, column: ${index < 0 ? 0 : index - lineStart + 1}]`;
  }
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Jackson's description of a character in its messages. */
function charDesc(code: number): string {
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `(CTRL-CHAR, code ${code})`;
  const c = String.fromCharCode(code);
  if (code > 255) return `'${c}' (code ${code} / 0x${code.toString(16)})`;
  return `'${c}' (code ${code})`;
}
