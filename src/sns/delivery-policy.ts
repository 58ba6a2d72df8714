/**
 * SNS's HTTP/S delivery policy: validation of the `DeliveryPolicy` attribute of a topic or a
 * subscription, the merged `EffectiveDeliveryPolicy`, and the retry schedule it implies.
 *
 * Shapes (AWS docs, "SetTopicAttributes delivery policy JSON format" and "SetSubscriptionAttributes
 * delivery policy JSON format"):
 * - topic:        `{"http": {"defaultHealthyRetryPolicy": {...}, "disableSubscriptionOverrides": bool,
 *                  "defaultThrottlePolicy": {"maxReceivesPerSecond": int},
 *                  "defaultRequestPolicy": {"headerContentType": "..."}}}`
 * - subscription: `{"healthyRetryPolicy": {...}, "throttlePolicy": {...}, "requestPolicy": {...}}`,
 *   plus `sicklyRetryPolicy` and `guaranteed`, which AWS writes into every subscription policy it
 *   returns (`"sicklyRetryPolicy":null,...,"guaranteed":false`) and which users therefore paste back.
 * A retry policy is `minDelayTarget`, `maxDelayTarget`, `numRetries`, `numNoDelayRetries`,
 * `numMinDelayRetries`, `numMaxDelayRetries`, `backoffFunction`.
 *
 * Limits ("Amazon SNS message delivery retries", "Creating an HTTP/S delivery policy"):
 * minDelayTarget 1..maxDelayTarget, maxDelayTarget minDelayTarget..3600, numRetries 0..100, the
 * phase counts >= 0 and together <= numRetries (the backoff phase gets what is left:
 * `numRetries - numNoDelayRetries - numMinDelayRetries - numMaxDelayRetries`), backoffFunction one
 * of linear / arithmetic / geometric / exponential, maxReceivesPerSecond >= 1. Defaults: 20, 20, 3,
 * 0, 0, 0, linear; no throttling; `text/plain; charset=UTF-8`.
 *
 * Error messages. AWS answers `InvalidParameter` with `Invalid parameter: DeliveryPolicy: <path>
 * <reason>` (SetTopicAttributes / SetSubscriptionAttributes) or `Invalid parameter: Attributes
 * Reason: DeliveryPolicy: <path> <reason>` (CreateTopic / Subscribe `Attributes`). Seen from AWS:
 * - `...DeliveryPolicy: http.defaultHealthyRetryPolicy.numRetries must be less than or equal to 100`
 *   (ballerina-platform module-ballerinax-aws.sns integration tests against AWS);
 * - `...DeliveryPolicy: healthyRetryPolicy.minDelayTarget must be greater than or equal to 1`
 *   (awsdocs/amazon-sns-developer-guide PR #5, a CloudFormation error quoted in full);
 * - `Invalid parameter: DeliveryPolicy: Unexpected JSON member: throttlePolicy` (an SNS error
 *   quoted in a public test of a SetTopicAttributes custom resource).
 * `maxDelayTarget must be greater than or equal to minDelayTarget`, `numRetries must be greater than
 * or equal to total of numMinDelayRetries, numNoDelayRetries and numMaxDelayRetries` and
 * `maxDelayTarget must be less than or equal to 3600` are the wording of Comcast's CMB, an SNS
 * re-implementation whose other messages match AWS's word for word. The wording for a bad
 * backoffFunction, headerContentType, type error or unparsable JSON was not found; Switchyard's
 * follows the same `<path> <reason>` pattern.
 *
 * Stored form: AWS stores the policy again in a fixed key order (retry fields as minDelayTarget,
 * maxDelayTarget, numRetries, numMaxDelayRetries, numNoDelayRetries, numMinDelayRetries,
 * backoffFunction); a section the input leaves out stays out of a topic policy; a subscription
 * policy always carries `sicklyRetryPolicy` and `guaranteed` (recorded by the pail emulator's
 * `sns-delivery-policy` AWS recording, and AWS's own examples). `DeliveryPolicy` of `{}` is kept as
 * `{}`. Choices where nothing was found: keys the input leaves out inside a retry policy take the
 * defaults (the AWS docs' own example `{"healthyRetryPolicy":{"numRetries":5}}` relies on it); a
 * `null` member is as if absent (AWS-console-generated policies carry `"numNoDelayRetries": null`);
 * backoffFunction is case-insensitive (the CDK sends `EXPONENTIAL`) and stored in lower case.
 */
