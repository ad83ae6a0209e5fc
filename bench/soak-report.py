#!/usr/bin/env python3
"""bench/soak-report.py DIR — soak.sh's report and verdict, from what a run left in DIR
(bench/results/soak by default): params.json, first.json and soak.json (./loadtest's reports),
processes.txt (the /proc samples), and phase 1's access-log lines (the folder params.json names,
relative to DIR). soak.sh runs it at its end; run it again to re-read a run."""
import json
import re
import statistics
import sys
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

out = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/results/soak")
p = json.loads((out / "params.json").read_text())
warm, rss_band, fd_band, p99_band = p["warm"], p["rss_band"], p["fd_band"], p["p99_band"]

# The access logs (Istio's TEXT format): a failed page's lines, by its x-request-id.
LINE = re.compile(r'^\[([^\]]+)\] "[^"]*" (\d+) (\S+) .*? "[^"]*" "[^"]*" "([^"]*)" "[^"]*" "([^"]*)" ')
# The duration field (request start to last byte out, ms), as the ingress measured it.
DURATION = re.compile(r'^\[([^\]]+)\] "[^"]*" \d+ \S+ \S+ \S+ "[^"]*" \d+ \d+ (\d+) ')
by_id = defaultdict(list)
ingress_failed = []
ingress_phase1 = []  # (start, duration ms) of each ingress line in phase 1
for path in (out / p["logs"]).glob("*.log") if p["logs"] else []:
    for text in path.open():
        m = LINE.match(text)
        if not m:
            continue
        t = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()
        line = (t, int(m.group(2)), m.group(3), m.group(4), m.group(5))
        by_id[m.group(4)].append(line)
        if path.name.startswith("ingress") and p["phase1_from"] <= t <= p["phase1_to"]:
            if not 200 <= line[1] < 300:
                ingress_failed.append(line)
            d = DURATION.match(text)
            if d:
                ingress_phase1.append((t, int(d.group(2))))


def in_flight_to_the_killed(request_id):
    """A try to the killed process's address that ended in a reset or a failed connection, within 2 s of the kill."""
    return any(upstream == p["victim"] and set(flags.split(",")) & {"UC", "UF"} and abs(t - p["killed_at"]) <= 2
               for t, _, flags, _, upstream in by_id[request_id])


def failed(report):
    return sum(n for status, n in report["statuses"].items() if not status.startswith("2")) + report["transportErrors"]


lost_in_flight = sum(1 for line in ingress_failed if in_flight_to_the_killed(line[3]))
first = json.loads((out / "first.json").read_text())["report"]
soak = json.loads((out / "soak.json").read_text())["report"]
first_failed, soak_failed = failed(first), failed(soak)
first_unexplained = first_failed - lost_in_flight
early = [w for w in first["windows"] if w["startSeconds"] < 5 and w["requests"]]
print(f"\nphase 1, {p['first_rate']} pages/s from ready, a SIGKILL and a rollout: {first['requests']} pages, {first_failed} failed; "
      f"{lost_in_flight} of them in flight to the killed process when it died (a reset, which Istio does not retry by default); "
      f"p50 {first['latency']['p50Ms']:.1f} ms, p99 {first['latency']['p99Ms']:.1f} ms; "
      "p99 of the first 5 s, per second: " + ", ".join(f"{w['p99Ms']:.0f}" for w in early) + " ms")
# The same seconds as the ingress gateway timed them: from its first phase-1 request on, without the
# load generator's own first second (a fresh JVM whose first connections and sends are slow).
if ingress_phase1:
    t0 = min(t for t, _ in ingress_phase1)
    seconds = [sorted(ms for t, ms in ingress_phase1 if t0 + k <= t < t0 + k + 1) for k in range(5)]
    print("  as the ingress gateway timed them (its access log's duration), per second: " + ", ".join(
        f"p99 {s[max(0, -(-len(s) * 99 // 100) - 1)]} max {s[-1]}" for s in seconds if s) + " ms")

