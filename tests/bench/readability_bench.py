#!/usr/bin/python3
"""readability_bench.py LIST [RUNS] - readability-lxml extraction alone.

Debian's python3-readability, as a peer for chaff bulk: Document(html).summary()
on every page of LIST ("length<TAB>path" lines, .gz pages gunzipped), pages
loaded first, only extraction timed. One line per run: "wall_s cpu_s pages bytes".
Pages readability throws on are counted (its failure is still its time).
"""
import gzip
import sys
import time

from readability import Document


def main():
    paths = [line.rstrip("\n").split("\t", 1)[1] for line in open(sys.argv[1], encoding="utf-8")]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    pages = []
    for p in paths:
        with open(p, "rb") as f:
            data = f.read()
        pages.append(gzip.decompress(data) if p.endswith(".gz") else data)
    total = sum(len(p) for p in pages)
    for _ in range(runs):
        w0, c0 = time.monotonic(), time.process_time()
        failed = 0
        for html in pages:
            try:
                Document(html).summary()
            except Exception:  # noqa: BLE001 - a peer's failure is not ours to judge
                failed += 1
        print("%.4f %.4f %d %d" % (time.monotonic() - w0, time.process_time() - c0,
                                   len(pages), total), flush=True)
        if failed:
            print("readability_bench: %d pages failed" % failed, file=sys.stderr)


if __name__ == "__main__":
    main()
