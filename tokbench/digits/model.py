"""Run addition probes through a local causal LM (transformers), greedy, batched, GPU when present.

Needs the optional `model` extra (torch). The model folder is loaded with `local_files_only=True`
and never with `trust_remote_code`: a folder whose config asks for custom code is refused by name.
Weights are read from safetensors only: pickled checkpoints (`pytorch_model.bin`, `.pt`, `.pth`,
`.ckpt`) can run code when unpickled, so a folder that has only those is refused by file name before
torch opens anything. Whatever the folder holds (a broken config, truncated safetensors, shapes that
do not fit) and whatever `--device` says ends as one TokbenchError line, not a torch traceback.
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
from tokbench.native import first_line, library_errors

MAX_NEW_TOKENS = 20
SMALL_FILE_SUFFIXES = (".json", ".txt", ".model", ".tiktoken", ".py")
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")  # torch.save / pickle checkpoints
TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "vocab.json", "vocab.txt", "spiece.model", "tekken.json")
DEVICE_TYPES = ("cpu", "cuda", "mps", "xpu")  # torch backends a causal LM generates on


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
    try:
        for p in sorted(q for q in model_dir.rglob("*") if q.is_file()):
            rel = p.relative_to(model_dir).as_posix()
            h.update(rel.encode("utf-8", "surrogateescape") + b"\0")
            if p.suffix in SMALL_FILE_SUFFIXES:
                h.update(hashlib.sha256(p.read_bytes()).digest())
            else:
                h.update(str(p.stat().st_size).encode())
    except OSError as e:
        raise TokbenchError(f"cannot read the model folder {model_dir} ({e.strerror or type(e).__name__}: "
                            f"{e.filename or ''})") from None
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
    if not isinstance(config, dict):
        raise TokbenchError(f"{cfg} is not a transformers config (a JSON object with model_type)")
    if "auto_map" in config:
        raise TokbenchError(
            f"{model_dir} asks for custom model code (auto_map in config.json); tokbench never runs "
            "trust_remote_code, use a model whose architecture ships with transformers"
        )
    weights = sorted(p.name for p in model_dir.glob("*.safetensors"))
    if not weights:
        pickled = sorted(p.name for p in model_dir.iterdir() if p.suffix in PICKLE_SUFFIXES)
        if pickled:
            raise TokbenchError(
                f"{model_dir / pickled[0]} is a pickled checkpoint, which can run code when loaded; tokbench reads "
                "safetensors weights only: save the model with `model.save_pretrained(folder)` "
                "(safe_serialization, the default) to get model.safetensors"
            )
        raise TokbenchError(f"{model_dir} has no model weights (model.safetensors); save the model with "
                            "`model.save_pretrained(folder)`")
    if not any((model_dir / f).is_file() for f in TOKENIZER_FILES):
        raise TokbenchError(f"{model_dir} has no tokenizer ({', '.join(TOKENIZER_FILES[:3])}, ...); save it beside "
                            "the model with `tokenizer.save_pretrained(folder)`")


def resolve_device(device: str | None) -> str:
    """`--device` checked against this torch before any weight is read: a name torch parses, a backend
    it was built with, a device index that exists; None picks cuda when available, else cpu."""
    torch = require_torch()
    if device is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError) as e:
        raise TokbenchError(f"--device {device!r} is not a torch device ({_why(e)}); use cpu, cuda, "
                            "cuda:N or mps") from None
    if dev.type not in DEVICE_TYPES:
        raise TokbenchError(f"--device {device!r}: the probe generates on {', '.join(DEVICE_TYPES)}, not {dev.type}")
    if dev.type != "cpu":
        backend = getattr(torch, dev.type, None) if dev.type != "mps" else torch.backends.mps
        try:
            available = bool(backend is not None and backend.is_available())
            count = (backend.device_count() if available and hasattr(backend, "device_count") else 1)
        except (RuntimeError, AssertionError, AttributeError):
            available, count = False, 0
        if not available:
            raise TokbenchError(f"--device {device}: this torch ({torch.__version__}) sees no {dev.type} device; "
                                "use --device cpu")
        if dev.index is not None and dev.index >= count:
            raise TokbenchError(f"--device {device}: there are {count} {dev.type} device(s), numbered from 0")
    return str(dev)


def _why(e: BaseException) -> str:
    return f"{type(e).__name__}: {first_line(e)}"


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
        self.device = resolve_device(device)
        self.batch_size = batch_size
        # the user's files: transformers, safetensors (Rust) and torch raise anything on a broken folder
        with library_errors(f"the model in {self.dir}", "give a transformers model folder written by "
                            "save_pretrained (config.json, model.safetensors, tokenizer files)"):
            self.tokenizer = AutoTokenizer.from_pretrained(self.dir, local_files_only=True, trust_remote_code=False)
            dtype = torch.float16 if self.device.startswith("cuda") else torch.float32  # CPU: no fp16 kernels
            model = AutoModelForCausalLM.from_pretrained(self.dir, local_files_only=True, trust_remote_code=False,
                                                         use_safetensors=True)  # never a pickle (check_model_dir)
            self.model = model.to(device=self.device, dtype=dtype)  # Module.to: any transformers version
        self.model.eval()
        if len(self.tokenizer) == 0:
            raise TokbenchError(f"the tokenizer in {self.dir} has an empty vocabulary")
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            if self.tokenizer.eos_token is None:
                raise TokbenchError(f"the tokenizer in {self.dir} has neither a pad nor an eos token to pad batches")
            self.tokenizer.pad_token = self.tokenizer.eos_token

    def generate(self, prompts: Sequence[str]) -> list[str]:
        torch = require_torch()
        try:
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
        except torch.cuda.OutOfMemoryError as e:
            raise TokbenchError(f"{self.name} ran out of memory on {self.device} ({_why(e)}); "
                                "lower --batch-size") from None
        except (RuntimeError, ValueError, IndexError, TypeError) as e:  # torch ops on the user's model and prompts
            raise TokbenchError(f"{self.name} failed to generate on {self.device} ({_why(e)}); a prompt "
                                "longer than the model's context, or weights that do not fit its config") from None


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