import type { AwsError } from '../gateway/errors.js';
import { invalidParameter } from './errors.js';

export type BackoffFunction = 'linear' | 'arithmetic' | 'geometric' | 'exponential';
export const BACKOFF_FUNCTIONS: readonly BackoffFunction[] = ['linear', 'arithmetic', 'geometric', 'exponential'];

/** A retry policy with every field filled (delays in seconds, as AWS writes them). */
export interface RetryPolicy {
  minDelayTarget: number;
  maxDelayTarget: number;
  numRetries: number;
  numMaxDelayRetries: number;
  numNoDelayRetries: number;
  numMinDelayRetries: number;
  backoffFunction: BackoffFunction;
}

export interface ThrottlePolicy {
  maxReceivesPerSecond: number;
}

export interface RequestPolicy {
  headerContentType: string;
}

/** A validated `DeliveryPolicy` attribute, topic- or subscription-shaped. */
export interface DeliveryPolicy {
  where: 'topic' | 'subscription';
  /** `defaultHealthyRetryPolicy` (topic) / `healthyRetryPolicy` (subscription), when set. */
  healthyRetryPolicy?: RetryPolicy;
  /** `defaultSicklyRetryPolicy` / `sicklyRetryPolicy`: kept and echoed, never used (nor by AWS, it seems). */
  sicklyRetryPolicy?: RetryPolicy;
  throttlePolicy?: ThrottlePolicy;
  requestPolicy?: RequestPolicy;
  /** Topic only: the topic's policy wins over every subscription's. */
  disableSubscriptionOverrides: boolean;
  /** Subscription only; echoed, not used. */
  guaranteed: boolean;
  /** The policy as AWS stores it and returns it in the `DeliveryPolicy` attribute ('' when unset). */
  json: string;
}

/** The policy that applies to one HTTP/S subscription, every part resolved. */
export interface ResolvedDeliveryPolicy {
  healthyRetryPolicy: RetryPolicy;
  sicklyRetryPolicy: RetryPolicy | null;
  throttlePolicy: ThrottlePolicy | null;
  requestPolicy: RequestPolicy;
  disableSubscriptionOverrides: boolean;
  guaranteed: boolean;
}

export interface EffectiveDeliveryPolicy {
  policy: ResolvedDeliveryPolicy;
  /** The Content-Type of notifications. */
  headerContentType: string;
  /** Deliveries per second to the subscription; undefined = not throttled. */
  maxReceivesPerSecond?: number;
  /** A subscription policy was given and applied (not ignored by disableSubscriptionOverrides). */
  subscriptionOverrides: boolean;
  /** GetTopicAttributes' `EffectiveDeliveryPolicy` (depends on the topic policy only). */
  topicJson: string;
  /** GetSubscriptionAttributes' `EffectiveDeliveryPolicy` of an HTTP/S subscription. */
  subscriptionJson: string;
}

export const DEFAULT_CONTENT_TYPE = 'text/plain; charset=UTF-8';

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  minDelayTarget: 20,
  maxDelayTarget: 20,
  numRetries: 3,
  numMaxDelayRetries: 0,
  numNoDelayRetries: 0,
  numMinDelayRetries: 0,
  backoffFunction: 'linear',
});

/**
 * The media types `headerContentType` takes, each optionally followed by parameters such as
 * `; charset=UTF-8` (AWS's own default is `text/plain; charset=UTF-8`). AWS's docs list
 * `application/json` and `text/plain` for every subscription and the others for subscriptions with
 * raw message delivery; a policy is validated before any subscription's RawMessageDelivery is
 * known (a topic's applies to all of them), so every listed type is accepted.
 */
export const HEADER_CONTENT_TYPES: readonly string[] = [
  'application/json',
  'text/plain',
  'application/atom+xml',
  'application/octet-stream',
  'application/soap+xml',
  'application/x-www-form-urlencoded',
  'application/xhtml+xml',
  'application/xml',
  'text/css',
  'text/csv',
  'text/html',
  'text/xml',
];

/** AWS's ceiling on minDelayTarget and maxDelayTarget. */
const MAX_DELAY_SECONDS = 3600;
const MAX_RETRIES = 100;

