/** EventBridge's errors (JSON `__type`), with the status AWS answers them with. */
import { AwsError, type AwsErrorSpec } from '../gateway/errors.js';

export const EventsErrors = {
  InvalidEventPatternException: { type: 'InvalidEventPatternException', status: 400 },
  /** Unmodelled, but what AWS answers for constraint violations. */
  ValidationException: { type: 'ValidationException', status: 400 },
  ResourceNotFoundException: { type: 'ResourceNotFoundException', status: 400 },
  ResourceAlreadyExistsException: { type: 'ResourceAlreadyExistsException', status: 400 },
  LimitExceededException: { type: 'LimitExceededException', status: 400 },
  ConcurrentModificationException: { type: 'ConcurrentModificationException', status: 400 },
  ManagedRuleException: { type: 'ManagedRuleException', status: 400 },
  IllegalStatusException: { type: 'IllegalStatusException', status: 400 },
  InvalidStateException: { type: 'InvalidStateException', status: 400 },
  PolicyLengthExceededException: { type: 'PolicyLengthExceededException', status: 400 },
  InternalException: { type: 'InternalException', status: 500 },
} satisfies Record<string, AwsErrorSpec>;

export function invalidEventPattern(message: string): AwsError {
  return new AwsError(EventsErrors.InvalidEventPatternException, message);
}

export function validationException(message: string): AwsError {
  return new AwsError(EventsErrors.ValidationException, message);
}

export function resourceNotFound(message: string): AwsError {
  return new AwsError(EventsErrors.ResourceNotFoundException, message);
}

export function resourceAlreadyExists(message: string): AwsError {
  return new AwsError(EventsErrors.ResourceAlreadyExistsException, message);
}

/** AWS's message for every quota it enforces (rules per bus, targets per rule, buses, tags). */
export function limitExceeded(message = 'The requested resource exceeds the maximum number allowed.'): AwsError {
  return new AwsError(EventsErrors.LimitExceededException, message);
}

export function illegalStatus(message: string): AwsError {
  return new AwsError(EventsErrors.IllegalStatusException, message);
}
