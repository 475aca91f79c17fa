#!/usr/bin/env python3
"""
Writes test/oracle/corpus.json: random expressions over theano-ts's elementwise and reduction ops, with the results
numpy 2 gives. test/oracle/numpy-oracle.test.ts rebuilds each expression with the theano-ts API and checks dtype,
shape and values in every mode. Rerun by hand (CI has no numpy) when numpy semantics matter:

    python3 test/oracle/generate.py            # deterministic: same seed, same numpy -> same file

A case is {inputs, expr, expected} or {inputs, expr, error}. An expression is a small JSON AST:
    {"in": k}                                    input k
    {"num": 2} / {"num": 2.5}                    a JS number (weak, as a Python scalar is in numpy 2)
    {"op": "add", "args": [...]}                 an elementwise op, by its theano.tensor name
    {"op": "cast", "args": [x], "dtype": "int8"}
    {"op": "sum", "args": [x], "axis": null | k | [k...], "keepdims": false, "ddof": 1}
Inputs are strided views on a flat buffer: {dtype, shape, strides, offset, data} (strides and offset in elements,
negative strides allowed). Floats are JSON numbers or "nan" / "inf" / "-inf"; int64 values are decimal strings.

Where theano-ts deliberately follows Theano rather than numpy, the case says why in "differs" and "expected" holds
theano-ts's documented value (computed here by the documented rule), and "numpy" holds what numpy gave (dtype, or
the error). docs/types.md lists each such rule.
"""
import json
import math
import os
import sys
import warnings

import numpy as np

SEED = 20261207
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus.json")

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "float32", "float64"]
INTS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32"]
FLOATS = ["float32", "float64"]
SMALL = {"bool", "int8", "uint8"}  # numpy's float-valued functions give float16 for these

# Theano's upgrade_to_float (src/types/dtype.ts UPGRADE_TO_FLOAT)
UPGRADE = {"bool": "float32", "int8": "float32", "int16": "float32", "uint8": "float32", "uint16": "float32",
           "int32": "float64", "int64": "float64", "uint32": "float64", "float32": "float32", "float64": "float64"}
SUM_DTYPE = {d: ("int64" if d not in FLOATS else d) for d in DTYPES}

BINARY = ["add", "sub", "mul", "div", "intDiv", "mod", "pow", "maximum", "minimum", "arctan2"]
BITWISE = ["and", "or", "xor"]
COMPARE = ["lt", "gt", "le", "ge", "eq", "neq"]
UNARY_SAME = ["neg", "abs", "sign", "sqr"]
UNARY_FLOAT = ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "reciprocal", "sin", "cos", "tan",
               "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "floor", "ceil",
               "round", "trunc", "erf", "erfc", "sigmoid", "softplus"]
ROUNDING = {"floor", "ceil", "round", "trunc"}
PREDICATES = ["isnan", "isinf"]
REDUCTIONS = ["sum", "prod", "max", "min", "mean", "var", "std", "all", "any", "argmax", "argmin", "cumsum", "cumprod"]

NP_BINARY = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide,
             "intDiv": np.floor_divide, "mod": np.remainder, "pow": np.power, "maximum": np.maximum,
             "minimum": np.minimum, "arctan2": np.arctan2, "and": np.bitwise_and, "or": np.bitwise_or,
             "xor": np.bitwise_xor, "lt": np.less, "gt": np.greater, "le": np.less_equal, "ge": np.greater_equal,
             "eq": np.equal, "neq": np.not_equal}
_erf = np.vectorize(math.erf, otypes=[np.float64])
_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def _via64(f):
    """A function numpy lacks, computed in float64 and rounded to the input's float dtype."""
    return lambda x: f(x.astype(np.float64)).astype(x.dtype)


def _sigmoid(x):
    with np.errstate(all="ignore"):
        return (1 / (1 + np.exp(-x.astype(np.float64)))).astype(x.dtype)


