// Shared by the viewer page and the studio: DOM building without innerHTML, money (in the page's language), hub connection.
// signalR and its MessagePack protocol are classic scripts (UMD bundles from npm) loaded before the modules.

/** Builds an element; strings become text nodes, so user data is never parsed as HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);

export function setText(node, text) {
  node.textContent = text ?? "";
}

// Money and times follow the page's language (i18n.js); re-exported so the pages keep one import.
export { money, time as when } from "./i18n.js";

/** A random idempotency key; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function newKey() {
  if (crypto.randomUUID && window.isSecureContext) return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map(b => b.toString(16).padStart(2, "0")).join("");
}

/** The reason token of a hub refusal ("rate_limited: wait 2 s" -> "rate_limited"). */
export function reasonOf(err) {
  const text = String(err?.message ?? err ?? "");
  // The client prefixes server errors: "An unexpected error occurred invoking 'X' on the server. HubException: reason: hint"
  const hub = text.match(/HubException: (.*)$/s);
  const message = hub ? hub[1] : text;
  const [reason, ...rest] = message.split(":");
  return { reason: reason.trim(), hint: rest.join(":").trim(), message };
}

/**
 * A hub connection over MessagePack that keeps retrying (the default policy gives up after four tries,
 * which a phone on a train exceeds); the caller joins again in onReconnected because the server
 * forgets the connection's room.
 */
export function connectHub({ token, onReconnecting, onReconnected, onClose }) {
  const conn = new signalR.HubConnectionBuilder()
    .withUrl("/hubs/live", { accessTokenFactory: () => token?.() ?? "" })
    .withHubProtocol(new signalR.protocols.msgpack.MessagePackHubProtocol())
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => Math.min(10_000, 500 * 2 ** ctx.previousRetryCount) })
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  if (onReconnecting) conn.onreconnecting(onReconnecting);
  if (onReconnected) conn.onreconnected(onReconnected);
  if (onClose) conn.onclose(onClose);
  return conn;
}

const GUEST_KEY = "relay.guest";

/**
 * This browser's signed guest identity ({guestId, guestToken, expiresAt} from POST /api/v1/guests), kept in
 * localStorage so every connection, reconnect and tab is the same buyer: a purchase retried after a reconnect then
 * finds its first order instead of making a second, and a mute holds. A saved token close to its expiry, or
 * `renew`, mints a new one. Resolves to "" when none can be had (minting limited, storage blocked, server away):
 * the hub then still takes the viewer as a guest of that one connection.
 */
export async function guestToken({ renew = false } = {}) {
  if (renew) {
    // The saved one was refused: never present it again, even if no new one can be minted now.
    try { localStorage.removeItem(GUEST_KEY); } catch { /* storage blocked */ }
  } else {
    try {
      const saved = JSON.parse(localStorage.getItem(GUEST_KEY) ?? "null");
      if (saved?.guestToken && new Date(saved.expiresAt).getTime() - Date.now() > 24 * 3600 * 1000) return saved.guestToken;
    } catch {
      // Unreadable or unavailable storage: mint below.
    }
  }
  try {
    const response = await fetch("/api/v1/guests", { method: "POST", cache: "no-store" });
    if (!response.ok) return "";
    const guest = await response.json();
    try { localStorage.setItem(GUEST_KEY, JSON.stringify(guest)); } catch { /* private mode: this page only */ }
    return guest.guestToken ?? "";
  } catch {
    return "";
  }
}

/** Starts a connection, retrying while the server is unreachable (e.g. restarting). */
export async function startHub(conn, onWaiting) {
  for (let attempt = 0; ; attempt++) {
    try {
      await conn.start();
      return;
    } catch (err) {
      onWaiting?.(err, attempt);
      await new Promise(r => setTimeout(r, Math.min(10_000, 1000 * 2 ** attempt)));
    }
  }
}

export function toast(container, text, kind = "info", ms = 4000) {
  const node = el("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status" }, text);
  container.append(node);
  while (container.children.length > 4) container.firstElementChild.remove();
  setTimeout(() => node.classList.add("toast-out"), ms);
  setTimeout(() => node.remove(), ms + 400);
  return node;
}

export function channelIdFromPath() {
  return decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] ?? "");
}

/** "mm:ss" until a date, or null once it is past. */
export function countdown(endsAt) {
  const left = Math.max(0, Math.round((new Date(endsAt).getTime() - Date.now()) / 1000));
  if (left <= 0) return null;
  const h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
  const mm = String(m).padStart(2, "0"), ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
