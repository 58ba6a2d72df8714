/**
 * AWS::Lambda::EventSourceMapping with an SQS queue as its source: Switchyard polls the queue
 * and invokes the function through `forward.lambda` (sqs-event-source.ts). Other sources
 * (Kinesis, DynamoDB streams, Kafka, MQ) are not emulated and are listed as skipped, and so is
 * an SQS mapping when no Lambda endpoint is configured (its messages stay in the queue).
 *
 * Ref and GetAtt Id give the mapping's UUID (the same for the same stack and logical id).
 */
import { compilePatternText, InvalidPatternError } from '../patterns/index.js';
import { partitionOf, stableUuid } from './names.js';
import type { Props } from './properties.js';
import type { Provider } from './resource.js';

export const eventSourceMapping: Provider = {
  properties: [
    'EventSourceArn', 'FunctionName', 'BatchSize', 'Enabled', 'FilterCriteria', 'MaximumBatchingWindowInSeconds', 'FunctionResponseTypes',
    'ScalingConfig', 'StartingPosition', 'StartingPositionTimestamp', 'MaximumRecordAgeInSeconds', 'MaximumRetryAttempts',
    'BisectBatchOnFunctionError', 'ParallelizationFactor', 'DestinationConfig', 'TumblingWindowInSeconds', 'Topics', 'Queues',
    'SourceAccessConfigurations', 'SelfManagedEventSource', 'AmazonManagedKafkaEventSourceConfig', 'SelfManagedKafkaEventSourceConfig',
    'DocumentDBEventSourceConfig', 'KmsKeyArn', 'MetricsConfig', 'ProvisionedPollerConfig', 'Tags',
  ],
  attributes: ['Id', 'EventSourceMappingArn'],
  apply(r) {
    const p: Props = r.props;
    const id = stableUuid(r.where.account, r.where.region, r.stackName, r.logicalId);
    const { account, region } = r.where;
    const mappingArn = `arn:${partitionOf(region)}:lambda:${region}:${account}:event-source-mapping:${id}`;
    const outcome = { physicalId: id, ref: id, arn: mappingArn, attributes: { Id: id, EventSourceMappingArn: mappingArn } };
    const source = p.string('EventSourceArn');
    if (!source || source.split(':')[2] !== 'sqs') return { ...outcome, status: 'skipped', note: 'only SQS event sources are polled by Switchyard' };
    const fn = p.requiredString('FunctionName');
    const functionArn = fn.startsWith('arn:') ? fn : `arn:${partitionOf(region)}:lambda:${region}:${account}:function:${fn}`;
    if (!r.services.sqs.findByArn(source)) p.fail('EventSourceArn', `no queue ${source} exists`);
    const batchSize = p.integer('BatchSize') ?? 10;
    if (batchSize < 1 || batchSize > 10) p.fail('BatchSize', `Switchyard polls batches of 1 to 10 messages, got ${batchSize}`);
    const filters = ((p.values.FilterCriteria as { Filters?: Array<{ Pattern?: unknown }> } | undefined)?.Filters ?? []).map((f, i) => {
      const text = typeof f.Pattern === 'string' ? f.Pattern : JSON.stringify(f.Pattern ?? {});
      try {
        compilePatternText(text);
      } catch (err) {
        if (err instanceof InvalidPatternError) p.fail(`FilterCriteria.Filters[${i}].Pattern`, `invalid filter pattern: ${err.message}`);
        throw err;
      }
      return text;
    });
    const stacks = r.services.stacks;
    if (p.boolean('Enabled') === false) return { ...outcome, status: 'skipped', note: 'disabled (Enabled: false)' };
    if (!stacks?.canInvoke) return { ...outcome, status: 'skipped', note: 'no Lambda endpoint to invoke (set forward.lambda); the queue is not polled' };
    const started = stacks.poll(pollerKey(account, region, r.stackName, r.logicalId), {
      queueArn: source,
      functionArn,
      batchSize,
      reportBatchItemFailures: p.strings('FunctionResponseTypes').includes('ReportBatchItemFailures'),
      filters,
    });
    return { ...outcome, status: started === 'started' ? 'created' : 'unchanged', note: `polls ${source} for ${functionArn}` };
  },
};

export function pollerKey(account: string, region: string, stackName: string, logicalId: string): string {
  return `${account}/${region}/${stackName}/${logicalId}`;
}
