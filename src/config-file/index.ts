/**
 * The config file (docs/configuration.md): settings and resources to create at start, in YAML
 * or JSON, or the same content as an object.
 *
 *   const config = await loadConfig('switchyard.yaml');       // read and checked; nothing applied
 *   const options = withConfigSettings(options, config.settings); // explicit options win
 *   ... services exist ...
 *   applyConfig(config, { sqs, sns, events }, { account, region, baseUrl });
 *
 * Every problem is a ConfigFileError whose message is one line: the file, where in it, what.
 */
import { dirname, resolve } from 'node:path';
import type { SwitchyardOptions } from '../config.js';
import type { LoadedTemplate } from '../templates/index.js';
import { applyTemplate, loadTemplate } from '../templates/load.js';
import { applyConfig as applyResources, type ApplyOptions, type ApplyReport, type ConfigServices } from './apply.js';
import { readConfigSource } from './parse.js';
import { checkConfig, type ConfigModel, type ConfigSettings } from './schema.js';

export { ConfigFileError } from './errors.js';
export type { ApplyOptions, ApplyReport, ConfigServices } from './apply.js';
export type { ConfigModel, ConfigSettings } from './schema.js';

/** A checked config, with its templates read and checked too. */
export interface LoadedConfig extends ConfigModel {
  loadedTemplates: LoadedTemplate[];
}

/**
 * Read (a path) or take (an object) a config, and check it; its `templates:` are read and
 * checked as well (a file named relative to the config file's directory). Throws
 * ConfigFileError (a TemplateError for a template).
 */
export async function loadConfig(config: string | object): Promise<LoadedConfig> {
  const source = await readConfigSource(config);
  const model = checkConfig(source.data, source.label);
  const base = typeof config === 'string' ? dirname(config) : process.cwd();
  const loadedTemplates = await Promise.all(
    model.templates.map((t) => loadTemplate({ file: resolve(base, t.file), stackName: t.stackName, parameters: t.parameters }, t.file)),
  );
  return { ...model, loadedTemplates };
}

/**
 * Applies the file's resources (src/config-file/apply.ts), then its templates in order
 * (src/templates): each template's stack is one line of the report, `stack NAME`.
 */
export function applyConfig(model: LoadedConfig | ConfigModel, services: ConfigServices, options: ApplyOptions): ApplyReport {
  const report = applyResources(model, services, options);
  for (const t of (model as Partial<LoadedConfig>).loadedTemplates ?? []) {
    const stack = applyTemplate(t, services, { ...options, sharedParameters: options.templateParameters });
    const made = stack.resources.filter((r) => r.status !== 'skipped' && r.status !== 'excluded');
    const line = `stack ${stack.stackName}`;
    if (made.length > 0 && made.every((r) => r.status === 'created')) report.created.push(line);
    else if (made.every((r) => r.status === 'unchanged')) report.unchanged.push(line);
    else report.updated.push(line);
  }
  return report;
}

/**
 * The options with the file's settings beneath them: an option that is set (a flag, an
 * environment variable, an argument of startSwitchyard) wins over the file; `forward` is merged
 * per service, the option's endpoint winning for a service both name.
 */
export function withConfigSettings(options: SwitchyardOptions, settings: ConfigSettings): SwitchyardOptions {
  const merged: Record<string, unknown> = { ...settings };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) merged[k] = v;
  if (settings.forward || options.forward) merged.forward = { ...settings.forward, ...options.forward };
  return merged as SwitchyardOptions;
}
