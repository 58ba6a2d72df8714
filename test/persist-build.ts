/**
 * For tests that run Switchyard in a child process (persist-kill): src/ and bin/ transpiled to
 * plain JavaScript, file by file, without type checking (a second or so; `npm run typecheck`
 * checks the types). The output sits under node_modules/.cache so that imports of packages
 * resolve from the repository's node_modules.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

export const REPO = path.resolve(import.meta.dirname, '..');

/** `name`: the output's folder; test files that run in parallel each use their own. */
export function transpileSources(name = 'switchyard-test-build'): string {
  const out = path.join(REPO, 'node_modules', '.cache', name);
  fs.rmSync(out, { recursive: true, force: true });
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(path.join(REPO, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const src = fs.readFileSync(path.join(REPO, rel), 'utf8');
        const js = ts.transpileModule(src, {
          fileName: rel,
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, preserveConstEnums: true, esModuleInterop: true },
        }).outputText;
        const dest = path.join(out, rel.replace(/\.ts$/, '.js'));
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.writeFileSync(dest, js);
      }
    }
  };
  walk('src');
  walk('bin');
  return out;
}
