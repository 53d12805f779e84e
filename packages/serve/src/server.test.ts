import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Predictor, PredictorColumn, PredictorResult, PredictorRow, PredictRowsOptions } from '@polymodal/core';
import { createServer, type ServeOptions } from './server.js';

/** A predictor without a model: "pos" when x > 0; records each call's rows and options. Optionally held until released. */
function fakePredictor(options: { idColumn?: string; hold?: Promise<void> } = {}) {
  const calls: PredictorRow[][] = [];
  const callOptions: (PredictRowsOptions | undefined)[] = [];
  const inputs: PredictorColumn[] = [
    { name: 'x', input: 'measures', encoder: 'tabular/mlp', type: 'number', required: true },
    { name: 'color', input: 'measures', encoder: 'tabular/mlp', type: 'category', required: false },
    { name: 'photo', input: 'photo', encoder: 'image/cnn', type: 'image', required: false },
  ];
  let warmed = 0;
  const predictor: Predictor = {
    name: 'fake',
    dir: '/nowhere',
    task: 'binary',
    classes: ['neg', 'pos'],
    inputs,
    idColumn: options.idColumn,
    engine: 'a fake',
    notes: [],
    async predict(rows, given) {
      calls.push([...rows]);
      callOptions.push(given);
      await options.hold;
      return rows.map((row, i): PredictorResult => {
        const x = Number(row.x);
        if (!Number.isFinite(x)) return { row: i, error: { column: 'x', problem: 'not a number' } };
        const photoBytes = row.photo instanceof Uint8Array ? row.photo.length : 0;
        const p = x > 0 ? 0.9 : 0.1;
        return { row: i, ...(options.idColumn ? { id: row[options.idColumn] as string } : {}), prediction: x > 0 ? 'pos' : 'neg', probabilities: { neg: 1 - p, pos: p + photoBytes / 1e6 } };
      });
    },
    warmUp: () => void warmed++,
    dispose() {},
  };
  return { predictor, calls, callOptions, warmed: () => warmed };
}

async function serve(options: ServeOptions = {}, fake = fakePredictor()) {
  const server = createServer(fake.predictor, options);
  await server.app.ready();
  return { ...server, ...fake };
}

function multipartBody(parts: { name: string; value: string | Buffer; filename?: string }[], boundary = 'polymodalboundary') {
  const chunks = parts.flatMap((part) => [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"\r\nContent-Type: application/octet-stream` : ''}\r\n\r\n`),
    Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value),
    Buffer.from('\r\n'),
  ]);
  return { payload: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

test('/predict answers one JSON row with its prediction; bad rows get 400 with JSON pointers', async () => {
  const { app, calls, warmed } = await serve();
  assert.equal(warmed(), 1, 'warmed up once before serving');
  const ok = await app.inject({ method: 'POST', url: '/predict', payload: { x: 2, color: 'red' } });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.deepEqual(ok.json(), { row: 0, prediction: 'pos', probabilities: { neg: 0.09999999999999998, pos: 0.9 } });
  assert.deepEqual(calls.at(-1), [{ x: 2, color: 'red' }]);

  const cases: [unknown, string, RegExp][] = [
    [{ x: 1, colr: 'red' }, '/colr', /not a column the model reads\. Did you mean "color"\? It reads: x, color, photo/],
    [{ color: 'red' }, '/x', /missing/],
    [{ x: [1] }, '/x', /must be number or string or null/],
    [{ x: 'many' }, '/x', /not a number/],
    [{ 'a/b': 1, x: 1 }, '/a~1b', /not a column/],
  ];
  for (const [payload, pointer, message] of cases) {
    const response = await app.inject({ method: 'POST', url: '/predict', payload: payload as object });
    assert.equal(response.statusCode, 400, `${JSON.stringify(payload)}: ${response.body}`);
    const problem = response.json().problems.find((p: { pointer: string }) => p.pointer === pointer);
    assert.ok(problem, `${JSON.stringify(payload)}: no problem at ${pointer}: ${response.body}`);
    assert.match(problem.message, message);
  }
  const broken = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: '{"x": 1,' });
  assert.equal(broken.statusCode, 400, broken.body);
  assert.ok(broken.json().error);
  const wrongType = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'text/plain' }, payload: 'x=1' });
  assert.equal(wrongType.statusCode, 415);
  await app.close();
});

