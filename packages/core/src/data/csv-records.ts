import { StringDecoder } from 'node:string_decoder';

/** Sizes past which a cell or a record is refused (so one runaway cell cannot exhaust memory). */
export interface CsvLimits {
  maxCellBytes: number;
  maxRecordBytes: number;
}

export const DEFAULT_CSV_LIMITS: CsvLimits = { maxCellBytes: 16 * 2 ** 20, maxRecordBytes: 64 * 2 ** 20 };

/** A record that cannot be read, with the 1-based line it starts on. */
export interface MalformedRecord {
  readonly line: number;
  readonly problem: string;
  readonly hint: string;
}

export interface CsvRecordHandlers {
  /** One record and the line it starts on (records may span lines inside quotes). */
  record(fields: string[], line: number): void;
  /** A record that cannot be read: throw to stop, or return to leave it out and go on at the next line. */
  malformed(record: MalformedRecord): void;
}

/** What the reader saw beyond the records, for warnings about quotes that joined rows. */
export interface CsvReadSummary {
  /** Lines in the file. */
  readonly lines: number;
  /** Lines that lie inside quoted cells (line breaks within cells). */
  readonly linesInsideCells: number;
  /** Cells holding more than MANY_LINES line breaks, and the line of the first. */
  readonly tallCells: number;
  readonly firstTallCellLine?: number;
}

/** A cell with more line breaks than this is worth a warning: usually a stray quote, not a paragraph. */
export const MANY_LINES = 5;

const QUOTE_HINT = 'A quoted field must end at the delimiter or the end of the line; write a literal quote as "".';
const UNCLOSED_HINT = 'Close the field with a double quote; a quote inside a quoted field is written as "".';
const SIZE_HINT = 'Keep large content in files and put their paths in the cells; a huge record often means an unclosed quote.';

