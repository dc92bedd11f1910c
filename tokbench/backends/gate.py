"""The verification gate: which encoder produces a tokenizer's ids, and the checks that keep it honest.

`encode(tokenizer, texts, label)` is what tokbench.encode calls on a cache miss. The reference
adapter encodes unless an accelerator loads this tokenizer and holds a certificate for it (earned
now, the first time, if there is none). Every accelerated call is then spot-checked: a fixed,
content-independent sample of its documents (evenly spaced ones and the longest) is encoded by the
reference too, and a difference revokes the certificate (one warning line) and re-encodes the whole
call with the reference; the wrong ids are never returned. `--verify full` (TOKBENCH_VERIFY=full)
encodes everything with both and fails on the first difference (exit 2). `--backend reference`
(TOKBENCH_BACKEND=reference) never uses an accelerator. Both settings travel to worker processes
as environment variables.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tokbench.backends import certify as cert
from tokbench.backends.base import ACCELERATORS, Accelerator, FastEncoder
from tokbench.errors import TokbenchError
from tokbench.progress import quiet as progress_quiet
from tokbench.tokenizers.base import Tokenizer

log = logging.getLogger(__name__)
Groups = tuple[Sequence[int], Sequence[str | None]]  # cell start offsets (n_cells + 1) and cell labels

BACKEND_ENV = "TOKBENCH_BACKEND"
VERIFY_ENV = "TOKBENCH_VERIFY"
VERIFY_MODES = ("spot", "full")
SPOT_DOCS = 16  # evenly spaced documents per call (per cell of a multi-cell call), plus the longest
SPOT_CHARS = 2048  # longer documents are spot-checked on this prefix
CERTIFY_AFTER_CHARS = 4_000_000  # auto, no certificate yet: the reference encodes this much before certifying
# an accelerator's own memo grows with the distinct words it has seen (gigatoken keeps a pretoken cache per
# worker thread: ~240 MB for llama3 after FLORES-200 dev+devtest, freed only with the encoder); once it has
# encoded this much it is dropped after the call and loaded again for the next one (0.2-1.6 s). Set above one
# FLORES-200 Petrov pass (54M characters), so a leaderboard tokenizer loads it about three times, not six
SHED_AFTER_CHARS = 60_000_000


def backend_choices() -> list[str]:
    return ["auto", "reference", *ACCELERATORS.names()]


def backend_setting() -> str:
    """`auto` (a certified accelerator where there is one), `reference`, or one accelerator's name."""
    return cert.check_mode(os.environ.get(BACKEND_ENV, "auto") or "auto", backend_choices(), "--backend")


def verify_setting() -> str:
    return cert.check_mode(os.environ.get(VERIFY_ENV, "spot") or "spot", VERIFY_MODES, "--verify")


@contextlib.contextmanager
def configured(backend: str | None = None, verify: str | None = None) -> Iterator[None]:
    """`configure` for the length of one command: an in-process `main([...])` (tests, notebooks) must not leave
    `--verify full` on for whatever the process runs next (every encode done twice)."""
    saved = {k: os.environ.get(k) for k in (BACKEND_ENV, VERIFY_ENV)}
    try:
        configure(backend, verify)
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def configure(backend: str | None = None, verify: str | None = None) -> None:
    """Set the CLI's --backend/--verify for this process and the workers it starts (environment)."""
    if backend is not None:
        cert.check_mode(backend, backend_choices(), "--backend")
        os.environ[BACKEND_ENV] = backend
    if verify is not None:
        cert.check_mode(verify, VERIFY_MODES, "--verify")
        os.environ[VERIFY_ENV] = verify


@dataclass
class _State:
    """What this process decided for one tokenizer (by its cache key) under one backend setting."""

    encoder: FastEncoder | None = None
    accelerator: Accelerator | None = None
    certificate: dict[str, Any] | None = None
    cert_path: Path | None = None
    reason: str = ""  # why the reference encodes
    decided: bool = False
    reference_chars: int = 0  # characters the reference encoded while the decision was deferred
    chars_since_load: int = 0  # characters the loaded encoder has encoded (its memo grows with them)
    shed: bool = False  # certified, but the encoder was dropped to free its memo: loaded again when needed
    lock: threading.Lock = field(default_factory=threading.Lock)


