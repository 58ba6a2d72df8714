/**
 * One SNS delivery to an HTTP/HTTPS subscription: a POST of the message, answered as a
 * DeliveryOutcome for the retry loop (which schedules the next attempt on the clock from the
 * delivery policy; see delivery-policy.ts).
 *
 * The request, as AWS sends it ("HTTP/HTTPS headers", in "Parsing message formats"):
 *   POST <path> HTTP/1.1
 *   x-amz-sns-message-type: Notification | SubscriptionConfirmation | UnsubscribeConfirmation
 *   x-amz-sns-message-id: <message id; a retry sends the original id>
 *   x-amz-sns-topic-arn: <topic ARN>
 *   x-amz-sns-subscription-arn: <subscription ARN>
 *   Content-Length, Content-Type: text/plain; charset=UTF-8, Host, Connection: Keep-Alive
 *   User-Agent: Amazon Simple Notification Service Agent
 * - `x-amz-sns-subscription-arn` is left out of a SubscriptionConfirmation: the subscription is
 *   not confirmed yet (LocalStack's AWS-checked publisher never saw it there either).
 * - `x-amz-sns-rawdelivery: true` is added to a Notification of a subscription with raw message
 *   delivery ("Amazon SNS raw message delivery": "the HTTP header x-amz-sns-rawdelivery with its
 *   value set to true is added to the message"); confirmations are never raw.
 * - Content-Type is the delivery policy's `headerContentType` for notifications (the docs point
 *   there "to choose a Content-Type other than text/plain"); confirmations keep
 *   `text/plain; charset=UTF-8` (LocalStack applies the policy to notifications only, as here).
 * - `Connection: Keep-Alive` is sent as AWS does, but each delivery uses a connection of its own,
 *   closed after the answer: a reused idle connection that the server has just closed would turn
 *   into a spurious failed attempt, and a retry 20 s later.
 * - The endpoint's `user:password@` userinfo, if any, is sent as HTTP Basic authorization (Node
 *   does this for a URL with credentials). Redirects are not followed.
 *
 * What the answer means ("Setting Amazon SNS Delivery Retry Policies for HTTP/HTTPS Endpoints",
 * the SNS guide's page on HTTP/S retries, awsdocs/amazon-sns-developer-guide DeliveryPolicies.md):
 * - 2xx: delivered.
 * - "HTTP status codes 100 to 101 and 500 to 599 (inclusive)" are failed attempts, retried.
 * - "Amazon SNS considers HTTP status codes 400 to 499 to indicate permanent delivery failure":
 *   not retried, 429 included (no AWS source says otherwise for HTTP/S subscriptions).
 * - 3xx (and anything else): AWS does not say. Switchyard: a failure, not retried.
 * - "A request timeout (15 seconds)" and "any connection error such as connection timeout,
 *   endpoint unreachable, bad SSL certificate": retried.
 * The timeout bounds the whole exchange, answer included, in wall time (AbortSignal.timeout): it
 * bounds real network I/O, not Switchyard's clock.
 *
 * HTTPS: a certificate that does not verify is a connection error, as on AWS, except for a
 * loopback endpoint (localhost, *.localhost, 127.0.0.0/8, ::1), whose certificate is not checked:
 * a local HTTPS test server is almost always self-signed, and a loopback connection cannot be
 * intercepted by anyone but the machine's own users. `rejectUnauthorized` overrides the choice for
 * one request either way.
 *
 * Never throws: every failure resolves to an outcome with a short message for the trace. The codes
 * are Switchyard's (HttpClientError, HttpServerError, UnexpectedStatus, ConnectionError,
 * RequestTimeout, InvalidEndpoint): SNS writes no error code into a dead-letter message; its
 * delivery status logs carry the status and the endpoint's response (`providerResponse`), and an
 * unreachable endpoint shows there as "IO Exception in HttpClient" (AWS Knowledge Center,
 * "sns-troubleshoot-io-exception-error-http-https"), which connection errors here begin with.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { DeliveryOutcome } from '../delivery/outcome.js';
import { DEFAULT_CONTENT_TYPE } from './delivery-policy.js';

/** AWS's HTTP/S request timeout. */
export const SNS_HTTP_TIMEOUT_MS = 15_000;
export const SNS_USER_AGENT = 'Amazon Simple Notification Service Agent';
/** How much of a response is kept for the trace. */
const DETAIL_BYTES = 512;
/** The most of a response body that is read before the connection is dropped. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export type SnsHttpMessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

export interface HttpDeliveryRequest {
  /** The subscription's endpoint URL (http: or https:). */
  endpoint: string;
  messageType: SnsHttpMessageType;
  messageId: string;
  topicArn: string;
  /** Sent for Notification and UnsubscribeConfirmation. */
  subscriptionArn?: string;
  /** The JSON envelope, or the bare message for raw delivery. */
  body: string;
  /** The delivery policy's headerContentType (notifications only). Default text/plain; charset=UTF-8. */
  contentType?: string;
  /** The subscription has RawMessageDelivery: a Notification carries x-amz-sns-rawdelivery: true. */
  rawDelivery?: boolean;
  /** Default AWS's 15,000 ms. */
  timeoutMs?: number;
  /** Verify an https endpoint's certificate. Default: yes, except for loopback hosts. */
  rejectUnauthorized?: boolean;
}

