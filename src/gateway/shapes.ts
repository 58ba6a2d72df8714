/**
 * Declarative descriptions of operation inputs and outputs, after the Smithy models the SDKs
 * are generated from. One description drives every codec: the JSON codec checks and converts
 * types by it, the query codec reads flattened form fields by it, the XML encoder writes
 * responses by it. No operation parses form fields or writes XML by hand.
 */

export type Shape =
  | ScalarShape
  | ListShape
  | MapShape
  | StructureShape;

export interface ScalarShape {
  kind: 'string' | 'integer' | 'long' | 'double' | 'boolean' | 'blob' | 'timestamp';
}

export interface ListShape {
  kind: 'list';
  member: Shape;
  /** Query/XML: flattened lists repeat the member's own name (`AttributeName.1`). */
  flattened: boolean;
  /** Element name of each item when not flattened (`member`). */
  memberName: string;
}

export interface MapShape {
  kind: 'map';
  value: Shape;
  flattened: boolean;
  keyName: string;
  valueName: string;
}

export interface Member {
  /** The JSON member name, and the key in the SDK's TypeScript types. */
  name: string;
  /** The query/XML name (the model's xmlName / locationName). */
  wire: string;
  shape: Shape;
  required: boolean;
}

export interface StructureShape {
  kind: 'structure';
  members: Member[];
}

export const string: ScalarShape = { kind: 'string' };
export const integer: ScalarShape = { kind: 'integer' };
export const long: ScalarShape = { kind: 'long' };
export const double: ScalarShape = { kind: 'double' };
export const boolean: ScalarShape = { kind: 'boolean' };
export const blob: ScalarShape = { kind: 'blob' };
export const timestamp: ScalarShape = { kind: 'timestamp' };

export interface MemberOptions {
  /** Query/XML name, when it differs from the JSON name. */
  wire?: string;
  required?: boolean;
}

export type MemberSpec = Shape | [Shape, MemberOptions];

export function structure(members: Record<string, MemberSpec>): StructureShape {
  return {
    kind: 'structure',
    members: Object.entries(members).map(([name, spec]) => {
      const [shape, opts] = Array.isArray(spec) ? spec : [spec, {}];
      return { name, wire: opts.wire ?? name, shape, required: opts.required ?? false };
    }),
  };
}

export function required(shape: Shape, wire?: string): [Shape, MemberOptions] {
  return [shape, { required: true, wire }];
}

export function wire(shape: Shape, name: string): [Shape, MemberOptions] {
  return [shape, { wire: name }];
}

export function list(member: Shape, opts: { flattened?: boolean; memberName?: string } = {}): ListShape {
  return { kind: 'list', member, flattened: opts.flattened ?? false, memberName: opts.memberName ?? 'member' };
}

export function map(
  value: Shape,
  opts: { flattened?: boolean; keyName?: string; valueName?: string } = {},
): MapShape {
  return {
    kind: 'map',
    value,
    flattened: opts.flattened ?? false,
    keyName: opts.keyName ?? 'key',
    valueName: opts.valueName ?? 'value',
  };
}

export interface OperationShapes {
  input: StructureShape;
  output?: StructureShape;
}

const walkCache = new WeakMap<Shape, boolean>();
const walkMembersCache = new WeakMap<StructureShape, Member[]>();

/** True when JSON encoding must convert values (Uint8Array to base64, Date to seconds). Cached per shape. */
export function needsJsonWalk(shape: Shape, seen = new Set<Shape>()): boolean {
  const cached = walkCache.get(shape);
  if (cached !== undefined) return cached;
  if (seen.has(shape)) return false;
  seen.add(shape);
  let walk: boolean;
  switch (shape.kind) {
    case 'blob':
    case 'timestamp':
      walk = true;
      break;
    case 'list':
      walk = needsJsonWalk(shape.member, seen);
      break;
    case 'map':
      walk = needsJsonWalk(shape.value, seen);
      break;
    case 'structure':
      walk = shape.members.some((m) => needsJsonWalk(m.shape, seen));
      break;
    default:
      walk = false;
  }
  walkCache.set(shape, walk);
  return walk;
}

/** The members of a structure whose values need converting for JSON. Cached per shape. */
export function jsonWalkMembers(shape: StructureShape): Member[] {
  let members = walkMembersCache.get(shape);
  if (!members) walkMembersCache.set(shape, (members = shape.members.filter((m) => needsJsonWalk(m.shape))));
  return members;
}
