import * as tf from '@tensorflow/tfjs';
import { PolymodalError } from '../errors.js';
import { didYouMean } from '../util/did-you-mean.js';
import { API_VERSION } from './api-version.js';
import type { EncoderDefinition, FusionDefinition, PolymodalPlugin, SerializableLayerClass } from './contracts.js';
import { guardEncoder, guardFusion } from './guard-plugin-code.js';
import { knownProviderOf } from './known-providers.js';
import { optionsSchemaProblem } from './options-schema.js';

interface Owned<T> {
  readonly definition: T;
  readonly plugin: PolymodalPlugin;
}

/** tfjs keeps one process-wide class map; remember which plugin put each of our names there. */
const layerOwners = new Map<string, { plugin: string; layer: SerializableLayerClass }>();

/**
 * The plugins one run loaded, and the types they provide. Refuses any name that two plugins claim. The
 * definitions it hands out are guarded (guard-plugin-code.ts): every call site gets errors attributed to the plugin.
 */
export class PluginRegistry {
  private readonly plugins: PolymodalPlugin[] = [];
  private readonly encoders = new Map<string, Owned<EncoderDefinition>>();
  private readonly fusions = new Map<string, Owned<FusionDefinition>>();

  constructor(plugins: readonly PolymodalPlugin[] = []) {
    for (const plugin of plugins) this.add(plugin);
  }

  add(plugin: PolymodalPlugin): void {
    if (plugin.apiVersion !== API_VERSION) {
      throw new PolymodalError(
        `plugin ${plugin.name}@${plugin.version} targets plugin API ${plugin.apiVersion}, this @polymodal/core speaks ${API_VERSION}`,
        { hint: `Install versions of ${plugin.name} and @polymodal/core that match (npm install ${plugin.name}@latest @polymodal/core@latest).`, exitCode: 2 },
      );
    }
    if (this.plugins.some((p) => p.name === plugin.name)) {
      throw new PolymodalError(`plugin ${plugin.name} is listed twice`, { exitCode: 2 });
    }
    const schemaProblems = [
      ...plugin.encoders.map((encoder) => optionsSchemaProblem('encoder', encoder)),
      ...plugin.fusions.map((fusion) => optionsSchemaProblem('fusion', fusion)),
    ].filter((problem): problem is string => problem !== undefined);
    if (schemaProblems.length > 0) {
      throw new PolymodalError(`[${plugin.name}] ${schemaProblems.join('; ')}`, {
        hint: 'This is a mistake in the plugin; report it to its authors (or fix it, if it is yours).',
        exitCode: 2,
      });
    }
    const claim = <T extends { type: string }>(map: Map<string, Owned<T>>, definition: T, what: string) => {
      const existing = map.get(definition.type);
      if (existing) {
        throw new PolymodalError(
          `${what} type "${definition.type}" is provided by both ${existing.plugin.name} and ${plugin.name}`,
          { hint: 'List only one of these plugins in the manifest.', exitCode: 2 },
        );
      }
      map.set(definition.type, { definition, plugin });
    };
    for (const encoder of plugin.encoders) claim(this.encoders, guardEncoder(plugin.name, encoder), 'encoder');
    for (const fusion of plugin.fusions) claim(this.fusions, guardFusion(plugin.name, fusion), 'fusion');
    for (const layer of plugin.layers) registerLayerClass(layer, plugin.name);
    this.plugins.push(plugin);
  }

  list(): readonly PolymodalPlugin[] {
    return this.plugins;
  }

  encoderTypes(): string[] {
    return [...this.encoders.keys()];
  }

  fusionTypes(): string[] {
    return [...this.fusions.keys()];
  }

  findEncoder(type: string): EncoderDefinition | undefined {
    return this.encoders.get(type)?.definition;
  }

  findFusion(type: string): FusionDefinition | undefined {
    return this.fusions.get(type)?.definition;
  }

  encoder(type: string): EncoderDefinition {
    const found = this.findEncoder(type);
    if (!found) throw missingType('encoder', type, this.encoderTypes());
    return found;
  }

  fusion(type: string): FusionDefinition {
    const found = this.findFusion(type);
    if (!found) throw missingType('fusion', type, this.fusionTypes());
    return found;
  }

  /** Which plugin provides a type, for artifacts' plugin lock. */
  providerOf(type: string): PolymodalPlugin | undefined {
    return (this.encoders.get(type) ?? this.fusions.get(type))?.plugin;
  }
}

export function missingTypeMessage(kind: 'encoder' | 'fusion', type: string, available: readonly string[]): string {
  const provider = knownProviderOf(type);
  const suggestion = didYouMean(type, available);
  if (suggestion) return `unknown ${kind} type "${type}".${suggestion}`;
  if (provider) {
    return `${kind} type "${type}" comes from ${provider}, which this manifest does not load. ` +
      `Run \`npm install ${provider}\` and add "${provider}" to "plugins".`;
  }
  const list = available.length > 0 ? available.join(', ') : 'none';
  return `unknown ${kind} type "${type}" (loaded plugins provide: ${list}). Add the plugin that provides it to "plugins".`;
}

function missingType(kind: 'encoder' | 'fusion', type: string, available: readonly string[]): PolymodalError {
  return new PolymodalError(missingTypeMessage(kind, type, available), { exitCode: 2 });
}

function registerLayerClass(layer: SerializableLayerClass, pluginName: string): void {
  const owner = layerOwners.get(layer.className);
  if (owner) {
    if (owner.layer === layer) return;
    throw new PolymodalError(
      `layer class name "${layer.className}" is registered by both ${owner.plugin} and ${pluginName}`,
      { hint: 'Two plugins cannot share a tfjs layer class name; rename one of the classes.', exitCode: 2 },
    );
  }
  const existing = tf.serialization.SerializationMap.getMap().classNameMap[layer.className];
  if (existing && existing[0] !== (layer as unknown)) {
    throw new PolymodalError(`layer class name "${layer.className}" (from ${pluginName}) is already taken in tfjs`, { exitCode: 2 });
  }
  tf.serialization.registerClass(layer as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
  layerOwners.set(layer.className, { plugin: pluginName, layer });
}
