/** SNS's identifiers: topic ARNs `arn:aws:sns:<region>:<account>:<name>`, subscriptions `<topicArn>:<uuid>`. */

export const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
export const FIFO_TOPIC_NAME = /^[A-Za-z0-9_-]{1,251}\.fifo$/;

export function topicArn(region: string, account: string, name: string): string {
  return `arn:aws:sns:${region}:${account}:${name}`;
}

export interface TopicRef {
  region: string;
  account: string;
  name: string;
}

/** A topic ARN's parts; undefined for anything else (a subscription ARN has one part more). */
export function parseTopicArn(arn: string): TopicRef | undefined {
  const m = /^arn:aws[\w-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,256})$/.exec(arn);
  return m ? { region: m[1], account: m[2], name: m[3] } : undefined;
}

/** A subscription ARN's topic and id. */
export function parseSubscriptionArn(arn: string): (TopicRef & { id: string }) | undefined {
  const m = /^arn:aws[\w-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,256}):([0-9a-f-]{36})$/.exec(arn);
  return m ? { region: m[1], account: m[2], name: m[3], id: m[4] } : undefined;
}
