import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { definePlugin } from './define-plugin.js';
import { PluginRegistry } from './registry.js';
import { numericEncoder } from '../test-fixtures/numeric-plugin.js';

class PolymodalRegistryProbe extends tf.layers.Layer {
  static className = 'PolymodalRegistryProbe';
}
class PolymodalRegistryProbeTwin extends tf.layers.Layer {
  static className = 'PolymodalRegistryProbe';
}

test('two plugins providing one type are refused with both names', () => {
  const a = definePlugin({ name: 'plugin-a', version: '1.0.0', encoders: [numericEncoder] });
  const b = definePlugin({ name: 'plugin-b', version: '2.0.0', encoders: [numericEncoder] });
  assert.throws(() => new PluginRegistry([a, b]), /encoder type "test\/numeric" is provided by both plugin-a and plugin-b/);
});

test('two plugins registering one tfjs layer class name are refused with both names', () => {
  const a = definePlugin({ name: 'layers-a', version: '1.0.0', layers: [PolymodalRegistryProbe] });
  const b = definePlugin({ name: 'layers-b', version: '1.0.0', layers: [PolymodalRegistryProbeTwin] });
  new PluginRegistry([a]);
  assert.throws(() => new PluginRegistry([b]), /"PolymodalRegistryProbe" is registered by both layers-a and layers-b/);
  // The same class again (a second run in one process) is fine.
  assert.doesNotThrow(() => new PluginRegistry([a]));
  assert.ok(tf.serialization.SerializationMap.getMap().classNameMap.PolymodalRegistryProbe);
});

test('a plugin built for another API version is refused', () => {
  const old = definePlugin({ name: 'old-plugin', version: '0.1.0', apiVersion: 0 });
  assert.throws(() => new PluginRegistry([old]), /targets plugin API 0/);
});

test('definePlugin checks type names and layer class prefixes', () => {
  assert.throws(() => definePlugin({ name: 'p', version: '1', encoders: [{ ...numericEncoder, type: 'Numeric' }] }), /malformed/);
  class BadName extends tf.layers.Layer {
    static className = 'Dense2';
  }
  assert.throws(() => definePlugin({ name: 'p', version: '1', layers: [BadName] }), (e: any) => e.describe().includes('must start with "Polymodal"'));
});

test('a listed plugin appears once', () => {
  const a = definePlugin({ name: 'plugin-a', version: '1.0.0' });
  assert.throws(() => new PluginRegistry([a, a]), /listed twice/);
});
