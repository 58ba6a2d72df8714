/**
 * What creating one resource of a template takes: its resolved properties, the stack's account
 * and region, and a way to call the services' operations exactly as the config file does
 * (runOperation: decoded by the operation's shape, then the service's handler), so every value
 * is checked as AWS checks it and an AWS error comes back with AWS's code and message.
 */
import { runOperation, type OperationError } from '../config-file/apply.js';
import type { EventsService } from '../events/service.js';
import type { RequestContext, ServiceHandler } from '../gateway/context.js';
import { uuid } from '../ids.js';
import type { SnsService } from '../sns/service.js';
import type { SqsService } from '../sqs/service.js';
import { physicalName, type NameRules } from './names.js';
import type { Props } from './properties.js';
import type { Stacks } from './stacks.js';

export interface TemplateServices {
  sqs: SqsService;
  sns: SnsService;
  events: EventsService;
  /** Where applied stacks are recorded (the inspection API, Fn::ImportValue, SQS pollers). */
  stacks?: Stacks;
}

export interface Where {
  account: string;
  region: string;
}

export type Out = Record<string, unknown>;

/** What applying a resource came to. */
export interface Outcome {
  status: 'created' | 'updated' | 'unchanged' | 'skipped';
  /** The resource's name or id, as CloudFormation's PhysicalResourceId. */
  physicalId: string;
  /** What `Ref` gives. */
  ref: string;
  /** What `Fn::GetAtt` gives, by attribute name. */
  attributes: Record<string, unknown>;
  arn?: string;
  url?: string;
  /** Why it was skipped, or a remark on what was done. */
  note?: string;
}

/** A resource type Switchyard creates. */
export interface Provider {
  /** Every property CloudFormation knows for the type; any other is an error. */
  properties: readonly string[];
  /** The attributes `Fn::GetAtt` may ask for. */
  attributes: readonly string[];
  apply(r: ResourceContext): Outcome;
}

export class ResourceContext {
  constructor(
    readonly stackName: string,
    readonly logicalId: string,
    readonly type: string,
    readonly props: Props,
    readonly where: Where,
    readonly baseUrl: string,
    readonly services: TemplateServices,
  ) {}

  /** The name CloudFormation would give the resource (names.ts). */
  name(rules: NameRules): string {
    return physicalName(this.stackName, this.logicalId, rules);
  }

  context(where: Where = this.where): RequestContext {
    return { account: where.account, region: where.region, requestId: uuid(), baseUrl: this.baseUrl, protocol: 'json', onAbort() {} };
  }

  /** One operation, as the gateway would run it; an AWS error throws an OperationError. */
  call(service: ServiceHandler, operation: string, input: Out, where: Where = this.where): Out {
    return runOperation(service, operation, input, this.context(where));
  }

  /** Like call, but undefined when the operation fails with the not-found error `missing`. */
  tryCall(service: ServiceHandler, operation: string, input: Out, missing: string, where: Where = this.where): Out | undefined {
    try {
      return this.call(service, operation, input, where);
    } catch (err) {
      if ((err as OperationError).error?.type === missing) return undefined;
      throw err;
    }
  }
}

/** The account and region an ARN names (`arn:aws:sqs:eu-west-1:123456789012:q`), or `fallback`. */
export function whereOf(arn: string | undefined, fallback: Where): Where {
  const parts = arn?.split(':') ?? [];
  if (parts.length < 6 || parts[0] !== 'arn') return fallback;
  return { region: parts[3] || fallback.region, account: parts[4] || fallback.account };
}
