"""`tokbench sweep`: comparable monolingual tokenizers per language (Arnett et al. 2025).

Train BPE, Unigram and a superword BPE per language on equal training budgets over a grid of
vocabulary sizes, evaluate each on held-out parallel text through the metric plugins, fit how
each language's token count falls with vocabulary size, retrain at each language's optimal size,
and report the premium spread. One idea per module: `specs` (what is trained), `data` (equal
training budgets), `train` (the trainers and their cache), `fit` (power law, optimal size, spread),
`evaluate` (the metric cells), `analysis` (derived rows and the paper's findings), `runner` (the
whole sweep), `report` (the report section).
"""
