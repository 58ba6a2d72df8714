/**
 * Errors as values: a handler throws an `AwsError`; the gateway renders it in the protocol the
 * request came in (JSON `__type` + `x-amzn-query-error`, or query `ErrorResponse` XML).
 */

export interface AwsErrorSpec {
  /** The model's shape name, sent as JSON `__type` (e.g. `QueueDoesNotExist`). */
  type: string;
  /** The legacy query code, sent in XML `<Code>` and `x-amzn-query-error` (e.g. `AWS.SimpleQueueService.NonExistentQueue`). */
  queryCode?: string;
  status: number;
}

export class AwsError extends Error {
  readonly type: string;
  readonly queryCode: string;
  readonly status: number;
  /** Extra response headers (e.g. for throttling). */
  readonly headers?: Record<string, string>;
  /** Set when a fault (src/faults) caused it: the fault's id, sent as `x-switchyard-fault`. */
  injected?: string;

  constructor(spec: AwsErrorSpec, message: string) {
    super(message);
    this.name = spec.type;
    this.type = spec.type;
    this.queryCode = spec.queryCode ?? spec.type;
    this.status = spec.status;
  }

  get sender(): boolean {
    return this.status < 500;
  }
}

/** Errors every service shares (unmodeled in the SDKs, rendered with the coral prefix in JSON). */
export const CommonErrors = {
  InvalidAction: { type: 'InvalidAction', status: 400 },
  UnknownOperation: { type: 'UnknownOperationException', status: 400 },
  MissingParameter: { type: 'MissingParameter', status: 400 },
  InvalidParameterValue: { type: 'InvalidParameterValue', status: 400 },
  InvalidParameterCombination: { type: 'InvalidParameterCombination', status: 400 },
  // 404 is the status AWS's common-errors table documents for MalformedQueryString.
  MalformedQueryString: { type: 'MalformedQueryString', status: 404 },
  SerializationException: { type: 'SerializationException', status: 400 },
  RequestEntityTooLarge: { type: 'RequestEntityTooLarge', status: 413 },
  InternalFailure: { type: 'InternalFailure', status: 500 },
  AccessDenied: { type: 'AccessDenied', status: 403 },
} satisfies Record<string, AwsErrorSpec>;

export function missingParameter(name: string): AwsError {
  return new AwsError(
    CommonErrors.MissingParameter,
    `The request must contain the parameter ${name}.`,
  );
}
