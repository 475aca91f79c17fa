/**
 * theano.printing.Print (in generated code and in the reference evaluator), test values checked as the graph is
 * built, f.profile.summary(), and the messages of issue 17 (unknown options, namesakes, leaves).
 */
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import { NDArray } from '../../src/index.js';

const T = theano.tensor;
const any = (x: unknown) => x as never;

describe('theano.printing.Print', () => {
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);

  test.each(['FAST_RUN', 'FAST_COMPILE'] as const)('reports on each call and is the identity (%s)', (mode) => {
    lines.length = 0;
    const x = T.dvector('x');
    const p = theano.printing.Print('x is', { attrs: ['shape', 'sum', 'min', 'max', '__str__'], log })(x);
    const f = theano.function([x], p.exp().add(1), { mode });
    const out = f([1, -2, 0.5]);
    expect(out.toArray()).toEqual([1, -2, 0.5].map((v) => Math.exp(v) + 1));
    expect(lines).toEqual([
      'x is shape = (3,)',
      'x is sum = -0.5',
      'x is min = -2',
      'x is max = 1',
      `x is __str__ = ${theano.array([1, -2, 0.5]).toString()}`,
    ]);
    f([4]);
    expect(lines.length).toBe(10);
    expect(lines[5]).toBe('x is shape = (1,)');
  });

  test('in generated code: a view step; the elementwise work after it is still one fused kernel', () => {
    const x = T.dvector('x');
    const f = theano.function(
      [x],
      theano.printing
        .Print('x', { log: () => {} })(x)
        .exp()
        .mul(2)
        .add(1),
    );
    expect(f.source).toContain('step 0: view');
    expect(f.source).toContain('kernel 0 (3 nodes)');
  });

  test('not folded on a constant; two prints report twice, one print applied twice to a value once (merged, as Theano)', () => {
    const lines2: string[] = [];
    const c = T.constant([1, 2]);
    const P = theano.printing.Print('c', { attrs: ['sum'], log: (l) => lines2.push(l) });
    const Q = theano.printing.Print('d', { attrs: ['sum'], log: (l) => lines2.push(l) });
    const f = theano.function([], [P(c), Q(c), P(c)]);
    expect(lines2).toEqual([]);
    f();
    expect(lines2).toEqual(['c sum = 3', 'd sum = 3']);
  });

  test('the gradient passes through unchanged', () => {
    const x = T.dscalar('x');
    const y = theano.printing
      .Print('x', { log: () => {} })(x)
      .sqr();
    expect(theano.function([x], T.grad(y, x))(3)).toBe(6);
  });

  test('the messages', () => {
    expect(() => theano.printing.Print('m', any({ attrs: ['mea'] }))).toThrow(
      "Print: unknown attribute the string 'mea'; the attributes are __str__, value, shape, dtype, ndim, size, min, max, mean, sum",
    );
    expect(() => theano.printing.Print('m', any({ global_fn: () => {} }))).toThrow(
      "Print: unknown option 'global_fn'; the options are attrs, log",
    );
  });
});

