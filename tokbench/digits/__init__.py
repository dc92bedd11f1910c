"""Digit-direction arithmetic probes (Singh & Strouse 2024).

segment: which token holds each digit of a number in a text; chunks, place_value, context,
misalignment, inventory: the model-free probes built on it; analysis: all of them for one
tokenizer in one batched encode (read by the `digits.*` metrics); probeset, scoring, model: the
addition probes for a local causal LM behind `tokbench probe-arithmetic`; report: the report section.
"""
