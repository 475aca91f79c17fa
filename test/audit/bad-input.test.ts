/**
 * The audit of bad input: every mistake a user may make at each door (building a graph, compiling a function,
 * calling it, making arrays and shared variables), one row each. A row is a description, the action, and what
 * the error message must contain (the variable's name, expected and actual dtype or shape, the node where it
 * failed). A new entry point adds its rows here.
 *
 * Every row also checks that no shared variable changed: the fixtures' shared variables are read before and
 * after each action, so a call that throws midway (after some update values were computed) leaves state as it was.
 *
 * AUDIT_PRINT=1 prints every row's message (to read them all at once).
 */
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import { NDArray } from '../../src/index.js';

const T = theano.tensor;
const any = (x: unknown) => x as never;

type When = 'build' | 'compile' | 'call';
interface Row {
  readonly what: string;
  readonly when: When;
  readonly action: () => unknown;
  /** Every entry must appear in (string) or match (RegExp) the message. */
  readonly message: readonly (string | RegExp)[];
}

// ---------------------------------------------------------------------------------------------------------------
// fixtures: inputs of every kind, and shared state that throwing calls must leave alone

const x = T.dvector('x');
const y = T.dvector('y');
const m = T.dmatrix('m');
const i = T.ivector('i');
const n = T.lscalar('n');
const f32 = T.fvector('v32');
const b = T.tensor('bool', 1, 'flags');
const r = T.drow('r');
const w = theano.shared([1, 2, 3], { name: 'w' });
const count = theano.shared(0, { dtype: 'int32', name: 'count' });
const table = theano.shared(
  [
    [1, 2],
    [3, 4],
  ],
  { name: 'table' },
);
// random draws: their states are shared variables with default updates, which a throwing call must not advance
const srng = new theano.RandomStreams(7);
const lowHigh = T.dscalars('low', 'high');
const probability = T.dscalar('p');
const drawUniform = theano.function(lowHigh, srng.uniform([3], { low: lowHigh[0], high: lowHigh[1] }));
const drawBinomial = theano.function([probability], srng.binomial([3], { n: 5, p: probability }));
const drawChoice = theano.function([n], srng.choice(4, [n], { replace: false }));
const drawSized = theano.function([n], srng.normal([n, 2]));
const drawThenReshape = theano.function([x], [srng.normal([3]), x.reshape([2, 3])], { name: 'drawThenReshape' });
const allShared = [w, count, table, ...srng.states];

/** A training-like step: every call updates w and count; the outputs may fail after the updates are computed. */
const stepIn = (mode: theano.ModeName, nanGuard = false) =>
  theano.function([x, y, i], [x.add(y).sum(), T.take(w, i).sum()], {
    updates: [
      [w, w.mul(0.5)],
      [count, count.add(1)],
    ],
    mode,
    nanGuard,
    name: `step ${mode}${nanGuard ? ' nanGuard' : ''}`,
  });
const step = stepIn('FAST_RUN');
const stepFast = stepIn('FAST_COMPILE');
const stepDebug = stepIn('DEBUG');
const stepGuard = stepIn('FAST_RUN', true);
/** Fails in a node that runs after the update values (alloc of n*n elements). */
// the alloc is an output, so no rewrite may drop it (a sum of zeros is folded away)
const big = theano.function([n], [T.alloc(0, n, n), table.sum()], {
  updates: [[table, table.add(1)]],
  name: 'big',
});
/** The update values themselves fail: count's new value is computed, w's throws; neither may be written. */
const updateFailsIn = (mode: theano.ModeName) =>
  theano.function([x], x.sum(), {
    updates: [
      [count, count.add(1)],
      [w, w.add(x)],
    ],
    mode,
    name: `accumulate ${mode}`,
  });
const accumulate = updateFailsIn('FAST_RUN');
const accumulateFast = updateFailsIn('FAST_COMPILE');
/** nanGuard stops at the first NaN: after count's new value, before anything is written. */
const guarded = theano.function([x], T.log(x).sum(), {
  updates: [[count, count.add(1)]],
  nanGuard: true,
  name: 'guarded',
});
/** A fused elementwise kernel whose output is too large (an outer sum). */
// scan: a loop over x for n steps, and a recurrence whose state changes shape
const scanOver = theano.function(
  [x, n],
  theano.scan((xt, acc) => acc.add(xt), {
    sequences: [x],
    outputsInfo: T.constant(0),
    nSteps: n,
    name: 'running',
  })[0],
  { name: 'scanOver' },
);
const scanGrowing = theano.function(
  [x],
  theano.scan((prev) => T.concatenate([prev, prev]), { outputsInfo: x, nSteps: 2, name: 'doubling' })[0],
  { name: 'scanGrowing' },
);
const scanTaps = theano.function(
  [x],
  theano.scan((a, bb) => a.add(bb), { outputsInfo: [{ initial: x, taps: [-2, -1] }], nSteps: 3, name: 'fib' })[0],
  { name: 'scanTaps' },
);
const outer = theano.function([x], x.dimshuffle(0, 'x').add(x.dimshuffle('x', 0)).exp(), { name: 'outer' });
const double = theano.function([x], x.mul(2), { name: 'double' });
const ints = theano.function([i], i.add(1), { name: 'ints' });
const longs = theano.function([n], n.add(1), { name: 'longs' });
const flagsFn = theano.function([b], b.sum(), { name: 'flags' });
const floats = theano.function([f32], f32.mul(2), { name: 'floats' });
const rowFn = theano.function([r], r.mul(2), { name: 'rowFn' });
const matFn = theano.function([m, x], T.dot(m, x), { name: 'matvec' });
const reshaper = theano.function([x], x.reshape([2, 3]), { name: 'reshaper' });
const data6 = new Float64Array(6);

// ---------------------------------------------------------------------------------------------------------------
// the table

