import type { DType } from '../types/dtype.js';

interface Formattable {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly size: number;
  item(i: number): number | bigint | boolean;
}

const LINE_WIDTH = 75;
const PRECISION = 8;

/**
 * The fewest digits after the point (at most 8) for which `render(digits)` reads back as `x` in its dtype (a
 * float32 is read back rounded to float32): numpy's dragon4 "unique" digits. Undefined when 8 are not enough.
 */
function fewestDigits(x: number, float32: boolean, render: (digits: number) => string): number | undefined {
  for (let p = 0; p <= PRECISION; p++) {
    const back = Number(render(p));
    if (float32 ? Math.fround(back) === x : back === x) return p;
  }
  return undefined;
}

/**
 * numpy's positional form with at most 8 fractional digits, the shortest that gives `x` back in its dtype
 * ("2." for 2; a float32 0.3 is "0.3", not the float64 digits of its value).
 */
function positional(x: number, float32 = false): string {
  let s: string | undefined;
  if (float32 && Math.abs(x) < 1e21) {
    const digits = fewestDigits(x, true, (p) => x.toFixed(p));
    if (digits !== undefined) s = x.toFixed(digits);
  }
  s ??= Number.isInteger(x) && Math.abs(x) < 1e21 ? x.toFixed(0) : String(x);
  if (/e/.test(s) || (s.split('.')[1]?.length ?? 0) > PRECISION) s = x.toFixed(PRECISION).replace(/0+$/, '');
  if (!s.includes('.')) s += '.';
  return s === '-0.' && !Object.is(x, -0) ? '0.' : s;
}

/** The mantissa digits after the point (at most 8) that give `x` back in its dtype, as numpy's dragon4. */
const exponentDigits = (x: number, float32: boolean): number =>
  fewestDigits(x, float32, (p) => x.toExponential(p)) ?? PRECISION;

/** `x` in numpy's scientific form with `digits` mantissa digits after the point (zeros kept), exponent of 2+ digits. */
function exponential(x: number, digits: number, expDigits: number): string {
  const [mantissa = '', exp = '0'] = x.toExponential(digits).split('e');
  const sign = exp.startsWith('-') ? '-' : '+';
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.`}e${sign}${exp.replace(/^[-+]/, '').padStart(expDigits, '0')}`;
}

