"""Data-mixture inference (Hayase et al. 2024): an LP over a BPE merge list."""

SOLVERS = ("highs", "pulp-highs", "pulp-cbc")  # LP back ends of solve_lp; here so the CLI parser needs no numba
