/**
 * awsQuery: form-encoded requests (`Action=...&Version=...&Attribute.1.Name=...`) decoded by the
 * operation's input shape, and XML responses encoded by its output shape. Flattened lists and
 * maps (SQS) repeat the member's name; wrapped ones (SNS) use `member` / `entry` elements.
 */
import { AwsError, CommonErrors, missingParameter } from './errors.js';
import { decodeBase64 } from './json-codec.js';
import type { Shape, StructureShape } from './shapes.js';

/** A form key split on dots: `Attribute.1.Name` -> Attribute -> 1 -> Name. */
interface ParamNode {
  value?: string;
  children?: Map<string, ParamNode>;
}

export type FormParams = Map<string, string>;

/**
 * Parse `application/x-www-form-urlencoded` text. Both `+` and `%20` mean a space. Malformed
 * percent escapes are an error, as on AWS, rather than being passed through.
 */
export function parseForm(text: string, into: FormParams = new Map()): FormParams {
  // A hand-rolled scan: this runs on every query request, and split() would allocate an array
  // of pairs first.
  const n = text.length;
  let start = 0;
  while (start < n) {
    let amp = text.indexOf('&', start);
    if (amp < 0) amp = n;
    if (amp > start) {
      const eq = text.indexOf('=', start);
      if (eq < 0 || eq > amp) into.set(formDecode(text.slice(start, amp)), '');
      else into.set(formDecode(text.slice(start, eq)), formDecode(text.slice(eq + 1, amp)));
    }
    start = amp + 1;
  }
  return into;
}

function formDecode(s: string): string {
  if (s.indexOf('+') >= 0) s = s.replace(/\+/g, ' ');
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    throw new AwsError(CommonErrors.MalformedQueryString, `The query string contains a malformed percent-encoding: ${s.slice(0, 64)}`);
  }
}

function buildTree(params: FormParams): ParamNode {
  const root: ParamNode = { children: new Map() };
  for (const [key, value] of params) {
    if (key.indexOf('.') < 0) {
      const existing = root.children!.get(key);
      if (existing) existing.value = value;
      else root.children!.set(key, { value });
      continue;
    }
    let node = root;
    for (const part of key.split('.')) {
      node.children ??= new Map();
      let child = node.children.get(part);
      if (!child) node.children.set(part, (child = {}));
      node = child;
    }
    node.value = value;
  }
  return root;
}

/** Decode the form parameters of one operation into its input object (SDK member names). */
export function decodeQueryInput(
  params: FormParams,
  shape: StructureShape,
  missing: (path: string) => AwsError = missingParameter,
): Record<string, unknown> {
  return decodeStructure(buildTree(params), shape, '', missing);
}

function decodeStructure(node: ParamNode, shape: StructureShape, path: string, missing: (path: string) => AwsError = missingParameter): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of shape.members) {
    // An empty list travels as a bare key, which botocore names after the member (`TagKeys=`)
    // where the JS SDK uses the flattened element name (`TagKey=`): accept both.
    const child =
      node.children?.get(m.wire) ??
      (m.shape.kind === 'list' && m.shape.flattened && m.wire !== m.name ? emptyList(node.children?.get(m.name)) : undefined);
    const full = path ? `${path}.${m.wire}` : m.wire;
    if (!child) {
      if (m.required) throw path ? missingParameter(m.wire) : missing(full);
      continue;
    }
    const v = decodeValue(child, m.shape, full);
    if (v !== undefined) out[m.name] = v;
    else if (m.required) throw path ? missingParameter(m.wire) : missing(full);
  }
  return out;
}

function emptyList(node: ParamNode | undefined): ParamNode | undefined {
  return node && node.value === '' && !node.children ? node : undefined;
}

/** The numbered children of a node (`.1`, `.2`, ...), in index order. */
function indexed(node: ParamNode | undefined, path: string): ParamNode[] {
  if (!node?.children) return [];
  const items: [number, ParamNode][] = [];
  for (const [k, child] of node.children) {
    const n = Number(k);
    if (!Number.isInteger(n) || n < 1 || String(n) !== k)
      throw new AwsError(CommonErrors.MalformedQueryString, `Unexpected parameter ${path}.${k}.`);
    items.push([n, child]);
  }
  return items.sort((a, b) => a[0] - b[0]).map(([, c]) => c);
}

function invalidValue(path: string, value: string): AwsError {
  return new AwsError(CommonErrors.InvalidParameterValue, `Value ${value} for parameter ${path} is invalid.`);
}