const nonFinite = (x: number) => (Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf');

/** Formats every element so that all have one width, the way numpy's array2string does, from `values` (those shown). */
function elementFormatter(
  dtype: DType,
  values: readonly (number | bigint | boolean)[],
): (x: number | bigint | boolean) => string {
  if (dtype === 'bool') return (x) => String(x).padStart(5);
  if (dtype !== 'float32' && dtype !== 'float64') {
    let width = 1;
    for (const v of values) width = Math.max(width, String(v).length);
    return (x) => String(x).padStart(width);
  }
  const finite: number[] = [];
  let nonFiniteWidth = 0;
  for (const x of values) {
    const v = Number(x);
    if (Number.isFinite(v)) finite.push(v);
    else nonFiniteWidth = Math.max(nonFiniteWidth, nonFinite(v).length);
  }
  if (finite.length === 0) return (x) => nonFinite(Number(x)).padStart(nonFiniteWidth);
  const nonZero = finite.map(Math.abs).filter((v) => v !== 0);
  const maxVal = nonZero.length ? Math.max(...nonZero) : 0;
  const minVal = nonZero.length ? Math.min(...nonZero) : 0;
  const useExp = nonZero.length > 0 && (maxVal >= 1e8 || minVal < 1e-4 || maxVal / minVal > 1e3);
  return useExp
    ? exponentialFormatter(finite, nonFiniteWidth, dtype === 'float32')
    : positionalFormatter(finite, nonFiniteWidth, dtype === 'float32');
}

/** Positional: integer parts right-aligned, fractions left-aligned and padded with spaces (`[ 0.5  16. ]`). */
function positionalFormatter(
  finite: readonly number[],
  nonFiniteWidth: number,
  float32: boolean,
): (x: number | bigint | boolean) => string {
  let left = 0;
  let right = 0;
  for (const v of finite) {
    const [int = '', frac = ''] = positional(v, float32).split('.');
    left = Math.max(left, int.length);
    right = Math.max(right, frac.length);
  }
  // numpy widens the integer part so that 'nan' / '-inf' fit the common column width
  if (nonFiniteWidth > 0) left = Math.max(left, nonFiniteWidth - right - 1);
  return (x) => {
    const v = Number(x);
    if (!Number.isFinite(v)) return nonFinite(v).padStart(left + 1 + right);
    const [int = '', frac = ''] = positional(v, float32).split('.');
    return `${int.padStart(left)}.${frac.padEnd(right)}`;
  };
}

/**
 * Scientific: every mantissa gets the digits the most demanding element needs, padded with zeros
 * (`[0.0e+00 1.0e-05 1.6e+01]`), and every exponent the same number of digits (at least 2).
 */
function exponentialFormatter(
  finite: readonly number[],
  nonFiniteWidth: number,
  float32: boolean,
): (x: number | bigint | boolean) => string {
  let digits = 0;
  let expDigits = 2;
  let left = 0;
  for (const v of finite) {
    digits = Math.max(digits, exponentDigits(v, float32));
    const [mantissa = '', exp = ''] = v.toExponential().split('e');
    expDigits = Math.max(expDigits, exp.replace(/^[-+]/, '').length);
    left = Math.max(left, mantissa.split('.')[0]!.length);
  }
  const width = left + 1 + digits + 2 + expDigits;
  return (x) => {
    const v = Number(x);
    if (!Number.isFinite(v)) return nonFinite(v).padStart(Math.max(width, nonFiniteWidth));
    return exponential(v, digits, expDigits).padStart(width);
  };
}

export function formatScalar(dtype: DType, x: number | bigint | boolean): string {
  if (dtype === 'float32' || dtype === 'float64') {
    const v = Number(x);
    if (!Number.isFinite(v)) return nonFinite(v);
    return String(v);
  }
  return String(x);
}

/** Arrays with more elements than this print summarized, as numpy's default `threshold`. */
const THRESHOLD = 1000;
/** How many items a summarized axis shows at each end (numpy's `edgeitems`). */
const EDGE_ITEMS = 3;

/** The indices shown along an axis of length `n`: all, or the first and last `EDGE_ITEMS` (null marks `...`). */
function shownIndices(n: number, summarize: boolean): (number | null)[] {
  if (!summarize || n <= 2 * EDGE_ITEMS) return Array.from({ length: n }, (_, i) => i);
  const head = Array.from({ length: EDGE_ITEMS }, (_, i) => i);
  return [...head, null, ...head.map((i) => n - EDGE_ITEMS + i)];
}

/**
 * numpy's `str(array)` layout: nested brackets, aligned columns, rows wrapped at 75 characters; past 1,000
 * elements only the first and last 3 items of each long axis are shown, with `...` between (numpy's summary).
 */
export function formatNDArray(a: Formattable): string {
  if (a.shape.length === 0) return formatScalar(a.dtype, a.item(0));
  if (a.size === 0) return '['.repeat(a.shape.length) + ']'.repeat(a.shape.length);
  const summarize = a.size > THRESHOLD;
  const axes = a.shape.map((n) => shownIndices(n, summarize));
  const strides = a.shape.map((_, k) => a.shape.slice(k + 1).reduce((x, y) => x * y, 1));
  // the column format comes from the elements shown, as numpy's
  const shown: (number | bigint | boolean)[] = [];
  const collect = (axis: number, flat: number): void => {
    for (const i of axes[axis]!) {
      if (i === null) continue;
      if (axis === a.shape.length - 1) shown.push(a.item(flat + i));
      else collect(axis + 1, flat + i * strides[axis]!);
    }
  };
  collect(0, 0);
  const fmt = elementFormatter(a.dtype, shown);
  const block = (axis: number, flat: number, indent: string): string => {
    if (axis === a.shape.length - 1)
      return row(
        axes[axis]!.map((i) => (i === null ? '...' : fmt(a.item(flat + i)))),
        indent,
      );
    const gap = '\n'.repeat(a.shape.length - axis - 1);
    const rows = axes[axis]!.map((i) =>
      i === null ? '...' : block(axis + 1, flat + i * strides[axis]!, indent + ' '),
    );
    return '[' + rows.map((r, i) => (i === 0 ? r : indent + ' ' + r)).join(gap) + ']';
  };
  return block(0, 0, '');
}

/** One innermost row: `[a b c]`, wrapped at the line width with continuation lines indented under the bracket. */
function row(words: readonly string[], indent: string): string {
  const lines: string[] = [];
  let line = '[';
  words.forEach((word, i) => {
    const sep = i === 0 ? '' : ' ';
    if (line.length + sep.length + word.length + 1 > LINE_WIDTH && i > 0) {
      lines.push(line);
      line = indent + ' ' + word;
    } else line += sep + word;
  });
  lines.push(line + ']');
  return lines.join('\n');
}
