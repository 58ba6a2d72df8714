/**
 * Resources Switchyard does not emulate (functions, roles, tables, buckets, ...) are not created;
 * they are listed as skipped. The rest of the template still refers to them (a rule targets a
 * function's ARN, a policy names a role), so each gets the name CloudFormation would give it and
 * the Ref and attributes a real one has, in the right shape: `arn:aws:lambda:...:function:NAME`.
 * A function's ARN then works as a rule target or a subscription endpoint, and with
 * `forward.lambda` the invocation reaches a local Lambda runtime.
 */
import { physicalName, partitionOf, stableUuid, type NameRules } from './names.js';

export interface Plausible {
  physicalId: string;
  ref: string;
  arn?: string;
  attributes: Record<string, string>;
}

interface Where {
  stackName: string;
  logicalId: string;
  account: string;
  region: string;
}

interface Kind {
  /** The property that names the resource, when the template may give the name. */
  nameProperty?: string;
  rules: NameRules;
  /** `name`: Ref is the name; `arn`: Ref is the ARN; `id`: Ref is an opaque id (the physical id). */
  ref: 'name' | 'arn' | 'id';
  arn?(name: string, w: Where, p: string): string;
  attributes?(name: string, arn: string, w: Where): Record<string, string>;
}

const KINDS: Record<string, Kind> = {
  'AWS::Lambda::Function': {
    nameProperty: 'FunctionName',
    rules: { maxLength: 64 },
    ref: 'name',
    arn: (n, w, p) => `arn:${p}:lambda:${w.region}:${w.account}:function:${n}`,
  },
  'AWS::Lambda::Alias': { nameProperty: 'Name', rules: { maxLength: 128 }, ref: 'arn', arn: (n, w, p) => `arn:${p}:lambda:${w.region}:${w.account}:function:${w.stackName}:${n}` },
  'AWS::Lambda::Version': { rules: { maxLength: 64 }, ref: 'arn', arn: (n, w, p) => `arn:${p}:lambda:${w.region}:${w.account}:function:${n}:1`, attributes: () => ({ Version: '1' }) },
  'AWS::Lambda::LayerVersion': { nameProperty: 'LayerName', rules: { maxLength: 64 }, ref: 'arn', arn: (n, w, p) => `arn:${p}:lambda:${w.region}:${w.account}:layer:${n}:1` },
  'AWS::IAM::Role': {
    nameProperty: 'RoleName',
    rules: { maxLength: 64 },
    ref: 'name',
    arn: (n, w, p) => `arn:${p}:iam::${w.account}:role/${n}`,
    attributes: (_n, _a, w) => ({ RoleId: `AROA${stableUuid(w.stackName, w.logicalId).replace(/-/g, '').slice(0, 17).toUpperCase()}` }),
  },
  'AWS::IAM::User': { nameProperty: 'UserName', rules: { maxLength: 64 }, ref: 'name', arn: (n, w, p) => `arn:${p}:iam::${w.account}:user/${n}` },
  'AWS::IAM::ManagedPolicy': { nameProperty: 'ManagedPolicyName', rules: { maxLength: 128 }, ref: 'arn', arn: (n, w, p) => `arn:${p}:iam::${w.account}:policy/${n}` },
  'AWS::IAM::Policy': { rules: { maxLength: 128 }, ref: 'id' },
  'AWS::StepFunctions::StateMachine': {
    nameProperty: 'StateMachineName',
    rules: { maxLength: 80 },
    ref: 'arn',
    arn: (n, w, p) => `arn:${p}:states:${w.region}:${w.account}:stateMachine:${n}`,
    attributes: (n) => ({ Name: n, StateMachineName: n }),
  },
  'AWS::DynamoDB::Table': {
    nameProperty: 'TableName',
    rules: { maxLength: 255 },
    ref: 'name',
    arn: (n, w, p) => `arn:${p}:dynamodb:${w.region}:${w.account}:table/${n}`,
    attributes: (_n, arn) => ({ StreamArn: `${arn}/stream/2024-01-01T00:00:00.000` }),
  },
  'AWS::S3::Bucket': {
    nameProperty: 'BucketName',
    rules: { maxLength: 63, lowercase: true },
    ref: 'name',
    arn: (n, _w, p) => `arn:${p}:s3:::${n}`,
    attributes: (n, _a, w) => ({ DomainName: `${n}.s3.amazonaws.com`, RegionalDomainName: `${n}.s3.${w.region}.amazonaws.com`, WebsiteURL: `http://${n}.s3-website-${w.region}.amazonaws.com` }),
  },
  'AWS::Kinesis::Stream': { nameProperty: 'Name', rules: { maxLength: 128 }, ref: 'name', arn: (n, w, p) => `arn:${p}:kinesis:${w.region}:${w.account}:stream/${n}` },
  'AWS::KinesisFirehose::DeliveryStream': { nameProperty: 'DeliveryStreamName', rules: { maxLength: 64 }, ref: 'name', arn: (n, w, p) => `arn:${p}:firehose:${w.region}:${w.account}:deliverystream/${n}` },
  'AWS::Logs::LogGroup': { nameProperty: 'LogGroupName', rules: { maxLength: 512 }, ref: 'name', arn: (n, w, p) => `arn:${p}:logs:${w.region}:${w.account}:log-group:${n}:*` },
  'AWS::KMS::Key': {
    rules: { maxLength: 64 },
    ref: 'id',
    arn: (n, w, p) => `arn:${p}:kms:${w.region}:${w.account}:key/${n}`,
    attributes: (n) => ({ KeyId: n }),
  },
  'AWS::SecretsManager::Secret': { nameProperty: 'Name', rules: { maxLength: 512 }, ref: 'arn', arn: (n, w, p) => `arn:${p}:secretsmanager:${w.region}:${w.account}:secret:${n}-${stableUuid(n).slice(0, 6)}` },
  'AWS::SSM::Parameter': { nameProperty: 'Name', rules: { maxLength: 2048 }, ref: 'name', arn: (n, w, p) => `arn:${p}:ssm:${w.region}:${w.account}:parameter/${n.replace(/^\//, '')}` },
  'AWS::ApiGateway::RestApi': { rules: { maxLength: 10 }, ref: 'id', attributes: (n) => ({ RestApiId: n, RootResourceId: n.slice(0, 8) }) },
  'AWS::ApiGatewayV2::Api': { rules: { maxLength: 10 }, ref: 'id', attributes: (n, _a, w) => ({ ApiId: n, ApiEndpoint: `https://${n}.execute-api.${w.region}.amazonaws.com` }) },
};

