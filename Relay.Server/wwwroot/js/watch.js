// The viewer page: live video, chat, the pinned product with Buy, flash-sale countdown, toasts.
import { $, el, setText, money, newKey, reasonOf, connectHub, startHub, toast, channelIdFromPath, countdown, guestToken } from "./common.js";
import { LivePlayer } from "./player.js";

const channelId = channelIdFromPath();
const params = new URLSearchParams(location.search);
const referrer = params.get("ref");
const NAME_KEY = "relay.displayName";

const state = {
  joined: false,
  live: false,
  lineup: [],
  pinned: null,
  sale: null,          // {sku, priceCents, currency, quantity, remaining, endsAt, active}
  remaining: new Map(), // sku -> remaining (null = unlimited)
  you: null,
  pendingOrders: new Set(),
};

const video = $("#video");
const toasts = $("#toasts");
const player = new LivePlayer(video, channelId, { onState: playerState, forceHls: params.get("player") === "hls" });

const errorText = {
  too_long: "That message is too long.",
  rate_limited: "You're sending messages too fast.",
  muted: "The host has muted you for a while.",
  banned_term: "That message contains a word that isn't allowed here.",
  slow_mode: "Slow mode is on.",
  not_joined: "Still connecting, try again in a moment.",
  invalid: "That message is empty.",
};

const buyText = {
  sold_out: "Sold out, sorry! Keep watching for the next drop.",
  not_on_sale: "This product isn't on sale right now.",
  limit_exceeded: "That's more than one order may hold: lower the quantity.",
  login_required: "Sign in to the shop to buy during the show.",
  invalid: "Choose a quantity of at least 1.",
};

// ---- hub ----------------------------------------------------------------------------------------

// The guest token is the connection's access_token on every (re)connect: the same buyer after a dropped socket.
// Without one yet (the relay was unreachable or minting was limited at load), each (re)connect tries again.
let token = "";
let renewing = false;
const hub = connectHub({
  token: async () => (token ||= await guestToken()),
  onReconnecting: () => showConnection("Reconnecting…"),
  onReconnected: async () => { showConnection(null); await join(); },
  onClose: () => { if (!renewing) showConnection("Disconnected. Reload the page to reconnect."); },
});

hub.on("message", m => addMessage(m));
hub.on("messageDeleted", d => document.querySelector(`[data-message-id="${CSS.escape(d.id)}"]`)?.remove());
hub.on("pinned", p => { state.pinned = p; state.remaining.set(p.sku, p.stock ?? null); renderProduct(); });
hub.on("unpinned", () => { state.pinned = null; renderProduct(); });
hub.on("flashSale", s => { state.sale = s.active === false ? null : s; if (state.sale) state.remaining.set(s.sku, s.remaining); renderProduct(); });
hub.on("stock", s => { state.remaining.set(s.sku, s.remaining); if (state.sale?.sku === s.sku) state.sale.remaining = s.remaining; renderProduct(); });
hub.on("purchase", t => toast(toasts, `${t.displayName || "Someone"} just bought ${t.quantity} × ${productTitle(t.sku)}`, "buy"));
hub.on("order", o => orderUpdate(o));
hub.on("viewers", v => setText($("#viewers"), v.count));
hub.on("status", s => setLive(s.live));

async function join(renewed = false) {
  const name = localStorage.getItem(NAME_KEY);
  const options = {};
  if (name) options.displayName = name;
  if (referrer) options.referrer = referrer;
  let snap;
  try {
    snap = await hub.invoke("Join", channelId, options);
  } catch (err) {
    const { reason } = reasonOf(err);
    if (reason === "unauthorized" && token && !renewed) {
      // The saved guest token expired (or this relay lost its key ring): take a new identity on a new connection.
      token = await guestToken({ renew: true });
      renewing = true;
      await hub.stop();
      renewing = false;
      await startHub(hub, () => showConnection("Can't reach the show right now; retrying…"));
      showConnection(null);
      return join(true);
    }
    showConnection(reason === "not_found" ? "This channel no longer exists." : "Couldn't join the show. Reload the page to try again.");
    return;
  }
  state.joined = true;
  state.you = snap.you;
  state.lineup = snap.lineup ?? [];
  state.pinned = snap.pinned ?? null;
  state.sale = snap.flashSale?.active === false ? null : (snap.flashSale ?? null);
  state.remaining.clear();
  for (const p of state.lineup) state.remaining.set(p.sku, p.stock ?? null);
  if (state.pinned) state.remaining.set(state.pinned.sku, state.pinned.stock ?? null);
  if (state.sale) state.remaining.set(state.sale.sku, state.sale.remaining);
  setText($("#title"), snap.title || channelId);
  document.title = `${snap.title || channelId} · Live`;
  setText($("#viewers"), snap.viewers ?? 0);
  const list = $("#messages");
  list.replaceChildren();
  for (const m of snap.recentMessages ?? []) addMessage(m);
  renderProduct();
  setLive(snap.live);
}

