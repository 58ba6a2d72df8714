/** Everything EventBridge holds for one (account, region). */
import type { Clock } from '../clock.js';
import type { Archive, Replay } from './archives.js';
import { busArn } from './arn.js';
import { EventBus } from './bus.js';
import { ConnectionStore } from './connections.js';

export class EventsRegion {
  readonly buses = new Map<string, EventBus>();
  readonly archives = new Map<string, Archive>();
  readonly replays = new Map<string, Replay>();
  readonly connections: ConnectionStore;
  /** Tags by resource ARN (buses and rules). */
  readonly tags = new Map<string, Map<string, string>>();

  constructor(
    readonly account: string,
    readonly region: string,
    clock: Clock,
  ) {
    // The default bus exists in every account and region, from the start.
    const now = clock.now();
    this.buses.set('default', new EventBus('default', busArn(region, account, 'default'), now));
    this.connections = new ConnectionStore({ clock, account, region });
  }

  /** Archives whose source is the bus. */
  *archivesOf(arn: string): IterableIterator<Archive> {
    for (const a of this.archives.values()) if (a.sourceArn === arn) yield a;
  }
}
