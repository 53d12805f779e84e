export {
  runLayerTest,
  LayerTestError,
  type LayerTestSpec,
  type LayerTestCheck,
  type LayerTestDtype,
} from './layer-harness.js';
