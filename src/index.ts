/**
 * theano-ts: Theano for TypeScript.
 *
 * @example
 * import * as theano from 'theano-ts';
 * const T = theano.tensor;
 * const x = T.dmatrix('x');
 * const logistic = theano.function([x], T.div(1, T.add(1, T.exp(x.neg()))));
 * logistic([[0, 1], [-1, -2]]);
 */
import * as tensor from './T.js';
import * as gradient from './gradient.js';

export { tensor, gradient };
export { compile, compile as function } from './compile/function.js';
export type {
  CompiledFunction,
  FunctionOptions,
  FunctionProfile,
  Update,
  Given,
  InputsValue,
  OutputsValue,
  FunctionArgs,
  InputSpec,
  CopyOptions,
} from './compile/function.js';
export { In, FunctionInput } from './compile/io.js';
import { installEval } from './compile/eval.js';
import { installDebugprintIds } from './printing/debugprint.js';
// the layers below may not import compile/ and printing/: the entry connects them (a call here, not a bare
// import, so that bundlers honouring "sideEffects": false keep it)
installEval();
installDebugprintIds();
export { clone, cloneReplace } from './compile/clone.js';
export type { CloneOptions } from './compile/clone.js';
export * as graph from './graph-api.js';
export type { EvalValues } from './tensor/tensor.js';
export type { PrintOptions, PrintAttr } from './tensor/print.js';
export type { InOptions, PositionalArgs, NamedArgs } from './compile/io.js';
export type { StepProfile } from './codegen/linker.js';
export { NodeError } from './graph/evaluate.js';
export { LinAlgError } from './runtime/linalg.js';
export { shared, SharedVariable } from './tensor/shared.js';
export type { SharedOptions } from './tensor/shared.js';
export { Tensor } from './tensor/tensor.js';
export { NDArray } from './runtime/ndarray.js';
export { toNDArray, castArray } from './runtime/convert.js';
export type { ArrayLikeInput, ConvertOptions } from './runtime/convert.js';
export { array, asarray, fromTypedArray, zeros, ones, full, arange, linspace } from './runtime/values.js';
export type { AsarrayOptions, FillOptions } from './runtime/values.js';
export { save, load, saveBytes, loadBytes, metadataOf } from './runtime/serialize.js';
export type { SaveParams } from './runtime/serialize.js';
export type { InputValue, OutputValue, ScalarInput, TypedArray, DTypeOfValue, RankOfValue } from './runtime/values.js';
export { grad, Lop, Rop, jacobian, hessian } from './grad/grad.js';
export { scan, map, reduce, foldl, foldr } from './tensor/scan.js';
export type {
  ScanOptions,
  ScanOutputs,
  ScanUpdates,
  SequenceSpec,
  OutputSpec,
  StepArgs,
  StepResult,
} from './tensor/scan.js';
export { ifelse } from './tensor/ifelse.js';
export { RandomStreams, RandomStream } from './tensor/random.js';
export type {
  RandomSize,
  RandomParam,
  UniformOptions,
  NormalOptions,
  BinomialOptions,
  BernoulliOptions,
  IntegersOptions,
  ChoiceOptions,
} from './tensor/random.js';
export type { IfElseOptions } from './tensor/ifelse.js';
export type { GradOptions, GradResult } from './grad/grad.js';
export { Mode, FAST_RUN, FAST_COMPILE, DEBUG } from './rewrite/pipeline.js';
export { debugOptions } from './compile/debug.js';
export type { ModeName, OptimizationProfile, Linker } from './rewrite/pipeline.js';
export * as rewrite from './rewrite/index.js';
export * as onnx from './onnx/index.js';
export { rule } from './rewrite/engine.js';
export type { Rule, Pass } from './rewrite/engine.js';
export { pp } from './printing/pp.js';
export { debugprint } from './printing/debugprint.js';
export type { DebugprintOptions } from './printing/debugprint.js';
export * as printing from './printing/index.js';
export { Variable, Apply } from './graph/variable.js';
export { FunctionGraph } from './graph/function-graph.js';
export type { OpDef, Pullback, PrintSpec } from './graph/op.js';
export { DTYPES, UPCAST, UPGRADE_TO_FLOAT, upcast } from './types/dtype.js';
export type {
  DType,
  FloatDType,
  IntDType,
  IntegralDType,
  NumericDType,
  Upcast,
  UpgradeToFloat,
  ScalarValue,
} from './types/dtype.js';
export type { Rank, MaxRank, Dec, Shape, Nested } from './types/rank.js';
export { TensorType } from './types/tensor-type.js';
