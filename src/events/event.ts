/**
 * What EventBridge accepts as an event in TestEventPattern: a JSON object carrying the envelope
 * fields AWS fills in on PutEvents. AWS checks that they are present and nothing more (it accepts
 * a `detail-type` that is an array, and events without `resources` or `detail`), so this does
 * not over-validate either.
 */
import { validationException } from './errors.js';

const REQUIRED_ENVELOPE = ['id', 'detail-type', 'source', 'account', 'time', 'region'] as const;

export function parseTestEvent(text: string): Record<string, unknown> {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    throw validationException('Parameter Event is not valid.');
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    throw validationException('Parameter Event is not valid.');
  const obj = event as Record<string, unknown>;
  for (const field of REQUIRED_ENVELOPE) if (!Object.hasOwn(obj, field)) throw validationException('Parameter Event is not valid.');
  return obj;
}
