"""tokbench in a notebook: paste this into cells (each `# %%` starts one). It runs on the data shipped
with the package (the UDHR and the vendored tokenizers), in seconds, with no data directory.

Run as a script: `python docs/notebook_example.py [OUT_FOLDER]` (tests/test_api.py does).
"""

# %% Compare registered tokenizers on a few languages: a tidy DataFrame, one row per
# tokenizer, corpus, split, language and metric, with units, 95% intervals and provenance.
import sys
import tempfile
from pathlib import Path

import tokbench as tb

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="tokbench-notebook-"))
langs = ["eng_Latn", "tur_Latn", "hin_Deva", "mya_Mymr"]
df = tb.evaluate(["cl100k_base", "o200k_base", "mistral_v1"], corpora="udhr", metrics=["premium", "ctc"],
                 langs=langs, out=out / "results", quiet=True)
premium = df[df.metric == "premium"].pivot(index="language", columns="tokenizer", values="value")
print(premium.round(2))
print("computed by tokbench", df.attrs["tokbench"]["tokbench_version"])

# %% A tokenizer you hold in memory (here: one trained in a few seconds on the UDHR's English and
# Turkish text) is measured the same way; its identity is the sha256 of its serialised form.
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers  # noqa: E402

from tokbench.corpora import load_corpus  # noqa: E402

udhr = load_corpus("udhr")
texts = [t for lang in ("eng_Latn", "tur_Latn") for t in udhr.texts("articles", lang)]
mine = Tokenizer(models.BPE())
mine.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
mine.decoder = decoders.ByteLevel()
alphabet = pre_tokenizers.ByteLevel.alphabet()
trainer = trainers.BpeTrainer(vocab_size=1000, initial_alphabet=alphabet, show_progress=False)
mine.train_from_iterator(texts, trainer)
both = tb.evaluate({"my_bpe_1k": mine, "cl100k_base": "cl100k_base"}, corpora="udhr", metrics="ctc", langs=langs,
                   out=out / "results", quiet=True)
print(both[(both.metric == "ctc") & (both.language == "ALL")][["tokenizer", "value", "ci_low", "ci_high", "flags"]])
print(both.attrs["tokbench"]["in_memory_tokenizers"]["my_bpe_1k"]["note"])

# %% The report and static site (leaderboard, tables, plots) from the same results.
written = tb.report(out / "results", viewer_corpus=None, quiet=True)
print("open", written.index_html)

# %% What is in a vocabulary: token classes by merge rank.
anatomy = tb.inspect(mine, name="my_bpe_1k", out=out / "inspect", lineage="off", quiet=True)
print(anatomy.to_frame().groupby("class")["share"].mean().sort_values(ascending=False).head())

# %% Errors are the one-line TokbenchError the CLI prints.
try:
    tb.evaluate(["no_such_tokenizer"], corpora="udhr", quiet=True)
except tb.TokbenchError as e:
    print("error:", e)
