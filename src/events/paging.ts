/** List pagination as EventBridge does it: `Limit` 1-100, an opaque `NextToken`. */
import { validationException } from './errors.js';

export function page<T>(
  items: T[],
  keyOf: (item: T) => string,
  limit: number | undefined,
  token: string | undefined,
): { items: T[]; nextToken?: string } {
  if (limit !== undefined && (limit < 1 || limit > 100))
    throw validationException(
      `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value ${limit < 1 ? 'greater than or equal to 1' : 'less than or equal to 100'}`,
    );
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  let start = 0;
  if (token !== undefined) {
    const after = decodeToken(token);
    if (after === undefined) throw validationException('The NextToken provided is invalid.');
    start = sorted.findIndex((i) => keyOf(i) > after);
    if (start < 0) start = sorted.length;
  }
  const n = limit ?? 100;
  const slice = sorted.slice(start, start + n);
  return start + n < sorted.length ? { items: slice, nextToken: encodeToken(keyOf(slice[slice.length - 1])) } : { items: slice };
}

function encodeToken(key: string): string {
  return Buffer.from(JSON.stringify({ after: key })).toString('base64');
}

function decodeToken(token: string): string | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    return typeof v?.after === 'string' ? v.after : undefined;
  } catch {
    return undefined;
  }
}
