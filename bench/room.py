#!/usr/bin/env python3
"""Live-room benchmarks: hub fan-out (chat every 100 ms to 1k/5k/10k MessagePack WebSockets), flash sale
(5k buyers within 1 s at a quantity-100 sale) and sustained reservations/s. Starts a Release Relay per run,
drives it with bench/Relay.Bench (same machine: the load tool competes for the 2 cores, say so when quoting),
and measures Relay's process from /proc during the measured phase."""
import argparse, json, os, subprocess, sys, threading, time, signal
import fanout
from fanout import log, start, stop, stop_all, free_port, wait_port, measure

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "Relay.Bench", "bin", "Release", "net10.0", "Relay.Bench.dll")
# The sustained run has each guest buy the same sku again and again: lift the per-buyer caps so it measures
# reservations, not limit_exceeded answers.
ROOM_ARGS = ["--Relay:Chat:RateLimitMessages=1000", "--Relay:Chat:RateLimitWindowSeconds=1",
             "--Relay:Chat:MaxCallsPerSecond=10000", "--Relay:Hls:Enabled=false", "--Relay:Recording:Enabled=false",
             "--Relay:Commerce:MaxUnitsPerBuyerPerSale=1000000", "--Relay:Commerce:MaxUnitsPerBuyerPerSku=1000000",
             # Every simulated viewer connects from 127.0.0.1: lift the per-address load limits (docs/operations.md#load-limits)
             # explicitly rather than exempt loopback, so the run still goes through the rate limiter.
             "--Relay:Limits:HubConnectionsPerIp=50000", "--Relay:Limits:RestRequestsPerSecondPerIp=1000000",
             "--Relay:Limits:RestBurstPerIp=1000000"]


class Server:
    def __init__(self, extra=(), env=None):
        import tempfile, shutil
        self.dir = tempfile.mkdtemp(prefix="bench-room-")
        self.http = free_port(); rtmp = free_port()
        self.log = open(f"{self.dir}/relay.log", "w")
        self.proc = start(["dotnet", fanout.RELAY_DLL, "--urls", f"http://127.0.0.1:{self.http}", f"--Relay:DataDir={self.dir}",
                           f"--Relay:Ingest:RtmpPort={rtmp}", "--Logging:LogLevel:Default=Warning", *ROOM_ARGS, *extra],
                          stdout=self.log, stderr=subprocess.STDOUT, cwd=os.path.dirname(fanout.RELAY_DLL),
                          env={**os.environ, **(env or {})})
        wait_port(self.http, 60, self.proc)
        end = time.time() + 20
        while not os.path.exists(f"{self.dir}/admin-token") and time.time() < end: time.sleep(0.1)
        self.token = open(f"{self.dir}/admin-token").read().strip()
        self.base = f"http://127.0.0.1:{self.http}"

    def close(self):
        import shutil
        stop(self.proc, 15); self.log.close(); shutil.rmtree(self.dir, ignore_errors=True)


def machine_busy():
    """(busy, total) jiffies of all CPUs from /proc/stat: busy excludes idle and iowait."""
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return sum(f) - f[3] - f[4], sum(f)


def perf_stat(pid, window):
    """Instructions, cycles and context switches of `pid` over `window` s (`perf stat`): work per delivery that,
    unlike CPU %, does not depend on how much of the 2 cores other processes took meanwhile."""
    r = subprocess.run(["perf", "stat", "-x", ",", "-e", "instructions,cycles,context-switches", "-p", str(pid), "--", "sleep", str(window)],
                       capture_output=True, text=True)
    out = {}
    for line in r.stderr.splitlines():
        f = line.split(",")
        if len(f) > 2 and f[0].replace(".", "").isdigit(): out[f[2].split(":")[0]] = float(f[0])
    return out


PERF_STAT = False


