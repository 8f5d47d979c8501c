#!/usr/bin/env python3
"""Generate golden tokenization fixtures from REAL mecab-ko.

These fixtures let chatda's lindera-based Korean analyzer (which uses the
same mecab-ko-dic 2.1.1 dictionary) be checked against the reference MeCab
implementation. This script is NOT run by CI; its output is committed under
tests/fixtures/mecab_golden/.

Pinned versions (the output depends on them; the script refuses to run with
others unless --allow-version-mismatch is given):

    python-mecab-ko      == 1.3.7          (MeCab engine, pybind11 build)
    python-mecab-ko-dic  == 2.1.1.post2    (mecab-ko-dic 2.1.1, compiled)
    konlpy               == 0.6.0          (only for its bundled corpus .txt files;
                                            no Java / JPype is used)

How to run (from the repository root; the venv lives outside the repo):

    python3 -m venv /tmp/mecab-golden-venv
    /tmp/mecab-golden-venv/bin/pip install \
        python-mecab-ko==1.3.7 python-mecab-ko-dic==2.1.1.post2 konlpy==0.6.0
    /tmp/mecab-golden-venv/bin/python scripts/golden/gen_mecab_golden.py

Options: --out-dir DIR (default tests/fixtures/mecab_golden next to this
repo), --max-corpus-lines N (default 2500).

Inputs:
  * corpus:  konlpy/data/corpus/kolaw/constitution.txt, then every
             konlpy/data/corpus/kobill/*.txt in sorted file-name order.
             Each file is split with str.splitlines() (so CRLF and the form
             feeds in the bill texts are line breaks), each line is
             str.strip()-ed, empty lines are dropped, and lines are
             de-duplicated keeping the first occurrence. At most
             --max-corpus-lines lines are kept, in that order (all of the
             constitution comes first, then as many kobill lines as fit).
  * search:  scripts/golden/search_queries.txt, hand-written search queries
             and support-ticket texts, one per line (same strip/dedup rules).

Outputs (UTF-8, "\n" line endings, one JSON object per line, no trailing
spaces, keys in the order shown):
  * tests/fixtures/mecab_golden/corpus.jsonl
  * tests/fixtures/mecab_golden/search.jsonl

        {"text": "<line>", "tokens": [[surface, feature, byte_start, byte_end], ...]}

    - surface:  the morpheme surface exactly as it appears in `text`
    - feature:  MeCab's raw feature string for the node, unmodified, e.g.
                "NNG,*,T,공연,*,*,*,*" (8 comma-separated fields of
                mecab-ko-dic: POS, semantic class, final consonant T/F,
                reading, type, first POS, last POS, expression)
    - byte_start/byte_end: UTF-8 byte offsets into `text`, end exclusive,
                so text.encode()[byte_start:byte_end].decode() == surface.
    BOS/EOS nodes are not included. Whitespace is never a token.

Offsets are computed three independent ways and must agree, or the script
aborts: (1) searching each surface in `text` from a running cursor, (2)
MeCab's own byte accounting (node.rlength - node.length = bytes of
whitespace skipped before the node, node.length = bytes of the surface),
(3) python-mecab-ko's character span converted to bytes. It also checks that
only whitespace is skipped between tokens.

Also written: tests/fixtures/mecab_golden/meta.json with the versions used
and per-file line/token counts (handy for a test that sanity-checks the
fixtures were loaded completely).

The output is deterministic: running the script twice gives identical files.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

EXPECTED_VERSIONS = {
    "python-mecab-ko": "1.3.7",
    "python-mecab-ko-dic": "2.1.1.post2",
    "konlpy": "0.6.0",
}

SCRIPT_DIR = Path(__file__).resolve().parent
REPO_ROOT = SCRIPT_DIR.parent.parent
DEFAULT_OUT_DIR = REPO_ROOT / "tests" / "fixtures" / "mecab_golden"
QUERIES_FILE = SCRIPT_DIR / "search_queries.txt"


def installed_versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in EXPECTED_VERSIONS}


def read_lines(path: Path) -> list[str]:
    """Non-empty stripped lines of a UTF-8 file, in file order."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            out.append(line)
    return out