/** The Ref, ARN and attributes a resource of a type Switchyard does not emulate would have. */
export function plausible(type: string, w: Where, givenName: string | undefined): Plausible {
  const kind = KINDS[type];
  const partition = partitionOf(w.region);
  if (!kind) {
    // Any other type: a name after CloudFormation's rule, and an ARN after the type's name.
    const name = givenName ?? physicalName(w.stackName, w.logicalId, { maxLength: 128 });
    const [, service = 'unknown', resource = 'resource'] = type.split('::');
    const arn = `arn:${partition}:${service.toLowerCase()}:${w.region}:${w.account}:${resource.toLowerCase()}/${name}`;
    return { physicalId: name, ref: name, arn, attributes: { Arn: arn } };
  }
  const name =
    givenName ??
    (kind.ref === 'id' && kind.rules.maxLength <= 10
      ? stableUuid(w.stackName, w.logicalId).replace(/-/g, '').slice(0, 10)
      : type === 'AWS::KMS::Key'
        ? stableUuid(w.stackName, w.logicalId)
        : physicalName(w.stackName, w.logicalId, kind.rules));
  const arn = kind.arn?.(name, w, partition);
  const ref = kind.ref === 'arn' && arn ? arn : name;
  return { physicalId: name, ref, arn, attributes: { ...(arn ? { Arn: arn } : {}), ...kind.attributes?.(name, arn ?? '', w) } };
}

/** The property that names a resource of this type, if the template may give its name. */
export function nameProperty(type: string): string | undefined {
  return KINDS[type]?.nameProperty;
}