/** "16 MB", or "2 KB" below a megabyte. */
export function formatSize(bytes: number): string {
  return bytes >= 2 ** 20 ? `${Math.round(bytes / 2 ** 20)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** Where a record ended (or why it could not be read), from one call of CsvRecordReader.quotedRecord. */
type QuotedResult =
  | { kind: 'record'; fields: string[]; end: number; lines: number }
  /** The text ends inside the record; `inQuotes`: inside a quoted field, so nothing changes until a quote comes. */
  | { kind: 'more'; inQuotes?: boolean }
  | { kind: 'error'; problem: string; hint: string; line: number; resume: number; resumeLine: number };

/**
 * RFC 4180 CSV read chunk by chunk: quoted fields may hold the delimiter, line breaks and doubled quotes;
 * CRLF, LF or CR line ends; a UTF-8 byte order mark is ignored; blank lines are skipped; a quote inside an
 * unquoted field is a literal character. A line without quotes is split natively (the fast path); only
 * lines with quotes go through the character loop. After a malformed record the reader goes on at the next
 * line (after the first line of a record whose quote never closes), so one stray quote costs one record,
 * not the rest of the file. Only the current record is held as text, and never more than maxRecordBytes.
 */
export class CsvRecordReader {
  private readonly decoder = new StringDecoder('utf8');
  /** Undigested text from the start of the current record. */
  private carry = '';
  /** Line number of the first line in `carry`. */
  private line = 1;
  private first = true;
  /** The carry ends inside a quoted field: re-parsing it is pointless until a quote arrives. */
  private waitingForQuote = false;
  /** The current line went past the record limit: drop text up to the next line break. */
  private droppingLine = false;
  private endsWithBreak = false;
  private linesInsideCells = 0;
  private tallCells = 0;
  private firstTallCellLine: number | undefined;

  constructor(
    private readonly source: string,
    private readonly delimiter: string,
    private readonly handlers: CsvRecordHandlers,
    private readonly limits: CsvLimits = DEFAULT_CSV_LIMITS,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    let text = this.decoder.write(chunk);
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.digest(text, false, chunk.includes(0x22));
  }

  async end(): Promise<CsvReadSummary> {
    this.digest(this.decoder.end(), true);
    return {
      lines: this.endsWithBreak ? this.line - 1 : this.line,
      linesInsideCells: this.linesInsideCells,
      tallCells: this.tallCells,
      firstTallCellLine: this.firstTallCellLine,
    };
  }

  /** @param hasQuote whether `added` holds a double quote (looked up in the bytes, where it is fast). */
  private digest(added: string, final: boolean, hasQuote = true): void {
    if (added.length > 0) {
      const last = added.charCodeAt(added.length - 1);
      this.endsWithBreak = last === 10 || last === 13;
    }
    if (this.droppingLine) {
      const end = lineBreakAt(added, 0, final);
      if (end < 0) return;
      this.droppingLine = false;
      added = added.slice(end);
      this.line++;
    }
    if (this.waitingForQuote && !final && !hasQuote) {
      this.carry += added;
      this.checkCarrySize(final);
      return;
    }
    this.waitingForQuote = false;
    const text = this.carry + added;
    const position = this.records(text, final);
    this.carry = text.slice(position);
    this.checkCarrySize(final);
  }

  /** A record that will not fit: report it, then go on after the line it starts on. */
  private checkCarrySize(final: boolean): void {
    if (this.carry.length <= this.limits.maxRecordBytes) return;
    this.recordTooLarge(this.line);
    const end = lineBreakAt(this.carry, 0, final);
    this.waitingForQuote = false;
    if (end < 0) {
      this.carry = '';
      this.droppingLine = true;
      return;
    }
    const rest = this.carry.slice(end);
    this.carry = '';
    this.line++;
    this.digest(rest, final);
  }

  private recordTooLarge(line: number): void {
    this.handlers.malformed({ line, problem: `the record is over the ${formatSize(this.limits.maxRecordBytes)} limit for one record`, hint: SIZE_HINT });
  }

  /**
   * Emits every complete record of `text`; returns where the incomplete rest begins. Every search is bounded
   * by the current line: a search through the whole chunk per line (or even per chunk, on the large
   * external strings Node decodes) costs more than the parsing.
   */
  private records(text: string, final: boolean): number {
    const delimiter = this.delimiter;
    let position = 0;
    // Once no LF is left in the text, lines end at a CR (an old Mac file) or at the end of the text.
    let lfLeft = true;
    while (position < text.length) {
      const ch = text.charCodeAt(position);
      if (ch === 10 || ch === 13) {
        position += ch === 13 && text.charCodeAt(position + 1) === 10 ? 2 : 1;
        if (ch === 13 && position === text.length && !final) return position - 1;
        this.line++;
        continue;
      }
      let end = lfLeft ? text.indexOf('\n', position) : -1;
      if (end < 0) {
        lfLeft = false;
        end = text.indexOf('\r', position);
      }
      if (end < 0 && !final) return position;
      if (end < 0) end = text.length;
      let line = text.slice(position, end);
      const cr = line.indexOf('\r');
      if (cr >= 0) {
        end = position + cr;
        line = line.slice(0, cr);
      }
      if (!line.includes('"')) {
        if (end - position > this.limits.maxRecordBytes) this.recordTooLarge(this.line);
        else this.emit(line.split(delimiter), this.line);
        position = end;
        continue;
      }
      const result = this.quotedRecord(text, position, final);
      if (result.kind === 'more') {
        this.waitingForQuote = result.inQuotes === true;
        return position;
      }
      if (result.kind === 'error') {
        this.handlers.malformed({ line: result.line, problem: result.problem, hint: result.hint });
        position = result.resume;
        this.line = result.resumeLine;
        continue;
      }
      this.countCellLines(result.fields);
      if (result.end - position > this.limits.maxRecordBytes) this.recordTooLarge(this.line);
      else this.emit(result.fields, this.line);
      this.line += result.lines;
      position = result.end;
    }
    return position;
  }

  private emit(fields: string[], line: number): void {
    const limit = this.limits.maxCellBytes;
    for (let i = 0; i < fields.length; i++) {
      if (fields[i].length * 3 > limit && Buffer.byteLength(fields[i]) > limit) {
        this.handlers.malformed({
          line,
          problem: `field ${i + 1} holds ${formatSize(Buffer.byteLength(fields[i]))}, over the ${formatSize(limit)} limit for one cell`,
          hint: 'Keep large content in files and put their paths in the cells; a huge cell often means an unclosed quote.',
        });
        return;
      }
    }
    this.handlers.record(fields, line);
  }

  private countCellLines(fields: readonly string[]): void {
    for (const field of fields) {
      const breaks = countLineBreaks(field);
      if (breaks === 0) continue;
      this.linesInsideCells += breaks;
      if (breaks > MANY_LINES) {
        this.tallCells++;
        this.firstTallCellLine ??= this.line;
      }
    }
  }

  /**
   * The character loop for a record with quotes, from `start` (the record's first character) to the line
   * break that ends it. `lines` is how many line breaks lie inside its quoted fields.
   */
  private quotedRecord(text: string, start: number, final: boolean): QuotedResult {
    const delimiter = this.delimiter;
    const fields: string[] = [];
    let i = start;
    let lines = 0;
    for (;;) {
      if (text[i] === '"') {
        const quoteLine = this.line + lines;
        let field = '';
        let from = ++i;
        for (;;) {
          const quote = text.indexOf('"', i);
          if (quote < 0) {
            if (!final) return { kind: 'more', inQuotes: true };
            const resume = lineBreakAt(text, start, true);
            return {
              kind: 'error', problem: 'a quoted field is never closed', hint: UNCLOSED_HINT, line: quoteLine,
              resume: resume < 0 ? text.length : resume, resumeLine: this.line + 1,
            };
          }
          if (quote + 1 >= text.length && !final) return { kind: 'more' };
          if (text[quote + 1] === '"') {
            const part = text.slice(from, quote + 1);
            field += part;
            lines += countLineBreaks(part);
            i = from = quote + 2;
            continue;
          }
          const part = text.slice(from, quote);
          field += part;
          lines += countLineBreaks(part);
          i = quote + 1;
          break;
        }
        fields.push(field);
        const next = text[i];
        if (next === delimiter) {
          i++;
          if (i >= text.length && !final) return { kind: 'more' };
          continue;
        }
        if (next === undefined || next === '\n' || next === '\r') return { kind: 'record', fields, end: i, lines };
        const errorLine = this.line + lines;
        const resume = lineBreakAt(text, i, final);
        if (resume < 0 && !final) return { kind: 'more' };
        return {
          kind: 'error', problem: `unexpected character ${JSON.stringify(next)} after a closing quote`, hint: QUOTE_HINT, line: errorLine,
          resume: resume < 0 ? text.length : resume, resumeLine: errorLine + 1,
        };
      }
      // An unquoted field runs to the delimiter or the line break; a quote inside it is a literal character.
      let end = i;
      while (end < text.length && text[end] !== delimiter && text[end] !== '\n' && text[end] !== '\r') end++;
      fields.push(text.slice(i, end));
      if (end >= text.length && !final) return { kind: 'more' };
      if (text[end] === delimiter) {
        i = end + 1;
        if (i >= text.length && !final) return { kind: 'more' };
        continue;
      }
      return { kind: 'record', fields, end, lines };
    }
  }
}

/**
 * Index just past the first line break at or after `from` (CRLF counts as one), or -1; also -1 for a CR
 * that ends the text when more may follow (its LF may be in the next chunk).
 */
function lineBreakAt(text: string, from: number, final: boolean): number {
  for (let i = from; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) return i + 1;
    if (ch === 13) {
      if (i + 1 === text.length && !final) return -1;
      return text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
    }
  }
  return -1;
}

/** Line breaks in text: LF, CRLF and a lone CR each count once. */
function countLineBreaks(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1)) if (text.charCodeAt(i + 1) !== 10) count++;
  return count;
}
