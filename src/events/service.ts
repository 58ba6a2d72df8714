/**
 * EventBridge's operations (awsJson1_1, `X-Amz-Target: AWSEvents.*`). Each handler takes the
 * SDK's own request type and returns its response type, so the compiler checks every shape we
 * answer with. So far: TestEventPattern, over the shared pattern language in src/patterns.
 */
import type * as eb from '@aws-sdk/client-eventbridge';
import type { RequestContext, ServiceHandler } from '../gateway/context.js';
import { InvalidPatternError, MatchTooComplexError, compilePatternText, matchesEvent } from '../patterns/index.js';
import { invalidEventPattern, validationException } from './errors.js';
import { parseTestEvent } from './event.js';
import { EVENTBRIDGE_OPERATIONS } from './operations.js';
import { eventsShapes, type EventsOperation } from './shapes.js';

type Handler<I, O> = (input: I, ctx: RequestContext) => O | Promise<O>;

interface EventsHandlers {
  TestEventPattern: Handler<eb.TestEventPatternRequest, eb.TestEventPatternResponse>;
}

export class EventsService implements ServiceHandler {
  readonly name = 'events' as const;
  readonly json = {
    version: '1.1' as const,
    contentType: 'application/x-amz-json-1.1',
    targetPrefix: 'AWSEvents',
    queryCompatible: false,
  };
  readonly operations = eventsShapes;
  readonly knownOperations = EVENTBRIDGE_OPERATIONS;

  handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): unknown {
    const handler = this.handlers[operation as EventsOperation] as Handler<unknown, unknown>;
    return handler(input, ctx);
  }

  /** Drop all state (tests, the inspection API's reset). Nothing is kept yet. */
  reset(): void {}

  private readonly handlers: EventsHandlers = {
    TestEventPattern: (input) => {
      let pattern;
      try {
        pattern = compilePatternText(input.EventPattern!);
      } catch (err) {
        if (err instanceof InvalidPatternError) throw invalidEventPattern(err.message);
        throw err;
      }
      // The pattern is judged first: AWS reports a bad pattern even when the event is bad too.
      const event = parseTestEvent(input.Event!);
      try {
        return { Result: matchesEvent(pattern, event) };
      } catch (err) {
        if (err instanceof MatchTooComplexError) throw validationException(err.message);
        throw err;
      }
    },
  };
}
