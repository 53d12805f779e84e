import { resolve } from 'node:path';
import { PolymodalError } from '../errors.js';
import { checkManifestValue, readManifestText, type LoadManifestOptions } from '../manifest/load-manifest.js';
import { findDuplicateKeys, parseManifestText } from '../manifest/parse-manifest.js';
import { manifestSchema, mergedManifestSchema } from '../manifest/schema.js';
import type { JsonSchema } from '../plugin/contracts.js';

export interface ManifestSchema {
  readonly schema: JsonSchema;
  /** Why some options schemas are missing: plugins that did not load, or a manifest that is not JSON. */
  readonly warnings: string[];
}

/**
 * The manifest schema with the options schemas of a manifest's plugins merged in. Works for an invalid
 * manifest too (that is when an editor needs the schema most): plugins that load are merged, the others
 * are named in `warnings`; a file that is not JSON gives the core schema and a warning. A file that cannot
 * be read throws (exit 2).
 */
export async function manifestSchemaFor(path: string, options: LoadManifestOptions = {}): Promise<ManifestSchema> {
  const text = await readManifestText(path);
  let value: unknown;
  try {
    value = parseManifestText(text, path);
  } catch (error) {
    if (!(error instanceof PolymodalError)) throw error;
    const why = [error.message, ...(error.details.problems ?? [])].join('; ');
    return { schema: manifestSchema, warnings: [`${why}; printing the core schema without plugin options`] };
  }
  const check = await checkManifestValue(value, resolve(path), options, findDuplicateKeys(text));
  if (check.unloaded.length === 0) return { schema: mergedManifestSchema(check.registry), warnings: [] };
  const warnings = [
    `${path}: options of ${check.unloaded.join(', ')} not merged (the plugin${check.unloaded.length === 1 ? '' : 's'} did not load)`,
    ...check.problems.lines().filter((line) => line.startsWith('/plugins')),
  ];
  return { schema: mergedManifestSchema(check.registry), warnings };
}