NP_UNARY = {"neg": np.negative, "abs": np.absolute, "sign": np.sign, "sqr": np.square, "invert": np.invert,
            "exp": np.exp, "exp2": np.exp2, "expm1": np.expm1, "log": np.log, "log2": np.log2, "log10": np.log10,
            "log1p": np.log1p, "sqrt": np.sqrt, "reciprocal": np.reciprocal, "sin": np.sin, "cos": np.cos,
            "tan": np.tan, "arcsin": np.arcsin, "arccos": np.arccos, "arctan": np.arctan, "sinh": np.sinh,
            "cosh": np.cosh, "tanh": np.tanh, "arcsinh": np.arcsinh, "arccosh": np.arccosh, "arctanh": np.arctanh,
            "floor": np.floor, "ceil": np.ceil, "round": np.round, "trunc": np.trunc, "erf": _via64(_erf),
            "erfc": _via64(_erfc), "sigmoid": _sigmoid, "softplus": lambda x: np.logaddexp(x.dtype.type(0), x),
            "isnan": np.isnan, "isinf": np.isinf}

# Why theano-ts differs, per rule (docs/types.md, "Where we follow Theano rather than numpy", says the same).
WHY = {
    "float16": "numpy gives float16 for a float-valued function of bool/int8/uint8; theano-ts has no float16 and "
               "upgrades them to float32 (Theano's upgrade_to_float)",
    "true_div": "true division of integers: numpy always gives float64, theano-ts upgrades bool and 8/16-bit "
                "integers to float32 (Theano's upgrade_to_float)",
    "rounding": "floor/ceil/round/trunc of integers: numpy keeps the integer dtype, theano-ts (as Theano) gives a float",
    "reciprocal": "reciprocal of integers: numpy divides in integers, theano-ts (as Theano) gives a float",
    "negative_pow": "integer ** negative integer: numpy raises, theano-ts gives 1 / a**n truncated (±1 for ±1, else 0)",
    "uint_sum": "sum/prod/cumsum/cumprod of unsigned integers: numpy accumulates in uint64, theano-ts (no uint64) "
                "in int64",
}


class Refused(Exception):
    """numpy raises for this expression (an error case), with theano-ts's message fragment."""

    def __init__(self, numpy_message, ours):
        super().__init__(numpy_message)
        self.numpy_message = numpy_message
        self.ours = ours


class Skip(Exception):
    """Not a meaningful case (undefined behaviour in C, or a form we do not generate): draw another."""


# --------------------------------------------------------------------------------------------------------------
# values