test('/batch_predict: per-row errors in place with pointers; row, body and file limits give 413', async () => {
  const { app } = await serve({ maxRows: 3, bodyLimit: 2000 });
  const response = await app.inject({ method: 'POST', url: '/batch_predict', payload: { rows: [{ x: -1 }, { x: 'no' }, { x: 3 }] } });
  assert.equal(response.statusCode, 200, response.body);
  const { predictions } = response.json();
  assert.deepEqual(predictions.map((p: { prediction?: string }) => p.prediction), ['neg', undefined, 'pos']);
  assert.deepEqual(predictions[1], { row: 1, error: { column: 'x', problem: 'not a number', pointer: '/rows/1/x' } });
  const tooMany = await app.inject({ method: 'POST', url: '/batch_predict', payload: { rows: [{ x: 1 }, { x: 1 }, { x: 1 }, { x: 1 }] } });
  assert.equal(tooMany.statusCode, 413, tooMany.body);
  assert.match(tooMany.json().error, /4 rows in one request; at most 3/);
  const tooBig = await app.inject({ method: 'POST', url: '/batch_predict', payload: { rows: [{ x: 1, color: 'r'.repeat(3000) }] } });
  assert.equal(tooBig.statusCode, 413, tooBig.body);
  const badRow = await app.inject({ method: 'POST', url: '/batch_predict', payload: { rows: [{ x: 1 }, { y: 2 }] } });
  assert.equal(badRow.statusCode, 400);
  assert.ok(badRow.json().problems.some((p: { pointer: string }) => p.pointer === '/rows/1/y'), badRow.body);
  const empty = await app.inject({ method: 'POST', url: '/batch_predict', payload: { rows: [] } });
  assert.equal(empty.statusCode, 400);
  await app.close();
});

test('multipart /predict: file fields reach the model as bytes; malformed bodies, unknown fields and big files are refused', async () => {
  const { app, calls } = await serve({ fileLimit: 1000 });
  const photo = Buffer.alloc(500, 7);
  const form = multipartBody([{ name: 'x', value: '2' }, { name: 'photo', value: photo, filename: 'p.png' }]);
  const ok = await app.inject({ method: 'POST', url: '/predict', ...form });
  assert.equal(ok.statusCode, 200, ok.body);
  const sent = calls.at(-1)![0];
  assert.equal(sent.x, '2');
  assert.ok(sent.photo instanceof Uint8Array && Buffer.from(sent.photo).equals(photo));
  assert.equal(ok.json().probabilities.pos, 0.9 + 500 / 1e6);

  const unknown = await app.inject({ method: 'POST', url: '/predict', ...multipartBody([{ name: 'x', value: '1' }, { name: 'picture', value: photo, filename: 'p.png' }]) });
  assert.equal(unknown.statusCode, 400, unknown.body);
  assert.equal(unknown.json().problems[0].pointer, '/picture');
  const fileInText = await app.inject({ method: 'POST', url: '/predict', ...multipartBody([{ name: 'x', value: photo, filename: 'x.bin' }]) });
  assert.equal(fileInText.statusCode, 400, fileInText.body);
  const big = await app.inject({ method: 'POST', url: '/predict', ...multipartBody([{ name: 'x', value: '1' }, { name: 'photo', value: Buffer.alloc(5000), filename: 'p.png' }]) });
  assert.equal(big.statusCode, 413, big.body);
  const truncated = multipartBody([{ name: 'x', value: '1' }, { name: 'photo', value: photo, filename: 'p.png' }]);
  const malformed = await app.inject({ method: 'POST', url: '/predict', headers: truncated.headers, payload: truncated.payload.subarray(0, 120) });
  assert.equal(malformed.statusCode, 400, malformed.body);
  assert.match(malformed.json().error, /malformed multipart\/form-data body/);
  const noBoundary = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'multipart/form-data' }, payload: 'garbage' });
  assert.equal(noBoundary.statusCode, 400, noBoundary.body);
  await app.close();
});

