/**
 * SQS's errors: the model's shape name (JSON `__type`), the legacy query code (XML `<Code>` and
 * the `x-amzn-query-error` header) and the HTTP status, from the SDK's error traits.
 */
import { AwsError, type AwsErrorSpec } from '../gateway/errors.js';

const spec = (type: string, queryCode: string, status = 400): AwsErrorSpec => ({ type, queryCode, status });

export const SqsErrors = {
  QueueDoesNotExist: spec('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue'),
  QueueNameExists: spec('QueueNameExists', 'QueueAlreadyExists'),
  QueueDeletedRecently: spec('QueueDeletedRecently', 'AWS.SimpleQueueService.QueueDeletedRecently'),
  PurgeQueueInProgress: spec('PurgeQueueInProgress', 'AWS.SimpleQueueService.PurgeQueueInProgress', 403),
  ReceiptHandleIsInvalid: spec('ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', 404),
  MessageNotInflight: spec('MessageNotInflight', 'AWS.SimpleQueueService.MessageNotInflight'),
  EmptyBatchRequest: spec('EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest'),
  TooManyEntriesInBatchRequest: spec('TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest'),
  BatchEntryIdsNotDistinct: spec('BatchEntryIdsNotDistinct', 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct'),
  InvalidBatchEntryId: spec('InvalidBatchEntryId', 'AWS.SimpleQueueService.InvalidBatchEntryId'),
  BatchRequestTooLong: spec('BatchRequestTooLong', 'AWS.SimpleQueueService.BatchRequestTooLong'),
  UnsupportedOperation: spec('UnsupportedOperation', 'AWS.SimpleQueueService.UnsupportedOperation'),
  InvalidAttributeName: spec('InvalidAttributeName', 'InvalidAttributeName'),
  InvalidAttributeValue: spec('InvalidAttributeValue', 'InvalidAttributeValue'),
  InvalidIdFormat: spec('InvalidIdFormat', 'InvalidIdFormat'),
  InvalidMessageContents: spec('InvalidMessageContents', 'InvalidMessageContents'),
  OverLimit: spec('OverLimit', 'OverLimit', 403),
  ResourceNotFoundException: spec('ResourceNotFoundException', 'ResourceNotFoundException', 404),
  InvalidParameterValue: spec('InvalidParameterValue', 'InvalidParameterValue'),
  MissingParameter: spec('MissingParameter', 'MissingParameter'),
  InvalidAddress: spec('InvalidAddress', 'InvalidAddress', 404),
} satisfies Record<string, AwsErrorSpec>;

export type SqsErrorName = keyof typeof SqsErrors;

export function sqsError(name: SqsErrorName, message: string): AwsError {
  return new AwsError(SqsErrors[name], message);
}

export const queueDoesNotExist = (): AwsError =>
  sqsError('QueueDoesNotExist', 'The specified queue does not exist.');

export const invalidParameterValue = (message: string): AwsError => sqsError('InvalidParameterValue', message);