const RETRY_KEYS: readonly (keyof RetryPolicy)[] = [
  'minDelayTarget',
  'maxDelayTarget',
  'numRetries',
  'numMaxDelayRetries',
  'numNoDelayRetries',
  'numMinDelayRetries',
  'backoffFunction',
];

export interface ParseOptions {
  /**
   * The policy came in the `Attributes` map of CreateTopic / Subscribe: AWS's message then reads
   * `Invalid parameter: Attributes Reason: DeliveryPolicy: ...`.
   */
  inAttributes?: boolean;
}

/**
 * Validate a `DeliveryPolicy` attribute value. Throws an `AwsError` (`InvalidParameter`, AWS's
 * message) when it is invalid. An empty value is valid and means "no policy".
 */
export function parseDeliveryPolicy(json: string, where: 'topic' | 'subscription', options: ParseOptions = {}): DeliveryPolicy {
  const fail = (reason: string): AwsError =>
    invalidParameter(`Invalid parameter: ${options.inAttributes ? 'Attributes Reason: ' : ''}DeliveryPolicy: ${reason}`);
  const policy: DeliveryPolicy = { where, disableSubscriptionOverrides: false, guaranteed: false, json: '' };
  if (json.trim() === '') return policy;

  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw fail('failed to parse JSON.');
  }
  if (!isObject(doc)) throw fail('failed to parse JSON.');

  if (where === 'topic') {
    expectMembers(doc, ['http'], fail);
    if (present(doc.http)) {
      const http = section(doc.http, 'http', fail);
      expectMembers(http, ['defaultHealthyRetryPolicy', 'defaultSicklyRetryPolicy', 'disableSubscriptionOverrides', 'defaultThrottlePolicy', 'defaultRequestPolicy'], fail);
      if (present(http.defaultHealthyRetryPolicy)) policy.healthyRetryPolicy = retryPolicy(http.defaultHealthyRetryPolicy, 'http.defaultHealthyRetryPolicy', fail);
      if (present(http.defaultSicklyRetryPolicy)) policy.sicklyRetryPolicy = retryPolicy(http.defaultSicklyRetryPolicy, 'http.defaultSicklyRetryPolicy', fail);
      if (present(http.disableSubscriptionOverrides)) policy.disableSubscriptionOverrides = bool(http.disableSubscriptionOverrides, 'http.disableSubscriptionOverrides', fail);
      if (present(http.defaultThrottlePolicy)) policy.throttlePolicy = throttlePolicy(http.defaultThrottlePolicy, 'http.defaultThrottlePolicy', fail);
      if (present(http.defaultRequestPolicy)) policy.requestPolicy = requestPolicy(http.defaultRequestPolicy, 'http.defaultRequestPolicy', fail);
      policy.json = JSON.stringify({ http: topicHttpSection(policy, false) });
    } else {
      policy.json = '{}';
    }
    return policy;
  }

  expectMembers(doc, ['healthyRetryPolicy', 'sicklyRetryPolicy', 'throttlePolicy', 'requestPolicy', 'guaranteed'], fail);
  if (present(doc.healthyRetryPolicy)) policy.healthyRetryPolicy = retryPolicy(doc.healthyRetryPolicy, 'healthyRetryPolicy', fail);
  if (present(doc.sicklyRetryPolicy)) policy.sicklyRetryPolicy = retryPolicy(doc.sicklyRetryPolicy, 'sicklyRetryPolicy', fail);
  if (present(doc.throttlePolicy)) policy.throttlePolicy = throttlePolicy(doc.throttlePolicy, 'throttlePolicy', fail);
  if (present(doc.requestPolicy)) policy.requestPolicy = requestPolicy(doc.requestPolicy, 'requestPolicy', fail);
  if (present(doc.guaranteed)) policy.guaranteed = bool(doc.guaranteed, 'guaranteed', fail);
  policy.json = JSON.stringify({
    healthyRetryPolicy: policy.healthyRetryPolicy ?? null,
    sicklyRetryPolicy: policy.sicklyRetryPolicy ?? null,
    throttlePolicy: policy.throttlePolicy ?? null,
    requestPolicy: policy.requestPolicy ?? null,
    guaranteed: policy.guaranteed,
  });
  return policy;
}

