/**
 * SNS HTTP/S delivery policy: validation with AWS's InvalidParameter messages, the stored and
 * effective forms, and the retry schedule of each backoff function.
 */
import { describe, expect, it } from 'vitest';
import { AwsError } from '../src/gateway/errors.js';
import {
  DEFAULT_RETRY_POLICY,
  effectiveDeliveryPolicy,
  parseDeliveryPolicy,
  retryDelaysMs,
  type BackoffFunction,
  type RetryPolicy,
} from '../src/sns/delivery-policy.js';

/** AWS's EffectiveDeliveryPolicy of a topic without a policy (GetTopicAttributes). */
const AWS_DEFAULT_TOPIC_EFFECTIVE =
  '{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}';
/** AWS's EffectiveDeliveryPolicy of an HTTP subscription without policies (GetSubscriptionAttributes). */
const AWS_DEFAULT_SUBSCRIPTION_EFFECTIVE =
  '{"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"sicklyRetryPolicy":null,"throttlePolicy":null,"requestPolicy":{"headerContentType":"text/plain; charset=UTF-8"},"guaranteed":false}';

function errorOf(fn: () => unknown): AwsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AwsError);
    return err as AwsError;
  }
  throw new Error('expected an InvalidParameter error');
}

const topic = (retry: Record<string, unknown>): string => JSON.stringify({ http: { defaultHealthyRetryPolicy: retry } });
const sub = (retry: Record<string, unknown>): string => JSON.stringify({ healthyRetryPolicy: retry });
const retry = (p: Partial<RetryPolicy>): RetryPolicy => ({ ...DEFAULT_RETRY_POLICY, ...p });

