"""CPU of a process and of its children over a window, from /proc (clock ticks): the Relay process and, for an SRT
publish, the ffmpeg it starts to remux the MPEG-TS. Usage: srt_cpu.py PID SECONDS -> one JSON line."""
import json
import os
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    out.append(int(entry))
            except OSError:
                pass
    return out


def main():
    pid, seconds = int(sys.argv[1]), float(sys.argv[2])
    kids = children(pid)
    start = time.monotonic()
    relay0 = ticks(pid)
    kids0 = {k: ticks(k) for k in kids}
    time.sleep(seconds)
    relay1 = ticks(pid)
    kids1 = {}
    for k in kids:
        try:
            kids1[k] = ticks(k)
        except OSError:
            pass
    wall = time.monotonic() - start
    relay = (relay1 - relay0) / TICK / wall * 100
    child = sum(kids1[k] - kids0[k] for k in kids1) / TICK / wall * 100
    print(json.dumps({"relay_percent_of_core": round(relay, 2), "children_percent_of_core": round(child, 2),
                      "total_percent_of_core": round(relay + child, 2), "children": len(kids1), "seconds": round(wall, 1)}))


main()
