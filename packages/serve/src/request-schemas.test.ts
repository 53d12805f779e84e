import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PredictorColumn } from '@polymodal/core';
import { batchSchema, rowSchema } from './request-schemas.js';

const column = (name: string, type: PredictorColumn['type'], required: boolean): PredictorColumn => ({ name, input: 'in', encoder: 'x/y', type, required });

test('a row schema lists every column with its JSON types, the required ones, and refuses other keys', () => {
  const schema = rowSchema([column('age', 'number', false), column('photo', 'image', true), column('note', 'text', true)], 'id');
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(schema.required, ['photo', 'note']);
  const properties = schema.properties as Record<string, { type: string[] }>;
  assert.deepEqual(Object.keys(properties), ['age', 'photo', 'note', 'id']);
  assert.deepEqual(properties.age.type, ['number', 'string', 'null']);
  assert.deepEqual(properties.photo.type, ['string', 'null']);
  assert.deepEqual(properties.id.type, ['string', 'number', 'null']);
  assert.equal(rowSchema([column('age', 'number', false)]).required, undefined, 'no empty required list');
});

test('column names that are Object.prototype members become own properties, not the prototype', () => {
  const schema = rowSchema([column('__proto__', 'category', true), column('constructor', 'number', false)]);
  const properties = schema.properties as object;
  assert.equal(Object.getPrototypeOf(properties), Object.prototype);
  assert.ok(Object.hasOwn(properties, '__proto__') && Object.hasOwn(properties, 'constructor'));
  const batch = batchSchema([column('a', 'text', true)]) as { properties: { rows: { items: unknown; minItems: number } } };
  assert.equal(batch.properties.rows.minItems, 1);
  assert.deepEqual(batch.properties.rows.items, rowSchema([column('a', 'text', true)]));
});
