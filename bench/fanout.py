#!/usr/bin/env python3
"""Fan-out benchmark: Relay vs nginx-rtmp push vs node-media-server push relay, interleaved in one run.

Measures the process tree of the system under test (Relay = dotnet + its ffmpeg ingest child; nginx
master_process off = one process; node-media-server = one node process) over a fixed window:
CPU seconds from /proc/PID/stat (utime+stime), peak RSS and PSS (sum over the tree, /proc/PID/smaps_rollup,
sampled every second). The publisher (ffmpeg -re -stream_loop -1 -c copy) and the sink (one nginx-rtmp with
N stream names) are started by this script and are not counted. Each sink stream's input bandwidth is read
from the sink's rtmp_stat at the end so a run that did not deliver to all N sinks is flagged.
"""
import argparse, json, os, re, shutil, signal, socket, statistics, subprocess, sys, tempfile, time, urllib.request
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CACHE = os.path.join(HERE, ".cache")
RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
NMS = os.path.join(ROOT, "Relay.Tests", "Common", "Peers", "node", "node_modules", "node-media-server", "bin", "app.js")
RELAY_DLL = os.path.join(ROOT, "Relay.Server", "bin", "Release", "net10.0", "Relay.Server.dll")
TICK = os.sysconf("SC_CLK_TCK")
PROCS = []  # every process we start, stopped at exit


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def wait_port(port, timeout=20, proc=None):
    end = time.time() + timeout
    while time.time() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited ({proc.returncode}) before listening on {port}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close(); return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"port {port} not listening")


def start(args, **kw):
    kw.setdefault("stdout", subprocess.DEVNULL); kw.setdefault("stderr", subprocess.DEVNULL)
    p = subprocess.Popen(args, start_new_session=True, **kw)
    PROCS.append(p)
    return p


def stop(p, timeout=5):
    if p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            try: os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError: pass
            p.wait()
    if p in PROCS: PROCS.remove(p)


def stop_all(*_):
    for p in list(PROCS):
        stop(p, 3)


def clip_path():
    os.makedirs(CACHE, exist_ok=True)
    path = os.path.join(CACHE, "clip-720p30.flv")
    if not os.path.exists(path):
        log("generating the 720p30 ~3.7 Mbps H.264/AAC clip (once, cached in bench/.cache)")
        tmp = path + ".tmp.flv"
        subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                        "-f", "lavfi", "-i", "testsrc2=s=1280x720:r=30,noise=alls=12:allf=t",
                        "-f", "lavfi", "-i", "sine=f=440:r=48000",
                        "-t", "20", "-c:v", "libx264", "-preset", "veryfast", "-b:v", "3550k", "-maxrate", "3550k",
                        "-bufsize", "3550k", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-pix_fmt", "yuv420p",
                        "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-f", "flv", tmp], check=True)
        os.rename(tmp, path)
    return path


# ---------------------------------------------------------------- /proc measurement
def children_map():
    m = {}
    for d in os.listdir("/proc"):
        if not d.isdigit(): continue
        try:
            with open(f"/proc/{d}/stat") as f: s = f.read()
        except OSError:
            continue
        ppid = int(s[s.rindex(")") + 2:].split()[1])
        m.setdefault(ppid, []).append(int(d))
    return m


def tree(root):
    m = children_map(); out = [root]; i = 0
    while i < len(out):
        out += m.get(out[i], []); i += 1
    return out


def cpu_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f: s = f.read()
        fields = s[s.rindex(")") + 2:].split()
        return int(fields[11]) + int(fields[12])  # utime, stime
    except OSError:
        return None


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f: return f.read().strip()
    except OSError:
        return "?"


def mem(pid):
    r = {"Rss": 0, "Pss": 0}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                k = line.split(":")[0]
                if k in r: r[k] = int(line.split()[1])
    except OSError:
        pass
    return r


def uss(pid):
    """Private (unshared) kB: unlike PSS it does not depend on how many other processes map the same files."""
    r = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:")): r += int(line.split()[1])
    except OSError:
        pass
    return r