function showConnection(text) {
  const node = $("#connection");
  node.hidden = !text;
  setText(node, text);
}

// ---- video --------------------------------------------------------------------------------------

function setLive(live) {
  state.live = !!live;
  const badge = $("#live-badge");
  badge.className = `badge ${live ? "badge-live" : "badge-offline"}`;
  setText(badge, live ? "Live" : "Offline");
  $("#offline").hidden = !!live;
  player.setLive(!!live);
}

function playerState(s, detail) {
  const overlay = $("#offline");
  if (s === "playing") {
    overlay.hidden = true;
    $("#unmute").hidden = !video.muted;
  } else if (s === "retrying" && state.live) {
    overlay.hidden = false;
    setText($(".overlay-title", overlay), "Reconnecting to the stream…");
    setText($(".overlay-hint", overlay), `Trying again in ${Math.round(detail / 1000)} s. The video comes back by itself.`);
  } else if (s === "offline") {
    setText($(".overlay-title", overlay), state.joined ? "The show is offline" : "The show hasn't started yet");
    setText($(".overlay-hint", overlay), "Stay on this page: the video starts by itself as soon as the host goes live.");
  } else if (s === "unsupported") {
    overlay.hidden = false;
    setText($(".overlay-title", overlay), "This browser can't play the live video");
    setText($(".overlay-hint", overlay), "Open this page in a recent Chrome, Safari, Firefox or Edge. Chat and shopping still work here.");
  } else if (s === "blocked") {
    $("#unmute").hidden = false;
  }
}

$("#unmute").addEventListener("click", () => {
  video.muted = false;
  video.play().catch(() => {});
  $("#unmute").hidden = true;
});

// ---- chat ---------------------------------------------------------------------------------------

function addMessage(m) {
  const list = $("#messages");
  const host = m.role === "host" || m.role === "admin";
  const item = el("li", { class: `message${host ? " message-host" : ""}`, dataset: { messageId: m.id } },
    el("span", { class: "message-name" }, m.displayName || "Guest"),
    host ? el("span", { class: "role-badge" }, "Host") : null,
    el("span", { class: "message-text" }, m.text));
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.append(item);
  while (list.children.length > 200) list.firstElementChild.remove();
  if (atBottom) list.scrollTop = list.scrollHeight;
}

$("#chat-form").addEventListener("submit", async e => {
  e.preventDefault();
  const input = $("#chat-input");
  const text = input.value.trim();
  if (!text) return;
  if (!(await ensureName())) return;
  try {
    await hub.invoke("SendMessage", text);
    input.value = "";
    setText($("#chat-status"), "");
  } catch (err) {
    const { reason, hint } = reasonOf(err);
    setText($("#chat-status"), `${errorText[reason] ?? "Couldn't send the message."}${hint ? ` (${hint})` : ""}`);
  }
});

/** Asks for a display name once (kept in localStorage) and rejoins so the server knows it. */
async function ensureName() {
  if (localStorage.getItem(NAME_KEY)) return true;
  const dialog = $("#name-dialog");
  if (dialog.open) return false; // a second click while the prompt is up
  const input = $("#name-input");
  const name = await new Promise(resolve => {
    const done = value => { dialog.close(); resolve(value); };
    $("#name-form").onsubmit = ev => { ev.preventDefault(); done(input.value.trim()); };
    $("#name-cancel").onclick = () => done("");
    dialog.showModal();
    input.focus();
  });
  if (!name) return false;
  localStorage.setItem(NAME_KEY, name);
  await join();
  return true;
}

// ---- product, flash sale, buy -------------------------------------------------------------------

function productTitle(sku) {
  return state.lineup.find(p => p.sku === sku)?.title ?? (state.pinned?.sku === sku ? state.pinned.title : sku);
}

/** The card shows the running flash sale's product first, else the pinned one. */
function currentProduct() {
  if (state.sale) {
    const base = state.lineup.find(p => p.sku === state.sale.sku) ?? (state.pinned?.sku === state.sale.sku ? state.pinned : null);
    return { ...(base ?? { sku: state.sale.sku, title: state.sale.sku }), sale: state.sale };
  }
  return state.pinned ? { ...state.pinned, sale: null } : null;
}

