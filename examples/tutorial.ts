/**
 * The seed Theano tutorial (shared/seed/theano-tutorial.txt), slide by slide, in theano-ts.
 * Run it with `npm run example`. docs/tutorial.md walks through the same code.
 */
import * as theano from '../src/index.js';

const T = theano.tensor;

function heading(title: string): void {
  console.log(`\n=== ${title} ===`);
}

// Symbolic expression: two float64 scalars, c = a + b, compiled and called with (1.5, 2.5).
{
  heading('c = a + b');
  const a = T.dscalar('a');
  const b = T.dscalar('b');
  const c = a.add(b);
  const f = theano.function([a, b], c);
  console.log(f(1.5, 2.5)); // 4
}

// Basic algebra: adding two matrices.
{
  heading('Adding two matrices');
  const x = T.dmatrix('x');
  const y = T.dmatrix('y');
  const z = x.add(y);
  const f = theano.function([x, y], z);
  console.log(
    f(
      [
        [1, 2],
        [3, 4],
      ],
      [
        [10, 20],
        [30, 40],
      ],
    ).toString(),
  );
}

// Hands-on: a + a ** 10 on a vector.
{
  heading('a + a ** 10');
  const a = T.vector();
  const out = a.add(a.pow(10));
  const f = theano.function([a], out);
  console.log(f([0, 1, 2]).toString()); // [0. 2. 1026.]
}

// The logistic function s(x) = 1 / (1 + exp(-x)), elementwise on a matrix.
{
  heading('Logistic function');
  const x = T.dmatrix('x');
  const s = T.div(1, T.add(1, T.exp(x.neg())));
  const logistic = theano.function([x], s);
  console.log(
    logistic([
      [0, 1],
      [-1, -2],
    ]).toString(),
  );
}

// Functions with multiple outputs. The slide writes `diff_squared = diff*2`; its name (and Theano's own
// documentation, `diff**2`) says the square is meant, so this computes diff.mul(diff).
{
  heading('Multiple outputs');
  const [a, b] = T.dmatrices('a', 'b');
  const diff = a.sub(b);
  const absDiff = T.abs(diff);
  const diffSquared = diff.mul(diff);
  const f = theano.function([a, b], [diff, absDiff, diffSquared]);
  const [d, ad, d2] = f(
    [
      [1, 1],
      [1, 1],
    ],
    [
      [0, 1],
      [2, 3],
    ],
  );
  console.log(`diff:\n${d}`);
  console.log(`abs_diff:\n${ad}`);
  console.log(`diff_squared:\n${d2}`);
}

// Shared variables: an accumulator that keeps its state between calls.
{
  heading('Shared variables: an accumulator');
  // A JS number is a double, so this state is float64 (pass { dtype: 'int64' } for an integer state).
  const state = theano.shared(0, { name: 'state' });
  const inc = T.iscalar('inc');
  const accumulator = theano.function([inc], state, { updates: [[state, state.add(inc)]] });
  console.log(state.getValue()); // 0
  accumulator(1);
  console.log(state.getValue()); // 1
  accumulator(300);
  console.log(state.getValue()); // 301
}

// Printing a graph: theano.pp writes the expression back as infix math.
{
  heading('theano.pp');
  const x = T.dmatrix('x');
  const s = T.div(1, T.add(1, T.exp(x.neg())));
  console.log(theano.pp(s));
}

// Computing gradients: T.grad builds the derivative of y = x ** 2 as a new graph; pp prints it.
{
  heading('Computing gradients');
  const x = T.dscalar('x');
  const y = x.pow(2);
  const gy = T.grad(y, x);
  console.log(theano.pp(gy)); // 1 * (2 * x ** (2 - 1))
  const f = theano.function([x], gy);
  console.log(f(4)); // 8
}

// Math challenge: the gradients of the logistic and tanh functions at x = -1.5, 0 and 1.5 (the vector form:
// the gradient of sum(f(v)) is f' elementwise). examples/gradients-plot.ts also plots both curves.
{
  heading('Math challenge: gradients of the logistic and tanh functions');
  const v = T.dvector('v');
  const logistic = T.div(1, T.add(1, T.exp(v.neg())));
  const gLogistic = T.grad(T.sum(logistic), v);
  const gTanh = T.grad(T.sum(T.tanh(v)), v);
  const f = theano.function([v], [gLogistic, gTanh]);
  const [dLogistic, dTanh] = f([-1.5, 0, 1.5]);
  console.log(`logistic'(x): ${dLogistic}`); // [0.14914645 0.25       0.14914645]
  console.log(`tanh'(x):     ${dTanh}`); // [0.18070664 1.         0.18070664]
}
