import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSchema } from '../manifest/ajv.js';
import { formatSchemaErrors } from '../manifest/format-errors.js';
import { ACTIVATIONS } from './activations.js';
import { activationSchema, denseOptionsNeedUnits, dropoutSchema, l2Schema, unitsSchema } from './schema-fragments.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: { units: unitsSchema([]), activation: activationSchema(), dropout: dropoutSchema(), l2: l2Schema(), batchNorm: { type: 'boolean', default: false } },
  allOf: [denseOptionsNeedUnits(['dropout', 'l2', 'batchNorm'], [])],
};

function problems(options: Record<string, unknown>): string[] {
  const validate = compileSchema(schema);
  return validate(options) ? [] : formatSchemaErrors(validate.errors ?? [], '/fusion/options');
}

test('the fragments compile in core\'s strict ajv and fill their defaults', () => {
  const options: Record<string, unknown> = {};
  assert.deepEqual(problems(options), []);
  assert.deepEqual(options, { units: [], activation: 'relu', dropout: 0, l2: 0, batchNorm: false });
  assert.deepEqual(activationSchema().enum, [...ACTIVATIONS]);
  assert.notEqual(unitsSchema([1]).default, unitsSchema([1]).default, 'each call gives a fresh default array');
});

test('dropout, l2 or batch normalization without units is an error at its own JSON pointer', () => {
  const lines = problems({ units: [], dropout: 0.3, l2: 0.1, batchNorm: true });
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^\/fusion\/options\/dropout: has no effect without dense layers; add sizes to "units"/);
  assert.ok(lines.some((l) => l.startsWith('/fusion/options/l2: ')));
  assert.ok(lines.some((l) => l.startsWith('/fusion/options/batchNorm: ')));
  assert.deepEqual(problems({ dropout: 0.3 }), ['/fusion/options/dropout: has no effect without dense layers; add sizes to "units" (e.g. [64]) or remove "dropout"']);
  assert.deepEqual(problems({ units: [4], dropout: 0.3, l2: 0.1, batchNorm: true }), []);
});

test('ranges: dropout in [0, 1), activations from the one list', () => {
  assert.match(problems({ units: [2], dropout: 1 })[0], /^\/fusion\/options\/dropout: /);
  assert.match(problems({ activation: 'gelu' })[0], /"gelu" is not allowed; use one of relu, elu, selu, tanh, sigmoid, swish, linear/);
});
