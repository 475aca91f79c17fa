import type { DType } from '../types/dtype.js';

interface Formattable {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly size: number;
  item(i: number): number | bigint | boolean;
}

const LINE_WIDTH = 75;
const PRECISION = 8;

/** numpy's positional form with at most 8 fractional digits, shortest that round-trips ("2." for 2). */
function positional(x: number): string {
  let s = Number.isInteger(x) && Math.abs(x) < 1e21 ? x.toFixed(0) : String(x);
  if (/e/.test(s) || (s.split('.')[1]?.length ?? 0) > PRECISION) s = x.toFixed(PRECISION).replace(/0+$/, '');
  if (!s.includes('.')) s += '.';
  return s === '-0.' && !Object.is(x, -0) ? '0.' : s;
}

function exponential(x: number): string {
  let s = x.toExponential();
  let [mantissa = '', exp = '0'] = s.split('e');
  if ((mantissa.split('.')[1]?.length ?? 0) > PRECISION) mantissa = Number(mantissa).toFixed(PRECISION).replace(/0+$/, '');
  if (!mantissa.includes('.')) mantissa += '.';
  const sign = exp.startsWith('-') ? '-' : '+';
  const digits = exp.replace(/^[-+]/, '').padStart(2, '0');
  s = `${mantissa}e${sign}${digits}`;
  return s;
}

const nonFinite = (x: number) => (Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf');

/** Formats every element so that all have one width, the way numpy's array2string does. */
function elementFormatter(a: Formattable): (x: number | bigint | boolean) => string {
  const n = a.size;
  if (a.dtype === 'bool') {
    return (x) => String(x).padStart(5);
  }
  if (a.dtype !== 'float32' && a.dtype !== 'float64') {
    let width = 1;
    for (let i = 0; i < n; i++) width = Math.max(width, String(a.item(i)).length);
    return (x) => String(x).padStart(width);
  }
  const finite: number[] = [];
  let nonFiniteWidth = 0;
  for (let i = 0; i < n; i++) {
    const v = Number(a.item(i));
    if (Number.isFinite(v)) finite.push(v);
    else nonFiniteWidth = Math.max(nonFiniteWidth, nonFinite(v).length);
  }
  if (finite.length === 0) return (x) => nonFinite(Number(x)).padStart(nonFiniteWidth);
  const nonZero = finite.map(Math.abs).filter((v) => v !== 0);
  const maxVal = nonZero.length ? Math.max(...nonZero) : 0;
  const minVal = nonZero.length ? Math.min(...nonZero) : 0;
  const useExp = nonZero.length > 0 && (maxVal >= 1e8 || minVal < 1e-4 || maxVal / minVal > 1e3);
  const render = useExp ? exponential : positional;
  const parts = finite.map((v) => render(v));
  let left = 0;
  let right = 0;
  for (const p of parts) {
    const [int = '', frac = ''] = p.split(/\.(?=[^.]*$)/);
    left = Math.max(left, int.length);
    right = Math.max(right, frac.length);
  }
  // numpy widens the integer part so that 'nan' / '-inf' fit the common column width
  if (nonFiniteWidth > 0) left = Math.max(left, nonFiniteWidth - right - 1);
  return (x) => {
    const v = Number(x);
    if (!Number.isFinite(v)) return nonFinite(v).padStart(left + 1 + right);
    const p = render(v);
    if (useExp) {
      const [mant = '', exp = ''] = p.split('e');
      const [int = '', frac = ''] = mant.split('.');
      const rightExp = Math.max(...parts.map((q) => (q.split('e')[0]?.split('.')[1] ?? '').length));
      return `${int.padStart(left)}.${frac.padEnd(rightExp)}e${exp}`;
    }
    const [int = '', frac = ''] = p.split('.');
    return `${int.padStart(left)}.${frac.padEnd(right)}`;
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

/** numpy's `str(array)` layout: nested brackets, aligned columns, rows wrapped at 75 characters. */
export function formatNDArray(a: Formattable): string {
  if (a.shape.length === 0) return formatScalar(a.dtype, a.item(0));
  if (a.size === 0) return '['.repeat(a.shape.length) + ']'.repeat(a.shape.length);
  const fmt = elementFormatter(a);
  let flat = 0;
  const block = (axis: number, indent: string): string => {
    const n = a.shape[axis]!;
    if (axis === a.shape.length - 1) {
      const lines: string[] = [];
      let line = '[';
      for (let i = 0; i < n; i++) {
        const word = fmt(a.item(flat++));
        const sep = i === 0 ? '' : ' ';
        if (line.length + sep.length + word.length + 1 > LINE_WIDTH && i > 0) {
          lines.push(line);
          line = indent + ' ' + word;
        } else line += sep + word;
      }
      lines.push(line + ']');
      return lines.join('\n');
    }
    const rows: string[] = [];
    for (let i = 0; i < n; i++) rows.push(block(axis + 1, indent + ' '));
    const gap = '\n'.repeat(a.shape.length - axis - 1);
    return '[' + rows.map((r, i) => (i === 0 ? r : indent + ' ' + r)).join(gap) + ']';
  };
  return block(0, '');
}
