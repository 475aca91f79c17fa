/**
 * Data types and the promotion rules. The tables here are plain `as const` objects, so the very same
 * literal is read by the type checker (`Upcast<A, B>`) and by the runtime (`upcast(a, b)`): the two cannot drift.
 */

export const DTYPES = [
  'bool',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'float32',
  'float64',
] as const;

export type DType = (typeof DTYPES)[number];
export type FloatDType = 'float32' | 'float64';
export type IntDType = 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32';
/** Dtypes whose values are integers (bool included): the domain of bitwise ops and integer division. */
export type IntegralDType = IntDType | 'bool';
export type NumericDType = IntDType | FloatDType;

export const FLOAT_DTYPES: readonly DType[] = ['float32', 'float64'];
export const INT_DTYPES: readonly DType[] = ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32'];

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}
export const isFloat = (d: DType): d is FloatDType => d === 'float32' || d === 'float64';
export const isInt = (d: DType): d is IntDType => !isFloat(d) && d !== 'bool';
export const isIntegral = (d: DType): d is IntegralDType => !isFloat(d);

/**
 * numpy's promotion table (`np.result_type` on arrays) restricted to our dtypes. Symmetric; `bool` is the
 * identity; a signed and an unsigned type meet in the smallest signed type holding both ranges; int32, uint32
 * and int64 meet float32 in float64 (as numpy and Theano do).
 */
export const UPCAST = {
  bool: {
    bool: 'bool',
    int8: 'int8',
    int16: 'int16',
    int32: 'int32',
    int64: 'int64',
    uint8: 'uint8',
    uint16: 'uint16',
    uint32: 'uint32',
    float32: 'float32',
    float64: 'float64',
  },
  int8: {
    bool: 'int8',
    int8: 'int8',
    int16: 'int16',
    int32: 'int32',
    int64: 'int64',
    uint8: 'int16',
    uint16: 'int32',
    uint32: 'int64',
    float32: 'float32',
    float64: 'float64',
  },
  int16: {
    bool: 'int16',
    int8: 'int16',
    int16: 'int16',
    int32: 'int32',
    int64: 'int64',
    uint8: 'int16',
    uint16: 'int32',
    uint32: 'int64',
    float32: 'float32',
    float64: 'float64',
  },
  int32: {
    bool: 'int32',
    int8: 'int32',
    int16: 'int32',
    int32: 'int32',
    int64: 'int64',
    uint8: 'int32',
    uint16: 'int32',
    uint32: 'int64',
    float32: 'float64',
    float64: 'float64',
  },
  int64: {
    bool: 'int64',
    int8: 'int64',
    int16: 'int64',
    int32: 'int64',
    int64: 'int64',
    uint8: 'int64',
    uint16: 'int64',
    uint32: 'int64',
    float32: 'float64',
    float64: 'float64',
  },
  uint8: {
    bool: 'uint8',
    int8: 'int16',
    int16: 'int16',
    int32: 'int32',
    int64: 'int64',
    uint8: 'uint8',
    uint16: 'uint16',
    uint32: 'uint32',
    float32: 'float32',
    float64: 'float64',
  },
  uint16: {
    bool: 'uint16',
    int8: 'int32',
    int16: 'int32',
    int32: 'int32',
    int64: 'int64',
    uint8: 'uint16',
    uint16: 'uint16',
    uint32: 'uint32',
    float32: 'float32',
    float64: 'float64',
  },
  uint32: {
    bool: 'uint32',
    int8: 'int64',
    int16: 'int64',
    int32: 'int64',
    int64: 'int64',
    uint8: 'uint32',
    uint16: 'uint32',
    uint32: 'uint32',
    float32: 'float64',
    float64: 'float64',
  },
  float32: {
    bool: 'float32',
    int8: 'float32',
    int16: 'float32',
    int32: 'float64',
    int64: 'float64',
    uint8: 'float32',
    uint16: 'float32',
    uint32: 'float64',
    float32: 'float32',
    float64: 'float64',
  },
  float64: {
    bool: 'float64',
    int8: 'float64',
    int16: 'float64',
    int32: 'float64',
    int64: 'float64',
    uint8: 'float64',
    uint16: 'float64',
    uint32: 'float64',
    float32: 'float64',
    float64: 'float64',
  },
} as const satisfies { [A in DType]: { [B in DType]: DType } };

/** Theano's `upgrade_to_float`: the float dtype that true division and transcendental ops give an input. */
export const UPGRADE_TO_FLOAT = {
  bool: 'float32',
  int8: 'float32',
  int16: 'float32',
  uint8: 'float32',
  uint16: 'float32',
  int32: 'float64',
  int64: 'float64',
  uint32: 'float64',
  float32: 'float32',
  float64: 'float64',
} as const satisfies { [A in DType]: FloatDType };