/** POST one SNS message to an HTTP/S endpoint. Never rejects. */
export function postToHttpEndpoint(req: HttpDeliveryRequest): Promise<DeliveryOutcome> {
  return new Promise<DeliveryOutcome>((resolve) => {
    let settled = false;
    const done = (outcome: DeliveryOutcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    try {
      send(req, done);
    } catch (err) {
      done(failure('ConnectionError', `IO Exception in HttpClient: ${messageOf(err)}`, true));
    }
  });
}

/** The headers of one request, in the order AWS's sample shows them (Host is added by Node). */
export function snsHttpHeaders(req: HttpDeliveryRequest, contentLength: number): Record<string, string> {
  const headers: Record<string, string> = {
    'x-amz-sns-message-type': req.messageType,
    'x-amz-sns-message-id': req.messageId,
    'x-amz-sns-topic-arn': req.topicArn,
  };
  if (req.subscriptionArn && req.messageType !== 'SubscriptionConfirmation') headers['x-amz-sns-subscription-arn'] = req.subscriptionArn;
  if (req.rawDelivery && req.messageType === 'Notification') headers['x-amz-sns-rawdelivery'] = 'true';
  headers['Content-Length'] = String(contentLength);
  headers['Content-Type'] = req.messageType === 'Notification' && req.contentType ? req.contentType : DEFAULT_CONTENT_TYPE;
  headers.Connection = 'Keep-Alive';
  headers['User-Agent'] = SNS_USER_AGENT;
  return headers;
}

/** AWS's rule for a non-2xx answer: 100-101 and 5xx are retried, the rest is final. */
export function retryableStatus(status: number): boolean {
  return status === 100 || status === 101 || (status >= 500 && status <= 599);
}

/** localhost, *.localhost, 127.0.0.0/8 and ::1 (and its IPv4-mapped form). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    h === '::1' ||
    h === '0:0:0:0:0:0:0:1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) ||
    /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) ||
    /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h)
  );
}

function send(req: HttpDeliveryRequest, done: (o: DeliveryOutcome) => void): void {
  let url: URL;
  try {
    url = new URL(req.endpoint);
  } catch {
    return done(failure('InvalidEndpoint', `Invalid endpoint '${req.endpoint}': not a URL.`, false));
  }
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:')
    return done(failure('InvalidEndpoint', `Invalid endpoint '${req.endpoint}': the scheme must be http or https.`, false));

  const timeoutMs = req.timeoutMs ?? SNS_HTTP_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  const body = Buffer.from(req.body, 'utf8');
  const options: https.RequestOptions = {
    method: 'POST',
    headers: snsHttpHeaders(req, body.byteLength),
    signal,
    // A connection per delivery (see the header comment).
    agent: false,
  };
  if (secure) options.rejectUnauthorized = req.rejectUnauthorized ?? !isLoopbackHost(url.hostname);

  const transportFailure = (err: unknown): DeliveryOutcome =>
    signal.aborted
      ? failure('RequestTimeout', `The endpoint did not answer within ${timeoutMs} ms.`, true)
      : failure('ConnectionError', `IO Exception in HttpClient: ${messageOf(err)}`, true);

  const request = (secure ? https : http).request(url, options, (res) => {
    const status = res.statusCode ?? 0;
    const chunks: Buffer[] = [];
    let kept = 0;
    let read = 0;
    const finish = (): void => {
      const excerpt = Buffer.concat(chunks).toString('utf8').slice(0, DETAIL_BYTES).replace(/\s+/g, ' ').trim();
      done(outcomeOf(status, res.statusMessage ?? '', excerpt));
    };
    res.on('data', (chunk: Buffer) => {
      read += chunk.byteLength;
      if (kept < DETAIL_BYTES) {
        chunks.push(chunk);
        kept += chunk.byteLength;
      }
      if (read >= MAX_RESPONSE_BYTES) {
        // Enough to judge the answer by; the rest is not read.
        finish();
        res.destroy();
      }
    });
    res.on('end', finish);
    res.on('error', (err) => done(transportFailure(err)));
    res.on('aborted', () => done(transportFailure(new Error('the connection closed before the answer was complete'))));
  });
  request.on('error', (err) => done(transportFailure(err)));
  request.end(body);
}

function outcomeOf(status: number, statusText: string, excerpt: string): DeliveryOutcome {
  const answer = `HTTP ${status}${statusText ? ` ${statusText}` : ''}${excerpt ? `: ${excerpt}` : ''}`;
  if (status >= 200 && status <= 299) return { ok: true, status, detail: answer };
  if (retryableStatus(status)) return failure('HttpServerError', `The endpoint answered ${answer}`, true, status);
  if (status >= 400 && status <= 499) return failure('HttpClientError', `The endpoint answered ${answer}`, false, status);
  return failure('UnexpectedStatus', `The endpoint answered ${answer}`, false, status);
}

function failure(code: string, message: string, retryable: boolean, status?: number): DeliveryOutcome {
  const out: DeliveryOutcome = { ok: false, code, message, retryable };
  if (status !== undefined) out.status = status;
  return out;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return err.message || code || err.name;
  }
  return String(err);
}
