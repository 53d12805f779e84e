import type { PredictorColumn, PredictorColumnType } from '@polymodal/core';

type Schema = Record<string, unknown>;

/** JSON types a client may send per column type: numbers may come as the decimal text a CSV holds. */
const CELL_TYPES: Record<PredictorColumnType, string[]> = {
  number: ['number', 'string', 'null'],
  category: ['string', 'number', 'boolean', 'null'],
  text: ['string', 'null'],
  image: ['string', 'null'],
  audio: ['string', 'null'],
};

function cellSchema(column: PredictorColumn): Schema {
  const schema: Schema = { type: CELL_TYPES[column.type] };
  if (column.type === 'image' || column.type === 'audio') schema.description = 'a base64 data: URI (or a path under the server\'s --allow-paths root)';
  return schema;
}

/**
 * One row as a JSON object: the model's columns (those it cannot impute required) and the id column; any other
 * key is refused, so a misspelt column is an error and not a silently imputed value.
 */
export function rowSchema(columns: readonly PredictorColumn[], idColumn?: string): Schema {
  const entries: [string, Schema][] = columns.map((column) => [column.name, cellSchema(column)]);
  if (idColumn !== undefined && !columns.some((c) => c.name === idColumn)) entries.push([idColumn, { type: ['string', 'number', 'null'] }]);
  // fromEntries makes own properties, even for a column named "__proto__".
  const properties = Object.fromEntries(entries);
  const required = [...new Set(columns.filter((c) => c.required).map((c) => c.name))];
  return { type: 'object', additionalProperties: false, properties, ...(required.length ? { required } : {}) };
}

export function batchSchema(columns: readonly PredictorColumn[], idColumn?: string): Schema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['rows'],
    properties: { rows: { type: 'array', minItems: 1, items: rowSchema(columns, idColumn) } },
  };
}

/** Open Inference Protocol v2 (KServe / Triton) inference request, JSON form. */
export const INFER_SCHEMA: Schema = {
  type: 'object',
  required: ['inputs'],
  properties: {
    id: { type: 'string' },
    parameters: { type: 'object' },
    inputs: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'shape', 'datatype', 'data'],
        properties: {
          name: { type: 'string' },
          shape: { type: 'array', items: { type: 'integer', minimum: 0 } },
          datatype: { type: 'string' },
          parameters: { type: 'object' },
          data: { type: 'array' },
        },
      },
    },
    outputs: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
  },
};
