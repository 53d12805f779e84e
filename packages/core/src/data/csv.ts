import { PolymodalError } from '../errors.js';

export interface CsvRecord {
  readonly fields: string[];
  /** 1-based line where the record starts (records may span lines inside quotes). */
  readonly line: number;
}

/**
 * RFC 4180 CSV: quoted fields may hold the delimiter, newlines and doubled quotes; CRLF or LF line ends;
 * a UTF-8 byte order mark is ignored. Blank lines are skipped.
 */
export function parseCsv(text: string, source: string, delimiter = ','): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let fields: string[] = [];
  let field = '';
  let recordLine = 1;
  // fieldStarted: the current field has consumed a character (a quote then opens nothing);
  // recordStarted: the current record has (so an empty line is skipped, but `""` is a record).
  let fieldStarted = false;
  let recordStarted = false;
  const endRecord = () => {
    fields.push(field);
    if (recordStarted) records.push({ fields, line: recordLine });
    fields = [];
    field = '';
    fieldStarted = false;
    recordStarted = false;
  };
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"' && !fieldStarted) {
      const quoteLine = line;
      i++;
      for (;;) {
        if (i >= text.length) {
          throw new PolymodalError(`${source}:${quoteLine}: a quoted field is never closed`, {
            hint: 'Close the field with a double quote; a quote inside a quoted field is written as "".',
          });
        }
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n') line++;
        field += c;
        i++;
      }
      fieldStarted = true;
      recordStarted = true;
      const next = text[i];
      if (next !== undefined && next !== delimiter && next !== '\n' && next !== '\r') {
        throw new PolymodalError(`${source}:${line}: unexpected character ${JSON.stringify(next)} after a closing quote`, {
          hint: 'A quoted field must end at the delimiter or the end of the line; write a literal quote as "".',
        });
      }
      continue;
    }
    if (ch === delimiter) {
      fields.push(field);
      field = '';
      fieldStarted = false;
      recordStarted = true;
      i++;
    } else if (ch === '\n' || ch === '\r') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      field += ch;
      fieldStarted = true;
      recordStarted = true;
      i++;
    }
  }
  if (recordStarted) endRecord();
  return records;
}
