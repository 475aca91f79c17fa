import type { DType } from './dtype.js';

/** A static dimension: a known size, or null when only the run time knows it. */
export type StaticDim = number | null;

const RANK_NAMES = ['scalar', 'vector', 'matrix', 'tensor3', 'tensor4'];

/**
 * The run-time type of a symbolic tensor: dtype and static shape (PyTensor's `shape=(1, None)`; a dimension
 * known to be 1 is Theano's "broadcastable").
 */
export class TensorType {
  readonly dtype: DType;
  readonly shape: readonly StaticDim[];

  constructor(dtype: DType, shape: readonly StaticDim[]) {
    this.dtype = dtype;
    this.shape = Object.freeze([...shape]);
  }

  get ndim(): number {
    return this.shape.length;
  }
  get broadcastable(): boolean[] {
    return this.shape.map((d) => d === 1);
  }

  equals(other: TensorType): boolean {
    return (
      this.dtype === other.dtype &&
      this.shape.length === other.shape.length &&
      this.shape.every((d, i) => d === other.shape[i])
    );
  }

  /** Same dtype and rank, and no known dimension that disagrees: a value of `other` may stand in for this. */
  isCompatible(other: TensorType): boolean {
    return (
      this.dtype === other.dtype &&
      this.shape.length === other.shape.length &&
      this.shape.every((d, i) => d === null || other.shape[i] === null || d === other.shape[i])
    );
  }

  withDType(dtype: DType): TensorType {
    return new TensorType(dtype, this.shape);
  }

  /** Why a concrete shape does not fit, or null. */
  shapeMismatch(shape: readonly number[]): string | null {
    if (shape.length !== this.shape.length) return `expected rank ${this.shape.length}, got rank ${shape.length}`;
    for (let i = 0; i < shape.length; i++) {
      const d = this.shape[i];
      if (d !== null && d !== shape[i]) return `dimension ${i} must be ${d}, got ${shape[i]}`;
    }
    return null;
  }

  /** `float64 matrix`, `int32 row (1, ?)`. */
  toString(): string {
    const name = this.kindName();
    const known = this.shape.some((d) => d !== null)
      ? ` (${this.shape.map((d) => d ?? '?').join(', ')}${this.shape.length === 1 ? ',' : ''})`
      : '';
    return `${this.dtype} ${name}${known}`;
  }

  private kindName(): string {
    const s = this.shape;
    if (s.length === 2 && s[0] === 1 && s[1] !== 1) return 'row';
    if (s.length === 2 && s[1] === 1 && s[0] !== 1) return 'col';
    return RANK_NAMES[s.length] ?? `tensor${s.length}`;
  }
}

/**
 * numpy broadcasting of static shapes: right-aligned; a known 1 stretches; two known sizes must agree.
 * Returns the static result shape or a message naming the clash.
 */
export function broadcastStatic(shapes: readonly (readonly StaticDim[])[]): StaticDim[] | string {
  const ndim = Math.max(0, ...shapes.map((s) => s.length));
  const out: StaticDim[] = [];
  for (let k = 0; k < ndim; k++) {
    let known: number | null = null;
    let allOne = true;
    let unknown = false;
    for (const s of shapes) {
      const i = k - (ndim - s.length);
      if (i < 0) continue;
      const d = s[i]!;
      if (d === null) {
        unknown = true;
        allOne = false;
      } else if (d !== 1) {
        allOne = false;
        if (known !== null && known !== d)
          return `dimension ${k} (from the right: ${ndim - k}) has sizes ${known} and ${d}`;
        known = d;
      }
    }
    out.push(known ?? (allOne && !unknown ? 1 : null));
  }
  return out;
}

/** numpy broadcasting of concrete shapes, or a message naming the clash. */
export function broadcastShapes(shapes: readonly (readonly number[])[]): number[] | string {
  const ndim = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(ndim).fill(1);
  for (const s of shapes) {
    const pad = ndim - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i]!;
      const k = pad + i;
      if (d === out[k] || d === 1) continue;
      if (out[k] === 1) out[k] = d;
      else
        return `shapes ${shapes.map((x) => `(${x.join(', ')}${x.length === 1 ? ',' : ''})`).join(' and ')} do not broadcast (axis ${k}: ${out[k]} vs ${d})`;
    }
  }
  return out;
}
