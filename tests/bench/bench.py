#!/usr/bin/env python3
"""bench.py - the measurements and the table of `make bench` (run.sh sets up).

    bench.py CHAFF ARCHIVE LIST READ_LIST OUT_DIR RUNS

ARCHIVE: the .warc.gz from mkwarc.py; LIST: its responses' pages
("length<TAB>path"); READ_LIST: the pages given to readability-lxml (one
copy of each). Every figure is the median of RUNS runs made side by side in
this one process; peak RSS is the largest seen. Single-thread ratios are
given on wall time and on CPU time (user+sys): on a shared machine the
second is the steadier. Nothing is asserted: figures only.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, capture=False):
    """wall and cpu seconds, peak RSS (KB) and stdout of one command; None if it failed."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=out if capture else subprocess.DEVNULL, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode not in (0, 1):
            err.seek(0)
            sys.stderr.write("bench: %s exited %d: %s\n" % (
                os.path.basename(cmd[0]), p.returncode,
                err.read().decode(errors="replace")[-300:]))
            return None
        out.seek(0)
        return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, out.read() if capture else b""


def median_of(cmd, runs):
    results = []
    for _ in range(runs):
        r = run(cmd)
        if r is None:
            return None
        results.append(r)
    return (statistics.median(r[0] for r in results), statistics.median(r[1] for r in results),
            max(r[2] for r in results))


def median_of_interleaved(cmds, runs):
    results = [[] for _ in cmds]
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            r = run(cmd)
            if r is None:
                return [None] * len(cmds)
            results[i].append(r)
    return [(statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs),
             max(r[2] for r in rs)) for rs in results]


def internal(cmd):
    """A program that times itself: 'wall cpu pages bytes' lines, one per run."""
    r = run(cmd, capture=True)
    if r is None:
        return None
    rows = [list(map(float, line.split())) for line in r[3].decode().splitlines()
            if line.strip()]
    if not rows:
        return None
    return (statistics.median(x[0] for x in rows), statistics.median(x[1] for x in rows),
            r[2], int(rows[0][2]), int(rows[0][3]))


