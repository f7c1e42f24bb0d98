// The viewer page: live video, chat, the pinned product with Buy, flash-sale countdown, toasts; every word through the
// string tables (i18n.js), money and times in the page's language.
import { $, el, setText, money, newKey, reasonOf, connectHub, startHub, toast, channelIdFromPath, countdown, guestToken } from "./common.js";
import { t, has, translate, languagePicker, number, dateTime } from "./i18n.js";
import { LivePlayer } from "./player.js";
import { initCoupons } from "./watch-coupons.js";
import { followUi } from "./watch-follow.js";
import { mountLikes } from "./watch-likes.js";
import { mountDraws } from "./watch-draws.js";
import { initEmbed } from "./watch-embed.js";
import { setShareCode } from "./watch-share.js";
import { mountCues } from "./watch-cues.js";

translate();
$("#lang-slot").append(languagePicker());

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
  nextShowAt: null,    // Date of the channel's next show (the snapshot's nextShowAt), or null
  seq: 0,              // the last room event applied (contract v2 seq): older or repeated ones are skipped
};

const video = $("#video");
const toasts = $("#toasts");
const player = new LivePlayer(video, channelId, { onState: playerState, forceHls: params.get("player") === "hls" });

/** A refusal's sentence (watch.chatError.* / watch.buy.refused.*), or the general one for a reason this page doesn't know yet. */
function sentence(prefix, reason, fallback) {
  return has(`${prefix}.${reason}`) ? t(`${prefix}.${reason}`) : t(fallback);
}

/** A chat refusal in words; the server's hint is English ("wait 3 s"), so only its number is shown. */
function chatRefusal(reason, hint) {
  const text = sentence("watch.chatError", reason, "watch.chatError.generic");
  const seconds = /wait (\d+) s/.exec(hint ?? "")?.[1];
  return seconds ? t("watch.chatError.withWait", { reason: text, seconds: number(Number(seconds)) }) : text;
}

// ---- hub ----------------------------------------------------------------------------------------

// The guest token is the connection's access_token on every (re)connect: the same buyer after a dropped socket.
// Without one yet (the relay was unreachable or minting was limited at load), each (re)connect tries again.
let token = "";
let renewing = false;
// A shop's viewer token (#token= or the framing shop's postMessage, watch-embed.js) wins over the guest token.
let started = false, connectedWith = null;
const embed = initEmbed({ onToken: () => { if (started) reconnect(); } });
const hub = connectHub({
  token: async () => (connectedWith = embed.token()) || (token ||= await guestToken()),
  onReconnecting: () => showConnection(t("watch.connection.reconnecting")),
  onReconnected: async () => { showConnection(null); await resume(); },
  onClose: () => { if (!renewing) showConnection(t("watch.connection.closed")); },
});

const follow = followUi(hub);
// Room events carry the room's seq: each is applied once, in order. While a reconnected page resumes, live events wait
// behind the ones Resume replays; one at or below what the page has (already in a snapshot or a replay) is skipped.
const roomHandlers = new Map();
let resuming = null; // live events held while Resume is in flight

/** Registers the handler of a room event (live, and replayed by Resume). */
function onRoomEvent(name, handler) {
  roomHandlers.set(name, handler);
  hub.on(name, payload => {
    if (resuming) resuming.push([name, payload]);
    else applyRoomEvent(name, payload);
  });
}

function applyRoomEvent(name, payload) {
  const seq = payload?.seq ?? 0;
  if (seq > 0) {
    if (seq <= state.seq) return;
    state.seq = seq;
  }
  roomHandlers.get(name)?.(payload);
}

