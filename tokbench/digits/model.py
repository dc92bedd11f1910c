"""Run addition probes through a local causal LM (transformers), greedy, batched, GPU when present.

Needs the optional `model` extra (torch). The model folder is loaded with `local_files_only=True`
and never with `trust_remote_code`: a folder whose config asks for custom code is refused by name.
Generation follows Singh & Strouse (2024) as far as a base model allows: temperature 0 (greedy),
at most 20 new tokens, the answer read from the first line (tokbench.digits.scoring).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from tokbench.digits.probeset import ProbeRecord
from tokbench.digits.scoring import Scored, score
from tokbench.errors import TokbenchError

MAX_NEW_TOKENS = 20
SMALL_FILE_SUFFIXES = (".json", ".txt", ".model", ".tiktoken", ".py")


class Generator(Protocol):
    """Anything that continues prompts: the transformers model, or a scripted fake in tests."""

    name: str

    def generate(self, prompts: Sequence[str]) -> list[str]: ...


def require_torch() -> Any:
    try:
        import torch
    except ImportError:
        raise TokbenchError(
            "the model probe needs torch: pip install 'tokbench[model]' (on CPU-only machines "
            "`pip install torch==2.13.0` installs a local CPU build)"
        ) from None
    return torch


def model_sha256(model_dir: Path) -> str:
    """Content key of a model folder: small files (config, tokenizer) by content, weights by name and size
    (hashing gigabytes of weights on every run would cost more than the probe)."""
    h = hashlib.sha256()
    for p in sorted(q for q in model_dir.rglob("*") if q.is_file()):
        rel = p.relative_to(model_dir).as_posix()
        h.update(rel.encode() + b"\0")
        if p.suffix in SMALL_FILE_SUFFIXES:
            h.update(hashlib.sha256(p.read_bytes()).digest())
        else:
            h.update(str(p.stat().st_size).encode())
    return h.hexdigest()


def check_model_dir(model_dir: Path) -> None:
    if not model_dir.is_dir():
        raise TokbenchError(f"model folder {model_dir} does not exist; give a local transformers model folder")
    cfg = model_dir / "config.json"
    if not cfg.is_file():
        raise TokbenchError(f"{model_dir} has no config.json; give a transformers model folder (save_pretrained)")
    try:
        config = json.loads(cfg.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise TokbenchError(f"{cfg} is not valid JSON ({e})") from None
    if "auto_map" in config:
        raise TokbenchError(
            f"{model_dir} asks for custom model code (auto_map in config.json); tokbench never runs "
            "trust_remote_code, use a model whose architecture ships with transformers"
        )


class HFCausalLM:
    """A local transformers causal LM, greedy and batched with left padding."""

    def __init__(self, model_dir: str | Path, device: str | None = None, batch_size: int = 16) -> None:
        torch = require_torch()
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        from tokbench.progress import quiet

        if quiet():  # transformers' own bars (loading weights) honour --quiet too
            hf_logging.disable_progress_bar()

        self.dir = Path(model_dir)
        check_model_dir(self.dir)
        self.name = self.dir.name
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.batch_size = batch_size
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(self.dir, local_files_only=True, trust_remote_code=False)
            dtype = torch.float16 if self.device.startswith("cuda") else torch.float32  # CPU: no fp16 kernels
            model = AutoModelForCausalLM.from_pretrained(self.dir, local_files_only=True, trust_remote_code=False)
            self.model = model.to(device=self.device, dtype=dtype)  # Module.to: any transformers version
        except (OSError, ValueError, KeyError) as e:
            raise TokbenchError(f"cannot load the model in {self.dir}: {str(e).splitlines()[0]}") from None
        self.model.eval()
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            if self.tokenizer.eos_token is None:
                raise TokbenchError(f"the tokenizer in {self.dir} has neither a pad nor an eos token to pad batches")
            self.tokenizer.pad_token = self.tokenizer.eos_token

    def generate(self, prompts: Sequence[str]) -> list[str]:
        torch = require_torch()
        enc = self.tokenizer(list(prompts), return_tensors="pt", padding=True).to(self.device)
        with torch.inference_mode():
            out = self.model.generate(
                **enc,
                do_sample=False,
                max_new_tokens=MAX_NEW_TOKENS,
                pad_token_id=self.tokenizer.pad_token_id,
            )
        new = out[:, enc["input_ids"].shape[1] :]
        return self.tokenizer.batch_decode(new, skip_special_tokens=True)


def run_probes(
    model: Generator,
    records: Sequence[ProbeRecord],
    batch_size: int = 16,
    on_batch: Callable[[int], None] = lambda n: None,
) -> list[Scored]:
    """Score every record; prompts are batched by length (less padding) and results kept in input order."""
    if batch_size < 1:
        raise TokbenchError(f"--batch-size must be >= 1, got {batch_size}")
    order = sorted(range(len(records)), key=lambda i: (len(records[i].prompt), i))
    outputs: list[str] = [""] * len(records)
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        got = model.generate([records[i].prompt for i in idx])
        if len(got) != len(idx):
            raise TokbenchError(f"model {model.name!r} returned {len(got)} continuations for {len(idx)} prompts")
        for i, text in zip(idx, got, strict=True):
            outputs[i] = text
        on_batch(len(idx))
    return [score(r, o) for r, o in zip(records, outputs, strict=True)]
