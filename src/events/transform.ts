/**
 * Target input shaping: what EventBridge sends a target for a matched event, from the target's
 * `Input`, `InputPath` or `InputTransformer`. Everything is checked and compiled once, when
 * PutTargets accepts the target; applying it to an event walks precompiled paths and joins
 * precompiled text, and never parses the template again.
 *
 * Sources (AWS's word decides; peers only fill gaps, and each such rule says so):
 *  [UG]   User guide, "Amazon EventBridge input transformation"
 *         https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 *         (examples table, predefined variables, supported JSONPath syntax, "Common issues";
 *         also in github.com/awsdocs/amazon-eventbridge-user-guide, doc_source/eb-transform-target-input.md)
 *  [IT]   API reference, InputTransformer
 *         https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html
 *  [TGT]  API reference, Target (Input, InputPath)
 *         https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html
 *  [MODEL] the events 2015-10-07 service model (botocore): TargetInput max 8192, TargetInputPath
 *         max 256, TransformerPaths max 100 entries, keys 1..256 matching [A-Za-z0-9\_\-]+,
 *         TransformerInput 1..8192 and required.
 *  [LS]   LocalStack's snapshot tests recorded against AWS
 *         (tests/aws/services/events/test_events_inputs.snapshot.json): messages and outputs.
 *  [CLI]  An AWS answer quoted in github.com/aws/aws-cli/issues/6711:
 *         `JSON syntax error in input for target 1: [Source: (String)"env:dev"; line: 1, column: 4]`.
 *  [PF]   Third-party measurements of PutTargets (a CDK pre-flight rule set, "measured
 *         2026-09-07, us-east-1"), used only where nothing above speaks.
 */
import type { AwsError } from '../gateway/errors.js';
import { validationException } from './errors.js';

export interface TransformContext {
  ruleArn: string;
  ruleName: string;
  /** When EventBridge received the event (RFC 3339). */
  ingestionTime: string;
}

/** The input-shaping members of a PutTargets `Target` (the SDK's `Target` fits this type). */
export interface TargetInput {
  /** The target's id: AWS names it in every message below. */
  Id?: string;
  Input?: string;
  InputPath?: string;
  /** `InputTemplate` is required by the model; its absence is refused as AWS refuses it. */
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate?: string };
}

/** Turns a matched event into the body text the target receives. */
export type TargetInputShaper = (event: Record<string, unknown>, ctx: TransformContext) => string;

// ---------------------------------------------------------------------------------------------
// The request model's constraints
// ---------------------------------------------------------------------------------------------

/** [MODEL] */
export const TARGET_INPUT_LIMITS = {
  input: 8192,
  inputPath: 256,
  pathsMapEntries: 100,
  pathsMapKey: 256,
  template: 8192,
} as const;

const PATHS_MAP_KEY = /^[A-Za-z0-9_-]+$/;

/**
 * The request model's constraint violations for one target, each in the words AWS uses
 * ("Value '…' at 'targets.N.member.input' failed to satisfy constraint: …"). `position` is the
 * target's 1-based place in PutTargets' `Targets`. PutTargets gathers these over every target
 * (with its own checks of Id and Arn) and answers them in one ValidationException, as AWS does;
 * `constraintViolationsError` words that answer.
 */
