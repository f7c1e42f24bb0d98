// The replay page: a channel's recordings, played as non-live FLV through mpegts.js, with the product that
// was on screen at the playback position (rebuilt from the recording's timeline) and a clickable timeline.
// The host key (or admin token) is the studio's: same sessionStorage entry, so the studio's "Recordings"
// link opens this page signed in, and it is sent only as a Bearer header, never in a URL.
import { $, el, setText, money, channelIdFromPath } from "./common.js";
import { t, translate, languagePicker, number, dateTime } from "./i18n.js";

translate();
$("#lang-slot").append(languagePicker());

const channelId = channelIdFromPath();
const TOKEN_KEY = `relay.studio.token.${channelId}`;
const api = `/api/v1/channels/${encodeURIComponent(channelId)}`;
const video = $("#video");

let token = sessionStorage.getItem(TOKEN_KEY);
const state = { recordings: [], current: null, events: [], titles: new Map(), player: null, loadSeq: 0 };

$("#studio-link").href = `/studio/${encodeURIComponent(channelId)}`;

class ApiError extends Error {
  constructor(status, detail) { super(detail); this.status = status; }
}

async function get(url) {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, cache: "no-store" });
  if (!res.ok) {
    let detail = `${res.status} ${res.statusText}`;
    try { const p = await res.json(); detail = p.detail ?? p.title ?? detail; } catch { /* not problem+json */ }
    throw new ApiError(res.status, detail);
  }
  return res.json();
}

// ---- sign in ------------------------------------------------------------------------------------

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  token = null;
  stopPlayer();
  state.recordings = [];
  $("#recordings").replaceChildren();
  $("#replay").hidden = true;
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
  let recordings;
  try {
    recordings = await get(`${api}/recordings`);
  } catch (err) {
    if (err.status === 401 || err.status === 403) {
      signOut(t("replay.login.refused"));
    } else if (err.status === 404) {
      signOut(t("replay.login.noChannel", { channel: channelId }));
    } else {
      signOut(t("replay.login.unreachable", { status: err.status ?? "" }));
    }
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $("#login").hidden = true;
  $("#replay").hidden = false;
  state.recordings = recordings;
  renderRecordings();
  // The title is a nicety: the list is what the page is for, so a failure here is not shown.
  get(api).then(c => { setText($("#title"), c.title); document.title = t("replay.documentTitle", { title: c.title }); }).catch(() => {});
}

// ---- recordings list ----------------------------------------------------------------------------

function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "–";
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** Sizes in the units both languages write (B, KB, MB ...), the number in the page's language. */
function formatBytes(bytes) {
  if (!bytes) return "0 B";
  const units = ["B", "KB", "MB", "GB", "TB"];
  const i = Math.min(units.length - 1, Math.floor(Math.log(bytes) / Math.log(1024)));
  const digits = i === 0 ? 0 : 1;
  return `${number(bytes / 1024 ** i, { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${units[i]}`;
}

const formatDate = iso => dateTime(iso);

function renderRecordings() {
  const list = $("#recordings");
  list.replaceChildren(...state.recordings.map(r => el("li", {},
    el("button", {
      type: "button", class: "recording", dataset: { id: r.id },
      "aria-current": state.current?.id === r.id ? "true" : undefined,
      onclick: () => select(r),
    },
      el("span", { class: "recording-date" }, formatDate(r.startedAt)),
      el("span", { class: "recording-meta muted" },
        r.inProgress ? t("replay.list.liveNow") : formatDuration(r.durationSeconds), " · ", formatBytes(r.bytes)),
      r.inProgress ? el("span", { class: "chip chip-live" }, t("replay.list.recording")) : null))));
  $("#recordings-empty").hidden = state.recordings.length > 0;
}

// ---- player -------------------------------------------------------------------------------------

function stopPlayer() {
  const p = state.player;
  state.player = null;
  if (!p) return;
  try { p.pause(); p.unload(); p.detachMediaElement(); p.destroy(); } catch { /* half-started players may throw; it is gone either way */ }
}