const rows: Row[] = [
  // --- arrays and values: new NDArray, theano.array, theano.shared, setValue
  {
    what: 'NDArray whose strides run past the buffer',
    when: 'build',
    action: () => new NDArray('float64', [3], data6, [3]),
    message: ['NDArray: shape (3,) with strides [3] and offset 0 reaches elements 0 to 6, but the data holds 6'],
  },
  {
    what: 'NDArray with a negative offset',
    when: 'build',
    action: () => new NDArray('float64', [2], data6, [1], -1),
    message: ['NDArray: offset must be a non-negative integer, got -1'],
  },
  {
    what: 'NDArray whose negative stride reaches before the buffer',
    when: 'build',
    action: () => new NDArray('float64', [3], data6, [-2], 2),
    message: ['reaches elements -2 to 2'],
  },
  {
    what: 'NDArray with an offset past the end',
    when: 'build',
    action: () => new NDArray('float64', [6], data6, undefined, 1),
    message: ['shape (6,) with offset 1 reaches elements 1 to 6, but the data holds 6'],
  },
  {
    what: 'NDArray with an unknown dtype',
    when: 'build',
    action: () => new NDArray(any('float65'), [3], any(data6)),
    message: ["NDArray: unknown dtype 'float65'; expected one of bool, int8"],
  },
  {
    what: "NDArray whose data is not its dtype's typed array",
    when: 'build',
    action: () => new NDArray('int32', [3], any(data6)),
    message: ['NDArray: dtype int32 keeps its data in a Int32Array, got a Float64Array'],
  },
  {
    what: 'NDArray with one stride too few',
    when: 'build',
    action: () => new NDArray('float64', [2, 3], data6, [3]),
    message: ['NDArray: 1 strides for shape (2, 3); expected 2'],
  },
  {
    what: 'NDArray with a negative size',
    when: 'build',
    action: () => new NDArray('float64', [-2], data6),
    message: ['NDArray: invalid shape [-2]'],
  },
  {
    what: 'theano.array of a ragged nested array',
    when: 'build',
    action: () => theano.array(any([[1, 2], [3]])),
    message: ['array: ragged nested array: value[1] has length 1, expected length 2'],
  },
  {
    what: 'theano.array of an array-like object',
    when: 'build',
    action: () => theano.array(any({ length: 2, 0: 1, 1: 2 })),
    message: ['array: got an array-like object of length 2, not an array: pass Array.from(value)'],
  },
  {
    what: 'theano.array of a string',
    when: 'build',
    action: () => theano.array(any('1.5')),
    message: ["array: the value is a string ('1.5'), not a number"],
  },
  {
    what: 'theano.array of an ArrayBuffer',
    when: 'build',
    action: () => theano.array(any(new ArrayBuffer(8))),
    message: ['array: got an ArrayBuffer: wrap it in a typed array'],
  },
  {
    what: 'theano.shared of a symbolic variable',
    when: 'build',
    action: () => theano.shared(any(x)),
    message: ["shared variable: got a symbolic variable ('x', float64 vector), not a value"],
  },
  {
    what: 'theano.shared with an unknown dtype',
    when: 'build',
    action: () => theano.shared(1, { dtype: any('float65') }),
    message: ['shared: unknown dtype float65'],
  },
  {
    what: 'theano.shared of a ragged nested array',
    when: 'build',
    action: () => theano.shared(any([[1], [2, 3]]), { name: 'ragged' }),
    message: ["shared variable 'ragged': ragged nested array: value[1] has length 2, expected length 1"],
  },
  {
    what: 'theano.array to an unknown dtype',
    when: 'build',
    action: () => theano.array([1], { dtype: any('float65') }),
    message: ['array: unknown dtype float65; expected one of bool, int8'],
  },
  {
    what: 'theano.array of a fraction as int32 (the hint names its own option)',
    when: 'build',
    action: () => theano.array([0.5], { dtype: 'int32' }),
    message: [
      'array: expected dtype int32, but element 0 does not fit: 0.5 is not an integer (pass allowDowncast: true to convert it)',
    ],
  },
  {
    what: 'castArray to an unknown dtype',
    when: 'build',
    action: () => theano.castArray(theano.array([1]), any('float65')),
    message: ['castArray: unknown dtype float65'],
  },
  {
    what: 'NDArray.get with a string index',
    when: 'call',
    action: () => theano.array([1, 2]).get(any('0')),
    message: ["NDArray.get: index 0 is the string '0'; indices are integers"],
  },
  {
    what: 'theano.shared of a plain object',
    when: 'build',
    action: () => theano.shared(any({ a: 1 })),
    message: [
      'shared variable: got a plain object, which is not a number, a nested array, a typed array or an NDArray',
    ],
  },
  {
    what: 'theano.shared of undefined',
    when: 'build',
    action: () => theano.shared(any(undefined), { name: 'u' }),
    message: ["shared variable 'u': the value is undefined, not a number"],
  },
  {
    what: 'T.constant to an unknown dtype',
    when: 'build',
    action: () => T.constant(1, { dtype: any('float65') }),
    message: ['constant: unknown dtype float65'],
  },
  {
    what: 'T.constant of a fraction as int32 (no function option applies)',
    when: 'build',
    action: () => T.constant(1.5, { dtype: 'int32', name: 'c' }),
    message: [
      "constant 'c': expected dtype int32, but element 0 does not fit: 1.5 is not an integer (a constant takes only values that convert without loss",
    ],
  },
  {
    what: 'take with fractional constant indices',
    when: 'build',
    action: () => T.take(x, any([0.5])),
    message: [
      'take indices: expected dtype int64, but element 0 does not fit: 0.5 is not an integer (indices are integers)',
    ],
  },
  {
    what: 'setValue of the wrong rank',
    when: 'call',
    action: () => w.setValue(any([[1, 2, 3]])),
    message: ["shared variable 'w': expected a float64 vector, got shape (1, 3)", 'expected rank 1, got rank 2'],
  },
  {
    what: 'setValue of a fraction into an int32 variable',
    when: 'call',
    action: () => count.setValue(any(1.5)),
    message: [
      "shared variable 'count': expected dtype int32, but element 0 does not fit: 1.5 is not an integer (a shared variable takes only values that convert without loss: convert it first)",
    ],
  },
  {
    what: 'setValue of a symbolic variable',
    when: 'call',
    action: () => w.setValue(any(x)),
    message: ["shared variable 'w': got a symbolic variable ('x', float64 vector), not a value"],
  },

  // --- building graphs: constructors, axes, sizes, types
  {
    what: 'T.tensor with an unknown dtype',
    when: 'build',
    action: () => T.tensor(any('float65'), 1),
    message: ['T.tensor: unknown dtype float65'],
  },
  {
    what: 'T.tensor with a rank past the maximum',
    when: 'build',
    action: () => T.tensor('float64', any(9)),
    message: ['T.tensor: rank must be an integer in [0, '],
  },
  {
    what: "a string axis: m.sum('1')",
    when: 'build',
    action: () => m.sum(any('1')),
    message: ["sum: '1' is a string, not an axis: an axis is an integer; pass the number 1"],
  },
  {
    what: 'an axis out of range: m.sum(2)',
    when: 'build',
    action: () => m.sum(any(2)),
    message: ['sum: axis 2 is out of range for a tensor of rank 2'],
  },
  {
    what: 'a fractional axis: m.mean(0.5)',
    when: 'build',
    action: () => m.mean(any(0.5)),
    message: ['mean: axis 0.5 is out of range for a tensor of rank 2'],
  },
  {
    what: 'a repeated axis: m.max([0, -2])',
    when: 'build',
    action: () => m.max(any([0, -2])),
    message: ['max: repeated axis in [0, -2]'],
  },
  {
    what: "a string axis in a list: m.prod([0, '1'])",
    when: 'build',
    action: () => m.prod(any([0, '1'])),
    message: ["prod: '1' is a string, not an axis"],
  },
  {
    what: "a string axis: m.argmax('0')",
    when: 'build',
    action: () => m.argmax(any('0')),
    message: ["argmax: '0' is a string, not an axis"],
  },
  {
    what: 'a symbolic axis: m.var(n)',
    when: 'build',
    action: () => m.var(any(n)),
    message: ['var: a symbolic tensor cannot be an axis: axes are fixed when the graph is built'],
  },
  {
    what: 'softmax along an axis out of range',
    when: 'build',
    action: () => T.softmax(m, any(2)),
    message: ['softmax: axis 2 is out of range for a tensor of rank 2'],
  },
  {
    what: 'logsumexp along a string axis',
    when: 'build',
    action: () => T.logsumexp(m, any('1')),
    message: ["logsumexp: '1' is a string, not an axis"],
  },
  {
    what: 'concatenate along an axis out of range',
    when: 'build',
    action: () => T.concatenate([x, y], any(1)),
    message: ['concatenate: axis 1 is out of range for a tensor of rank 1'],
  },
  {
    what: 'stack along a string axis',
    when: 'build',
    action: () => T.stack([x, y], any('0')),
    message: ["stack: '0' is a string, not an axis"],
  },
  {
    what: 'expandDims past the new rank',
    when: 'build',
    action: () => x.expandDims(any(3)),
    message: ['expandDims: axis 3 is out of range for a tensor of rank 2'],
  },
  {
    what: 'cumsum along a bigint axis',
    when: 'build',
    action: () => T.cumsum(m, any(1n)),
    message: ['cumsum: 1n is a bigint, not an axis: pass the number 1'],
  },
  {
    what: 'take along an axis out of range',
    when: 'build',
    action: () => T.take(m, i, any(2)),
    message: ['take: axis 2 is out of range for float64 matrix'],
  },
  {
    what: 'tensordot over an axis out of range',
    when: 'build',
    action: () => T.tensordot(m, m, any([[0], [5]])),
    message: ['tensordot: axis 5 is out of range for a tensor of rank 2'],
  },
  {
    what: 'x.shape of a string axis',
    when: 'build',
    action: () => m.shape(any('0')),
    message: ["shape: '0' is a string, not an axis"],
  },
  {
    what: 'argmax along a list of axes',
    when: 'build',
    action: () => m.argmax(any([0, 1])),
    message: ['argmax: a list of axes ([0, 1]) where one axis is expected'],
  },
  {
    what: 'a reduction option misspelt (keepdim)',
    when: 'build',
    action: () => m.sum(0, any({ keepdim: true })),
    message: ["sum: unknown option 'keepdim'; the options are keepdims, dtype"],
  },
  {
    what: 'a reduction to an unknown dtype',
    when: 'build',
    action: () => m.prod(0, { dtype: any('float65') }),
    message: ['prod: unknown dtype float65'],
  },
  {
    what: 'keepdims that is not a boolean',
    when: 'build',
    action: () => m.max(0, { keepdims: any(1) }),
    message: ['max: keepdims must be true or false, got number 1'],
  },
  {
    what: 'split along a string axis',
    when: 'build',
    action: () => T.split(x, [1, 2], any('0')),
    message: ["split: '0' is a string, not an axis"],
  },
  {
    what: 'repeat along an axis out of range',
    when: 'build',
    action: () => T.repeat(m, 2, any(-3)),
    message: ['repeat: axis -3 is out of range for a tensor of rank 2'],
  },
  {
    what: 'roll along a string axis',
    when: 'build',
    action: () => T.roll(m, 1, any('1')),
    message: ["roll: '1' is a string, not an axis"],
  },
  {
    what: 'squeeze of a string axis',
    when: 'build',
    action: () => m.squeeze(any('0')),
    message: ["squeeze: '0' is a string, not an axis"],
  },
  {
    what: 'logSoftmax along a string axis',
    when: 'build',
    action: () => T.logSoftmax(m, any('0')),
    message: ["logSoftmax: '0' is a string, not an axis"],
  },
  {
    what: "a dimshuffle pattern of strings ('1', 0)",
    when: 'build',
    action: () => m.dimshuffle(any('1'), any(0)),
    message: ["dimshuffle: pattern entry 0 is the string '1'; an entry is an input axis (an integer) or 'x'"],
  },
  {
    what: 'a dimshuffle pattern naming a missing axis',
    when: 'build',
    action: () => m.dimshuffle(any(2), any(0)),
    message: ['dimshuffle: axis 2 is out of range for an input of rank 2'],
  },
  {
    what: 'flatten to a string rank',
    when: 'build',
    action: () => m.flatten(any('1')),
    message: ["flatten: ndim must be an integer, got the string '1'"],
  },
  {
    what: 'indexing with a string',
    when: 'build',
    action: () => x.get(any('0')),
    message: [
      "x.get: index 0 must be an integer, an integer scalar tensor, T.slice(...) or T.newaxis; got the string '0'",
    ],
  },
  {
    what: 'T.alloc too large for one array',
    when: 'build',
    action: () => T.alloc(0, 100000, 100000),
    message: [
      'alloc: shape (100000, 100000) has 10000000000 elements (80 GB of float64), more than the 4294967296 elements one array may hold',
    ],
  },
  {
    what: 'T.zeros too large for one array (int8: bytes follow the dtype)',
    when: 'build',
    action: () => T.zeros([70000, 70000], 'int8'),
    message: ['alloc: shape (70000, 70000) has 4900000000 elements (4.9 GB of int8)'],
  },
  {
    what: 'T.zeros with an unknown dtype',
    when: 'build',
    action: () => T.zeros([2], any('float65')),
    message: ['zeros', 'float65'],
  },
  {
    what: 'cast to an unknown dtype',
    when: 'build',
    action: () => x.cast(any('double')),
    message: ['cast', 'double'],
  },
  {
    what: 'adding tensors whose static shapes cannot broadcast',
    when: 'build',
    action: () => T.tensor('float64', [2, 3]).add(T.tensor('float64', [4, 3])),
    message: ['add', '(2, 3)', '(4, 3)'],
  },
  {
    what: 'dot whose product would have a rank above 8',
    when: 'build',
    action: () => T.dot(any(T.tensor('float64', 5, 't')), any(T.tensor('float64', 6, 'u'))),
    message: ['dot: the product of float64 tensor5 and float64 tensor6 would have rank 9, above 8'],
  },
  {
    what: 'a bitwise op on floats',
    when: 'build',
    action: () => T.and(any(x), any(y)),
    message: ['and: input 0 is float64, but and takes only integer or bool inputs'],
  },
  {
    what: 'reshape with two unknown sizes',
    when: 'build',
    action: () => x.reshape(any([-1, -1])),
    message: ['reshape', '-1'],
  },
  {
    what: 'a string as an operand',
    when: 'build',
    action: () => x.add(any('1')),
    message: ['add', 'string'],
  },
  {
    what: 'grad of a non-scalar cost',
    when: 'build',
    action: () => T.grad(any(x.mul(2)), x),
    message: ['grad', 'scalar', 'float64 vector'],
  },
  {
    what: 'grad of an integer cost',
    when: 'build',
    action: () => T.grad(any(i.sum()), any(i)),
    message: ['grad', 'int64'],
  },
  {
    what: 'grad with respect to a number',
    when: 'build',
    action: () => T.grad(x.sum(), any(3)),
    message: ['grad: wrt 0 is not a symbolic variable'],
  },

  // --- random draws
  {
    what: 'a random draw of negative size',
    when: 'build',
    action: () => srng.normal([3, -2]),
    message: ['normal: sizes must be non-negative integers, got size [3, -2]'],
  },
  {
    what: 'uniform with an integer dtype',
    when: 'build',
    action: () => srng.uniform([3], { dtype: any('int32') }),
    message: ['uniform: dtype must be float32 or float64, got int32'],
  },
  {
    what: 'uniform with low above high',
    when: 'call',
    action: () => drawUniform(3, 1),
    message: ['uniform: low (3) must be finite and not exceed high (1)', 'in node: random_uniform'],
  },
  {
    what: 'binomial with p outside [0, 1]',
    when: 'call',
    action: () => drawBinomial(1.5),
    message: ['binomial: p must be in [0, 1], got 1.5', 'p: float64()'],
  },
  {
    what: 'choice without replacement of more than the population',
    when: 'call',
    action: () => drawChoice(5),
    message: ['choice: cannot take 5 draws without replacement from a population of 4'],
  },
  {
    what: 'a symbolic size that is negative at run time',
    when: 'call',
    action: () => drawSized(-1),
    message: ['normal: sizes must be non-negative integers, got size (-1, 2)'],
  },
  {
    what: 'a call that fails after its draw leaves the generator state as it was',
    when: 'call',
    action: () => drawThenReshape([1, 2, 3, 4, 5]),
    message: ['cannot reshape an array of shape (5,)'],
  },
  // --- compiling: inputs, outputs, updates, givens, options
  {
    what: 'inputs not in a list',
    when: 'compile',
    action: () => theano.function(any(x), x),
    message: [
      "function: inputs must be a list of variables, got a symbolic variable ('x', float64 vector) (write [x] for one input)",
    ],
  },
  {
    what: 'a number among the inputs',
    when: 'compile',
    action: () => theano.function(any([x, 3]), x),
    message: ['function: input 1 is not a symbolic variable (got number 3)'],
  },
  {
    what: 'a shared variable among the inputs',
    when: 'compile',
    action: () => theano.function([any(w)], x),
    message: [
      "function: input 0 ('w') is a shared variable; shared variables are implicit inputs and cannot be listed",
    ],
  },
  {
    what: 'a constant among the inputs',
    when: 'compile',
    action: () => theano.function([T.constant(1)], x),
    message: ['function: input 0 is a constant, not an input'],
  },
  {
    what: 'an input listed twice',
    when: 'compile',
    action: () => theano.function([x, x], x),
    message: ["function: input 1 ('x') is listed twice (also as input 0)"],
  },
  {
    what: 'a number as an output',
    when: 'compile',
    action: () => theano.function([x], any(3)),
    message: ['function: output 0 is not a symbolic variable (got number 3)'],
  },
  {
    what: 'an NDArray as an output',
    when: 'compile',
    action: () => theano.function([x], any([x, theano.array([1])])),
    message: ['function: output 1 is not a symbolic variable (got an NDArray of float64, shape (1,))'],
  },
  {
    what: 'no outputs at all',
    when: 'compile',
    action: () => (theano.function as (...a: unknown[]) => unknown)([x]),
    message: ['function: no outputs given'],
  },
  {
    what: 'a missing input',
    when: 'compile',
    action: () => theano.function([x], x.add(y)),
    message: ["function: missing input: the outputs depend on 'y' (float64 vector), which is not among the inputs"],
  },
  {
    what: 'an unused input',
    when: 'compile',
    action: () => theano.function([x, y], x.mul(2)),
    message: ["function: input 1 ('y') is not used to compute any output (pass onUnusedInput: 'warn' or 'ignore'"],
  },
  {
    what: 'an unknown onUnusedInput policy',
    when: 'compile',
    action: () => theano.function([x], x, { onUnusedInput: any('silent') }),
    message: ["function: onUnusedInput must be 'raise', 'warn' or 'ignore', got the string 'silent'"],
  },
  {
    what: 'an unknown mode',
    when: 'compile',
    action: () => theano.function([x], x, { mode: any('FAST') }),
    message: ["function: unknown mode FAST: use 'FAST_RUN', 'FAST_COMPILE' or 'DEBUG'"],
  },
  {
    what: 'a misspelt grad option',
    when: 'build',
    action: () => T.grad(x.sum(), x, any({ considerConstants: [] })),
    message: ["grad: unknown option 'considerConstants' (did you mean 'considerConstant'?)"],
  },
  {
    what: 'a number as an evaluation point of Lop',
    when: 'build',
    action: () => theano.Lop(x, x, any(3)),
    message: ['Lop: evaluation point 0 is the number 3, not a symbolic tensor (wrap data with T.constant)'],
  },
  {
    what: 'a string as an evaluation point of Rop',
    when: 'build',
    action: () => theano.Rop(x, x, any('v')),
    message: ['Rop: evaluation point 0 is the string v, not a symbolic tensor'],
  },
  {
    what: 'a misspelt pass name in Mode.excluding',
    when: 'compile',
    action: () => theano.FAST_RUN.excluding('stabilise'),
    message: ["Mode.excluding: no pass, rule or tag is named 'stabilise' (did you mean 'stabilize'?)"],
  },
  {
    what: 'an unknown rule name in Mode.including',
    when: 'compile',
    action: () => theano.FAST_COMPILE.including('my_rule'),
    message: ["Mode.including: no pass, rule or tag is named 'my_rule'; add your own rules with withRules first"],
  },
  {
    what: 'an unknown option (a typo)',
    when: 'compile',
    action: () => theano.function([x], x, any({ update: [] })),
    message: ["function: unknown option 'update' (did you mean 'updates'?); the options are updates, givens"],
  },
  {
    what: 'an unknown option (no near name)',
    when: 'compile',
    action: () => theano.function([x], x, any({ device: 'gpu' })),
    message: ["function: unknown option 'device'; the options are"],
  },
  {
    what: 'options that are not an object',
    when: 'compile',
    action: () => theano.function([x], x, any('FAST_RUN')),
    message: ["function: options must be an object ({ updates, givens, mode, ... }), got the string 'FAST_RUN'"],
  },
  {
    what: 'a flag that is not a boolean',
    when: 'compile',
    action: () => theano.function([x], x, { allowInputDowncast: any('yes') }),
    message: ["function: allowInputDowncast must be true or false, got the string 'yes'"],
  },
  {
    what: 'an update of a non-shared variable',
    when: 'compile',
    action: () => theano.function([x], x, { updates: [any([x, x.add(1)])] }),
    message: ["function: an update target must be a shared variable, got a symbolic variable ('x', float64 vector)"],
  },
  {
    what: 'an update of another rank (a reshape, not a cast)',
    when: 'compile',
    action: () => theano.function([x], x, { updates: [any([w, w.sum()])] }),
    message: [
      "function: the update of shared variable 'w' has type float64 scalar, but the variable is float64 vector",
      'float64 vector: the ranks differ (0 vs 1), which a cast cannot fix; reshape the new value to rank 1 (.reshape, .dimshuffle, T.fill) or update a variable of rank 0',
    ],
  },
  {
    what: 'an update of another rank and dtype',
    when: 'compile',
    action: () => theano.function([x], x, { updates: [any([count, x])] }),
    message: ['the ranks differ (1 vs 0)', "; the dtypes differ too (.cast('int32'))"],
  },
  {
    what: 'an update of another dtype',
    when: 'compile',
    action: () => theano.function([x], x, { updates: [any([count, count.add(0.5)])] }),
    message: [
      "function: the update of shared variable 'count' has type float64 scalar, but the variable is int32 scalar (use .cast('int32') to convert)",
    ],
  },
  {
    what: 'the same shared variable updated twice',
    when: 'compile',
    action: () =>
      theano.function([x], x, {
        updates: [
          [w, w.add(1)],
          [w, w.add(2)],
        ],
      }),
    message: ["function: the update of shared variable 'w' is given twice"],
  },
  {
    what: 'a lone update pair not wrapped in a list',
    when: 'compile',
    action: () => theano.function([x], x, { updates: any([w, w.add(1)]) }),
    message: [
      "function: updates must be a list of [shared, newValue] pairs; item 0 is a symbolic variable ('w', float64 vector) (for one pair write updates: [[a, b]])",
    ],
  },
  {
    what: 'an update value that is data, not an expression',
    when: 'compile',
    action: () => theano.function([x], x, { updates: [any([w, [1, 2, 3]])] }),
    message: [
      "function: the update of shared variable 'w' must be a symbolic expression, got a nested array of rank 1",
    ],
  },
  {
    what: 'updates given as a plain object',
    when: 'compile',
    action: () => theano.function([x], x, { updates: any({ w: w.add(1) }) }),
    message: ['function: updates must be a list of [shared, newValue] pairs or a Map, got an object'],
  },
  {
    what: 'a givens key that is not a variable',
    when: 'compile',
    action: () => theano.function([x], x, { givens: [any(['x', y])] }),
    message: ["function: a givens key must be a symbolic variable, got the string 'x'"],
  },
  {
    what: 'givens of the wrong type',
    when: 'compile',
    action: () => theano.function([y], x.mul(2), { givens: [any([x, m])] }),
    message: ['function: givens replace x of type float64 vector by one of type float64 matrix'],
  },
  {
    what: 'givens data that does not convert',
    when: 'compile',
    action: () => theano.function([], i.mul(2), { givens: [[i, [0.5]]] }),
    message: [
      "givens for 'i': expected dtype int32, but element 0 does not fit: 0.5 is not an integer (a given value must convert without loss: convert it first)",
    ],
  },

  // --- calling: argument count, kinds, dtypes, ranks, static shapes
  {
    what: 'too few arguments',
    when: 'call',
    action: () => (step as (...a: unknown[]) => unknown)([1], [1]),
    message: ["function 'step FAST_RUN': expected 3 arguments, got 2"],
  },
  {
    what: 'too many arguments',
    when: 'call',
    action: () => (double as (...a: unknown[]) => unknown)([1], [2]),
    message: ["function 'double': expected 1 argument, got 2"],
  },
  {
    what: 'undefined for an input',
    when: 'call',
    action: () => step([1], any(undefined), [0]),
    message: ["function 'step FAST_RUN', input 1 ('y'): expected a float64 vector, got undefined"],
  },
  {
    what: 'a symbolic variable as a value',
    when: 'call',
    action: () => double(any(x)),
    message: [
      "function 'double', input 0 ('x'): expected a float64 vector, got a symbolic variable ('x', float64 vector), not a value",
    ],
  },
  {
    what: 'a symbolic variable inside a nested array',
    when: 'call',
    action: () => double(any([1, y])),
    message: [
      "function 'double', input 0 ('x'): expected a float64 vector, but element 1 is a symbolic variable ('y', float64 vector), not a value: graph variables cannot be data",
    ],
  },
  {
    what: 'an array-like object',
    when: 'call',
    action: () => double(any({ length: 2, 0: 1, 1: 2 })),
    message: ["function 'double', input 0 ('x'): expected a float64 vector, got an array-like object of length 2"],
  },
  {
    what: 'a Map as a value',
    when: 'call',
    action: () => double(any(new Map())),
    message: [
      "function 'double', input 0 ('x'): expected a float64 vector, got a Map, which is not a number, a nested array",
    ],
  },
  {
    what: 'a string element',
    when: 'call',
    action: () => double(any(['1', 2])),
    message: [
      "function 'double', input 0 ('x'): expected a float64 vector, but element 0 is a string ('1'), not a number",
    ],
  },
  {
    what: 'NDArrays inside a nested array',
    when: 'call',
    action: () => matFn(any([theano.array([1, 2]), theano.array([3, 4])]), [1, 2]),
    message: [
      "function 'matvec', input 0 ('m'): expected a float64 matrix, but element 0 is an NDArray (float64, shape (2,)): nested arrays hold numbers",
    ],
  },
  {
    what: 'an update that depends on a variable that is not an input',
    when: 'compile',
    action: () => theano.function([x], x.sum(), { updates: [[w, w.add(y)]] }),
    message: [
      "function: missing input: the update of shared variable 'w' depends on 'y' (float64 vector), which is not among the inputs",
    ],
  },
  {
    what: 'null inside a nested array',
    when: 'call',
    action: () => double(any([1, null])),
    message: ["function 'double', input 0 ('x'): expected a float64 vector, but element 1 is null, not a number"],
  },
  {
    what: 'a matrix for a vector input',
    when: 'call',
    action: () => double(any([[1, 2]])),
    message: [
      "function 'double', input 0 ('x'): expected a float64 vector, got a nested array of rank 2, shape (1, 2)",
    ],
  },
  {
    what: 'an NDArray of the wrong rank',
    when: 'call',
    action: () => double(any(theano.array([[1, 2]]))),
    message: ["function 'double', input 0 ('x'): expected a float64 vector, got an NDArray of float64, shape (1, 2)"],
  },
  {
    what: 'a scalar for a vector input',
    when: 'call',
    action: () => double(any(3)),
    message: ["input 0 ('x'): expected a float64 vector, got number 3: expected rank 1, got rank 0"],
  },
  {
    what: 'a ragged nested array',
    when: 'call',
    action: () => matFn(any([[1, 2], [3]]), [1, 2]),
    message: ["function 'matvec', input 0 ('m'): ragged nested array: value[1] has length 1, expected length 2"],
  },
  {
    what: 'extra nesting in one row',
    when: 'call',
    action: () =>
      matFn(
        any([
          [1, 2],
          [3, [4]],
        ]),
        [1, 2],
      ),
    message: ["input 0 ('m'): ragged nested array (extra nesting at value[1][1])"],
  },
  {
    what: 'a row input with two rows (a static dimension)',
    when: 'call',
    action: () => rowFn(any([[1], [2]])),
    message: ["function 'rowFn', input 0 ('r'): expected a float64 row", 'shape (2, 1)'],
  },
  {
    what: 'a fraction for an int32 input',
    when: 'call',
    action: () => ints([1.5]),
    message: [
      "function 'ints', input 0 ('i'): expected dtype int32, but element 0 does not fit: 1.5 is not an integer",
    ],
  },
  {
    what: 'NaN for an int32 input',
    when: 'call',
    action: () => ints([1, NaN]),
    message: ['expected dtype int32, but element 1 does not fit: NaN is not an int32 (integers have no NaN)'],
  },
  {
    what: 'Infinity for an int32 input',
    when: 'call',
    action: () => ints([Infinity]),
    message: ['element 0 does not fit: Infinity is not an int32 (integers have no infinity)'],
  },
  {
    what: 'a value out of the int32 range',
    when: 'call',
    action: () => ints([2 ** 31]),
    message: ['2147483648 is out of the int32 range [-2147483648, 2147483647]'],
  },
  {
    what: 'a Float64Array for an int32 input',
    when: 'call',
    action: () => ints(any(new Float64Array([1]))),
    message: ["function 'ints', input 0 ('i'): expected dtype int32, got float64; converting would lose precision"],
  },
  {
    what: 'a Float64Array for a float32 input',
    when: 'call',
    action: () => floats(new Float64Array([0.1])),
    message: ["function 'floats', input 0 ('v32'): expected dtype float32, got float64"],
  },
  {
    what: 'a number beyond 2**53 for an int64 input',
    when: 'call',
    action: () => longs(2 ** 60),
    message: ["function 'longs', input 0 ('n'): expected dtype int64", 'is beyond 2**53: pass a bigint'],
  },
  {
    what: 'a bigint out of the int64 range',
    when: 'call',
    action: () => longs(2n ** 63n),
    message: ['9223372036854775808 is out of the int64 range'],
  },
  {
    what: 'a 2 for a bool input',
    when: 'call',
    action: () => flagsFn([true, any(2)]),
    message: ["function 'flags', input 0 ('flags'): expected dtype bool, but element 1 does not fit: 2 is not a bool"],
  },
  {
    what: 'a typed array with no dtype (Uint8ClampedArray)',
    when: 'call',
    action: () => double(any(new Uint8ClampedArray(2))),
    message: [
      "function 'double', input 0 ('x'): unsupported typed array Uint8ClampedArray (use a Float64Array, Float32Array",
    ],
  },
  {
    what: 'an ArrayBuffer as a value',
    when: 'call',
    action: () => double(any(new ArrayBuffer(16))),
    message: ["function 'double', input 0 ('x'): expected a float64 vector, got an ArrayBuffer"],
  },

  // --- calling: shapes known only at run time; every one fails after the update values are computed
  {
    what: 'inputs whose lengths do not broadcast (FAST_RUN)',
    when: 'call',
    action: () => step([1, 2], [1, 2, 3], [0]),
    message: ['(2,)', '(3,)'],
  },
  {
    what: 'inputs whose lengths do not broadcast (FAST_COMPILE)',
    when: 'call',
    action: () => stepFast([1, 2], [1, 2, 3], [0]),
    message: ['(2,)', '(3,)', 'in node: add'],
  },
  {
    what: 'inputs whose lengths do not broadcast (DEBUG)',
    when: 'call',
    action: () => stepDebug([1, 2], [1, 2, 3], [0]),
    message: ['(2,)', '(3,)'],
  },
  {
    what: 'inputs whose lengths do not broadcast (nanGuard)',
    when: 'call',
    action: () => stepGuard([1, 2], [1, 2, 3], [0]),
    message: ['(2,)', '(3,)', 'in node: add'],
  },
  {
    what: 'an index out of bounds at run time (FAST_RUN)',
    when: 'call',
    action: () => step([1], [1], [7]),
    message: ['take', 'index 7 is out of bounds', 'size 3'],
  },
  {
    what: 'an index out of bounds at run time (FAST_COMPILE)',
    when: 'call',
    action: () => stepFast([1], [1], [-4]),
    message: ['take', 'index -4 is out of bounds', 'size 3', 'in node: take'],
  },
  {
    what: 'an index out of bounds at run time (DEBUG)',
    when: 'call',
    action: () => stepDebug([1], [1], [3]),
    message: ['take', 'index 3 is out of bounds'],
  },
  {
    what: 'an alloc too large at run time names the size, the limit and the node',
    when: 'call',
    action: () => big(100000),
    message: [
      'cannot allocate 10000000000 float64 elements (80 GB): a typed array holds at most 4294967296 elements',
      'in node: alloc(',
      'n: int64()',
    ],
  },
  {
    what: 'an update value that fails after another was computed (FAST_RUN)',
    when: 'call',
    action: () => accumulate([1, 2]),
    message: ['add: shapes (3,) and (2,) do not broadcast', 'in node: add(w: float64(3,), x: float64(2,))'],
  },
  {
    what: 'an update value that fails after another was computed (FAST_COMPILE)',
    when: 'call',
    action: () => accumulateFast([1, 2]),
    message: ['add: shapes (3,) and (2,) do not broadcast', 'in node: add(w: float64(3,), x: float64(2,))'],
  },
  {
    what: 'nanGuard stopping at a NaN',
    when: 'call',
    action: () => guarded([1, -1]),
    message: ['NaN guard: output 0 of log has NaN at flat index 1', 'in node: log(x: float64(2,))'],
  },
  {
    what: 'a fused kernel whose output is too large names the size and the limit',
    when: 'call',
    action: () => outer(new Float64Array(100000)),
    message: ['cannot allocate 10000000000 float64 elements (80 GB): a typed array holds at most 4294967296 elements'],
  },
  {
    what: 'a reshape to a size the input does not have',
    when: 'call',
    action: () => reshaper([1, 2, 3, 4, 5]),
    message: [
      'reshape: cannot reshape an array of shape (5,) (5 elements) into shape (2, 3)',
      'in node: reshape(x: float64(5,))',
    ],
  },
  {
    what: 'a matrix-vector product with mismatched lengths',
    when: 'call',
    action: () =>
      matFn(
        [
          [1, 2],
          [3, 4],
        ],
        [1, 2, 3],
      ),
    message: ['dot', '(2, 2)', '(3,)'],
  },
  // --- scan: the step, its options, and the loop at run time
  {
    what: 'scan: the step returns fewer outputs than outputsInfo describes',
    when: 'build',
    action: () =>
      theano.scan((a) => a.add(1), { outputsInfo: [T.constant(0), T.constant(1)], nSteps: 2, name: 'pair' }),
    message: ["scan 'pair'", 'returns 1 output', 'outputsInfo describes 2'],
  },
  {
    what: 'scan: a recurrent output of another dtype than its initial value',
    when: 'build',
    action: () =>
      theano.scan((a) => T.cast(a, 'int32') as never, { outputsInfo: T.constant(0), nSteps: 2, name: 'counter' }),
    message: ["scan 'counter'", 'output 0', 'int32', 'float64', 'outputsInfo[0]'],
  },
  {
    what: 'scan: a recurrent output of another rank than its initial value',
    when: 'build',
    action: () => theano.scan((a) => any(T.stack([a, a])), { outputsInfo: T.constant(0), nSteps: 2, name: 'grow' }),
    message: ["scan 'grow'", 'output 0', 'vector', 'scalar'],
  },
  {
    what: 'scan: output taps deeper than the initial value has rows',
    when: 'build',
    action: () =>
      theano.scan((a, bb) => a.add(bb), {
        outputsInfo: [{ initial: T.constant([1]), taps: [-2, -1] }],
        nSteps: 2,
        name: 'fib',
      }),
    message: ["scan 'fib'", 'taps [-2,-1]', 'need 2 initial rows', 'has 1'],
  },
  {
    what: 'scan: output taps that are not negative',
    when: 'build',
    action: () => theano.scan((a) => a, { outputsInfo: [{ initial: x, taps: [0] }], nSteps: 2, name: 'ahead' }),
    message: ["scan 'ahead'", 'must be negative'],
  },
  {
    what: 'scan: a sequence that is a JS array, not a tensor',
    when: 'build',
    action: () => theano.scan(() => x, { sequences: any([[1, 2, 3]]), name: 'plain' }),
    message: ["scan 'plain'", 'sequence 0', 'an array', 'not a symbolic tensor'],
  },
  {
    what: 'scan: a non-sequence that is a string',
    when: 'build',
    action: () => theano.scan(() => x, { sequences: [x], nonSequences: any(['w']), name: 'weights' }),
    message: ["scan 'weights'", 'non-sequence 0', 'string'],
  },
  {
    what: 'scan: neither sequences nor nSteps',
    when: 'build',
    action: () => theano.scan((a) => a.add(1), { outputsInfo: T.constant(0), name: 'endless' }),
    message: ["scan 'endless'", 'give sequences or nSteps'],
  },
  {
    what: 'scan: a misspelt option',
    when: 'build',
    action: () => theano.scan(() => x, any({ outputsInfo: T.constant(0), nStep: 3 })),
    message: ["unknown option 'nStep'", "did you mean 'nSteps'"],
  },
  {
    what: 'scan: a step that is not a function',
    when: 'build',
    action: () => theano.scan(any('step'), { nSteps: 3, name: 'text' }),
    message: ["scan 'text'", 'must be a function'],
  },
  {
    what: 'scan: until that is not a scalar',
    when: 'build',
    action: () =>
      theano.scan((a) => ({ outputs: a.add(1), until: any(T.stack([a.gt(1), a.gt(2)])) }), {
        outputsInfo: T.constant(0),
        nSteps: 3,
        name: 'stop',
      }),
    message: ["scan 'stop'", 'until must be a boolean scalar'],
  },
  {
    what: 'scan: strict, and the step reads a variable it was not given',
    when: 'build',
    action: () =>
      theano.scan((a) => a.add(y.sum()), { outputsInfo: T.constant(0), nSteps: 3, strict: true, name: 'closed' }),
    message: ["scan 'closed'", "'y'", 'nonSequences'],
  },
  {
    what: 'scan: nSteps longer than the sequence',
    when: 'call',
    action: () => scanOver([1, 2, 3], 5),
    message: ["scan 'running'", 'sequence 0 has 3 rows', 'runs 5 steps'],
  },
  {
    what: 'scan: a step that changes the shape of its state',
    when: 'call',
    action: () => scanGrowing([1, 2]),
    message: ["scan 'doubling'", 'at step 0', 'recurrent output 0', '(4,)', '(2,)'],
  },
  {
    what: 'scan: an initial value with fewer rows than the taps need (known at run time)',
    when: 'call',
    action: () => scanTaps([1]),
    message: ["scan 'fib'", 'need 2 initial rows', 'has 1'],
  },
  // --- the API around functions (issue 17): In, named arguments, copy, eval, clone, Print, options
  {
    what: 'In with an unknown option (a Theano keyword)',
    when: 'build',
    action: () => theano.In(n, any({ value: 1, implicit: true })),
    message: ["In('n'): unknown option 'implicit'; the options are value, name, strict, mutable"],
  },
  {
    what: 'a named argument no input has',
    when: 'call',
    action: () => theano.function([x, theano.In(n, { value: 2n })], x.mul(n))([1], any({ nn: 3 })),
    message: ["no input is named 'nn' (did you mean 'n'?); the named inputs are 'x', 'n'"],
  },
  {
    what: 'an input with a default before one without',
    when: 'compile',
    action: () => theano.function([theano.In(n, { value: 2n }), x], x.mul(n)),
    message: ["input 1 ('x') has no default but comes after input 0 ('n'), which has one"],
  },
  {
    what: 'an expression as a function input',
    when: 'compile',
    action: () => theano.function([x.exp()], x.exp().add(1)),
    message: ['input 0 is an expression (exp of other variables), not a leaf', 'use givens'],
  },
  {
    what: 'two different variables named x',
    when: 'compile',
    action: () => theano.function([x], x.add(T.dvector('x'))),
    message: [/'x' \(float64 vector, id \d+; input 0 is another variable named 'x' \(id \d+\)\)/],
  },
  {
    what: 'copy with an unknown option',
    when: 'compile',
    action: () => theano.function([x], x.mul(w)).copy(any({ share_memory: true })),
    message: ["unknown option 'share_memory'; the options are swap, deleteUpdates, share, name, profile"],
  },
  {
    what: 'copy swapping a shared variable for one of another type',
    when: 'compile',
    action: () => theano.function([x], x.mul(w)).copy({ swap: new Map([[w, any(count)]]) }),
    message: ["swap replaces shared variable 'w' (float64 vector) by one of type int32 scalar"],
  },
  {
    what: 'eval by a name the graph does not have',
    when: 'call',
    action: () => x.mul(2).eval({ y: [1] }),
    message: ["eval: the expression has no input named 'y'; its inputs are 'x'"],
  },
  {
    what: 'clone replacing a variable by one of another rank',
    when: 'build',
    action: () => theano.clone(x.mul(2), { replace: [[x, any(m)]] }),
    message: ["clone: 'x' (float64 vector) cannot be replaced by one of type float64 matrix"],
  },
  {
    what: 'Print with an unknown attribute',
    when: 'build',
    action: () => theano.printing.Print('x', { attrs: any(['norm']) }),
    message: ["Print: unknown attribute the string 'norm'; the attributes are"],
  },
  {
    what: 'a test value of the wrong rank',
    when: 'build',
    action: () => T.dmatrix('tv', { testValue: any([1, 2]) }),
    message: ["the test value of 'tv': expected a float64 matrix"],
  },
  {
    what: 'a shape error found by test values while building',
    when: 'build',
    action: () => T.dot(T.dmatrix('p', { testValue: [[1, 2]] }), T.dvector('q', { testValue: [1, 2, 3] })),
    message: [
      'dot: shapes (1, 2) and (3,) are not aligned',
      "on test values of shapes: 'p' (float64 matrix) (1, 2), 'q' (float64 vector) (3,)",
    ],
  },
  {
    what: "Theano's Mode(linker='vm')",
    when: 'compile',
    action: () => new (theano.Mode as any)({ linker: 'vm' }),
    message: ["Mode: unknown linker 'vm'; the linkers are 'js'", "'reference'"],
  },
  {
    what: 'debugprint with an unknown option',
    when: 'build',
    action: () => theano.debugprint(x, any({ print_type: true })),
    message: ["debugprint: unknown option 'print_type'; the options are depth, maxNesting"],
  },
  {
    what: 'shared with a Theano keyword',
    when: 'build',
    action: () => theano.shared([1, 2], any({ borrow: true })),
    message: ["shared: unknown option 'borrow'; the options are name, dtype"],
  },
];

