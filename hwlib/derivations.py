"""Softmax-regression gradients derived symbolically with sympy.

Written for page `softmax-gradients`. The derivation is carried for a
general number of classes ``c`` (the question calls it m): logits
``u_1..u_c`` are entries of a sympy ``IndexedBase`` and the softmax
normaliser is ``Sum(exp(u_l), (l, 1, c))``. Differentiating such sums
produces Kronecker deltas that ``doit()`` collapses to a ``Piecewise`` valid
for indices inside ``1..c``; :func:`_in_range` takes that branch, which is
exactly the statement "for 1 <= j <= c".

Each function returns ``(derived, closed_form)``: sympy's result and the
textbook formula, which :func:`check` proves equal.
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "symbols",
    "loss_of_logits",
    "dJ_dy",
    "dy_du",
    "dJ_du",
    "dJ_dW",
    "dJ_db",
    "check",
    "check_concrete",
    "to_softmax",
]

c, n = sp.symbols("c n", integer=True, positive=True)
i, j, k, l, q = sp.symbols("i j k l q", integer=True, positive=True)  # noqa: E741 -- l as in the maths
u = sp.IndexedBase("u")  # logits u = W x + b
y = sp.IndexedBase("y")  # predicted probabilities y = S(u)
t = sp.IndexedBase("t")  # one-hot target, written y' in the question
y_prime = sp.IndexedBase("y'")  # the target's name in displayed formulas
x = sp.IndexedBase("x")  # input features, length n (the question's m)
W = sp.IndexedBase("W")
b = sp.IndexedBase("b")
delta = sp.KroneckerDelta


def symbols() -> dict[str, sp.Basic]:
    """The symbols, by name, for pages and tests that build on them."""
    return dict(
        c=c,
        n=n,
        i=i,
        j=j,
        k=k,
        l=l,
        u=u,
        y=y,
        t=t,
        y_prime=y_prime,
        x=x,
        W=W,
        b=b,
        delta=delta,
    )


def _in_range(expr: sp.Expr) -> sp.Expr:
    """Keep the branch of every Piecewise that holds for in-range indices."""
    return expr.replace(
        lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[0][0]
    )


def _softmax(index: sp.Symbol) -> sp.Expr:
    return sp.exp(u[index]) / sp.Sum(sp.exp(u[l]), (l, 1, c))


def loss_of_logits() -> sp.Expr:
    """The loss as a function of the logits, ``J(u) = -sum_m t_m log S_m(u)``.

    Eqs. `sm-softmax` and `sm-loss` for a symbolic number ``c`` of classes:
    the starting point of :func:`dJ_du`; ``t`` is the target, written y'
    in the text.
    """
    m = sp.Symbol("m", integer=True, positive=True)  # dummy summation index
    return -sp.Sum(t[m] * sp.log(_softmax(m)), (m, 1, c))


def dJ_dy() -> tuple[sp.Expr, sp.Expr]:
    """``dJ/dy_i`` of ``J = -sum_l t_l log y_l`` (eq. `grad-dJdy`).

    The closed form is ``-t_i / y_i``.
    """
    J = -sp.Sum(t[l] * sp.log(y[l]), (l, 1, c))
    derived = _in_range(sp.diff(J, y[i]).doit())
    return sp.simplify(derived), -t[i] / y[i]


def dy_du() -> tuple[sp.Expr, sp.Expr]:
    """``dy_i/du_j`` of the softmax (eq. `grad-dydu`).

    The closed form is ``y_i (delta_ij - y_j)``.
    """
    derived = _in_range(sp.diff(_softmax(i), u[j]).doit())
    return derived, _softmax(i) * (delta(i, j) - _softmax(j))


def dJ_du() -> tuple[sp.Expr, sp.Expr]:
    """``dJ/du_j``: ``y_j - t_j`` once targets sum to one (eq. `grad-dJdu`).

    sympy's raw result is ``-t_j + y_j sum_l t_l``; a one-hot target has
    ``sum_l t_l = 1``, which is substituted here.
    """
    raw = _in_range(sp.diff(loss_of_logits(), u[j]).doit())
    raw = sp.expand(sp.simplify(raw))
    targets_sum = [s for s in raw.atoms(sp.Sum) if s.function.has(t)]
    derived = raw.subs({s: 1 for s in targets_sum})
    return derived, _softmax(j) - t[j]


def _logit(index: sp.Symbol) -> sp.Expr:
    return sp.Sum(W[index, q] * x[q], (q, 1, n)) + b[index]


def dJ_dW() -> tuple[sp.Expr, sp.Expr]:
    """``dJ/dW_jk = (y_j - t_j) x_k`` (eq. `grad-dJdW`).

    The page writes the pixel index as l (``W_jl``); the symbol ``k`` here
    is kept because homework checks call it with that name.

    Derived by the chain rule through ``u = W x + b``.
    """
    du_dW = _in_range(sp.diff(_logit(i), W[j, k]).doit())  # delta_ij x_k
    dJdu_i = dJ_du()[0].subs(j, i)
    derived = _in_range(sp.Sum(dJdu_i * du_dW, (i, 1, c)).doit())
    return derived, (_softmax(j) - t[j]) * x[k]


def dJ_db() -> tuple[sp.Expr, sp.Expr]:
    """``dJ/db_j = y_j - t_j`` (eq. `grad-dJdb`)."""
    du_db = _in_range(sp.diff(_logit(i), b[j]).doit())  # delta_ij
    dJdu_i = dJ_du()[0].subs(j, i)
    derived = _in_range(sp.Sum(dJdu_i * du_db, (i, 1, c)).doit())
    return derived, _softmax(j) - t[j]


def check(pair: tuple[sp.Expr, sp.Expr]) -> bool:
    """True when the derived expression equals the closed form identically."""
    derived, closed = pair
    return sp.simplify(sp.expand(derived - closed)) == 0


def to_softmax(expr: sp.Expr) -> sp.Expr:
    """Replace ``y_i``, ``y_j`` in a displayed formula by softmax expressions.

    Pages display formulas in terms of ``y``;
    ``check((derived, to_softmax(shown)))`` proves the displayed formula is
    the derived one.
    """
    return expr.subs(
        {
            y[i]: _softmax(i),
            y[j]: _softmax(j),
            y_prime[i]: t[i],
            y_prime[j]: t[j],
        }
    )


def check_concrete(num_classes: int, *, num_features: int = 2) -> bool:
    """Check the gradients' matrix forms with explicit symbols.

    Differentiates the loss with explicit symbols for the given sizes and
    compares with the matrix forms: ``dJ/dW == (y - t) x^T`` and
    ``dJ/db == y - t``, entry by entry, assuming nothing but that ``t`` is
    one-hot (tried for every hot position).
    """
    Wm = sp.Matrix(
        num_classes, num_features, lambda r, s: sp.Symbol(f"W_{r}{s}")
    )
    bv = sp.Matrix(num_classes, 1, lambda r, _: sp.Symbol(f"b_{r}"))
    xv = sp.Matrix(num_features, 1, lambda r, _: sp.Symbol(f"x_{r}"))
    uv = Wm * xv + bv
    Z = sum(sp.exp(e) for e in uv)
    yv = sp.Matrix([sp.exp(e) / Z for e in uv])
    for hot in range(num_classes):
        tv = sp.Matrix([1 if r == hot else 0 for r in range(num_classes)])
        J = -sum(tv[r] * sp.log(yv[r]) for r in range(num_classes))
        dW = (yv - tv) * xv.T
        db = yv - tv
        for r in range(num_classes):
            if sp.simplify(sp.diff(J, bv[r]) - db[r]) != 0:
                return False
            for s in range(num_features):
                if sp.simplify(sp.diff(J, Wm[r, s]) - dW[r, s]) != 0:
                    return False
    return True
