/** What a handler knows about the request besides its input: who, where, and how to reach back. */
export interface RequestContext {
  account: string;
  region: string;
  requestId: string;
  /** Scheme, host and port the client used, for URLs that must point back at us (QueueUrl). */
  baseUrl: string;
  protocol: 'json' | 'query';
  accessKeyId?: string;
  /** Registers a callback for when the client goes away before the response (long polls). */
  onAbort(cb: () => void): void;
}

/** A service as the gateway sees it: shapes to decode and encode, and one handler per operation. */
export interface ServiceHandler {
  readonly name: 'sqs' | 'sns' | 'events';
  /** JSON protocol version and X-Amz-Target prefix, if the service speaks JSON. */
  readonly json?: { version: '1.0' | '1.1'; contentType: string; targetPrefix: string; queryCompatible: boolean };
  /** Query protocol API version and XML namespace, if the service speaks query. */
  readonly query?: { version: string; namespace: string };
  readonly operations: Record<string, import('./shapes.js').OperationShapes>;
  /**
   * Every operation the real service has, when Switchyard serves only some: a call to one of
   * these that is not in `operations` is answered "not yet supported by Switchyard" rather than
   * as an unknown operation.
   */
  readonly knownOperations?: ReadonlySet<string>;
  /** The error for a missing required member (JSON), when the service's differs from MissingParameter. */
  missingParameter?(path: string): import('./errors.js').AwsError;
  handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): unknown | Promise<unknown>;
  /**
   * The operation's handler alone, without waiting for persistence (its records are still
   * written): the config file applies many calls in one go and then waits once for the disk.
   * Long polls are never made this way.
   */
  handleNow?(operation: string, input: Record<string, unknown>, ctx: RequestContext): unknown;
}
