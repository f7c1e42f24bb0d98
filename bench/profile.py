#!/usr/bin/env python3
"""Where Relay's fan-out CPU goes: Relay at N destinations (HLS/recording off) under `perf record` with
DOTNET_PerfMapEnabled=1 (JIT symbols), top symbols by self time for the dotnet process."""
import os, subprocess, sys, time, argparse
import fanout
from fanout import Sink, Relay, stop_all

ap = argparse.ArgumentParser(); ap.add_argument("--n", type=int, default=10); ap.add_argument("--seconds", type=int, default=15)
a = ap.parse_args()
os.environ["DOTNET_PerfMapEnabled"] = "1"
clip = fanout.clip_path(); sink = Sink(); sut = None
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
try:
    sut = Relay(a.n, sink, clip, ["--Relay:Hls:Enabled=false", "--Relay:Recording:Enabled=false"])
    time.sleep(12)
    data = f"/tmp/bench-perf-{os.getpid()}.data"
    subprocess.run(["perf", "record", "-q", "-F", "499", "-g", "-o", data, "-p", str(sut.proc.pid), "--", "sleep", str(a.seconds)], check=True)
    rep = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "dso,symbol", "--stdio", "-g", "none", "--percent-limit", "0.7"],
                         capture_output=True, text=True).stdout
    lines = [l for l in rep.splitlines() if l.strip() and not l.startswith("#")]
    open(os.path.join(out, "profile.txt"), "w").write("\n".join(lines[:60]) + "\n")
    print("\n".join(lines[:45]))
    os.remove(data)
finally:
    if sut: sut.close()
    sink.close(); stop_all()
