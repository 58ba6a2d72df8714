/** EventBridge's modelled errors (JSON `__type`), with the status AWS answers them with. */
import { AwsError, type AwsErrorSpec } from '../gateway/errors.js';

export const EventsErrors = {
  InvalidEventPatternException: { type: 'InvalidEventPatternException', status: 400 },
  ValidationException: { type: 'ValidationException', status: 400 },
} satisfies Record<string, AwsErrorSpec>;

export function invalidEventPattern(message: string): AwsError {
  return new AwsError(EventsErrors.InvalidEventPatternException, message);
}

export function validationException(message: string): AwsError {
  return new AwsError(EventsErrors.ValidationException, message);
}
