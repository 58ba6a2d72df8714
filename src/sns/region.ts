/** Everything SNS holds for one (account, region). */
import type { Subscription } from './subscription.js';
import type { Topic } from './topic.js';

export class SnsRegion {
  /** By name. */
  readonly topics = new Map<string, Topic>();
  /** Every subscription of the region's topics, by ARN. */
  readonly subscriptions = new Map<string, Subscription>();
  /** Confirmation tokens, for ConfirmSubscription. */
  readonly tokens = new Map<string, Subscription>();

  constructor(
    readonly account: string,
    readonly region: string,
  ) {}
}
