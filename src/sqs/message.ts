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

/**
 * Times are stored as milliseconds from TIME_BASE (an immutable storage origin, not a clock):
 * such offsets stay small integers (V8 Smis) for days, where absolute epoch milliseconds would be
 * a boxed heap number per field per message. The accessors give absolute epoch milliseconds.
 */
const TIME_BASE = Math.floor(Date.now() / 3_600_000) * 3_600_000;
/** "Not yet" for the receive times: the smallest Smi, an offset no real time has. */
const NOT_YET = -0x40000000;

export class SqsMessage {
  state: MessageState = MessageState.Visible;
  receiveCount = 0;
  /** Nonce of the latest receive; the receipt handle carries it. */
  receipt = 0;
  timer: Timer | undefined = undefined;
  sequenceNumber: string | undefined = undefined;
  deadLetterSourceArn: string | undefined = undefined;
  private sent: number;
  private enqueued: number;
  private firstReceive = NOT_YET;
  private received = NOT_YET;

  constructor(
    readonly id: string,
    readonly body: string,
    readonly attributes: AttributeMap | undefined,
    readonly systemAttributes: AttributeMap | undefined,
    sentAt: number,
    readonly senderId: string,
    readonly groupId: string | undefined,
    readonly dedupId: string | undefined,
  ) {
    this.sent = this.enqueued = sentAt - TIME_BASE;
  }

  get sentAt(): number {
    return this.sent + TIME_BASE;
  }

  /** When it entered this queue (retention counts from here). */
  get enqueuedAt(): number {
    return this.enqueued + TIME_BASE;
  }
  set enqueuedAt(t: number) {
    this.enqueued = t - TIME_BASE;
  }

  /** 0 until first received. */
  get firstReceiveAt(): number {
    return this.firstReceive === NOT_YET ? 0 : this.firstReceive + TIME_BASE;
  }
  set firstReceiveAt(t: number) {
    this.firstReceive = t === 0 ? NOT_YET : t - TIME_BASE;
  }

  /** When the current receive started (for the 12 h visibility ceiling). */
  get receivedAt(): number {
    return this.received === NOT_YET ? 0 : this.received + TIME_BASE;
  }
  set receivedAt(t: number) {
    this.received = t - TIME_BASE;
  }
}
