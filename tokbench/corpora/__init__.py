"""Corpora: manifests → verified files → datasets; see base.Corpus."""

from tokbench.corpora.base import CORPUS_LOADERS, Corpus, load_corpus

__all__ = ["CORPUS_LOADERS", "Corpus", "load_corpus"]
