/**
 * A rule: its pattern (validated and compiled once, at PutRule) or schedule, its state, and its
 * targets with their input shaping compiled once, at PutTargets.
 */
import type * as eb from '@aws-sdk/client-eventbridge';
import type { Timer } from '../clock.js';
import type { ValidatedPattern } from '../patterns/index.js';
import type { Schedule } from './schedule.js';
import type { TransformContext } from './transform.js';

export type RuleState = 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

export interface Target {
  /** As put, returned by ListTargetsByRule. */
  readonly spec: eb.Target;
  /** The event (AWS's key order) to the body the target receives. */
  readonly render: (event: Record<string, unknown>, ctx: TransformContext) => string;
}

export class Rule {
  eventPattern?: string;
  pattern?: ValidatedPattern;
  scheduleExpression?: string;
  schedule?: Schedule;
  /** When the schedule was put: a rate runs from there (kept on disk so a restart keeps its phase). */
  scheduleAnchor?: number;
  /** The next firing of a scheduled rule. */
  timer?: Timer;
  state: RuleState = 'ENABLED';
  description?: string;
  roleArn?: string;
  readonly targets = new Map<string, Target>();

  constructor(
    readonly name: string,
    readonly arn: string,
    readonly busName: string,
    /** The account that put the rule (`CreatedBy`). */
    readonly createdBy: string,
    readonly createdAt: number,
  ) {}

  get enabled(): boolean {
    return this.state !== 'DISABLED';
  }

  describe(): eb.DescribeRuleResponse {
    return {
      Name: this.name,
      Arn: this.arn,
      EventPattern: this.eventPattern,
      ScheduleExpression: this.scheduleExpression,
      State: this.state,
      Description: this.description,
      RoleArn: this.roleArn,
      EventBusName: this.busName,
      CreatedBy: this.createdBy,
    };
  }

  summary(): eb.Rule {
    const d = this.describe();
    return {
      Name: d.Name,
      Arn: d.Arn,
      EventPattern: d.EventPattern,
      State: d.State,
      Description: d.Description,
      ScheduleExpression: d.ScheduleExpression,
      RoleArn: d.RoleArn,
      EventBusName: d.EventBusName,
    };
  }
}
