"""Writes test/linalg/fixtures.json: numpy.linalg results on fixed-seed inputs, the reference that
test/linalg/numerics.test.ts checks T.linalg against.

Run from the repository root with numpy 2: python3 test/linalg/fixtures.py
Each case: the op, its options, its inputs (nested lists) and numpy's outputs; a case whose numpy call raises
LinAlgError records the error instead. Triangular solves use numpy.linalg.solve on the masked triangle; 'sym' and
'pos' solves on the matrix completed from the triangle read. LU cases use scipy.linalg.lu (scipy >= 1.11).
"""

import json
import os

import numpy as np
import scipy.linalg

rng = np.random.default_rng(20260519)


def rand(*shape):
    return rng.standard_normal(shape)


def spd(n, batch=()):
    a = rand(*batch, n, n)
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def hilbert(n):
    i = np.arange(n)
    return 1.0 / (i[:, None] + i[None, :] + 1)


cases = []


def add(op, inputs, outputs=None, options=None, error=None, tol=1e-10):
    cases.append(
        {
            "op": op,
            "options": options or {},
            "inputs": [np.asarray(x).tolist() for x in inputs],
            "shapes": [list(np.shape(x)) for x in inputs],
            "outputs": None if outputs is None else [np.asarray(y).tolist() for y in outputs],
            "outShapes": None if outputs is None else [list(np.shape(y)) for y in outputs],
            "error": error,
            "rtol": tol,
        }
    )


def call(op, inputs, fn, options=None, tol=1e-10):
    try:
        out = fn(*inputs)
    except np.linalg.LinAlgError as e:
        add(op, inputs, None, options, error=str(e), tol=tol)
        return
    add(op, inputs, out if isinstance(out, tuple) else (out,), options, tol=tol)


def sym_from(a, lower):
    t = np.tril(a) if lower else np.triu(a)
    return t + np.swapaxes(t, -1, -2) - np.tril(np.triu(a))


# cholesky: random SPD, batched, upper, ill-conditioned, not positive definite, empty
for a in [spd(1), spd(4), spd(3, (2,)), spd(3, (2, 2)), hilbert(5) + 1e-12 * np.eye(5)]:
    call("cholesky", [a], np.linalg.cholesky, tol=1e-7 if a.shape[-1] == 5 and a.ndim == 2 else 1e-10)
a = spd(4)
add("cholesky", [a], [np.swapaxes(np.linalg.cholesky(a), -1, -2)], {"lower": False})
call("cholesky", [np.array([[1.0, 2.0], [2.0, 1.0]])], np.linalg.cholesky)
call("cholesky", [np.zeros((0, 0))], np.linalg.cholesky)

# solve: general (vector and matrix b), batched with broadcasting, ill-conditioned, singular, empty
call("solve", [rand(4, 4), rand(4)], np.linalg.solve)
call("solve", [rand(4, 4), rand(4, 3)], np.linalg.solve)
call("solve", [rand(2, 3, 3), rand(3, 2)], np.linalg.solve)
call("solve", [rand(2, 1, 3, 3), rand(3, 3, 1)], np.linalg.solve)
call("solve", [rand(2, 3, 3), rand(3)], np.linalg.solve)
call("solve", [hilbert(8), np.ones(8)], np.linalg.solve, tol=1e-4)
call("solve", [np.array([[1.0, 2.0], [2.0, 4.0]]), np.ones(2)], np.linalg.solve)
call("solve", [np.zeros((0, 0)), np.zeros(0)], np.linalg.solve)
for assume, lower in [("sym", False), ("sym", True), ("pos", False), ("pos", True)]:
    a = spd(4) if assume == "pos" else rand(4, 4)
    b = rand(4, 2)
    add("solve", [a, b], [np.linalg.solve(sym_from(a, lower), b)], {"assumeA": assume, "lower": lower})

