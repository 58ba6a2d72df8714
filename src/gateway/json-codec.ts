/**
 * awsJson1_0 / awsJson1_1: request bodies are JSON objects named after the input shape's
 * members; responses likewise. Decoding checks every value against the shape (AWS answers a
 * wrong type with SerializationException) and converts blobs and timestamps; encoding walks the
 * shape only when it holds blobs or timestamps, and is a plain JSON.stringify otherwise.
 */
import { AwsError, CommonErrors, missingParameter } from './errors.js';
import { jsonWalkMembers, needsJsonWalk, type Shape, type StructureShape } from './shapes.js';

const hasOwn = Object.prototype.hasOwnProperty;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function serializationError(path: string, expected: string, got: unknown): AwsError {
  return new AwsError(
    CommonErrors.SerializationException,
    `Value of ${path} must be ${expected}, but a ${typeName(got)} was given.`,
  );
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function decodeBase64(text: string, path: string): Uint8Array {
  if (text.length % 4 !== 0 || !BASE64.test(text))
    throw new AwsError(CommonErrors.InvalidParameterValue, `Value for ${path} is not valid base64.`);
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** Parse and check a JSON request body against the operation's input shape. */
export function decodeJsonInput(
  body: string,
  shape: StructureShape,
  missing: (path: string) => AwsError = missingParameter,
): Record<string, unknown> {
  let parsed: unknown;
  if (body.length === 0) parsed = {};
  else {
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new AwsError(CommonErrors.SerializationException, 'Start of structure or map found where not expected, or the body is not valid JSON.');
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new AwsError(CommonErrors.SerializationException, 'The request body must be a JSON object.');
  return decodeStructure(parsed as Record<string, unknown>, shape, '', missing) as Record<string, unknown>;
}

/** How the service reports a missing required member, given its path (`Targets[0].Id`). */
type Missing = (path: string) => AwsError;

function decodeStructure(obj: Record<string, unknown>, shape: StructureShape, path: string, missing: Missing): Record<string, unknown> {
  // A fresh object with only the modelled members: unknown keys (including __proto__) never
  // reach a handler.
  const out: Record<string, unknown> = {};
  for (const m of shape.members) {
    const v = hasOwn.call(obj, m.name) ? obj[m.name] : undefined;
    if (v === undefined || v === null) {
      if (m.required) throw missing(path ? `${path}.${m.name}` : m.name);
      continue;
    }
    out[m.name] = decodeValue(v, m.shape, path ? `${path}.${m.name}` : m.name, missing);
  }
  return out;
}

function decodeValue(v: unknown, shape: Shape, path: string, missing: Missing): unknown {
  switch (shape.kind) {
    case 'string':
      if (typeof v !== 'string') throw serializationError(path, 'a string', v);
      return v;
    case 'integer':
    case 'long':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw serializationError(path, 'an integer', v);
      // A Smithy Integer is 32-bit: 2^31 and beyond do not deserialize on AWS either.
      if (shape.kind === 'integer' && (v > 2147483647 || v < -2147483648)) throw serializationError(path, 'a 32-bit integer', v);
      return v;
    case 'double':
      if (typeof v !== 'number') throw serializationError(path, 'a number', v);
      return v;
    case 'boolean':
      if (typeof v !== 'boolean') throw serializationError(path, 'a boolean', v);
      return v;
    case 'blob':
      if (typeof v !== 'string') throw serializationError(path, 'a base64 string', v);
      return decodeBase64(v, path);
    case 'timestamp': {
      // Rounded: 540879100.703 * 1000 is 540879100702.99994, which a Date would cut to ...702.
      // Past ±8.64e15 ms (1e400 is Infinity) a Date is invalid: never hand one to a handler.
      const d = typeof v === 'number' ? new Date(Math.round(v * 1000)) : typeof v === 'string' ? new Date(v) : undefined;
      if (d === undefined || Number.isNaN(d.getTime())) throw serializationError(path, 'a timestamp in epoch seconds', v);
      return d;
    }
    case 'list': {
      if (!Array.isArray(v)) throw serializationError(path, 'a list', v);
      return v.map((item, i) => {
        if (item === null) throw serializationError(`${path}[${i}]`, 'a value', item);
        return decodeValue(item, shape.member, `${path}[${i}]`, missing);
      });
    }
    case 'map': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw serializationError(path, 'a map', v);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v)) {
        const item = (v as Record<string, unknown>)[key];
        if (item === null) throw serializationError(`${path}.${key}`, 'a value', item);
        // defineProperty: a key named __proto__ stays an ordinary key.
        Object.defineProperty(out, key, {
          value: decodeValue(item, shape.value, `${path}.${key}`, missing),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case 'structure':
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw serializationError(path, 'a structure', v);
      return decodeStructure(v as Record<string, unknown>, shape, path, missing);
  }
}

/** Encode an operation's output as a JSON body. */
export function encodeJsonOutput(shape: StructureShape | undefined, value: unknown): string {
  if (!shape || value === undefined || value === null) return '{}';
  if (!needsJsonWalk(shape)) return JSON.stringify(value);
  return JSON.stringify(encodeValue(value, shape));
}

function encodeValue(v: unknown, shape: Shape): unknown {
  if (v === undefined || v === null) return undefined;
  switch (shape.kind) {
    case 'blob':
      return v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : v;
    case 'timestamp':
      return v instanceof Date ? v.getTime() / 1000 : v;
    case 'list':
      if (!needsJsonWalk(shape)) return v;
      return (v as unknown[]).map((item) => encodeValue(item, shape.member));
    case 'map': {
      if (!needsJsonWalk(shape)) return v;
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v as Record<string, unknown>))
        Object.defineProperty(out, k, { value: encodeValue(item, shape.value), enumerable: true, writable: true, configurable: true });
      return out;
    }
    case 'structure': {
      if (!needsJsonWalk(shape)) return v;
      // Copy only when a member that needs converting is present (a message without
      // attributes goes out as it is).
      const record = v as Record<string, unknown>;
      if (!jsonWalkMembers(shape).some((m) => record[m.name] !== undefined && record[m.name] !== null)) return v;
      const out: Record<string, unknown> = {};
      for (const m of shape.members) {
        const item = (v as Record<string, unknown>)[m.name];
        if (item !== undefined && item !== null) out[m.name] = encodeValue(item, m.shape);
      }
      return out;
    }
    default:
      return v;
  }
}