/**
 * A JS number next to a tensor is a *weak* scalar (numpy 2 / JAX): an integer-valued number takes the tensor's
 * dtype (`ivector + 2` stays int32; bool + 2 is int64 as in numpy), a fractional one keeps float tensors as they
 * are and makes integer tensors float64.
 */
export const WEAK_INT = {
  bool: 'int64',
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  uint8: 'uint8',
  uint16: 'uint16',
  uint32: 'uint32',
  float32: 'float32',
  float64: 'float64',
} as const satisfies { [A in DType]: DType };

export const WEAK_FLOAT = {
  bool: 'float64',
  int8: 'float64',
  int16: 'float64',
  int32: 'float64',
  int64: 'float64',
  uint8: 'float64',
  uint16: 'float64',
  uint32: 'float64',
  float32: 'float32',
  float64: 'float64',
} as const satisfies { [A in DType]: DType };

// Lookups are re-bound with `infer T extends ...`, so that generic code using them does not make the checker
// expand all 100 table entries to prove the result is a DType.
export type Upcast<A extends DType, B extends DType> = (typeof UPCAST)[A][B] extends infer T extends DType ? T : never;
export type UpgradeToFloat<A extends DType> = (typeof UPGRADE_TO_FLOAT)[A] extends infer T extends FloatDType
  ? T
  : never;
export type WeakInt<A extends DType> = (typeof WEAK_INT)[A] extends infer T extends DType ? T : never;
export type WeakFloat<A extends DType> = (typeof WEAK_FLOAT)[A] extends infer T extends DType ? T : never;

/**
 * The dtype of `//`, `%`, `**` and `sqr` on promoted inputs: numpy has no bool loop for them and runs bools alone
 * in int8 (`bool // bool` is int8); a bool mixed with a number has already promoted to the number's dtype.
 * The run time reads the same rule from the op's `onlyBool` in ops/scalar.ts.
 */
export type BoolToInt8<D extends DType> = D extends 'bool' ? 'int8' : D;

export function upcast(a: DType, b: DType): DType {
  return UPCAST[a][b];
}
export function upcastAll(dtypes: readonly DType[]): DType {
  let out: DType = 'bool';
  for (const d of dtypes) out = UPCAST[out][d];
  return out;
}
export function upgradeToFloat(a: DType): FloatDType {
  return UPGRADE_TO_FLOAT[a];
}

/** The typed array that stores each dtype. int64 is stored exactly in a BigInt64Array. */
export interface StorageMap {
  bool: Uint8Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  uint16: Uint16Array;
  uint32: Uint32Array;
  float32: Float32Array;
  float64: Float64Array;
}
export type Storage<D extends DType = DType> = StorageMap[D];

/** What one element reads as in JS: int64 is a `bigint` (exact), bool a `boolean`, everything else a `number`. */
export type ScalarValue<D extends DType> = D extends 'int64' ? bigint : D extends 'bool' ? boolean : number;

type StorageCtor = { new (n: number): Storage; readonly BYTES_PER_ELEMENT: number };
export const STORAGE: { [D in DType]: StorageCtor } = {
  bool: Uint8Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** The most elements one typed array may hold (V8's limit on 64-bit platforms, Node's `buffer.constants.MAX_LENGTH`). */
export const MAX_STORAGE_LENGTH = 2 ** 32;

/** A zero-filled typed array of `n` elements; a size past the limit, or one memory cannot hold, says how big it was. */
export function allocStorage<D extends DType>(dtype: D, n: number): Storage<D> {
  if (n > MAX_STORAGE_LENGTH)
    throw allocationError(dtype, n, `a typed array holds at most ${MAX_STORAGE_LENGTH} elements`);
  try {
    return new STORAGE[dtype](n) as Storage<D>;
  } catch (e) {
    throw e instanceof RangeError && n > 0 ? allocationError(dtype, n, e.message, e) : e;
  }
}

function allocationError(dtype: DType, n: number, why: string, cause?: unknown): RangeError {
  const bytes = formatBytes(n * STORAGE[dtype].BYTES_PER_ELEMENT);
  return new RangeError(`cannot allocate ${n} ${dtype} elements (${bytes}): ${why}`, { cause });
}

/** '80 GB', '1.5 MB', '12 bytes'. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : Number(v.toPrecision(3))} ${units[u]}`;
}

/** Inclusive value ranges of the integer dtypes (int64 as bigint bounds). */
export const INT_RANGE: { [D in IntegralDType]: readonly [number, number] } = {
  bool: [0, 1],
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [-(2 ** 63), 2 ** 63 - 1],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
};

/** The dtype of a typed array, when it maps to exactly one dtype (Uint8Array is read as uint8). */
export function dtypeOfStorage(a: ArrayBufferView): DType | undefined {
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof BigInt64Array) return 'int64';
  return undefined;
}

/** Whether every value of `from` is exactly representable in `to` (numpy's `can_cast(from, to, 'safe')`). */
export function canCastSafely(from: DType, to: DType): boolean {
  return UPCAST[from][to] === to;
}