describe('test values (T.dmatrix(name, { testValue }))', () => {
  test('every expression built from test values has its own, computed as the graph grows', () => {
    const m = T.dmatrix('m', {
      testValue: [
        [1, 2],
        [3, 4],
      ],
    });
    const v = T.dvector('v', { testValue: [10, 20] });
    const w = theano.shared([1, 1]);
    const y = T.dot(m, v).add(w);
    expect(y.testValue!.toArray()).toEqual([1 * 10 + 2 * 20 + 1, 3 * 10 + 4 * 20 + 1]);
    const untested = T.dvector('u');
    expect(y.add(untested).testValue).toBeUndefined();
  });

  test('a shape error is raised where the expression is built, with the test shapes and the line', () => {
    const m = T.dmatrix('m', {
      testValue: [
        [1, 2],
        [3, 4],
      ],
    });
    const v = T.dvector('v', { testValue: [1, 2, 3] });
    let message = '';
    try {
      T.dot(m, v);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('dot: shapes (2, 2) and (3,) are not aligned');
    expect(message).toContain(
      "op: dot, on test values of shapes: 'm' (float64 matrix) (2, 2), 'v' (float64 vector) (3,)",
    );
    expect(message).toMatch(/built at: .*printing\.test\.ts/);
  });

  test('a test value must fit its variable', () => {
    expect(() => T.dvector('v', { testValue: any([[1]]) })).toThrow(
      "the test value of 'v': expected a float64 vector, got",
    );
    expect(() => T.dvector('v', any({ test_value: [1] }))).toThrow(
      "input 'v': unknown option 'test_value' (did you mean 'testValue'?); the options are testValue",
    );
  });
});

describe('f.profile.summary()', () => {
  test("a table per op and per step, with the step's ids as debugprint(f) prints them", () => {
    const x = T.dmatrix('x');
    const w = theano.shared(
      [
        [1, 0],
        [0, 1],
      ],
      { name: 'w' },
    );
    const f = theano.function([x], T.tanh(T.dot(x, w)).mul(2).sum(), { profile: true });
    f([
      [1, 2],
      [3, 4],
    ]);
    f([
      [1, 2],
      [3, 4],
    ]);
    const summary = f.profile!.summary();
    expect(summary).toContain('Time in 2 calls');
    expect(summary).toMatch(/^Ops$/m);
    expect(summary).toMatch(/^Steps \(ids as debugprint\(f\) prints them\)$/m);
    const printed = theano.debugprint(f);
    // the dot step's id is the id debugprint gives the dot node
    const dotId = /dot \[id ([A-Z]+)\]/.exec(printed)![1];
    expect(summary).toMatch(new RegExp(`\\[id ${dotId}\\]\\s+dot`));
    const { steps } = f.profile!.run();
    expect(summary.split('\n').filter((l) => /\[id /.test(l)).length).toBe(steps.length);
  });
});

describe('messages (issue 17)', () => {
  test('an expression is not a function input', () => {
    const x = T.dscalar('x');
    expect(() => theano.function([x.exp()], x)).toThrow(
      'function: input 0 is an expression (exp of other variables), not a leaf',
    );
  });

  test('two variables with the same name are told apart by id', () => {
    const a = T.dscalar('x');
    const b = T.dscalar('x');
    expect(() => theano.function([a], a.add(b))).toThrow(
      `function: missing input: the outputs depend on 'x' (float64 scalar, id ${b.id}; input 0 is another variable named 'x' (id ${a.id})), which is not among the inputs`,
    );
  });

  test('untyped callers passing Theano options get the valid ones', () => {
    expect(() => new (theano.Mode as any)({ linker: 'vm' })).toThrow(
      "Mode: unknown linker 'vm'; the linkers are 'js' (generated code, as Theano's 'cvm'), 'wasm' (WebAssembly SIMD kernels where they apply) and 'reference' (each op's evaluate, as Theano's 'py')",
    );
    expect(() => new (theano.Mode as any)({ linkr: 'js' })).toThrow(
      "Mode: unknown option 'linkr' (did you mean 'linker'?); the options are linker, optimizer",
    );
    expect(() => new (theano.Mode as any)('FAST')).toThrow(
      "Mode: unknown mode 'FAST'; the modes are FAST_RUN, FAST_COMPILE, DEBUG",
    );
    const m = new (theano.Mode as any)({ linker: 'reference', optimizer: 'fast_compile' });
    expect([m.name, m.linker]).toEqual(['FAST_COMPILE', 'reference']);
    const x = T.dscalar('x');
    expect(theano.function([x], x.mul(3), { mode: m })(2)).toBe(6);
    expect(() => theano.debugprint(x, any({ depht: 2 }))).toThrow(
      "debugprint: unknown option 'depht' (did you mean 'depth'?); the options are depth, maxNesting",
    );
  });

  test('every options object rejects an unknown key, naming the valid ones', () => {
    const x = T.dvector('x');
    const a = T.dmatrix('a');
    const cases: [() => unknown, string][] = [
      [() => theano.shared(1, any({ borrow: true })), "shared: unknown option 'borrow'; the options are name, dtype"],
      [() => T.constant(1, any({ ndim: 0 })), "constant: unknown option 'ndim'; the options are dtype, name"],
      [
        () => T.ifelse(T.bscalar('c'), x, x, any({ name: 'i', gpu: true })),
        "ifelse: unknown option 'gpu'; the options are name, outside",
      ],
      [
        () => T.dropout(x, 0.5, new theano.RandomStreams(1), any({ train: true })),
        "dropout: unknown option 'train'; the options are training",
      ],
      [
        () => T.linalg.cholesky(a, any({ lowr: true })),
        "cholesky: unknown option 'lowr' (did you mean 'lower'?); the options are lower, onError",
      ],
      [
        () => T.linalg.solve(a, x, any({ assume_a: 'pos' })),
        "solve: unknown option 'assume_a' (did you mean 'assumeA'?); the options are assumeA, lower",
      ],
      [() => T.linalg.svd(a, any({ full_matrices: false })), "svd: unknown option 'full_matrices'"],
      [
        () => T.linalg.qr(a, any({ mod: 'r' })),
        "qr: unknown option 'mod' (did you mean 'mode'?); the options are mode",
      ],
      [() => T.linalg.pinv(a, any({ rcon: 1e-3 })), "pinv: unknown option 'rcon' (did you mean 'rcond'?)"],
      [
        () => T.cumsum(x, 0, any({ dtyp: 'float64' })),
        "cumsum: unknown option 'dtyp' (did you mean 'dtype'?); the options are dtype",
      ],
      [
        () => theano.gradient.verifyGrad((v) => v.sum(), [[1]], any({ n_tests: 1 })),
        "verifyGrad: unknown option 'n_tests' (did you mean 'nTests'?)",
      ],
      [
        () => theano.function([x], x, any({ update: [] })),
        "function: unknown option 'update' (did you mean 'updates'?)",
      ],
    ];
    for (const [action, message] of cases) expect(action).toThrow(message);
  });
});

// NDArray is imported for the type of outputs in this file
void NDArray;
