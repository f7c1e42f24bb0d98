// Coupons on the watch page (issue 16): the coupons the host dropped (amount or percent, minimum, what is left, a countdown
// to the end of claims) with a Claim button; a claimed coupon is applied at purchase by the server (the buy call sends the
// couponId of a claimed, unused coupon that fits the product and the subtotal), and the discount it gave is shown.
// watch.js hooks it in with three calls: snapshot() on Join, couponFor() when buying, purchased() with the answer.
import { $, el, setText, money, reasonOf, countdown } from "./common.js";
import { t, has, number } from "./i18n.js";

export function initCoupons(hub, { titleOf, onRoomEvent = (name, handler) => hub.on(name, handler) }) {
  const coupons = new Map();  // couponId -> the last `coupon` view
  const mine = new Map();     // couponId -> {claimed, used} for this viewer (this page's claims)
  const section = $("#coupons");

  // Through the page's room events: applied once by seq, and replayed by Resume after a reconnect.
  onRoomEvent("coupon", c => {
    const known = coupons.get(c.couponId);
    // Counts only go down: an older count arriving late never raises what is shown.
    if (known && known.remaining < c.remaining) c.remaining = known.remaining;
    coupons.set(c.couponId, c);
    render();
  });

  const open = c => new Date(c.endsAt).getTime() > Date.now();
  const unused = id => { const m = mine.get(id); return m && m.claimed > m.used; };

  function valueText(c) {
    return c.percentOff ? t("watch.coupon.percentOff", { percent: number(c.percentOff) })
      : t("watch.coupon.off", { amount: money(c.discountCents, c.currency) });
  }

  function termsText(c) {
    const where = c.sku ? t("watch.coupon.forProduct", { title: titleOf(c.sku) }) : t("watch.coupon.anyProduct");
    return c.minSpendCents > 0 ? `${where} · ${t("watch.coupon.minSpend", { amount: money(c.minSpendCents, c.currency) })}` : where;
  }

  function render() {
    const shown = [...coupons.values()].filter(c => open(c) || unused(c.couponId));
    section.hidden = shown.length === 0;
    section.replaceChildren(el("h2", { class: "coupons-title" }, t("watch.coupon.label")), ...shown.map(card));
  }

  function card(c) {
    const m = mine.get(c.couponId);
    const claimed = m && m.claimed > 0;
    const used = m && m.used >= m.claimed;
    const button = el("button", { class: "btn btn-small coupon-claim", type: "button" },
      t(used ? "watch.coupon.used" : claimed ? "watch.coupon.claimed" : c.remaining === 0 ? "watch.coupon.refused.gone" : "watch.coupon.claim"));
    button.disabled = !!claimed || c.remaining === 0 || !open(c);
    button.addEventListener("click", () => claim(c, node));
    const node = el("div", { class: `coupon${claimed ? " coupon-claimed" : ""}`, dataset: { couponId: c.couponId, claimed: claimed ? "true" : "false" } },
      el("strong", { class: "coupon-value" }, valueText(c)),
      el("span", { class: "coupon-terms" }, termsText(c)),
      el("span", { class: "coupon-left" }, t("watch.coupon.left", { remaining: number(c.remaining), quantity: number(c.quantity) })),
      el("span", { class: "coupon-ends" }, open(c) ? t("watch.coupon.endsIn", { countdown: countdown(c.endsAt) ?? "00:00" }) : ""),
      button,
      el("p", { class: "coupon-status", role: "status" }));
    return node;
  }

  async function claim(c, node) {
    const status = $(".coupon-status", node);
    let result;
    try {
      result = await hub.invoke("ClaimCoupon", c.couponId);
    } catch (err) {
      setText(status, t("watch.coupon.refused.other"));
      status.dataset.reason = reasonOf(err).reason;
      return;
    }
    if (result.status === "claimed") {
      const m = mine.get(c.couponId) ?? { claimed: 0, used: 0 };
      m.claimed++;
      mine.set(c.couponId, m);
      render();
      return;
    }
    if (result.status === "gone") c.remaining = 0;
    status.dataset.reason = result.status;
    const key = `watch.coupon.refused.${result.status}`;
    setText(status, has(key) ? t(key) : t("watch.coupon.refused.other"));
    if (result.status === "gone") render();
  }

  // The countdowns; a coupon whose claims ended leaves the list unless this viewer holds an unused claim of it.
  setInterval(() => {
    for (const c of coupons.values()) {
      const node = section.querySelector(`[data-coupon-id="${CSS.escape(c.couponId)}"] .coupon-ends`);
      if (node && open(c)) setText(node, t("watch.coupon.endsIn", { countdown: countdown(c.endsAt) ?? "00:00" }));
      else if (node) render();
    }
  }, 1000);

  return {
    /** The Join snapshot's coupons (those open now). */
    snapshot(list) {
      for (const c of list ?? []) coupons.set(c.couponId, c);
      render();
    },
    /** The claimed, unused coupon giving the most off this purchase, or undefined. */
    couponFor(sku, subtotalCents) {
      let best, bestOff = 0;
      for (const [id, m] of mine) {
        const c = coupons.get(id);
        if (!c || m.claimed <= m.used || (c.sku && c.sku !== sku) || subtotalCents < (c.minSpendCents ?? 0)) continue;
        const off = Math.min(subtotalCents, c.percentOff ? Math.floor(subtotalCents * c.percentOff / 100) : c.discountCents);
        if (off > bestOff) { best = id; bestOff = off; }
      }
      return best;
    },
    /** The purchase answer: a reserved one used the coupon; its discount is shown under the buy status (which the
     * order's confirmation rewrites later). */
    purchased(couponId, result, currency) {
      let line = $("#buy-discount");
      if (!line) {
        line = el("p", { id: "buy-discount", class: "buy-discount", role: "status" });
        $("#buy-status").after(line);
      }
      const applied = couponId && result.status === "reserved";
      line.hidden = !(applied && result.discountCents > 0);
      line.dataset.discountCents = applied ? String(result.discountCents ?? 0) : "";
      setText(line, line.hidden ? "" : t("watch.buy.discount", { amount: money(result.discountCents, currency) }));
      if (!applied) return;
      const m = mine.get(couponId);
      if (m) m.used++;
      render();
    },
  };
}
