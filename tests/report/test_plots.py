"""Report figures: the premium heatmap's labels and UNK marks, label placement without overlaps."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tokbench.report import plots


def test_premium_heatmap_names_scripts_languages_and_marks_unk() -> None:
    langs = ["eng_Latn", "tur_Latn", "amh_Ethi", "mya_Mymr", "rus_Cyrl"]
    m = pd.DataFrame([[1.0, 1.6, 6.0, 9.0, 2.0], [1.0, 1.4, 0.9, 0.8, 1.5]], index=["bpe_a", "wp_b"], columns=langs)
    represented = {"bpe_a": set(langs), "wp_b": {"eng_Latn", "tur_Latn", "rus_Cyrl"}}
    svg = plots.premium_heatmap(m, "eng_Latn", "udhr", represented, threshold=0.1, n_named=3)["svg"].decode()
    assert "Ethiopic (1)" in svg and "Latin (2)" in svg  # script columns with their language counts
    assert "Burmese (mya_Mymr)" in svg and "Amharic (amh_Ethi)" in svg  # the highest premiums, named
    assert svg.count(">UNK<") == 4  # wp_b's two screened languages in both panels
    assert "log scale" in svg and "over 10%" in svg
    assert ">0.9<" not in svg  # a screened cell's value is not printed


def test_place_labels_never_overlap() -> None:
    plt = plots._plt()
    fig, ax = plt.subplots(figsize=(5, 3.5))
    rng = np.random.default_rng(0)
    xs, ys = 10 ** rng.uniform(4.4, 5.4, 14), rng.uniform(2.0, 2.6, 14)  # a crowded cluster
    ax.scatter(xs, ys)
    ax.set_xscale("log")
    points = [(float(x), float(y), f"tokenizer_{i}") for i, (x, y) in enumerate(zip(xs, ys, strict=True))]
    plots.place_labels(ax, points, [])
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(r) for t in ax.texts]
    assert len(boxes) == 14
    overlaps = [(i, j) for i in range(len(boxes)) for j in range(i) if boxes[i].overlaps(boxes[j])]
    assert not overlaps
    plt.close(fig)
