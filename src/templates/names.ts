/**
 * Physical names, as CloudFormation makes them for resources whose name the template leaves
 * out: `{stack name}-{logical id}-{13 characters}`, e.g. `shop-OrdersQueue-1VF9BKQH5BJVI`,
 * shortened to the type's limit by cutting the longer of the stack name and the logical id
 * first (CloudFormation keeps the unique ending whole).
 *
 * CloudFormation's 13 characters are random. Here they are a hash of the stack name and the
 * logical id: the same template applied again (after a restart with a data directory, or a
 * second `applyTemplate`) finds the resources it made instead of making new ones, and a test
 * can compute the name it will get.
 */
import { createHash } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** 13 characters from [A-Z0-9], the same for the same stack and logical id. */
export function nameSuffix(stackName: string, logicalId: string): string {
  const digest = createHash('sha256').update(`${stackName}/${logicalId}`).digest();
  let out = '';
  for (let i = 0; i < 13; i++) out += ALPHABET[digest[i] % ALPHABET.length];
  return out;
}

export interface NameRules {
  /** The type's longest name. */
  maxLength: number;
  /** Added at the end, after the unique part (`.fifo` for FIFO queues and topics). */
  ending?: string;
  /** Names of the type are lower case (S3 buckets). */
  lowercase?: boolean;
}

/** The name CloudFormation would give a resource of the stack without a name of its own. */
export function physicalName(stackName: string, logicalId: string, rules: NameRules): string {
  const suffix = nameSuffix(stackName, logicalId);
  const ending = rules.ending ?? '';
  let stack = stackName;
  let id = logicalId;
  const room = rules.maxLength - suffix.length - ending.length - 2;
  while (stack.length + id.length > room) {
    if (stack.length >= id.length) stack = stack.slice(0, -1);
    else id = id.slice(0, -1);
  }
  const name = `${stack}-${id}-${suffix}${ending}`;
  return rules.lowercase ? name.toLowerCase() : name;
}

/** A UUID-shaped id, the same for the same parts (stack ids, event source mapping ids). */
export function stableUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('/')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `aws`, `aws-cn` or `aws-us-gov`, by the region. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