test('Open Inference Protocol v2: health, metadata, infer with one tensor per column', async () => {
  const { app, calls } = await serve();
  assert.deepEqual((await app.inject('/v2/health/live')).json(), { live: true });
  assert.equal((await app.inject('/v2/health/ready')).statusCode, 200);
  assert.equal((await app.inject('/v2/models/fake/ready')).statusCode, 200);
  const metadata = (await app.inject('/v2/models/fake')).json();
  assert.deepEqual(metadata.inputs.map((i: { name: string; datatype: string }) => [i.name, i.datatype]), [['x', 'FP32'], ['color', 'BYTES'], ['photo', 'BYTES']]);
  assert.equal((await app.inject('/v2/models/other')).statusCode, 404);

  const infer = await app.inject({ method: 'POST', url: '/v2/models/fake/infer', payload: {
    id: 'r1',
    inputs: [{ name: 'x', shape: [3, 1], datatype: 'FP32', data: [[1], [-1], [2]] }, { name: 'color', shape: [3], datatype: 'BYTES', data: ['a', 'b', 'c'] }],
  } });
  assert.equal(infer.statusCode, 200, infer.body);
  const body = infer.json();
  assert.equal(body.id, 'r1');
  assert.equal(body.model_name, 'fake');
  assert.deepEqual(body.outputs[0], { name: 'prediction', datatype: 'BYTES', shape: [3], data: ['pos', 'neg', 'pos'] });
  assert.deepEqual(body.outputs[1].shape, [3, 2]);
  assert.deepEqual(body.outputs[1].parameters, { classes: ['neg', 'pos'] });
  assert.deepEqual(JSON.parse(JSON.stringify(calls.at(-1))), [{ x: 1, color: 'a' }, { x: -1, color: 'b' }, { x: 2, color: 'c' }]);
  const only = await app.inject({ method: 'POST', url: '/v2/models/fake/infer', payload: { inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }], outputs: [{ name: 'probabilities' }] } });
  assert.deepEqual(only.json().outputs.map((o: { name: string }) => o.name), ['probabilities']);

  const bad = await app.inject({ method: 'POST', url: '/v2/models/fake/infer', payload: {
    inputs: [{ name: 'x', shape: [2], datatype: 'FP32', data: [1, 'a'] }, { name: 'colour', shape: [3], datatype: 'BYTES', data: ['a', 'b', 'c'] }],
  } });
  assert.equal(bad.statusCode, 400);
  const pointers = bad.json().problems.map((p: { pointer: string }) => p.pointer);
  assert.deepEqual(pointers, ['/inputs/0/data/1', '/inputs/1/name', '/inputs/1/shape']);
  const rowError = await app.inject({ method: 'POST', url: '/v2/models/fake/infer', payload: { inputs: [{ name: 'x', shape: [2], datatype: 'BYTES', data: ['1', 'z'] }] } });
  assert.equal(rowError.statusCode, 400);
  assert.deepEqual(rowError.json().problems, [{ pointer: '/inputs/0/data/1', message: 'row 1: column "x": not a number' }]);
  await app.close();
});

