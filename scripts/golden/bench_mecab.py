"""Reference speed of real mecab-ko on the benchmark text, for comparison with
`cargo bench --bench analysis` (segment/spaced).

Runs MeCab's C++ Viterbi line by line over the golden corpus (the same lines the Rust
bench repeats to ~1 MB), without building Python morpheme objects.

    python -m venv /tmp/mecab-venv
    /tmp/mecab-venv/bin/pip install python-mecab-ko==1.3.7 python-mecab-ko-dic==2.1.1.post2
    /tmp/mecab-venv/bin/python scripts/golden/bench_mecab.py
"""

import json
import pathlib
import time

from mecab import MeCab
from mecab.utils import create_lattice

ROOT = pathlib.Path(__file__).resolve().parents[2]
lines = [
    json.loads(line)["text"]
    for line in (ROOT / "tests/fixtures/mecab_golden/corpus.jsonl").read_text().splitlines()
]
tagger = MeCab()._tagger
for line in lines:  # warm up
    tagger.parse(create_lattice(line))

total = 0
start = time.perf_counter()
for _ in range(10):
    for line in lines:
        tagger.parse(create_lattice(line))
        total += len(line.encode())
elapsed = time.perf_counter() - start
print(f"mecab-ko: {total / elapsed / 1e6:.2f} MB/s ({total} bytes, {elapsed:.2f} s)")
