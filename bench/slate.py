#!/usr/bin/env python3
"""Slate and backup (issue 17): the gap a destination sees when the publisher drops, and what the slate costs.

Relay (Release build, JIT) with Relay:Ingest:SlateSeconds=60 pushes channel demo to nginx-rtmp, whose `rec` app writes
each frame to a file as it arrives; a thread polls that file every ~1 ms and stamps each new video tag with the wall
clock (the same method as ttff.py). Per trial: the publisher (ffmpeg -c copy of the test clip, 30 fps, 2 s GOP) is
killed (its TCP connection closes) or frozen with SIGSTOP (connected and silent), the slate covers, a publisher comes
back (a new one after a kill; SIGCONT after a freeze). Reported: the largest gap between two video frames arriving at
the sink around the drop (= detection + the slate's first frame) and around the return, and whether the push
connection stayed (nginx's record file is one file; Relay's destination `reconnects`). CPU: Relay's process (utime +
stime) over a window with the publisher live and over the same window with the slate on air."""
import argparse, json, os, signal, statistics, struct, sys, threading, time
import fanout
from fanout import log, Sink, Relay, stop_all, publisher, cpu_ticks, http_json, stop

TICK = os.sysconf("SC_CLK_TCK")


class ArrivalPoller(threading.Thread):
    """Stamps every video tag appended to a growing FLV file with the time it appeared."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.arrivals, self.stop_flag, self.off = path, [], False, None

    def run(self):
        while not self.stop_flag:
            try:
                with open(self.path, "rb") as f:
                    b = f.read()
            except OSError:
                time.sleep(0.001); continue
            now = time.perf_counter()
            if self.off is None and len(b) >= 13:
                self.off = struct.unpack(">I", b[5:9])[0] + 4
            while self.off is not None and self.off + 11 <= len(b):
                typ = b[self.off] & 0x1f; size = int.from_bytes(b[self.off + 1:self.off + 4], "big")
                if self.off + 11 + size + 4 > len(b): break
                if typ == 9: self.arrivals.append(now)
                self.off += 11 + size + 4
            time.sleep(0.001)

    def largest_gap(self, t0, t1):
        a = [t for t in self.arrivals if t0 <= t <= t1]
        return max((y - x for x, y in zip(a, a[1:])), default=None)


def cpu_percent(pid, seconds):
    c0 = cpu_ticks(pid); t0 = time.perf_counter(); time.sleep(seconds)
    return (cpu_ticks(pid) - c0) / TICK / (time.perf_counter() - t0) * 100


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=4)
    ap.add_argument("--cpu-window", type=float, default=10)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "slate.json"))
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    clip = fanout.clip_path()
    res = {"kill": [], "freeze": [], "cpu": {}}
    sink = Sink(record_app=True); sut = None
    try:
        sut = Relay(0, sink, clip, ["--Relay:Hls:Enabled=false", "--Relay:Recording:Enabled=false", "--Relay:Ingest:SlateSeconds=60"])
        key = http_json("GET", f"{sut.api}/channels/demo/stream-key", token=sut.token)["streamKey"]
        url = f"rtmp://127.0.0.1:{sut.rtmp}/live/{key}"
        sut.pubs = [publisher(clip, url)]
        sut.add("g", app="rec")
        time.sleep(6)
        encode = [l for l in open(f"{sut.dir}/relay.log") if "Slate for channel demo ready" in l]
        res["encode"] = encode[-1].strip() if encode else None
        log(f"slate: {res['encode']}")
        poller = ArrivalPoller(os.path.join(sink.dir, "rec", "g.flv")); poller.start()
        res["cpu"]["live"] = cpu_percent(sut.root, a.cpu_window)
        for i in range(a.trials):
            for kind in ("kill", "freeze"):
                pub = sut.pubs[-1]
                t_drop = time.perf_counter()
                if kind == "kill":
                    pub.kill(); pub.wait()
                else:
                    os.kill(pub.pid, signal.SIGSTOP)
                if kind == "kill" and i == 0:
                    time.sleep(1); res["cpu"]["slate"] = cpu_percent(sut.root, a.cpu_window)
                else:
                    time.sleep(3)
                t_back = time.perf_counter()
                if kind == "kill":
                    sut.pubs.append(publisher(clip, url))
                else:
                    os.kill(pub.pid, signal.SIGCONT)
                time.sleep(4)
                drop = poller.largest_gap(t_drop - 0.5, t_drop + 1.5)
                back = poller.largest_gap(t_back - 0.5, t_back + 3.5)
                r = {"drop_gap_ms": round(drop * 1000, 1) if drop else None, "return_gap_ms": round(back * 1000, 1) if back else None}
                log(f"{kind} {i + 1}: largest video gap at the sink {r['drop_gap_ms']} ms at the drop, {r['return_gap_ms']} ms at the return")
                res[kind].append(r)
        dest = http_json("GET", f"{sut.api}/channels/demo/destinations", token=sut.token)[0]
        res["reconnects"] = dest["reconnects"]
        res["record_files"] = sorted(os.listdir(os.path.join(sink.dir, "rec")))
        poller.stop_flag = True
    finally:
        if sut:
            for p in sut.pubs:
                try: os.kill(p.pid, signal.SIGCONT)
                except OSError: pass
            sut.close()
        sink.close(); stop_all()
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    json.dump(res, open(a.out, "w"), indent=1)
    for kind in ("kill", "freeze"):
        d = [r["drop_gap_ms"] for r in res[kind] if r["drop_gap_ms"]]; b = [r["return_gap_ms"] for r in res[kind] if r["return_gap_ms"]]
        if d and b:
            print(f"| {kind} | {statistics.median(d):.0f} ({min(d):.0f}-{max(d):.0f}) | {statistics.median(b):.0f} ({min(b):.0f}-{max(b):.0f}) | {len(d)} |")
    print(f"cpu live {res['cpu'].get('live', 0):.2f} %, slate {res['cpu'].get('slate', 0):.2f} %; reconnects {res['reconnects']}; files {res['record_files']}")


if __name__ == "__main__":
    main()
