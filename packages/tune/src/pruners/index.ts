export { noPruner, type Curve, type Pruner } from './pruner.js';
export { medianPruner, type MedianOptions } from './median-pruner.js';
export { successiveHalvingPruner, rungEpochs, type HalvingOptions } from './successive-halving.js';
