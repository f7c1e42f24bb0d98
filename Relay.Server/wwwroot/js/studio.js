// The host console: OBS settings, ingest stats, destinations, chat moderation, line-up, flash sales, orders.
// The host key (or admin token) lives in sessionStorage only: Bearer for the REST API, access_token for the hub.
import { $, el, setText, money, reasonOf, connectHub, startHub, toast, channelIdFromPath, countdown, when } from "./common.js";

const channelId = channelIdFromPath();
const TOKEN_KEY = `relay.studio.token.${channelId}`;
const api = `/api/v1/channels/${encodeURIComponent(channelId)}`;
const toasts = $("#toasts");
// Default push URLs come from the server (GET /api/v1/platforms), the same presets the egress uses.
const presets = {};
fetch("/api/v1/platforms", { cache: "no-store" })
  .then(res => (res.ok ? res.json() : []))
  .then(list => {
    for (const p of list) presets[p.id] = p.defaultUrl ?? "";
    $("#dest-platform").dispatchEvent(new Event("change"));
  })
  .catch(() => { /* the placeholder stays generic; the server still fills the default URL */ });

const state = { channel: null, lineup: [], pinned: null, sale: null, remaining: new Map(), hub: null, orders: [] };
let token = sessionStorage.getItem(TOKEN_KEY);
// The key this tab is rotating away from while "New host key" is in flight. The server ends it before its answer
// arrives, so a poll or a rejoin refused with it meanwhile is no reason to sign out.
let rotatingAway = null;

$("#watch-link").href = `/watch/${encodeURIComponent(channelId)}`;
// Same tab on purpose: sessionStorage is per tab, so the replay page finds the key the host already entered.
$("#replay-link").href = `/replay/${encodeURIComponent(channelId)}`;

class ApiError extends Error {
  constructor(status, detail) { super(detail); this.status = status; }
}

async function call(method, path, body) {
  const used = token;
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { Authorization: `Bearer ${used}`, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    cache: "no-store",
  });
  if (res.status === 401 || res.status === 403) {
    // A poll sent with the key this tab just rotated away is no reason to sign out.
    if (used === token && used !== rotatingAway) signOut("That key doesn't open this channel's studio. Use the channel's host key or the admin token.");
    throw new ApiError(res.status, "unauthorized");
  }
  if (!res.ok) {
    let detail = `${res.status} ${res.statusText}`;
    try { const p = await res.json(); detail = p.detail ?? p.title ?? detail; } catch { /* not problem+json */ }
    throw new ApiError(res.status, detail);
  }
  return res.status === 204 ? null : res.json();
}

// ---- sign in ------------------------------------------------------------------------------------

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  token = null;
  state.hub?.stop();
  state.hub = null;
  $("#studio").hidden = true;
  $("#login").hidden = false;
  setText($("#login-error"), message ?? "");
  $("#token-input").focus();
}

$("#sign-out").addEventListener("click", () => signOut());

$("#login-form").addEventListener("submit", async e => {
  e.preventDefault();
  token = $("#token-input").value.trim();
  $("#token-input").value = "";
  await open();
});