def smaps_breakdown(pid):
    """PSS and RSS kB of one process by what is mapped: JIT code and runtime data (the W^X double mapping), GC heap
    and other anonymous memory, native malloc, the runtime's native libraries, framework and app assemblies."""
    out = {}; name = None
    def cat(n):
        if n is None or n == "[anon]": return "anonymous (GC heap, stacks, runtime data)"
        if "doublemapper" in n: return "JIT code + runtime data (W^X double mapping)"
        if n == "[heap]": return "native malloc heap"
        if n.startswith("[stack"): return "stacks"
        if "/Microsoft.NETCore.App/" in n and n.endswith(".so"): return "runtime native (.so)"
        if "/Microsoft.NETCore.App/" in n: return "BCL assemblies"
        if "/Microsoft.AspNetCore.App/" in n: return "ASP.NET Core assemblies"
        if "sqlite" in n.lower(): return "SQLite"
        if n.endswith(".dll") or n.endswith(".r2r.dll") or n.endswith(".r2r"): return "app + package assemblies"
        if n.endswith(".so") or ".so." in n: return "other native libraries"
        return "other: " + os.path.basename(n)
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                    parts = line.split(None, 5); name = parts[5].strip() if len(parts) > 5 else "[anon]"
                elif line.startswith(("Rss:", "Pss:")):
                    c = out.setdefault(cat(name), {"rss_kb": 0, "pss_kb": 0})
                    c["rss_kb" if line[0] == "R" else "pss_kb"] += int(line.split()[1])
    except OSError:
        pass
    return dict(sorted(out.items(), key=lambda kv: -kv[1]["pss_kb"]))


def smaps_files(pid, top=30):
    """RSS kB per mapped file (anonymous and JIT mappings under their bracket names), largest first: which
    assemblies and libraries a process actually touched."""
    out = {}; name = None
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                    parts = line.split(None, 5); name = os.path.basename(parts[5].strip()) if len(parts) > 5 else "[anon]"
                elif line.startswith("Rss:"):
                    out[name] = out.get(name, 0) + int(line.split()[1])
    except OSError:
        pass
    return dict(sorted(out.items(), key=lambda kv: -kv[1])[:top])


def measure(root, window):
    """CPU seconds of the tree over `window` s, peak summed RSS/PSS/USS (MB), per-process breakdown."""
    t0 = {p: cpu_ticks(p) for p in tree(root)}
    start_t = time.time(); peak_rss = peak_pss = peak_uss = 0; per = {}
    while time.time() - start_t < window:
        rss = pss = us = 0
        for p in tree(root):
            m = mem(p); rss += m["Rss"]; pss += m["Pss"]; us += uss(p)
            per.setdefault(p, {"comm": comm(p), "rss": 0, "pss": 0})
            per[p]["rss"] = max(per[p]["rss"], m["Rss"]); per[p]["pss"] = max(per[p]["pss"], m["Pss"])
        peak_rss = max(peak_rss, rss); peak_pss = max(peak_pss, pss); peak_uss = max(peak_uss, us)
        time.sleep(max(0, 1 - ((time.time() - start_t) % 1)))
    elapsed = time.time() - start_t
    total = 0
    for p in tree(root):
        t1 = cpu_ticks(p)
        if t1 is None: continue
        d = t1 - (t0.get(p) or 0); total += d
        per.setdefault(p, {"comm": comm(p), "rss": 0, "pss": 0})["cpu_s"] = round(d / TICK, 2)
    return {"cpu_s": total / TICK, "window_s": elapsed, "cpu_pct": 100 * total / TICK / elapsed,
            "rss_mb": peak_rss / 1024, "pss_mb": peak_pss / 1024, "uss_mb": peak_uss / 1024,
            "threads": threads(root), "smaps": smaps_breakdown(root), "files_rss_kb": smaps_files(root),
            "procs": [{"pid": k, **v} for k, v in per.items()]}