function decodeValue(node: ParamNode, shape: Shape, path: string): unknown {
  switch (shape.kind) {
    case 'string':
      return node.value;
    case 'integer':
    case 'long': {
      if (node.value === undefined) return undefined;
      const v = node.value.trim();
      if (!/^[-+]?\d+$/.test(v)) throw invalidValue(path, node.value);
      // A Smithy Integer is 32-bit, a Long 64-bit: past that AWS cannot read the value (and a
      // long digit string would reach the handler as Infinity).
      const n = Number(v);
      if (shape.kind === 'integer' ? n > 2147483647 || n < -2147483648 : !(Math.abs(n) < 2 ** 63)) throw invalidValue(path, node.value);
      return n;
    }
    case 'double': {
      if (node.value === undefined) return undefined;
      const n = Number(node.value);
      if (node.value.trim() === '' || Number.isNaN(n)) throw invalidValue(path, node.value);
      return n;
    }
    case 'boolean':
      if (node.value === undefined) return undefined;
      if (node.value === 'true') return true;
      if (node.value === 'false') return false;
      throw invalidValue(path, node.value);
    case 'blob':
      return node.value === undefined ? undefined : decodeBase64(node.value, path);
    case 'timestamp': {
      if (node.value === undefined) return undefined;
      // Number('') is 0: an empty value is no timestamp, not the epoch.
      if (node.value.trim() === '') throw invalidValue(path, node.value);
      const n = Number(node.value);
      const d = Number.isNaN(n) ? new Date(node.value) : new Date(Math.round(n * 1000));
      if (Number.isNaN(d.getTime())) throw invalidValue(path, node.value);
      return d;
    }
    case 'list': {
      // An empty list travels as the bare key with an empty value (`TagKeys=`).
      const holder = shape.flattened ? node : node.children?.get(shape.memberName);
      return indexed(holder, shape.flattened ? path : `${path}.${shape.memberName}`).map((item, i) => {
        const v = decodeValue(item, shape.member, `${path}.${i + 1}`);
        // `Name.1.junk=x` leaves item 1 without a value: never hand a handler an undefined item.
        if (v === undefined) throw missingParameter(`${path}.${i + 1}`);
        return v;
      });
    }
    case 'map': {
      const holder = shape.flattened ? node : node.children?.get('entry');
      const out: Record<string, unknown> = {};
      for (const entry of indexed(holder, path)) {
        const key = entry.children?.get(shape.keyName)?.value;
        const valueNode = entry.children?.get(shape.valueName);
        if (key === undefined) throw missingParameter(`${path}.${shape.keyName}`);
        const value = valueNode && decodeValue(valueNode, shape.value, `${path}.${key}`);
        if (value === undefined) throw missingParameter(`${path}.${shape.valueName}`);
        Object.defineProperty(out, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case 'structure':
      return decodeStructure(node, shape, path);
  }
}

// ---------------------------------------------------------------------------------------
// XML

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#xD;',
};

/** Escape text for XML; `\r` is written as a character reference so parsers keep it. */
export function escapeXml(s: string): string {
  return /[&<>"'\r]/.test(s) ? s.replace(/[&<>"'\r]/g, (c) => XML_ESCAPES[c]) : s;
}

function scalarText(v: unknown, shape: Shape): string {
  switch (shape.kind) {
    case 'blob':
      return v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : String(v);
    case 'timestamp':
      return v instanceof Date ? v.toISOString() : String(v);
    default:
      return escapeXml(String(v));
  }
}

function encodeInto(out: string[], name: string, v: unknown, shape: Shape): void {
  if (v === undefined || v === null) return;
  switch (shape.kind) {
    case 'list':
      if (shape.flattened) {
        for (const item of v as unknown[]) encodeInto(out, name, item, shape.member);
      } else {
        out.push(`<${name}>`);
        for (const item of v as unknown[]) encodeInto(out, shape.memberName, item, shape.member);
        out.push(`</${name}>`);
      }
      return;
    case 'map': {
      const entries = Object.entries(v as Record<string, unknown>);
      if (!shape.flattened) out.push(`<${name}>`);
      for (const [k, item] of entries) {
        out.push(shape.flattened ? `<${name}>` : '<entry>');
        out.push(`<${shape.keyName}>${escapeXml(k)}</${shape.keyName}>`);
        encodeInto(out, shape.valueName, item, shape.value);
        out.push(shape.flattened ? `</${name}>` : '</entry>');
      }
      if (!shape.flattened) out.push(`</${name}>`);
      return;
    }
    case 'structure':
      out.push(`<${name}>`);
      encodeMembers(out, v as Record<string, unknown>, shape);
      out.push(`</${name}>`);
      return;
    default:
      out.push(`<${name}>${scalarText(v, shape)}</${name}>`);
  }
}

function encodeMembers(out: string[], v: Record<string, unknown>, shape: StructureShape): void {
  for (const m of shape.members) encodeInto(out, m.wire, v[m.name], m.shape);
}

/** `<OpResponse xmlns><OpResult>...</OpResult><ResponseMetadata>...` as AWS writes it. */
export function encodeXmlResponse(
  operation: string,
  namespace: string,
  shape: StructureShape | undefined,
  value: unknown,
  requestId: string,
): string {
  const out: string[] = [`<?xml version="1.0"?><${operation}Response xmlns="${namespace}">`];
  if (shape) {
    out.push(`<${operation}Result>`);
    if (value) encodeMembers(out, value as Record<string, unknown>, shape);
    out.push(`</${operation}Result>`);
  }
  out.push(`<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`);
  return out.join('');
}

export function encodeXmlError(namespace: string, err: AwsError, requestId: string): string {
  return (
    `<?xml version="1.0"?><ErrorResponse xmlns="${namespace}"><Error><Type>${err.sender ? 'Sender' : 'Receiver'}</Type>` +
    `<Code>${escapeXml(err.queryCode)}</Code><Message>${escapeXml(err.message)}</Message><Detail/></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
