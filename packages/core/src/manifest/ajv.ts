import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { JsonSchema } from '../plugin/contracts.js';

// ajv ships CommonJS with a default export; under NodeNext the class sits on `.default`.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as unknown as typeof AjvModule.default;

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true, discriminator: true });
// Our own annotation: the sentence to print when a oneOf fails, instead of every branch's complaint.
ajv.addVocabulary(['x-hint']);
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

export function compileSchema(schema: JsonSchema): ValidateFunction {
  const known = compiled.get(schema);
  if (known) return known;
  const validate = ajv.compile(schema);
  compiled.set(schema, validate);
  return validate;
}

export type { ErrorObject };
