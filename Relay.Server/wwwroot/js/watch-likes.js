// The watch page's like (heart) button: taps are batched and sent at most every 250 ms (Like(count), 1-50 a call),
// each tap floats a heart, and the room's total (`likes {total}`, at most 4 a second) is shown next to the button.
import { $, el, setText } from "./common.js";
import { t, number } from "./i18n.js";

const SEND_EVERY_MS = 250;
const MAX_PER_CALL = 50;

export function mountLikes(hub, { onRoomEvent = (name, handler) => hub.on(name, handler) } = {}) {
  const total = el("span", { id: "likes-total", class: "likes-total" }, "0");
  const button = el("button", { id: "like", class: "like-button", type: "button", "aria-label": t("watch.likes.button") }, "❤");
  const box = el("div", { class: "likes", id: "likes" }, button, total);
  $("#likes-slot")?.append(box);
  let known = 0;
  let pending = 0;
  let timer = null;

  function show(value) {
    if (value < known) return;
    known = value;
    setText(total, number(known));
    total.title = t("watch.likes.total", { count: number(known) });
  }

  function heart() {
    const h = el("span", { class: "like-heart", "aria-hidden": "true" }, "❤");
    h.style.left = `${20 + Math.random() * 60}%`;
    box.append(h);
    setTimeout(() => h.remove(), 1200);
  }

  async function flush() {
    timer = null;
    if (pending === 0) return;
    const count = Math.min(MAX_PER_CALL, pending);
    pending -= count;
    try {
      await hub.invoke("Like", count);
    } catch {
      // A refused or lost batch is dropped: likes are a mood, not an order.
    }
    if (pending > 0) timer = setTimeout(flush, SEND_EVERY_MS);
  }

  button.addEventListener("click", () => {
    pending++;
    show(known + 1);
    heart();
    timer ??= setTimeout(flush, SEND_EVERY_MS);
  });
  onRoomEvent("likes", e => show(e.total));
  return { snapshot: snap => show(snap.likes ?? 0) };
}
