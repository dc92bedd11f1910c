"""`tokbench inspect`: what a tokenizer's vocabulary and merge order say about it.

classes.py (token classes by merge rank), lineage.py (which registered merge list ours extends or
restates; also read by the mixture inference), lineage_cache.py (lineage against cached fingerprints
of registered tokenizers), never_produced.py (opt-in corpus pass), summary.py (the inspection
as a dict), report.py (Markdown + PNG).
"""