def draw_values(rng, dtype, n, mild=False):
    """n values of dtype: mostly small, with the extremes of the dtype and, for floats, nan/inf/-0."""
    if dtype == "bool":
        return rng.random(n) < 0.5
    if dtype in INTS:
        info = np.iinfo(dtype)
        small = rng.integers(max(info.min, -6), min(info.max, 6) + 1, n)
        if mild:
            return small.astype(dtype)
        edge = rng.choice(np.array([info.min, info.max, 0, 1, info.max // 2], dtype=np.int64), n)
        wide = rng.integers(info.min, info.max, n, dtype=np.int64, endpoint=True)
        pick = rng.random(n)
        return np.where(pick < 0.7, small, np.where(pick < 0.85, edge, wide)).astype(dtype)
    normal = rng.normal(0, 3, n)
    if mild:
        return np.round(normal, 3).astype(dtype)
    specials = rng.choice(np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 0.5, -1.5, 1.0, -1.0, 2.0, 1e30, -1e-30]), n)
    unit = rng.uniform(-1, 1, n)
    pick = rng.random(n)
    return np.where(pick < 0.55, normal, np.where(pick < 0.75, unit, specials)).astype(dtype)


def draw_shape(rng, rank):
    sizes = [0, 1, 1, 2, 2, 3, 3, 4, 5]
    return tuple(int(rng.choice(sizes)) for _ in range(rank))


def make_input(rng, dtype, shape, mild=False):
    """A strided view of the given shape: contiguous, transposed, stepped, or reversed, on a flat buffer."""
    size = int(np.prod(shape)) if shape else 1
    kind = rng.choice(["contiguous", "transposed", "stepped", "reversed"]) if len(shape) > 0 and size > 0 else "contiguous"
    if kind == "contiguous":
        base_shape, build = shape, lambda b: b
    elif kind == "transposed":
        perm = list(rng.permutation(len(shape)))
        inverse = list(np.argsort(perm))
        base_shape = tuple(shape[p] for p in perm)
        build = lambda b: b.transpose(inverse)
    else:
        steps = [int(rng.choice([1, 2, 3])) * (-1 if kind == "reversed" and rng.random() < 0.7 else 1) for _ in shape]
        starts = [int(rng.integers(0, 2)) for _ in shape]
        base_shape = tuple(st + abs(s) * (d - 1) + 1 + int(rng.integers(0, 2)) for d, s, st in zip(shape, steps, starts))

        def build(b):
            index = []
            for d, s, st, n in zip(shape, steps, starts, base_shape):
                if s > 0:
                    index.append(slice(st, st + s * (d - 1) + 1, s))
                else:
                    top = n - 1 - st
                    stop = top + s * (d - 1) - 1
                    index.append(slice(top, stop if stop >= 0 else None, s))
            return b[tuple(index)]
    base_size = int(np.prod(base_shape)) if base_shape else 1
    base = draw_values(rng, dtype, base_size, mild).reshape(base_shape)
    view = build(base)
    assert view.shape == tuple(shape), (view.shape, shape, kind)
    item = base.itemsize
    offset = (view.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // item if view.size else 0
    strides = [s // item for s in view.strides]
    spec = {"dtype": dtype, "shape": list(shape), "strides": strides, "offset": int(offset), "data": encode(base.ravel())}
    return spec, view


def encode(a):
    a = np.asarray(a)
    if a.dtype == np.bool_:
        return [int(v) for v in a.ravel()]
    if a.dtype == np.int64 or a.dtype == np.uint64:
        return [str(int(v)) for v in a.ravel()]
    if a.dtype.kind in "iu":
        return [int(v) for v in a.ravel()]
    out = []
    for v in a.ravel().astype(np.float64):
        out.append("nan" if math.isnan(v) else "inf" if v == math.inf else "-inf" if v == -math.inf else float(v))
    return out


# --------------------------------------------------------------------------------------------------------------
# evaluation: numpy, then theano-ts's documented rule where they differ

def is_weak(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def dtype_of(v):
    return v.dtype.name if isinstance(v, np.ndarray) else None


def evaluate(node, values, notes):
    if "in" in node:
        return values[node["in"]]
    if "num" in node:
        return node["num"]
    args = [evaluate(a, values, notes) for a in node["args"]]
    op = node["op"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            result = np.asarray(apply_op(op, node, args, notes))  # keeps numpy scalars' dtype, as arrays
    if result.dtype.name in ("float32", "float16"):
        notes.append(("float32-inside", None))
    return result


def apply_op(op, node, args, notes):
    if op in NP_BINARY:
        return binary(op, args, notes)
    if op in NP_UNARY:
        return unary(op, args[0], notes)
    if op == "clip":
        x, lo, hi = args
        return np.clip(x, lo, hi)
    if op == "switch":
        c, a, b = args
        return np.where(np.asarray(c) != 0, a, b)
    if op == "cast":
        return cast(args[0], node["dtype"])
    if op in REDUCTIONS:
        return reduction(op, node, args[0], notes)
    raise ValueError(op)


def binary(op, args, notes):
    a, b = args
    dtypes = [dtype_of(v) for v in args if isinstance(v, np.ndarray)]
    both_bool = all(d == "bool" for d in dtypes) and not any(is_weak(v) for v in args)
    if op == "sub" and both_bool:
        raise Refused("numpy boolean subtract is not supported", "sub of bools only is not supported")
    integral = all(d in INTS + ["bool"] for d in dtypes)
    if op == "div" and integral:
        return upgraded(np.true_divide, a, b, args, notes, "true_div")
    if op == "arctan2" and integral:
        return upgraded(np.arctan2, a, b, args, notes, "float16")
    if op == "pow":
        result = np.result_type(*args)
        if result.kind in "iu" and np.any(np.asarray(b) < 0):
            notes.append(("negative_pow", "error: Integers to negative integer powers are not allowed"))
            return negative_int_pow(a, b, result)
    return NP_BINARY[op](a, b)


def upgraded(fn, a, b, args, notes, note):
    """fn(a, b) of integer or bool operands in Theano's float dtype (numpy may give another, e.g. float16)."""
    natural = fn(a, b)
    ours = UPGRADE[np.result_type(*args).name]
    if ours != natural.dtype.name:
        notes.append((note, natural.dtype.name))
        return fn(as_dtype(a, ours), as_dtype(b, ours))
    return natural


def as_dtype(v, dtype):
    return v.astype(dtype) if isinstance(v, np.ndarray) else v


def negative_int_pow(a, b, dtype):
    a, b = np.broadcast_arrays(np.asarray(a).astype(np.int64), np.asarray(b).astype(np.int64))
    out = np.empty(a.shape, dtype=dtype)
    for idx in np.ndindex(a.shape):
        x, n = int(a[idx]), int(b[idx])
        if n >= 0:
            v = pow(x, n, 2 ** 64)
        else:
            v = 1 if x == 1 else (1 if n % 2 == 0 else -1) if x == -1 else 0
        out[idx] = np.array(v & (2 ** 64 - 1), dtype=np.uint64).astype(np.int64).astype(dtype)
    return out


def unary(op, x, notes):
    d = x.dtype.name
    if op == "neg" and d == "bool":
        raise Refused("numpy boolean negative is not supported", "neg of a bool is not supported")
    if op == "sign" and d == "bool":
        raise Refused("no loop for sign on bool", "sign of a bool is not supported")
    if op == "sqr" and d == "bool":
        return np.square(x)  # int8, as ours
    if op == "reciprocal" and d not in FLOATS:
        notes.append(("reciprocal", d))
        return np.reciprocal(x.astype(UPGRADE[d]))
    if op in ROUNDING and d not in FLOATS:
        notes.append(("rounding", d))
        return NP_UNARY[op](x.astype(UPGRADE[d]))
    if op in UNARY_FLOAT and d not in FLOATS:
        natural_dtype = "float16" if d in SMALL else UPGRADE[d]
        if natural_dtype != UPGRADE[d]:
            notes.append(("float16", natural_dtype))
        return NP_UNARY[op](x.astype(UPGRADE[d]))
    return NP_UNARY[op](x)


def cast(x, dtype):
    if x.dtype.kind == "f" and dtype not in FLOATS and dtype != "bool":
        info = np.iinfo(dtype)
        t = np.trunc(x.astype(np.float64))
        if not np.all(np.isfinite(x)) or np.any(t < float(info.min)) or np.any(t >= float(info.max) + 1):
            raise Skip()  # undefined in C, so numpy's value is the platform's
    if x.dtype.name == "int64" and dtype == "float32":
        if np.any(np.abs(x) > 2 ** 53):
            raise Skip()  # we round twice (int64 -> float64 -> float32)
    return x.astype(dtype)


def reduction(op, node, x, notes):
    axis = node.get("axis")
    axis = tuple(axis) if isinstance(axis, list) else axis
    keep = node.get("keepdims", False)
    d = x.dtype.name
    if op in ("sum", "prod", "cumsum", "cumprod"):
        ours = SUM_DTYPE[d]
        if d in ("uint8", "uint16", "uint32"):
            notes.append(("uint_sum", "uint64"))
        if op == "cumsum":
            return np.cumsum(x, axis=axis, dtype=ours) if axis is not None else np.cumsum(x.ravel(), dtype=ours)
        if op == "cumprod":
            return np.cumprod(x, axis=axis, dtype=ours) if axis is not None else np.cumprod(x.ravel(), dtype=ours)
        f = np.sum if op == "sum" else np.prod
        return f(x, axis=axis, keepdims=keep, dtype=ours)
    reduced = range(x.ndim) if axis is None else axis if isinstance(axis, tuple) else (axis,)
    empty = any(x.shape[a] == 0 for a in reduced)  # numpy refuses only a zero-length reduced axis
    if op in ("max", "min"):
        if empty:
            raise Refused("zero-size array to reduction operation which has no identity", "zero-size reduction has no identity")
        return (np.max if op == "max" else np.min)(x, axis=axis, keepdims=keep)
    if op in ("argmax", "argmin"):
        if empty:
            raise Refused("attempt to get argmax of an empty sequence", "of an empty sequence")
        f = np.argmax if op == "argmax" else np.argmin
        return np.asarray(f(x, axis=axis, keepdims=keep)).astype(np.int64)
    if op in ("all", "any"):
        return (np.all if op == "all" else np.any)(x, axis=axis, keepdims=keep)
    if op == "mean":
        return np.asarray(np.mean(x, axis=axis, keepdims=keep))
    if op in ("var", "std"):
        ddof = node.get("ddof", 0)
        # numpy divides by max(n - ddof, 0), and so does theano-ts
        return np.asarray((np.var if op == "var" else np.std)(x, axis=axis, keepdims=keep, ddof=ddof))
    raise ValueError(op)


# --------------------------------------------------------------------------------------------------------------
# expressions

class Builder:
    def __init__(self, rng):
        self.rng = rng
        self.inputs = []
        self.values = []

    def input(self, dtype, shape, mild=False):
        spec, view = make_input(self.rng, dtype, shape, mild)
        self.inputs.append(spec)
        self.values.append(view)
        return {"in": len(self.inputs) - 1}


def broadcast_partner(rng, shape):
    """A shape that broadcasts with `shape`: the same, a suffix, or with some axes of length 1."""
    pick = rng.random()
    if pick < 0.4 or not shape:
        return shape
    if pick < 0.6:
        return shape[int(rng.integers(0, len(shape) + 1)):]
    return tuple(1 if rng.random() < 0.5 else d for d in shape)


def weak_number(rng, dtype):
    if dtype in FLOATS or rng.random() < 0.25:
        return {"num": float(rng.choice([0.5, -1.5, 2.25, 0.1]))}
    if dtype == "bool":
        return {"num": int(rng.choice([0, 1, 2]))}
    info = np.iinfo(dtype)
    return {"num": int(rng.choice([v for v in (0, 1, 2, 3, -1, -2) if info.min <= v <= info.max]))}


def op_case(rng, op, dtype):
    """op applied to inputs, the first of `dtype`; the others of random dtypes (or a weak number)."""
    b = Builder(rng)
    rank = int(rng.choice([0, 1, 1, 2, 2, 3]))
    shape = draw_shape(rng, rank)
    x = b.input(dtype, shape)
    if op in BINARY or op in BITWISE or op in COMPARE:
        other_dtype = dtype if rng.random() < 0.4 else str(rng.choice(DTYPES))
        if op in BITWISE:
            other_dtype = other_dtype if other_dtype not in FLOATS else str(rng.choice(INTS + ["bool"]))
        if rng.random() < 0.2:
            y = weak_number(rng, dtype)
            if op in BITWISE and isinstance(y["num"], float):
                y = {"num": 3}
        else:
            y = b.input(other_dtype, broadcast_partner(rng, shape))
        args = [x, y] if rng.random() < 0.7 else [y, x]
        return b, {"op": op, "args": args}
    if op in UNARY_SAME + UNARY_FLOAT + PREDICATES + ["invert"]:
        return b, {"op": op, "args": [x]}
    if op == "clip":
        lo = b.input(str(rng.choice(DTYPES)), broadcast_partner(rng, shape)) if rng.random() < 0.5 else weak_number(rng, dtype)
        hi = weak_number(rng, dtype) if rng.random() < 0.5 else b.input(str(rng.choice(DTYPES)), broadcast_partner(rng, shape))
        return b, {"op": "clip", "args": [x, lo, hi]}
    if op == "switch":
        cond = b.input(str(rng.choice(["bool", "bool", "int8", "float64"])), broadcast_partner(rng, shape))
        other = b.input(str(rng.choice(DTYPES)), broadcast_partner(rng, shape)) if rng.random() < 0.7 else weak_number(rng, dtype)
        return b, {"op": "switch", "args": [cond, x, other]}
    if op == "cast":
        return b, {"op": "cast", "args": [x], "dtype": str(rng.choice(DTYPES))}
    raise ValueError(op)


def reduction_case(rng, op, dtype):
    b = Builder(rng)
    rank = int(rng.choice([1, 1, 2, 2, 3]))
    shape = draw_shape(rng, rank)
    x = b.input(dtype, shape, mild=op in ("prod", "cumprod", "var", "std", "sum", "mean", "cumsum"))
    if rng.random() < 0.3 and dtype in FLOATS:
        x = {"op": str(rng.choice(["exp", "abs", "sqr", "tanh", "neg"])), "args": [x]}
    node = {"op": op, "args": [x]}
    if op in ("argmax", "argmin", "cumsum", "cumprod"):
        axis = None if rng.random() < 0.3 else int(rng.integers(-rank, rank))
    else:
        pick = rng.random()
        if pick < 0.3:
            axis = None
        elif pick < 0.7:
            axis = int(rng.integers(-rank, rank))
        else:
            axis = sorted(set(int(a) for a in rng.choice(rank, int(rng.integers(1, rank + 1)), replace=False)))
    node["axis"] = axis
    if op not in ("cumsum", "cumprod"):
        node["keepdims"] = bool(rng.random() < 0.3)
    if op in ("var", "std") and rng.random() < 0.4:
        node["ddof"] = 1
    return b, node


def random_expression(rng, depth):
    """A composite expression: a few elementwise ops over 1-3 inputs of one shape family, maybe reduced."""
    b = Builder(rng)
    rank = int(rng.choice([0, 1, 2, 2, 3]))
    shape = draw_shape(rng, rank)
    pool = [b.input(str(rng.choice(DTYPES)), broadcast_partner(rng, shape)) for _ in range(int(rng.integers(1, 4)))]

    def strong(d):
        node = grow(d)
        return pool[0] if "num" in node else node

    def grow(d):
        if d == 0 or rng.random() < 0.25:
            return pool[int(rng.integers(0, len(pool)))] if rng.random() < 0.9 else weak_number(rng, "float64")
        family = rng.random()
        if family < 0.45:
            return {"op": str(rng.choice(BINARY)), "args": [strong(d - 1), grow(d - 1)][:: int(rng.choice([1, -1]))]}
        if family < 0.75:
            return {"op": str(rng.choice(UNARY_FLOAT + UNARY_SAME)), "args": [strong(d - 1)]}
        if family < 0.85:
            return {"op": str(rng.choice(COMPARE)), "args": [strong(d - 1), grow(d - 1)]}
        if family < 0.95:
            return {"op": "switch", "args": [strong(d - 1), strong(d - 1), grow(d - 1)]}
        return {"op": "clip", "args": [strong(d - 1), {"num": -1.5}, {"num": 2.25}]}

    expr = grow(depth)
    if "num" in expr:
        expr = pool[0]
    if rank > 0 and rng.random() < 0.3:
        expr = {"op": str(rng.choice(["sum", "max", "mean", "any"])), "args": [expr], "axis": None, "keepdims": False}
    return b, expr


# --------------------------------------------------------------------------------------------------------------

def finish(b, expr, label):
    notes = []
    case = {"id": label, "inputs": b.inputs, "expr": expr}
    try:
        result = np.asarray(evaluate(expr, b.values, notes))
    except Refused as r:
        case["error"] = r.ours
        case["numpy"] = {"error": r.numpy_message}
        return case
    except (OverflowError, TypeError) as e:
        msg = str(e)
        if "out of bounds" in msg or "Python integer" in msg:
            raise Skip()  # a weak int that does not fit: checked by the unit tests
        if "ufunc" in msg or "not supported" in msg:
            raise Skip()  # an op on a dtype it does not take (float bitwise, ...)
        raise
    if result.dtype.name not in DTYPES:
        raise AssertionError(f"{label}: numpy gave {result.dtype} with no note")
    case["expected"] = {"dtype": result.dtype.name, "shape": list(result.shape), "data": encode(result)}
    if any(n[0] == "float32-inside" for n in notes) or any(i["dtype"] == "float32" for i in b.inputs):
        case["tolerance"] = "float32"  # float32 rounding inside: compare with float32's tolerance
    notes = [n for n in notes if n[0] != "float32-inside"]
    if notes:
        rules = sorted(set(n[0] for n in notes))
        case["differs"] = "; ".join(WHY[r] for r in rules)
        case["numpy"] = {"rules": rules, "gave": sorted(set(n[1] for n in notes))}
    return case


def main():
    rng = np.random.default_rng(SEED)
    cases = []

    def add(make, label, tries=20):
        for _ in range(tries):
            try:
                b, expr = make()
                cases.append(finish(b, expr, label))
                return
            except Skip:
                continue

    elementwise = BINARY + BITWISE + COMPARE + UNARY_SAME + ["invert"] + UNARY_FLOAT + PREDICATES + ["clip", "switch", "cast"]
    for op in elementwise:
        for dtype in DTYPES:
            if op in BITWISE + ["invert"] and dtype in FLOATS:
                continue
            repeats = 2 if op in BINARY else 1
            for k in range(repeats):
                add(lambda: op_case(rng, op, dtype), f"{op}/{dtype}/{k}")
    for op in REDUCTIONS:
        for dtype in DTYPES:
            for k in range(2):
                add(lambda: reduction_case(rng, op, dtype), f"{op}/{dtype}/{k}")
    for k in range(250):
        add(lambda: random_expression(rng, int(rng.integers(2, 5))), f"random/{k}")
    add(lambda: fixed_floor_division(), "issue13/floor_divide")
    add(lambda: fixed_pow(), "issue13/pow")
    add(lambda: fixed_bool_sub(), "issue13/float32-minus-bool")
    cases.extend(weak_overflow_cases())

    corpus = {
        "about": "numpy 2 results for random theano-ts expressions; written by test/oracle/generate.py, checked by "
                 "test/oracle/numpy-oracle.test.ts",
        "numpy": np.__version__,
        "seed": SEED,
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(corpus, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    differs = sum(1 for c in cases if "differs" in c)
    errors = sum(1 for c in cases if "error" in c)
    print(f"{len(cases)} cases ({differs} where we follow Theano, {errors} errors), {os.path.getsize(OUT)} bytes -> {OUT}")


def fixed(b_inputs, expr):
    b = Builder(np.random.default_rng(0))
    for dtype, values in b_inputs:
        a = np.array(values, dtype=dtype)
        b.inputs.append({"dtype": dtype, "shape": list(a.shape), "strides": [1] * a.ndim, "offset": 0, "data": encode(a)})
        b.values.append(a)
    return b, expr


def fixed_floor_division():
    return fixed([("float64", [1, -1.5, np.inf, 5]), ("float64", [0.1, np.inf, 0.001, -np.inf])],
                 {"op": "intDiv", "args": [{"in": 0}, {"in": 1}]})


def fixed_pow():
    return fixed([("float64", [1, -1, -1, np.nan, 1]), ("float64", [np.nan, np.inf, -np.inf, 0, np.inf])],
                 {"op": "pow", "args": [{"in": 0}, {"in": 1}]})


def fixed_bool_sub():
    return fixed([("float32", [1, 2, 3]), ("float32", [5, 0, 3]), ("float32", [4, 1, 3])],
                 {"op": "sub", "args": [{"in": 0}, {"op": "gt", "args": [{"in": 1}, {"in": 2}]}]})


def weak_overflow_cases():
    """A JS integer that does not fit the tensor's dtype: an error in arithmetic, as numpy 2's OverflowError."""
    out = []
    forms = [("int8", "add", 300), ("uint8", "mul", -1), ("int16", "maximum", 40000), ("uint32", "sub", -2),
             ("int8", "lt", 300), ("uint8", "eq", -1)]
    for dtype, op, k in forms:
        b, expr = fixed([(dtype, [1, 5])], {"op": op, "args": [{"in": 0}, {"num": k}]})
        case = {"id": f"weak-overflow/{dtype}-{op}-{k}", "inputs": b.inputs, "expr": expr,
                "error": f"the constant {k} (operand 1) does not fit {dtype}"}
        try:
            result = NP_BINARY[op](b.values[0], k)
            case["differs"] = ("a comparison with a JS integer outside the tensor's dtype: numpy 2 compares the "
                               "values, theano-ts refuses the constant as it does in arithmetic")
            case["numpy"] = {"dtype": result.dtype.name, "data": encode(result)}
        except OverflowError as e:
            case["numpy"] = {"error": str(e)}
        out.append(case)
    return out


if __name__ == "__main__":
    sys.exit(main())