export function targetInputConstraintViolations(t: TargetInput, position = 1): string[] {
  const at = `targets.${position}.member`;
  const out: string[] = [];
  const tooLong = (value: string, path: string, max: number) => {
    if (value.length > max) out.push(violation(value, path, `Member must have length less than or equal to ${max}`));
  };
  if (t.Input !== undefined) tooLong(t.Input, `${at}.input`, TARGET_INPUT_LIMITS.input);
  if (t.InputPath !== undefined) tooLong(t.InputPath, `${at}.inputPath`, TARGET_INPUT_LIMITS.inputPath);
  const transformer = t.InputTransformer;
  if (transformer !== undefined) {
    const mapPath = `${at}.inputTransformer.inputPathsMap`;
    const map = transformer.InputPathsMap;
    if (map !== undefined) {
      const entries = Object.entries(map);
      const shown = `{${entries.map(([k, v]) => `${k}=${v}`).join(', ')}}`; // Java's Map.toString
      if (entries.length > TARGET_INPUT_LIMITS.pathsMapEntries)
        out.push(violation(shown, mapPath, `Member must have length less than or equal to ${TARGET_INPUT_LIMITS.pathsMapEntries}`));
      if (entries.some(([k]) => k.length < 1 || k.length > TARGET_INPUT_LIMITS.pathsMapKey || !PATHS_MAP_KEY.test(k)))
        out.push(violation(shown, mapPath,
          `Map keys must satisfy constraint: [Member must have length less than or equal to ${TARGET_INPUT_LIMITS.pathsMapKey}, ` +
          'Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [A-Za-z0-9\\_\\-]+]'));
      if (entries.some(([, v]) => v.length > TARGET_INPUT_LIMITS.inputPath))
        out.push(violation(shown, mapPath, `Map value must satisfy constraint: [Member must have length less than or equal to ${TARGET_INPUT_LIMITS.inputPath}]`));
    }
    const templatePath = `${at}.inputTransformer.inputTemplate`;
    const template = transformer.InputTemplate;
    if (template === undefined || template === null) out.push(`Value null at '${templatePath}' failed to satisfy constraint: Member must not be null`);
    else if (template.length < 1) out.push(violation(template, templatePath, 'Member must have length greater than or equal to 1'));
    else tooLong(template, templatePath, TARGET_INPUT_LIMITS.template);
  }
  return out;
}

/** AWS's single answer for a request's constraint violations. */
export function constraintViolationsError(violations: readonly string[]): AwsError {
  const n = violations.length;
  return validationException(`${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`);
}

function violation(value: string, path: string, constraint: string): string {
  return `Value '${value}' at '${path}' failed to satisfy constraint: ${constraint}`;
}

// ---------------------------------------------------------------------------------------------
// Validation and compilation
// ---------------------------------------------------------------------------------------------

/** Checks a target's input members as PutTargets does; throws AWS's ValidationException. */
export function validateTargetInput(t: TargetInput, position = 1): void {
  compileTargetInput(t, position);
}

/**
 * Checks a target's input members as PutTargets does (throwing AWS's ValidationException) and
 * compiles them into the function that shapes each matched event.
 */
export function compileTargetInput(t: TargetInput, position = 1): TargetInputShaper {
  const violations = targetInputConstraintViolations(t, position);
  if (violations.length > 0) throw constraintViolationsError(violations);
  const id = t.Id ?? '';

  // [LS] recorded: "Only one of Input, InputPath, or InputTransformer must be provided for target <id>."
  const given = (t.Input !== undefined ? 1 : 0) + (t.InputPath !== undefined ? 1 : 0) + (t.InputTransformer !== undefined ? 1 : 0);
  if (given > 1) throw validationException(`Only one of Input, InputPath, or InputTransformer must be provided for target ${id}.`);

  // No input members: [TGT] "the entire event is passed to the target in JSON form"; the event
  // object is built in AWS's key order, so JSON.stringify writes AWS's text.
  if (given === 0) return wholeEvent;

  if (t.Input !== undefined) {
    // [TGT] "Valid JSON text passed to the target. In this case, nothing from the event itself
    // is passed"; refused with the wording and Jackson-style location of [CLI]. Sent verbatim.
    const error = jsonSyntaxError(t.Input);
    if (error) throw validationException(`JSON syntax error in input for target ${id}: ${error}`);
    const text = t.Input;
    return () => text;
  }

  if (t.InputPath !== undefined) {
    const path = parsePath(t.InputPath);
    if (!path) throw invalidPath(id);
    // [LS] recorded: `InputPath: $.detail.payload.sf_id` on a string delivers `"baz"` (JSON
    // text, quotes included); objects and arrays arrive as JSON. A path that is not in the
    // event: the docs are silent; Switchyard sends `null` (Jayway, which AWS's JSONPath syntax
    // follows, has no value to give), so the delivery is visible rather than dropped.
    if (path.segments.length === 0) return wholeEvent;
    return (event) => {
      const value = evaluatePath(path, event);
      return value === MISSING ? 'null' : JSON.stringify(value);
    };
  }

  return compileTransformer(t.InputTransformer!, id);
}

