// The studio's "Start a draw" form (福袋): product, winners, duration, requirement; the running draw with its entrant
// count and countdown, then its winners and the link to the draw's public JSON (scripts/verify-draw.py checks it).
import { $, el, setText, countdown, reasonOf, toast } from "./common.js";
import { t, number } from "./i18n.js";

export function mountStudioDraws({ toasts, titleOf }) {
  const form = $("#draw-form");
  let hub = null;
  let draw = null;
  let timer = null;
  let channelId = "";

  function render() {
    clearInterval(timer);
    const status = $("#draw-status");
    const winners = $("#draw-result");
    winners.replaceChildren();
    if (!draw) { setText(status, t("studio.draw.none")); return; }
    if (!draw.result) {
      const show = () => setText(status, t("studio.draw.running", {
        title: titleOf(draw.sku), winners: number(draw.winners), entrants: number(draw.entrants ?? 0), left: countdown(draw.endsAt) ?? "00:00",
      }));
      show();
      timer = setInterval(show, 1000);
      return;
    }
    setText(status, t("studio.draw.ended", { title: titleOf(draw.sku), entrants: number(draw.result.entrants ?? 0) }));
    winners.append(
      el("ol", { id: "draw-winners" }, (draw.result.winners ?? []).map(w => el("li", {}, w.displayName || w.userId))),
      el("a", { href: `/api/v1/channels/${encodeURIComponent(channelId)}/draws/${encodeURIComponent(draw.drawId)}`, target: "_blank", rel: "noopener" },
        t("studio.draw.verify")));
  }

  form.addEventListener("submit", async e => {
    e.preventDefault();
    const f = new FormData(form);
    try {
      await hub.invoke("StartDraw", {
        sku: f.get("sku"), winners: Math.floor(Number(f.get("winners"))), durationSeconds: Math.round(Number(f.get("seconds"))),
        requires: f.get("requires") || "none",
      });
      toast(toasts, t("studio.draw.started"), "ok");
    } catch (err) {
      toast(toasts, t("studio.hub.callFailed", { error: reasonOf(err).message }), "error");
    }
  });

  return {
    attach(connection, id) {
      hub = connection;
      channelId = id;
      hub.on("draw", d => { draw = { ...d, result: d.result ?? null }; render(); });
      hub.on("drawResult", r => { if (draw?.drawId === r.drawId) { draw = { ...draw, active: false, result: r }; render(); } });
    },
    snapshot(snap) { draw = snap.draw ?? null; render(); },
    lineup(items, optionText) {
      const select = $("#draw-sku");
      const chosen = select.value;
      select.replaceChildren(...items.map(p => el("option", { value: p.sku }, optionText(p))));
      if (chosen) select.value = chosen;
    },
  };
}
