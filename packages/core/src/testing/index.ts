/**
 * `@polymodal/core/testing`: the kits plugin authors test with, kept off the main entry (they import
 * node:test and are not needed at run time).
 */
export {
  runLayerTest,
  LayerTestError,
  type LayerTestSpec,
  type LayerTestCheck,
  type LayerTestDtype,
} from './layer-harness.js';
export { ConformanceError, registerChecks, runChecks, type ConformanceCheck } from './conformance-check.js';
export { runEncoderConformance, encoderConformanceChecks, type EncoderConformanceSpec } from './encoder-conformance.js';
export {
  runFusionConformance, fusionConformanceChecks, type FusionConformanceSpec, type FusionInput,
} from './fusion-conformance.js';
