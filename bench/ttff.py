#!/usr/bin/env python3
"""Destination added while live: time from the add request to the first video frame at its sink.

The sink is nginx-rtmp recording the new stream (`record all`, written per frame, no buffering); the script
polls the FLV file every ~1 ms and stops at the first video tag carrying picture data (AVCPacketType 1, not
the sequence header). t0 is taken just before the REST call is sent. Relay: POST /api/v1/channels/demo/destinations;
node-media-server: POST /api/v1/relay (push). nginx-rtmp cannot add a push without a config reload and has no
GOP cache, so it is not measured (a new push there starts at the next keyframe: up to one GOP, 2 s here)."""
import argparse, json, os, statistics, struct, sys, time, signal
import fanout
from fanout import log, Sink, Relay, Nms, stop_all


def first_video_frame(path):
    """(found, is_keyframe) for the first video tag with picture data in a growing FLV file."""
    try:
        with open(path, "rb") as f: b = f.read()
    except OSError:
        return False, False
    if len(b) < 13: return False, False
    off = struct.unpack(">I", b[5:9])[0] + 4
    while off + 11 <= len(b):
        typ = b[off] & 0x1f; size = int.from_bytes(b[off + 1:off + 4], "big")
        if off + 11 + size > len(b): break
        if typ == 9 and size >= 2:
            d = b[off + 11:off + 13]
            if (d[0] & 0x0f) == 7 and d[1] == 1: return True, (d[0] >> 4) == 1
        off += 11 + size + 4
    return False, False


def measure_add(sut, sink, name, timeout=10):
    path = os.path.join(sink.dir, "rec", f"{name}.flv")
    t0 = time.perf_counter()
    sut.add(name, app="rec")
    while time.perf_counter() - t0 < timeout:
        ok, key = first_video_frame(path)
        if ok: return (time.perf_counter() - t0) * 1000, key
        time.sleep(0.001)
    return None, False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--adds", type=int, default=7)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "ttff.json"))
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    clip = fanout.clip_path()
    res = {}
    try:
        for kind in ("relay", "nms"):
            sink = Sink(record_app=True); sut = None
            try:
                sut = Relay(1, sink, clip, ["--Relay:Hls:Enabled=false", "--Relay:Recording:Enabled=false"]) if kind == "relay" else Nms(1, sink, clip)
                time.sleep(6)
                vals = []
                for i in range(a.adds):
                    time.sleep(0.737 * (i % 3) + 0.5)  # land at different points of the GOP
                    ms, key = measure_add(sut, sink, f"t{kind}{i}")
                    log(f"{kind} add {i + 1}: first video frame after {ms if ms is None else round(ms, 1)} ms (keyframe: {key})")
                    vals.append({"ms": ms, "keyframe": key})
                res[sut.name] = vals
            finally:
                if sut: sut.close()
                sink.close()
    finally:
        stop_all()
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    json.dump(res, open(a.out, "w"), indent=1)
    for k, v in res.items():
        ms = [x["ms"] for x in v if x["ms"] is not None]
        if ms: print(f"| {k} | {statistics.median(ms):.0f} ({min(ms):.0f}-{max(ms):.0f}) | {len(ms)}/{len(v)} | {sum(x['keyframe'] for x in v)}/{len(v)} |")


if __name__ == "__main__":
    main()
