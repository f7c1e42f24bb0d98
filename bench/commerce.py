#!/usr/bin/env python3
"""Sustained reservations/s on PostgreSQL and on SQLite in the same run (issue 14 item 7).

Each repetition runs Relay twice, in alternating order: the embedded default (SQLite, WAL, synchronous=NORMAL) and a
node of a cluster (PostgreSQL with fsync on and synchronous_commit on, plus the Redis the cluster needs). The load is
bench/Relay.Bench `sustained` (the same as room.py's): N guest connections buy the pinned product (unlimited stock) in
a closed loop for S seconds, every purchase with a new idempotency key, so each one is a reservation written and
committed (group commit) before it is answered; the outbox then delivers every order to the built-in order API, whose
accepts and confirmations are written to the same engine. Relay, PostgreSQL and the load tool share this machine's
cores: the CPU of each is recorded, and the medians of the repetitions are what docs quote.
"""
import argparse, json, os, resource, shutil, signal, statistics, subprocess, sys, tempfile, time
import fanout, room
from fanout import log, start, stop, stop_all, free_port, wait_port, measure

HERE = os.path.dirname(os.path.abspath(__file__))
LEDGER_TOOL = os.path.join(HERE, "Relay.LedgerBench", "bin", "Release", "net10.0", "Relay.LedgerBench.dll")


def pg_bin():
    root = "/usr/lib/postgresql"
    for v in sorted(os.listdir(root), reverse=True):
        if os.path.exists(f"{root}/{v}/bin/postgres"): return f"{root}/{v}/bin"
    raise SystemExit("postgresql is not installed (apt-get install postgresql)")


def as_postgres(args):
    return ["setpriv", "--reuid", "postgres", "--regid", "postgres", "--init-groups", "--", *args] if os.geteuid() == 0 else args