const wholeEvent: TargetInputShaper = (event) => JSON.stringify(event);

function invalidPath(id: string): AwsError {
  // [PF] "InputPath for target <id> is invalid.", for InputPath and InputPathsMap values alike.
  return validationException(`InputPath for target ${id} is invalid.`);
}

// ---------------------------------------------------------------------------------------------
// JSONPath: the subset EventBridge documents
// ---------------------------------------------------------------------------------------------

/**
 * [UG] "EventBridge does not support all JSON Path syntax … Supported syntax includes: dot
 * notation (for example, $.detail), dashes, underscores, alphanumeric characters, array indices,
 * wildcards (*), forward slashes." [IT] "You must use JSON dot notation, not bracket notation"
 * ([PF]: `$.detail['key']` is refused, `$` and `$.a[0]` are accepted). So a path is `$`, then
 * `.name` steps (name: letters, digits, `_`, `-`, `/`, or `*`), each followed by any number of
 * `[digits]` or `[*]`. Anything else (`..`, filters, slices, negative indices, quoted names,
 * other characters) is refused at PutTargets.
 */
interface CompiledPath {
  segments: PathSegment[];
  /** Has a wildcard: the result is the list of every match (Jayway's "indefinite" path). */
  indefinite: boolean;
}
type PathSegment = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'all' };

const NAME_CHAR = /[A-Za-z0-9_\-/]/;

function parsePath(text: string): CompiledPath | undefined {
  if (text[0] !== '$') return undefined;
  const segments: PathSegment[] = [];
  let indefinite = false;
  let i = 1;
  while (i < text.length) {
    if (text[i] !== '.') return undefined;
    i++;
    if (text[i] === '*') {
      segments.push({ kind: 'all' });
      indefinite = true;
      i++;
    } else {
      const start = i;
      while (i < text.length && NAME_CHAR.test(text[i]!)) i++;
      if (i === start) return undefined;
      segments.push({ kind: 'key', key: text.slice(start, i) });
    }
    while (text[i] === '[') {
      const close = text.indexOf(']', i);
      if (close < 0) return undefined;
      const inner = text.slice(i + 1, close);
      if (inner === '*') {
        segments.push({ kind: 'all' });
        indefinite = true;
      } else if (/^\d+$/.test(inner)) {
        segments.push({ kind: 'index', index: Number(inner) });
      } else return undefined;
      i = close + 1;
    }
  }
  return { segments, indefinite };
}

const MISSING: unique symbol = Symbol('missing');
type Found = unknown | typeof MISSING;

function step(value: unknown, segment: PathSegment): Found {
  if (segment.kind === 'key') {
    // Own properties only: a path never reaches Object.prototype (`$.__proto__`, `$.constructor`).
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return MISSING;
    return Object.hasOwn(value, segment.key) ? (value as Record<string, unknown>)[segment.key] : MISSING;
  }
  if (segment.kind === 'index') return Array.isArray(value) && segment.index < value.length ? value[segment.index] : MISSING;
  return MISSING; // wildcards are walked by evaluatePath
}

function evaluatePath(path: CompiledPath, root: unknown): Found {
  if (!path.indefinite) {
    let value: Found = root;
    for (const segment of path.segments) {
      value = step(value, segment);
      if (value === MISSING || value === undefined) return MISSING;
    }
    return value;
  }
  // A wildcard fans out: the result is the list of every value the rest of the path reaches,
  // in document order, skipping branches where it reaches nothing (Jayway's semantics; the
  // docs list wildcards without saying more). No match at all gives [].
  let current: unknown[] = [root];
  for (const segment of path.segments) {
    const next: unknown[] = [];
    for (const value of current) {
      if (segment.kind === 'all') {
        if (Array.isArray(value)) next.push(...value);
        else if (typeof value === 'object' && value !== null) next.push(...Object.values(value));
      } else {
        const found = step(value, segment);
        if (found !== MISSING && found !== undefined) next.push(found);
      }
    }
    current = next;
  }
  return current;
}

// ---------------------------------------------------------------------------------------------
// InputTransformer
// ---------------------------------------------------------------------------------------------

