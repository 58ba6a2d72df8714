/**
 * One Switchyard per data directory: two processes appending to the same journals would
 * interleave records and each would compact the other's away. `<dataDir>/lock` holds the pid of
 * the process using the directory. A lock left by a process that is gone (kill -9, a crash, a
 * container restarted with the same pid) is taken over: the journals were written to be
 * recovered from exactly that.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PersistenceError } from './catalog.js';

export const LOCK_FILE = 'lock';

/** Directories this process holds (a second startSwitchyard in the same process is refused too). */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireLock(dir: string): void {
  const file = path.join(dir, LOCK_FILE);
  if (held.has(dir)) throw new PersistenceError(`the data directory ${dir} is already in use by another Switchyard in this process`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      held.add(dir);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
      throw new PersistenceError(`the data directory ${dir} is in use by process ${pid} (${file}); stop that Switchyard first, or use another --data-dir`);
    // Stale: its process is gone. Remove it and try again (another starter may win the race).
    fs.rmSync(file, { force: true });
  }
  throw new PersistenceError(`the data directory ${dir} is being taken by another process (${file})`);
}

export function releaseLock(dir: string): void {
  if (!held.delete(dir)) return;
  fs.rmSync(path.join(dir, LOCK_FILE), { force: true });
}
