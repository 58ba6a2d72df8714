/**
 * SQS's operations as shapes, after the model in `@aws-sdk/client-sqs` (member names for JSON,
 * xmlName + flattening for query/XML). SQS's query forms are all flattened: `Attribute.1.Name`.
 */
import {
  blob,
  boolean,
  integer,
  list,
  long,
  map,
  required,
  string,
  structure,
  wire,
  type OperationShapes,
} from '../gateway/shapes.js';

const stringList = (wireName: string) => wire(list(string, { flattened: true }), wireName);
const attributeMap = map(string, { flattened: true, keyName: 'Name', valueName: 'Value' });
const tagMap = map(string, { flattened: true, keyName: 'Key', valueName: 'Value' });

const attributeValue = structure({
  StringValue: string,
  BinaryValue: blob,
  StringListValues: wire(list(string, { flattened: true }), 'StringListValue'),
  BinaryListValues: wire(list(blob, { flattened: true }), 'BinaryListValue'),
  DataType: required(string),
});
const messageAttributes = map(attributeValue, { flattened: true, keyName: 'Name', valueName: 'Value' });

const queueUrl = required(string);

const batchError = structure({ Id: string, SenderFault: boolean, Code: string, Message: string });
const failed = wire(list(batchError, { flattened: true }), 'BatchResultErrorEntry');
const idOnly = structure({ Id: string });

const sendEntryFields = {
  MessageBody: required(string),
  DelaySeconds: integer,
  MessageAttributes: wire(messageAttributes, 'MessageAttribute'),
  MessageSystemAttributes: wire(messageAttributes, 'MessageSystemAttribute'),
  MessageDeduplicationId: string,
  MessageGroupId: string,
};

const sendResultFields = {
  MD5OfMessageBody: string,
  MD5OfMessageAttributes: string,
  MD5OfMessageSystemAttributes: string,
  MessageId: string,
  SequenceNumber: string,
};

const message = structure({
  MessageId: string,
  ReceiptHandle: string,
  MD5OfBody: string,
  Body: string,
  Attributes: wire(attributeMap, 'Attribute'),
  MD5OfMessageAttributes: string,
  MessageAttributes: wire(messageAttributes, 'MessageAttribute'),
});

const moveTask = structure({
  TaskHandle: string,
  Status: string,
  SourceArn: string,
  DestinationArn: string,
  MaxNumberOfMessagesPerSecond: integer,
  ApproximateNumberOfMessagesMoved: long,
  ApproximateNumberOfMessagesToMove: long,
  FailureReason: string,
  StartedTimestamp: long,
});

