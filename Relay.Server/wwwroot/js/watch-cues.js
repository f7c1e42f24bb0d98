// Media-time cues (docs/pages.md, "Cues"): a pin or a flash sale's start reaches the page over the hub at once, but the picture a viewer plays
// may be seconds behind live. While HTTP-FLV plays, a pin is held until the picture reaches the moment the host pinned
// (the hub's `cue` stamp, mapped to media time by the onCuePoint tags in the stream), so a viewer 6 s behind sees the
// card 6 s after the host pinned, with the host showing the product. Without a player, on HLS, or for a pin that got no
// cue (the channel was not live where it was stamped), the card shows at once as before.

/** How long a held pin waits for its `cue` on the hub (sent right after `pinned` by the same node). */
const CUE_WAIT_MS = 2000;
/** How long it waits for the picture once cued: the stream may stall or the onCuePoint be lost with a dropped GOP. */
const PICTURE_WAIT_MS = 30000;

export function mountCues({ player, video, onRoomEvent }) {
  const held = [];              // {kind, id, apply, cue, timer}, oldest first
  const metAt = new Map();      // cue seq -> media time its onCuePoint was demuxed at

  function release(h) {
    const i = held.indexOf(h);
    if (i < 0) return;
    held.splice(i, 1);
    clearTimeout(h.timer);
    h.apply();
  }

  function targetOf(h) {
    if (!h.cue) return null;
    return metAt.get(h.cue.seq) ?? player.mediaTimeOf(h.cue.streamTimeMs);
  }

  function check() {
    for (const h of [...held]) {
      const target = targetOf(h);
      if (target !== null && video.currentTime >= target) release(h);
    }
  }

  player.onCuePoint = (params, mediaTime) => {
    if (typeof params.seq !== "number") return;
    metAt.set(params.seq, mediaTime);
    if (metAt.size > 64) metAt.delete(metAt.keys().next().value);
    check();
  };
  video.addEventListener("timeupdate", check);
  setInterval(() => { if (held.length) check(); }, 100);

  onRoomEvent("cue", c => {
    const h = held.find(x => x.kind === c.kind && x.id === c.id && !x.cue);
    if (!h) return;
    h.cue = c;
    clearTimeout(h.timer);
    h.timer = setTimeout(() => release(h), PICTURE_WAIT_MS);
    check();
  });

  function hold(kind, id, apply) {
    if (!player.playingFlv) { apply(); return; }
    const h = { kind, id, apply, cue: null, timer: 0 };
    h.timer = setTimeout(() => release(h), CUE_WAIT_MS);
    held.push(h);
  }

  function drop(kind) {
    for (const h of held.filter(x => !kind || x.kind === kind)) {
      held.splice(held.indexOf(h), 1);
      clearTimeout(h.timer);
    }
  }

  return {
    /** Shows a pin now, or when the played picture reaches its cue. */
    pin(p, apply) { hold("pin", p.sku, apply); },
    /** The same for a flash sale's start (its cue's id is the sku). */
    sale(s, apply) { hold("sale", s.sku, apply); },
    /** An unpin or a sale's end replaces the held pin or sale start: it would show a card the host already took down;
     * a snapshot replaces both. */
    drop,
  };
}
