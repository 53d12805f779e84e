import { closeSync, existsSync, fsyncSync, openSync, readFileSync, ftruncateSync, writeSync } from 'node:fs';
import type { Assignment, Direction } from '../space/types.js';

/**
 * The study's only state: an append-only JSON-lines file. Every record is one write(2) followed by fsync, so
 * a kill -9 loses at most the line being written; a torn last line is cut off when the journal is reopened.
 */

export const JOURNAL_FILE = 'journal.jsonl';

export type TrialState = 'running' | 'complete' | 'pruned' | 'failed' | 'interrupted';

export interface StudyRecord {
  op: 'study';
  version: 1;
  manifest: string;
  algorithm: string;
  objective: string;
  direction: Direction;
  /** The search section (params and pruner), to refuse resuming with another space. */
  space: unknown;
  seed: number;
  createdAt: string;
}

export interface StartRecord {
  op: 'start';
  trial: number;
  params: Assignment;
  seed: number;
  at: string;
  /** The trial this one reruns, after the coordinator died while it ran. */
  retryOf?: number;
}

export interface EpochRecord {
  op: 'epoch';
  trial: number;
  epoch: number;
  /** The objective after this epoch, as reported (not negated); null when the epoch did not log it. */
  value: number | null;
}

export interface EndRecord {
  op: 'end';
  trial: number;
  state: Exclude<TrialState, 'running'>;
  value?: number;
  error?: string;
  /** The trial's model folder (complete trials). */
  outDir?: string;
  epochs: number;
  seconds: number;
  at: string;
  /** Validation and test metrics of a complete trial. */
  metrics?: { validation: Record<string, number>; test: Record<string, number> };
}

export type JournalRecord = StudyRecord | StartRecord | EpochRecord | EndRecord;

/** Reads the records; a last line cut off mid-write is dropped (its byte offset is returned so it can be cut). */
export function readJournal(path: string): { records: JournalRecord[]; goodBytes: number } {
  if (!existsSync(path)) return { records: [], goodBytes: 0 };
  const text = readFileSync(path, 'utf8');
  const records: JournalRecord[] = [];
  let offset = 0;
  let goodBytes = 0;
  for (const line of text.split('\n')) {
    const end = offset + Buffer.byteLength(line) + 1;
    if (end > Buffer.byteLength(text)) break;
    offset = end;
    if (line.trim() === '') {
      goodBytes = end;
      continue;
    }
    try {
      records.push(JSON.parse(line) as JournalRecord);
      goodBytes = end;
    } catch {
      break;
    }
  }
  return { records, goodBytes };
}

export class Journal {
  private readonly fd: number;

  private constructor(readonly path: string, readonly records: readonly JournalRecord[]) {
    this.fd = openSync(path, 'a');
  }

  /** Opens (creating) the journal, cutting a torn last line so the next record starts on its own line. */
  static open(path: string): Journal {
    const { records, goodBytes } = readJournal(path);
    if (existsSync(path)) {
      const fd = openSync(path, 'r+');
      try {
        ftruncateSync(fd, goodBytes);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    return new Journal(path, records);
  }

  append(record: JournalRecord): void {
    writeSync(this.fd, JSON.stringify(record) + '\n');
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}