async function open() {
  try {
    state.channel = await call("GET", "");
  } catch (err) {
    if (err.status === 404) setText($("#login-error"), `There is no channel “${channelId}”. Check the studio link.`);
    else if (err.status !== 401 && err.status !== 403) setText($("#login-error"), `Couldn't reach Relay (${err.message}). Is the server running?`);
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $("#login").hidden = true;
  $("#studio").hidden = false;
  renderChannel();
  await connect();
  refreshOrders();
}

// ---- channel, ingest, destinations --------------------------------------------------------------

function renderChannel() {
  const c = state.channel;
  setText($("#title"), c.title);
  document.title = `${c.title} · Studio`;
  setText($("#ingest-url"), c.ingestUrl);
  setText($("#stream-key-masked"), c.streamKey ?? "••••");
  setLive(c.live);
  const i = c.ingest;
  setText($("#st-state"), c.live ? `Live since ${when(i?.since)}` : "Offline");
  setText($("#st-bitrate"), i ? `${Math.round(i.bitrateKbps).toLocaleString()} kbps` : "–");
  setText($("#st-fps"), i?.fps ? i.fps.toFixed(1) : "–");
  setText($("#st-res"), i?.width ? `${i.width}×${i.height}` : "–");
  const kf = $("#st-kf");
  setText(kf, i?.keyframeIntervalSeconds ? `${i.keyframeIntervalSeconds.toFixed(1)} s` : "–");
  kf.classList.toggle("warn", (i?.keyframeIntervalSeconds ?? 0) > 2.05);
  setText($("#st-codecs"), i ? [i.videoCodec, i.audioCodec].filter(Boolean).join(" / ") : "–");
  setText($("#ingest-hint"), !c.live ? "Start streaming in OBS; the numbers appear within a few seconds."
    : (i?.keyframeIntervalSeconds ?? 0) > 2.05 ? "Keyframe interval above 2 s: set it to 2 in OBS (Output → Keyframe Interval); platforms reject longer ones." : "");
  renderDestinations(c.destinations ?? []);
  if (!state.lineup.length && c.lineup) setLineup(c.lineup);
}

let lastDestinations = "";
function renderDestinations(list) {
  const ul = $("#destinations");
  const json = JSON.stringify(list);
  if (json === lastDestinations) return;
  lastDestinations = json;
  // The poll redraws the list: keep keyboard focus on the same destination's switch across the redraw.
  const focusedId = ul.contains(document.activeElement) ? document.activeElement.closest("[data-dest-id]")?.dataset.destId : null;
  ul.replaceChildren(...list.map(d => el("li", { class: "dest", dataset: { destId: d.id } },
    el("div", { class: "dest-head" },
      el("strong", {}, d.name),
      el("span", { class: "muted" }, ` ${d.platform}`),
      el("span", { class: `chip chip-${d.state}` }, d.state),
      el("label", { class: "switch" },
        el("input", { type: "checkbox", role: "switch", checked: d.enabled, "aria-label": `Send to ${d.name}`,
          onchange: ev => toggleDestination(d, ev.target) }),
        el("span", { "aria-hidden": "true" }))),
    el("p", { class: "dest-meta muted" },
      `${d.url ?? ""}  ·  ${d.bitrateKbps ? `${Math.round(d.bitrateKbps)} kbps · ` : ""}reconnects ${d.reconnects ?? 0}` +
      (d.droppedFrames ? ` · dropped ${d.droppedFrames}` : "")),
    d.lastError ? el("p", { class: "error" }, d.lastError) : null,
    ...(d.warnings ?? []).map(w => el("p", { class: "warn" }, `⚠ ${w}`)))));
  if (focusedId) ul.querySelector(`[data-dest-id="${CSS.escape(focusedId)}"] input[role=switch]`)?.focus();
  if (!list.length) ul.append(el("li", { class: "muted" }, "No destinations yet: viewers on this page still get the stream. Add YouTube, Twitch… below."));
}

async function toggleDestination(d, input) {
  input.disabled = true;
  try {
    await call("PATCH", `/destinations/${encodeURIComponent(d.id)}`, { enabled: input.checked });
    await poll();
  } catch (err) {
    input.checked = !input.checked;
    toast(toasts, `Couldn't change ${d.name}: ${err.message}`, "error");
  } finally {
    input.disabled = false;
  }
}

$("#dest-platform").addEventListener("change", e => {
  const preset = presets[e.target.value];
  const url = $("#dest-url");
  url.placeholder = preset || "rtmp://… (the push URL the platform gives you)";
  url.required = !preset;
});

$("#dest-form").addEventListener("submit", async e => {
  e.preventDefault();
  const f = new FormData(e.target);
  const body = { name: f.get("name"), platform: f.get("platform"), enabled: f.get("enabled") === "on" };
  if (f.get("url")) body.url = f.get("url");
  if (f.get("streamKey")) body.streamKey = f.get("streamKey");
  try {
    await call("POST", "/destinations", body);
    e.target.reset();
    $("#dest-platform").dispatchEvent(new Event("change"));
    e.target.closest("details").open = false;
    setText($("#dest-error"), "");
    await poll();
  } catch (err) {
    setText($("#dest-error"), err.message);
  }
});

async function poll() {
  if (!token) return;
  try {
    state.channel = await call("GET", "");
    renderChannel();
  } catch { /* the next poll tries again; an auth failure already signed out */ }
}
setInterval(poll, 2000);

// ---- OBS copy buttons ---------------------------------------------------------------------------

async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // The Clipboard API needs https or localhost; a hidden textarea works on plain http too.
    const area = el("textarea", { class: "sr-only" });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  setText($("#copy-status"), `${what} copied.`);
  setTimeout(() => setText($("#copy-status"), ""), 3000);
}

$("#copy-server").addEventListener("click", () => copy(state.channel.ingestUrl, "Server URL"));
$("#copy-key").addEventListener("click", async () => {
  try {
    // The explicit reveal: the key is fetched only when the host asks for it, and never shown on screen.
    const { streamKey } = await call("GET", "/stream-key");
    await copy(streamKey, "Stream key");
  } catch (err) {
    setText($("#copy-status"), `Couldn't get the stream key: ${err.message}`);
  }
});