def threads(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


# ---------------------------------------------------------------- sink
class Sink:
    """One nginx-rtmp instance, app `live`, N stream names; rtmp_stat on an HTTP port for verification."""

    def __init__(self, record_app=False):
        self.dir = tempfile.mkdtemp(prefix="bench-sink-")
        self.port = free_port(); self.http = free_port()
        os.makedirs(f"{self.dir}/logs"); os.makedirs(f"{self.dir}/rec")
        rec = f"application rec {{ live on; record all; record_path {self.dir}/rec; record_unique off; }}" if record_app else ""
        conf = f"""load_module {RTMP_MODULE};
master_process off; daemon off; pid {self.dir}/nginx.pid; error_log {self.dir}/logs/error.log warn;
events {{ worker_connections 1024; }}
rtmp {{ server {{ listen 127.0.0.1:{self.port}; chunk_size 4096;
  application live {{ live on; record off; }} {rec} }} }}
http {{ access_log off; server {{ listen 127.0.0.1:{self.http}; location /stat {{ rtmp_stat all; }} }} }}
"""
        with open(f"{self.dir}/nginx.conf", "w") as f: f.write(conf)
        self.proc = start(["nginx", "-p", self.dir, "-c", f"{self.dir}/nginx.conf", "-e", f"{self.dir}/logs/error.log"])
        wait_port(self.port, proc=self.proc); wait_port(self.http, proc=self.proc)

    def streams(self):
        """{name: bw_in kbit/s} for app live."""
        try:
            x = ET.fromstring(urllib.request.urlopen(f"http://127.0.0.1:{self.http}/stat", timeout=3).read())
        except Exception:
            return {}
        out = {}
        for app in x.iter("application"):
            if app.findtext("name") != "live": continue
            for s in app.iter("stream"):
                ms = int(s.findtext("time") or 0)
                out[s.findtext("name")] = int(s.findtext("bytes_in") or 0) * 8 / ms if ms > 0 else 0  # kbit/s
        return out

    def close(self):
        stop(self.proc); shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------- systems under test
def http_json(method, url, body=None, token=None):
    req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    if token: req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=10) as r:
        data = r.read()
        return json.loads(data) if data else None


def publisher(clip, url):
    return start(["ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", clip,
                  "-c", "copy", "-f", "flv", url])


