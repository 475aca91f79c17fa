/** `theano.onnx`: export a compiled function as an ONNX model (see docs/onnx.md). */
export { exportFunction, DEFAULT_OPSET, MIN_OPSET, MAX_OPSET } from './export.js';
export type { ExportOptions, ExportableFunction } from './export.js';
export { OnnxExportError } from './context.js';
