/**
 * An event bus: its rules, the index that finds the enabled rules an event matches without
 * trying them one by one, and its resource policy (who else may put events on it).
 */
import type * as eb from '@aws-sdk/client-eventbridge';
import { PatternIndex } from '../patterns/index.js';
import type { Rule } from './rule.js';

export interface PolicyStatement {
  Sid: string;
  Effect: string;
  Principal: string | { AWS: string };
  Action: string | string[];
  Resource: string;
  Condition?: unknown;
}

export class EventBus {
  readonly rules = new Map<string, Rule>();
  /** Enabled rules with an event pattern. */
  readonly index = new PatternIndex<Rule>();
  description?: string;
  kmsKeyIdentifier?: string;
  deadLetterConfig?: eb.DeadLetterConfig;
  /** A policy put whole with PutPermission's `Policy`, or built from its statements. */
  statements: PolicyStatement[] = [];
  lastModified: number;

  constructor(
    readonly name: string,
    readonly arn: string,
    readonly createdAt: number,
  ) {
    this.lastModified = createdAt;
  }

  /** Keep the index in step with a rule's pattern and state. */
  reindex(rule: Rule): void {
    if (rule.enabled && rule.pattern) this.index.add(rule, rule.pattern);
    else this.index.delete(rule);
  }

  policy(): string | undefined {
    if (this.statements.length === 0) return undefined;
    return JSON.stringify({ Version: '2012-10-17', Statement: this.statements });
  }

  /**
   * Whether `account` may put events on this bus. The owner always may; another account needs
   * an Allow statement naming it (or `*`) for events:PutEvents. Conditions (an organization id)
   * are taken as met: Switchyard has no organizations.
   */
  allowsPutEventsFrom(account: string, owner: string): boolean {
    if (account === owner) return true;
    return this.statements.some((s) => {
      if (s.Effect !== 'Allow') return false;
      const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
      if (!actions.some((a) => a === 'events:PutEvents' || a === 'events:*')) return false;
      const principal = typeof s.Principal === 'string' ? s.Principal : s.Principal.AWS;
      const principals = Array.isArray(principal) ? (principal as string[]) : [principal];
      return principals.some((p) => p === '*' || p === account || p === `arn:aws:iam::${account}:root`);
    });
  }
}
