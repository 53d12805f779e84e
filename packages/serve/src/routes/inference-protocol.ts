import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isRowError, type Prediction, type PredictorCell, type PredictorColumn, type PredictorRow } from '@polymodal/core';
import { HttpError, pointerOf, type Problem } from '../http-errors.js';
import { INFER_SCHEMA } from '../request-schemas.js';
import type { ServeContext } from '../serve-context.js';
import { predictRows } from './predict-routes.js';

/** Open Inference Protocol v2 (KServe v2, Triton): one input tensor per column, one value per row. */
interface InferInput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly datatype: string;
  readonly data: readonly unknown[];
}

interface InferRequest {
  readonly id?: string;
  readonly inputs: readonly InferInput[];
  readonly outputs?: readonly { readonly name: string }[];
}

interface InferOutput {
  readonly name: string;
  readonly datatype: string;
  readonly shape: number[];
  readonly data: (string | number)[];
  readonly parameters?: Record<string, unknown>;
}

const NUMERIC_TYPES = new Set(['FP16', 'FP32', 'FP64', 'INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64']);

function datatypeOf(column: PredictorColumn): string {
  return column.type === 'number' ? 'FP32' : 'BYTES';
}

function accepts(datatype: string, value: unknown): boolean {
  if (value === null) return true;
  if (datatype === 'BYTES') return typeof value === 'string';
  if (datatype === 'BOOL') return typeof value === 'boolean';
  return typeof value === 'number';
}

/** The request's tensors as rows; every problem at its pointer. */
function rowsOf(body: InferRequest, known: ReadonlySet<string>, maxRows: number): PredictorRow[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  let count: number | undefined;
  body.inputs.forEach((input, i) => {
    const at = (...parts: (string | number)[]) => pointerOf('inputs', i, ...parts);
    if (!known.has(input.name)) problems.push({ pointer: at('name'), message: `"${input.name}" is not an input of the model (its inputs: ${[...known].join(', ')})` });
    if (seen.has(input.name)) problems.push({ pointer: at('name'), message: `"${input.name}" given twice` });
    seen.add(input.name);
    if (input.datatype !== 'BYTES' && input.datatype !== 'BOOL' && !NUMERIC_TYPES.has(input.datatype)) problems.push({ pointer: at('datatype'), message: `unknown datatype "${input.datatype}"` });
    if (input.shape.length === 0 || input.shape.length > 2 || (input.shape.length === 2 && input.shape[1] !== 1)) {
      problems.push({ pointer: at('shape'), message: 'one value per row: the shape must be [rows] or [rows, 1]' });
    } else if (count !== undefined && input.shape[0] !== count) {
      problems.push({ pointer: at('shape'), message: `${input.shape[0]} rows, but an earlier input has ${count}` });
    }
    count ??= input.shape[0];
    const data = input.data.flat();
    if (data.length !== input.shape[0]) problems.push({ pointer: at('data'), message: `${data.length} values for shape [${input.shape.join(', ')}]` });
    const bad = data.findIndex((value) => !accepts(input.datatype, value));
    if (bad >= 0) problems.push({ pointer: at('data', bad), message: `not a ${input.datatype} value` });
  });
  if ((count ?? 0) > maxRows) throw new HttpError(413, 'too_large', `${count} rows in one request; at most ${maxRows}`);
  if (problems.length > 0) throw new HttpError(400, 'validation', 'the inference request does not match the model\'s inputs', problems);
  return Array.from({ length: count ?? 0 }, (_, r) => {
    const row: Record<string, PredictorCell> = Object.create(null);
    for (const input of body.inputs) row[input.name] = input.data.flat()[r] as PredictorCell;
    return row;
  });
}

function outputsOf(context: ServeContext, predictions: Prediction[]): InferOutput[] {
  const { predictor } = context;
  const n = predictions.length;
  const regression = predictor.task === 'regression';
  const outputs: InferOutput[] = [{
    name: 'prediction',
    datatype: regression ? 'FP32' : 'BYTES',
    shape: [n],
    data: predictions.map((p) => (Array.isArray(p.prediction) ? JSON.stringify(p.prediction) : p.prediction)),
  }];
  if (!regression) {
    outputs.push({
      name: 'probabilities',
      datatype: 'FP32',
      shape: [n, predictor.classes.length],
      data: predictions.flatMap((p) => predictor.classes.map((name) => p.probabilities?.[name] ?? 0)),
      parameters: { classes: [...predictor.classes] },
    });
  }
  return outputs;
}

function modelMetadata(context: ServeContext) {
  const { predictor } = context;
  return {
    name: predictor.name,
    versions: [],
    platform: 'polymodal',
    inputs: predictor.inputs.map((column) => ({ name: column.name, datatype: datatypeOf(column), shape: [-1], parameters: { type: column.type, required: column.required } })),
    outputs: [
      { name: 'prediction', datatype: predictor.task === 'regression' ? 'FP32' : 'BYTES', shape: [-1] },
      ...(predictor.task === 'regression' ? [] : [{ name: 'probabilities', datatype: 'FP32', shape: [-1, predictor.classes.length] }]),
    ],
  };
}

export function inferenceProtocolRoutes(app: FastifyInstance, context: ServeContext, stopArriving: (request: FastifyRequest) => void): void {
  const known = new Set(context.columnNames);
  const model = (request: FastifyRequest) => {
    const { name } = request.params as { name: string };
    if (name !== context.predictor.name) throw new HttpError(404, 'not_found', `no model "${name}" here; this server serves "${context.predictor.name}"`);
  };
  app.get('/v2', async () => ({ name: 'polymodal', version: '0.1.0', extensions: [] }));
  app.get('/v2/health/live', async () => ({ live: true }));
  app.get('/v2/health/ready', async (_request, reply) => reply.code(context.ready ? 200 : 503).send({ ready: context.ready }));
  app.get('/v2/models/:name', async (request) => {
    model(request);
    return modelMetadata(context);
  });
  app.get('/v2/models/:name/ready', async (request, reply) => {
    model(request);
    return reply.code(context.ready ? 200 : 503).send({ name: context.predictor.name, ready: context.ready });
  });
  app.post('/v2/models/:name/infer', { config: { batched: true }, schema: { body: INFER_SCHEMA } }, async (request) => {
    model(request);
    const body = request.body as InferRequest;
    const rows = rowsOf(body, known, context.limits.maxRows);
    const results = await predictRows(context, rows, () => stopArriving(request));
    const refused = results.flatMap((result, r) => (isRowError(result) ? [{ result, r }] : []));
    if (refused.length > 0) {
      throw new HttpError(400, 'invalid_row', `${refused.length} of ${results.length} rows cannot be predicted`, refused.map(({ result, r }) => {
        const input = body.inputs.findIndex((i) => i.name === result.error.column);
        return { pointer: input >= 0 ? pointerOf('inputs', input, 'data', r) : pointerOf('inputs'), message: `row ${r}: column "${result.error.column}": ${result.error.problem}` };
      }));
    }
    let outputs = outputsOf(context, results as Prediction[]);
    if (body.outputs) {
      const wanted = new Set(body.outputs.map((o) => o.name));
      const unknown = [...wanted].filter((name) => !outputs.some((o) => o.name === name));
      if (unknown.length) throw new HttpError(400, 'validation', `unknown output ${unknown.map((n) => `"${n}"`).join(', ')}; the model has ${outputs.map((o) => o.name).join(', ')}`);
      outputs = outputs.filter((o) => wanted.has(o.name));
    }
    return { model_name: context.predictor.name, ...(body.id === undefined ? {} : { id: body.id }), outputs };
  });
}
