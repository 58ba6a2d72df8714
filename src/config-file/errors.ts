/**
 * The one error a bad config file gives: a single line naming the file, where in it, and what
 * is wrong, e.g.
 *
 *   switchyard.yaml: rules[2].targets[0].queue: no queue named "orders" is declared
 *   switchyard.yaml: line 4, column 3: YAML syntax error: Map keys must be unique
 *
 * `startSwitchyard` rejects with it, and the command line prints its message and exits 1.
 */
export class ConfigFileError extends Error {
  /** The file as it was named (or `config` for a config given as an object). */
  readonly file: string;
  /** Where in the file: a path such as `queues[0].attributes`, or `line 3, column 5`; absent for the whole file. */
  readonly where: string | undefined;
  /** What is wrong, without the file and the path. */
  readonly problem: string;

  constructor(file: string, where: string | undefined, problem: string) {
    // One line, whatever the problem's text holds (AWS messages, YAML excerpts).
    const oneLine = problem.replace(/\s*\n\s*/g, ' ').trim();
    super(where ? `${file}: ${where}: ${oneLine}` : `${file}: ${oneLine}`);
    this.name = 'ConfigFileError';
    this.file = file;
    this.where = where;
    this.problem = oneLine;
  }
}

/** A value as an error message names it: `the number 5`, `a list`, `null`. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Uint8Array) return 'binary data';
  switch (typeof v) {
    case 'string':
      return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
    case 'number':
      return `the number ${v}`;
    case 'boolean':
      return `the boolean ${v}`;
    case 'object':
      return 'a mapping';
    default:
      return typeof v;
  }
}

/** `base.key`, or `base["odd key"]` for keys that are not plain identifiers. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  const plain = /^[A-Za-z_$][\w$-]*$/.test(key);
  if (!base) return plain ? key : `[${JSON.stringify(key)}]`;
  return plain ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}
