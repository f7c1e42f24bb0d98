#!/usr/bin/env python3
"""Live-room benchmarks: hub fan-out (chat every 100 ms to 1k/5k/10k MessagePack WebSockets), flash sale
(5k buyers within 1 s at a quantity-100 sale), coupon claims (5k viewers within 1 s at a coupon of 100) and sustained
reservations/s. Starts Relay per run, drives it with
bench/Relay.Bench (same machine: the load tool competes for the 2 cores, say so when quoting), and measures Relay's
processes from /proc during the measured phase.

Topologies (--topologies, each step runs once per topology, interleaved, so they share the machine's state):
  sqlite    one process on the embedded store (the default install)
  cluster2  two nodes on one real PostgreSQL (fsync on) + one Redis, the load spread over both nodes round robin
            (the engines' CPU is reported separately: `engines`)
Relay is the native executable (what ./run.sh runs, out/native/Relay.Server; --relay jit for the JIT build)."""
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


NATIVE = os.path.join(fanout.ROOT, "out", "native", "Relay.Server")
RELAY = "native"
ADMIN_TOKEN = "bench-admin-token-0123456789abcdef"


def relay_command():
    if RELAY == "native":
        return [NATIVE], os.path.dirname(NATIVE)
    return ["dotnet", fanout.RELAY_DLL], os.path.dirname(fanout.RELAY_DLL)


class Node:
    """One Relay process on its own ports and data folder."""

    def __init__(self, extra=(), env=None, name="relay"):
        import tempfile
        self.dir = tempfile.mkdtemp(prefix=f"bench-room-{name}-")
        self.http = free_port(); rtmp = free_port()
        self.log = open(f"{self.dir}/relay.log", "w")
        cmd, cwd = relay_command()
        self.proc = start([*cmd, "--urls", f"http://127.0.0.1:{self.http}", f"--Relay:DataDir={self.dir}",
                           f"--Relay:Ingest:RtmpPort={rtmp}", "--Logging:LogLevel:Default=Warning", f"--Relay:Auth:AdminToken={ADMIN_TOKEN}",
                           *ROOM_ARGS, *extra],
                          stdout=self.log, stderr=subprocess.STDOUT, cwd=cwd, env={**os.environ, **(env or {})})
        wait_port(self.http, 90, self.proc)
        self.base = f"http://127.0.0.1:{self.http}"
        wait_ready(self.base, self.proc)

    def close(self):
        import shutil
        stop(self.proc, 15); self.log.close(); shutil.rmtree(self.dir, ignore_errors=True)


def wait_ready(base, proc, timeout=90):
    import urllib.request
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None: raise RuntimeError(f"relay exited ({proc.returncode})")
        try:
            if urllib.request.urlopen(f"{base}/readyz", timeout=2).status == 200: return
        except Exception:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{base} not ready")


class Server:
    """The embedded default: one process, SQLite."""
    topology = "sqlite"

    def __init__(self, env=None):
        self.nodes = [Node(env=env)]
        self.token = ADMIN_TOKEN
        self.base = self.nodes[0].base
        self.bases = [self.base]
        self.engines = []

    @property
    def pids(self): return [n.proc.pid for n in self.nodes]

    def close(self):
        for n in self.nodes: n.close()