function renderProduct() {
  const card = $("#product");
  const p = currentProduct();
  card.hidden = !p;
  if (!p) return;
  card.dataset.sku = p.sku;
  const img = $("#product-image");
  if (p.imageUrl) { img.src = p.imageUrl; img.hidden = false; } else { img.removeAttribute("src"); img.hidden = true; }
  setText($("#product-title"), p.title);
  const currency = p.sale?.currency ?? p.currency;
  setText($("#product-price"), money(p.sale ? p.sale.priceCents : p.priceCents, currency));
  const was = $("#product-was");
  was.hidden = !(p.sale && p.priceCents !== undefined && p.priceCents !== p.sale.priceCents);
  setText(was, was.hidden ? "" : money(p.priceCents, p.currency));
  const remaining = state.remaining.has(p.sku) ? state.remaining.get(p.sku) : (p.stock ?? null);
  const stock = $("#product-stock");
  const soldOut = remaining === 0;
  stock.classList.toggle("low", remaining !== null && remaining <= 5);
  setText(stock, remaining === null ? "In stock" : soldOut ? "Sold out" : p.sale ? `Only ${remaining} of ${p.sale.quantity} left at this price` : `${remaining} left`);
  $("#sale-banner").hidden = !p.sale;
  card.classList.toggle("on-sale", !!p.sale);
  const meter = $("#sale-meter");
  meter.hidden = !p.sale;
  if (p.sale) $("#sale-meter-bar").style.width = `${Math.round(100 * (p.sale.remaining ?? 0) / Math.max(1, p.sale.quantity))}%`;
  const qty = $("#qty");
  qty.max = String(Math.max(1, Math.min(10, remaining ?? 10)));
  if (Number(qty.value) > Number(qty.max)) qty.value = qty.max;
  const buy = $("#buy");
  buy.disabled = soldOut;
  setText(buy, soldOut ? "Sold out" : p.sale ? "Grab the deal" : "Buy now");
  tickSale();
}

function tickSale() {
  if (!state.sale) return;
  const left = countdown(state.sale.endsAt);
  setText($("#sale-countdown"), left ?? "00:00");
}
setInterval(tickSale, 1000);

for (const b of document.querySelectorAll(".qty-step")) {
  b.addEventListener("click", () => {
    const qty = $("#qty");
    qty.value = String(Math.min(Number(qty.max), Math.max(1, Number(qty.value) + Number(b.dataset.step))));
  });
}

$("#buy-form").addEventListener("submit", async e => {
  e.preventDefault();
  const p = currentProduct();
  if (!p) return;
  if (!(await ensureName())) return;
  const quantity = Math.max(1, Math.floor(Number($("#qty").value) || 1));
  const status = $("#buy-status");
  const buy = $("#buy");
  buy.disabled = true;
  setText(status, "Placing your order…");
  // One key per click, reused if the call is retried after a reconnect: the server returns the same order.
  const idempotencyKey = newKey();
  try {
    let result;
    for (let attempt = 0; ; attempt++) {
      try {
        result = await hub.invoke("Purchase", { sku: p.sku, quantity, idempotencyKey });
        break;
      } catch (err) {
        if (attempt >= 3 || hub.state === signalR.HubConnectionState.Connected && reasonOf(err).reason !== "not_joined") throw err;
        await new Promise(r => setTimeout(r, 1000));
      }
    }
    if (result.status === "reserved") {
      state.pendingOrders.add(result.orderId);
      status.className = "buy-status pending";
      setText(status, `Reserved! Confirming order ${result.orderId}…`);
    } else {
      status.className = "buy-status error";
      setText(status, buyText[result.status] ?? `The order wasn't placed (${result.reason ?? result.status}).`);
    }
  } catch (err) {
    status.className = "buy-status error";
    setText(status, "The order couldn't be sent: check your connection and try again.");
  } finally {
    buy.disabled = $("#product-stock").textContent === "Sold out";
  }
});

function orderUpdate(o) {
  const status = $("#buy-status");
  if (o.status === "confirmed") {
    status.className = "buy-status ok";
    setText(status, `Order ${o.orderId} confirmed. Thank you!`);
    toast(toasts, "Your order is confirmed", "ok");
  } else {
    status.className = "buy-status error";
    setText(status, `Order ${o.orderId} couldn't be completed; you haven't been charged. Try again or ask in the chat.`);
  }
  state.pendingOrders.delete(o.orderId);
}

// ---- start --------------------------------------------------------------------------------------

showConnection("Connecting…");
token = await guestToken();
await startHub(hub, () => showConnection("Can't reach the show right now; retrying…"));
showConnection(null);
await join();