// A new host key ends the old one at once (REST and the live room). Signed in with the host key, this tab switches
// to the new one and rejoins; the key is copied, never shown, like the stream key.
$("#rotate-host-key").addEventListener("click", async () => {
  if (!confirm("Make a new host key? The current one stops working at once, for everyone using it.")) return;
  const from = token;
  rotatingAway = from;
  try {
    const { hostKey } = await call("POST", "/host-key/rotate");
    // Only if this tab is still signed in with the key it rotated (not signed out or in with another meanwhile).
    if (from?.startsWith("hk_") && token === from) {
      token = hostKey;
      sessionStorage.setItem(TOKEN_KEY, token);
      await state.hub?.stop();
      await connect();
    }
    await copy(hostKey, "New host key");
  } catch (err) {
    setText($("#copy-status"), `Couldn't make a new host key: ${err.message}`);
  } finally {
    rotatingAway = null;
  }
});

// ---- hub: chat, line-up, sales ------------------------------------------------------------------

async function connect() {
  const hub = connectHub({
    token: () => token,
    onReconnected: () => join(),
    onReconnecting: () => toast(toasts, "Connection lost, reconnecting…", "error"),
  });
  state.hub = hub;
  hub.on("message", m => addMessage(m));
  hub.on("messageDeleted", d => document.querySelector(`[data-message-id="${CSS.escape(d.id)}"]`)?.remove());
  hub.on("pinned", p => { state.pinned = p; renderLineup(); });
  hub.on("unpinned", () => { state.pinned = null; renderLineup(); });
  hub.on("flashSale", s => { state.sale = s.active === false ? null : s; renderSale(); renderLineup(); });
  hub.on("stock", s => { state.remaining.set(s.sku, s.remaining); if (state.sale?.sku === s.sku) state.sale.remaining = s.remaining; renderSale(); renderLineup(); });
  hub.on("purchase", t => { toast(toasts, `${t.displayName || "Someone"} bought ${t.quantity} × ${titleOf(t.sku)}`, "buy"); refreshOrders(); });
  hub.on("viewers", v => setText($("#viewers"), v.count));
  hub.on("status", s => { setLive(s.live); poll(); });
  await startHub(hub, () => toast(toasts, "Can't reach the live room; retrying…", "error"));
  await join();
}

async function join() {
  let snap;
  try {
    snap = await state.hub.invoke("Join", channelId, {});
  } catch (err) {
    const { reason } = reasonOf(err);
    if (reason === "unauthorized") {
      if (token !== rotatingAway) signOut("That key doesn't open this channel's live room. Use the channel's host key or the admin token.");
    } else toast(toasts, `Couldn't join the live room (${reason}). Reload to try again.`, "error");
    return;
  }
  if (snap.you?.role !== "host" && snap.you?.role !== "admin") {
    signOut("That key signs in as a viewer, not as the host.");
    return;
  }
  setText($("#viewers"), snap.viewers ?? 0);
  state.pinned = snap.pinned ?? null;
  state.sale = snap.flashSale?.active === false ? null : (snap.flashSale ?? null);
  setLineup(snap.lineup ?? []);
  $("#slow-mode").value = String(snap.slowModeSeconds ?? 0);
  $("#messages").replaceChildren();
  for (const m of snap.recentMessages ?? []) addMessage(m);
  renderSale();
}

function setLive(live) {
  const badge = $("#live-badge");
  badge.className = `badge ${live ? "badge-live" : "badge-offline"}`;
  setText(badge, live ? "Live" : "Offline");
}

function titleOf(sku) {
  return state.lineup.find(p => p.sku === sku)?.title ?? sku;
}

function addMessage(m) {
  const list = $("#messages");
  const host = m.role === "host" || m.role === "admin";
  const actions = host ? null : el("span", { class: "message-actions" },
    el("button", { class: "btn btn-small", type: "button", "aria-label": `Delete message from ${m.displayName}`,
      onclick: () => moderate("DeleteMessage", m.id) }, "Delete"),
    el("button", { class: "btn btn-small", type: "button", "aria-label": `Mute ${m.displayName} for 10 minutes`,
      onclick: () => moderate("Mute", m.userId, 600).then(ok => ok && toast(toasts, `${m.displayName} is muted for 10 minutes.`)) }, "Mute 10 min"));
  list.append(el("li", { class: `message${host ? " message-host" : ""}`, dataset: { messageId: m.id } },
    el("span", { class: "message-name" }, m.displayName || "Guest"),
    host ? el("span", { class: "role-badge" }, "Host") : null,
    el("span", { class: "message-text" }, m.text),
    actions));
  while (list.children.length > 300) list.firstElementChild.remove();
  list.scrollTop = list.scrollHeight;
}

async function moderate(method, ...args) {
  try {
    await state.hub.invoke(method, ...args);
    return true;
  } catch (err) {
    toast(toasts, `${method} failed: ${reasonOf(err).message}`, "error");
    return false;
  }
}

$("#slow-mode").addEventListener("change", e => moderate("SetSlowMode", Number(e.target.value)));

