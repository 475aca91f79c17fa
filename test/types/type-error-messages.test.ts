/**
 * The compile errors a user meets most often read as one sentence naming the mistake (issue 16, item 5): each
 * snippet is type-checked against the sources, and its error must contain the sentence. type-tests/type-errors
 * checks the same snippets fail against the built typings.
 */
import { expect, test } from 'vitest';
import ts from 'typescript';
import { virtualProgram } from './virtual-program.js';

const prelude = [
  `import * as theano from '../../src/index.js';`,
  `const T = theano.tensor;`,
  `const [m, v, iv] = [T.dmatrix('m'), T.dvector('v'), T.ivector('iv')];`,
  `const counts = theano.shared(new Uint32Array(8), { name: 'counts' });`,
];

/** Snippet -> the sentence its (only) error must contain. */
const cases: Record<string, string> = {
  'theano.function([], [], { updates: [[counts, counts.add(0.5)]] });':
    'the new value has a different dtype than its shared variable (cast it)',
  'T.concatenate([m, v]);': 'all tensors must have the same rank (expandDims or reshape one first)',
  'T.stack([m, v]);': 'all tensors must have the same rank',
  'T.incSubtensor(m.get(0), T.dmatrix());':
    'the value has more axes than the indexed region, so it cannot broadcast to it',
  'T.setSubtensor(iv.get(0), v.get(0));':
    "the value's dtype does not convert to the tensor's dtype without loss (cast it first)",
  'T.setSubtensor(iv.get(0), [[1, 2]]);': 'the value has more axes than the indexed region',
  'T.grad(T.sum(v.mul(iv)), iv);':
    'T.grad differentiates with respect to float variables only (this wrt is an integer or bool)',
  'T.grad(T.sum(v.mul(iv)), [v, iv]);': 'T.grad differentiates with respect to float variables only',
  'm.get(0, 0, 0);': 'more integers and slices than the rank of the tensor',
  'm.get(iv, T.newaxis);': 'T.newaxis cannot be mixed with integer tensor indices',
  'theano.function([], [], { updates: new Map([[counts, counts.add(0.5)]]) });':
    'the new value has a different dtype than its shared variable (cast it)',
  'theano.function([], [], { updates: new Map([[counts, counts.get(0)]]) });':
    'the new value has a different rank than its shared variable',
  'theano.function([v], m, { givens: [[m, v]] });':
    'the replacement has a different rank than the variable it stands for',
  'theano.function([], m, { givens: [[m, T.fmatrix()]] });':
    'the replacement has a different dtype than the variable it stands for (cast it)',
  'theano.function([], m, { givens: [[m, [1, 2]]] });': "the value is not data of the variable's dtype and rank",
  'theano.function([v], m, { givens: new Map([[m, v]]) });':
    'the replacement has a different rank than the variable it stands for',
};

test('each common mistake is one compile error that says what is wrong', () => {
  const names = Object.keys(cases);
  const files = Object.fromEntries(
    names.map((snippet, i) => [`.message-${i}.ts`, [...prelude, snippet, 'export {};'].join('\n')]),
  );
  const { program, file } = virtualProgram(files);
  names.forEach((snippet, i) => {
    const errors = ts
      .getPreEmitDiagnostics(program, file(`.message-${i}.ts`))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(errors, snippet).toHaveLength(1);
    expect(errors[0], snippet).toContain(cases[snippet]!);
  });
});

test('the mixed-rank SGD update list with a negation compiles (no `this` context error)', () => {
  const source = [
    ...prelude,
    `const w = theano.shared([[1, 2]], { name: 'w' });`,
    `const b = theano.shared([1, 2], { name: 'b' });`,
    `const params = [w, b];`,
    `const cost = T.sum(w.dot(b));`,
    `const grads = T.grad(cost, params);`,
    `theano.function([], cost, { updates: params.map((p, i) => [p, p.sub(grads[i]!.mul(0.1)).neg()]) });`,
    `export {};`,
  ].join('\n');
  const { program, file } = virtualProgram({ '.message-sgd.ts': source });
  const errors = ts.getPreEmitDiagnostics(program, file('.message-sgd.ts'));
  expect(errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
});
