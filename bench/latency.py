#!/usr/bin/env python3
"""Added latency of the relay path, by comparison with a direct path, in one run.

One publisher (ffmpeg tee muxer, -re -stream_loop -1 -c copy) sends the same packets at the same moment to
(a) the sink directly (rtmp://sink/rec/direct) and (b) the system under test, which pushes to rtmp://sink/rec/via.
The sink (nginx-rtmp, `record all`, written per frame) records both; the script tails both FLV files every ~1 ms
and notes each video tag's arrival time. Frames are paired by their payload bytes (hash of the tag body, unique
with this noisy clip), so timestamp rewriting does not matter. Added latency = arrival(via) - arrival(direct).
Floor: the ~1 ms poll interval and the tee writing the two outputs one after the other; nginx-rtmp (native push,
sub-millisecond forwarding) is measured in the same run as the control that shows the floor."""
import argparse, hashlib, json, os, statistics, subprocess, sys, time, signal
import fanout
from fanout import log, Sink, start, stop, stop_all, free_port, wait_port


class Tail:
    def __init__(self, path):
        self.path = path; self.buf = b""; self.off = None; self.frames = {}

    def poll(self, now):
        try:
            with open(self.path, "rb") as f:
                f.seek(len(self.buf)); chunk = f.read()
        except OSError:
            return
        if not chunk: return
        self.buf += chunk
        if self.off is None:
            if len(self.buf) < 9: return
            self.off = int.from_bytes(self.buf[5:9], "big") + 4
        while self.off + 11 <= len(self.buf):
            typ = self.buf[self.off] & 0x1f; size = int.from_bytes(self.buf[self.off + 1:self.off + 4], "big")
            end = self.off + 11 + size + 4
            if end > len(self.buf): break
            body = self.buf[self.off + 11:self.off + 11 + size]
            if typ == 9 and size > 5 and body[1] == 1:
                h = hashlib.blake2b(body[5:], digest_size=12).digest()  # skip the composition time field
                self.frames.setdefault(h, []).append(now)
            self.off = end


def publisher_tee(clip, direct, via):
    return start(["ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", clip,
                  "-map", "0:v", "-map", "0:a", "-c", "copy", "-f", "tee", f"[f=flv]{direct}|[f=flv]{via}"])




def run(kind, clip, seconds, build=None, env=None):
    sink = Sink(record_app=True); sut = None; pub = None
    try:
        direct = f"rtmp://127.0.0.1:{sink.port}/rec/direct"
        if kind == "relay":
            sut = fanout.Relay(0, sink, clip, ["--Relay:Hls:Enabled=false", "--Relay:Recording:Enabled=false"], env, build=build)
            [stop(p) for p in sut.pubs]  # replace the plain publisher by the tee publisher
            sut.add("via", app="rec")
            key = fanout.http_json("GET", f"{sut.api}/channels/demo/stream-key", token=sut.token)["streamKey"]
            target = f"rtmp://127.0.0.1:{sut.rtmp}/live/{key}"
        elif kind == "nginx":
            sut = fanout.Nginx(0, sink, clip); [stop(p) for p in sut.pubs]
            # nginx: push configured at start; restart it with the push to rec/via
            stop(sut.proc)
            conf = open(f"{sut.dir}/nginx.conf").read().replace("record off;", f"record off; push rtmp://127.0.0.1:{sink.port}/rec/via;")
            open(f"{sut.dir}/nginx.conf", "w").write(conf)
            sut.proc = start(["nginx", "-p", sut.dir, "-c", f"{sut.dir}/nginx.conf", "-e", f"{sut.dir}/logs/error.log"])
            wait_port(sut.port, proc=sut.proc)
            target = f"rtmp://127.0.0.1:{sut.port}/live/src"
        else:
            sut = fanout.Nms(0, sink, clip); [stop(p) for p in sut.pubs]
            target = f"rtmp://127.0.0.1:{sut.port}/live/src"
        pub = publisher_tee(clip, direct, target)
        if kind == "nms":
            time.sleep(1.5); sut.add("via", app="rec")
        a = Tail(os.path.join(sink.dir, "rec", "direct.flv")); b = Tail(os.path.join(sink.dir, "rec", "via.flv"))
        t_end = time.perf_counter() + seconds + 6
        while time.perf_counter() < t_end:
            now = time.perf_counter(); a.poll(now); b.poll(now); time.sleep(0.0008)
        t_warm = min((t for v in b.frames.values() for t in v), default=0) + 5  # skip the first 5 s (GOP-cache burst, JIT warm-up)
        # The clip loops every 20 s, so a payload recurs: pair each relayed arrival with the nearest direct one.
        d = []
        for h, vias in b.frames.items():
            for tv in vias:
                if tv >= t_warm and h in a.frames:
                    d.append((tv - min(a.frames[h], key=lambda ta: abs(tv - ta))) * 1000)
        d.sort()
        return {"system": sut.name, "pairs": len(d), "direct_frames": sum(map(len, a.frames.values())), "via_frames": sum(map(len, b.frames.values())),
                "p50": statistics.median(d) if d else None,
                "p99": d[max(0, int(len(d) * 0.99) - 1)] if d else None, "min": min(d) if d else None, "max": max(d) if d else None}
    finally:
        if pub: stop(pub)
        if sut: sut.close()
        sink.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--systems", default="relay,nginx,nms")
    ap.add_argument("--variant", action="append", default=[], metavar="LABEL[@DIR][:K=V,...]",
                    help="also measure a Relay variant (another build and/or environment), as in fanout.py")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "latency.json"))
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    clip = fanout.clip_path(); res = []
    try:
        for rep in range(a.reps):
            plan = [(k, None, None, None) for k in a.systems.split(",") if k] + [("relay", *v) for v in fanout.parse_variants(a.variant)]
            for kind, label, build, env in plan:
                log(f"latency rep {rep + 1}: {label or kind}, {a.seconds} s")
                r = run(kind, clip, a.seconds, build, env); r["rep"] = rep; res.append(r)
                if label: r["system"] = label
                log("   ", json.dumps(r))
                os.makedirs(os.path.dirname(a.out), exist_ok=True); json.dump(res, open(a.out, "w"), indent=1)
    finally:
        stop_all()


if __name__ == "__main__":
    main()