onRoomEvent("message", m => addMessage(m));
onRoomEvent("messageDeleted", d => document.querySelector(`[data-message-id="${CSS.escape(d.id)}"]`)?.remove());
const cues = mountCues({ player, video, onRoomEvent });
onRoomEvent("pinned", p => cues.pin(p, () => { state.pinned = p; state.remaining.set(p.sku, p.stock ?? null); renderProduct(); embed.pinned(p.sku); }));
onRoomEvent("unpinned", () => { cues.drop("pin"); state.pinned = null; renderProduct(); embed.pinned(null); });
function applySale(s) { state.sale = s.active === false ? null : s; if (state.sale) state.remaining.set(s.sku, s.remaining); renderProduct(); }
// A sale's start waits for the picture like a pin; its end (active false) shows at once and drops a start still held.
onRoomEvent("flashSale", s => { if (s.active === false) { cues.drop("sale"); applySale(s); } else cues.sale(s, () => applySale(s)); });
onRoomEvent("stock", s => { state.remaining.set(s.sku, s.remaining); if (state.sale?.sku === s.sku) state.sale.remaining = s.remaining; renderProduct(); });
onRoomEvent("purchase", p => toast(toasts, t("watch.toast.bought", {
  name: p.displayName || t("watch.toast.someone"), quantity: number(p.quantity), title: productTitle(p.sku),
}), "buy"));
onRoomEvent("viewers", v => setText($("#viewers"), number(v.count)));
onRoomEvent("status", s => { if (s.nextShowAt !== undefined) setNextShow(s.nextShowAt); setLive(s.live); });
// The host set, moved or cleared the next show (PATCH nextShowAt): the offline overlay follows at once.
onRoomEvent("nextShow", e => setNextShow(e.nextShowAt));
const coupons = initCoupons(hub, { titleOf: sku => productTitle(sku), onRoomEvent });
// To this buyer only, no seq.
hub.on("order", o => { orderUpdate(o); embed.order(o); });
// The host changed the show's products: the bag follows (each node sends it to its own viewers, no seq).
hub.on("lineup", e => {
  state.lineup = e.items ?? [];
  for (const p of state.lineup) state.remaining.set(p.sku, p.stock ?? null);
  renderProduct();
});

/** After a reconnect: the events missed while away (or a fresh snapshot when the room no longer keeps them), then the
 * live events that arrived meanwhile. A page that never joined joins. */
async function resume() {
  if (!state.joined) return join();
  resuming = [];
  try {
    const result = await hub.invoke("Resume", channelId, state.seq);
    state.you = result.you ?? state.you;
    if (result.snapshot) applySnapshot(result.snapshot);
    else {
      follow.joined({ you: state.you });
      for (const e of result.events ?? []) applyRoomEvent(e.name, e[e.name]);
    }
    state.seq = Math.max(state.seq, result.seq ?? 0);
  } catch {
    // A relay without Resume, or one that refused it: start over from a snapshot.
    const held = resuming;
    resuming = null;
    await join();
    for (const [name, payload] of held) applyRoomEvent(name, payload);
    return;
  }
  const held = resuming;
  resuming = null;
  for (const [name, payload] of held) applyRoomEvent(name, payload);
}
const likes = mountLikes(hub, { onRoomEvent });
const draws = mountDraws(hub, { channelId, productTitle: sku => productTitle(sku), onRoomEvent });

async function join(renewed = false) {
  const name = localStorage.getItem(NAME_KEY);
  const options = {};
  if (name) options.displayName = name;
  if (referrer) options.referrer = referrer;
  // Live events that arrive before the snapshot wait for it: applied first, the snapshot would undo them.
  const outer = resuming;
  if (!outer) resuming = [];
  const release = () => {
    if (outer) return;
    const held = resuming;
    resuming = null;
    for (const [name, payload] of held) applyRoomEvent(name, payload);
  };
  let snap;
  try {
    snap = await hub.invoke("Join", channelId, options);
  } catch (err) {
    release();
    const { reason } = reasonOf(err);
    if (reason === "unauthorized" && embed.token() && !renewed) { embed.forget(); return reconnect(true); }
    if (reason === "unauthorized" && token && !renewed) {
      // The saved guest token expired (or this relay lost its key ring): take a new identity on a new connection.
      token = await guestToken({ renew: true });
      renewing = true;
      await hub.stop();
      renewing = false;
      await startHub(hub, () => showConnection(t("watch.connection.unreachable")));
      showConnection(null);
      return join(true);
    }
    showConnection(t(reason === "not_found" ? "watch.connection.notFound" : "watch.connection.joinFailed"));
    return;
  }
  applySnapshot(snap);
  release();
}

