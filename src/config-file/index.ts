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
import type { SwitchyardOptions } from '../config.js';
import { readConfigSource } from './parse.js';
import { checkConfig, type ConfigModel, type ConfigSettings } from './schema.js';

export { ConfigFileError } from './errors.js';
export { applyConfig, type ApplyOptions, type ApplyReport, type ConfigServices } from './apply.js';
export type { ConfigModel, ConfigSettings } from './schema.js';

/** Read (a path) or take (an object) a config, and check it; throws ConfigFileError. */
export async function loadConfig(config: string | object): Promise<ConfigModel> {
  const source = await readConfigSource(config);
  return checkConfig(source.data, source.label);
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
