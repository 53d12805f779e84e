import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PolymodalError } from '../errors.js';
import type { Manifest } from '../manifest/types.js';
import { writeJsonAtomic } from '../util/atomic-write.js';

/**
 * An interrupted run can be resumed from the folder beside its target where the trainer backs up its state
 * after every epoch (`.<target>.resume/`). The folder also records which target and which manifest it
 * belongs to, so `--resume` continues the same run and refuses a changed manifest.
 */
const RUN_RECORD = 'run.json';

export interface RunRecord {
  /** The model folder the interrupted run was writing. */
  target: string;
  /** Fingerprint of the resolved manifest: a resumed run must be the same run. */
  manifest: string;
  startedAt: string;
}

export function resumeFolderFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.resume`);
}

export function manifestFingerprint(manifest: Manifest): string {
  // The backend may differ (a resumed run may move to another machine); everything else must not.
  const { backend: _backend, ...training } = manifest.training;
  return createHash('sha256').update(JSON.stringify({ ...manifest, training })).digest('hex');
}

export async function writeRunRecord(resumeDir: string, record: RunRecord): Promise<void> {
  await writeJsonAtomic(join(resumeDir, RUN_RECORD), record);
}

async function readRunRecord(resumeDir: string): Promise<RunRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(resumeDir, RUN_RECORD), 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

export interface FoundResume {
  dir: string;
  record: RunRecord;
}

/** The resume folder of the run writing `target`, if an interrupted one left it. */
export async function resumeFolderOf(target: string): Promise<FoundResume | undefined> {
  const dir = resumeFolderFor(target);
  const record = await readRunRecord(dir);
  return record ? { dir, record } : undefined;
}

/**
 * Without an explicit target, runs are numbered (`runs/churn`, `runs/churn_2`): the newest resume folder
 * of any of them is the run to continue.
 */
export async function newestResumeFolder(defaultTarget: string): Promise<FoundResume | undefined> {
  const parent = dirname(defaultTarget);
  const name = basename(defaultTarget).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^\\.${name}(_\\d+)?\\.resume$`);
  let names: string[];
  try {
    names = (await readdir(parent)).filter((n) => pattern.test(n));
  } catch {
    return undefined;
  }
  let newest: (FoundResume & { mtime: number }) | undefined;
  for (const entry of names) {
    const dir = join(parent, entry);
    const record = await readRunRecord(dir);
    if (!record) continue;
    const mtime = (await stat(dir)).mtimeMs;
    if (!newest || mtime > newest.mtime) newest = { dir, record, mtime };
  }
  return newest && { dir: newest.dir, record: newest.record };
}

export function checkResumable(found: FoundResume | undefined, manifest: Manifest, where: string): FoundResume {
  if (!found) {
    throw new PolymodalError(`nothing to resume: no interrupted run of ${where}`, {
      hint: 'Start the run without --resume; a run that is interrupted can then be resumed.',
      exitCode: 2,
    });
  }
  if (found.record.manifest !== manifestFingerprint(manifest)) {
    throw new PolymodalError(`the manifest changed since the interrupted run of ${found.record.target}`, {
      hint: 'Resume with the manifest and flags (--epochs, --batch-size, --seed) the run started with, or start afresh without --resume.',
      exitCode: 2,
    });
  }
  return found;
}
