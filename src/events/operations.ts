/**
 * Every operation of Amazon EventBridge's API (the `AWSEvents` target prefix), so that a call to
 * one Switchyard does not serve yet gets a clear "not yet supported" error rather than being
 * treated as an unknown name.
 */
export const EVENTBRIDGE_OPERATIONS: ReadonlySet<string> = new Set([
  'ActivateEventSource', 'CancelReplay', 'CreateApiDestination', 'CreateArchive', 'CreateConnection',
  'CreateEndpoint', 'CreateEventBus', 'CreatePartnerEventSource', 'DeactivateEventSource',
  'DeauthorizeConnection', 'DeleteApiDestination', 'DeleteArchive', 'DeleteConnection', 'DeleteEndpoint',
  'DeleteEventBus', 'DeletePartnerEventSource', 'DeleteRule', 'DescribeApiDestination', 'DescribeArchive',
  'DescribeConnection', 'DescribeEndpoint', 'DescribeEventBus', 'DescribeEventSource',
  'DescribePartnerEventSource', 'DescribeReplay', 'DescribeRule', 'DisableRule', 'EnableRule',
  'ListApiDestinations', 'ListArchives', 'ListConnections', 'ListEndpoints', 'ListEventBuses',
  'ListEventSources', 'ListPartnerEventSourceAccounts', 'ListPartnerEventSources', 'ListReplays',
  'ListRuleNamesByTarget', 'ListRules', 'ListTagsForResource', 'ListTargetsByRule', 'PutEvents',
  'PutPartnerEvents', 'PutPermission', 'PutRule', 'PutTargets', 'RemovePermission', 'RemoveTargets',
  'StartReplay', 'TagResource', 'TestEventPattern', 'UntagResource', 'UpdateApiDestination',
  'UpdateArchive', 'UpdateConnection', 'UpdateEndpoint', 'UpdateEventBus',
]);