/**
 * The policy one HTTP/S subscription gets: each part (retry, throttle, request) from the
 * subscription's policy, else the topic's, else AWS's default; the subscription's policy is ignored
 * altogether when the topic sets `disableSubscriptionOverrides` ("Applying Delivery Policies to
 * Topics and Subscriptions": a subscription-level policy "takes precedence over the topic-level
 * delivery policy", unless the topic ignores subscription overrides).
 *
 * A policy may be given parsed or as the attribute's JSON text; text that does not validate (it was
 * validated when it was set) counts as no policy: this runs on the delivery path and never throws.
 */
export function effectiveDeliveryPolicy(
  topicPolicy?: DeliveryPolicy | string,
  subscriptionPolicy?: DeliveryPolicy | string,
): EffectiveDeliveryPolicy {
  const topic = lenient(topicPolicy, 'topic');
  const sub = lenient(subscriptionPolicy, 'subscription');
  const disable = topic?.disableSubscriptionOverrides ?? false;
  const own = sub && !disable && sub.json !== '' ? sub : undefined;

  const policy: ResolvedDeliveryPolicy = {
    healthyRetryPolicy: { ...(own?.healthyRetryPolicy ?? topic?.healthyRetryPolicy ?? DEFAULT_RETRY_POLICY) },
    sicklyRetryPolicy: own ? (own.sicklyRetryPolicy ?? null) : (topic?.sicklyRetryPolicy ?? null),
    throttlePolicy: own?.throttlePolicy ?? topic?.throttlePolicy ?? null,
    requestPolicy: own?.requestPolicy ?? topic?.requestPolicy ?? { headerContentType: DEFAULT_CONTENT_TYPE },
    disableSubscriptionOverrides: disable,
    guaranteed: own?.guaranteed ?? false,
  };

  // The topic's own view: AWS's default with the topic's sections laid over it
  // (defaultThrottlePolicy only when set, as AWS shows it).
  const topicView: DeliveryPolicy = {
    where: 'topic',
    healthyRetryPolicy: topic?.healthyRetryPolicy ?? { ...DEFAULT_RETRY_POLICY },
    throttlePolicy: topic?.throttlePolicy,
    requestPolicy: topic?.requestPolicy ?? { headerContentType: DEFAULT_CONTENT_TYPE },
    disableSubscriptionOverrides: disable,
    guaranteed: false,
    json: '',
  };

  const out: EffectiveDeliveryPolicy = {
    policy,
    headerContentType: policy.requestPolicy.headerContentType,
    subscriptionOverrides: own !== undefined,
    topicJson: JSON.stringify({ http: topicHttpSection(topicView, true) }),
    subscriptionJson: JSON.stringify({
      healthyRetryPolicy: ordered(policy.healthyRetryPolicy),
      sicklyRetryPolicy: policy.sicklyRetryPolicy ? ordered(policy.sicklyRetryPolicy) : null,
      throttlePolicy: policy.throttlePolicy,
      requestPolicy: policy.requestPolicy,
      guaranteed: policy.guaranteed,
    }),
  };
  if (policy.throttlePolicy) out.maxReceivesPerSecond = policy.throttlePolicy.maxReceivesPerSecond;
  return out;
}

/**
 * The delay before each retry, in milliseconds: index 0 is the wait between the first attempt and
 * the first retry, and there are `numRetries` entries. AWS's four phases, in order:
 *
 * 1. immediate: `numNoDelayRetries` retries after 0 ms;
 * 2. pre-backoff: `numMinDelayRetries` retries after `minDelayTarget`;
 * 3. backoff: the `n = numRetries - numNoDelayRetries - numMinDelayRetries - numMaxDelayRetries`
 *    retries left, from `minDelayTarget` (the first) to `maxDelayTarget` (the last), shaped by the
 *    backoff function;
 * 4. post-backoff: `numMaxDelayRetries` retries after `maxDelayTarget`.
 *
 * AWS publishes the backoff functions only as a chart (10 retries from 5 s to 260 s, "Backoff
 * phase" in "Setting Amazon SNS Delivery Retry Policies for HTTP/HTTPS Endpoints") and one worked
 * example: linear, 3 retries, 20 s to 40 s gives 20 s, 30 s, 40 s. Switchyard's formulas, with
 * min = minDelayTarget, max = maxDelayTarget, retry i = 0..n-1 of the phase and t = i / (n - 1):
 *
 * - linear:      min + (max - min) * t                            (equal steps; AWS's example)
 * - arithmetic:  min + (max - min) * i(i + 1) / ((n - 1) n)       (steps growing by a constant:
 *                                                                  an arithmetic series of increments)
 * - geometric:   min * (max / min) ^ t                            (a constant ratio between delays)
 * - exponential: min + (max - min) * (2^i - 1) / (2^(n-1) - 1)    (increments doubling each retry)
 *
 * Each starts at exactly min and ends at exactly max, never decreases, and with min = max is flat;
 * a backoff phase of a single retry waits min. AWS jitters its retries; Switchyard does not, so a
 * schedule is the same every time. Delays are rounded to whole milliseconds.
 */
