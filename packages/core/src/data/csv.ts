import { PolymodalError } from '../errors.js';
import { CsvRecordReader } from './csv-records.js';

export interface CsvRecord {
  readonly fields: string[];
  /** 1-based line where the record starts (records may span lines inside quotes). */
  readonly line: number;
}

/** Every record of CSV text, header included (see CsvRecordReader for the rules); the first malformed record throws. */
export async function parseCsv(text: string, source: string, delimiter = ','): Promise<CsvRecord[]> {
  const records: CsvRecord[] = [];
  const reader = new CsvRecordReader(source, delimiter, {
    record: (fields, line) => records.push({ fields, line }),
    malformed: (record) => {
      throw new PolymodalError(`${source}:${record.line}: ${record.problem}`, { hint: record.hint });
    },
  });
  await reader.write(Buffer.from(text));
  await reader.end();
  return records;
}
