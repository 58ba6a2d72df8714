/**
 * Reading a template: JSON, or YAML with CloudFormation's short-form tags (`!Ref X`,
 * `!GetAtt X.Arn`, `!Sub '...'`, `!Join [',', [...]]`, `!If [Cond, a, b]`, ...), each turned
 * into the long form (`{Ref: X}`, `{'Fn::GetAtt': [X, Arn]}`) by a custom tag of the `yaml`
 * package, so everything after this file sees one form only.
 *
 * JSON or YAML is chosen as for the config file: `.json` is JSON, `.yaml`/`.yml` YAML, and any
 * other name (`.template`, as `sam build` writes) JSON when it starts with `{` and parses.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { CollectionTag, ScalarTag, YAMLMap, YAMLSeq } from 'yaml';
import { jsonSyntaxError, readFailure, yamlSyntaxError, yamlTooDeep } from '../config-file/parse.js';
import { TemplateError } from './errors.js';

// yaml is loaded on first use, as in the config file: a server without templates never needs it.
let yaml: typeof import('yaml') | undefined;

/** Intrinsic functions with a short form, as CloudFormation names them after `Fn::`. */
const FUNCTIONS = [
  'And', 'Base64', 'Cidr', 'Equals', 'FindInMap', 'GetAZs', 'GetAtt', 'If', 'ImportValue', 'Join',
  'Length', 'Not', 'Or', 'Select', 'Split', 'Sub', 'ToJsonString', 'Transform', 'Contains',
] as const;

/** Read a template file; syntax errors name the line and column. */
export async function readTemplateFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new TemplateError(file, undefined, `cannot read the template: ${readFailure(err)}`);
  }
  return parseTemplateText(text, file);
}

/** Parse a template's text (JSON or YAML, see above). */
export async function parseTemplateText(text: string, label: string): Promise<unknown> {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const ext = extname(label).toLowerCase();
  if (ext === '.json') return parseJson(text, label);
  if (ext !== '.yaml' && ext !== '.yml' && text.trimStart().startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      // YAML's flow style starts with `{` too; its parser says what is wrong.
    }
  }
  yaml ??= await import('yaml');
  return parseYaml(yaml, text, label);
}

function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const { where, problem } = jsonSyntaxError(text, err);
    throw new TemplateError(label, where, problem);
  }
}

function parseYaml(y: typeof import('yaml'), text: string, label: string): unknown {
  // Refused before the (recursive) parser sees it: nesting thousands deep can end the process.
  const deep = yamlTooDeep(y, text);
  if (deep) throw new TemplateError(label, deep.where, deep.problem);
  const doc = y.parseDocument(text, { uniqueKeys: true, prettyErrors: true, customTags: shortFormTags(y) });
  // A warning is an error here: an unknown tag (`!Reff`) would otherwise become a plain string.
  const first = doc.errors[0] ?? doc.warnings[0];
  if (first) {
    const { where, problem } = yamlSyntaxError(first);
    throw new TemplateError(label, where, problem);
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new TemplateError(label, undefined, `YAML error: ${(err as Error).message}`);
  }
}

/**
 * The short forms as custom tags. A scalar form becomes its long form at once (`!Ref X` ->
 * `{Ref: 'X'}`, `!GetAtt X.Y` -> `{'Fn::GetAtt': ['X', 'Y']}`); a sequence or mapping form
 * becomes a one-key mapping around the node itself, so nested tags, anchors and aliases inside
 * it resolve as usual when the document is turned into plain values.
 */
function shortFormTags(y: typeof import('yaml')): Array<ScalarTag | CollectionTag> {
  const wrap = (key: string) => (node: YAMLMap.Parsed | YAMLSeq.Parsed) => {
    const map = new y.YAMLMap();
    map.items.push(new y.Pair(new y.Scalar(key), node));
    return map;
  };
  const tags: Array<ScalarTag | CollectionTag> = [
    { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) },
    { tag: '!Condition', resolve: (value: string) => ({ Condition: value }) },
  ];
  for (const name of FUNCTIONS) {
    const key = `Fn::${name}`;
    const scalar =
      name === 'GetAtt'
        ? (value: string) => {
            // `!GetAtt Resource.Attribute`: the attribute may hold dots itself (`Endpoint.Address`).
            const dot = value.indexOf('.');
            return { [key]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
          }
        : (value: string) => ({ [key]: value });
    tags.push({ tag: `!${name}`, resolve: scalar });
    tags.push({ tag: `!${name}`, collection: 'seq', resolve: wrap(key) });
    tags.push({ tag: `!${name}`, collection: 'map', resolve: wrap(key) });
  }
  return tags;
}