export function retryDelaysMs(policy: RetryPolicy | { healthyRetryPolicy: RetryPolicy }): number[] {
  const p = 'healthyRetryPolicy' in policy ? policy.healthyRetryPolicy : policy;
  const min = p.minDelayTarget * 1000;
  const max = p.maxDelayTarget * 1000;
  const noDelay = Math.max(0, p.numNoDelayRetries);
  const minDelay = Math.max(0, p.numMinDelayRetries);
  const maxDelay = Math.max(0, p.numMaxDelayRetries);
  const n = Math.max(0, p.numRetries - noDelay - minDelay - maxDelay);
  const delays: number[] = [];
  for (let i = 0; i < noDelay; i++) delays.push(0);
  for (let i = 0; i < minDelay; i++) delays.push(min);
  for (let i = 0; i < n; i++) delays.push(Math.round(backoffDelay(p.backoffFunction, i, n, min, max)));
  for (let i = 0; i < maxDelay; i++) delays.push(max);
  return delays;
}

/** The delay of retry `i` (0-based) of a backoff phase of `n` retries, from `min` to `max`. */
export function backoffDelay(fn: BackoffFunction, i: number, n: number, min: number, max: number): number {
  if (n <= 1 || i <= 0 || max <= min) return min;
  if (i >= n - 1) return max;
  const last = n - 1;
  switch (fn) {
    case 'arithmetic':
      return min + ((max - min) * i * (i + 1)) / (last * n);
    case 'geometric':
      return min * Math.pow(max / min, i / last);
    case 'exponential':
      return min + ((max - min) * (Math.pow(2, i) - 1)) / (Math.pow(2, last) - 1);
    case 'linear':
    default:
      return min + ((max - min) * i) / last;
  }
}

// --- validation --------------------------------------------------------------------------------

type Fail = (reason: string) => AwsError;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A member that is there and not `null`. */
function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function expectMembers(doc: Record<string, unknown>, allowed: readonly string[], fail: Fail): void {
  for (const key of Object.keys(doc)) if (!allowed.includes(key)) throw fail(`Unexpected JSON member: ${key}`);
}

function section(v: unknown, path: string, fail: Fail): Record<string, unknown> {
  if (!isObject(v)) throw fail(`${path} must be a JSON object`);
  return v;
}

function integer(v: unknown, path: string, fail: Fail): number {
  const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw fail(`${path} must be an integer`);
  return n;
}

function bool(v: unknown, path: string, fail: Fail): boolean {
  if (typeof v !== 'boolean') throw fail(`${path} must be a boolean`);
  return v;
}