/**
 * [UG] Predefined variables, usable without an InputPathsMap entry (and, being dotted, they can
 * never be one: [MODEL] keys match [A-Za-z0-9_-]+):
 *  - aws.events.rule-arn, aws.events.rule-name: the rule's ARN and name (strings).
 *  - aws.events.event.ingestion-time: "The time at which the event was received by EventBridge.
 *    This is an ISO 8601 timestamp."
 *  - aws.events.event: "The original event payload as JSON (without the detail field). Can only
 *    be used as a value for a JSON field, as its contents are not escaped." [LS] recorded its
 *    shape: id, account, detailType (sic, camelCase), time, source, region, resources, version,
 *    in that order, its `time` being the ingestion time.
 *  - aws.events.event.json: "The full original event payload as JSON (with the detail field)."
 *    [LS] recorded it as the event object itself.
 * [PF] a template that is not a JSON object and uses aws.events.event.json is refused: "InputTemplate
 * for target t1 contains placeholder aws.events.event.json valid only for JSON template." The
 * docs give aws.events.event the same restriction, so it is refused the same way.
 */
type Variable =
  | { kind: 'path'; path: CompiledPath }
  | { kind: 'rule-arn' | 'rule-name' | 'ingestion-time' | 'event' | 'event-json' };

const PREDEFINED: Readonly<Record<string, Variable>> = {
  'aws.events.rule-arn': { kind: 'rule-arn' },
  'aws.events.rule-name': { kind: 'rule-name' },
  'aws.events.event.ingestion-time': { kind: 'ingestion-time' },
  'aws.events.event': { kind: 'event' },
  'aws.events.event.json': { kind: 'event-json' },
};
const JSON_TEMPLATE_ONLY = new Set(['aws.events.event', 'aws.events.event.json']);

/**
 * A placeholder is `<` … `>` with neither inside ([UG]: "Then you can use those variables in the
 * Input Template as <variable-name>"; the older guide adds 'The characters "<" and ">" cannot be
 * escaped'). [LS] recorded that a placeholder naming no InputPathsMap key and no predefined
 * variable is refused at PutTargets: "InputTemplate for target <id> contains invalid placeholder
 * notdefinedkey." (it is not left as literal text).
 */
const PLACEHOLDER = /<([^<>]+)>/g;
const PLACEHOLDER_AT = /<([^<>]+)>/y;

/**
 * Where a placeholder sits decides how its value is written:
 *  - `value`: in a JSON template, where a JSON value goes (`{"a": <v>}`, `[9, <v>]`).
 *  - `string`: in a JSON template, inside a string literal (`{"a": "x <v> y"}`).
 *  - `raw`: anywhere in a template that is not a JSON object.
 */
type SlotKind = 'value' | 'string' | 'raw';
interface Slot {
  kind: SlotKind;
  variable: number;
}