test('concurrent requests are micro-batched and each answered with its own row; /metrics counts it', async () => {
  const { app, calls, callOptions } = await serve({ maxBatch: 64, maxLatencyMs: 50 });
  const xs = Array.from({ length: 32 }, (_, i) => i - 16 + 0.5);
  const answers = await Promise.all(xs.map((x) => app.inject({ method: 'POST', url: '/predict', payload: { x } })));
  assert.deepEqual(answers.map((a) => a.json().prediction), xs.map((x) => (x > 0 ? 'pos' : 'neg')));
  assert.deepEqual(answers.map((a) => a.json().row), xs.map(() => 0), 'each answer numbers its rows from 0');
  assert.ok(calls.length < 32, `${calls.length} model calls for 32 requests`);
  assert.equal(calls.flat().length, 32);
  // A gathered batch is one model call, not chunks of the manifest's training batch size.
  assert.deepEqual(callOptions.map((o) => o?.batchSize), calls.map(() => 64));
  // Two concurrent batches share a call; each numbers its own rows.
  const shared = calls.length;
  const batches = await Promise.all([[1, -1, 2], [-3, 4]].map((values) => app.inject({ method: 'POST', url: '/batch_predict', payload: { rows: values.map((x) => ({ x })) } })));
  assert.deepEqual(batches.map((b) => b.json().predictions.map((p: { row: number; prediction: string }) => `${p.row}:${p.prediction}`)), [['0:pos', '1:neg', '2:pos'], ['0:neg', '1:pos']]);
  assert.equal(calls.length, shared + 1, 'the two batches went in one call');
  const metrics = (await app.inject('/metrics')).body;
  assert.match(metrics, /polymodal_requests_total\{route="\/predict",status="200"\} 32/);
  assert.match(metrics, /polymodal_batch_size_rows_count \d+/);
  assert.match(metrics, /polymodal_queue_depth_rows 0/);
  assert.match(metrics, /polymodal_model_info\{model="fake",engine="a fake"\} 1/);
  assert.match(metrics, /polymodal_request_duration_seconds_bucket/);
  await app.inject({ method: 'POST', url: '/predict', payload: { x: 'bad' } });
  const after = (await app.inject('/metrics')).body;
  assert.match(after, /polymodal_errors_total\{kind="invalid_row"\} 1/);
  assert.match(after, /polymodal_rows_total\{outcome="refused"\} 1/);
  await app.close();
});

test('a full queue sheds load with 503 and Retry-After; readiness ends when the server closes', async () => {
  let release: () => void = () => {};
  const hold = new Promise<void>((done) => (release = done));
  const { app, context } = await serve({ maxBatch: 1, maxQueue: 2, retryAfterSeconds: 3 }, fakePredictor({ hold }));
  const running = app.inject({ method: 'POST', url: '/predict', payload: { x: 1 } });
  await new Promise((done) => setTimeout(done, 20));
  const queued = [app.inject({ method: 'POST', url: '/predict', payload: { x: 2 } }), app.inject({ method: 'POST', url: '/predict', payload: { x: 3 } })];
  await new Promise((done) => setTimeout(done, 20));
  const shed = await app.inject({ method: 'POST', url: '/predict', payload: { x: 4 } });
  assert.equal(shed.statusCode, 503, shed.body);
  assert.equal(shed.headers['retry-after'], '3');
  assert.match((await app.inject('/metrics')).body, /polymodal_errors_total\{kind="overloaded"\} 1/);
  release();
  assert.deepEqual((await Promise.all([running, ...queued])).map((r) => r.statusCode), [200, 200, 200]);
  assert.equal((await app.inject('/readyz')).statusCode, 200);
  assert.equal((await app.inject('/healthz')).json().status, 'ok');
  await app.close();
  assert.equal(context.ready, false);
});

test('an id column passes through /predict and is accepted by the schema', async () => {
  const { app } = await serve({}, fakePredictor({ idColumn: 'customer_id' }));
  const response = await app.inject({ method: 'POST', url: '/predict', payload: { customer_id: 'C1', x: 1 } });
  assert.equal(response.statusCode, 200, response.body);
  assert.equal(response.json().id, 'C1');
  assert.equal((await app.inject('/nope')).statusCode, 404);
  await app.close();
});
