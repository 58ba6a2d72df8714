/**
 * For tests that run Switchyard in a child process (persist-kill): src/ and bin/ transpiled to
 * plain JavaScript, file by file, without type checking (a second or so; `npm run typecheck`
 * checks the types). The output sits under node_modules/.cache so that imports of packages
 * resolve from the repository's node_modules.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as readline from 'node:readline';
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

/**
 * Start `node <script> <dir>` (a child of the kill tests) and read the JSON object its first line
 * of stdout holds (the endpoint and what start-up recovered). Rejects with the child's stderr if
 * it exits first. The child is added to `children`, for the test's cleanup.
 */
export async function spawnJsonChild<T extends object>(script: string, dir: string, children: ChildProcess[]): Promise<{ child: ChildProcess } & T> {
  const child = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`child exited ${code}: ${stderr}`)));
  });
  return { child, ...(JSON.parse(line) as T) };
}
