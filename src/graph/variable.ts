import type { NDArray } from '../runtime/ndarray.js';
import type { TensorType } from '../types/tensor-type.js';
import type { OpDef } from './op.js';

let nextId = 0;

/** The id the next variable will get: every variable made after this call has an id at least this large. */
export const peekNextVariableId = (): number => nextId;

/** The mutable cell behind a shared variable; functions read it and write their updates into it. */
export interface SharedStorage {
  value: NDArray;
}

/**
 * A node's value in the graph. A variable with an `owner` is the output of an op application; one without is a
 * leaf: an input, a constant (`data`), or a shared variable (`storage`).
 */
export class Variable {
  declare private readonly __variableBrand: void;
  /** @internal A number unique to this variable, in creation order. */
  readonly id: number;
  /**
   * The runtime type: dtype, rank and the static sizes known (Theano's `x.type`).
   * @example T.dmatrix('x').type.toString() // 'float64 matrix'
   */
  readonly type: TensorType;
  /**
   * The op application that computed this variable, null for an input, constant or shared variable (Theano's
   * `x.owner`).
   * @example x.add(1).owner?.op.name // 'add'
   */
  readonly owner: Apply | null;
  /** @internal Which output of `owner` this variable is. */
  readonly index: number;
  /**
   * The name given at creation or with `named`, used by printing and error messages (Theano's `x.name`).
   * @example T.dscalar('lr').name // 'lr'
   */
  name: string | undefined;
  /** @internal Set on constants. */
  readonly data: NDArray | undefined;
  /** @internal Set on shared variables. */
  readonly storage: SharedStorage | undefined;
  /**
   * A value to check the graph with as it is built (Theano's `tag.test_value`): given to an input
   * (`T.dmatrix('x', { testValue })`), computed for every expression built from inputs that have one.
   * @example T.dvector('v', { testValue: [1, 2] }).sum().testValue // NDArray 3
   */
  testValue: NDArray | undefined;

  constructor(
    type: TensorType,
    owner: Apply | null = null,
    index = 0,
    name?: string,
    leaf: { data?: NDArray; storage?: SharedStorage } = {},
  ) {
    this.id = nextId++;
    this.type = type;
    this.owner = owner;
    this.index = index;
    this.name = name;
    this.data = leaf.data;
    this.storage = leaf.storage;
    this.testValue = undefined;
  }

  /**
   * Whether this is a constant (Theano's `Constant`), as `T.constant(2)` or a number in an expression.
   * @example T.constant(2).isConstant // true
   */
  get isConstant(): boolean {
    return this.data !== undefined;
  }
  /**
   * Whether this is a shared variable (`theano.shared`), whose value lives between function calls.
   * @example theano.shared(0).isShared // true
   */
  get isShared(): boolean {
    return this.storage !== undefined;
  }

  /**
   * @internal
   * A new variable of the same class and type, owned by `owner` (used when a graph is copied). Subclasses keep
   * their methods because the prototype is kept.
   */
  cloneWith(owner: Apply | null, index: number): this {
    const clone = Object.create(Object.getPrototypeOf(this) as object) as this;
    Object.assign(clone, this);
    // written in place (no second Object.assign of a fresh literal: this runs for every node of a copied graph)
    const writable = clone as { id: number; owner: Apply | null; index: number };
    writable.id = nextId++;
    writable.owner = owner;
    writable.index = index;
    return clone;
  }
}

let testValuesGiven = false;
/** Whether any variable was ever given a test value (until then, building a node never looks for them). */
export const anyTestValues = (): boolean => testValuesGiven;
/** Gives `v` a test value (see `Variable.testValue`). */
export function setTestValue(v: Variable, value: NDArray): void {
  testValuesGiven = true;
  v.testValue = value;
}

/** Where user code built a node, captured cheaply (the stack is formatted only when an error needs it). */
export type BuildTrace = Error | undefined;

/** One application of an op to input variables, producing output variables. */
export class Apply<P = unknown> {
  readonly op: OpDef<P>;
  readonly params: P;
  readonly inputs: Variable[];
  readonly outputs: Variable[];
  readonly trace: BuildTrace;

  constructor(
    op: OpDef<P>,
    params: P,
    inputs: readonly Variable[],
    makeOutputs: (node: Apply<P>) => Variable[],
    trace?: BuildTrace,
  ) {
    this.op = op;
    this.params = params;
    this.inputs = [...inputs];
    this.trace = trace;
    this.outputs = makeOutputs(this);
  }
}

/** The user-code line a node was built at: the first stack frame outside this package. */
export function buildSite(trace: BuildTrace): string | undefined {
  const stack = trace?.stack;
  if (!stack) return undefined;
  for (const line of stack.split('\n').slice(1)) {
    const frame = line.trim().replace(/^at\s+/, '');
    if (PACKAGE_DIR && frame.includes(PACKAGE_DIR)) continue;
    if (frame.includes('node:internal') || frame.includes('node_modules/vitest') || frame.includes('node_modules/tsx'))
      continue;
    return frame;
  }
  return undefined;
}

/** The folder this file was loaded from (src/ or dist/): frames inside it are ours, not the user's. */
const PACKAGE_DIR: string | undefined = (() => {
  const first = new Error().stack?.split('\n')[1] ?? '';
  const match = /(?:\(|at )((?:file:\/\/)?[^():]*?[/\\])(?:graph[/\\])?[^/\\():]+:\d+:\d+\)?$/.exec(first.trim());
  return match?.[1];
})();
