"""The gallery draws what works, a placeholder for what is not written yet, and labels everything."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import solutions  # noqa: E402
from autograder import set_language  # noqa: E402
from autograder.plotting import label, plot_with_derivatives  # noqa: E402


@pytest.fixture(autouse=True)
def fresh_figures():
    set_language("en")
    plt.close("all")
    yield
    plt.close("all")
    set_language("en")


def panel_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def draw(pairs):
    plot_with_derivatives(pairs)
    return plt.gcf().axes


def relu_in_place(z):
    z = np.asarray(z, dtype=np.float64)
    z[z < 0] = 0.0  # modifies the caller's array
    return z


def not_yet(z):
    raise NotImplementedError()


def broken(z):
    raise ValueError("shapes do not match")


def test_a_working_function_that_modifies_its_input_is_drawn_with_a_note():
    [ax, *_] = draw([(relu_in_place, solutions.relu_grad)])
    solid = ax.lines[2]  # after the two axis lines at 0
    np.testing.assert_allclose(solid.get_ydata(), np.maximum(solid.get_xdata(), 0.0))
    assert any("relu_in_place modifies its input z" in t for t in panel_texts(ax))
    assert not any(t.endswith("= ?") for t in panel_texts(ax))


def test_the_placeholder_only_for_missing_or_not_implemented_functions():
    [ax1, ax2, ax3, *_] = draw([(not_yet, None), (broken, solutions.relu_grad), (solutions.relu, solutions.relu_grad)])
    assert panel_texts(ax1) == ["not_yet(z) = ?", "not_yet'(z) = ?"]
    assert panel_texts(ax2) == ["broken(z) raised ValueError: shapes do not match"]
    assert len(ax2.lines) == 3  # the derivative still drawn
    assert panel_texts(ax3) == []


def test_keyword_arguments_reach_both_functions_and_the_title():
    [ax, *_] = draw([(solutions.leaky_relu, solutions.leaky_relu_grad, {"alpha": 0.1})])
    assert ax.get_title() == "leaky_relu (alpha = 0.1)"
    solid, dashed = ax.lines[2], ax.lines[3]
    assert solid.get_ydata()[0] == pytest.approx(-0.4)  # z = -4 with alpha 0.1, not 0.01
    assert dashed.get_ydata()[0] == pytest.approx(0.1)


@pytest.mark.parametrize("language, x_label, y_label", [("en", "z (input)", "value"), ("zh", "z（输入）", "取值")])
def test_every_panel_labels_both_axes_and_names_its_curves(language, x_label, y_label):
    set_language(language)
    axes = draw([(solutions.relu, solutions.relu_grad), (solutions.sigmoid, solutions.sigmoid_grad)])
    for ax in axes[:2]:
        assert ax.get_xlabel() == x_label and ax.get_ylabel() == y_label
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [f"{ax.get_title()}(z)", f"{ax.get_title()}'(z)"]
    assert not axes[2].axison  # the unused third panel of the row is blank


def test_label_follows_the_language():
    assert label("layer", "层") == "layer"
    set_language("zh")
    assert label("layer", "层") == "层"


def test_draw_graph_shows_every_node_once_with_its_data_and_grad():
    from solutions.engine import Value
    from autograder.plotting import draw_graph

    a = Value(2.0)
    b = a * 3.0
    out = b * b.tanh() + a  # b is used twice, a twice: each still one box
    out.backward()
    ax = draw_graph(out, title="t")
    texts = [t.get_text() for t in ax.texts if t.get_text()]
    assert len(texts) == 6  # a, 3.0, b, tanh(b), b * tanh(b), out
    assert any(f"data {out.data:.4g}" in t and f"grad {1.0:.4g}" in t for t in texts)
    assert any(t.startswith("tanh") for t in texts)
    assert len([t for t in ax.texts if not t.get_text()]) == 7  # one arrow per input of each operation
    plt.close("all")


def test_draw_layers_shows_every_shape_of_the_row_convention():
    from autograder.plotting import draw_layers

    ax = draw_layers([2, 3, 1])
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["X  (N, 2)", "Z1, A1  (N, 3)", "W1 (3, 2)\nb1 (3,)", "Z2 = logits  (N, 1)", "W2 (1, 3)\nb2 (1,)"]
    assert len(ax.lines) == 2 * 3 + 3 * 1  # every unit joined to every unit of the next layer
    assert [len(c.get_offsets()) for c in ax.collections] == [2, 3, 1]
    with pytest.raises(ValueError):
        draw_layers([4])
    plt.close("all")