class Relay:
    name = "relay"

    def __init__(self, n, sink, clip, extra=(), env=None, channels=1, build=None):
        self.dir = tempfile.mkdtemp(prefix="bench-relay-")
        self.http = free_port(); self.rtmp = free_port()
        dll = os.path.join(build, "Relay.Server.dll") if build else RELAY_DLL
        exe = os.path.join(build, "Relay.Server") if build else None
        # A self-contained or NativeAOT build runs its own host; a framework-dependent one runs under `dotnet`.
        own_host = exe is not None and os.path.exists(exe) and (
            not os.path.exists(dll) or os.path.exists(os.path.join(build, "libcoreclr.so")))
        host = [exe] if own_host else ["dotnet", dll]
        args = [*host, "--urls", f"http://127.0.0.1:{self.http}", f"--Relay:DataDir={self.dir}",
                f"--Relay:Ingest:RtmpPort={self.rtmp}", *extra]
        self.log = open(f"{self.dir}/relay.log", "w")
        self.proc = start(args, stdout=self.log, stderr=subprocess.STDOUT, cwd=build or os.path.dirname(RELAY_DLL),
                          env={**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1", **(env or {})})
        wait_port(self.http, 60, self.proc); wait_port(self.rtmp, 30, self.proc)
        end = time.time() + 20
        while not os.path.exists(f"{self.dir}/admin-token") and time.time() < end: time.sleep(0.1)
        self.token = open(f"{self.dir}/admin-token").read().strip()
        self.api = f"http://127.0.0.1:{self.http}/api/v1"
        key = http_json("GET", f"{self.api}/channels/demo/stream-key", token=self.token)["streamKey"]
        self.sink = sink
        if channels == 1:
            for i in range(n): self.add(f"r{i}")
            self.pubs = [publisher(clip, f"rtmp://127.0.0.1:{self.rtmp}/live/{key}")]
        else:
            self.pubs = []
            for c in range(channels):
                ch = http_json("POST", f"{self.api}/channels", {"id": f"c{c}", "title": f"bench {c}"}, token=self.token)
                for i in range(n): self.add(f"c{c}r{i}", channel=f"c{c}")
                self.pubs.append(publisher(clip, f"rtmp://127.0.0.1:{self.rtmp}/live/{ch['streamKey']}"))
                time.sleep(0.3)  # under the gateway's cap on not-yet-authorized connections per IP
        self.root = self.proc.pid

    def add(self, name, app="live", channel="demo"):
        return http_json("POST", f"{self.api}/channels/{channel}/destinations",
                         {"name": name, "platform": "custom", "url": f"rtmp://127.0.0.1:{self.sink.port}/{app}", "streamKey": name},
                         token=self.token)

    def close(self):
        for p in self.pubs: stop(p)
        stop(self.proc, 15); self.log.close(); shutil.rmtree(self.dir, ignore_errors=True)


class Nginx:
    name = "nginx-rtmp"

    def __init__(self, n, sink, clip, channels=1):
        self.dir = tempfile.mkdtemp(prefix="bench-nginx-")
        self.port = free_port(); os.makedirs(f"{self.dir}/logs")
        # One application per channel: a push target names its stream, so each channel needs its own set.
        apps = [("live", "n")] if channels == 1 else [(f"c{c}", f"c{c}n") for c in range(channels)]
        blocks = []
        for app, prefix in apps:
            pushes = "\n".join(f"    push rtmp://127.0.0.1:{sink.port}/live/{prefix}{i};" for i in range(n))
            blocks.append(f"  application {app} {{ live on; record off;\n{pushes}\n  }}")
        body = "\n".join(blocks)
        conf = f"""load_module {RTMP_MODULE};
master_process off; daemon off; pid {self.dir}/nginx.pid; error_log {self.dir}/logs/error.log warn;
events {{ worker_connections 1024; }}
rtmp {{ server {{ listen 127.0.0.1:{self.port}; chunk_size 4096;
{body}
  }} }}
"""
        with open(f"{self.dir}/nginx.conf", "w") as f: f.write(conf)
        self.proc = start(["nginx", "-p", self.dir, "-c", f"{self.dir}/nginx.conf", "-e", f"{self.dir}/logs/error.log"])
        wait_port(self.port, proc=self.proc)
        self.pubs = [publisher(clip, f"rtmp://127.0.0.1:{self.port}/{app}/src") for app, _ in apps]
        self.root = self.proc.pid

    def close(self):
        for p in self.pubs: stop(p)
        stop(self.proc); shutil.rmtree(self.dir, ignore_errors=True)


class Nms:
    name = "node-media-server"

    def __init__(self, n, sink, clip, channels=1):
        self.dir = tempfile.mkdtemp(prefix="bench-nms-")
        self.port = free_port(); self.http = free_port(); self.sink = sink
        cfg = {"bind": "127.0.0.1", "rtmp": {"port": self.port}, "http": {"port": self.http},
               "store": {"path": f"{self.dir}/data"}, "notify": {"url": ""},
               "auth": {"play": False, "publish": False, "secret": "bench-unused",
                        "jwt": {"secret": "bench-jwt-secret-0123456789abcdef", "expiresIn": "24h", "algorithm": "HS256",
                                "users": [{"username": "admin", "password": "bench-password", "role": "admin"}]}},
               "webadmin": {"enable": False}, "record": {"auto": False, "path": f"{self.dir}/rec"}}
        with open(f"{self.dir}/config.json", "w") as f: json.dump(cfg, f)
        self.proc = start(["node", NMS, "-c", f"{self.dir}/config.json"], cwd=self.dir)
        wait_port(self.port, 20, self.proc); wait_port(self.http, 20, self.proc)
        paths = ["src"] if channels == 1 else [f"c{c}" for c in range(channels)]
        self.pubs = [publisher(clip, f"rtmp://127.0.0.1:{self.port}/live/{p}") for p in paths]
        r = http_json("POST", f"http://127.0.0.1:{self.http}/api/v1/login", {"username": "admin", "password": "bench-password"})
        self.token = r["data"]["token"]
        time.sleep(1.5)
        for p in paths:
            for i in range(n): self.add(f"{p}m{i}" if channels > 1 else f"m{i}", stream=p)
        self.root = self.proc.pid

    def add(self, name, app="live", stream="src"):
        return http_json("POST", f"http://127.0.0.1:{self.http}/api/v1/relay",
                         {"url": f"rtmp://127.0.0.1:{self.sink.port}/{app}/{name}", "streamPath": f"/live/{stream}", "mode": "push"},
                         token=self.token)

    def close(self):
        for p in self.pubs: stop(p)
        stop(self.proc); shutil.rmtree(self.dir, ignore_errors=True)


SYSTEMS = {"relay": Relay, "nginx": Nginx, "nms": Nms}


def run_one(kind, n, clip, warmup, window, extra=(), env=None, channels=1, build=None):
    # On a shared machine, BENCH_LOCK=path makes each run hold an exclusive flock (others' test runs take it shared).
    lock = None
    if os.environ.get("BENCH_LOCK"):
        import fcntl
        lock = open(os.environ["BENCH_LOCK"], "a"); fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        return _run_one(kind, n, clip, warmup, window, extra, env, channels, build)
    finally:
        if lock: lock.close()


def _run_one(kind, n, clip, warmup, window, extra=(), env=None, channels=1, build=None):
    sink = Sink(); sut = None
    try:
        sut = Relay(n, sink, clip, extra, env, channels, build) if kind == "relay" else SYSTEMS[kind](n, sink, clip, channels)
        time.sleep(warmup)
        m = measure(sut.root, window)
        streams = sink.streams()
        m["sink_streams"] = len([v for v in streams.values() if v > 1000])
        m["sink_kbps_median"] = statistics.median(streams.values()) if streams else 0
        return m
    finally:
        if sut is not None: sut.close()
        sink.close()


def parse_variants(specs):
    """LABEL[@DIR][:K=V,...] -> [(label, build dir or None, env)]."""
    variants = []
    for v in specs:
        head, _, kvs = v.partition(":")
        label, _, build = head.partition("@")
        env = dict(kv.split("=", 1) for kv in kvs.split(",") if kv)
        variants.append((label, os.path.abspath(build) if build else None, env))
    return variants


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", default="1,5,10", help="destinations per channel")
    ap.add_argument("--channels", type=int, default=1, help="channels live at once, each with its own publisher and N destinations")
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--warmup", type=float, default=8)
    ap.add_argument("--window", type=float, default=30)
    ap.add_argument("--systems", default="relay,nginx,nms")
    ap.add_argument("--relay-hls-on-n", type=int, default=10, help="also run Relay with HLS+recording on at this N (0 = skip)")
    ap.add_argument("--relay-env", default="", help="also run a Relay variant with these environment variables, e.g. DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0")
    ap.add_argument("--variant", action="append", default=[], metavar="LABEL[@DIR][:K=V,...]",
                    help="also run a Relay variant: LABEL names it in the results, DIR is another build of Relay.Server "
                         "(a `dotnet publish` output; default the Release build), K=V are environment variables "
                         "(e.g. DOTNET_gcServer=0). Repeatable; every variant runs in every repetition at every N")
    ap.add_argument("--relay-label", default="relay", help="label of the default Relay rows")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "fanout.json"))
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    clip = clip_path()
    ns = [int(x) for x in a.n.split(",")]
    off = ["--Relay:Hls:Enabled=false", "--Relay:Recording:Enabled=false"]
    variants = parse_variants(a.variant)
    results = []
    try:
        for rep in range(a.reps):
            for n in ns:
                plan = [(s, off, None, None, a.relay_label if s == "relay" else None) for s in a.systems.split(",") if s]
                if n == a.relay_hls_on_n: plan.append(("relay", [], None, None, a.relay_label + "+hls+rec"))
                if a.relay_env:
                    plan.append(("relay", off, dict(kv.split("=", 1) for kv in a.relay_env.split(",")), None,
                                 a.relay_label + " " + a.relay_env))
                for label, build, env in variants: plan.append(("relay", off, env, build, label))
                if rep % 2 == 1: plan.reverse()  # alternate order between repetitions
                for kind, extra, env, build, label in plan:
                    label = label or SYSTEMS[kind].name
                    log(f"rep {rep + 1}/{a.reps} N={n} {label}: warmup {a.warmup}s, window {a.window}s")
                    try:
                        m = run_one(kind, n, clip, a.warmup, a.window, extra if kind == "relay" else (), env, a.channels, build)
                    except Exception as e:  # one variant that does not start must not cost the others' runs
                        log(f"   FAILED: {e}")
                        continue
                    m.update(system=label, n=n, channels=a.channels, rep=rep, load=os.getloadavg(), env=env or {}, build=build)
                    log(f"   cpu {m['cpu_pct']:.2f}% of a core, peak RSS {m['rss_mb']:.1f} MB, PSS {m['pss_mb']:.1f} MB, USS {m['uss_mb']:.1f} MB, "
                        f"sink streams {m['sink_streams']}/{n * a.channels} @ {m['sink_kbps_median']:.0f} kbps")
                    results.append(m)
                    os.makedirs(os.path.dirname(a.out), exist_ok=True)
                    with open(a.out, "w") as f: json.dump(results, f, indent=1)
    finally:
        stop_all()
    summarize(results)
    if variants: variant_table(results)


