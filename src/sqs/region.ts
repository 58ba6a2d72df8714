/**
 * The SQS state of one account in one region: its queues, recently deleted names, and
 * message move tasks.
 */
import type { Clock, Timer } from '../clock.js';
import type { Queue } from './queue.js';

export interface MoveTask {
  handle: string;
  status: 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';
  sourceArn: string;
  destinationArn?: string;
  ratePerSecond?: number;
  moved: number;
  toMove: number;
  startedAt: number;
  failureReason?: string;
  timer?: Timer;
}

export class SqsRegion {
  readonly queues = new Map<string, Queue>();
  readonly deletedAt = new Map<string, number>();
  readonly moveTasks = new Map<string, MoveTask>();

  constructor(
    readonly account: string,
    readonly region: string,
    readonly clock: Clock,
  ) {}
}

/** `/<12-digit account>/<name>` at the end of a queue URL (any host, any prefix). */
export function parseQueueUrl(url: string): { account: string; name: string } | undefined {
  let path = url;
  const scheme = url.indexOf('://');
  if (scheme >= 0) {
    const slash = url.indexOf('/', scheme + 3);
    path = slash < 0 ? '' : url.slice(slash);
  }
  const q = path.indexOf('?');
  if (q >= 0) path = path.slice(0, q);
  const m = /\/(\d{12})\/([^/]+?)\/?$/.exec(path);
  if (!m) return undefined;
  return { account: m[1], name: decodeURIComponent(m[2]) };
}

/** `arn:aws:sqs:<region>:<account>:<name>`. */
export function parseQueueArn(arn: string): { region: string; account: string; name: string } | undefined {
  const m = /^arn:aws[\w-]*:sqs:([\w-]+):(\d{12}):([\w.-]+)$/.exec(arn);
  return m ? { region: m[1], account: m[2], name: m[3] } : undefined;
}
