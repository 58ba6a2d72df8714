/**
 * The templates' code is loaded on first use, as the yaml package is: a server started without
 * templates does not pay for it (about 10 ms of start-up). loadTemplate, being async, loads it;
 * applyTemplate then runs synchronously, as start-up needs (no request is served before the
 * resources exist), and a LoadedTemplate only comes from loadTemplate.
 */
import type * as Templates from './index.js';
import type { ApplyTemplateOptions, LoadedTemplate, TemplateServices, TemplateSource } from './index.js';
import type { StackReport } from './stacks.js';

let loaded: typeof Templates | undefined;

async function templates(): Promise<typeof Templates> {
  return (loaded ??= await import('./index.js'));
}

/** Read (or take) a template, check it, apply the SAM transform; nothing is created yet (index.ts). */
export async function loadTemplate(source: TemplateSource, label?: string): Promise<LoadedTemplate> {
  return (await templates()).loadTemplate(source, label);
}

/** Create a loaded template's resources as a stack (stack.ts). */
export function applyTemplate(template: LoadedTemplate, services: TemplateServices, options: ApplyTemplateOptions): StackReport {
  if (!loaded) throw new Error('applyTemplate takes a template that loadTemplate returned');
  return loaded.applyTemplate(template, services, options);
}

/** Parameter values for every template must each be declared by one of them (index.ts). */
export async function checkSharedParameters(values: Record<string, string> | undefined, list: readonly LoadedTemplate[]): Promise<void> {
  if (values === undefined || Object.keys(values).length === 0) return;
  (await templates()).checkSharedParameters(values, list);
}