function compileTransformer(transformer: NonNullable<TargetInput['InputTransformer']>, id: string): TargetInputShaper {
  const template = transformer.InputTemplate!; // present: the model's checks ran first
  const pathsMap = transformer.InputPathsMap ?? {};

  // [PF] every InputPathsMap value is checked like InputPath, with the same message.
  const paths = new Map<string, CompiledPath>();
  for (const [name, text] of Object.entries(pathsMap)) {
    const path = parsePath(text);
    if (!path) throw invalidPath(id);
    paths.set(name, path);
  }

  // [IT] "If InputTemplate is a JSON object (surrounded by curly braces)" the template is JSON;
  // anything else is text ([LS] recorded `"{[/Check … <detail-type> type"` as text; [PF] `[…]`
  // templates are not JSON templates).
  const isJson = startsWithBrace(template);

  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    if (!Object.hasOwn(pathsMap, name) && !Object.hasOwn(PREDEFINED, name))
      throw validationException(`InputTemplate for target ${id} contains invalid placeholder ${name}.`);
  }
  if (!isJson) {
    for (const match of template.matchAll(PLACEHOLDER))
      if (JSON_TEMPLATE_ONLY.has(match[1]!))
        throw validationException(`InputTemplate for target ${id} contains placeholder ${match[1]} valid only for JSON template.`);
  }

  const variables: Variable[] = [];
  const indexOf = new Map<string, number>();
  const variableIndex = (name: string): number => {
    let index = indexOf.get(name);
    if (index === undefined) {
      index = variables.length;
      variables.push(Object.hasOwn(PREDEFINED, name) ? PREDEFINED[name]! : { kind: 'path', path: paths.get(name)! });
      indexOf.set(name, index);
    }
    return index;
  };

  let texts: string[];
  let slots: Slot[];
  if (isJson) {
    const compiled = new TemplateScanner(template, variableIndex).compile();
    if (!compiled) {
      // The docs require a JSON template to be JSON with placeholders as values or inside
      // strings, never as keys ([IT]); AWS's wording for a template that is not is unrecorded.
      throw validationException(`InputTemplate for target ${id} is not a valid JSON text.`);
    }
    ({ texts, slots } = compiled);
  } else {
    texts = [];
    slots = [];
    let last = 0;
    for (const match of template.matchAll(PLACEHOLDER)) {
      texts.push(template.slice(last, match.index));
      slots.push({ kind: 'raw', variable: variableIndex(match[1]!) });
      last = match.index + match[0].length;
    }
    texts.push(template.slice(last));
  }

  if (slots.length === 0) {
    const text = texts[0]!;
    return () => text;
  }
  const count = variables.length;
  return (event, ctx) => {
    const values: Found[] = new Array(count);
    let out = texts[0]!;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      let value = values[slot.variable];
      if (value === undefined) value = values[slot.variable] = resolve(variables[slot.variable]!, event, ctx);
      out += render(slot.kind, value) + texts[i + 1]!;
    }
    return out;
  };
}

/** The first character past leading whitespace (Java's trim: anything up to U+0020) is `{`. */
function startsWithBrace(template: string): boolean {
  let i = 0;
  while (i < template.length && template.charCodeAt(i) <= 0x20) i++;
  return template[i] === '{';
}

function resolve(variable: Variable, event: Record<string, unknown>, ctx: TransformContext): Found {
  switch (variable.kind) {
    case 'path': {
      const found = evaluatePath(variable.path, event);
      return found === undefined ? MISSING : found;
    }
    case 'rule-arn':
      return ctx.ruleArn;
    case 'rule-name':
      return ctx.ruleName;
    case 'ingestion-time':
      return ctx.ingestionTime;
    case 'event-json':
      return event;
    case 'event':
      return eventWithoutDetail(event, ctx);
  }
}

/** [LS] recorded `<aws.events.event>`: these members, in this order, `detail-type` renamed. */
function eventWithoutDetail(event: Record<string, unknown>, ctx: TransformContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (Object.hasOwn(event, 'id')) out.id = event.id;
  if (Object.hasOwn(event, 'account')) out.account = event.account;
  if (Object.hasOwn(event, 'detail-type')) out.detailType = event['detail-type'];
  out.time = ctx.ingestionTime;
  if (Object.hasOwn(event, 'source')) out.source = event.source;
  if (Object.hasOwn(event, 'region')) out.region = event.region;
  if (Object.hasOwn(event, 'resources')) out.resources = event.resources;
  if (Object.hasOwn(event, 'version')) out.version = event.version;
  return out;
}

/**
 * How a value is written where its placeholder sits.
 *
 * `value` (a JSON template, value position). [UG] examples: `"instance" : <instance>` with a
 * string gives `"instance" : "i-0123456789"` (the quotes are added); `"state": [ 9, <state>, true ]`
 * gives `[9, "RUNNING", true]`; `"originalEvent" : <aws.events.event>` gives the object. So the
 * value is written as JSON. A path that is not in the event: [LS] recorded `"command": <command>`
 * giving `"command": ""`. (A path whose value is JSON null writes `null`; the docs are silent.)
 *
 * `string` (a JSON template, inside a string literal). [UG] `"state": "<state>"` gives
 * `"state": "RUNNING"` and `"instance \"<instance>\" is in <state>"` gives
 * `"instance \"i-0123456789\" is in RUNNING"`: a string goes in without quotes of its own. It is
 * escaped for the string it lands in (`"`, `\`, control characters), so the body stays the
 * valid JSON the template is: [UG] "The JSON that is passed to the target is minified and
 * escaped", and the predefined aws.events.event* are singled out as "not escaped", which the
 * other variables therefore are. (An older guide said "EventBridge doesn't escape values
 * extracted by Input Path"; the current one is followed.) Numbers, booleans, null, objects and
 * arrays go in as their JSON text, escaped the same way. A missing path writes nothing ([LS]).
 *
 * `raw` (a template that is not a JSON object). [UG] `"instance <instance> is in <state>"` gives
 * `"instance i-0123456789 is in RUNNING"` and `"<aws.events.rule-name> triggered"` gives
 * `"example triggered"`; [IT] `<instance> is in state <status>` is a template too. The text is
 * sent as written: strings go in as they are, unescaped (so a `"` in a value ends a quoted
 * template's string early, as on AWS), other values as their JSON text, a missing path as
 * nothing ([LS] recorded `"… info extracted from detail "`).
 *
 * A value is written once, as it is: a value that looks like a placeholder (`<state>`) or markup
 * (`<script>`) is never substituted again nor altered.
 */
