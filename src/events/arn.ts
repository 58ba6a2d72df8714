/**
 * EventBridge's ARNs, as AWS writes them: a rule on the default bus has no bus segment
 * (`rule/<rule>`), a rule on a custom bus does (`rule/<bus>/<rule>`).
 */
export const busArn = (region: string, account: string, name: string): string =>
  `arn:aws:events:${region}:${account}:event-bus/${name}`;

export const ruleArn = (region: string, account: string, bus: string, rule: string): string =>
  bus === 'default'
    ? `arn:aws:events:${region}:${account}:rule/${rule}`
    : `arn:aws:events:${region}:${account}:rule/${bus}/${rule}`;

export const archiveArn = (region: string, account: string, name: string): string =>
  `arn:aws:events:${region}:${account}:archive/${name}`;

export const replayArn = (region: string, account: string, name: string): string =>
  `arn:aws:events:${region}:${account}:replay/${name}`;

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** Everything after the fifth colon. */
  resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const m = /^arn:(aws[\w-]*):([\w-]+):([\w-]*):(\d{12}|aws|):(.+)$/.exec(arn);
  return m ? { partition: m[1], service: m[2], region: m[3], account: m[4], resource: m[5] } : undefined;
}

/**
 * An `EventBusName` parameter: a name, or a bus ARN (which may name another account's bus).
 * Undefined for a value that is neither.
 */
export function parseBusRef(nameOrArn: string): { name: string; account?: string; region?: string } | undefined {
  if (!nameOrArn.startsWith('arn:')) return { name: nameOrArn };
  const p = parseArn(nameOrArn);
  if (!p || p.service !== 'events' || !p.resource.startsWith('event-bus/')) return undefined;
  return { name: p.resource.slice('event-bus/'.length), account: p.account, region: p.region };
}

/** `arn:aws:events:r:a:rule/[bus/]name` -> bus and rule names. */
export function parseRuleArn(arn: string): { account: string; region: string; bus: string; rule: string } | undefined {
  const p = parseArn(arn);
  if (!p || p.service !== 'events' || !p.resource.startsWith('rule/')) return undefined;
  const rest = p.resource.slice('rule/'.length);
  const slash = rest.lastIndexOf('/');
  return slash < 0
    ? { account: p.account, region: p.region, bus: 'default', rule: rest }
    : { account: p.account, region: p.region, bus: rest.slice(0, slash), rule: rest.slice(slash + 1) };
}