// ---------------------------------------------------------------------------------------------------------------
// the runner

const snapshot = () => allShared.map((s) => s.getArray().toArray());

describe('every bad input fails with a message that names what was wrong', () => {
  test('the table covers build, compile and call time', () => {
    const counts = { build: 0, compile: 0, call: 0 };
    for (const row of rows) counts[row.when]++;
    expect(rows.length).toBeGreaterThanOrEqual(60);
    expect(counts.build).toBeGreaterThan(10);
    expect(counts.compile).toBeGreaterThan(10);
    expect(counts.call).toBeGreaterThan(10);
  });

  test.each(rows.map((row) => [`${row.when}: ${row.what}`, row] as const))('%s', (_label, row) => {
    const before = snapshot();
    let error: unknown;
    try {
      row.action();
    } catch (e) {
      error = e;
    }
    if (process.env.AUDIT_PRINT)
      console.log(`--- ${row.what}\n${error instanceof Error ? error.message : `(no error)`}`);
    expect(error, 'the action should throw').toBeInstanceOf(Error);
    const message = (error as Error).message;
    for (const part of row.message) {
      if (typeof part === 'string') expect(message).toContain(part);
      else expect(message).toMatch(part);
    }
    // no row may leave state half-written: a call that throws changes no shared variable
    expect(snapshot()).toEqual(before);
  });

  test('the fixtures work on good input, and each successful call does update the shared variables', () => {
    expect(step([1, 2], [3, 4], [0, 2])).toEqual([10, 4]);
    expect(w.getValue().toArray()).toEqual([0.5, 1, 1.5]);
    expect(count.getValue()).toBe(1);
    expect(big(2)[1]).toBe(10);
    expect(accumulate([1, 1, 1])).toBe(3);
    expect(count.getValue()).toBe(2);
    expect(table.getValue().toArray()).toEqual([
      [2, 3],
      [4, 5],
    ]);
    w.setValue([1, 2, 3]);
    count.setValue(0);
    table.setValue([
      [1, 2],
      [3, 4],
    ]);
    expect(outer([0, 0]).toArray()).toEqual([
      [1, 1],
      [1, 1],
    ]);
  });
});
