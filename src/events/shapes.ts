/**
 * EventBridge's operations as shapes, after the model in `@aws-sdk/client-eventbridge`
 * (awsJson1_1; JSON member names only). Only what Switchyard serves so far.
 */
import { boolean, required, string, structure, type OperationShapes } from '../gateway/shapes.js';

export const eventsShapes = {
  TestEventPattern: {
    input: structure({ EventPattern: required(string), Event: required(string) }),
    output: structure({ Result: boolean }),
  },
} satisfies Record<string, OperationShapes>;

export type EventsOperation = keyof typeof eventsShapes;