function render(kind: SlotKind, value: Found): string {
  if (value === MISSING) return kind === 'value' ? '""' : '';
  if (kind === 'value') return JSON.stringify(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return kind === 'raw' ? text : escapeForString(text);
}

function escapeForString(text: string): string {
  const quoted = JSON.stringify(text);
  return quoted.slice(1, quoted.length - 1);
}

// ---------------------------------------------------------------------------------------------
// JSON scanning: Input validation and JSON templates
// ---------------------------------------------------------------------------------------------

class JsonSyntaxError extends Error {
  /** Where Jackson's reader stands when it gives up: just past the offending token. */
  constructor(readonly offset: number) {
    super('JSON syntax error');
  }
}

/**
 * A strict JSON (RFC 8259) reader. With `variableIndex`, it reads an InputTransformer template:
 * a placeholder may stand where a value goes, and is recognised inside string literals; the
 * text outside strings is minified as it is copied ([UG]: the JSON passed to the target "is
 * minified"), while strings keep their text exactly, escapes included.
 */
class TemplateScanner {
  private pos = 0;
  private buffer = '';
  private readonly texts: string[] = [];
  private readonly slots: Slot[] = [];

  constructor(
    private readonly text: string,
    private readonly variableIndex?: (name: string) => number,
  ) {}

  /** Reads the whole text; the compiled parts, or undefined when it is not (template) JSON. */
  compile(): { texts: string[]; slots: Slot[] } | undefined {
    try {
      this.validate();
    } catch (err) {
      if (err instanceof JsonSyntaxError) return undefined;
      throw err;
    }
    this.texts.push(this.buffer);
    return { texts: this.texts, slots: this.slots };
  }

  /** Reads the whole text; throws JsonSyntaxError. */
  validate(): void {
    this.skipSpace();
    this.value(0);
    this.skipSpace();
    if (this.pos < this.text.length) this.unexpected();
  }

  private value(depth: number): void {
    // The reader recurses: nesting is capped (at Jackson's default limit, 1000) so that a
    // hostile Input cannot overflow the stack.
    if (depth > 1000) throw new JsonSyntaxError(this.pos + 1);
    const c = this.text[this.pos];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    if (c === 't') return this.literal('true');
    if (c === 'f') return this.literal('false');
    if (c === 'n') return this.literal('null');
    if (c === '<' && this.variableIndex && this.placeholder('value')) return;
    this.unexpected();
  }

  private object(depth: number): void {
    this.emit('{');
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.emit('}');
      this.pos++;
      return;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.unexpected(); // a bare placeholder cannot be a key ([IT])
      this.string();
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.unexpected();
      this.emit(':');
      this.pos++;
      this.skipSpace();
      this.value(depth + 1);
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') return this.emit('}');
      if (c !== ',') this.unexpectedAt(this.pos - 1);
      this.emit(',');
      this.skipSpace();
    }
  }

  private array(depth: number): void {
    this.emit('[');
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.emit(']');
      this.pos++;
      return;
    }
    for (;;) {
      this.value(depth + 1);
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ']') return this.emit(']');
      if (c !== ',') this.unexpectedAt(this.pos - 1);
      this.emit(',');
      this.skipSpace();
    }
  }

  private string(): void {
    const text = this.text;
    let start = this.pos; // copied verbatim from here, up to a placeholder or the closing quote
    this.pos++;
    for (;;) {
      const c = text[this.pos];
      if (c === undefined) throw new JsonSyntaxError(text.length);
      if (c === '"') {
        this.pos++;
        this.emit(text.slice(start, this.pos));
        return;
      }
      if (c === '\\') {
        const e = text[this.pos + 1];
        if (e === 'u') {
          if (!/^[0-9A-Fa-f]{4}$/.test(text.slice(this.pos + 2, this.pos + 6))) throw new JsonSyntaxError(Math.min(this.pos + 6, text.length));
          this.pos += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          this.pos += 2;
        } else throw new JsonSyntaxError(Math.min(this.pos + 2, text.length));
        continue;
      }
      if (c < ' ') throw new JsonSyntaxError(this.pos + 1);
      if (c === '<' && this.variableIndex) {
        const before = this.pos;
        this.emit(text.slice(start, before));
        if (this.placeholder('string')) {
          start = this.pos;
          continue;
        }
        start = before; // a lone `<` is text (the scan above already refused bad placeholders)
      }
      this.pos++;
    }
  }

  /** A placeholder at `pos`: records its slot and moves past it. */
  private placeholder(kind: SlotKind): boolean {
    PLACEHOLDER_AT.lastIndex = this.pos;
    const match = PLACEHOLDER_AT.exec(this.text);
    if (!match) return false;
    this.texts.push(this.buffer);
    this.buffer = '';
    this.slots.push({ kind, variable: this.variableIndex!(match[1]!) });
    this.pos += match[0].length;
    return true;
  }

  private number(): void {
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    match.lastIndex = this.pos;
    const m = match.exec(this.text);
    if (!m || m[0] === '-') this.unexpectedAt(this.pos + (this.text[this.pos] === '-' ? 1 : 0));
    const end = this.pos + m![0].length;
    // A number runs into the next token only through a delimiter ("01", "1.", "1x" are refused).
    const next = this.text[end];
    if (next !== undefined && /[0-9A-Za-z_.+\-]/.test(next)) this.unexpectedAt(end);
    this.emit(m![0]);
    this.pos = end;
  }

  private literal(word: string): void {
    if (this.text.startsWith(word, this.pos) && !/[A-Za-z0-9_$]/.test(this.text[this.pos + word.length] ?? '')) {
      this.emit(word);
      this.pos += word.length;
      return;
    }
    this.unexpected();
  }

  private skipSpace(): void {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text[this.pos];
      if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') break;
      this.pos++;
    }
  }

  private emit(text: string): void {
    this.buffer += text;
  }

  private unexpected(): never {
    return this.unexpectedAt(this.pos);
  }

  /**
   * Jackson reports where its reader stands: past a whole unrecognised word (`env:dev` fails at
   * column 4, [CLI]), past a single unexpected character otherwise, at the end for a text that
   * stops early.
   */
  private unexpectedAt(at: number): never {
    const text = this.text;
    if (at >= text.length) throw new JsonSyntaxError(text.length);
    if (/[A-Za-z0-9_$]/.test(text[at]!)) {
      let end = at + 1;
      while (end < text.length && /[A-Za-z0-9_$]/.test(text[end]!)) end++;
      throw new JsonSyntaxError(end);
    }
    throw new JsonSyntaxError(at + 1);
  }
}

/**
 * Why `text` is not JSON, as the location part of Jackson's message that AWS quotes ([CLI]):
 * `[Source: (String)"env:dev"; line: 1, column: 4]`; undefined when it is JSON. Jackson shows
 * at most 500 characters of the source.
 */
export function jsonSyntaxError(text: string): string | undefined {
  try {
    new TemplateScanner(text).validate();
    return undefined;
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < err.offset; i++) {
      const c = text[i];
      if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) {
        line++;
        lineStart = i + 1;
      }
    }
    const source = text.length > 500 ? `(String)"${text.slice(0, 500)}"[truncated ${text.length - 500} chars]` : `(String)"${text}"`;
    return `[Source: ${source}; line: ${line}, column: ${err.offset - lineStart + 1}]`;
  }
}