describe('parseDeliveryPolicy: valid policies', () => {
  it('stores a full topic policy in AWS key order', () => {
    // The input order of the phase counts differs from AWS's stored order.
    const p = parseDeliveryPolicy(
      '{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":30,"numRetries":10,"numNoDelayRetries":1,"numMinDelayRetries":2,"numMaxDelayRetries":3,"backoffFunction":"exponential"},"disableSubscriptionOverrides":false,"defaultThrottlePolicy":{"maxReceivesPerSecond":5},"defaultRequestPolicy":{"headerContentType":"application/json"}}}',
      'topic',
    );
    expect(p.json).toBe(
      '{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":30,"numRetries":10,"numMaxDelayRetries":3,"numNoDelayRetries":1,"numMinDelayRetries":2,"backoffFunction":"exponential"},"disableSubscriptionOverrides":false,"defaultThrottlePolicy":{"maxReceivesPerSecond":5},"defaultRequestPolicy":{"headerContentType":"application/json"}}}',
    );
    expect(p.healthyRetryPolicy).toEqual({
      minDelayTarget: 5,
      maxDelayTarget: 30,
      numRetries: 10,
      numMaxDelayRetries: 3,
      numNoDelayRetries: 1,
      numMinDelayRetries: 2,
      backoffFunction: 'exponential',
    });
    expect(p.throttlePolicy).toEqual({ maxReceivesPerSecond: 5 });
    expect(p.requestPolicy).toEqual({ headerContentType: 'application/json' });
    expect(p.disableSubscriptionOverrides).toBe(false);
  });

  it('stores a subscription policy with sicklyRetryPolicy and guaranteed, as AWS returns it', () => {
    const p = parseDeliveryPolicy(
      '{"healthyRetryPolicy":{"minDelayTarget":2,"maxDelayTarget":4,"numRetries":2,"numNoDelayRetries":0,"numMinDelayRetries":0,"numMaxDelayRetries":0,"backoffFunction":"linear"},"throttlePolicy":{"maxReceivesPerSecond":1},"requestPolicy":{"headerContentType":"text/plain"}}',
      'subscription',
    );
    expect(p.json).toBe(
      '{"healthyRetryPolicy":{"minDelayTarget":2,"maxDelayTarget":4,"numRetries":2,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"sicklyRetryPolicy":null,"throttlePolicy":{"maxReceivesPerSecond":1},"requestPolicy":{"headerContentType":"text/plain"},"guaranteed":false}',
    );
  });

  it('accepts what GetSubscriptionAttributes returned, pasted back (nulls, guaranteed)', () => {
    const p = parseDeliveryPolicy(AWS_DEFAULT_SUBSCRIPTION_EFFECTIVE, 'subscription');
    expect(p.healthyRetryPolicy).toEqual(DEFAULT_RETRY_POLICY);
    expect(p.throttlePolicy).toBeUndefined();
    expect(p.json).toBe(AWS_DEFAULT_SUBSCRIPTION_EFFECTIVE);
  });

  it('accepts the topic default AWS shows, and `null` phase counts as the console writes them', () => {
    expect(parseDeliveryPolicy(AWS_DEFAULT_TOPIC_EFFECTIVE, 'topic').json).toBe(AWS_DEFAULT_TOPIC_EFFECTIVE);
    const p = parseDeliveryPolicy(
      '{"http":{"defaultHealthyRetryPolicy":{"numRetries":3,"numNoDelayRetries":null,"minDelayTarget":20,"maxDelayTarget":20,"numMinDelayRetries":null,"numMaxDelayRetries":null,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"application/json"}}}',
      'topic',
    );
    expect(p.healthyRetryPolicy).toEqual(DEFAULT_RETRY_POLICY);
    expect(p.requestPolicy?.headerContentType).toBe('application/json');
  });

  it("fills what a retry policy leaves out with AWS's defaults (the docs' own {numRetries: 5} example)", () => {
    expect(parseDeliveryPolicy('{"http":{"defaultHealthyRetryPolicy":{"numRetries":5}}}', 'topic').healthyRetryPolicy).toEqual(
      retry({ numRetries: 5 }),
    );
    expect(parseDeliveryPolicy('{"healthyRetryPolicy":{"numRetries":5}}', 'subscription').healthyRetryPolicy).toEqual(retry({ numRetries: 5 }));
  });

  it('keeps a section the input leaves out out of the stored topic policy; {} stays {}', () => {
    expect(parseDeliveryPolicy('{"http":{"defaultThrottlePolicy":{"maxReceivesPerSecond":3}}}', 'topic').json).toBe(
      '{"http":{"disableSubscriptionOverrides":false,"defaultThrottlePolicy":{"maxReceivesPerSecond":3}}}',
    );
    expect(parseDeliveryPolicy('{}', 'topic').json).toBe('{}');
  });

  it('treats an empty value as no policy', () => {
    const p = parseDeliveryPolicy('', 'topic');
    expect(p.json).toBe('');
    expect(p.healthyRetryPolicy).toBeUndefined();
  });

  it('takes backoffFunction in any case (the CDK sends EXPONENTIAL) and stores it in lower case', () => {
    const p = parseDeliveryPolicy(sub({ minDelayTarget: 5, maxDelayTarget: 10, numRetries: 6, backoffFunction: 'EXPONENTIAL' }), 'subscription');
    expect(p.healthyRetryPolicy?.backoffFunction).toBe('exponential');
    expect(p.json).toContain('"backoffFunction":"exponential"');
  });

  it('accepts the limits themselves', () => {
    for (const r of [
      { minDelayTarget: 1, maxDelayTarget: 1, numRetries: 0 },
      { minDelayTarget: 3600, maxDelayTarget: 3600, numRetries: 100 },
      { minDelayTarget: 1, maxDelayTarget: 3600, numRetries: 100, numNoDelayRetries: 40, numMinDelayRetries: 30, numMaxDelayRetries: 30 },
    ])
      expect(parseDeliveryPolicy(topic(r), 'topic').healthyRetryPolicy).toEqual(retry(r));
  });

  it('accepts every documented content type, with parameters such as charset', () => {
    for (const type of ['application/json', 'text/plain', 'text/plain; charset=UTF-8', 'application/json; charset=utf-8', 'application/xml', 'text/csv', 'text/html'])
      expect(parseDeliveryPolicy(JSON.stringify({ requestPolicy: { headerContentType: type } }), 'subscription').requestPolicy?.headerContentType).toBe(type);
  });
});

