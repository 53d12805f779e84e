import { readFileSync } from 'node:fs';
import type { JsonSchema } from '../plugin/contracts.js';
import type { PluginRegistry } from '../plugin/registry.js';

/** The manifest JSON Schema shipped at @polymodal/core/schema/manifest.v1.json. */
export const manifestSchema: JsonSchema = JSON.parse(
  readFileSync(new URL('../../schema/manifest.v1.json', import.meta.url), 'utf8'),
);

/**
 * The manifest schema with each loaded encoder's and fusion's options schema merged in, so an editor
 * can complete and check `options` for the plugins a project has installed.
 */
export function mergedManifestSchema(registry: PluginRegistry): JsonSchema {
  const schema = structuredClone(manifestSchema) as any;
  const inputSchema = schema.properties.inputs.additionalProperties;
  inputSchema.allOf = registry.encoderTypes().map((type) => ({
    if: { properties: { encoder: { const: type } }, required: ['encoder'] },
    then: { properties: { options: registry.encoder(type).optionsSchema } },
  }));
  // An empty enum would reject every type; with no plugin loaded, leave the type free.
  if (registry.encoderTypes().length > 0) inputSchema.properties.encoder.enum = registry.encoderTypes();
  schema.properties.fusion.allOf = registry.fusionTypes().map((type) => ({
    if: { properties: { type: { const: type } }, required: ['type'] },
    then: { properties: { options: registry.fusion(type).optionsSchema } },
  }));
  if (registry.fusionTypes().length > 0) schema.properties.fusion.properties.type.enum = registry.fusionTypes();
  return schema;
}