# solve_triangular: every combination of lower/trans/unitDiagonal, batched
for lower in [True, False]:
    for trans in [False, True]:
        for unit in [False, True]:
            a = rand(4, 4) + 4 * np.eye(4)
            t = np.tril(a) if lower else np.triu(a)
            if unit:
                t = t - np.diag(np.diag(t)) + np.eye(4)
            b = rand(4, 2)
            m = t.T if trans else t
            add("solve_triangular", [a, b], [np.linalg.solve(m, b)], {"lower": lower, "trans": trans, "unitDiagonal": unit})
a = rand(3, 3, 3) + 3 * np.eye(3)
b = rand(3, 3)
add("solve_triangular", [a, b], [np.linalg.solve(np.tril(a), b)], {"lower": True})  # b (3, 3): one matrix for every a
add("solve_triangular", [np.array([[1.0, 0.0], [2.0, 0.0]]), np.ones(2)], None, {"lower": True}, error="singular")

# det, slogdet, inverse
for x in [rand(1, 1), rand(3, 3), rand(5, 5), rand(2, 3, 3), rand(2, 2, 4, 4), hilbert(6), np.zeros((0, 0))]:
    tol = 1e-6 if x.shape == (6, 6) else 1e-10
    call("det", [x], np.linalg.det, tol=tol)
    call("slogdet", [x], lambda m: tuple(np.linalg.slogdet(m)), tol=tol)
    call("matrix_inverse", [x], np.linalg.inv, tol=1e-4 if x.shape == (6, 6) else 1e-9)
singular = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
exactly_singular = np.array([[1.0, 2.0], [2.0, 4.0]])
call("det", [exactly_singular], np.linalg.det)
call("slogdet", [exactly_singular], lambda m: tuple(np.linalg.slogdet(m)))
call("matrix_inverse", [exactly_singular], np.linalg.inv)
call("det", [singular], np.linalg.det, tol=0)  # round-off: numpy's LAPACK and ours both give ~6.7e-16
cases[-1]["atol"] = 1e-14

# diagonals and trace
x = rand(3, 4)
for k in [0, 1, -1, 5]:
    add("diagonal", [x], [np.diagonal(x, k)], {"offset": k})
add("diagonal", [rand(2, 3, 3)], None)
cases[-1]["outputs"] = [np.diagonal(np.asarray(cases[-1]["inputs"][0]), 0, -2, -1).tolist()]
cases[-1]["outShapes"] = [[2, 3]]
add("trace", [x], [np.trace(x)])
y = rand(2, 4, 4)
add("trace", [y], [np.linalg.trace(y)])
v = rand(3)
for k in [0, 2, -1]:
    add("alloc_diag", [v], [np.diag(v, k)], {"offset": k})

# eigh: eigenvalues (vectors are checked by reconstruction, their signs being arbitrary)
for a in [spd(1), rand(4, 4), rand(6, 6), rand(2, 3, 3)]:
    s = (a + np.swapaxes(a, -1, -2)) / 2
    add("eigvalsh", [s], [np.linalg.eigvalsh(s)], tol=1e-9)
add("eigvalsh", [np.diag([3.0, 1.0, 2.0, 1.0])], [np.linalg.eigvalsh(np.diag([3.0, 1.0, 2.0, 1.0]))])

# singular values
for a in [rand(4, 4), rand(5, 3), rand(3, 5), rand(2, 4, 3), singular, np.zeros((3, 2))]:
    add("svdvals", [a], [np.linalg.svd(a, compute_uv=False)], tol=1e-9)

# norms
vec = rand(5)
for o in [None, 1, 2, np.inf, -np.inf, 3, 0.5]:
    add("norm", [vec], [np.linalg.norm(vec, o)], {"ord": "default" if o is None else ("inf" if o == np.inf else ("-inf" if o == -np.inf else o))})
