"""The sympy derivations of page `softmax-gradients`, re-run and asserted."""

import pytest
import sympy as sp

from hwlib import derivations as d


@pytest.mark.parametrize(
    "derivation", [d.dJ_dy, d.dy_du, d.dJ_du, d.dJ_dW, d.dJ_db]
)
def test_derived_equals_closed_form(derivation):
    assert d.check(derivation())


def test_softmax_jacobian_in_the_textbook_form():
    s = d.symbols()
    i, j, y, delta = s["i"], s["j"], s["y"], s["delta"]
    derived, _ = d.dy_du()
    assert d.check((derived, d.to_softmax(y[i] * (delta(i, j) - y[j]))))
    # And not something else: the sign matters.
    assert not d.check((derived, d.to_softmax(y[i] * (y[j] - delta(i, j)))))


def test_dJdu_needs_targets_summing_to_one():
    """Before substituting sum(t) = 1, sympy's result is -t_j + y_j * sum(t)."""
    s = d.symbols()
    raw = sp.diff(d.loss_of_logits(), s["u"][s["j"]]).doit()
    assert any(
        isinstance(a, sp.Sum) and a.function.has(s["t"])
        for a in raw.atoms(sp.Sum)
    )


@pytest.mark.parametrize("num_classes", [2, 3])
def test_matrix_forms_for_concrete_sizes(num_classes):
    assert d.check_concrete(num_classes, num_features=2)
