// Coupons in the studio (issue 16): the "Drop a coupon" form (amount or percent, value, minimum, product or any, quantity,
// per viewer, duration) and the coupons live now with what is left. studio.js hooks it in with three calls: attach() with
// the hub, snapshot() on Join, lineup() when the line-up changes.
import { $, el, setText, money, reasonOf, toast, countdown } from "./common.js";
import { t, number } from "./i18n.js";

export function initStudioCoupons({ toasts }) {
  let hub = null;
  let lineup = [];
  const coupons = new Map();
  const form = $("#coupon-form");
  const list = $("#coupon-live");

  const currency = c => c?.currency ?? lineup[0]?.currency ?? "USD";
  const titleOf = sku => lineup.find(p => p.sku === sku)?.title ?? sku;
  const open = c => new Date(c.endsAt).getTime() > Date.now();

  function render() {
    const live = [...coupons.values()].filter(open);
    list.replaceChildren(...live.map(c => el("li", { class: "coupon-live-item", dataset: { couponId: c.couponId } },
      el("strong", {}, c.percentOff ? t("studio.coupon.percentOff", { percent: number(c.percentOff) })
        : t("studio.coupon.amountOff", { amount: money(c.discountCents, currency(c)) })),
      " ",
      el("span", { class: "muted" }, c.sku ? titleOf(c.sku) : t("studio.coupon.anyProduct")),
      " ",
      el("span", { class: "coupon-live-left" }, t("studio.coupon.left", {
        remaining: number(c.remaining), quantity: number(c.quantity), left: countdown(c.endsAt) ?? "00:00",
      })))));
    setText($("#coupon-status"), live.length ? "" : t("studio.coupon.none"));
  }
  setInterval(render, 1000);

  form.addEventListener("submit", async e => {
    e.preventDefault();
    if (!hub) return;
    const f = new FormData(form);
    const value = Number(f.get("value"));
    const request = {
      minSpendCents: Math.round(Number(f.get("minimum") || 0) * 100),
      quantity: Math.floor(Number(f.get("quantity"))),
      perBuyer: Math.floor(Number(f.get("perBuyer"))),
      durationSeconds: Math.round(Number(f.get("seconds"))),
    };
    if (f.get("type") === "percent") request.percentOff = Math.round(value);
    else request.discountCents = Math.round(value * 100);
    if (f.get("sku")) request.sku = f.get("sku");
    try {
      const c = await hub.invoke("DropCoupon", request);
      coupons.set(c.couponId, c);
      render();
      toast(toasts, t("studio.coupon.dropped"), "ok");
    } catch (err) {
      setText($("#coupon-status"), t("studio.coupon.refused", { error: reasonOf(err).message }));
    }
  });

  return {
    attach(h) {
      hub = h;
      hub.on("coupon", c => {
        const known = coupons.get(c.couponId);
        if (known && known.remaining < c.remaining) c.remaining = known.remaining;
        coupons.set(c.couponId, c);
        render();
      });
    },
    snapshot(items) {
      for (const c of items ?? []) coupons.set(c.couponId, c);
      render();
    },
    lineup(items) {
      lineup = items;
      const select = $("#coupon-sku");
      const chosen = select.value;
      select.replaceChildren(el("option", { value: "" }, t("studio.coupon.anyProduct")),
        ...items.map(p => el("option", { value: p.sku }, p.title)));
      select.value = chosen;
      render();
    },
  };
}
