"""tokbench: how good is a tokenizer, and what does it reveal."""

__version__ = "0.1.0"