export const sqsShapes = {
  CreateQueue: {
    input: structure({
      QueueName: required(string),
      Attributes: wire(attributeMap, 'Attribute'),
      tags: wire(tagMap, 'Tag'),
    }),
    output: structure({ QueueUrl: string }),
  },
  DeleteQueue: { input: structure({ QueueUrl: queueUrl }) },
  GetQueueUrl: {
    input: structure({ QueueName: required(string), QueueOwnerAWSAccountId: string }),
    output: structure({ QueueUrl: string }),
  },
  ListQueues: {
    input: structure({ QueueNamePrefix: string, NextToken: string, MaxResults: integer }),
    output: structure({ QueueUrls: stringList('QueueUrl'), NextToken: string }),
  },
  GetQueueAttributes: {
    input: structure({ QueueUrl: queueUrl, AttributeNames: stringList('AttributeName') }),
    output: structure({ Attributes: wire(attributeMap, 'Attribute') }),
  },
  SetQueueAttributes: {
    input: structure({ QueueUrl: queueUrl, Attributes: required(attributeMap, 'Attribute') }),
  },
  SendMessage: {
    input: structure({ QueueUrl: queueUrl, ...sendEntryFields }),
    output: structure(sendResultFields),
  },
  SendMessageBatch: {
    input: structure({
      QueueUrl: queueUrl,
      // Batch Entries are not `required`: absent entries are EmptyBatchRequest on AWS, as is
      // botocore's empty list (query: a bare `Entries=`, not the flattened name). validateBatch.
      Entries: wire(
        list(structure({ Id: required(string), ...sendEntryFields }), { flattened: true }),
        'SendMessageBatchRequestEntry',
      ),
    }),
    output: structure({
      Successful: wire(list(structure({ Id: string, ...sendResultFields }), { flattened: true }), 'SendMessageBatchResultEntry'),
      Failed: failed,
    }),
  },
  ReceiveMessage: {
    input: structure({
      QueueUrl: queueUrl,
      AttributeNames: stringList('AttributeName'),
      MessageSystemAttributeNames: stringList('MessageSystemAttributeName'),
      MessageAttributeNames: stringList('MessageAttributeName'),
      MaxNumberOfMessages: integer,
      VisibilityTimeout: integer,
      WaitTimeSeconds: integer,
      ReceiveRequestAttemptId: string,
    }),
    output: structure({ Messages: wire(list(message, { flattened: true }), 'Message') }),
  },
  DeleteMessage: { input: structure({ QueueUrl: queueUrl, ReceiptHandle: required(string) }) },
  DeleteMessageBatch: {
    input: structure({
      QueueUrl: queueUrl,
      Entries: wire(
        list(structure({ Id: required(string), ReceiptHandle: required(string) }), { flattened: true }),
        'DeleteMessageBatchRequestEntry',
      ),
    }),
    output: structure({
      Successful: wire(list(idOnly, { flattened: true }), 'DeleteMessageBatchResultEntry'),
      Failed: failed,
    }),
  },
  ChangeMessageVisibility: {
    input: structure({ QueueUrl: queueUrl, ReceiptHandle: required(string), VisibilityTimeout: required(integer) }),
  },
  ChangeMessageVisibilityBatch: {
    input: structure({
      QueueUrl: queueUrl,
      Entries: wire(
        list(structure({ Id: required(string), ReceiptHandle: required(string), VisibilityTimeout: integer }), {
          flattened: true,
        }),
        'ChangeMessageVisibilityBatchRequestEntry',
      ),
    }),
    output: structure({
      Successful: wire(list(idOnly, { flattened: true }), 'ChangeMessageVisibilityBatchResultEntry'),
      Failed: failed,
    }),
  },
  PurgeQueue: { input: structure({ QueueUrl: queueUrl }) },
  TagQueue: { input: structure({ QueueUrl: queueUrl, Tags: required(tagMap, 'Tag') }) },
  UntagQueue: { input: structure({ QueueUrl: queueUrl, TagKeys: required(list(string, { flattened: true }), 'TagKey') }) },
  ListQueueTags: {
    input: structure({ QueueUrl: queueUrl }),
    output: structure({ Tags: wire(tagMap, 'Tag') }),
  },
  ListDeadLetterSourceQueues: {
    input: structure({ QueueUrl: queueUrl, NextToken: string, MaxResults: integer }),
    output: structure({ queueUrls: stringList('QueueUrl'), NextToken: string }),
  },
  AddPermission: {
    input: structure({
      QueueUrl: queueUrl,
      Label: required(string),
      AWSAccountIds: required(list(string, { flattened: true }), 'AWSAccountId'),
      Actions: required(list(string, { flattened: true }), 'ActionName'),
    }),
  },
  RemovePermission: { input: structure({ QueueUrl: queueUrl, Label: required(string) }) },
  StartMessageMoveTask: {
    input: structure({ SourceArn: required(string), DestinationArn: string, MaxNumberOfMessagesPerSecond: integer }),
    output: structure({ TaskHandle: string }),
  },
  CancelMessageMoveTask: {
    input: structure({ TaskHandle: required(string) }),
    output: structure({ ApproximateNumberOfMessagesMoved: long }),
  },
  ListMessageMoveTasks: {
    input: structure({ SourceArn: required(string), MaxResults: integer }),
    output: structure({ Results: wire(list(moveTask, { flattened: true }), 'ListMessageMoveTasksResultEntry') }),
  },
} satisfies Record<string, OperationShapes>;

export type SqsOperation = keyof typeof sqsShapes;