_states: dict[tuple[str, str], _State] = {}
_states_lock = threading.Lock()


def _state(tokenizer: Tokenizer, decide_now: bool = False) -> _State:
    """This process's decision for `tokenizer`. Under `auto`, a tokenizer file with a stored certificate
    is decided at once; one without waits until the reference has encoded CERTIFY_AFTER_CHARS characters
    for it here, so a small job (one language of a sweep, a test) never pays a certification many times
    its own size, and a large one loses a few percent of its first run to waiting."""
    setting = backend_setting()
    key = (tokenizer.cache_key, setting)
    with _states_lock:
        st = _states.setdefault(key, _State())
    with st.lock:
        if not st.decided and (
            decide_now or setting != "auto" or st.reference_chars >= CERTIFY_AFTER_CHARS or _has_certificate(tokenizer)
        ):
            st.decided = True
            _decide(tokenizer, st, setting)
    return st


def _has_certificate(tokenizer: Tokenizer) -> bool:
    """A stored `certified` certificate of this file and load options by an installed accelerator version
    (cheap: one folder listing; whether its certification set is today's is checked by `_decide`)."""
    versions = {name: acc.version for name, acc in ACCELERATORS.items()}
    return any(
        c["status"] == "certified" and c.get("tokenizer_config") == tokenizer.config
        and versions.get(c.get("accelerator")) == c.get("accelerator_version")
        for c in cert.certificates_for(tokenizer.sha256)
    )


def _decide(tokenizer: Tokenizer, st: _State, setting: str) -> None:
    if setting == "reference":
        st.reason = "--backend reference"
        return
    by_order = sorted(ACCELERATORS.names(), key=lambda n: (ACCELERATORS.get(n).order, n))
    names = by_order if setting == "auto" else [setting]
    reasons = []
    for name in names:
        acc = ACCELERATORS.get(name)
        version = acc.version
        if version is None:
            reasons.append(f"{name} is not installed")
            continue
        if (why := acc.supports(tokenizer)) is not None:
            reasons.append(why)
            continue
        set_sha = cert.certification_set_sha256(tokenizer)  # the set itself is built only to certify
        key = cert.certificate_key(tokenizer, name, version, set_sha)
        path = cert.certificate_path(tokenizer, key)
        doc = cert.read_certificate(path)
        if doc is not None and doc["status"] != "certified":  # failed or revoked: not even loaded
            reasons.append(f"{name} {version}: certificate {doc['status']} ({doc.get('reason')})")
            continue
        loaded = acc.load(tokenizer)
        if isinstance(loaded, str):
            reasons.append(loaded)
            continue
        if doc is None:
            cset = cert.certification_set(tokenizer)
            if cset.sha256 != set_sha:  # a stale memo: the certificate is named by the set as built now
                cert.remember_set_sha256(tokenizer, cset.sha256)
                path = cert.certificate_path(tokenizer, cert.certificate_key(tokenizer, name, version, cset.sha256))
                doc = cert.read_certificate(path)
        if doc is None:
            doc = cert.certify(tokenizer, name, version, loaded.encode_flat, cset, quiet=progress_quiet())
            if doc["status"] != "certified":
                log.warning("%s %s is not used for %s: %s", name, version, tokenizer.name, doc["reason"])
        if doc["status"] == "certified":
            st.encoder, st.accelerator, st.certificate, st.cert_path = loaded, acc, doc, path
            return
        reasons.append(f"{name} {version}: certificate {doc['status']} ({doc.get('reason')})")
    st.reason = "; ".join(reasons) or "no accelerator is registered"
    if setting != "auto":
        raise TokbenchError(f"--backend {setting} cannot encode {tokenizer.name}: {st.reason}")


def describe(tokenizer: Tokenizer) -> dict[str, Any]:
    """Which encoder this process uses for `tokenizer`, and its certificate (deciding now, certifying if
    needed)."""
    st = _state(tokenizer, decide_now=True)
    if (st.encoder is None and not st.shed) or st.accelerator is None or st.certificate is None:
        return {"encoder": "reference", "reason": st.reason, "verify": verify_setting()}
    c = st.certificate
    return {
        "encoder": st.accelerator.name,
        "version": c["accelerator_version"],
        "certificate": c["key"],
        "certification_set_sha256": c["certification_set_sha256"],
        "verify": verify_setting(),
    }


