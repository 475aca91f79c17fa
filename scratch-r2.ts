import * as theano from './src/index.js';
const T = theano.tensor;
const srng = new theano.RandomStreams(3);
const [draws, updates] = theano.scan(() => srng.normal([2]), { nSteps: 5 });
console.log(updates.length);
const f = theano.function([], draws);
console.log(String(f()));
console.log(String(f()));
const g = theano.function([], draws, { updates });
srng.seed(3);
console.log(String(g()));
// sequential draws for comparison
const s2 = new theano.RandomStreams(3);
const one = s2.normal([10]);
console.log(String(theano.function([], one)()));
