/**
 * DEBUG mode's verbose level: rewrites that turn a NaN of the unoptimized graph into a number (x / x -> 1,
 * x - x -> 0, Theano's choices) are reported by name instead of counting silently as agreement; at level 2 an
 * infinity made finite (stabilization) is reported too. Level 0 (the default) stays silent.
 */
import { afterEach, describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';

const T = theano.tensor;

function collect(level: 0 | 1 | 2): string[] {
  const messages: string[] = [];
  theano.debugOptions.verbose = level;
  theano.debugOptions.report = (m) => messages.push(m);
  return messages;
}

afterEach(() => {
  theano.debugOptions.verbose = 0;
  theano.debugOptions.report = (m) => console.warn(m);
});

describe('DEBUG verbose: values a rewrite made finite', () => {
  test('x / x -> 1 at 0 and x - x -> 0 at inf are reported as NaN -> finite, naming the rewrite', () => {
    const messages = collect(1);
    const x = T.dvector('x');
    const f = theano.function([x], [x.div(x), x.sub(x)], { mode: 'DEBUG' });
    const [q, d] = f([0, 2, Infinity]);
    expect(q.toArray()).toEqual([1, 1, 1]);
    expect(d.toArray()).toEqual([0, 0, 0]);
    expect(messages).toHaveLength(2);
    expect(messages.join('\n')).toContain("value changed by rewrite 'div_self'");
    expect(messages.join('\n')).toContain("value changed by rewrite 'sub_self'");
    expect(messages[0]).toMatch(/\(NaN -> finite\): output \d element 0 is NaN unoptimized, [01] after it/);
    expect(messages[0]).toContain('before: x / x');
  });
  test('each rewrite is reported once per function, not on every call', () => {
    const messages = collect(1);
    const x = T.dvector('x');
    const f = theano.function([x], x.div(x), { mode: 'DEBUG' });
    f([0]);
    f([0, 0]);
    expect(messages).toHaveLength(1);
  });
  test('finite inputs report nothing; level 0 reports nothing', () => {
    const messages = collect(1);
    const x = T.dvector('x');
    theano.function([x], x.div(x), { mode: 'DEBUG' })([1, 2]);
    expect(messages).toEqual([]);
    const silent = collect(0);
    theano.function([x], x.div(x), { mode: 'DEBUG' })([0]);
    expect(silent).toEqual([]);
  });
  test('an infinity made finite (stabilization) is reported at level 2 only', () => {
    const x = T.dvector('x');
    const build = () => theano.function([x], T.log(T.add(1, T.exp(x))), { mode: 'DEBUG' });
    const quiet = collect(1);
    expect(build()([800])).toBeDefined();
    expect(quiet).toEqual([]);
    const loud = collect(2);
    build()([800]);
    expect(loud).toHaveLength(1);
    expect(loud[0]).toMatch(/value changed by rewrite '\w+' \(pass stabilize\) \(Inf -> finite\)/);
  });
});
