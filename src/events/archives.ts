/**
 * Archives (events from a bus that match the archive's pattern, kept for RetentionDays) and
 * replays (a time window of an archive sent back to its bus, each event marked with
 * `replay-name`, only to the rules named in FilterArns when given).
 */
import type * as eb from '@aws-sdk/client-eventbridge';
import { compilePattern, matchesFlat, type CompiledPattern, type FlatEvent } from '../patterns/index.js';

export type ArchiveState = 'ENABLED' | 'DISABLED';
export type ReplayState = 'STARTING' | 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

export interface ArchivedEvent {
  /** Ingestion time, epoch ms: what a replay's time window selects on. */
  at: number;
  event: Record<string, unknown>;
  size: number;
}

const DAY_MS = 86_400_000;

export class Archive {
  eventPattern?: string;
  private compiled?: CompiledPattern;
  description?: string;
  retentionDays = 0;
  kmsKeyIdentifier?: string;
  state: ArchiveState = 'ENABLED';
  readonly events: ArchivedEvent[] = [];
  sizeBytes = 0;

  constructor(
    readonly name: string,
    readonly arn: string,
    readonly sourceArn: string,
    readonly createdAt: number,
  ) {}

  setPattern(text: string | undefined, validated: Parameters<typeof compilePattern>[0] | undefined): void {
    this.eventPattern = text;
    this.compiled = validated ? compilePattern(validated) : undefined;
  }

  /** Store the event when the archive is enabled and its pattern (if any) matches. */
  offer(flat: FlatEvent, event: Record<string, unknown>, json: string, now: number): boolean {
    if (this.state !== 'ENABLED') return false;
    if (this.compiled && !matchesFlat(this.compiled, flat)) return false;
    this.prune(now);
    const size = Buffer.byteLength(json);
    this.events.push({ at: now, event, size });
    this.sizeBytes += size;
    return true;
  }

  /** An event archived by an earlier process (persistence), in ingestion order. */
  restore(at: number, event: Record<string, unknown>): void {
    const size = Buffer.byteLength(JSON.stringify(event));
    this.events.push({ at, event, size });
    this.sizeBytes += size;
  }

  /** Drop events past retention (0 = keep forever); events are in ingestion order. */
  prune(now: number): void {
    if (this.retentionDays <= 0) return;
    const cutoff = now - this.retentionDays * DAY_MS;
    let n = 0;
    while (n < this.events.length && this.events[n].at < cutoff) this.sizeBytes -= this.events[n++].size;
    if (n > 0) this.events.splice(0, n);
  }

  summary(now: number): eb.Archive {
    this.prune(now);
    return {
      ArchiveName: this.name,
      EventSourceArn: this.sourceArn,
      State: this.state,
      RetentionDays: this.retentionDays,
      SizeBytes: this.sizeBytes,
      EventCount: this.events.length,
      CreationTime: new Date(this.createdAt),
    };
  }

  describe(now: number): eb.DescribeArchiveResponse {
    const s = this.summary(now);
    return {
      ArchiveArn: this.arn,
      ArchiveName: this.name,
      EventSourceArn: this.sourceArn,
      Description: this.description,
      EventPattern: this.eventPattern,
      State: this.state,
      KmsKeyIdentifier: this.kmsKeyIdentifier,
      RetentionDays: this.retentionDays,
      SizeBytes: s.SizeBytes,
      EventCount: s.EventCount,
      CreationTime: s.CreationTime,
    };
  }
}

export class Replay {
  state: ReplayState = 'STARTING';
  stateReason?: string;
  replayStartTime?: number;
  replayEndTime?: number;
  lastReplayed?: number;

  constructor(
    readonly name: string,
    readonly arn: string,
    readonly archiveArn: string,
    readonly description: string | undefined,
    readonly eventStartTime: number,
    readonly eventEndTime: number,
    readonly destination: eb.ReplayDestination,
  ) {}

  summary(): eb.Replay {
    return {
      ReplayName: this.name,
      EventSourceArn: this.archiveArn,
      State: this.state,
      StateReason: this.stateReason,
      EventStartTime: new Date(this.eventStartTime),
      EventEndTime: new Date(this.eventEndTime),
      EventLastReplayedTime: this.lastReplayed !== undefined ? new Date(this.lastReplayed) : undefined,
      ReplayStartTime: this.replayStartTime !== undefined ? new Date(this.replayStartTime) : undefined,
      ReplayEndTime: this.replayEndTime !== undefined ? new Date(this.replayEndTime) : undefined,
    };
  }

  describe(): eb.DescribeReplayResponse {
    const s = this.summary();
    return {
      ReplayName: this.name,
      ReplayArn: this.arn,
      Description: this.description,
      State: this.state,
      StateReason: this.stateReason,
      EventSourceArn: this.archiveArn,
      Destination: this.destination,
      EventStartTime: s.EventStartTime,
      EventEndTime: s.EventEndTime,
      EventLastReplayedTime: s.EventLastReplayedTime,
      ReplayStartTime: s.ReplayStartTime,
      ReplayEndTime: s.ReplayEndTime,
    };
  }
}
