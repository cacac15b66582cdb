"""Tests of redlib.envelope.concave_envelope against closed forms and a brute-force referee.

The referee uses Carathéodory in one dimension: the concave envelope of finitely many points at
x_i is the largest chord value max_{j <= i <= l} [y_j (x_l - x_i) + y_l (x_i - x_j)] / (x_l - x_j)
(with j = l = i allowed).  It knows nothing of hulls or stacks; O(n^3) on small inputs.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redlib.envelope import Envelope, concave_envelope


def brute_envelope(x, y):
    n = len(x)
    out = np.array(y, dtype=float)
    for i in range(n):
        for j in range(i + 1):
            for l in range(i, n):
                if j == l:
                    continue
                v = (y[j] * (x[l] - x[i]) + y[l] * (x[i] - x[j])) / (x[l] - x[j])
                out[i] = max(out[i], v)
    return out


def check_invariants(env, x, y, tol):
    scale = max(1.0, float(np.max(np.abs(y))))
    assert env.values.shape == x.shape and env.slopes.shape == (x.size - 1,)
    assert np.all(env.values >= y - tol * scale)  # above the points
    if x.size > 2:  # concave: slopes non-increasing
        assert np.all(np.diff(env.slopes) <= tol * scale / np.min(np.diff(x)))
    np.testing.assert_array_equal(env.values[env.vertices], y[env.vertices])  # touches at vertices
    assert env.vertices[0] == 0 and env.vertices[-1] == x.size - 1
    assert np.all(np.diff(env.vertices) > 0)
    assert np.all(env.touches[env.vertices])
    if x.size > 1:  # slopes are those of the vertex chords
        np.testing.assert_allclose(np.diff(env.values), env.slopes * np.diff(x), rtol=1e-9, atol=tol * scale)


# ------------------------------------------------------------------------------ closed forms
def test_concave_function_is_its_own_envelope():
    x = np.linspace(0, 1, 201)
    y = np.sqrt(x) - x**2
    env = concave_envelope(x, y)
    np.testing.assert_array_equal(env.values, y)
    np.testing.assert_array_equal(env.vertices, np.arange(x.size))
    assert np.all(env.touches)
    np.testing.assert_allclose(env.slopes, np.diff(y) / np.diff(x), rtol=1e-13)


def test_convex_function_gives_the_chord():
    x = np.linspace(-1, 2, 101)
    y = np.exp(x)
    env = concave_envelope(x, y)
    np.testing.assert_array_equal(env.vertices, [0, 100])
    chord = y[0] + (y[-1] - y[0]) * (x - x[0]) / (x[-1] - x[0])
    np.testing.assert_allclose(env.values, chord, rtol=1e-14)
    np.testing.assert_allclose(env.slopes, (y[-1] - y[0]) / 3, rtol=1e-14)
    assert env.touches.sum() == 2
    assert len(env.pieces) == 1 and env.pieces[0][:2] == (0, 100)


def test_linear_function_has_two_vertices_despite_rounding():
    # rounding noise on a straight line must not create spurious vertices
    x = np.linspace(0, 1, 1001)
    y = 0.1 * x + 0.3  # computed in floating point: not exactly collinear
    env = concave_envelope(x, y)
    np.testing.assert_array_equal(env.vertices, [0, 1000])
    assert np.all(env.touches)
    np.testing.assert_allclose(env.values, y, rtol=1e-14)
    exact = concave_envelope(x, y, rtol=0.0)  # the exact test may keep noisy vertices, but is valid
    assert np.all(exact.values >= y)


def test_atom_at_left_end_like_psi_zero():
    # Ψ(t) concave on (0, 1] plus an atom at t = 0 (essential good): y[0] jumps up.
    # f(t) = -(t - 1/2)^2, atom J: the tangent from (0, f(0) + J) touches f at t* = sqrt(J)
    # (solve f(t) - t f'(t) = f(0) + J  <=>  t^2 - 1/4 = J - 1/4).
    x = np.linspace(0, 1, 1001)
    J = 0.2
    y = -((x - 0.5) ** 2)
    y[0] += J
    env = concave_envelope(x, y)
    t_star = np.sqrt(J)
    k = env.vertices[1]
    # on a grid the tangent point is the grid point of largest slope from (0, y0)
    k_ref = 1 + np.argmax((y[1:] - y[0]) / x[1:])
    assert k == k_ref and abs(x[k] - t_star) <= 1e-3
    np.testing.assert_array_equal(env.vertices, np.r_[0, np.arange(k, 1001)])
    np.testing.assert_allclose(env.values[:k], y[0] + (y[k] - y[0]) / x[k] * x[:k], rtol=1e-14)
    np.testing.assert_array_equal(env.values[k:], y[k:])
    # slope of the pooled piece ≈ f'(t*) = -2 (t* - 1/2)
    assert abs(env.slopes[0] - (-2 * (t_star - 0.5))) < 2e-3
    # the huge atom: a single chord from the atom to the global max side
    y2 = y.copy()
    y2[0] = 10.0
    env2 = concave_envelope(x, y2)
    assert env2.vertices[1] == 1000 or np.all(env2.slopes[: env2.vertices[1]] == env2.slopes[0])


def test_atom_at_right_end():
    x = np.linspace(0, 1, 11)
    y = np.zeros(11)
    y[-1] = 1.0
    env = concave_envelope(x, y)
    np.testing.assert_array_equal(env.vertices, [0, 10])
    np.testing.assert_allclose(env.values, x)


def test_single_and_two_points():
    env = concave_envelope([0.5], [2.0])
    np.testing.assert_array_equal(env.vertices, [0])
    assert env.slopes.size == 0 and env.values.tolist() == [2.0]
    assert env(0.5) == 2.0 and env.split(0.5) == (0.5, 0.5, 1.0)
    env = concave_envelope([0.0, 1.0], [1.0, 3.0])
    assert env(0.25) == 1.5 and env.slopes.tolist() == [2.0]


def test_values_equal_brute_force_examples():
    rng = np.random.default_rng(7)
    for n in [2, 3, 5, 10, 30]:
        x = np.sort(rng.choice(1000, n, replace=False)) / 100.0
        y = rng.normal(size=n)
        env = concave_envelope(x, y)
        np.testing.assert_allclose(env.values, brute_envelope(x, y), rtol=1e-12, atol=1e-12)
        check_invariants(env, x, y, 1e-12)


# ------------------------------------------------------------------------------ split and call
def test_split_recombination_identities():
    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(0, 1, 40))
    y = np.sin(8 * x) + rng.normal(0, 0.2, 40)
    env = concave_envelope(x, y)
    for x0 in np.r_[x, np.linspace(x[0], x[-1], 97)]:
        xl, xr, w = env.split(x0)
        il, ir, w2 = env.split_indices(x0)
        assert (x[il], x[ir], w2) == (xl, xr, w)
        assert il in env.vertices and ir in env.vertices
        assert xl <= x0 <= xr and 0 <= w <= 1
        assert abs(w * xl + (1 - w) * xr - x0) < 1e-14
        assert abs(w * y[il] + (1 - w) * y[ir] - env(x0)) < 1e-13
        # consecutive vertices: nothing of the hull's corners strictly between
        assert not np.any((x[env.vertices] > xl) & (x[env.vertices] < xr))
    np.testing.assert_allclose(env(x), env.values, rtol=1e-13, atol=1e-14)
    assert env(np.array([[x[0], x[-1]]])).shape == (1, 2)


def test_call_and_split_bad_input():
    env = concave_envelope([0.0, 1.0, 2.0], [0.0, 1.0, 0.0])
    with pytest.raises(ValueError, match="x0 must lie in the envelope's domain"):
        env(2.5)
    with pytest.raises(ValueError, match="x0 must lie in the envelope's domain"):
        env([-0.1, 1.0])
    with pytest.raises(ValueError, match="x0 must not contain NaN"):
        env(np.nan)
    with pytest.raises(ValueError, match="x0 must lie in the envelope's domain"):
        env.split(3.0)
    with pytest.raises(ValueError, match="x0 must be finite"):
        env.split(np.inf)
    with pytest.raises(TypeError, match="x0 must be a real number"):
        env.split([0.5, 1.0])


@pytest.mark.parametrize(
    "x, y, match",
    [
        ([], [], "x must have at least 1"),
        ([0.0, 0.0], [1.0, 2.0], "x must be strictly increasing"),
        ([1.0, 0.0], [1.0, 2.0], "x must be strictly increasing"),
        ([0.0, np.nan], [1.0, 2.0], "x must not contain NaN"),
        ([0.0, np.inf], [1.0, 2.0], "x must be finite"),
        ([0.0, 1.0], [1.0, np.nan], "y must not contain NaN"),
        ([0.0, 1.0], [1.0, -np.inf], "y must be finite"),
        ([0.0, 1.0], [1.0, 2.0, 3.0], "y must have the shape of x"),
        ([[0.0, 1.0]], [[1.0, 2.0]], "x must be 1-dimensional"),
        ([0.0, 1.0], "ab", (TypeError, "y must be an array of real numbers")),
    ],
)
def test_concave_envelope_bad_input(x, y, match):
    exc, match = match if isinstance(match, tuple) else (ValueError, match)
    with pytest.raises(exc, match=match):
        concave_envelope(x, y)


def test_bad_rtol():
    with pytest.raises(ValueError, match="rtol must be"):
        concave_envelope([0.0, 1.0], [0.0, 1.0], rtol=-1)


def test_repr_and_type():
    env = concave_envelope(np.linspace(0, 1, 5), np.zeros(5))
    assert isinstance(env, Envelope) and "5 points" in repr(env)
    with pytest.raises(ValueError):
        env.values[0] = 1.0  # read-only


def test_linear_time_on_large_input():
    # not timed: just make sure a big grid works and agrees with a vectorised check
    x = np.linspace(0, 1, 200_001)
    y = np.sin(30 * x) * x
    env = concave_envelope(x, y)
    check_invariants(env, x, y, 1e-12)


# ------------------------------------------------------------------------------ property test
finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False)


@st.composite
def point_sets(draw):
    xs = draw(st.lists(st.floats(min_value=-100, max_value=100, allow_nan=False), min_size=1, max_size=25, unique=True))
    xs = np.sort(np.array(xs))
    keep = np.r_[True, np.diff(xs) > 1e-6 * max(1.0, np.max(np.abs(xs)))]
    xs = xs[keep]
    ys = np.array(draw(st.lists(finite, min_size=xs.size, max_size=xs.size)))
    return xs, ys


@settings(max_examples=200, deadline=None)
@given(point_sets())
def test_property_envelope(points):
    x, y = points
    env = concave_envelope(x, y)
    check_invariants(env, x, y, 1e-9)
    ref = brute_envelope(x, y)
    scale = max(1.0, float(np.max(np.abs(y))))
    np.testing.assert_allclose(env.values, ref, atol=1e-9 * scale, rtol=0)
    x0 = (x[0] + x[-1]) / 2
    xl, xr, w = env.split(x0)
    assert abs(w * xl + (1 - w) * xr - x0) <= 1e-12 * max(1.0, abs(x0), abs(x[0]), abs(x[-1]))
    assert abs(env(x0) - (w * env(xl) + (1 - w) * env(xr))) <= 1e-9 * scale
