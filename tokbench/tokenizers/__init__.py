"""Tokenizer adapters behind one protocol; see base.Tokenizer."""

from tokbench.tokenizers.base import Tokenizer
from tokbench.tokenizers.loader import load_tokenizer

__all__ = ["Tokenizer", "load_tokenizer"]