def summarize(results):
    def fmt(v): return f"{statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f})"
    groups = {}
    for r in results: groups.setdefault((r["n"], r["system"]), []).append(r)
    channels = results[0].get("channels", 1) if results else 1
    if channels > 1: print(f"\n{channels} channels live at once, N destinations each")
    print("\n| N | system | CPU % of a core, median (min-max) | peak RSS MB | peak PSS MB | peak USS MB | CPU vs nginx | CPU vs nms | sinks ok |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (n, s), rs in sorted(groups.items()):
        cpu = [r["cpu_pct"] for r in rs]
        ng = groups.get((n, "nginx-rtmp")); nm = groups.get((n, "node-media-server"))
        rn = f"{statistics.median(cpu) / statistics.median([r['cpu_pct'] for r in ng]):.2f}x" if ng else "-"
        rm = f"{statistics.median(cpu) / statistics.median([r['cpu_pct'] for r in nm]):.2f}x" if nm else "-"
        ok = f"{min(r['sink_streams'] for r in rs)}/{n * channels}"
        us = fmt([r["uss_mb"] for r in rs]) if all("uss_mb" in r for r in rs) else "-"
        print(f"| {n} | {s} | {fmt(cpu)} | {fmt([r['rss_mb'] for r in rs])} | {fmt([r['pss_mb'] for r in rs])} | {us} | {rn} | {rm} | {ok} |")


def variant_table(results):
    """One row per system: CPU, PSS and USS at N=1 and N=10 side by side (medians, min-max), CPU ratios at N=10."""
    def med(rs, k): return statistics.median([r[k] for r in rs]) if rs else None
    def fmt(rs, k, d=2):
        if not rs: return "-"
        v = [r[k] for r in rs]
        return f"{statistics.median(v):.{d}f}" + (f" ({min(v):.{d}f}-{max(v):.{d}f})" if len(v) > 1 else "")
    groups = {}
    for r in results: groups.setdefault(r["system"], {}).setdefault(r["n"], []).append(r)
    ng = groups.get("nginx-rtmp", {}); nm = groups.get("node-media-server", {})
    print("\n| variant | runs | N=1 CPU % | N=1 PSS MB | N=1 USS MB | N=1 RSS MB | N=10 CPU % | N=10 PSS MB | N=10 USS MB | N=10 RSS MB | N=10 CPU vs nginx-rtmp | N=10 CPU vs node-media-server |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for system, by_n in groups.items():
        one, ten = by_n.get(1, []), by_n.get(10, [])
        vs = lambda ref: f"{med(ten, 'cpu_pct') / med(ref[10], 'cpu_pct'):.2f}x" if ten and ref.get(10) else "-"
        print(f"| {system} | {max(len(one), len(ten))} | {fmt(one, 'cpu_pct')} | {fmt(one, 'pss_mb', 1)} | {fmt(one, 'uss_mb', 1)} | {fmt(one, 'rss_mb', 1)} | "
              f"{fmt(ten, 'cpu_pct')} | {fmt(ten, 'pss_mb', 1)} | {fmt(ten, 'uss_mb', 1)} | {fmt(ten, 'rss_mb', 1)} | {vs(ng)} | {vs(nm)} |")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "summarize":
        summarize(json.load(open(sys.argv[2]))); sys.exit(0)
    if len(sys.argv) > 1 and sys.argv[1] == "table":
        variant_table([r for f in sys.argv[2:] for r in json.load(open(f))]); sys.exit(0)
    main()