async function select(recording) {
  const seq = ++state.loadSeq;
  stopPlayer();
  state.current = recording;
  renderRecordings();
  setText($("#player-error"), "");
  setText($("#player-status"), "");
  setText($("#player-hint"), formatDate(recording.startedAt));
  try {
    const timeline = await get(recording.timelineUrl);
    // A second click while the timeline loaded: the later choice wins.
    if (seq !== state.loadSeq) return;
    setTimeline(timeline);
  } catch (err) {
    if (seq !== state.loadSeq) return;
    if (err.status === 401 || err.status === 403) {
      signOut(t("replay.login.expired"));
      return;
    }
    // Still playable without its markers (e.g. a timeline lost to a crash): say so and play.
    setTimeline({ events: [] });
    setText($("#player-error"), t("replay.player.noTimeline"));
  }
  play(recording);
}

function play(recording) {
  const mpegts = window.mpegts;
  $("#stage").hidden = false;
  if (!mpegts?.getFeatureList?.().mseLivePlayback && !mpegts?.isSupported?.()) {
    setText($("#player-error"), t("replay.player.unsupported"));
    return;
  }
  mpegts.LoggingControl.enableVerbose = false;
  mpegts.LoggingControl.enableDebug = false;
  mpegts.LoggingControl.enableInfo = false;
  const source = { type: "flv", isLive: false, url: new URL(recording.url, location.href).href };
  // The recorder writes no duration into the FLV; the timeline's tells the seek bar how long the show is.
  if (recording.durationSeconds) source.duration = Math.round(recording.durationSeconds * 1000);
  const player = mpegts.createPlayer(source, {
    enableWorker: false,
    // The header rides on the media requests, so the key never appears in a URL (and so never in server logs).
    headers: { Authorization: `Bearer ${token}` },
    // The recorder's FLV has no keyframe index, so mpegts.js can seek only inside what it has buffered. Buffering
    // a whole show is no way out: Chrome's MSE quota (~150 MB) is ~8 min at 2.5 Mbps and loading would stall
    // there. So a show of any length plays through, with the default window (up to ~3 min behind and ahead of
    // the play head) seekable; see docs/pages.md "Known limits".
    lazyLoad: true,
    autoCleanupSourceBuffer: true,
  });
  player.on(mpegts.Events.ERROR, (type, detail, info) => {
    const status = info?.code;
    const problem = $("#player-error");
    problem.dataset.detail = `${type}: ${detail}`;
    setText(problem, t(status === 401 || status === 403 ? "replay.player.refused" : "replay.player.failed"));
  });
  player.attachMediaElement(video);
  player.load();
  state.player = player;
  video.play()?.catch?.(() => { /* autoplay refused: the controls are there to press play */ });
  updateProduct();
}

// ---- timeline and product panel -----------------------------------------------------------------

function setTimeline(timeline) {
  state.events = [...(timeline.events ?? [])]
    .filter(e => Number.isFinite(e.offsetSeconds))
    .sort((a, b) => a.offsetSeconds - b.offsetSeconds);
  // Flash-sale events carry only the SKU: name the product from any pin of it in the same show.
  state.titles = new Map();
  for (const e of state.events) {
    if (e.kind === "pinned" && e.payload?.sku && e.payload.title) state.titles.set(e.payload.sku, e.payload.title);
  }
  renderEvents();
  updateProduct();
}

function describe(e) {
  const p = e.payload ?? {};
  const name = state.titles.get(p.sku) ?? p.title ?? p.sku ?? "";
  switch (e.kind) {
    case "pinned": return t("replay.event.pinned", { title: name });
    case "unpinned": return t("replay.event.unpinned");
    case "flashSale":
      return p.active === false
        ? t("replay.event.saleEnded", { title: name })
        : t("replay.event.sale", { title: name, price: money(p.priceCents, p.currency), quantity: p.quantity ?? "?" });
    default: return t("replay.event.other");
  }
}