describe('parseDeliveryPolicy: invalid policies answer InvalidParameter', () => {
  const cases: [string, string, 'topic' | 'subscription', string][] = [
    // Seen from AWS, word for word:
    ['numRetries above 100 (topic)', topic({ minDelayTarget: 20, maxDelayTarget: 20, numRetries: 101 }), 'topic', 'Invalid parameter: DeliveryPolicy: http.defaultHealthyRetryPolicy.numRetries must be less than or equal to 100'],
    ['minDelayTarget below 1', sub({ minDelayTarget: 0, maxDelayTarget: 0, numRetries: 0 }), 'subscription', 'Invalid parameter: DeliveryPolicy: healthyRetryPolicy.minDelayTarget must be greater than or equal to 1'],
    ['a subscription member in a topic policy', '{"throttlePolicy":{"maxReceivesPerSecond":1}}', 'topic', 'Invalid parameter: DeliveryPolicy: Unexpected JSON member: throttlePolicy'],
    // The same pattern for the other limits:
    ['numRetries above 100 (subscription)', sub({ numRetries: 101 }), 'subscription', 'Invalid parameter: DeliveryPolicy: healthyRetryPolicy.numRetries must be less than or equal to 100'],
    ['negative numRetries', sub({ numRetries: -1 }), 'subscription', 'Invalid parameter: DeliveryPolicy: healthyRetryPolicy.numRetries must be greater than or equal to 0'],
    ['maxDelayTarget above 3600', topic({ maxDelayTarget: 3601 }), 'topic', 'Invalid parameter: DeliveryPolicy: http.defaultHealthyRetryPolicy.maxDelayTarget must be less than or equal to 3600'],
    ['minDelayTarget above 3600', sub({ minDelayTarget: 3601, maxDelayTarget: 3601 }), 'subscription', 'Invalid parameter: DeliveryPolicy: healthyRetryPolicy.minDelayTarget must be less than or equal to 3600'],
    ['maxDelayTarget below 1', sub({ minDelayTarget: 1, maxDelayTarget: 0 }), 'subscription', 'Invalid parameter: DeliveryPolicy: healthyRetryPolicy.maxDelayTarget must be greater than or equal to 1'],
    ['minDelayTarget above maxDelayTarget', topic({ minDelayTarget: 30, maxDelayTarget: 10 }), 'topic', 'Invalid parameter: DeliveryPolicy: http.defaultHealthyRetryPolicy.maxDelayTarget must be greater than or equal to minDelayTarget'],
    ['minDelayTarget above the default maxDelayTarget', sub({ minDelayTarget: 30 }), 'subscription', 'Invalid parameter: DeliveryPolicy: healthyRetryPolicy.maxDelayTarget must be greater than or equal to minDelayTarget'],
    ['phase counts above numRetries', sub({ numRetries: 5, numNoDelayRetries: 2, numMinDelayRetries: 2, numMaxDelayRetries: 2 }), 'subscription', 'Invalid parameter: DeliveryPolicy: healthyRetryPolicy.numRetries must be greater than or equal to total of numMinDelayRetries, numNoDelayRetries and numMaxDelayRetries'],
    ['a negative phase count', sub({ numNoDelayRetries: -1 }), 'subscription', 'Invalid parameter: DeliveryPolicy: healthyRetryPolicy.numNoDelayRetries must be greater than or equal to 0'],
    ['negative numMinDelayRetries', topic({ numMinDelayRetries: -2 }), 'topic', 'Invalid parameter: DeliveryPolicy: http.defaultHealthyRetryPolicy.numMinDelayRetries must be greater than or equal to 0'],
    ['negative numMaxDelayRetries', topic({ numMaxDelayRetries: -3 }), 'topic', 'Invalid parameter: DeliveryPolicy: http.defaultHealthyRetryPolicy.numMaxDelayRetries must be greater than or equal to 0'],
    ['an unknown backoffFunction', sub({ backoffFunction: 'fibonacci' }), 'subscription', 'Invalid parameter: DeliveryPolicy: healthyRetryPolicy.backoffFunction must be one of linear, arithmetic, geometric, exponential'],
    ['a fractional numRetries', sub({ numRetries: 2.5 }), 'subscription', 'Invalid parameter: DeliveryPolicy: healthyRetryPolicy.numRetries must be an integer'],
    ['maxReceivesPerSecond 0', '{"throttlePolicy":{"maxReceivesPerSecond":0}}', 'subscription', 'Invalid parameter: DeliveryPolicy: throttlePolicy.maxReceivesPerSecond must be greater than or equal to 1'],
    ['a throttle without a rate', '{"http":{"defaultThrottlePolicy":{}}}', 'topic', 'Invalid parameter: DeliveryPolicy: http.defaultThrottlePolicy.maxReceivesPerSecond must be specified'],
    ['an unsupported content type', '{"http":{"defaultRequestPolicy":{"headerContentType":"text/bogus"}}}', 'topic', 'Invalid parameter: DeliveryPolicy: http.defaultRequestPolicy.headerContentType must be one of application/json, text/plain, application/atom+xml, application/octet-stream, application/soap+xml, application/x-www-form-urlencoded, application/xhtml+xml, application/xml, text/css, text/csv, text/html, text/xml'],
    ['a disableSubscriptionOverrides that is not a boolean', '{"http":{"disableSubscriptionOverrides":"yes"}}', 'topic', 'Invalid parameter: DeliveryPolicy: http.disableSubscriptionOverrides must be a boolean'],
    ['an unknown member in a retry policy', sub({ numRetries: 3, retries: 4 }), 'subscription', 'Invalid parameter: DeliveryPolicy: Unexpected JSON member: retries'],
    ['a topic-shaped policy on a subscription', AWS_DEFAULT_TOPIC_EFFECTIVE, 'subscription', 'Invalid parameter: DeliveryPolicy: Unexpected JSON member: http'],
    ['a section that is not an object', '{"healthyRetryPolicy":[1]}', 'subscription', 'Invalid parameter: DeliveryPolicy: healthyRetryPolicy must be a JSON object'],
    ['text that is not JSON', '{"http":', 'topic', 'Invalid parameter: DeliveryPolicy: failed to parse JSON.'],
    ['JSON that is not an object', '[]', 'subscription', 'Invalid parameter: DeliveryPolicy: failed to parse JSON.'],
  ];

  for (const [name, json, where, message] of cases) {
    it(name, () => {
      const err = errorOf(() => parseDeliveryPolicy(json, where));
      expect(err.type).toBe('InvalidParameter');
      expect(err.status).toBe(400);
      expect(err.message).toBe(message);
    });
  }

  it('words the message for CreateTopic / Subscribe Attributes as AWS does', () => {
    const err = errorOf(() => parseDeliveryPolicy(topic({ numRetries: 101 }), 'topic', { inAttributes: true }));
    expect(err.message).toBe(
      'Invalid parameter: Attributes Reason: DeliveryPolicy: http.defaultHealthyRetryPolicy.numRetries must be less than or equal to 100',
    );
    expect(errorOf(() => parseDeliveryPolicy(sub({ minDelayTarget: 0 }), 'subscription', { inAttributes: true })).message).toBe(
      'Invalid parameter: Attributes Reason: DeliveryPolicy: healthyRetryPolicy.minDelayTarget must be greater than or equal to 1',
    );
  });
});

