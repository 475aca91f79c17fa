"""Constants of the vector math routines (run: python3 scripts/fit-wasm-math.py): the polynomials of
src/wasm/math-erf.ts and the parts of pi/2 of src/wasm/math-trig.ts.

Each is a Chebyshev interpolant (computed with mpmath at 40 digits, so the fit's own error is the only error),
converted to monomial form for Horner's rule, and printed as float64 literals. Chebyshev interpolation is within a
small factor of the minimax error; the degrees are chosen so that the truncation error stays well below half an
ulp, and test/wasm/math.test.ts measures the whole routine against the reference.
"""
import mpmath as mp

mp.mp.dps = 40


def chebyshev(f, a, b, n):
    """Chebyshev series of f on [a, b] (degree n), in the variable s = (x - c) / h, c and h the centre and half-width."""
    c, h = (a + b) / 2, (b - a) / 2
    nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / (n + 1)) for k in range(n + 1)]
    values = [f(c + h * t) for t in nodes]
    coeffs = []
    for j in range(n + 1):
        s = sum(values[k] * mp.cos(mp.pi * j * (k + mp.mpf(1) / 2) / (n + 1)) for k in range(n + 1))
        coeffs.append(s * 2 / (n + 1))
    coeffs[0] /= 2
    return coeffs, c, h


def monomial(coeffs):
    """A Chebyshev series as monomial coefficients (lowest first)."""
    n = len(coeffs)
    T = [[mp.mpf(1)], [mp.mpf(0), mp.mpf(1)]]
    for k in range(2, n):
        a = [mp.mpf(0)] + [2 * v for v in T[k - 1]]
        b = T[k - 2] + [mp.mpf(0)] * (len(a) - len(T[k - 2]))
        T.append([a[i] - b[i] for i in range(len(a))])
    m = [mp.mpf(0)] * n
    for k in range(n):
        for i, v in enumerate(T[k]):
            m[i] += coeffs[k] * v
    return m


def unshift(m, c, h):
    """sum m_i ((z - c) / h)^i as a polynomial in z."""
    out = [mp.mpf(0)] * len(m)
    for i, mi in enumerate(m):
        for j in range(i + 1):
            out[j] += mi * mp.binomial(i, j) * (-c) ** (i - j) / h**i
    return out


def show(name, values):
    print(f"const {name} = [{', '.join(repr(float(v)) for v in values)}];")


# erf(x) = x P(x^2) for |x| < 1: P(z) = erf(sqrt z) / sqrt z on [0, 1], degree 12, in z itself.
small = lambda z: mp.erf(mp.sqrt(z)) / mp.sqrt(z) if z > 0 else 2 / mp.sqrt(mp.pi)
coeffs, c, h = chebyshev(small, mp.mpf(0), mp.mpf(1), 12)
show("ERF_SMALL", unshift(monomial(coeffs), c, h))

# erfc(x) = exp(-x^2) Q(t) for 1 <= x <= 6, t = 2 / (2 + x) in [1/4, 2/3]: Q = erfcx, degree 14 in s = (t - c) / h.
large = lambda t: mp.exp((2 / t - 2) ** 2) * mp.erfc(2 / t - 2)
coeffs, c, h = chebyshev(large, mp.mpf(1) / 4, mp.mpf(2) / 3, 14)
print(f"// t = 2 / (2 + x); s = (t - {float(c)!r}) / {float(h)!r}")
show("ERFCX_LARGE", monomial(coeffs))

# pi/2 in parts for the range reduction of sin and cos (math-trig.ts): three parts of 27 significant bits (so k
# times each is exact for k < 2^26), then the rest rounded to a double.
def round_bits(v, bits):
    e = mp.floor(mp.log(abs(v), 2))
    scale = mp.mpf(2) ** (bits - 1 - e)
    return mp.nint(v * scale) / scale


rest = mp.pi / 2
parts = []
for _ in range(3):
    parts.append(round_bits(rest, 27))
    rest -= parts[-1]
parts.append(rest)
show("HALF_PI_PARTS", parts)

# float32 tanh (math-f32.ts) for |x| < 0.625: tanh x = x + x^3 P(x^2), P(z) = (tanh(sqrt z) - sqrt z) / z^(3/2)
# on [0, 0.625^2], degree 5 in z itself (each coefficient then rounded to float32).
def tanh_small(z):
    if z == 0:
        return mp.mpf(-1) / 3
    s = mp.sqrt(z)
    return (mp.tanh(s) - s) / (z * s)


coeffs, c, h = chebyshev(tanh_small, mp.mpf(0), mp.mpf(0.625) ** 2, 5)
show("TANH_SMALL_F32", unshift(monomial(coeffs), c, h))