function renderEvents() {
  $("#events-card").hidden = false;
  $("#events").replaceChildren(...state.events.map((e, i) => el("li", {},
    el("button", {
      type: "button", class: `timeline-event timeline-${e.kind}`, dataset: { index: i, offset: e.offsetSeconds },
      onclick: () => seek(e.offsetSeconds),
    },
      el("span", { class: "timeline-time" }, formatDuration(e.offsetSeconds)),
      el("span", { class: "timeline-text" }, describe(e))))));
  $("#events-empty").hidden = state.events.length > 0;
}

function seek(seconds) {
  video.currentTime = seconds;
  updateProduct();
  video.play()?.catch?.(() => {});
}

/** What was on screen at time t: the last pin not undone by a later unpin, and a sale between its start and end. */
function stateAt(t) {
  let product = null, sale = null, current = -1;
  state.events.forEach((e, i) => {
    if (e.offsetSeconds > t) return;
    current = i;
    if (e.kind === "pinned") product = e.payload;
    else if (e.kind === "unpinned") product = null;
    else if (e.kind === "flashSale") sale = e.payload?.active === false ? null : { ...e.payload, startedAt: e };
  });
  // A sale that ran out of time after the recording stopped has no end event: end it at its endsAt.
  if (sale?.endsAt && sale.startedAt.at) {
    const endOffset = sale.startedAt.offsetSeconds + (new Date(sale.endsAt) - new Date(sale.startedAt.at)) / 1000;
    if (Number.isFinite(endOffset) && t >= endOffset) sale = null;
  }
  return { product, sale, current };
}

function updateProduct() {
  const { product, sale, current } = stateAt(video.currentTime || 0);
  $("#product-none").hidden = !!(product || sale);
  $("#product-card").hidden = !product;
  const panel = $("#product");
  panel.dataset.sku = product?.sku ?? "";
  panel.dataset.sale = sale?.sku ?? "";
  if (product) {
    setText($("#product-title"), product.title ?? product.sku);
    setText($("#product-price"), product.priceCents !== undefined ? money(product.priceCents, product.currency) : "");
    const img = $("#product-image");
    // Set as an attribute, never markup; the page's CSP limits images to this origin and https shops.
    if (product.imageUrl) { img.src = product.imageUrl; img.hidden = false; } else { img.removeAttribute("src"); img.hidden = true; }
  }
  $("#sale-card").hidden = !sale;
  if (sale) {
    setText($("#sale-title"), state.titles.get(sale.sku) ?? sale.sku);
    setText($("#sale-price"), money(sale.priceCents, sale.currency));
    setText($("#sale-quantity"), t("replay.onScreen.saleQuantity", { quantity: number(sale.quantity) }));
  }
  for (const button of document.querySelectorAll("#events .timeline-event")) {
    const on = Number(button.dataset.index) === current;
    button.classList.toggle("current", on);
    if (on) button.setAttribute("aria-current", "true"); else button.removeAttribute("aria-current");
  }
}

function isBuffered(t) {
  for (let i = 0; i < video.buffered.length; i++) {
    if (t >= video.buffered.start(i) - 0.1 && t <= video.buffered.end(i) + 0.1) return true;
  }
  return false;
}

video.addEventListener("timeupdate", updateProduct);
video.addEventListener("seeked", () => { setText($("#player-status"), ""); updateProduct(); });
video.addEventListener("seeking", () => {
  updateProduct();
  // Without a keyframe index a jump outside the loaded part cannot be fetched by range: say so rather than spin.
  if (state.player && video.buffered.length && !isBuffered(video.currentTime)) {
    setText($("#player-status"), t(video.currentTime < video.buffered.start(0) ? "replay.player.behind" : "replay.player.loadingAhead"));
  }
});

if (token) open();
else $("#login").hidden = false;