describe('effectiveDeliveryPolicy', () => {
  it("is AWS's default without policies", () => {
    const e = effectiveDeliveryPolicy();
    expect(e.topicJson).toBe(AWS_DEFAULT_TOPIC_EFFECTIVE);
    expect(e.subscriptionJson).toBe(AWS_DEFAULT_SUBSCRIPTION_EFFECTIVE);
    expect(e.policy.healthyRetryPolicy).toEqual(DEFAULT_RETRY_POLICY);
    expect(e.headerContentType).toBe('text/plain; charset=UTF-8');
    expect(e.maxReceivesPerSecond).toBeUndefined();
    expect(e.subscriptionOverrides).toBe(false);
    // Empty attribute values are no policy either.
    expect(effectiveDeliveryPolicy('', '').subscriptionJson).toBe(AWS_DEFAULT_SUBSCRIPTION_EFFECTIVE);
  });

  it('lays a topic section over the default, showing the throttle only when set', () => {
    const e = effectiveDeliveryPolicy('{"http":{"defaultThrottlePolicy":{"maxReceivesPerSecond":3}}}');
    expect(e.topicJson).toBe(
      '{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultThrottlePolicy":{"maxReceivesPerSecond":3},"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}',
    );
    expect(e.maxReceivesPerSecond).toBe(3);
    // A subscription without a policy inherits the topic's sections.
    expect(e.subscriptionJson).toBe(
      '{"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"sicklyRetryPolicy":null,"throttlePolicy":{"maxReceivesPerSecond":3},"requestPolicy":{"headerContentType":"text/plain; charset=UTF-8"},"guaranteed":false}',
    );
  });

  it("takes each section from the subscription, else the topic, else AWS's default", () => {
    const t = parseDeliveryPolicy(
      '{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":30,"numRetries":10,"backoffFunction":"geometric"},"defaultRequestPolicy":{"headerContentType":"application/json"}}}',
      'topic',
    );
    const s = parseDeliveryPolicy('{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":2,"numRetries":4},"throttlePolicy":{"maxReceivesPerSecond":7}}', 'subscription');
    const e = effectiveDeliveryPolicy(t, s);
    expect(e.subscriptionOverrides).toBe(true);
    expect(e.policy.healthyRetryPolicy).toEqual(retry({ minDelayTarget: 1, maxDelayTarget: 2, numRetries: 4 }));
    expect(e.maxReceivesPerSecond).toBe(7);
    expect(e.headerContentType).toBe('application/json'); // from the topic
    expect(JSON.parse(e.subscriptionJson)).toEqual({
      healthyRetryPolicy: retry({ minDelayTarget: 1, maxDelayTarget: 2, numRetries: 4 }),
      sicklyRetryPolicy: null,
      throttlePolicy: { maxReceivesPerSecond: 7 },
      requestPolicy: { headerContentType: 'application/json' },
      guaranteed: false,
    });
    // The topic's own effective policy does not change with a subscription's.
    expect(JSON.parse(e.topicJson).http.defaultHealthyRetryPolicy).toEqual(retry({ minDelayTarget: 5, maxDelayTarget: 30, numRetries: 10, backoffFunction: 'geometric' }));
    // The subscription alone, over the default.
    expect(effectiveDeliveryPolicy(undefined, s).headerContentType).toBe('text/plain; charset=UTF-8');
  });

  it('ignores the subscription policy when the topic disables subscription overrides', () => {
    const t = '{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":10,"maxDelayTarget":10,"numRetries":1},"disableSubscriptionOverrides":true}}';
    const s = '{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":9},"requestPolicy":{"headerContentType":"application/json"}}';
    const e = effectiveDeliveryPolicy(t, s);
    expect(e.subscriptionOverrides).toBe(false);
    expect(e.policy.healthyRetryPolicy).toEqual(retry({ minDelayTarget: 10, maxDelayTarget: 10, numRetries: 1 }));
    expect(e.headerContentType).toBe('text/plain; charset=UTF-8');
    expect(JSON.parse(e.topicJson).http.disableSubscriptionOverrides).toBe(true);
    expect(retryDelaysMs(e.policy)).toEqual([10_000]);
  });

  it('never throws on the delivery path: text that does not validate counts as no policy', () => {
    const e = effectiveDeliveryPolicy('{not json', '{"healthyRetryPolicy":{"numRetries":500}}');
    expect(e.subscriptionJson).toBe(AWS_DEFAULT_SUBSCRIPTION_EFFECTIVE);
  });
});

