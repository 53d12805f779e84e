export { exportOnnx, exportTfjsGraph, onnxPreprocessingPath, GRAPH_PREPROCESSING_FILE, type ExportOptions, type OnnxExportOptions, type ExportSummary, type ExportedTensor } from './export-model.js';
export { lowerLayersModel } from './lower/lower-model.js';
export { SUPPORTED_LAYERS } from './lower/registry.js';
export { SUPPORTED_ACTIVATIONS } from './lower/activation.js';
export { emitOnnx, type OnnxEmitOptions, type OnnxModel } from './onnx/emit-onnx.js';
export { DEFAULT_OPSET } from './onnx/onnx-proto.js';
export { emitGraphDef, type GraphDefArtifacts } from './tfjs-graph/emit-graph-def.js';
export type { IrGraph, IrNode, IrValue, IrConstant, IrOpType, IrDType } from './ir/graph.js';
