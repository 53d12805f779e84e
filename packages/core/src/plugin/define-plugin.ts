import { PolymodalError } from '../errors.js';
import { API_VERSION } from './api-version.js';
import type { EncoderDefinition, FusionDefinition, PolymodalPlugin, SerializableLayerClass } from './contracts.js';
import { optionsSchemaProblem } from './options-schema.js';

export interface PluginDefinition {
  name: string;
  version: string;
  /** Defaults to the API version of the @polymodal/core the plugin is built with. */
  apiVersion?: number;
  encoders?: readonly EncoderDefinition[];
  fusions?: readonly FusionDefinition[];
  layers?: readonly SerializableLayerClass[];
}

const TYPE_NAME = /^[a-z][a-z0-9-]*(\/[a-z][a-z0-9-]*)?$/;

/** Makes a plugin object, checking its shape so authors find mistakes when they build, not when users run. */
export function definePlugin(definition: PluginDefinition): PolymodalPlugin {
  if (!definition.name) throw new PolymodalError('definePlugin: `name` is required (use the npm package name)', { exitCode: 2 });
  const problems: string[] = [];
  for (const encoder of definition.encoders ?? []) {
    if (!TYPE_NAME.test(encoder.type) || !encoder.type.includes('/')) {
      problems.push(`encoder type "${encoder.type}" must look like "family/variant" in lower case, e.g. "tabular/mlp"`);
    }
    const schemaProblem = optionsSchemaProblem('encoder', encoder);
    if (schemaProblem) problems.push(schemaProblem);
  }
  for (const fusion of definition.fusions ?? []) {
    if (!TYPE_NAME.test(fusion.type)) problems.push(`fusion type "${fusion.type}" must be lower case, e.g. "concat"`);
    const schemaProblem = optionsSchemaProblem('fusion', fusion);
    if (schemaProblem) problems.push(schemaProblem);
  }
  for (const layer of definition.layers ?? []) {
    if (!Object.prototype.hasOwnProperty.call(layer, 'className') || !layer.className) {
      problems.push(`layer class ${layer.name} needs its own static className`);
    } else if (!layer.className.startsWith('Polymodal')) {
      problems.push(`layer class name "${layer.className}" must start with "Polymodal" so it cannot collide with tfjs layers`);
    }
  }
  if (problems.length > 0) {
    throw new PolymodalError(`[${definition.name}] the plugin is malformed`, {
      problems,
      hint: 'This is a mistake in the plugin; report it to its authors (or fix it, if it is yours).',
      exitCode: 2,
    });
  }
  return Object.freeze({
    name: definition.name,
    version: definition.version,
    apiVersion: definition.apiVersion ?? API_VERSION,
    encoders: Object.freeze([...(definition.encoders ?? [])]),
    fusions: Object.freeze([...(definition.fusions ?? [])]),
    layers: Object.freeze([...(definition.layers ?? [])]),
  });
}
