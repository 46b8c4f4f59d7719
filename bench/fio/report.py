#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn bench/fio/run-bench.sh's fio JSON reports into one table.

    report.py JSON_DIR ENV_TXT OUT_PREFIX

writes OUT_PREFIX.csv (one row per workload, target, depth and engine) and
OUT_PREFIX.md: IOPS side by side, then bandwidth and completion latency
(p50/p99) per run.
"""
import csv
import json
import os
import re
import sys

ENGINES = ["sysring-inline", "sysring-worker", "sysring-sqpoll",
           "sysring-program", "io_uring", "io_uring-sqpoll", "psync"]
WORKLOADS = ["randread-4k", "randwrite-4k", "seqread-128k"]
TARGETS = ["nullb0", "tmpfs"]


# fio 3.33's io_uring engine sets no issue time with sqthread_poll (its
# commit returns before fio_ioring_queued()): its latencies are garbage.
NO_CLAT = {"io_uring-sqpoll"}


def load(json_dir):
    rows = []
    pat = re.compile(r"^(.*)-(tmpfs|nullb0)-(\d+)\.json$")
    for name in sorted(os.listdir(json_dir)):
        m = pat.match(name)
        if not m:
            continue
        text = open(os.path.join(json_dir, name)).read()
        # fio may print notes before the JSON object.
        data = json.loads(text[text.index("{"):])
        for job in data["jobs"]:
            ddir = "write" if "write" in m.group(1) else "read"
            st = job[ddir]
            pct = st.get("clat_ns", {}).get("percentile", {})
            if job["jobname"] in NO_CLAT:
                pct = {}
            rows.append({
                "workload": m.group(1), "target": m.group(2),
                "depth": int(m.group(3)), "engine": job["jobname"],
                "iops": round(st["iops"]), "bw_kib": st["bw"],
                "clat_p50_us": (round(pct["50.000000"] / 1000, 1)
                                if pct else ""),
                "clat_p99_us": (round(pct["99.000000"] / 1000, 1)
                                if pct else ""),
                "error": job.get("error", 0),
            })
    return rows


def order(r):
    return (WORKLOADS.index(r["workload"]) if r["workload"] in WORKLOADS else 99,
            TARGETS.index(r["target"]), r["depth"],
            ENGINES.index(r["engine"]) if r["engine"] in ENGINES else 99)


def main():
    json_dir, env_txt, prefix = sys.argv[1:4]
    rows = sorted(load(json_dir), key=order)
    if not rows:
        sys.exit("report.py: no fio reports in " + json_dir)
    fields = ["workload", "target", "depth", "engine", "iops", "bw_kib",
              "clat_p50_us", "clat_p99_us", "error"]
    with open(prefix + ".csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)

    engines = [e for e in ENGINES if any(r["engine"] == e for r in rows)]
    by = {(r["workload"], r["target"], r["depth"], r["engine"]): r
          for r in rows}
    keys = sorted({(r["workload"], r["target"], r["depth"]) for r in rows},
                  key=lambda k: order({"workload": k[0], "target": k[1],
                                       "depth": k[2], "engine": ""}))
    out = ["# fio: sysring vs io_uring vs psync", ""]
    out += ["    " + line for line in open(env_txt).read().splitlines()]
    out += ["", "## IOPS (higher is better; psync has no queue: depth 1 only)",
            ""]
    out.append("| workload | target | depth | " + " | ".join(engines) +
               " | sysring-inline / io_uring |")
    out.append("|---|---|---:|" + "---:|" * (len(engines) + 1))
    for k in keys:
        cells = []
        for e in engines:
            r = by.get(k + (e,))
            cells.append("—" if r is None else
                         ("error %d" % r["error"]) if r["error"] else
                         str(r["iops"]))
        si, iu = by.get(k + ("sysring-inline",)), by.get(k + ("io_uring",))
        ratio = ("%.2f" % (si["iops"] / iu["iops"])
                 if si and iu and iu["iops"] else "—")
        out.append("| %s | %s | %d | %s | %s |" %
                   (k[0], k[1], k[2], " | ".join(cells), ratio))
    out += ["", "## Every run: bandwidth and completion latency", "",
            "Completion latency runs from the submitting system call to "
            "the reap; for io_uring-sqpoll fio 3.33 records no issue time, "
            "so it has none.", "",
            "| workload | target | depth | engine | IOPS | MiB/s | "
            "clat p50 µs | clat p99 µs |",
            "|---|---|---:|---|---:|---:|---:|---:|"]
    for r in rows:
        out.append("| %s | %s | %d | %s | %d | %.1f | %s | %s |" %
                   (r["workload"], r["target"], r["depth"], r["engine"],
                    r["iops"], r["bw_kib"] / 1024,
                    r["clat_p50_us"] if r["clat_p50_us"] != "" else "—",
                    r["clat_p99_us"] if r["clat_p99_us"] != "" else "—"))
    with open(prefix + ".md", "w") as f:
        f.write("\n".join(out) + "\n")
    print("\n".join(out))


if __name__ == "__main__":
    main()