function retryPolicy(v: unknown, path: string, fail: Fail): RetryPolicy {
  const doc = section(v, path, fail);
  expectMembers(doc, RETRY_KEYS, fail);
  const num = (key: Exclude<keyof RetryPolicy, 'backoffFunction'>): number =>
    present(doc[key]) ? integer(doc[key], `${path}.${key}`, fail) : DEFAULT_RETRY_POLICY[key];
  const p: RetryPolicy = {
    minDelayTarget: num('minDelayTarget'),
    maxDelayTarget: num('maxDelayTarget'),
    numRetries: num('numRetries'),
    numMaxDelayRetries: num('numMaxDelayRetries'),
    numNoDelayRetries: num('numNoDelayRetries'),
    numMinDelayRetries: num('numMinDelayRetries'),
    backoffFunction: DEFAULT_RETRY_POLICY.backoffFunction,
  };
  if (present(doc.backoffFunction)) {
    const fn = typeof doc.backoffFunction === 'string' ? doc.backoffFunction.toLowerCase() : undefined;
    if (!fn || !(BACKOFF_FUNCTIONS as readonly string[]).includes(fn))
      throw fail(`${path}.backoffFunction must be one of ${BACKOFF_FUNCTIONS.join(', ')}`);
    p.backoffFunction = fn as BackoffFunction;
  }

  const atLeast = (key: keyof RetryPolicy, value: number, bound: number): void => {
    if (value < bound) throw fail(`${path}.${key} must be greater than or equal to ${bound}`);
  };
  const atMost = (key: keyof RetryPolicy, value: number, bound: number): void => {
    if (value > bound) throw fail(`${path}.${key} must be less than or equal to ${bound}`);
  };
  atLeast('minDelayTarget', p.minDelayTarget, 1);
  atMost('minDelayTarget', p.minDelayTarget, MAX_DELAY_SECONDS);
  atLeast('maxDelayTarget', p.maxDelayTarget, 1);
  atMost('maxDelayTarget', p.maxDelayTarget, MAX_DELAY_SECONDS);
  atLeast('numRetries', p.numRetries, 0);
  atMost('numRetries', p.numRetries, MAX_RETRIES);
  atLeast('numNoDelayRetries', p.numNoDelayRetries, 0);
  atLeast('numMinDelayRetries', p.numMinDelayRetries, 0);
  atLeast('numMaxDelayRetries', p.numMaxDelayRetries, 0);
  if (p.maxDelayTarget < p.minDelayTarget) throw fail(`${path}.maxDelayTarget must be greater than or equal to minDelayTarget`);
  if (p.numRetries < p.numNoDelayRetries + p.numMinDelayRetries + p.numMaxDelayRetries)
    throw fail(`${path}.numRetries must be greater than or equal to total of numMinDelayRetries, numNoDelayRetries and numMaxDelayRetries`);
  return p;
}

function throttlePolicy(v: unknown, path: string, fail: Fail): ThrottlePolicy {
  const doc = section(v, path, fail);
  expectMembers(doc, ['maxReceivesPerSecond'], fail);
  if (!present(doc.maxReceivesPerSecond)) throw fail(`${path}.maxReceivesPerSecond must be specified`);
  const rate = integer(doc.maxReceivesPerSecond, `${path}.maxReceivesPerSecond`, fail);
  if (rate < 1) throw fail(`${path}.maxReceivesPerSecond must be greater than or equal to 1`);
  return { maxReceivesPerSecond: rate };
}

function requestPolicy(v: unknown, path: string, fail: Fail): RequestPolicy {
  const doc = section(v, path, fail);
  expectMembers(doc, ['headerContentType'], fail);
  if (!present(doc.headerContentType)) throw fail(`${path}.headerContentType must be specified`);
  const type = doc.headerContentType;
  if (typeof type !== 'string' || !supportedContentType(type))
    throw fail(`${path}.headerContentType must be one of ${HEADER_CONTENT_TYPES.join(', ')}`);
  return { headerContentType: type };
}

/** `type/subtype`, optionally followed by `; name=value` parameters. */
export function supportedContentType(value: string): boolean {
  const [media, ...params] = value.split(';');
  if (!HEADER_CONTENT_TYPES.includes(media.trim().toLowerCase())) return false;
  return params.every((p) => /^\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+=("[^"]*"|[!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*$/.test(p));
}

// --- rendering ---------------------------------------------------------------------------------

function ordered(p: RetryPolicy): RetryPolicy {
  const out = {} as Record<string, unknown>;
  for (const key of RETRY_KEYS) out[key] = p[key];
  return out as unknown as RetryPolicy;
}

/** The `http` section of a topic policy, in AWS's key order; `full` keeps throttle out when unset. */
function topicHttpSection(p: DeliveryPolicy, full: boolean): Record<string, unknown> {
  const http: Record<string, unknown> = {};
  if (p.healthyRetryPolicy) http.defaultHealthyRetryPolicy = ordered(p.healthyRetryPolicy);
  if (p.sicklyRetryPolicy && !full) http.defaultSicklyRetryPolicy = ordered(p.sicklyRetryPolicy);
  http.disableSubscriptionOverrides = p.disableSubscriptionOverrides;
  if (p.throttlePolicy) http.defaultThrottlePolicy = p.throttlePolicy;
  if (p.requestPolicy) http.defaultRequestPolicy = p.requestPolicy;
  return http;
}

function lenient(p: DeliveryPolicy | string | undefined, where: 'topic' | 'subscription'): DeliveryPolicy | undefined {
  if (p === undefined) return undefined;
  if (typeof p !== 'string') return p;
  try {
    return parseDeliveryPolicy(p, where);
  } catch {
    return undefined;
  }
}
