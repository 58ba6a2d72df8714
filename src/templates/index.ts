/**
 * CloudFormation, SAM and CDK templates (docs/templates.md): the user's own infrastructure,
 * created at start as CloudFormation would create it.
 *
 *   const t = await loadTemplate({ file: 'template.yaml', parameters: { Stage: 'dev' } }); // read, checked, SAM-transformed
 *   ... services exist, the server listens ...
 *   const stack = applyTemplate(t, { sqs, sns, events, stacks }, { account, region, baseUrl });
 *   stack.resources  // logical id -> physical id, Ref, ARN, URL
 *
 * Every problem is a TemplateError whose message is one line: the template, where, what.
 */
import { basename } from 'node:path';
import { TemplateError } from './errors.js';
import { parseTemplateText, readTemplateFile } from './parse.js';
import { transformServerless } from './sam.js';
import type { LoadedTemplate } from './stack.js';
import { SAM_TRANSFORM, STACK_NAME, TemplateChecker, checkTemplate } from './template.js';

export { TemplateError } from './errors.js';
export { applyTemplate, type ApplyTemplateOptions, type LoadedTemplate } from './stack.js';
export { Stacks, type StackReport, type StackResource } from './stacks.js';
export type { TemplateServices } from './resource.js';

/** A template to apply: a file (JSON or YAML) or its content, and the stack it makes. */
export interface TemplateSource {
  file?: string;
  /** The template's text (JSON or YAML), or the template as an object. */
  body?: string | object;
  /** Default: the file's name without its extensions (`ShopStack.template.json` -> `ShopStack`), else `stack`. */
  stackName?: string;
  /** Values for the template's parameters (each must be declared). */
  parameters?: Record<string, string>;
}

/** Read (or take) a template, check it, apply the SAM transform; nothing is created yet. */
export async function loadTemplate(source: TemplateSource, label?: string): Promise<LoadedTemplate> {
  const name = label ?? source.file ?? 'template';
  let data: unknown;
  if (source.file !== undefined) data = await readTemplateFile(source.file);
  else if (typeof source.body === 'string') data = await parseTemplateText(source.body, name);
  else if (source.body !== undefined && source.body !== null) data = source.body;
  else throw new TemplateError(name, undefined, 'give the template as a file or a body');
  const stackName = source.stackName ?? stackNameOf(source.file);
  if (!STACK_NAME.test(stackName))
    throw new TemplateError(name, 'stackName', `${JSON.stringify(stackName)} is not a stack name: a letter, then letters, digits and hyphens, at most 128 characters`);
  const template = checkTemplate(data, name, stackName);
  const c: TemplateChecker = new TemplateChecker(name);
  if (template.transforms.includes(SAM_TRANSFORM)) transformServerless(template, c);
  else
    for (const r of template.resources.values())
      if (r.type.startsWith('AWS::Serverless::')) c.fail(r.path, `${r.type} needs the SAM transform: add "Transform: ${SAM_TRANSFORM}" to the template`);
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(source.parameters ?? {})) values[k] = String(v);
  return { ...template, parameterValues: values };
}

/** `stacks/ShopStack.template.json` -> `ShopStack`; a name that is no stack name becomes one. */
function stackNameOf(file: string | undefined): string {
  if (file === undefined) return 'stack';
  let name = basename(file);
  name = name.replace(/(\.template)?\.(json|ya?ml|template)$/i, '').replace(/\.template$/i, '');
  name = name.replace(/[^A-Za-z0-9-]/g, '-').replace(/^[^A-Za-z]+/, '');
  return name.slice(0, 128) || 'stack';
}

/**
 * Parameter values given for every template (`--parameter`): each must be declared by at least
 * one of them, or it is surely a typo.
 */
export function checkSharedParameters(values: Record<string, string> | undefined, templates: readonly LoadedTemplate[]): void {
  const declared = new Set(templates.flatMap((t) => [...t.parameters.keys()]));
  for (const name of Object.keys(values ?? {})) {
    if (declared.has(name)) continue;
    const known = [...declared];
    throw new TemplateError(
      'template parameters',
      name,
      templates.length === 0 ? 'a value is given, but no template is (--template FILE)' : `no template declares this parameter${known.length ? ` (they declare: ${known.join(', ')})` : ''}`,
    );
  }
}
