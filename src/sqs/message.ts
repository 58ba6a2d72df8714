/**
 * One stored message. A class with a fixed set of fields so V8 gives every message the same
 * compact layout: a million queued 200-byte messages must fit in a few hundred megabytes.
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { Timer } from '../clock.js';

export const enum MessageState {
  Delayed = 0,
  Visible = 1,
  InFlight = 2,
  Gone = 3,
}

export type AttributeMap = Record<string, MessageAttributeValue>;

export class SqsMessage {
  state: MessageState = MessageState.Visible;
  receiveCount = 0;
  firstReceiveAt = 0;
  /** When the current receive started (for the 12 h visibility ceiling). */
  receivedAt = 0;
  /** Nonce of the latest receive; the receipt handle carries it. */
  receipt = 0;
  timer: Timer | undefined = undefined;
  sequenceNumber: string | undefined = undefined;
  deadLetterSourceArn: string | undefined = undefined;
  /** When it entered this queue (retention counts from here). */
  enqueuedAt: number;

  constructor(
    readonly id: string,
    readonly body: string,
    readonly attributes: AttributeMap | undefined,
    readonly systemAttributes: AttributeMap | undefined,
    readonly sentAt: number,
    readonly senderId: string,
    readonly groupId: string | undefined,
    readonly dedupId: string | undefined,
  ) {
    this.enqueuedAt = sentAt;
  }
}
