import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive, PolymodalError } from '@polymodal/core';

export const LOCK_FILE = '.study.lock';


/**
 * One coordinator per study folder: a lock file holding its pid. A lock left by a process that no longer
 * exists (kill -9) is taken over. Returns the release function.
 */
export function acquireStudyLock(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(path, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessAlive(pid)) {
        throw new PolymodalError(`${dir}: another polymodal tune (pid ${pid}) is running this study`, {
          hint: 'Wait for it to finish, stop it, or give another --out folder.',
          exitCode: 2,
        });
      }
      rmSync(path, { force: true });
    }
  }
  throw new PolymodalError(`${dir}: cannot take the study lock ${LOCK_FILE}`, { exitCode: 1 });
}