class Postgres:
    """A throwaway PostgreSQL with its defaults for durability: fsync on, synchronous_commit on, full_page_writes on."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="bench-pg-")
        if os.geteuid() == 0: shutil.chown(self.dir, "postgres", "postgres")
        self.port = free_port()
        b = pg_bin()
        subprocess.run(as_postgres([f"{b}/initdb", "-D", f"{self.dir}/data", "-U", "relay", "--auth=trust", "-E", "UTF8", "--locale=C"]),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.log = open(f"{self.dir}/postgres.log", "w")
        self.proc = start(as_postgres([f"{b}/postgres", "-D", f"{self.dir}/data", "-p", str(self.port), "-h", "127.0.0.1", "-k", self.dir,
                                       "-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "max_connections=300",
                                       "-c", "shared_buffers=128MB"]), stdout=self.log, stderr=subprocess.STDOUT)
        wait_port(self.port, 30, self.proc)
        end = time.time() + 30
        while subprocess.run([f"{b}/pg_isready", "-h", "127.0.0.1", "-p", str(self.port)], stdout=subprocess.DEVNULL).returncode != 0:
            if time.time() > end: raise TimeoutError("postgres not ready")
            time.sleep(0.2)
        self.db = 0

    def fresh_database(self):
        self.db += 1
        name = f"relay{self.db}"
        subprocess.run([f"{pg_bin()}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "relay", name], check=True)
        return f"Host=127.0.0.1;Port={self.port};Username=relay;Database={name}"

    def fsync_check(self):
        out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "relay", "-d", "postgres", "-Atc",
                              "SELECT name || '=' || setting FROM pg_settings WHERE name IN ('fsync','synchronous_commit','full_page_writes')"],
                             capture_output=True, text=True).stdout.split()
        return dict(x.split("=", 1) for x in out)

    def close(self):
        stop(self.proc, 10); self.log.close(); shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    def __init__(self):
        self.port = free_port()
        self.proc = start(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        wait_port(self.port, 20, self.proc)

    def close(self):
        stop(self.proc)


def pg_cpu_ticks(pg):
    """utime+stime of the postmaster and its live backends, plus cutime+cstime (the backends it already reaped)."""
    total = 0
    for p in fanout.tree(pg.proc.pid):
        total += fanout.cpu_ticks(p) or 0
    try:
        with open(f"/proc/{pg.proc.pid}/stat") as f: st = f.read()
        fields = st[st.rindex(")") + 2:].split()
        total += int(fields[13]) + int(fields[14])
    except OSError:
        pass
    return total


def run(engine, pg, redis, conns, seconds):
    extra = []
    if engine == "postgres":
        extra = [f"--Relay:Postgres:ConnectionString={pg.fresh_database()}", f"--Relay:Redis:Configuration=127.0.0.1:{redis.port}",
                 "--Relay:Node:Id=bench-a"]
    s = room.Server(extra=extra)
    try:
        # PostgreSQL's CPU is not in Relay's process tree: its backends' CPU over the whole run (connections, warm-up
        # and the measured window), from the same counters.
        before = pg_cpu_ticks(pg)
        t0 = time.time()
        r = room.run_tool(s, "sustained", ["--conns", str(conns), "--seconds", str(seconds)], "sustained purchases", seconds, 600)
        r["engine"] = engine
        if engine == "postgres":
            r["postgres_cpu_s"] = round((pg_cpu_ticks(pg) - before) / fanout.TICK, 2)
            r["postgres_run_s"] = round(time.time() - t0, 1)
        return r
    finally:
        s.close()


def run_ledger(engine, pg, buyers, seconds):
    """The ledger alone (bench/Relay.LedgerBench): no hub, no HTTP, no order delivery; the engine and the group commit."""
    tmp = tempfile.mkdtemp(prefix="bench-ledger-")
    try:
        conn = pg.fresh_database() if engine == "postgres" else f"Data Source={tmp}/relay.db"
        before = pg_cpu_ticks(pg)
        tool0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.time()
        p = subprocess.run(["dotnet", LEDGER_TOOL, "--engine", engine, "--connection", conn, "--seconds", str(seconds), "--buyers", str(buyers)],
                           capture_output=True, text=True, timeout=300)
        r = json.loads(p.stdout.strip().splitlines()[-1]) if p.stdout.strip() else {"error": p.stderr[-2000:]}
        r["mode"] = "ledger"
        tool1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        # The tool's whole run (start, 2 s warm-up, the measured window) and the database's over the same time.
        r["run_s"] = round(time.time() - t0, 1)
        r["tool_cpu_s"] = round(tool1.ru_utime + tool1.ru_stime - tool0.ru_utime - tool0.ru_stime, 2)
        if engine == "postgres":
            r["postgres_cpu_s"] = round((pg_cpu_ticks(pg) - before) / fanout.TICK, 2)
        return r
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--conns", type=int, default=200)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--ledger-buyers", type=int, default=512)
    ap.add_argument("--ledger-seconds", type=int, default=10)
    ap.add_argument("--only", default="ledger,hub", help="ledger (the store alone), hub (end to end through the hub)")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "commerce-i14.json"))
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = []
    pg = redis = None
    try:
        pg, redis = Postgres(), Redis()
        settings = pg.fsync_check()
        log("postgres:", settings)
        for rep in range(a.reps):
            order = ["sqlite", "postgres"] if rep % 2 == 0 else ["postgres", "sqlite"]
            for mode in a.only.split(","):
                for engine in order:
                    if mode == "ledger":
                        log(f"rep {rep + 1}/{a.reps}: ledger alone on {engine}, {a.ledger_buyers} buyers, {a.ledger_seconds} s")
                        r = run_ledger(engine, pg, a.ledger_buyers, a.ledger_seconds)
                    else:
                        log(f"rep {rep + 1}/{a.reps}: hub on {engine}, {a.conns} connections, {a.seconds} s")
                        r = run(engine, pg, redis, a.conns, a.seconds)
                        r["mode"] = "hub"
                    r.update(rep=rep + 1, engine=engine, postgres_settings=settings)
                    results.append(r)
                    log("   result:", json.dumps({k: r.get(k) for k in ("mode", "engine", "reservationsPerSecond", "p50Ms", "p99Ms", "statuses", "server", "machine_cpu_pct", "postgres_cpu_s", "tool_cpu_s", "run_s", "error")}))
                    os.makedirs(os.path.dirname(a.out), exist_ok=True)
                    json.dump(results, open(a.out, "w"), indent=1)
        summary = {}
        for mode in a.only.split(","):
            for engine in ("sqlite", "postgres"):
                runs = [r for r in results if r.get("mode") == mode and r["engine"] == engine and "reservationsPerSecond" in r]
                if runs:
                    rates = [r["reservationsPerSecond"] for r in runs]
                    summary[f"{mode}/{engine}"] = {"median": round(statistics.median(rates)), "min": round(min(rates)), "max": round(max(rates)),
                                                   "p99_ms_median": statistics.median([r["p99Ms"] for r in runs]), "runs": len(runs)}
            if f"{mode}/sqlite" in summary and f"{mode}/postgres" in summary:
                summary[f"{mode}/postgres_over_sqlite"] = round(summary[f"{mode}/postgres"]["median"] / summary[f"{mode}/sqlite"]["median"], 2)
        results.append({"summary": summary})
        json.dump(results, open(a.out, "w"), indent=1)
        log("summary:", json.dumps(summary))
    finally:
        for x in (redis, pg):
            if x is not None: x.close()
        stop_all()


if __name__ == "__main__":
    main()