def main():
    chaff, archive, plist, rlist, out_dir, runs = sys.argv[1:7]
    runs = int(runs)
    gz_bytes = os.path.getsize(archive)
    raw_bytes = 0
    with subprocess.Popen(["gzip", "-dc", archive], stdout=subprocess.PIPE) as p:
        while True:
            b = p.stdout.read(1 << 20)
            if not b:
                break
            raw_bytes += len(b)
    pages = sum(1 for _ in open(plist, encoding="utf-8"))
    html_bytes = sum(int(l.split("\t", 1)[0]) for l in open(plist, encoding="utf-8"))
    mb = 1e6
    print("chaff make bench: %s" % archive)
    print("  %d pages (%d records), %.1f MB of HTML; archive %.1f MB gzip, %.1f MB WARC; "
          "median of %d runs; %d cores, load %.1f" % (pages, 2 * pages + 1, html_bytes / mb,
                                                      gz_bytes / mb, raw_bytes / mb, runs,
                                                      os.cpu_count(), os.getloadavg()[0]))
    rows = {}

    # --- reading: chaff scan vs warcio vs pigz ---------------------------
    # One thread, and two: the reading thread inflates while a worker checks
    # digests and decodes HTTP, as pigz -d does with its check thread and
    # warcio with zlib beside its JavaScript thread.
    rows["scan"], rows["scan2"] = median_of_interleaved(
        [[chaff, "bulk", "--scan-only", "-j", "1", "--no-progress", archive],
         [chaff, "bulk", "--scan-only", "-j", "2", "--no-progress", archive]], runs)
    node = shutil.which("node")
    warcio = os.path.join(HERE, "..", "node", "node_modules", "warcio")
    rows["warcio"] = (median_of([node, os.path.join(HERE, "warcio_read.mjs"), archive], runs)
                      if node and os.path.isdir(warcio) else None)
    pigz = shutil.which("pigz")
    rows["pigz"] = median_of([pigz, "-dc", "-p1", archive], runs) if pigz else None

    # --- scoring: chaff bulk vs bare Gumbo vs readability-lxml ------------
    # -j1 and -j2 alternate, so that a neighbour's load weighs on both alike.
    rows["j1"], rows["j2"] = median_of_interleaved(
        [[chaff, "bulk", "-j", "1", "--no-progress", archive],
         [chaff, "bulk", "-j", "2", "--no-progress", archive]], runs)
    bare = os.path.join(out_dir, "gumbo_bare")
    rows["gumbo"] = internal([bare, plist, str(runs)]) if os.path.exists(bare) else None
    py = "/usr/bin/python3"
    rows["readability"] = (internal([py, os.path.join(HERE, "readability_bench.py"), rlist,
                                     str(runs)]) if os.path.exists(py) else None)

    def line(label, key, nbytes, npages):
        r = rows.get(key)
        if not r:
            print("  %-40s %s" % (label, "n/a (missing tool)"))
            return
        wall, cpu, rss = r[0], r[1], r[2]
        if len(r) > 3:
            npages, nbytes = r[3], r[4]
        print("  %-40s %8.1f %9.0f %8.1f %8.1f %8.0f" % (label, nbytes / mb / wall, npages / wall,
                                                      wall, cpu, rss / 1024))

    def rate(key, per):
        r = rows.get(key)
        if not r:
            return None
        n = (r[3] if len(r) > 3 else pages) if per == "pages" else raw_bytes
        return n / r[0], n / r[1]

    def ratio(label, a, b, per, target, cpu=True):
        ra, rb = rate(a, per), rate(b, per)
        if not ra or not rb:
            print("  %-44s n/a" % label)
            return
        wall = ra[0] / rb[0]
        cpu_r = ra[1] / rb[1]
        verdict = "ok" if wall >= target else "below"
        extra = ("   cpu %5.2fx %s" % (cpu_r, "ok" if cpu_r >= target else "below")) if cpu else ""
        print("  %-44s wall %5.2fx %-5s%s   (target >= %gx)" % (label, wall, verdict, extra,
                                                               target))

    head = "  %-40s %8s %9s %8s %8s %8s" % ("", "MB/s", "pages/s", "wall s", "cpu s", "peak MB")
    print("\nreading (MB/s of uncompressed WARC)")
    print(head)
    line("chaff bulk --scan-only -j1", "scan", raw_bytes, pages)
    line("chaff bulk --scan-only -j2", "scan2", raw_bytes, pages)
    line("warcio (npm), records read fully", "warcio", raw_bytes, pages)
    line("pigz -dc -p1", "pigz", raw_bytes, pages)
    print("\nscoring (MB/s of HTML)")
    print(head)
    line("chaff bulk -j1", "j1", html_bytes, pages)
    line("bare Gumbo parse + destroy", "gumbo", html_bytes, pages)
    line("readability-lxml Document().summary()", "readability", html_bytes, pages)
    line("chaff bulk -j2", "j2", html_bytes, pages)
    print("\nratios against the targets of issue 5")
    ratio("scan -j2 / warcio", "scan2", "warcio", "bytes", 4, cpu=False)
    ratio("scan -j2 / pigz -dc -p1", "scan2", "pigz", "bytes", 0.85, cpu=False)
    ratio("scan -j1 / warcio", "scan", "warcio", "bytes", 4)
    ratio("scan -j1 / pigz -dc -p1", "scan", "pigz", "bytes", 0.85)
    ratio("bulk -j1 / bare Gumbo (pages/s)", "j1", "gumbo", "pages", 0.9)
    ratio("bulk -j1 / readability-lxml (pages/s)", "j1", "readability", "pages", 5)
    ratio("bulk -j2 / bulk -j1 (pages/s)", "j2", "j1", "pages", 1.8, cpu=False)
    peak = max((rows[k][2] for k in ("scan", "scan2", "j1", "j2") if rows.get(k)), default=0)
    print("  %-44s %5.0f MB (bounded by the caps, not by the archive)" % ("peak RSS of chaff",
                                                                         peak / 1024))


if __name__ == "__main__":
    main()
