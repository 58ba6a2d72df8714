/**
 * Reading a config file: YAML or JSON, chosen by the extension (`.yaml`/`.yml`, `.json`) or,
 * for any other name, by the content (a file whose first character is `{` and that parses as
 * JSON is JSON; everything else is read as YAML, of which JSON is nearly a subset). Syntax
 * errors come out as a ConfigFileError with the line and column.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
// yaml is loaded on first use: a server started without a config file never needs it (idle memory).
let yaml: typeof import('yaml') | undefined;
import { ConfigFileError } from './errors.js';

/** A config's content before validation, and the name errors give it. */
export interface ConfigSource {
  /** The file as it was named, or `config` for an object. */
  label: string;
  data: unknown;
}

export async function readConfigSource(config: string | object): Promise<ConfigSource> {
  if (typeof config !== 'string') return { label: 'config', data: config };
  const label = config;
  let text: string;
  try {
    text = await readFile(config, 'utf8');
  } catch (err) {
    throw new ConfigFileError(label, undefined, `cannot read the config file: ${readFailure(err)}`);
  }
  yaml ??= await import('yaml');
  return { label, data: parseConfigText(text, label) };
}

/** Parse a config's text as JSON or YAML (see the file's comment for which); after readConfigSource loaded yaml. */
function parseConfigText(text: string, label: string): unknown {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const ext = extname(label).toLowerCase();
  if (ext === '.json') return parseJson(text, label);
  if (ext !== '.yaml' && ext !== '.yml' && text.trimStart().startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      // Not JSON after all: YAML's flow style also starts with `{`; its parser says what is wrong.
    }
  }
  return parseYaml(text, label);
}

function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const { where, problem } = jsonSyntaxError(text, err);
    throw new ConfigFileError(label, where, problem);
  }
}

/** Why a file could not be read, in words: `no such file`, `permission denied`. */
export function readFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT'
    ? 'no such file'
    : code === 'EISDIR'
      ? 'is a directory, not a file'
      : code === 'EACCES'
        ? 'permission denied'
        : (err as Error).message;
}

/** Where (`line 2, column 1`, when the error gives a position) and what JSON.parse's error says. Shared with src/templates. */
export function jsonSyntaxError(text: string, err: unknown): { where?: string; problem: string } {
  const message = (err as Error).message;
  const position = /at position (\d+)/.exec(message);
  const what = message
    .replace(/\s*\(line \d+ column \d+\)/, '')
    .replace(/ in JSON at position \d+/, '')
    .replace(/^JSON\.parse: /, '');
  if (!position) return { problem: `JSON syntax error: ${what}` };
  const { line, column } = lineAndColumn(text, Number(position[1]));
  return { where: `line ${line}, column ${column}`, problem: `JSON syntax error: ${what}` };
}

/** Where and what the yaml package's first error (or warning) says. Shared with src/templates. */
export function yamlSyntaxError(first: { message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }): { where?: string; problem: string } {
  const what = first.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  const at = first.linePos?.[0];
  return { where: at ? `line ${at.line}, column ${at.col}` : undefined, problem: `YAML syntax error: ${what}` };
}

/**
 * Deeper YAML is refused before it is parsed. The yaml package composes nested collections
 * recursively: about 800 levels exhaust the stack, and when the overflow comes while V8 is
 * compiling a regular expression the process dies (`FATAL ERROR: RegExpCompiler Allocation
 * failed`), which no try/catch can stop (found by test/fuzz/config.test.ts with `[` x 10,000).
 * Real files nest a dozen levels.
 */
export const MAX_YAML_DEPTH = 256;

/**
 * When `text` may nest deeper than MAX_YAML_DEPTH: where and what to say, else undefined. Read
 * with the yaml package's lexer, which is not recursive and knows quotes, comments and block
 * scalars; the bound counts open flow collections plus, on each line, its indentation and its
 * `-`, `?` and `:` indicators (each level of block nesting needs one of them), so it is never
 * below the real depth. Shared with src/templates, whose YAML goes through the same parser.
 */
export function yamlTooDeep(y: typeof import('yaml'), text: string): { where: string; problem: string } | undefined {
  let flow = 0;
  let indent = 0;
  let indicators = 0;
  let lineStart = true;
  let line = 1;
  for (const token of new y.Lexer().lex(text)) {
    switch (y.CST.tokenType(token)) {
      case 'newline':
        line++;
        lineStart = true;
        indent = 0;
        indicators = 0;
        continue;
      case 'space':
        if (lineStart) indent = token.length;
        continue;
      case 'flow-map-start':
      case 'flow-seq-start':
        flow++;
        break;
      case 'flow-map-end':
      case 'flow-seq-end':
        if (flow > 0) flow--;
        break;
      case 'seq-item-ind':
      case 'explicit-key-ind':
      case 'map-value-ind':
        indicators++;
        break;
    }
    lineStart = false;
    if (flow + indent + indicators > MAX_YAML_DEPTH) return { where: `line ${line}`, problem: `YAML nested more than ${MAX_YAML_DEPTH} levels deep` };
  }
  return undefined;
}

function parseYaml(text: string, label: string): unknown {
  const deep = yamlTooDeep(yaml!, text);
  if (deep) throw new ConfigFileError(label, deep.where, deep.problem);
  // uniqueKeys: a key given twice is an error, not a silent overwrite. merge: `<<: *defaults`
  // merges an anchored mapping (YAML 1.1's merge key, which most YAML users expect).
  const doc = yaml!.parseDocument(text, { uniqueKeys: true, prettyErrors: true, merge: true });
  // Warnings are errors here: an unknown tag (`!Ref`) would otherwise become a plain string.
  const first = doc.errors[0] ?? doc.warnings[0];
  if (first) {
    const { where, problem } = yamlSyntaxError(first);
    throw new ConfigFileError(label, where, problem);
  }
  try {
    // An alias to an anchor that is not defined, or too many aliases (a "billion laughs"), throws here.
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new ConfigFileError(label, undefined, `YAML error: ${(err as Error).message}`);
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}