mat = rand(4, 3)
for o in ["fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]:
    name = o if isinstance(o, str) else ("inf" if o == np.inf else ("-inf" if o == -np.inf else o))
    add("norm", [mat], [np.linalg.norm(mat, o)], {"ord": name}, tol=1e-9)

# matrix_power and kron
m = rand(3, 3)
for p in [0, 1, 2, 5, -1, -3]:
    add("matrix_power", [m], [np.linalg.matrix_power(m, p)], {"n": p}, tol=1e-9)
add("kron", [rand(2, 3), rand(3, 2)], None)
cases[-1]["outputs"] = [np.kron(*[np.asarray(i) for i in cases[-1]["inputs"]]).tolist()]
cases[-1]["outShapes"] = [[6, 6]]

# qr: square, tall, wide, batched; every mode (numpy's signs: Householder as LAPACK's dgeqrf)
for a in [rand(4, 4), rand(5, 3), rand(3, 5), rand(2, 4, 3), hilbert(5)]:
    for mode in ["reduced", "complete", "r"]:
        out = np.linalg.qr(a, mode=mode)
        add("qr", [a], [out] if mode == "r" else list(out), {"mode": mode}, tol=1e-9)

# lu: scipy.linalg.lu (A = P L U), square, tall, wide, batched, singular; permute_l and p_indices
for a in [rand(4, 4), rand(5, 3), rand(3, 5), rand(2, 3, 3), singular, np.array([[0.0, 1.0], [0.0, 2.0]])]:
    add("lu", [a], list(scipy.linalg.lu(a)), tol=1e-10)
a = rand(4, 3)
add("lu", [a], list(scipy.linalg.lu(a, permute_l=True)), {"permuteL": True})
add("lu", [a], list(scipy.linalg.lu(a, p_indices=True)), {"pIndices": True})

# pinv: full rank (square, tall, wide, batched), rank-deficient, each cutoff, hermitian
for a in [rand(4, 4), rand(5, 3), rand(3, 5), rand(2, 4, 3), singular, np.zeros((2, 3))]:
    add("pinv", [a], [np.linalg.pinv(a)], tol=1e-8)
nearly = np.outer(rand(4), rand(3)) + 1e-13 * rand(4, 3)  # rank 1 above a relative cutoff of 1e-12
add("pinv", [nearly], [np.linalg.pinv(nearly, rcond=1e-12)], {"rcond": 1e-12}, tol=1e-8)
add("pinv", [nearly], [np.linalg.pinv(nearly, rtol=None)], {"rtol": None}, tol=1e-2)
h = rand(4, 4)
h = h + h.T
h_low = np.tril(h) + np.triu(rand(4, 4), 1)  # the upper triangle is not read
add("pinv", [h_low], [np.linalg.pinv(h, hermitian=True)], {"hermitian": True}, tol=1e-8)

# lstsq: overdetermined (vector and matrix b), square, underdetermined, rank-deficient, an explicit rcond
for a, b in [(rand(6, 3), rand(6)), (rand(6, 3), rand(6, 2)), (rand(3, 3), rand(3)), (rand(3, 5), rand(3, 2)), (singular, rand(3)), (np.vstack([singular, rand(1, 3)]), rand(4, 2))]:
    x, res, rank, sv = np.linalg.lstsq(a, b)
    add("lstsq", [a, b], [x, res, rank, sv], tol=1e-8)
a = np.diag([1.0, 1e-3, 1e-9]) @ rand(3, 3)
b = rand(3)
x, res, rank, sv = np.linalg.lstsq(a, b, rcond=1e-6)
add("lstsq", [a, b], [x, res, rank, sv], {"rcond": 1e-6}, tol=1e-8)


def finite_json(x):
    """JSON has no Infinity or NaN: those go in as the strings the test reads back."""
    if isinstance(x, list):
        return [finite_json(y) for y in x]
    if isinstance(x, dict):
        return {k: finite_json(v) for k, v in x.items()}
    if isinstance(x, float) and not np.isfinite(x):
        return "NaN" if np.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
    return x


here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "fixtures.json"), "w") as f:
    json.dump(finite_json({"generator": "test/linalg/fixtures.py", "numpy": np.__version__, "cases": cases}), f, allow_nan=False)
print(f"{len(cases)} cases")
