import { compileSchema } from '../manifest/ajv.js';
import type { EncoderDefinition, FusionDefinition } from './contracts.js';

/**
 * Why a definition's options schema cannot be used (it does not compile with core's ajv, the one that
 * validates manifests), or undefined. Checked when a plugin is defined and when it is registered, so a typo
 * in a schema is the plugin author's error at once, not an internal error in a user's run.
 */
export function optionsSchemaProblem(kind: 'encoder' | 'fusion', definition: EncoderDefinition | FusionDefinition): string | undefined {
  const schema: unknown = definition.optionsSchema;
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    return `${kind} type "${definition.type}": optionsSchema must be a JSON Schema object`;
  }
  try {
    compileSchema(definition.optionsSchema);
    return undefined;
  } catch (error) {
    return `${kind} type "${definition.type}": invalid options schema (${(error as Error).message})`;
  }
}