print(f"\nphase 3, {p['rate']} pages/s: {soak['requests']} pages, {soak_failed} failed; statuses {soak['statuses']}, errors {soak['errors']}")
print(f"{'window':>10} {'pages':>8} {'failed':>7} {'p50 ms':>8} {'p99 ms':>8}")
windows = [w for w in soak["windows"] if w["seconds"] > 0.5 * soak["windows"][0]["seconds"]]
for w in windows:
    print(f"{w['startSeconds']:>5.0f}-{w['startSeconds'] + w['seconds']:<4.0f} {w['requests']:>8} {w['errors']:>7} {w['p50Ms']:>8.2f} {w['p99Ms']:>8.2f}")
p99s = [w["p99Ms"] for w in windows if w["startSeconds"] >= warm] or [w["p99Ms"] for w in windows]
p99_median = statistics.median(p99s)
p99_worst = max(p99s) / p99_median if p99_median else float("inf")

def read_samples(path):
    """soak.sh's /proc samples, a line each: T NAME PID RSS_KB FDS; by name, [(t, pid, rss_kb, fds)]."""
    by_name = defaultdict(list)
    for line in path.read_text().splitlines() if path.exists() else []:
        t, name, pid, rss, fds = line.split()
        by_name[name].append((int(t), pid, int(rss), int(fds)))
    return by_name


samples = read_samples(out / "processes.txt")
# One more sample of each process, taken once the load had ended and the pools' idle timeouts had passed.
settled = {name: (rows[-1][1], rows[-1][3]) for name, rows in read_samples(out / "settled.txt").items()}
print(f"\nprocesses (RSS MB / open descriptors at each sample). From {warm} s on, RSS: the largest move from the first "
      f"sample; descriptors: {p.get('settle', 0)} s after the load ended against the fewest open at any sample under load "
      f"(and the fewest in the first and in the last third of the samples, for comparison)")
flat_rss, flat_fd, notes = True, True, []
for name in sorted(samples):
    rows = samples[name]
    print(f"  {name:<18} " + "  ".join(f"{t}s {rss / 1024:.0f}/{fds}" for t, _, rss, fds in rows))
    after = [r for r in rows if r[0] >= warm]
    if not after:
        continue
    pid0, rss0, fd0 = after[0][1], after[0][2], after[0][3]
    same = [r for r in after if r[1] == pid0]
    if len(same) < len(after):
        notes.append(f"{name} restarted after {warm} s: judged on its first process only")
    rss_move = max(abs(r[2] - rss0) for r in same) / rss0 * 100
    # Connections open and close with the load's concurrency, and a burst's close one idle timeout
    # later; a leak stays once the load has ended and they have all closed.
    third = max(1, len(same) // 3)
    floor0, floor1 = min(r[3] for r in same[:third]), min(r[3] for r in same[-third:])
    flat_rss &= rss_move <= rss_band
    # The process sampled after the load, against its own samples (a restarted one's are fewer).
    pid1, fds1 = settled.get(name, (None, None))
    own = [r for r in after if r[1] == pid1]
    if own:
        base = min(r[3] for r in own)
        fd_move = fds1 - base
        flat_fd &= fd_move <= fd_band
        fds = f"descriptors: fewest under load {base}, {fds1} after the load ({fd_move:+d}, band +{fd_band})"
    else:
        flat_fd = False
        fds = "descriptors: no sample after the load of a process sampled during it"
    print(f"  {'':<18} RSS moved at most {rss_move:.1f} % (band {rss_band:.0f} %); {fds}; "
          f"under load: floor {floor0} in the first third, {floor1} in the last, range {min(r[3] for r in same)}-{max(r[3] for r in same)}")
for note in notes:
    print("  note:", note)


def verdict(ok):
    return "met" if ok else "MISSED"


print(f"\nverdict: no failed page from ready, through a restart and a rollout, beyond those in flight to the killed process "
      f"({first_unexplained} of {first['requests']}) {verdict(first_unexplained == 0)}; "
      f"no failed page in the soak ({soak_failed} of {soak['requests']}) {verdict(soak_failed == 0)}; "
      f"RSS flat from {warm} s (±{rss_band:.0f} %) {verdict(flat_rss)}; no descriptor leaked (at most +{fd_band} after the load) {verdict(flat_fd)}; "
      f"p99 stable from {warm} s (worst window {p99_worst:.2f} x their median {p99_median:.1f} ms, band {p99_band}) {verdict(p99_worst <= p99_band)}")
