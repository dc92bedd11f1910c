"""Shared test setup: a private encode cache per session, and the shared assets folder if present.

Tests that need ../shared/assets (items never vendored: FLORES, Llama tokenizers, reference
numbers) take the `shared_assets` fixture and skip with a reason when it is absent; all other
tests run on vendored data anywhere.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _limit_malloc_arenas(n: int = 2) -> None:
    """glibc gives each thread that allocates (the tokenizers' Rust thread pools) an arena of its own, up to
    8 per core, and freed memory scattered over them stays resident: two arenas keep the suite's RSS
    ~10% lower (premium: 1.31 -> 1.15 GB) at no measurable cost. M_ARENA_MAX is mallopt's -8."""
    try:
        ctypes.CDLL("libc.so.6").mallopt(-8, n)
    except (OSError, AttributeError):
        pass


_limit_malloc_arenas()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `run_last` go to the end of the run, in their order: they import a library that stays
    resident for the rest of the process (torch, ~180 MB), which would otherwise sit under the FLORES-wide
    modules that set the suite's peak memory."""
    items.sort(key=lambda item: item.get_closest_marker("run_last") is not None)


def find_shared_assets() -> Path | None:
    """TOKBENCH_DATA entries or ../shared/assets beside the repository, if it holds FLORES-200."""
    for cand in [*os.environ.get("TOKBENCH_DATA", "").split(os.pathsep), str(REPO.parent / "shared" / "assets")]:
        if cand and (Path(cand) / "corpora" / "flores200").is_dir():
            return Path(cand)
    return None


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep test encodings and registrations out of the user's folders unless set explicitly."""
    if "TOKBENCH_CACHE" not in os.environ:
        os.environ["TOKBENCH_CACHE"] = str(tmp_path_factory.mktemp("tokbench-cache"))
    if "TOKBENCH_HOME" not in os.environ:  # a developer's registered tokenizers stay out of the tests
        os.environ["TOKBENCH_HOME"] = str(tmp_path_factory.mktemp("tokbench-home"))


@pytest.fixture(autouse=True)
def _encoder_settings_restored() -> Iterator[None]:
    """`--backend` and `--verify` are process settings (environment variables, so workers inherit them): a test
    calling `main([..., "--verify", "full"])` in-process left full verification on for every later test (every
    encode done twice: test_premium's llama2 counts took 20 s instead of 7)."""
    from tokbench.backends.gate import configured

    with configured():  # sets nothing; puts both back as they were when the test ends
        yield


LEXICON_LIBRARIES = ("simplemma", "wordfreq", "zeyrek")  # each keeps its loaded dictionaries in lru caches


def _clear_lru_caches(packages: tuple[str, ...]) -> None:
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in packages:
            for value in list(vars(module).values()):
                if isinstance(value, functools._lru_cache_wrapper):
                    value.cache_clear()


def _trim_heap() -> None:
    """Collect, then return freed memory to the OS: glibc's arenas (malloc_trim) and pyarrow's own pool
    (mimalloc/jemalloc keep freed pages for reuse, which the next module may never ask for)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()


def release_lexical_resources() -> None:
    """Drop the loaded lexicons (100-450 MB per language and resource) and the dictionaries their libraries
    cache; tokbench keeps them for the life of a CLI run, which is one process per command."""
    if "tokbench.morphology.base" in sys.modules:
        from tokbench.morphology import base, decide

        base._instances.clear()
        decide._caches.clear()
    _clear_lru_caches(LEXICON_LIBRARIES)
    if "wordfreq" in sys.modules:
        sys.modules["wordfreq"]._wf_cache.clear()
    _trim_heap()


def release_process_caches() -> None:
    """Forget everything tokbench caches per process (tokenizers, encodings, corpora, lexicons: the `functools`
    caches of every loaded tokbench module), then hand the freed heap back to the OS."""
    _clear_lru_caches(("tokbench",))
    if "tokbench.encode" in sys.modules:
        sys.modules["tokbench.encode"].clear_memo()
    release_lexical_resources()


def _rss_kb() -> tuple[int, int]:
    """(current, peak) resident set size of this process in KB (Linux /proc)."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields.get("VmRSS", "0 kB").split()[0]), int(fields.get("VmHWM", "0 kB").split()[0])


@pytest.fixture(scope="module", autouse=True)
def _release_after_module(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test module starts from the same memory: without this the suite's peak is the sum of every
    tokenizer and lexicon any earlier module loaded (5.4 GB), not the largest module's.

    Released at the start too: a module's fixtures are torn down while its last test still holds their
    values (pytest clears that test's arguments only afterwards), so what they held is freed only now.

    TOKBENCH_TEST_MEMLOG=FILE appends, per module, the process's peak RSS so far (VmHWM, which tells the
    module that set the suite's peak), its RSS at the end, and after the release: one run, every module."""
    release_process_caches()
    before = _rss_kb() if os.environ.get("TOKBENCH_TEST_MEMLOG") else (0, 0)
    yield
    if not (log := os.environ.get("TOKBENCH_TEST_MEMLOG")):
        release_process_caches()
        return
    end = _rss_kb()
    release_process_caches()
    with open(log, "a") as fh:
        fh.write(f"{request.node.nodeid}\tstart_rss={before[0] // 1024}MB\tpeak_so_far={end[1] // 1024}MB\t"
                 f"end_rss={end[0] // 1024}MB\tafter_release={_rss_kb()[0] // 1024}MB\n")


@pytest.fixture
def release_lexicons() -> Callable[[], None]:
    """For tests that load lexicons of many languages: call it after each language."""
    return release_lexical_resources


@pytest.fixture
def release_caches() -> Callable[[], None]:
    """For fixtures whose values hold a tokenizer's encodings of a whole corpus: release when they end."""
    return release_process_caches


@pytest.fixture
def reference_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--backend reference` for a test about something else (a check's verdicts, say): a certified accelerator
    gives the same ids, but a tokenizer's first large encode would certify one first (5-10 s of the test)."""
    monkeypatch.setenv("TOKBENCH_BACKEND", "reference")


@pytest.fixture
def fresh_lexicons() -> Iterator[None]:
    """Release the lexicons a test loaded when it ends."""
    yield
    release_lexical_resources()


@pytest.fixture(scope="session")
def shared_assets() -> Path:
    path = find_shared_assets()
    if path is None:
        pytest.skip("needs ../shared/assets (or TOKBENCH_DATA): real tokenizers/corpora that are never vendored")
    if str(path) not in os.environ.get("TOKBENCH_DATA", "").split(os.pathsep):
        os.environ["TOKBENCH_DATA"] = os.pathsep.join(p for p in (os.environ.get("TOKBENCH_DATA"), str(path)) if p)
    return path


@pytest.fixture(scope="session")
def trained_bpe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1,000-token byte-level BPE trained here with the `tokenizers` library on the vendored UDHR
    (English, French, Turkish, Russian): a tokenizer no registry knows, as a user's own would be."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    from tokbench.corpora import load_corpus

    udhr = load_corpus("udhr")
    texts = [t for lang in ("eng_Latn", "fra_Latn", "tur_Latn", "rus_Cyrl") for t in udhr.texts("articles", lang)]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=1000, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator(texts, trainer)
    out = tmp_path_factory.mktemp("runs") / "udhr_bpe_1k" / "tokenizer.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    tok.save(str(out))
    return out


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fresh TOKBENCH_HOME per test (where `tokbench register` writes), with no manifests or
    tokenizers cached from earlier tests."""
    from tokbench.manifests import clear_manifest_cache
    from tokbench.tokenizers import load_tokenizer

    monkeypatch.setenv("TOKBENCH_HOME", str(tmp_path / "home"))
    clear_manifest_cache()
    load_tokenizer.cache_clear()
    yield tmp_path / "home"
    clear_manifest_cache()
    load_tokenizer.cache_clear()
