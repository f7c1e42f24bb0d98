#!/usr/bin/env python3
"""Checks a Relay draw (docs/live-room.md, "Draws"): python3 standard library only.

    scripts/verify-draw.py https://relay.example/api/v1/channels/show1/draws/dr_0123abcd
    scripts/verify-draw.py draw.json            # the same JSON, saved
    curl -s .../draws/dr_0123abcd | scripts/verify-draw.py -

It checks that SHA-256(seed) is the commitment announced at the draw's start, recomputes the winners from the seed and
the sorted entrant ids, and compares them with the published winners. Exit status 0 = verified, 1 = mismatch,
2 = the draw cannot be checked (not ended, unreadable).

The method: E = the entrant display ids sorted by code point, n = len(E). For i = 0 .. min(winnerCount, n) - 1:
r = int.from_bytes(HMAC-SHA256(key=seed, msg=i as 4 bytes big-endian), 'big') mod (n - i); swap E[i] and E[i + r];
winner number i is E[i].
"""
import hashlib
import hmac
import json
import sys
import urllib.request


def winners(seed: bytes, entrant_ids, count):
    e = sorted(entrant_ids)
    n = len(e)
    chosen = []
    for i in range(min(count, n)):
        h = hmac.new(seed, i.to_bytes(4, "big"), hashlib.sha256).digest()
        r = int.from_bytes(h, "big") % (n - i)
        e[i], e[i + r] = e[i + r], e[i]
        chosen.append(e[i])
    return chosen


def load(source):
    if source == "-":
        return json.load(sys.stdin)
    if source.startswith("http://") or source.startswith("https://"):
        with urllib.request.urlopen(source, timeout=30) as response:
            return json.load(response)
    with open(source, encoding="utf-8") as f:
        return json.load(f)


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: verify-draw.py URL|FILE|-", file=sys.stderr)
        return 2
    try:
        draw = load(argv[1])
    except (OSError, ValueError) as e:
        print(f"cannot read the draw: {e}", file=sys.stderr)
        return 2
    if draw.get("status") != "ended" or draw.get("seed") is None:
        print(f"draw {draw.get('drawId')} has not ended yet: nothing to verify", file=sys.stderr)
        return 2
    seed = bytes.fromhex(draw["seed"])
    ok = True
    if hashlib.sha256(seed).hexdigest() != draw["commitment"].lower():
        print("MISMATCH: sha256(seed) is not the commitment announced at the start")
        ok = False
    ids = draw.get("entrantIds") or []
    if len(ids) != draw.get("entrants"):
        print(f"MISMATCH: {len(ids)} entrant ids published for {draw.get('entrants')} entrants")
        ok = False
    expected = winners(seed, ids, int(draw["winnerCount"]))
    published = [w["userId"] for w in draw.get("winners") or []]
    if expected != published:
        print(f"MISMATCH: recomputed winners {expected} but published {published}")
        ok = False
    if ok:
        print(f"verified: draw {draw['drawId']}, {len(ids)} entrants, winners {published}")
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