def _caller_label() -> str:
    """Which corpus language an unlabelled call encodes, read from the metric code's frames (only when
    a difference is reported): `MetricContext.sentences(split, lang)` has both as locals."""
    frame = sys._getframe(2)
    for _ in range(12):
        if frame is None:
            break
        loc = frame.f_locals
        if isinstance(loc.get("lang"), str):
            view = getattr(loc.get("self"), "view", None)
            parts = [getattr(view, "name", None), loc.get("split"), loc["lang"]]
            return "/".join(str(p) for p in parts if isinstance(p, str))
        frame = frame.f_back
    return "texts"


def _where(tokenizer: Tokenizer, label: str | None, i: int, groups: Groups | None = None) -> str:
    """`llama3, flores200/dev/fra_Latn, document 17` (a cell name's tab shown as '/'); in a call that
    encodes several cells at once, the cell of document i and its index there."""
    if groups is not None:
        offsets, labels = groups
        g = int(np.searchsorted(offsets, i, side="right")) - 1
        label, i = labels[g], i - int(offsets[g])
    return f"{tokenizer.name}, {(label or _caller_label()).replace(chr(9), '/')}, document {i}"


def _spot_sample(texts: Sequence[str], groups: Groups | None = None) -> list[int]:
    """Deterministic: SPOT_DOCS evenly spaced documents and the longest one, of each group (cell) when
    the call encodes several at once, so every cell is checked as if it had been encoded alone."""
    if groups is not None:
        offsets = [int(x) for x in groups[0]]
        return [a + i for a, b in itertools.pairwise(offsets) for i in _spot_sample(texts[a:b])]
    n = len(texts)
    if n <= SPOT_DOCS + 1:
        return list(range(n))
    picks = set(np.linspace(0, n - 1, SPOT_DOCS).round().astype(int).tolist())
    picks.add(max(range(n), key=lambda i: len(texts[i])))
    return sorted(picks)


def _reference(tokenizer: Tokenizer, texts: Sequence[str], flat: bool) -> Any:
    return tokenizer.encode_flat(texts) if flat else tokenizer.encode_batch(texts)


def encode(
    tokenizer: Tokenizer, texts: Sequence[str], label: str | None = None, *, flat: bool = True,
    groups: Groups | None = None,
) -> Any:
    """Ids of `texts` as (ids, offsets), or the reference's per-document lists when `flat` is False
    and the reference encodes (the caller flattens them, overlapping the next library call).

    `groups` = (offsets, labels): the texts are several cells concatenated (cell g is
    texts[offsets[g]:offsets[g + 1]]), encoded in one call so the encoder's threads have work; each
    cell is spot-checked as if alone, and a difference names its cell."""
    st = _state(tokenizer)
    verify = verify_setting()
    enc = _encoder(tokenizer, st)
    if enc is None:
        if not st.decided:
            st.reference_chars += sum(map(len, texts))
        return _reference(tokenizer, texts, flat)
    if st.cert_path is not None and (doc := cert.read_certificate(st.cert_path)) is not None:
        if doc["status"] != "certified":  # another process revoked it since
            _drop(st, f"certificate {doc['status']} ({doc.get('reason')})")
            return _reference(tokenizer, texts, flat)
    try:
        return _checked(tokenizer, st, enc, texts, label, flat, groups, verify)
    finally:
        st.chars_since_load += sum(map(len, texts))
        if st.chars_since_load >= SHED_AFTER_CHARS:
            _shed(st)


def _encoder(tokenizer: Tokenizer, st: _State) -> FastEncoder | None:
    """The certified encoder, loaded again if it was shed (its certificate stands: no new certification)."""
    with st.lock:
        if st.encoder is None and st.shed and st.accelerator is not None:
            loaded = st.accelerator.load(tokenizer)
            if isinstance(loaded, str):  # cannot happen for a file it loaded before; the reference encodes
                _drop(st, loaded)
            else:
                st.encoder, st.shed, st.chars_since_load = loaded, False, 0
        return st.encoder


def _shed(st: _State) -> None:
    with st.lock:
        if st.encoder is not None:
            st.encoder, st.shed = None, True


