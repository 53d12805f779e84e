import type { FittedInput } from '../model/fitted-input.js';
import type { InvalidValue, Row } from '../plugin/contracts.js';

/** What a column holds, as a client sends it: `image` and `audio` are files (bytes, a data: URI or a path). */
export type PredictorColumnType = 'number' | 'category' | 'text' | 'image' | 'audio';

/** One column the model reads. */
export interface PredictorColumn {
  readonly name: string;
  /** The manifest input that reads it. */
  readonly input: string;
  readonly encoder: string;
  readonly type: PredictorColumnType;
  /** False when a row may leave it out (an optional input's columns; tabular columns are imputed, for instance). */
  readonly required: boolean;
}

/** File-valued encoder families: their cells name a file, so they get the path rules. */
const FILE_FAMILIES: ReadonlyMap<string, PredictorColumnType> = new Map([['image', 'image'], ['audio', 'audio']]);

/** Text in a probed cell that no numeric column accepts. */
const NOT_A_NUMBER = 'polymodal-probe: not a number';

/** Numbers in every column but `probed`, which holds text: only a numeric `probed` refuses it. */
function probeRow(columns: readonly string[], probed: string): Row {
  const row: Record<string, string> = Object.create(null);
  for (const column of columns) row[column] = column === probed ? NOT_A_NUMBER : '1';
  return row;
}

function safeCheck(input: FittedInput, row: Row): InvalidValue | undefined {
  try {
    return input.preprocessor.check(row);
  } catch {
    return { column: input.spec.columns[0], problem: 'refused' };
  }
}

/**
 * The contract has no column types, so they are read from what the encoder is (its family) and from what its
 * preprocessor accepts: a column that refuses text reads numbers; an input that refuses a row without any of
 * its columns needs them.
 */
export function describeColumns(inputs: readonly FittedInput[]): PredictorColumn[] {
  return inputs.flatMap((input) => {
    const family = input.spec.encoder.split('/')[0];
    const required = input.spec.required !== false && safeCheck(input, {}) !== undefined;
    return input.spec.columns.map((name): PredictorColumn => {
      let type = FILE_FAMILIES.get(family) ?? (family === 'text' ? 'text' : undefined);
      if (type === undefined) type = safeCheck(input, probeRow(input.spec.columns, name))?.column === name ? 'number' : 'category';
      return { name, input: input.spec.name, encoder: input.spec.encoder, type, required };
    });
  });
}

export function isFileColumn(column: PredictorColumn): boolean {
  return column.type === 'image' || column.type === 'audio';
}