class Engines:
    """A real PostgreSQL (fsync on, as in production) and a Redis on free loopback ports, data in a temp folder."""

    def __init__(self):
        import tempfile, glob, pwd
        self.dir = tempfile.mkdtemp(prefix="bench-engines-")
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bins: raise RuntimeError("postgresql is not installed (apt-get install postgresql redis-server)")
        pg = bins[-1]
        as_pg = ["setpriv", "--reuid", "postgres", "--regid", "postgres", "--init-groups", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            subprocess.run(["chown", "postgres:postgres", self.dir], check=True)
        subprocess.run([*as_pg, f"{pg}/initdb", "-D", f"{self.dir}/pg", "-U", "relay", "--auth=trust", "-E", "UTF8", "--locale=C"],
                       check=True, stdout=subprocess.DEVNULL)
        self.pg_port = free_port(); self.redis_port = free_port()
        self.pg = start([*as_pg, f"{pg}/postgres", "-D", f"{self.dir}/pg", "-p", str(self.pg_port), "-h", "127.0.0.1", "-k", self.dir,
                         "-c", "fsync=on", "-c", "max_connections=300", "-c", "shared_buffers=128MB",
                         # BENCH_PG_STATS=1: which statements take PostgreSQL's time (printed when the engines stop).
                         *(["-c", "shared_preload_libraries=pg_stat_statements"] if os.environ.get("BENCH_PG_STATS") else [])],
                        stderr=subprocess.DEVNULL)
        self.redis = start(["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                            "--dir", self.dir, "--protected-mode", "no"])
        wait_port(self.pg_port, 30, self.pg); wait_port(self.redis_port, 10, self.redis)
        end = time.time() + 30
        while subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "relay", "-d", "postgres", "-c", "CREATE DATABASE relay"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
            if time.time() > end: raise RuntimeError("postgres did not accept connections")
            time.sleep(0.3)
        self.connection_string = f"Host=127.0.0.1;Port={self.pg_port};Username=relay;Database=relay;Maximum Pool Size=100"
        self.redis_configuration = f"127.0.0.1:{self.redis_port}"

    @property
    def pids(self): return [self.pg.pid, self.redis.pid]

    def close(self):
        import shutil
        if os.environ.get("BENCH_PG_STATS"):
            sql = ("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT calls, round(total_exec_time::numeric, 0) AS ms, "
                   "round((total_exec_time / calls)::numeric, 3) AS ms_per_call, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) "
                   "FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 20;")
            r = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "relay", "-d", "relay", "-c", sql],
                               capture_output=True, text=True)
            print("pg_stat_statements (top 20 by time):\n" + r.stdout + r.stderr, file=sys.stderr, flush=True)
        stop(self.redis, 5); stop(self.pg, 15); shutil.rmtree(self.dir, ignore_errors=True)


class Cluster:
    """Two (or more) nodes on one PostgreSQL and one Redis; load spread over the nodes."""

    def __init__(self, nodes=2, env=None):
        self.topology = f"cluster{nodes}"
        self.engines_ = Engines()
        self.nodes = []
        try:
            for i in range(nodes):
                self.nodes.append(Node(extra=[f"--Relay:Postgres:ConnectionString={self.engines_.connection_string}",
                                              f"--Relay:Redis:Configuration={self.engines_.redis_configuration}",
                                              f"--Relay:Node:Id=bench-{chr(97 + i)}"], env=env, name=f"node{i}"))
        except Exception:
            self.close(); raise
        self.token = ADMIN_TOKEN
        self.base = self.nodes[0].base
        self.bases = [n.base for n in self.nodes]

    @property
    def pids(self): return [n.proc.pid for n in self.nodes]

    @property
    def engines(self): return self.engines_.pids

    def close(self):
        for n in self.nodes: n.close()
        self.engines_.close()


def topology(name, env=None):
    if name == "sqlite": return Server(env=env)
    if name.startswith("cluster"): return Cluster(int(name[len("cluster"):] or 2), env=env)
    raise ValueError(f"unknown topology {name}")


def rss_kb(pids):
    return sum(fanout.mem(p)["Rss"] for pid in pids for p in fanout.tree(pid))


def measure_all(pids, window):
    """`measure` over several process trees at once, summed (CPU seconds, peak RSS/PSS); each tree's own figures kept."""
    parts = {}
    threads_ = [threading.Thread(target=lambda p=p: parts.__setitem__(p, measure(p, window)), daemon=True) for p in pids]
    for t in threads_: t.start()
    for t in threads_: t.join(window + 30)
    ms = [parts[p] for p in pids if p in parts]
    if not ms: return {}
    return {"cpu_s": sum(m["cpu_s"] for m in ms), "window_s": max(m["window_s"] for m in ms),
            "cpu_pct": sum(m["cpu_pct"] for m in ms), "rss_mb": sum(m["rss_mb"] for m in ms), "pss_mb": sum(m["pss_mb"] for m in ms),
            "per_node": [{k: round(m[k], 2) for k in ("cpu_pct", "rss_mb", "pss_mb")} for m in ms]}


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
    rss_before_kb = rss_kb(server.pids)
    p = start(["dotnet", TOOL, mode, "--base", ",".join(server.bases), "--token", server.token, *tool_args],
              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
    meas = {}

    def watch():
        for line in p.stderr:
            sys.stderr.write("      " + line)
            if marker in line and not meas:
                meas["started"] = True
                meas["machine0"] = machine_busy()
                def server_window():
                    m = measure_all(server.pids, window)
                    meas["machine1"] = machine_busy()
                    meas.update(m)
                threading.Thread(target=server_window, daemon=True).start()
                if getattr(server, "engines", None):
                    threading.Thread(target=lambda: meas.update(engines=measure_all(server.engines, window)), daemon=True).start()
                if PERF_STAT:
                    threading.Thread(target=lambda: meas.update(perf=perf_stat(server.pids[0], window - 1)), daemon=True).start()
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
    res["topology"] = server.topology
    res["relay"] = RELAY
    res["server"] = {k: meas.get(k) for k in ("cpu_pct", "rss_mb", "pss_mb", "window_s", "per_node", "cpu_s")}
    res["server"]["rss_before_mb"] = round(rss_before_kb / 1024, 1)
    if meas.get("engines"):
        res["engines"] = {k: meas["engines"].get(k) for k in ("cpu_pct", "rss_mb")}
    if res.get("mode") == "hub" and meas.get("cpu_s") and res.get("delivered"):
        # Memory a connection costs the server(s): RSS while the connections are open minus RSS before they connected.
        res["kb_per_connection"] = round((meas["rss_mb"] * 1024 - rss_before_kb) / max(1, res["conns"]), 1)
        # Server CPU per delivery over the measured window (deliveries/s x window = deliveries in the window).
        res["us_per_delivery"] = round(meas["cpu_s"] * 1e6 / max(1, res["deliveriesPerSecond"] * meas["window_s"]), 2)
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
    ap.add_argument("--coupon-viewers", type=int, default=5000)
    ap.add_argument("--only", default="hub,sale,sustained,coupon")
    ap.add_argument("--topologies", default="sqlite", help="comma list: sqlite, cluster2 (see the module doc)")
    ap.add_argument("--relay", default="native", choices=["native", "jit"], help="native executable (./run.sh) or the JIT build")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "room.json"))
    ap.add_argument("--perf-stat", action="store_true", help="hub: also count instructions/cycles/context switches (perf stat)")
    a = ap.parse_args()
    global PERF_STAT, RELAY
    PERF_STAT = a.perf_stat
    RELAY = a.relay
    tops = a.topologies.split(",")
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
                for n, top in [(int(x), t) for x in a.hub_conns.split(",") for t in tops]:
                    log(f"hub fan-out ({a.hub_client} receivers, rep {rep + 1}/{a.hub_reps}, {top}): {n} connections, "
                        f"a chat message every 100 ms for {a.hub_seconds} s; server env {a.server_env or '-'}")
                    s = topology(top, env=kv(a.server_env))
                    try:
                        r = run_tool(s, "hub", ["--conns", str(n), "--seconds", str(a.hub_seconds), "--interval-ms", "100",
                                                "--client", a.hub_client], "host sends", a.hub_seconds, 600, env=kv(a.tool_env))
                        r.update(server_env=a.server_env, tool_env=a.tool_env, rep=rep + 1)
                        save(r)
                    finally:
                        s.close()
        if "sale" in only:
            for top in tops:
                log(f"flash sale ({top}): {a.sale_buyers} buyers, quantity 100, within 1 s")
                s = topology(top)
                try:
                    save(run_tool(s, "sale", ["--conns", str(a.sale_buyers), "--quantity", "100", "--spread-ms", "1000", "--warmup", str(a.sale_warmup)],
                                  "buyers fire", 5, 600))
                finally:
                    s.close()
        if "coupon" in only:
            for top in tops:
                log(f"coupon claims ({top}): {a.coupon_viewers} viewers claim a coupon of 100 within 1 s")
                s = topology(top)
                try:
                    save(run_tool(s, "coupon", ["--conns", str(a.coupon_viewers), "--quantity", "100", "--spread-ms", "1000"],
                                  "viewers claim", 5, 600))
                finally:
                    s.close()
        if "sustained" in only:
            for top in tops:
                log(f"sustained reservations ({top}): {a.sustained_conns} connections for {a.sustained_seconds} s (pinned product, unlimited stock)")
                s = topology(top)
                try:
                    save(run_tool(s, "sustained", ["--conns", str(a.sustained_conns), "--seconds", str(a.sustained_seconds)],
                                  "sustained purchases", a.sustained_seconds, 600))
                finally:
                    s.close()
    finally:
        stop_all()


if __name__ == "__main__":
    main()
