// The watch page's draw card (福袋): the prize, a countdown, the requirement and Enter; then the winners, and a link to
// the draw's public JSON that anyone can check with scripts/verify-draw.py.
import { $, el, setText, countdown, reasonOf } from "./common.js";
import { t, number } from "./i18n.js";

export function mountDraws(hub, { channelId, productTitle, onRoomEvent = (name, handler) => hub.on(name, handler) }) {
  const card = $("#draw-card");
  let draw = null;      // the room's latest draw (DrawView), result included once ended
  let entered = null;   // the draw id this viewer entered
  let status = "";
  let tick = null;

  function render() {
    if (!card) return;
    card.hidden = !draw;
    if (!draw) return;
    const children = [el("p", { class: "draw-eyebrow" }, t("watch.draw.title")),
      el("h2", { class: "draw-prize" }, t("watch.draw.prize", { title: productTitle(draw.sku), winners: number(draw.winners) }))];
    if (draw.active !== false && !draw.result) {
      children.push(el("p", { class: "draw-countdown" }, t("watch.draw.endsIn"), " ", el("span", { id: "draw-countdown" }, countdown(draw.endsAt) ?? "00:00")));
      children.push(el("p", { class: "draw-requires" }, t(`watch.draw.requires.${draw.requires === "message" || draw.requires === "follow" ? draw.requires : "none"}`)));
      children.push(el("p", { class: "draw-entrants" }, t("watch.draw.entrants", { count: number(draw.entrants ?? 0) })));
      if (entered === draw.drawId) children.push(el("p", { id: "draw-entered", class: "draw-entered" }, t("watch.draw.entered")));
      else children.push(el("button", { id: "draw-enter", class: "btn btn-buy", type: "button", onclick: enter }, t("watch.draw.enter")));
      if (status) children.push(el("p", { class: "draw-status", role: "status" }, status));
    } else if (draw.result) {
      const winners = draw.result.winners ?? [];
      children.push(el("p", { class: "draw-entrants" }, t("watch.draw.ended", { count: number(draw.result.entrants ?? 0) })));
      children.push(winners.length
        ? el("ol", { id: "draw-winners", class: "draw-winners" }, winners.map(w => el("li", {}, w.displayName || w.userId)))
        : el("p", { id: "draw-winners" }, t("watch.draw.noWinners")));
      children.push(el("a", { class: "draw-verify", href: `/api/v1/channels/${encodeURIComponent(channelId)}/draws/${encodeURIComponent(draw.drawId)}`,
        target: "_blank", rel: "noopener" }, t("watch.draw.verify")));
    }
    card.replaceChildren(...children);
  }

  async function enter() {
    try {
      const answer = await hub.invoke("EnterDraw");
      if (answer.status === "entered") { entered = draw.drawId; status = ""; }
      else status = t(`watch.draw.status.${["closed", "not_eligible", "login_required"].includes(answer.status) ? answer.status : "other"}`);
    } catch (err) {
      status = t("watch.draw.status.other");
      void reasonOf(err);
    }
    render();
  }

  function set(view) {
    if (draw?.drawId !== view.drawId) { entered = null; status = ""; }
    draw = view;
    render();
    clearInterval(tick);
    if (draw && !draw.result) tick = setInterval(() => setText($("#draw-countdown"), countdown(draw.endsAt) ?? "00:00"), 500);
  }

  // Through the page's room events: applied once by seq, and replayed by Resume after a reconnect.
  onRoomEvent("draw", d => set({ ...d, result: d.result ?? null }));
  onRoomEvent("drawResult", r => { if (draw?.drawId === r.drawId) set({ ...draw, active: false, result: r }); });
  return { snapshot: snap => { if (snap.draw) set(snap.draw); else { draw = null; render(); } } };
}
