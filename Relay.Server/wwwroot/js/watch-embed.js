// Embedding the watch page in a shop (docs/embedding.md): the shop's viewer token, the messages to the parent page,
// and the "Pay now" link of a confirmed order.
//
// The token comes from the URL fragment (#token=..., removed from the address bar at once) or from the parent page by
// postMessage({type: "relay:token", token}) from an origin the relay allows to frame this page (Pages:FrameAncestors,
// rendered into the page's <meta name="relay-frame-ancestors">). Never from the query string: a query reaches server
// logs and Referer headers, a fragment does not. Messages to the parent always name its origin, never "*".
import { el, setText } from "./common.js";
import { t } from "./i18n.js";

const MAX_TOKEN = 8192;
// The tab keeps the token it was given, so a reload stays signed in (sessionStorage: this tab only, gone with it).
const TOKEN_KEY = "relay.viewerToken";

function remember(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch { /* storage blocked: this page only */ }
}

function remembered() {
  try { return sessionStorage.getItem(TOKEN_KEY); } catch { return null; }
}
const framed = window.parent !== window;

/** The origins allowed to frame this page and hand it a token ('self' = this page's own origin). */
function allowedOrigins() {
  const content = document.querySelector('meta[name="relay-frame-ancestors"]')?.content ?? "";
  return content.split(/\s+/).filter(Boolean).map(o => (o === "'self'" ? location.origin : o.replace(/\/+$/, "").toLowerCase()));
}

function fragmentToken() {
  if (!location.hash.startsWith("#")) return null;
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get("token");
  if (token === null) return null;
  fragment.delete("token");
  const rest = fragment.toString();
  // Out of the address bar (and the history entry) before anything else runs: bookmarks and shares never carry it.
  history.replaceState(history.state, "", location.pathname + location.search + (rest ? "#" + rest : ""));
  return token && token.length <= MAX_TOKEN ? token : null;
}

/**
 * Starts listening. onToken(token) is called when the parent hands over a (new) token; the page then reconnects.
 * Returns {token(), forget(), post(type, data), order(o), pinned(sku)}.
 */
export function initEmbed({ onToken }) {
  const allowed = allowedOrigins();
  let token = fragmentToken();
  if (token) remember(token);
  else token = remembered();
  // Where the parent is: known for sure once it sent a valid message; Chromium also tells it up front.
  let parentOrigin = null;
  const ancestor = location.ancestorOrigins?.[0];
  if (framed && ancestor && allowed.includes(ancestor)) parentOrigin = ancestor;

  function post(type, data) {
    if (!framed) return;
    // Unknown parent: offer the message to each allowed origin; the browser delivers it only to the one that matches.
    for (const origin of parentOrigin ? [parentOrigin] : allowed) {
      try { window.parent.postMessage({ type, ...data }, origin); } catch { /* an origin the browser can't parse */ }
    }
  }

  window.addEventListener("message", e => {
    if (!framed || e.source !== window.parent || !allowed.includes(e.origin)) return;
    const data = e.data;
    if (!data || typeof data !== "object" || data.type !== "relay:token") return;
    if (typeof data.token !== "string" || data.token.length === 0 || data.token.length > MAX_TOKEN) return;
    parentOrigin = e.origin;
    if (data.token === token) return;
    token = data.token;
    remember(token);
    onToken?.(token);
  });

  // Another part of the page announces follow changes as a window event; the shop hears them too.
  window.addEventListener("relay:follow", e => post("relay:follow", { following: !!e.detail?.following }));

  post("relay:ready", {});

  return {
    token: () => token,
    /** The token was refused (expired, not for this relay): carry on as a guest until the shop sends another. */
    forget: () => { token = null; remember(null); },
    post,
    pinned: sku => post("relay:pinned", { sku: sku ?? null }),
    order: o => {
      const checkoutUrl = safeUrl(o.checkoutUrl);
      post("relay:order", { orderId: o.orderId, status: o.status, ...(checkoutUrl ? { checkoutUrl } : {}) });
      showPayNow(o.status === "confirmed" ? checkoutUrl : null);
    },
  };
}

/** http(s) URLs only: a javascript: or data: "checkout" never becomes a link. */
function safeUrl(value) {
  if (typeof value !== "string" || value.length > 2048) return null;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/** The buyer's "Pay now" link under the buy status: the whole tab when the page stands alone, a new tab when framed. */
function showPayNow(url) {
  document.getElementById("pay-now")?.remove();
  if (!url) return;
  const link = el("a", { id: "pay-now", class: "btn btn-buy pay-now", href: url, rel: "noopener noreferrer" });
  link.target = framed ? "_blank" : "_top";
  setText(link, t("watch.pay.now"));
  document.getElementById("buy-status")?.after(link);
}
