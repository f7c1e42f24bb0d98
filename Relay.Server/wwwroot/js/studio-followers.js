// The studio's Followers panel (issue 16): the channel's follower count and list, newest pages on demand, read from
// GET /api/v1/channels/{id}/followers with the host key the studio signed in with.
import { $, el, setText } from "./common.js";
import { t, number, dateTime } from "./i18n.js";

const PAGE = 50;

/** @param api the channel's API base (/api/v1/channels/{id}); @param token a function answering the current host key. */
export function followersPanel(api, token) {
  const list = $("#followers");
  const count = $("#followers-count");
  const more = $("#followers-more");
  const status = $("#followers-status");
  let cursor = null, busy = false;

  async function load(reset) {
    const key = token();
    if (!key || busy || !list) return;
    busy = true;
    try {
      const query = `?limit=${PAGE}` + (!reset && cursor ? `&cursor=${encodeURIComponent(cursor)}` : "");
      const res = await fetch(`${api}/followers${query}`, { headers: { Authorization: `Bearer ${key}` }, cache: "no-store" });
      if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
      const page = await res.json();
      if (reset) list.replaceChildren();
      for (const f of page.items) {
        list.append(el("li", { class: "follower", dataset: { buyerId: f.buyerId } },
          el("span", { class: "follower-name" }, f.buyerName),
          el("span", { class: "muted follower-since" }, t("studio.followers.since", { when: dateTime(new Date(f.followedAt)) })),
          f.referrer ? el("span", { class: "muted follower-via" }, t("studio.followers.via", { referrer: f.referrer })) : null));
      }
      cursor = page.nextCursor;
      setText(count, t("studio.followers.count", { count: number(page.total) }));
      count.dataset.count = String(page.total);
      more.hidden = !cursor;
      $("#followers-empty").hidden = page.total > 0;
      setText(status, "");
    } catch (err) {
      setText(status, t("studio.followers.failed", { detail: err.message }));
    } finally {
      busy = false;
    }
  }

  more?.addEventListener("click", () => load(false));
  $("#followers-refresh")?.addEventListener("click", () => load(true));
  // The count moves slowly: a refresh every 30 s while the studio is open is plenty.
  setInterval(() => { if (!document.hidden) load(true); }, 30_000);
  return { refresh: () => load(true) };
}
