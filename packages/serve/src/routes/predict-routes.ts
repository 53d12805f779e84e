import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isRowError, type PredictorResult, type PredictorRow, type RowError } from '@polymodal/core';
import { HttpError, pointerOf } from '../http-errors.js';
import { batchSchema, rowSchema } from '../request-schemas.js';
import type { ServeContext } from '../serve-context.js';
import { multipartRow } from './multipart-row.js';

/** A refused row as the answer shows it: its error with a JSON pointer to the cell. */
function rowProblem(error: RowError, prefix: (string | number)[]) {
  const pointer = error.error.column === '' ? pointerOf(...prefix) || '/' : pointerOf(...prefix, error.error.column);
  return { pointer, message: error.error.problem };
}

/** Submits rows and counts them; `stopArriving` first, so the batcher stops waiting for this request. */
export async function predictRows(context: ServeContext, rows: readonly PredictorRow[], stopArriving: () => void): Promise<PredictorResult[]> {
  if (rows.length > context.limits.maxRows) throw new HttpError(413, 'too_large', `${rows.length} rows in one request; at most ${context.limits.maxRows}`);
  stopArriving();
  // A model call holds other requests' rows too: `row` is renumbered to the row's position in this request.
  const results = (await context.batcher.submit(rows)).map((result, row) => ({ ...result, row }));
  const refused = results.filter(isRowError).length;
  context.metrics.rows.inc({ outcome: 'predicted' }, results.length - refused);
  if (refused > 0) context.metrics.rows.inc({ outcome: 'refused' }, refused);
  return results;
}

export function predictRoutes(app: FastifyInstance, context: ServeContext, stopArriving: (request: FastifyRequest) => void): void {
  const { predictor } = context;
  app.post('/predict', {
    config: { batched: true },
    schema: { body: { content: { 'application/json': { schema: rowSchema(predictor.inputs, predictor.idColumn) } } } },
  }, async (request) => {
    if (!request.isMultipart() && request.mediaType !== 'application/json') {
      throw new HttpError(415, 'bad_request', `a row is sent as application/json or multipart/form-data, not ${request.mediaType || 'a body without a type'}`);
    }
    const row = request.isMultipart()
      ? await multipartRow(request, predictor.inputs, predictor.idColumn, context.limits.fileBytes)
      : (request.body as PredictorRow);
    const [result] = await predictRows(context, [row], () => stopArriving(request));
    if (isRowError(result)) throw new HttpError(400, 'invalid_row', 'the row cannot be predicted', [rowProblem(result, [])]);
    return result;
  });

  app.post('/batch_predict', {
    config: { batched: true },
    schema: { body: batchSchema(predictor.inputs, predictor.idColumn) },
    // Counted before validation, so a huge batch is refused as too large, not checked cell by cell.
    preValidation: async (request) => {
      const rows = (request.body as { rows?: unknown } | null)?.rows;
      if (Array.isArray(rows) && rows.length > context.limits.maxRows) {
        throw new HttpError(413, 'too_large', `${rows.length} rows in one request; at most ${context.limits.maxRows}`);
      }
    },
  }, async (request) => {
    const { rows } = request.body as { rows: PredictorRow[] };
    const results = await predictRows(context, rows, () => stopArriving(request));
    return {
      predictions: results.map((result, i) => (isRowError(result) ? { ...result, error: { ...result.error, pointer: rowProblem(result, ['rows', i]).pointer } } : result)),
    };
  });
}
