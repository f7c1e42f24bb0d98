#!/usr/bin/env python3
"""Per-thread CPU ticks and voluntary context switches (wake-ups) of one process over a window, from /proc.
Usage: python3 bench/threads.py PID [SECONDS]"""
import os, sys, time

pid = sys.argv[1]; window = float(sys.argv[2]) if len(sys.argv) > 2 else 30
tick = os.sysconf("SC_CLK_TCK")


def snap():
    r = {}
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            s = open(f"/proc/{pid}/task/{t}/stat").read(); f = s[s.rindex(")") + 2:].split()
            st = open(f"/proc/{pid}/task/{t}/status").read()
            v = int([l for l in st.splitlines() if l.startswith("voluntary_ctxt")][0].split()[1])
            r[t] = (int(f[11]) + int(f[12]), v, open(f"/proc/{pid}/task/{t}/comm").read().strip())
        except (OSError, IndexError):
            pass
    return r


a = snap(); time.sleep(window); b = snap()
total = wakeups = 0
for t, (c, v, n) in sorted(b.items(), key=lambda x: -(x[1][0] - a.get(x[0], (0, 0, ""))[0])):
    c0, v0, _ = a.get(t, (0, 0, "")); total += c - c0; wakeups += v - v0
    if c - c0 or v - v0: print(f"{n:20s} ticks {c - c0:4d} wakeups/s {(v - v0) / window:7.1f}")
print(f"total: {100 * total / tick / window:.2f} % of a core, {wakeups / window:.1f} wake-ups/s")