def release_encoders(min_chars: int = 1) -> bool:
    """Drop every loaded accelerator that has encoded at least `min_chars` characters since it was loaded,
    keeping its certificate, so its memo's memory goes back (after a collection and malloc_trim,
    tokbench.heap.trim); the next encode loads it again. Called between a run's cells: a cell that
    encoded a corpus leaves a memo the next cells, which mostly read the encode cache, do not need.
    True when one was dropped."""
    with _states_lock:
        states = list(_states.values())
    dropped = False
    for st in states:
        if st.encoder is not None and st.chars_since_load >= min_chars:
            _shed(st)
            dropped = True
    return dropped


def _checked(
    tokenizer: Tokenizer, st: _State, enc: FastEncoder, texts: Sequence[str], label: str | None, flat: bool,
    groups: Groups | None, verify: str,
) -> Any:
    """`enc`'s ids of `texts`, spot-checked (or, under --verify full, compared whole) against the reference."""
    fast = enc.encode_flat(texts)
    acc = st.accelerator
    assert acc is not None
    if verify == "full":
        ref = tokenizer.encode_flat(texts)
        i = cert.first_difference(ref, fast)
        if i is not None:
            where = _where(tokenizer, label, i, groups)
            _revoke(tokenizer, st, f"--verify full: ids differ on {where}")
            raise TokbenchError(
                f"--verify full: {acc.name} {acc.version} differs from the reference on {where} "
                f"({cert._excerpt(texts[i])}): reference {cert._ids(ref, i)}, {acc.name} {cert._ids(fast, i)}"
            )
        return ref
    sample = _spot_sample(texts, groups)
    if sample:
        # a document longer than SPOT_CHARS is checked on its first SPOT_CHARS characters, encoded by
        # both (a joined one-document corpus must not cost the reference its whole encoding again)
        whole = [i for i in sample if len(texts[i]) <= SPOT_CHARS]
        cut = [i for i in sample if len(texts[i]) > SPOT_CHARS]
        ids, off = fast
        probes = [texts[i] for i in whole] + [texts[i][:SPOT_CHARS] for i in cut]
        ref_sample = tokenizer.encode_flat(probes)
        fast_sample = _take(ids, off[whole], off[np.asarray(whole, dtype=np.int64) + 1])
        if cut:
            fast_cut = enc.encode_flat(probes[len(whole):])
            fast_sample = (np.concatenate([fast_sample[0], fast_cut[0]]),
                           np.concatenate([fast_sample[1], fast_cut[1][1:] + fast_sample[1][-1]]))
        j = cert.first_difference(ref_sample, fast_sample)
        if j is not None:
            i = (whole + cut)[j]
            where = _where(tokenizer, label, i, groups)
            _revoke(tokenizer, st, f"spot check: ids differ on {where} ({cert._excerpt(texts[i])})")
            log.warning(
                "%s %s differs from the reference on %s: certificate revoked, these texts and every later one "
                "are encoded by the reference", acc.name, acc.version, where,
            )
            return _reference(tokenizer, texts, flat)
    return fast


def _take(ids: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lengths = (ends - starts).astype(np.int64)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    parts = [ids[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    return (np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint32)), offsets


def _drop(st: _State, reason: str) -> None:
    st.encoder, st.shed, st.reason = None, False, reason


def _revoke(tokenizer: Tokenizer, st: _State, reason: str) -> None:
    if st.cert_path is not None and st.certificate is not None:
        st.certificate = cert.revoke(st.cert_path, st.certificate, reason)
    _drop(st, reason)


def reset() -> None:
    """Forget this process's decisions (tests; a changed setting is keyed separately anyway)."""
    with _states_lock:
        _states.clear()



def provenance(tokenizer_sha256: str) -> dict[str, Any]:
    """Settings and stored certificates of one tokenizer file, without loading it (a run's parent
    process records this beside each cell its workers computed)."""
    certs = [
        {k: c.get(k) for k in ("accelerator", "accelerator_version", "status", "key", "certification_set_sha256",
                                "tokenizer_config", "reason")}
        for c in cert.certificates_for(tokenizer_sha256)
    ]
    return {"backend": os.environ.get(BACKEND_ENV) or "auto", "verify": os.environ.get(VERIFY_ENV) or "spot",
            "certificates": certs}
