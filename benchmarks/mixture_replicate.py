"""Time single bootstrap replicates of one tokenizer's mixture LP against cold solves of the same replicates.

Usage: TOKBENCH_DATA=../shared/assets python benchmarks/mixture_replicate.py prepare --tokenizer llama2
           [--merges 30000] [--replicates 3] [--state /tmp/mixrep]
       TOKBENCH_DATA=../shared/assets python benchmarks/mixture_replicate.py run --tokenizer llama2
           [--reps 0,1,2] [--trace] [--set trust=0.05 --set trust_new=0 ...]
prepare runs `infer_mixture` as `mixture_real.py --bootstrap` does (paper categories, seed 0) but stops
short of solving the replicates: it saves the point estimate's LP result and each replicate's history,
rank counts and byte counts (.npz arrays + .json structure under --state/<tokenizer>, no pickle), then
solves each replicate cold (no warm start) and saves that answer. run re-solves saved replicates warm,
as infer does, with `solve_lp` keywords overridden by --set, and prints seconds, rounds and the L1 distance of the byte
shares (and of the pair-space weights) to the cold solve. Set TOKBENCH_LP_DEBUG=1 for per-round lines.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mixture_real import categories  # noqa: E402

import tokbench.mixture.infer as infer  # noqa: E402
from tokbench.mixture.lp import NEW_WEIGHT, LPResult, WarmStart, solve_lp  # noqa: E402
from tokbench.tokenizers import load_tokenizer  # noqa: E402


def _save(path: Path, obj: Any) -> None:
    """`obj` (dataclasses, dicts, lists, arrays, numbers, strings) as path.json + path.npz, without pickle."""
    arrays: dict[str, np.ndarray] = {}

    def enc(o: Any) -> Any:
        if isinstance(o, np.ndarray):
            key = f"a{len(arrays)}"
            arrays[key] = o
            return {"__nd__": key}
        if dataclasses.is_dataclass(o) and not isinstance(o, type):
            cls = type(o)
            return {"__dc__": f"{cls.__module__}:{cls.__qualname__}",
                    "fields": {f.name: enc(getattr(o, f.name)) for f in dataclasses.fields(o)}}
        if isinstance(o, dict):
            return {"__dict__": [[enc(k), enc(v)] for k, v in o.items()]}
        if isinstance(o, (list, tuple)):
            return [enc(x) for x in o]
        if isinstance(o, np.generic):
            return o.item()
        return o

    doc = enc(obj)
    np.savez(path.with_suffix(".npz"), **arrays)
    path.with_suffix(".json").write_text(json.dumps(doc))


def _load(path: Path) -> Any:
    with np.load(path.with_suffix(".npz"), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}

    def dec(o: Any) -> Any:
        if isinstance(o, list):
            return [dec(x) for x in o]
        if not isinstance(o, dict):
            return o
        if "__nd__" in o:
            return arrays[o["__nd__"]]
        if "__dict__" in o:
            return {dec(k): dec(v) for k, v in o["__dict__"]}
        mod, qual = o["__dc__"].split(":")
        if mod != "tokbench" and not mod.startswith("tokbench."):  # only our own dataclasses are rebuilt
            raise ValueError(f"{path}: {o['__dc__']} is not a tokbench dataclass")
        cls: Any = importlib.import_module(mod)
        for part in qual.split("."):
            cls = getattr(cls, part)
        if not (dataclasses.is_dataclass(cls) and isinstance(cls, type)):
            raise ValueError(f"{path}: {o['__dc__']} is not a tokbench dataclass")
        vals = {k: dec(v) for k, v in o["fields"].items()}
        init = {f.name for f in dataclasses.fields(cls) if f.init}
        obj = cls(**{k: v for k, v in vals.items() if k in init})
        for k, v in vals.items():
            if k not in init:
                object.__setattr__(obj, k, v)
        return obj

    return dec(json.loads(path.with_suffix(".json").read_text()))


def prepare(name: str, merges: int, n_reps: int, state: Path) -> None:
    state.mkdir(parents=True, exist_ok=True)
    captured: list[tuple[Any, dict[str, Any]]] = []
    point: list[LPResult] = []

    def capture(h: Any, **kw: Any) -> LPResult:
        if kw.get("start") is None:  # the point estimate: solve it as infer does
            r = solve_lp(h, **kw)
            point.append(r)
            return r
        captured.append((h, {k: v for k, v in kw.items() if k not in ("start", "on_round")}))
        return point[0]  # replicates are solved below, not here

    orig = infer.solve_lp
    infer.solve_lp = capture
    try:
        t0 = time.perf_counter()
        r = infer.infer_mixture(load_tokenizer(name), categories("paper"), merges=merges, bootstrap=n_reps,
                                threads=1, time_limit=3000)
        print(f"point estimate and {n_reps} histories: {time.perf_counter() - t0:.0f}s", flush=True)
    finally:
        infer.solve_lp = orig
    rng = np.random.default_rng(0)  # infer_mixture's draws for seed 0
    draws = [[rng.multinomial(cw.n_docs, np.full(cw.n_docs, 1.0 / cw.n_docs)) for cw in r.words]
             for _ in range(n_reps)]
    _save(state / "point", {"lp": point[0], "categories": list(r.categories)})
    for k, ((h, kw), dws) in enumerate(zip(captured, draws, strict=True)):
        nb = np.array([cw.n_bytes(dw) for cw, dw in zip(r.words, dws, strict=True)], np.float64)
        if (state / f"rep{k}.json").exists():
            continue
        t0 = time.perf_counter()
        cold = solve_lp(h, **kw)
        secs = time.perf_counter() - t0
        print(f"replicate {k}: cold solve {secs:.0f}s, {cold.rounds} rounds ({os.getloadavg()[0]:.1f} load)",
              flush=True)
        _save(state / f"rep{k}", {"h": h, "kw": kw, "n_bytes": nb, "cold_alpha": cold.alpha,
                                   "cold_rounds": cold.rounds, "cold_seconds": secs})


def run(state: Path, reps: list[int], overrides: dict[str, Any], trace: bool = False) -> None:
    lp: LPResult = _load(state / "point")["lp"]
    warm = WarmStart.of(lp)
    new = lp.alpha < NEW_WEIGHT  # categories the point estimate leaves at zero
    for k in reps:
        d = _load(state / f"rep{k}")
        h, nb = d["h"], d["n_bytes"]
        load0 = os.getloadavg()[0]
        path: list[np.ndarray] = []
        t0 = time.perf_counter()
        r = solve_lp(h, **(d["kw"] | {"start": warm, "patience": infer.REPLICATE_PATIENCE} | overrides),
                     on_round=lambda _k, a, _v, path=path: path.append(a.copy()))
        secs = time.perf_counter() - t0
        b, bc = infer.byte_space(r.alpha, nb, h.n_pairs), infer.byte_space(d["cold_alpha"], nb, h.n_pairs)
        print(json.dumps({
            "replicate": k, **overrides, "seconds": round(secs, 1), "rounds": r.rounds,
            "lp_search": round(r.timings["search"], 1), "lp_solver": round(r.timings["solve"], 1),
            "l1_byte_vs_cold": round(float(np.abs(b - bc).sum()), 4),
            "l1_pair_vs_cold": round(float(np.abs(r.alpha - d["cold_alpha"]).sum()), 4),
            "l1_pair_vs_point": round(float(np.abs(r.alpha - lp.alpha).sum()), 4),
            # pair-space weight on the categories the point estimate leaves at zero: sum and largest, this solve, cold
            "new_mass": [round(float(r.alpha[new].sum()), 4), round(float(d["cold_alpha"][new].sum()), 4)],
            "new_max": [round(float(r.alpha[new].max()), 4), round(float(d["cold_alpha"][new].max()), 4)],
            "start_rows": len(warm.steps), "cold_rounds": d["cold_rounds"], "cold_seconds": round(d["cold_seconds"]),
            "load": [round(load0, 1), round(os.getloadavg()[0], 1)]}), flush=True)
        if trace:  # per round: L1 (byte shares) to the cold solve and to this solve's answer
            print(" ".join(f"{i + 1}:{np.abs(infer.byte_space(a, nb, h.n_pairs) - bc).sum():.3f}/"
                           f"{np.abs(infer.byte_space(a, nb, h.n_pairs) - b).sum():.3f}" for i, a in enumerate(path)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("prepare", "run"))
    ap.add_argument("--tokenizer", default="llama2")
    ap.add_argument("--merges", type=int, default=30000)
    ap.add_argument("--replicates", type=int, default=3)
    ap.add_argument("--state", default="/tmp/mixrep")
    ap.add_argument("--reps", default="0,1,2")
    ap.add_argument("--trace", action="store_true", help="per round: L1 to the cold solve and to the answer")
    ap.add_argument("--set", action="append", default=[], help="solve_lp keyword=value (a number)")
    a = ap.parse_args()
    state = Path(a.state) / a.tokenizer
    if a.mode == "prepare":
        prepare(a.tokenizer, a.merges, a.replicates, state)
    else:
        over = {k: float(v) if "." in v or "e" in v else int(v) for k, v in (x.split("=", 1) for x in a.set)}
        run(state, [int(x) for x in a.reps.split(",")], over, a.trace)


if __name__ == "__main__":
    main()