/** Takes a Join snapshot (or the one Resume answers with) as the page's whole state. */
function applySnapshot(snap) {
  state.joined = true;
  state.seq = snap.seq ?? 0;
  state.you = snap.you;
  setShareCode(channelId, snap.you?.shareCode);
  state.lineup = snap.lineup ?? [];
  cues.drop();
  state.pinned = snap.pinned ?? null;
  embed.pinned(state.pinned?.sku);
  state.sale = snap.flashSale?.active === false ? null : (snap.flashSale ?? null);
  state.remaining.clear();
  for (const p of state.lineup) state.remaining.set(p.sku, p.stock ?? null);
  if (state.pinned) state.remaining.set(state.pinned.sku, state.pinned.stock ?? null);
  if (state.sale) state.remaining.set(state.sale.sku, state.sale.remaining);
  setText($("#title"), snap.title || channelId);
  document.title = t("watch.documentTitle", { title: snap.title || channelId });
  setText($("#viewers"), number(snap.viewers ?? 0));
  setNextShow(snap.nextShowAt);
  follow.joined(snap);
  const list = $("#messages");
  list.replaceChildren();
  for (const m of snap.recentMessages ?? []) addMessage(m);
  renderProduct();
  coupons.snapshot(snap.coupons);
  likes.snapshot(snap);
  draws.snapshot(snap);
  setLive(snap.live);
}

/** A new connection (a new viewer token from the shop, or a refused one dropped), then Join again. */
let reconnecting = null;
function reconnect(renewed = false) {
  return (reconnecting ??= (async () => {
    renewing = true;
    await hub.stop();
    renewing = false;
    await startHub(hub, () => showConnection(t("watch.connection.unreachable")));
    showConnection(null);
    await join(renewed);
  })().finally(() => { reconnecting = null; }));
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
  setText(badge, t(live ? "watch.badge.live" : "watch.badge.offline"));
  $("#offline").hidden = !!live;
  player.setLive(!!live);
  tickNextShow();
}

// ---- next show (offline) ------------------------------------------------------------------------

/** A start further back than this is stale (the show never happened, or the host forgot to clear it): not shown. */
const NEXT_SHOW_STALE_MS = 2 * 3600 * 1000;

function setNextShow(iso) {
  const at = iso ? new Date(iso) : null;
  state.nextShowAt = at && !Number.isNaN(at.getTime()) ? at : null;
  const node = $("#next-show-at");
  if (state.nextShowAt) {
    node.dateTime = state.nextShowAt.toISOString();
    setText(node, dateTime(state.nextShowAt));
  }
  follow.nextShow(state.nextShowAt);
  tickNextShow();
}

/** "Next show: <date>" with a live countdown, on the offline overlay only; "starting soon" once the time has come. */
function tickNextShow() {
  const block = $("#next-show");
  const at = state.nextShowAt;
  const show = !state.live && !!at && Date.now() - at.getTime() < NEXT_SHOW_STALE_MS;
  block.hidden = !show;
  if (!show) return;
  const left = Math.round((at.getTime() - Date.now()) / 1000);
  const text = left <= 0 ? t("watch.nextShow.soon") : t("watch.nextShow.countdown", { countdown: formatLeft(left) });
  setText($("#next-show-countdown"), text);
}

