/** The first conformance check of encoders and fusions alike: the options schema compiles, accepts the options and fills its defaults. */
import { isDeepStrictEqual } from 'node:util';
import { compileSchema } from '../manifest/ajv.js';
import { formatSchemaErrors } from '../manifest/format-errors.js';
import type { JsonSchema } from '../plugin/contracts.js';

/**
 * Validates a copy of `options` as core does (ajv, strict, defaults filled) and returns it with the defaults.
 * `fail` is called with what is wrong: a schema that does not compile, options it rejects, or a top-level
 * `default` that was not filled in.
 */
export function resolveOptions(schema: JsonSchema, options: Record<string, unknown>, fail: (detail: string) => never): Record<string, unknown> {
  let validate: ReturnType<typeof compileSchema>;
  try {
    validate = compileSchema(schema);
  } catch (error) {
    fail(`the options schema does not compile (core validates manifests with ajv in strict mode): ${(error as Error).message}`);
  }
  const resolved = structuredClone(options);
  if (!validate(resolved)) {
    fail(`the schema rejects the options ${JSON.stringify(options)}: ${formatSchemaErrors(validate.errors ?? [], '/options').join('; ')}`);
  }
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const [key, property] of Object.entries(properties)) {
    if (!('default' in property) || key in options) continue;
    if (!isDeepStrictEqual(resolved[key], property.default)) {
      fail(`options.${key} has default ${JSON.stringify(property.default)} but validation left ${JSON.stringify(resolved[key])}`);
    }
  }
  return resolved;
}
