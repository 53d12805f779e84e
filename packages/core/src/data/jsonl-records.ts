import type { RawValue } from '../plugin/contracts.js';
import { formatSize, type MalformedRecord } from './csv-records.js';

export interface JsonlLimits {
  maxCellBytes: number;
  maxLineBytes: number;
}

export interface JsonlHandlers {
  record(values: Record<string, RawValue>, line: number): void;
  /** A line that is not one flat JSON object: throw to stop, or return to leave it out. */
  malformed(record: MalformedRecord): void;
}

const LF = 0x0a;
const JSONL_HINT = 'Each line of a JSONL file must be one JSON object.';

/** Splits a byte stream into lines (LF or CRLF) without ever holding more than one line past `maxLineBytes`. */
export class JsonlRecordReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private line = 1;
  /** The current line went past the limit: its bytes are dropped up to the next line break. */
  private overLong = false;

  constructor(private readonly handlers: JsonlHandlers, private readonly limits: JsonlLimits) {}

  write(chunk: Buffer): void {
    let position = 0;
    while (position < chunk.length) {
      const end = chunk.indexOf(LF, position);
      if (end < 0) {
        this.keep(chunk.subarray(position));
        return;
      }
      this.keep(chunk.subarray(position, end));
      this.finishLine();
      position = end + 1;
    }
  }

  end(): void {
    if (this.pendingBytes > 0 || this.overLong) this.finishLine();
  }

  private keep(part: Buffer): void {
    if (this.overLong || part.length === 0) return;
    if (this.pendingBytes + part.length > this.limits.maxLineBytes) {
      this.overLong = true;
      this.pending = [];
      this.pendingBytes = 0;
      this.handlers.malformed({
        line: this.line,
        problem: `the line is over the ${formatSize(this.limits.maxLineBytes)} limit for one line`,
        hint: 'Keep large content in files and put their paths in the cells.',
      });
      return;
    }
    this.pending.push(part);
    this.pendingBytes += part.length;
  }

  private finishLine(): void {
    const line = this.line++;
    if (this.overLong) {
      this.overLong = false;
      return;
    }
    let text = this.pending.length === 1 ? this.pending[0].toString('utf8') : Buffer.concat(this.pending).toString('utf8');
    this.pending = [];
    this.pendingBytes = 0;
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim() === '') return;
    const values = this.parse(text, line);
    if (values) this.handlers.record(values, line);
  }

  private parse(text: string, line: number): Record<string, RawValue> | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      this.handlers.malformed({ line, problem: `not valid JSON (${(error as Error).message})`, hint: JSONL_HINT });
      return undefined;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      this.handlers.malformed({ line, problem: `expected a JSON object, found ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : typeof parsed}`, hint: JSONL_HINT });
      return undefined;
    }
    const values = parsed as Record<string, unknown>;
    for (const key of Object.keys(values)) {
      const value = values[key];
      if (value !== null && typeof value === 'object') {
        this.handlers.malformed({ line, problem: `column "${key}" holds ${Array.isArray(value) ? 'an array' : 'an object'}`, hint: 'Cells must be strings, numbers, booleans or null.' });
        return undefined;
      }
      if (typeof value === 'string' && value.length * 3 > this.limits.maxCellBytes && Buffer.byteLength(value) > this.limits.maxCellBytes) {
        this.handlers.malformed({ line, problem: `column "${key}" holds ${formatSize(Buffer.byteLength(value))}, over the ${formatSize(this.limits.maxCellBytes)} limit for one cell`, hint: 'Keep large content in files and put their paths in the cells.' });
        return undefined;
      }
    }
    return values as Record<string, RawValue>;
  }
}
