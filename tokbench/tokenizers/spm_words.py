"""SentencePiece's word split (SplitIntoWords): the units its BPE trainer merges within."""

from __future__ import annotations

SPACE = "\u2581"


def split_into_words(normalized: str, allow_ws_only_pieces: bool = True, ws_as_suffix: bool = False) -> list[str]:
    """Split normalized text ('▁' for spaces) the way sentencepiece's trainer does.

    A word starts at the text start and at each '▁'; with `allow_ws_only_pieces` a run of '▁'
    stays together and the word continues through it (Llama's trainer setting).
    """
    if ws_as_suffix:
        words: list[str] = []
        cur = ""
        for ch in normalized:
            cur += ch
            if ch == SPACE:
                words.append(cur)
                cur = ""
        if cur:
            words.append(cur)
        return words
    out: list[str] = []
    in_ws = False
    for i, ch in enumerate(normalized):
        is_ws = ch == SPACE
        if i == 0 or (is_ws and (not in_ws or not allow_ws_only_pieces)):
            out.append("")
            in_ws = True
        if in_ws and not is_ws:
            in_ws = False
        out[-1] += ch
    return out