def run_tool(server, mode, tool_args, marker, window, timeout, env=None):
    """Runs the load tool; measures Relay for `window` s from the moment the tool prints `marker`."""
    load_before = os.getloadavg()
    p = start(["dotnet", TOOL, mode, "--base", server.base, "--token", server.token, *tool_args],
              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
    meas = {}

    def watch():
        for line in p.stderr:
            sys.stderr.write("      " + line)
            if marker in line and not meas:
                meas["started"] = True
                meas["machine0"] = machine_busy()
                def server_window():
                    m = measure(server.proc.pid, window)
                    meas["machine1"] = machine_busy()
                    meas.update(m)
                threading.Thread(target=server_window, daemon=True).start()
                if PERF_STAT:
                    threading.Thread(target=lambda: meas.update(perf=perf_stat(server.proc.pid, window - 1)), daemon=True).start()
                    threading.Thread(target=lambda: meas.update(tool_perf=perf_stat(p.pid, window - 1)), daemon=True).start()
                threading.Thread(target=lambda: meas.update(tool=measure(p.pid, window)), daemon=True).start()
    t = threading.Thread(target=watch, daemon=True); t.start()
    outbuf = []
    t2 = threading.Thread(target=lambda: outbuf.append(p.stdout.read()), daemon=True); t2.start()
    try:
        p.wait(timeout)
    finally:
        stop(p)
    t.join(2); t2.join(2)
    out = outbuf[0] if outbuf else ""
    end = time.time() + window + 5
    while "cpu_s" not in meas and meas.get("started") and time.time() < end: time.sleep(0.2)
    res = json.loads(out.strip().splitlines()[-1]) if out.strip() else {"error": "no result"}
    res["server"] = {k: meas.get(k) for k in ("cpu_pct", "rss_mb", "pss_mb", "window_s")}
    res["load_tool"] = {k: meas.get("tool", {}).get(k) for k in ("cpu_pct", "rss_mb")}
    if "machine1" in meas:
        (b0, t0), (b1, t1) = meas["machine0"], meas["machine1"]
        # Whole machine, in % of one core (200 = both cores busy): what else ran besides the server and the tool.
        res["machine_cpu_pct"] = round(100 * os.cpu_count() * (b1 - b0) / max(1, t1 - t0), 1)
    if "perf" in meas: res["server"]["perf"] = meas["perf"]
    if "tool_perf" in meas: res["load_tool"]["perf"] = meas["tool_perf"]
    res["load_before"] = load_before
    res["load"] = os.getloadavg()
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hub-conns", default="1000,5000,10000")
    ap.add_argument("--hub-seconds", type=int, default=30)
    ap.add_argument("--hub-client", default="lean", help="receivers: lean (raw sockets, LeanHubClient.cs) or signalr (HubConnection each)")
    ap.add_argument("--hub-reps", type=int, default=1)
    ap.add_argument("--server-env", default="", help="KEY=VALUE,... for the Relay process (hub runs)")
    ap.add_argument("--tool-env", default="DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1",
                    help="KEY=VALUE,... for the load tool (hub runs); default: socket completions inline on the epoll thread")
    ap.add_argument("--sale-buyers", type=int, default=5000)
    ap.add_argument("--sale-warmup", type=int, default=1, help="rounds of not_on_sale purchases before the sale (0 = cold start)")
    ap.add_argument("--sustained-conns", type=int, default=200)
    ap.add_argument("--sustained-seconds", type=int, default=20)
    ap.add_argument("--only", default="hub,sale,sustained")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "room.json"))
    ap.add_argument("--perf-stat", action="store_true", help="hub: also count instructions/cycles/context switches (perf stat)")
    a = ap.parse_args()
    global PERF_STAT
    PERF_STAT = a.perf_stat
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = []

    def save(r):
        results.append(r); log("   result:", json.dumps(r))
        os.makedirs(os.path.dirname(a.out), exist_ok=True)
        json.dump(results, open(a.out, "w"), indent=1)
    try:
        only = a.only.split(",")
        if "hub" in only:
            def kv(text): return dict(x.split("=", 1) for x in text.split(",") if x)
            for rep in range(a.hub_reps):
                for n in [int(x) for x in a.hub_conns.split(",")]:
                    log(f"hub fan-out ({a.hub_client} receivers, rep {rep + 1}/{a.hub_reps}): {n} connections, "
                        f"a chat message every 100 ms for {a.hub_seconds} s; server env {a.server_env or '-'}")
                    s = Server(env=kv(a.server_env))
                    try:
                        r = run_tool(s, "hub", ["--conns", str(n), "--seconds", str(a.hub_seconds), "--interval-ms", "100",
                                                "--client", a.hub_client], "host sends", a.hub_seconds, 600, env=kv(a.tool_env))
                        r.update(server_env=a.server_env, tool_env=a.tool_env, rep=rep + 1)
                        save(r)
                    finally:
                        s.close()
        if "sale" in only:
            log(f"flash sale: {a.sale_buyers} buyers, quantity 100, within 1 s")
            s = Server()
            try:
                save(run_tool(s, "sale", ["--conns", str(a.sale_buyers), "--quantity", "100", "--spread-ms", "1000", "--warmup", str(a.sale_warmup)],
                              "buyers fire", 5, 600))
            finally:
                s.close()
        if "sustained" in only:
            log(f"sustained reservations: {a.sustained_conns} connections for {a.sustained_seconds} s (pinned product, unlimited stock)")
            s = Server()
            try:
                save(run_tool(s, "sustained", ["--conns", str(a.sustained_conns), "--seconds", str(a.sustained_seconds)],
                              "sustained purchases", a.sustained_seconds, 600))
            finally:
                s.close()
    finally:
        stop_all()


if __name__ == "__main__":
    main()
