/**
 * SNS's errors. The query protocol sends the model's error *code* (`NotFound`,
 * `InvalidParameter`, `ParameterValueInvalid`), which the SDKs map to their classes
 * (`NotFoundException`, `InvalidParameterException`, `InvalidParameterValueException`).
 */
import { AwsError, type AwsErrorSpec } from '../gateway/errors.js';

export const SnsErrors = {
  NotFound: { type: 'NotFound', status: 404 },
  InvalidParameter: { type: 'InvalidParameter', status: 400 },
  ParameterValueInvalid: { type: 'ParameterValueInvalid', status: 400 },
  AuthorizationError: { type: 'AuthorizationError', status: 403 },
  TopicLimitExceeded: { type: 'TopicLimitExceeded', status: 403 },
  SubscriptionLimitExceeded: { type: 'SubscriptionLimitExceeded', status: 403 },
  FilterPolicyLimitExceeded: { type: 'FilterPolicyLimitExceeded', status: 403 },
  TagLimitExceeded: { type: 'TagLimitExceeded', status: 400 },
  EmptyBatchRequest: { type: 'EmptyBatchRequest', status: 400 },
  TooManyEntriesInBatchRequest: { type: 'TooManyEntriesInBatchRequest', status: 400 },
  BatchEntryIdsNotDistinct: { type: 'BatchEntryIdsNotDistinct', status: 400 },
  InvalidBatchEntryId: { type: 'InvalidBatchEntryId', status: 400 },
  BatchRequestTooLong: { type: 'BatchRequestTooLong', status: 400 },
  ValidationError: { type: 'ValidationError', status: 400 },
} satisfies Record<string, AwsErrorSpec>;

export function notFound(message: string): AwsError {
  return new AwsError(SnsErrors.NotFound, message);
}

/** `Invalid parameter: <what>`: SNS's wording for almost every bad input. */
export function invalidParameter(message: string): AwsError {
  return new AwsError(SnsErrors.InvalidParameter, message.startsWith('Invalid parameter') ? message : `Invalid parameter: ${message}`);
}

export function invalidParameterValue(message: string): AwsError {
  return new AwsError(SnsErrors.ParameterValueInvalid, message);
}