def dedup(lines: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for line in lines:
        if line not in seen:
            seen.add(line)
            out.append(line)
    return out


def corpus_lines(max_lines: int) -> tuple[list[str], list[str]]:
    import konlpy

    corpus_dir = Path(konlpy.__file__).resolve().parent / "data" / "corpus"
    files = [corpus_dir / "kolaw" / "constitution.txt"]
    files += sorted((corpus_dir / "kobill").glob("*.txt"), key=lambda p: p.name)
    lines: list[str] = []
    for f in files:
        lines.extend(read_lines(f))
    lines = dedup(lines)[:max_lines]
    return lines, [f"{f.parent.name}/{f.name}" for f in files]


class Tokenizer:
    def __init__(self) -> None:
        import mecab
        from mecab.utils import create_lattice

        self._mecab = mecab.MeCab()  # default dictionary = python-mecab-ko-dic
        self._create_lattice = create_lattice
        dics = self._mecab.dictionary
        self.dictionary_words = [d.number_of_words for d in dics]

    def tokenize(self, text: str) -> list[list]:
        lattice = self._create_lattice(text)
        # Same call MeCab.parse() makes, but we keep the raw node so we get
        # the unmodified feature string and MeCab's byte lengths.
        if not self._mecab._tagger.parse(lattice):
            raise RuntimeError(self._mecab._tagger.what())

        raw = text.encode("utf-8")
        # char index -> byte offset, for converting python-mecab-ko spans
        char_to_byte = [0] * (len(text) + 1)
        acc = 0
        for i, ch in enumerate(text):
            char_to_byte[i] = acc
            acc += len(ch.encode("utf-8"))
        char_to_byte[len(text)] = acc

        tokens = []
        cursor = 0  # byte cursor for the surface search
        mecab_pos = 0  # byte cursor from MeCab's own rlength/length
        for span, node in lattice:
            surface = node.surface
            feature = node.feature
            s_bytes = surface.encode("utf-8")
            if not s_bytes:
                raise AssertionError(f"empty surface in {text!r}")

            # (1) find surface from the running cursor
            start = raw.find(s_bytes, cursor)
            if start < 0:
                raise AssertionError(f"surface {surface!r} not found after byte {cursor} in {text!r}")
            end = start + len(s_bytes)
            gap = raw[cursor:start].decode("utf-8")
            if gap.strip() != "":
                raise AssertionError(f"non-whitespace {gap!r} skipped before {surface!r} in {text!r}")

            # (2) MeCab's byte accounting
            if node.length != len(s_bytes):
                raise AssertionError(f"node.length {node.length} != {len(s_bytes)} for {surface!r}")
            mecab_pos += node.rlength - node.length
            if mecab_pos != start:
                raise AssertionError(f"MeCab offset {mecab_pos} != {start} for {surface!r} in {text!r}")
            mecab_pos += node.length

            # (3) python-mecab-ko's char span
            cs, ce = span
            if (char_to_byte[cs], char_to_byte[ce]) != (start, end):
                raise AssertionError(f"span {span} disagrees with bytes {(start, end)} for {surface!r} in {text!r}")

            if raw[start:end].decode("utf-8") != surface:
                raise AssertionError("offset round-trip failed")
            tokens.append([surface, feature, start, end])
            cursor = end

        if raw[cursor:].decode("utf-8").strip() != "":
            raise AssertionError(f"untokenized tail {raw[cursor:]!r} in {text!r}")
        return tokens


def write_jsonl(path: Path, tok: Tokenizer, lines: list[str]) -> tuple[int, int]:
    n_tokens = 0
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            tokens = tok.tokenize(line)
            n_tokens += len(tokens)
            rec = {"text": line, "tokens": tokens}
            f.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
            f.write("\n")
    os.replace(tmp, path)
    return len(lines), n_tokens


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    ap.add_argument("--max-corpus-lines", type=int, default=2500)
    ap.add_argument("--allow-version-mismatch", action="store_true")
    args = ap.parse_args()

    versions = installed_versions()
    if versions != EXPECTED_VERSIONS:
        msg = f"installed {versions}, expected {EXPECTED_VERSIONS}"
        if not args.allow_version_mismatch:
            print(f"error: {msg} (use --allow-version-mismatch to override)", file=sys.stderr)
            return 2
        print(f"warning: {msg}", file=sys.stderr)

    tok = Tokenizer()
    args.out_dir.mkdir(parents=True, exist_ok=True)

    corpus, corpus_files = corpus_lines(args.max_corpus_lines)
    search = dedup(read_lines(QUERIES_FILE))

    meta = {
        "generator": "scripts/golden/gen_mecab_golden.py",
        "versions": versions,
        "system_dictionary_words": tok.dictionary_words,
        "format": {"text": "input line", "tokens": "[surface, feature, byte_start, byte_end] (UTF-8 bytes, end exclusive)"},
        "files": {},
    }
    for name, lines, sources in (
        ("corpus.jsonl", corpus, [f"konlpy/data/corpus/{s}" for s in corpus_files]),
        ("search.jsonl", search, ["scripts/golden/search_queries.txt"]),
    ):
        n_lines, n_tokens = write_jsonl(args.out_dir / name, tok, lines)
        meta["files"][name] = {"sources": sources, "lines": n_lines, "tokens": n_tokens}
        print(f"{name}: {n_lines} lines, {n_tokens} tokens")

    with open(args.out_dir / "meta.json", "w", encoding="utf-8", newline="\n") as f:
        json.dump(meta, f, ensure_ascii=False, indent=2)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