/** 1:02:03, or "2 d 03:04:05" (2 天 03:04:05) beyond a day. */
function formatLeft(seconds) {
  const days = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
  const pad = v => String(v).padStart(2, "0");
  if (days > 0) return t("watch.nextShow.days", { days: number(days), time: `${pad(h)}:${pad(m)}:${pad(s)}` });
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

function playerState(s, detail) {
  const overlay = $("#offline");
  if (s === "playing") {
    overlay.hidden = true;
    $("#unmute").hidden = !video.muted;
  } else if (s === "retrying" && state.live) {
    overlay.hidden = false;
    setText($(".overlay-title", overlay), t("player.retrying.title"));
    setText($(".overlay-hint", overlay), t("player.retrying.hint", { seconds: number(Math.round(detail / 1000)) }));
  } else if (s === "offline") {
    setText($(".overlay-title", overlay), t(state.joined ? "watch.offline.ended" : "watch.offline.notStarted"));
    setText($(".overlay-hint", overlay), t("watch.offline.hint"));
  } else if (s === "unsupported") {
    overlay.hidden = false;
    setText($(".overlay-title", overlay), t("player.unsupported.title"));
    setText($(".overlay-hint", overlay), t("player.unsupported.hint"));
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
    el("span", { class: "message-name" }, m.displayName || t("watch.chat.guest")),
    host ? el("span", { class: "role-badge" }, t("watch.chat.host")) : null,
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
    setText($("#chat-status"), chatRefusal(reason, hint));
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
  renderBag();
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
  setText(stock, remaining === null ? t("watch.stock.inStock")
    : soldOut ? t("watch.stock.soldOut")
    : p.sale ? t("watch.stock.saleLeft", { remaining: number(remaining), quantity: number(p.sale.quantity) })
    : t("watch.stock.left", { remaining: number(remaining) }));
  stock.dataset.soldOut = soldOut ? "true" : "false";
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
  setText(buy, t(soldOut ? "watch.buy.soldOut" : p.sale ? "watch.buy.deal" : "watch.buy.now"));
  tickSale();
}

// ---- the bag: every product of the show -----------------------------------------------------------

/** The line-up in the bag's order: the flash sale's product, then the pinned one, then the rest as the host listed them. */
function bagProducts() {
  const rank = p => (state.sale?.sku === p.sku ? 0 : state.pinned?.sku === p.sku ? 1 : 2);
  return state.lineup.map((p, i) => ({ p, i })).sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i).map(x => x.p);
}

function renderBag() {
  const products = bagProducts();
  $("#bag-open").hidden = products.length === 0;
  setText($("#bag-count"), number(products.length));
  if (!$("#bag").open) return;
  $("#bag-empty").hidden = products.length > 0;
  $("#bag-list").replaceChildren(...products.map(bagItem));
}

function bagItem(p) {
  const sale = state.sale?.sku === p.sku ? state.sale : null;
  const pinned = state.pinned?.sku === p.sku;
  const remaining = state.remaining.has(p.sku) ? state.remaining.get(p.sku) : (p.stock ?? null);
  const soldOut = remaining === 0;
  const stock = remaining === null ? t("watch.stock.inStock") : soldOut ? t("watch.stock.soldOut") : t("watch.stock.left", { remaining: number(remaining) });
  const button = el("button", { class: `btn ${sale ? "btn-sale" : "btn-buy"} btn-small`, type: "button", disabled: soldOut },
    t(soldOut ? "watch.buy.soldOut" : "watch.bag.buy"));
  button.addEventListener("click", () => placeOrder(p.sku, 1, $("#bag-status"), button));
  return el("li", { class: `bag-item${sale ? " on-sale" : ""}${pinned ? " pinned" : ""}`, dataset: { sku: p.sku } },
    p.imageUrl ? el("img", { src: p.imageUrl, alt: "", width: 56, height: 56, loading: "lazy" }) : el("span", { class: "bag-noimage" }),
    el("span", { class: "bag-item-title" },
      sale ? el("span", { class: "bag-tag" }, t("watch.bag.tag.sale")) : null,
      pinned ? el("span", { class: "bag-tag pinned" }, t("watch.bag.tag.pinned")) : null,
      p.title),
    button,
    el("span", { class: "bag-item-meta" },
      el("span", { class: "bag-item-price" }, money(sale ? sale.priceCents : p.priceCents, sale?.currency ?? p.currency)),
      sale ? el("s", {}, money(p.priceCents, p.currency)) : null, " ", stock));
}

$("#bag-open").addEventListener("click", () => { $("#bag").showModal(); renderBag(); });
$("#bag-close").addEventListener("click", () => $("#bag").close());

function tickSale() {
  if (!state.sale) return;
  // An announced sale (pre-launch) counts down to its start first.
  const upcoming = state.sale.startsAt && new Date(state.sale.startsAt) > Date.now();
  setText($("#sale-banner-label"), t(upcoming ? "watch.sale.startsIn" : "watch.sale.banner"));
  const left = countdown(upcoming ? state.sale.startsAt : state.sale.endsAt);
  setText($("#sale-countdown"), left ?? "00:00");
}
setInterval(() => { tickSale(); tickNextShow(); }, 1000);

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
  const quantity = Math.max(1, Math.floor(Number($("#qty").value) || 1));
  await placeOrder(p.sku, quantity, $("#buy-status"), $("#buy"));
  $("#buy").disabled = $("#product-stock").dataset.soldOut === "true";
});