describe('retryDelaysMs', () => {
  it("AWS's default: 3 retries, 20 s apart", () => {
    expect(retryDelaysMs(DEFAULT_RETRY_POLICY)).toEqual([20_000, 20_000, 20_000]);
    expect(retryDelaysMs(effectiveDeliveryPolicy().policy)).toEqual([20_000, 20_000, 20_000]);
  });

  it("AWS's worked example: linear, 3 retries from 20 s to 40 s waits 20, 30, 40 s", () => {
    expect(retryDelaysMs(retry({ maxDelayTarget: 40 }))).toEqual([20_000, 30_000, 40_000]);
  });

  // AWS's chart: 10 backoff retries from 5 s to 260 s, one curve per function.
  const chart: Record<BackoffFunction, number[]> = {
    linear: [5000, 33333, 61667, 90000, 118333, 146667, 175000, 203333, 231667, 260000],
    arithmetic: [5000, 10667, 22000, 39000, 61667, 90000, 124000, 163667, 209000, 260000],
    geometric: [5000, 7756, 12031, 18663, 28949, 44906, 69658, 108054, 167612, 260000],
    exponential: [5000, 5499, 6497, 8493, 12485, 20470, 36438, 68376, 132250, 260000],
  };
  for (const fn of Object.keys(chart) as BackoffFunction[]) {
    it(`${fn}: 10 retries from 5 s to 260 s, from min to max, never decreasing`, () => {
      const delays = retryDelaysMs(retry({ minDelayTarget: 5, maxDelayTarget: 260, numRetries: 10, backoffFunction: fn }));
      expect(delays).toEqual(chart[fn]);
      for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]);
    });

    it(`${fn}: with the default policy it is flat at 20 s; deterministic`, () => {
      const p = retry({ backoffFunction: fn });
      expect(retryDelaysMs(p)).toEqual([20_000, 20_000, 20_000]);
      expect(retryDelaysMs(p)).toEqual(retryDelaysMs(p));
    });
  }

  it('runs the four phases in order: immediate, pre-backoff at min, backoff, post-backoff at max', () => {
    // The policy of AWS's "Creating an HTTP/S delivery policy" example: 3 + 2 + 10 + 35 = 50.
    const delays = retryDelaysMs(
      retry({ minDelayTarget: 1, maxDelayTarget: 60, numRetries: 50, numNoDelayRetries: 3, numMinDelayRetries: 2, numMaxDelayRetries: 35, backoffFunction: 'exponential' }),
    );
    expect(delays).toHaveLength(50);
    expect(delays.slice(0, 3)).toEqual([0, 0, 0]);
    expect(delays.slice(3, 5)).toEqual([1000, 1000]);
    expect(delays.slice(5, 15)).toEqual([1000, 1115, 1346, 1808, 2732, 4579, 8274, 15663, 30442, 60000]);
    expect(delays.slice(15)).toEqual(Array<number>(35).fill(60_000));
  });

  it('a backoff phase of one retry waits minDelayTarget; of none, the other phases only', () => {
    expect(retryDelaysMs(retry({ minDelayTarget: 5, maxDelayTarget: 30, numRetries: 1, backoffFunction: 'geometric' }))).toEqual([5000]);
    expect(retryDelaysMs(retry({ minDelayTarget: 5, maxDelayTarget: 30, numRetries: 4, numNoDelayRetries: 1, numMinDelayRetries: 1, numMaxDelayRetries: 2 }))).toEqual([
      0, 5000, 30_000, 30_000,
    ]);
    expect(retryDelaysMs(retry({ numRetries: 0 }))).toEqual([]);
  });

  it('takes a resolved policy as well as a retry policy', () => {
    const e = effectiveDeliveryPolicy('{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":2,"maxDelayTarget":8,"numRetries":3,"backoffFunction":"arithmetic"}}}');
    expect(retryDelaysMs(e.policy)).toEqual([2000, 4000, 8000]);
    expect(retryDelaysMs(e.policy.healthyRetryPolicy)).toEqual([2000, 4000, 8000]);
  });
});
