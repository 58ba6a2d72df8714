/**
 * PutEvents entries to events: each entry checked as AWS checks it (a failing entry gets its
 * ErrorCode and ErrorMessage while the others are accepted), and the envelope filled in, in the
 * key order AWS delivers it.
 */
import type * as eb from '@aws-sdk/client-eventbridge';
import { validationException } from './errors.js';

/** EventBridge's limits, in one place, with their source. */
export const EVENTS_LIMITS = {
  /** PutEvents entries per call (API reference). */
  entriesPerCall: 10,
  /**
   * Total PutEvents entry size: 1 MiB since AWS raised the payload limit from 256 KB on
   * 2026-01-29 (AWS Compute Blog; see ../shared/reference/API-SURFACE.md).
   */
  putEventsBytes: 1024 * 1024,
  detailTypeLength: 128,
  targetsPerRule: 5,
  targetsPerCall: 10,
  /** Default quota, adjustable on AWS and here (SwitchyardOptions.rulesPerBus). */
  rulesPerBus: 300,
  /** Custom buses per account (default quota). */
  busesPerAccount: 100,
  tagsPerResource: 50,
  eventPatternLength: 2048,
  /** Nesting of Detail (API reference: "nested up to 1000 levels"); the detail object is level 1. */
  detailDepth: 1000,
} as const;

export type EntryResult = { event: Record<string, unknown>; busName: string; busAccount?: string; busRegion?: string } | eb.PutEventsResultEntry;

const utf8 = (s: string | undefined): number => (s === undefined ? 0 : Buffer.byteLength(s, 'utf8'));

/**
 * AWS's entry size: 14 bytes when Time is set, plus the UTF-8 bytes of Source, DetailType,
 * Detail and each Resources item.
 */
export function entrySize(e: eb.PutEventsRequestEntry): number {
  let n = e.Time !== undefined ? 14 : 0;
  n += utf8(e.Source) + utf8(e.DetailType) + utf8(e.Detail);
  for (const r of e.Resources ?? []) n += utf8(r);
  return n;
}

export function checkPutEventsRequest(entries: eb.PutEventsRequestEntry[] | undefined): eb.PutEventsRequestEntry[] {
  if (!entries || entries.length === 0)
    throw validationException(
      "1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  if (entries.length > EVENTS_LIMITS.entriesPerCall)
    throw validationException(
      `1 validation error detected: Value '[${entries.map(() => 'PutEventsRequestEntry').join(', ')}]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${EVENTS_LIMITS.entriesPerCall}`,
    );
  let total = 0;
  for (const e of entries) total += entrySize(e);
  if (total > EVENTS_LIMITS.putEventsBytes) throw validationException('Total size of the entries in the request is over the limit.');
  return entries;
}

const invalid = (code: string, message: string): eb.PutEventsResultEntry => ({ ErrorCode: code, ErrorMessage: message });

export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * One entry to an event, or the per-entry error AWS answers. `detail` is parsed here: it must be
 * a JSON object.
 */
export function buildEvent(
  e: eb.PutEventsRequestEntry,
  ids: { id: string; account: string; region: string; now: number },
): { event: Record<string, unknown> } | eb.PutEventsResultEntry {
  if (e.Source === undefined || e.Source === '')
    return invalid('InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.');
  if (e.DetailType === undefined || e.DetailType === '')
    return invalid('InvalidArgument', 'Parameter DetailType is not valid. Reason: DetailType is a required argument.');
  if (e.Detail === undefined || e.Detail === '')
    return invalid('InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.');
  if (e.DetailType.length > EVENTS_LIMITS.detailTypeLength)
    return invalid(
      'InvalidArgument',
      `Parameter DetailType is not valid. Reason: DetailType exceeds the maximum length of ${EVENTS_LIMITS.detailTypeLength}.`,
    );
  // Sources under aws. belong to AWS services.
  if (e.Source.startsWith('aws.')) return invalid('NotAuthorizedForSourceException', 'Not authorized for the source.');
  let detail: unknown;
  try {
    detail = JSON.parse(e.Detail);
  } catch {
    return invalid('MalformedDetail', 'Detail is malformed.');
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return invalid('MalformedDetail', 'Detail is malformed.');
  if (jsonDepth(e.Detail) > EVENTS_LIMITS.detailDepth) return invalid('MalformedDetail', 'Detail is malformed.');
  const time = e.Time !== undefined ? timeOf(e.Time) : ids.now;
  if (time === undefined) return invalid('InvalidArgument', 'Parameter Time is not valid.');
  return {
    event: {
      version: '0',
      id: ids.id,
      'detail-type': e.DetailType,
      source: e.Source,
      account: ids.account,
      time: isoSeconds(time),
      region: ids.region,
      resources: e.Resources ?? [],
      detail,
    },
  };
}

function timeOf(t: Date | number | string): number | undefined {
  const ms = t instanceof Date ? t.getTime() : typeof t === 'number' ? t * 1000 : Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Deepest nesting of objects and arrays in valid JSON text, in one pass without recursion. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}