/** What one unit of <sku> costs now: the flash sale's price while it runs on it, else the line-up's. */
function priceOf(sku) {
  if (state.sale?.sku === sku) return { priceCents: state.sale.priceCents, currency: state.sale.currency };
  const p = state.lineup.find(x => x.sku === sku) ?? (state.pinned?.sku === sku ? state.pinned : null);
  return { priceCents: p?.priceCents ?? 0, currency: p?.currency };
}

/** Where each pending order's answer is shown: the card's status line or the bag's. */
const orderStatus = new Map();

/** Places one order of <quantity> × <sku>, telling the buyer in <status>; <button> is disabled meanwhile. */
async function placeOrder(sku, quantity, status, button) {
  if (!(await ensureName())) return;
  button.disabled = true;
  status.className = "buy-status pending";
  setText(status, t("watch.buy.placing"));
  // One key per click, reused if the call is retried after a reconnect: the server returns the same order.
  const idempotencyKey = newKey();
  const { priceCents, currency } = priceOf(sku);
  const couponId = coupons.couponFor(sku, quantity * priceCents);
  try {
    let result;
    for (let attempt = 0; ; attempt++) {
      try {
        result = await hub.invoke("Purchase", couponId ? { sku, quantity, idempotencyKey, couponId } : { sku, quantity, idempotencyKey });
        break;
      } catch (err) {
        if (attempt >= 3 || hub.state === signalR.HubConnectionState.Connected && reasonOf(err).reason !== "not_joined") throw err;
        await new Promise(r => setTimeout(r, 1000));
      }
    }
    if (result.status === "reserved") {
      state.pendingOrders.add(result.orderId);
      orderStatus.set(result.orderId, status);
      status.className = "buy-status pending";
      // The order id is for support, not for reading: kept on the element, not in the sentence.
      status.dataset.orderId = result.orderId;
      setText(status, t("watch.buy.reserved"));
      coupons.purchased(couponId, result, currency);
    } else {
      status.className = "buy-status error";
      status.dataset.reason = result.reason ?? result.status;
      setText(status, sentence("watch.buy.refused", result.status, "watch.buy.refused.other"));
    }
  } catch (err) {
    status.className = "buy-status error";
    setText(status, t("watch.buy.sendFailed"));
  } finally {
    button.disabled = state.remaining.get(sku) === 0;
  }
}

function orderUpdate(o) {
  const status = orderStatus.get(o.orderId) ?? $("#buy-status");
  orderStatus.delete(o.orderId);
  if (o.status === "confirmed") {
    status.className = "buy-status ok";
    status.dataset.orderId = o.orderId;
    setText(status, t("watch.order.confirmed"));
    toast(toasts, t("watch.order.toast"), "ok");
  } else {
    status.className = "buy-status error";
    status.dataset.orderId = o.orderId;
    setText(status, t("watch.order.failed"));
  }
  state.pendingOrders.delete(o.orderId);
}

// ---- start --------------------------------------------------------------------------------------

showConnection(t("watch.connection.connecting"));
if (!embed.token()) token = await guestToken();
await startHub(hub, () => showConnection(t("watch.connection.unreachable")));
showConnection(null);
await join();
started = true;
if (embed.token() && embed.token() !== connectedWith) await reconnect();