$("#chat-form").addEventListener("submit", async e => {
  e.preventDefault();
  const input = $("#chat-input");
  if (!input.value.trim()) return;
  try {
    await state.hub.invoke("SendMessage", input.value.trim());
    input.value = "";
    setText($("#chat-status"), "");
  } catch (err) {
    setText($("#chat-status"), `Not sent: ${reasonOf(err).message}`);
  }
});

function setLineup(lineup) {
  state.lineup = lineup;
  for (const p of lineup) if (!state.remaining.has(p.sku)) state.remaining.set(p.sku, p.stock ?? null);
  const select = $("#sale-sku");
  const chosen = select.value;
  select.replaceChildren(...lineup.map(p => el("option", { value: p.sku }, `${p.title} (${money(p.priceCents, p.currency)})`)));
  if (chosen) select.value = chosen;
  renderLineup();
}

function renderLineup() {
  const ul = $("#lineup");
  ul.replaceChildren(...state.lineup.map(p => {
    const pinned = state.pinned?.sku === p.sku;
    const onSale = state.sale?.sku === p.sku;
    const remaining = state.remaining.get(p.sku);
    return el("li", { class: `product-row${pinned ? " pinned" : ""}`, dataset: { sku: p.sku } },
      p.imageUrl ? el("img", { src: p.imageUrl, alt: "", width: 44, height: 44 }) : el("span", { class: "img-ph" }),
      el("div", { class: "product-row-body" },
        el("strong", {}, p.title),
        el("span", { class: "muted" }, ` ${p.sku} · ${money(p.priceCents, p.currency)} · ${remaining === null || remaining === undefined ? "unlimited" : `${remaining} in stock`}`),
        onSale ? el("span", { class: "chip chip-sale" }, "flash sale") : null),
      el("button", { class: `btn btn-small ${pinned ? "btn-ghost" : "btn-primary"}`, type: "button",
        onclick: () => pinned ? moderate("Unpin") : moderate("Pin", p.sku) }, pinned ? "Unpin" : "Pin"));
  }));
}

let saleTimer = 0;
function renderSale() {
  clearInterval(saleTimer);
  const s = state.sale;
  $("#sale-end").disabled = !s;
  const status = $("#sale-status");
  const draw = () => {
    if (!state.sale) { setText(status, "No flash sale running."); return; }
    setText(status, `⚡ ${titleOf(s.sku)} at ${money(s.priceCents, s.currency)}: ${s.remaining} of ${s.quantity} left, ends in ${countdown(s.endsAt) ?? "00:00"}`);
  };
  draw();
  if (s) saleTimer = setInterval(draw, 1000);
}

$("#sale-form").addEventListener("submit", async e => {
  e.preventDefault();
  const f = new FormData(e.target);
  const ok = await moderate("StartFlashSale", {
    sku: f.get("sku"),
    priceCents: Math.round(Number(f.get("price")) * 100),
    quantity: Math.floor(Number(f.get("quantity"))),
    durationSeconds: Math.round(Number(f.get("minutes")) * 60),
  });
  if (ok) toast(toasts, "Flash sale started.", "ok");
});
$("#sale-end").addEventListener("click", () => moderate("EndFlashSale"));

// ---- orders -------------------------------------------------------------------------------------

let ordersInFlight = false;
async function refreshOrders() {
  if (!token || ordersInFlight) return;
  ordersInFlight = true;
  try {
    state.orders = await call("GET", "/orders");
    renderOrders();
  } catch { /* retried by the next poll */ }
  finally { ordersInFlight = false; }
}
setInterval(refreshOrders, 5000);

function renderOrders() {
  const orders = [...state.orders].sort((a, b) => new Date(b.createdAt) - new Date(a.createdAt));
  $("#orders-empty").hidden = orders.length > 0;
  $("#orders").replaceChildren(...orders.slice(0, 100).map(o => el("li", { class: `order order-${o.status}`, dataset: { orderId: o.orderId } },
    el("span", { class: "order-time muted" }, when(o.createdAt)),
    el("span", { class: "order-what" }, `${o.quantity} × ${titleOf(o.sku)}`),
    o.flashSale ? el("span", { class: "chip chip-sale" }, "flash") : null,
    el("span", { class: "order-amount" }, money(o.unitPriceCents * o.quantity, o.currency)),
    el("span", { class: `chip chip-${o.status}` }, o.status.replace("_", " ")))));
  const totals = new Map();
  for (const o of orders) {
    if (o.status !== "confirmed") continue;
    totals.set(o.currency, (totals.get(o.currency) ?? 0) + o.unitPriceCents * o.quantity);
  }
  setText($("#sales-total"), totals.size ? [...totals].map(([c, v]) => money(v, c)).join(" + ") : money(0, "USD"));
}

// ---- start --------------------------------------------------------------------------------------

if (token) await open();
else signOut();
