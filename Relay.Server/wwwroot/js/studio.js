// The host console: OBS settings and keys, the incoming stream (preview and stats), destinations (add, edit, delete,
// on/off, health), the line-up (editor, pins, flash sales), chat moderation and orders, in the page's language.
// The host key (or admin token) lives in sessionStorage only: Bearer for the REST API, access_token for the hub and
// the preview.
import { $, el, setText, money, reasonOf, connectHub, startHub, toast, channelIdFromPath, countdown, when } from "./common.js";
import { t, has, translate, languagePicker, lang, number } from "./i18n.js";
import { LivePlayer } from "./player.js";
import { fieldErrorText, lastErrorText, warningText } from "./studio-text.js";
import { initStudioCoupons } from "./studio-coupons.js";
import { followersPanel } from "./studio-followers.js";
import { mountStudioDraws } from "./studio-draws.js";

translate();
$("#lang-slot").append(languagePicker());

const channelId = channelIdFromPath();
const TOKEN_KEY = `relay.studio.token.${channelId}`;
const api = `/api/v1/channels/${encodeURIComponent(channelId)}`;
const toasts = $("#toasts");
const followers = followersPanel(api, () => token);

const state = { channel: null, lineup: [], pinned: null, sale: null, remaining: new Map(), hub: null, orders: [], platforms: [] };
// Whether the preview was last told Relay receives the stream (public or rehearsal): it restarts only on a change.
let wasReceiving = null;
let token = sessionStorage.getItem(TOKEN_KEY);
// The key this tab is rotating away from while "New host key" is in flight. The server ends it before its answer
// arrives, so a poll or a rejoin refused with it meanwhile is no reason to sign out.
let rotatingAway = null;

$("#watch-link").href = `/watch/${encodeURIComponent(channelId)}`;
// Same tab on purpose: sessionStorage is per tab, so the replay page finds the key the host already entered.
$("#replay-link").href = `/replay/${encodeURIComponent(channelId)}`;

class ApiError extends Error {
  constructor(status, detail, errors) {
    super(detail);
    this.status = status;
    // Field errors of a 400 problem+json ({"url": ["must point at a public address ..."]}), else {}.
    this.errors = errors ?? {};
  }
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
    if (used === token && used !== rotatingAway) signOut(t("studio.login.refused"));
    throw new ApiError(res.status, "unauthorized");
  }
  if (!res.ok) {
    let detail = `${res.status} ${res.statusText}`, errors;
    try { const p = await res.json(); detail = p.detail ?? p.title ?? detail; errors = p.errors; } catch { /* not problem+json */ }
    throw new ApiError(res.status, detail, errors);
  }
  return res.status === 204 ? null : res.json();
}

// ---- sign in ------------------------------------------------------------------------------------

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  token = null;
  state.hub?.stop();
  state.hub = null;
  preview.setLive(false);
  wasReceiving = null;
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
    if (err.status === 404) setText($("#login-error"), t("studio.login.noChannel", { id: channelId }));
    else if (err.status !== 401 && err.status !== 403) setText($("#login-error"), t("studio.login.unreachable", { error: err.message }));
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $("#login").hidden = true;
  $("#studio").hidden = false;
  renderChannel();
  await connect();
  refreshOrders();
  followers.refresh();
}

// ---- channel, ingest, preview -------------------------------------------------------------------

const preview = new LivePlayer($("#preview"), channelId, { onState: previewState, accessToken: () => token });

function previewState(s) {
  const label = $("#preview-state");
  label.hidden = s === "playing";
  const key = { offline: "studio.preview.offline", connecting: "studio.preview.connecting", buffering: "studio.preview.connecting",
    retrying: "studio.preview.retrying", blocked: "studio.preview.blocked", unsupported: "studio.preview.unsupported" }[s];
  if (key) setText(label, t(key));
}

function renderChannel() {
  const c = state.channel;
  setText($("#title"), c.title);
  document.title = t("studio.page.titleOf", { title: c.title });
  setText($("#ingest-url"), c.ingestUrl);
  $("#srt-hint").hidden = !c.srtUrl;
  setText($("#srt-url"), c.srtUrl ?? "");
  setText($("#stream-key-masked"), c.streamKey ?? "••••");
  setText($("#backup-key-masked"), c.backupStreamKey ?? "••••");
  const i = c.ingest;
  const rehearsing = !c.live && !!i;
  setLive(c.live, rehearsing);
  setReceiving(c.live || !!i);
  renderShowSettings(c, rehearsing);
  setText($("#st-state"), c.live ? t("studio.ingest.liveSince", { time: when(i?.since) })
    : rehearsing ? t("studio.show.rehearsingSince", { time: when(i?.since) }) : t("studio.header.offline"));
  setText($("#st-bitrate"), i ? t("studio.units.kbps", { value: number(Math.round(i.bitrateKbps)) }) : "–");
  setText($("#st-fps"), i?.fps ? number(i.fps, { maximumFractionDigits: 1, minimumFractionDigits: 1 }) : "–");
  setText($("#st-res"), i?.width ? `${i.width}×${i.height}` : "–");
  const kf = $("#st-kf");
  setText(kf, i?.keyframeIntervalSeconds ? t("studio.units.seconds", { value: number(i.keyframeIntervalSeconds, { maximumFractionDigits: 1, minimumFractionDigits: 1 }) }) : "–");
  kf.classList.toggle("warn", (i?.keyframeIntervalSeconds ?? 0) > 2.05);
  setText($("#st-codecs"), i ? codecSummary(i) : "–");
  // Which input the destinations and viewers get now: the primary (OBS), the backup, or the slate after a drop.
  const onAir = $("#st-on-air");
  setText(onAir, i?.onAir ? t(`studio.ingest.onAir.${i.onAir}`) + (i.backupStandby ? t("studio.ingest.backupStandby") : "") : "–");
  onAir.classList.toggle("warn", i?.onAir === "slate");
  setText($("#ingest-hint"), !c.live ? t("studio.ingest.waiting")
    : (i?.keyframeIntervalSeconds ?? 0) > 2.05 ? t("studio.ingest.keyframeTooLong") : "");
  renderDestinations(c.destinations ?? []);
  if (!state.lineup.length && c.lineup) setLineup(c.lineup);
}

// Codec names are the same in every language; the status spells them in lower case (h264, hevc, av1, aac, opus).
const CODEC_NAMES = { h264: "H.264", hevc: "HEVC", av1: "AV1", vp9: "VP9", aac: "AAC", opus: "Opus", mp3: "MP3" };
const codecName = c => CODEC_NAMES[c] ?? c;

/** "HEVC 1920×1080 30 fps / AAC": what OBS sends, as the ingest measures it. */
function codecSummary(i) {
  const video = i.videoCodec && i.width && i.fps
    ? t("studio.ingest.videoSummary", { codec: codecName(i.videoCodec), width: i.width, height: i.height, fps: number(Math.round(i.fps)) })
    : i.videoCodec ? codecName(i.videoCodec) : null;
  return [video, i.audioCodec ? codecName(i.audioCodec) : null].filter(Boolean).join(" / ");
}

async function poll() {
  if (!token) return;
  try {
    state.channel = await call("GET", "");
    renderChannel();
  } catch { /* the next poll tries again; an auth failure already signed out */ }
}
setInterval(poll, 2000);

// ---- destinations -------------------------------------------------------------------------------

// Default push URLs and names come from the server (GET /api/v1/platforms), the same presets the egress uses.
async function loadPlatforms() {
  try {
    const res = await fetch("/api/v1/platforms", { cache: "no-store" });
    state.platforms = res.ok ? await res.json() : [];
  } catch {
    state.platforms = [];
  }
  const select = $("#dest-platform");
  select.replaceChildren(...state.platforms.map(p => el("option", { value: p.id }, platformName(p.id))));
  select.value = state.platforms.some(p => p.id === "douyin") ? "douyin" : select.value;
  platformChanged();
  lastDestinations = "";
  if (state.channel) renderDestinations(state.channel.destinations ?? []);
}

function platformOf(id) {
  return state.platforms.find(p => p.id === id);
}

/** The platform's name in the page's language: names[lang] when the server gives it, else its display name. */
function platformName(id) {
  const p = platformOf(id);
  if (!p) return id;
  if (p.id === "custom") return t("studio.dest.customPlatform");
  return p.names?.[lang] ?? p.displayName ?? p.id;
}

let lastDestinations = "";
function renderDestinations(list) {
  const ul = $("#destinations");
  const json = JSON.stringify(list);
  if (json === lastDestinations) return;
  lastDestinations = json;
  // The poll redraws the list: keep keyboard focus on the same control of the same destination across the redraw.
  const focused = ul.contains(document.activeElement) ? document.activeElement : null;
  const focusedId = focused?.closest("[data-dest-id]")?.dataset.destId;
  const focusedRole = focused?.dataset.role;
  ul.replaceChildren(...list.map(destinationItem));
  if (focusedId) ul.querySelector(`[data-dest-id="${CSS.escape(focusedId)}"] [data-role="${focusedRole}"]`)?.focus();
  if (!list.length) ul.append(el("li", { class: "muted" }, t("studio.dest.none")));
}

function destinationItem(d) {
  const stateName = has(`studio.state.${d.state}`) ? t(`studio.state.${d.state}`) : d.state;
  const facts = [];
  if (d.state === "live" && d.liveSeconds != null) facts.push(t("studio.dest.liveFor", { time: duration(d.liveSeconds) }));
  if (d.bitrateKbps) facts.push(t("studio.units.kbps", { value: number(Math.round(d.bitrateKbps)) }));
  facts.push(t("studio.dest.reconnects", { count: number(d.reconnects ?? 0) }));
  if (d.droppedFrames) facts.push(t("studio.dest.dropped", { count: number(d.droppedFrames) }));
  if (d.profile?.aspect) facts.push(t("studio.dest.vertical"));
  if (d.trackId) facts.push(t("studio.dest.trackFact", { track: number(d.trackId) }));
  if (d.profile?.videoBitrateKbps) facts.push(t("studio.dest.reencoded", { value: number(d.profile.videoBitrateKbps) }));
  return el("li", { class: "dest", dataset: { destId: d.id } },
    el("div", { class: "dest-head" },
      el("strong", { class: "dest-name" }, d.name),
      el("span", { class: "muted dest-platform" }, platformName(d.platform)),
      el("span", { class: `chip chip-${d.state}`, dataset: { state: d.state } }, stateName),
      el("span", { class: "dest-actions" },
        el("button", { class: "btn btn-small btn-ghost", type: "button", dataset: { role: "edit" }, onclick: () => openDestinationForm(d) }, t("studio.dest.edit")),
        el("button", { class: "btn btn-small btn-ghost", type: "button", dataset: { role: "delete" }, onclick: () => deleteDestination(d) }, t("studio.dest.delete"))),
      el("label", { class: "switch" },
        el("input", { type: "checkbox", role: "switch", checked: d.enabled, "aria-label": t("studio.dest.sendTo", { name: d.name }),
          dataset: { role: "switch" }, onchange: ev => toggleDestination(d, ev.target) }),
        el("span", { "aria-hidden": "true" }))),
    el("p", { class: "dest-meta muted" }, facts.join(" · ")),
    el("p", { class: "dest-url muted" }, d.url ?? ""),
    d.lastError && d.state !== "live" ? el("p", { class: "error dest-error", dataset: { raw: d.lastError } }, lastErrorText(d.lastError)) : null,
    ...(d.warnings ?? []).map(w => el("p", { class: "warn" }, `⚠ ${warningText(w)}`)));
}

/** h:mm:ss or m:ss, the way a show's clock reads in both languages. */
function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(r).padStart(2, "0")}`;
}

async function toggleDestination(d, input) {
  input.disabled = true;
  try {
    await call("PATCH", `/destinations/${encodeURIComponent(d.id)}`, { enabled: input.checked });
    await poll();
  } catch (err) {
    input.checked = !input.checked;
    toast(toasts, t("studio.dest.changeFailed", { name: d.name, error: err.message }), "error");
  } finally {
    input.disabled = false;
  }
}

async function deleteDestination(d) {
  if (!confirm(t("studio.dest.confirmDelete", { name: d.name }))) return;
  try {
    await call("DELETE", `/destinations/${encodeURIComponent(d.id)}`);
    toast(toasts, t("studio.dest.deleted", { name: d.name }), "ok");
    if (editing?.id === d.id) closeDestinationForm();
    await poll();
  } catch (err) {
    toast(toasts, t("studio.dest.changeFailed", { name: d.name, error: err.message }), "error");
  }
}

// The one form adds (editing = null) or edits a destination. Platform cannot change on an edit (the API keeps it).
let editing = null;

function openDestinationForm(d) {
  editing = d ?? null;
  const form = $("#dest-form");
  form.reset();
  clearErrors(form);
  form.hidden = false;
  $("#dest-add").hidden = true;
  setText($("#dest-form-title"), d ? t("studio.dest.editTitle", { name: d.name }) : t("studio.dest.addTitle"));
  setText($("#dest-submit"), d ? t("studio.dest.save") : t("studio.dest.addSubmit"));
  const platform = $("#dest-platform");
  platform.disabled = !!d;
  if (d) {
    platform.value = d.platform;
    $("#dest-name").value = d.name;
    $("#dest-url").value = d.url ?? "";
    $("#dest-enabled").checked = d.enabled;
    $("#dest-aspect").value = d.profile?.aspect === "9:16" ? "9:16-crop" : (d.profile?.aspect ?? "");
    $("#dest-bitrate").value = d.profile?.videoBitrateKbps ?? "";
    $("#dest-track").value = d.trackId ?? "";
  } else if (state.platforms.some(p => p.id === "douyin")) {
    platform.value = "douyin";
  }
  platformChanged();
  $("#dest-name").focus();
}

function closeDestinationForm() {
  editing = null;
  $("#dest-form").hidden = true;
  $("#dest-add").hidden = false;
}

$("#dest-add").addEventListener("click", () => openDestinationForm(null));
$("#dest-cancel").addEventListener("click", closeDestinationForm);
$("#dest-platform").addEventListener("change", platformChanged);

/** Fixed-URL platforms pre-fill their URL; per-show ones (Douyin, Kuaishou, TikTok, Weixin Channels …) ask for both. */
function platformChanged() {
  const p = platformOf($("#dest-platform").value);
  const url = $("#dest-url");
  const key = $("#dest-key");
  const hint = $("#dest-platform-hint");
  const name = platformName($("#dest-platform").value);
  if (editing) {
    key.placeholder = t("studio.dest.keyKeep");
    setText(hint, p?.defaultUrl ? "" : t("studio.dest.perShowHint", { platform: name }));
    return;
  }
  key.placeholder = "";
  if (p?.defaultUrl) {
    url.value = p.defaultUrl;
    setText(hint, t("studio.dest.fixedHint", { platform: name }));
  } else {
    if (platformOf(state.platforms.find(x => x.defaultUrl === url.value)?.id)) url.value = "";
    setText(hint, p?.id === "custom" ? t("studio.dest.customHint") : t("studio.dest.perShowHint", { platform: name }));
  }
  url.placeholder = p?.defaultUrl ?? "rtmp://…";
  const nameInput = $("#dest-name");
  if (!nameInput.value || nameInput.dataset.auto === "1") {
    nameInput.value = p && p.id !== "custom" ? name : "";
    nameInput.dataset.auto = "1";
  }
}
$("#dest-name").addEventListener("input", e => { e.target.dataset.auto = "0"; });

function profileFromForm() {
  const aspect = $("#dest-aspect").value;
  const bitrate = $("#dest-bitrate").value.trim();
  const profile = {};
  if (aspect) profile.aspect = aspect;
  if (bitrate) profile.videoBitrateKbps = Number(bitrate);
  return Object.keys(profile).length ? profile : null;
}

$("#dest-form").addEventListener("submit", async e => {
  e.preventDefault();
  const form = e.target;
  clearErrors(form);
  const name = $("#dest-name").value.trim();
  const url = $("#dest-url").value.trim();
  const streamKey = $("#dest-key").value.trim();
  const enabled = $("#dest-enabled").checked;
  const profile = profileFromForm();
  const track = $("#dest-track").value.trim();
  const trackId = track === "" ? null : Number(track);
  const submit = $("#dest-submit");
  submit.disabled = true;
  try {
    if (editing) {
      const body = { enabled, profile, trackId };
      if (name !== editing.name) body.name = name;
      if (url !== (editing.url ?? "")) body.url = url;
      if (streamKey) body.streamKey = streamKey;
      await call("PATCH", `/destinations/${encodeURIComponent(editing.id)}`, body);
      toast(toasts, t("studio.dest.saved", { name: name || editing.name }), "ok");
    } else {
      const body = { name, platform: $("#dest-platform").value, enabled };
      if (url) body.url = url;
      if (streamKey) body.streamKey = streamKey;
      if (profile) body.profile = profile;
      if (trackId !== null) body.trackId = trackId;
      await call("POST", "/destinations", body);
      toast(toasts, t("studio.dest.added", { name }), "ok");
    }
    closeDestinationForm();
    await poll();
  } catch (err) {
    showErrors(form, err, $("#dest-error"));
  } finally {
    submit.disabled = false;
  }
});

function clearErrors(root) {
  for (const node of root.querySelectorAll("[data-error-for]")) setText(node, "");
  for (const node of root.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  for (const node of root.querySelectorAll(".error[role=alert]")) setText(node, "");
}

/** Puts each field error of a 400 beside its field (in the page's language where the reason is known). */
function showErrors(root, err, general) {
  const left = [];
  for (const [field, messages] of Object.entries(err.errors ?? {})) {
    const slot = root.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
    const text = messages.map(m => fieldErrorText(m)).join(" ");
    if (slot) {
      setText(slot, text);
      slot.closest("label")?.querySelector("input, select")?.setAttribute("aria-invalid", "true");
    } else left.push(text);
  }
  if (left.length) setText(general, left.join(" "));
  else if (!Object.keys(err.errors ?? {}).length) setText(general, err.status === 409 ? t("studio.errors.conflict") : t("studio.errors.failed", { error: err.message }));
}

// ---- OBS settings and keys ----------------------------------------------------------------------

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
  setText($("#copy-status"), t(`studio.copied.${what}`));
  setTimeout(() => setText($("#copy-status"), ""), 3000);
}

$("#copy-server").addEventListener("click", () => copy(state.channel.ingestUrl, "server"));
$("#copy-key").addEventListener("click", async () => {
  try {
    // The explicit reveal: the key is fetched only when the host asks for it, and never shown on screen.
    const { streamKey } = await call("GET", "/stream-key");
    await copy(streamKey, "streamKey");
  } catch (err) {
    setText($("#copy-status"), t("studio.obs.revealFailed", { error: err.message }));
  }
});

/**
 * A new key is shown once, in a panel with its copy button and what to change where, until "Done": the only time it
 * is on screen. The stream key goes into OBS; the host key into every other tab or co-host's studio.
 */
function showNewKey(kind, value) {
  const panel = $("#new-key");
  setText($("#new-key-title"), t(`studio.newKey.${kind}Title`));
  setText($("#new-key-value"), value);
  $("#new-key-value").dataset.kind = kind;
  const steps = kind === "streamKey"
    ? [t("studio.newKey.streamKeyStep1"), t("studio.newKey.streamKeyStep2"), t("studio.newKey.streamKeyStep3")]
    : kind === "backupKey"
      ? [t("studio.newKey.streamKeyStep1"), t("studio.newKey.backupKeyStep2")]
      : [t("studio.newKey.hostKeyStep1"), t("studio.newKey.hostKeyStep2")];
  $("#new-key-steps").replaceChildren(...steps.map(s => el("li", {}, s)));
  panel.hidden = false;
  $("#new-key-copy").onclick = () => copy(value, kind === "streamKey" ? "newStreamKey" : kind === "backupKey" ? "newBackupKey" : "newHostKey");
  $("#new-key-copy").focus();
}

$("#new-key-done").addEventListener("click", () => {
  setText($("#new-key-value"), "");
  $("#new-key-copy").onclick = null;
  $("#new-key").hidden = true;
});

$("#copy-backup-key").addEventListener("click", async () => {
  try {
    const { backupStreamKey } = await call("GET", "/backup-stream-key");
    await copy(backupStreamKey, "backupKey");
  } catch (err) {
    setText($("#copy-status"), t("studio.obs.revealFailed", { error: err.message }));
  }
});

// The backup key goes into a second encoder (another PC, a phone app): it waits while OBS is live and takes over if
// OBS drops. A new one cuts a backup connected with the old one; the main stream stays on air.
$("#rotate-backup-key").addEventListener("click", async () => {
  if (!confirm(t("studio.obs.confirmBackupKey"))) return;
  try {
    const { backupStreamKey } = await call("POST", "/backup-stream-key/rotate");
    showNewKey("backupKey", backupStreamKey);
    await poll();
  } catch (err) {
    setText($("#copy-status"), t("studio.obs.rotateFailed", { error: err.message }));
  }
});

$("#rotate-stream-key").addEventListener("click", async () => {
  if (!confirm(t("studio.obs.confirmStreamKey"))) return;
  try {
    const { streamKey } = await call("POST", "/stream-key/rotate");
    showNewKey("streamKey", streamKey);
    await poll();
  } catch (err) {
    setText($("#copy-status"), t("studio.obs.rotateFailed", { error: err.message }));
  }
});

// A new host key ends the old one at once (REST and the live room). Signed in with the host key, this tab switches
// to the new one and rejoins; the key is copied and shown once for the other tabs and co-hosts.
$("#rotate-host-key").addEventListener("click", async () => {
  if (!confirm(t("studio.obs.confirmHostKey"))) return;
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
    showNewKey("hostKey", hostKey);
    await copy(hostKey, "newHostKey");
  } catch (err) {
    setText($("#copy-status"), t("studio.obs.rotateFailed", { error: err.message }));
  } finally {
    rotatingAway = null;
  }
});

// ---- hub: chat, line-up, sales ------------------------------------------------------------------

const studioCoupons = initStudioCoupons({ toasts });
const draws = mountStudioDraws({ toasts, titleOf: sku => titleOf(sku) });

async function connect() {
  const hub = connectHub({
    token: () => token,
    onReconnected: () => join(),
    onReconnecting: () => toast(toasts, t("studio.hub.reconnecting"), "error"),
  });
  state.hub = hub;
  studioCoupons.attach(hub);
  hub.on("message", m => addMessage(m));
  hub.on("messageDeleted", d => document.querySelector(`[data-message-id="${CSS.escape(d.id)}"]`)?.remove());
  hub.on("pinned", p => { state.pinned = p; renderLineup(); });
  hub.on("unpinned", () => { state.pinned = null; renderLineup(); });
  hub.on("flashSale", s => { state.sale = s.active === false ? null : s; renderSale(); renderLineup(); });
  hub.on("stock", s => { state.remaining.set(s.sku, s.remaining); if (state.sale?.sku === s.sku) state.sale.remaining = s.remaining; renderSale(); renderLineup(); });
  hub.on("purchase", p => {
    toast(toasts, t("studio.toast.bought", { name: p.displayName || t("studio.chat.guest"), quantity: p.quantity, title: titleOf(p.sku) }), "buy");
    refreshOrders();
  });
  hub.on("viewers", v => setText($("#viewers"), number(v.count)));
  hub.on("status", s => { setLive(s.live); poll(); });
  draws.attach(hub, channelId);
  await startHub(hub, () => toast(toasts, t("studio.hub.unreachable"), "error"));
  await join();
}

async function join() {
  let snap;
  try {
    snap = await state.hub.invoke("Join", channelId, {});
  } catch (err) {
    const { reason } = reasonOf(err);
    if (reason === "unauthorized") {
      if (token !== rotatingAway) signOut(t("studio.login.roomRefused"));
    } else toast(toasts, t("studio.hub.joinFailed", { reason }), "error");
    return;
  }
  if (snap.you?.role !== "host" && snap.you?.role !== "admin") {
    signOut(t("studio.login.viewerKey"));
    return;
  }
  setText($("#viewers"), number(snap.viewers ?? 0));
  state.pinned = snap.pinned ?? null;
  state.sale = snap.flashSale?.active === false ? null : (snap.flashSale ?? null);
  setLineup(snap.lineup ?? []);
  $("#slow-mode").value = String(snap.slowModeSeconds ?? 0);
  $("#messages").replaceChildren();
  for (const m of snap.recentMessages ?? []) addMessage(m);
  renderSale();
  studioCoupons.snapshot(snap.coupons);
  draws.snapshot(snap);
}

/** The header badge: live to the public, rehearsing (OBS connected, nothing public), or offline. */
function setLive(live, rehearsing = false) {
  const badge = $("#live-badge");
  badge.className = `badge ${live ? "badge-live" : rehearsing ? "badge-rehearsal" : "badge-offline"}`;
  setText(badge, live ? t("studio.header.live") : rehearsing ? t("studio.show.rehearsingBadge") : t("studio.header.offline"));
  if (live) setReceiving(true);
}

/** The preview plays whenever Relay receives the stream, public or rehearsal (it reads with the host key). */
function setReceiving(receiving) {
  if (wasReceiving !== !!receiving) {
    wasReceiving = !!receiving;
    preview.setLive(!!receiving);
  }
}

function titleOf(sku) {
  return state.lineup.find(p => p.sku === sku)?.title ?? sku;
}

function addMessage(m) {
  const list = $("#messages");
  const host = m.role === "host" || m.role === "admin";
  const name = m.displayName || t("studio.chat.guest");
  const actions = host ? null : el("span", { class: "message-actions" },
    el("button", { class: "btn btn-small", type: "button", "aria-label": t("studio.chat.deleteLabel", { name }),
      onclick: () => moderate("DeleteMessage", m.id) }, t("studio.chat.delete")),
    el("button", { class: "btn btn-small", type: "button", "aria-label": t("studio.chat.muteLabel", { name }),
      onclick: () => moderate("Mute", m.userId, 600).then(ok => ok && toast(toasts, t("studio.chat.muted", { name }))) }, t("studio.chat.mute")));
  list.append(el("li", { class: `message${host ? " message-host" : ""}`, dataset: { messageId: m.id } },
    el("span", { class: "message-name" }, name),
    host ? el("span", { class: "role-badge" }, t("studio.chat.host")) : null,
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
    toast(toasts, t("studio.hub.callFailed", { error: reasonOf(err).message }), "error");
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
    setText($("#chat-status"), t("studio.chat.notSent", { error: reasonOf(err).message }));
  }
});

function setLineup(lineup) {
  state.lineup = lineup;
  for (const p of lineup) if (!state.remaining.has(p.sku)) state.remaining.set(p.sku, p.stock ?? null);
  const select = $("#sale-sku");
  const chosen = select.value;
  select.replaceChildren(...lineup.map(p => el("option", { value: p.sku }, `${p.title} (${money(p.priceCents, p.currency)})`)));
  if (chosen) select.value = chosen;
  studioCoupons.lineup(lineup);
  draws.lineup(lineup, p => `${p.title} (${money(p.priceCents, p.currency)})`);
  renderLineup();
}

function renderLineup() {
  const ul = $("#lineup");
  ul.replaceChildren(...state.lineup.map(p => {
    const pinned = state.pinned?.sku === p.sku;
    const onSale = state.sale?.sku === p.sku;
    const remaining = state.remaining.get(p.sku);
    const stock = remaining === null || remaining === undefined ? t("studio.lineup.unlimited") : t("studio.lineup.inStock", { count: number(remaining) });
    const prices = p.memberPriceCents != null
      ? `${money(p.priceCents, p.currency)} · ${t("studio.lineup.memberPriceShort", { price: money(p.memberPriceCents, p.currency) })}`
      : money(p.priceCents, p.currency);
    return el("li", { class: `product-row${pinned ? " pinned" : ""}`, dataset: { sku: p.sku } },
      p.imageUrl ? el("img", { src: p.imageUrl, alt: "", width: 44, height: 44 }) : el("span", { class: "img-ph" }),
      el("div", { class: "product-row-body" },
        el("strong", {}, p.title),
        el("span", { class: "muted" }, ` ${p.sku} · ${prices} · ${stock}`),
        onSale ? el("span", { class: "chip chip-sale" }, t("studio.lineup.onSale")) : null),
      el("button", { class: `btn btn-small ${pinned ? "btn-ghost" : "btn-primary"}`, type: "button", dataset: { action: pinned ? "unpin" : "pin" },
        onclick: () => pinned ? moderate("Unpin") : moderate("Pin", p.sku) }, pinned ? t("studio.lineup.unpin") : t("studio.lineup.pin")));
  }));
  if (!state.lineup.length) ul.append(el("li", { class: "muted" }, t("studio.lineup.empty")));
}

// ---- line-up editor (PUT /lineup) ---------------------------------------------------------------

const cents = value => (value === "" || value === null ? null : Math.round(Number(value) * 100));
const units = c => (c === null || c === undefined ? "" : (c / 100).toFixed(2));

function openLineupEditor() {
  $("#lineup-rows").replaceChildren(...state.lineup.map(p => lineupRow(p)));
  clearErrors($("#lineup-editor"));
  $("#lineup-editor").hidden = false;
  $("#lineup").hidden = true;
  $("#lineup-edit").hidden = true;
  renumberRows();
}

function closeLineupEditor() {
  $("#lineup-editor").hidden = true;
  $("#lineup").hidden = false;
  $("#lineup-edit").hidden = false;
  $(".lineup").scrollTop = 0;
}

function field(name, labelKey, input) {
  return el("label", { class: `lf lf-${name}` }, el("span", {}, t(labelKey)), input, el("span", { class: "field-error", dataset: { errorFor: name } }));
}

function lineupRow(p) {
  const image = el("img", { class: "lineup-image", alt: "", width: 56, height: 56, hidden: !p?.imageUrl, src: p?.imageUrl || undefined });
  const imageInput = el("input", { name: "imageUrl", type: "url", value: p?.imageUrl ?? "", placeholder: "https://…", spellcheck: "false" });
  // The preview follows the field; a URL that fails to load hides it instead of showing a broken image.
  imageInput.addEventListener("input", () => {
    const url = imageInput.value.trim();
    image.hidden = !url;
    if (url) image.src = url; else image.removeAttribute("src");
  });
  image.addEventListener("error", () => { image.hidden = true; });
  image.addEventListener("load", () => { image.hidden = false; });
  const row = el("li", { class: "lineup-row", dataset: { sku: p?.sku ?? "" } },
    el("div", { class: "lineup-row-head" },
      el("span", { class: "img-slot" }, image),
      el("span", { class: "row-number muted" }),
      el("span", { class: "row-actions" },
        el("button", { class: "btn btn-small btn-ghost", type: "button", dataset: { move: "up" }, "aria-label": t("studio.lineup.moveUp"), title: t("studio.lineup.moveUp"), onclick: () => move(row, -1) }, "↑"),
        el("button", { class: "btn btn-small btn-ghost", type: "button", dataset: { move: "down" }, "aria-label": t("studio.lineup.moveDown"), title: t("studio.lineup.moveDown"), onclick: () => move(row, 1) }, "↓"),
        el("button", { class: "btn btn-small btn-ghost", type: "button", dataset: { remove: "1" }, onclick: () => { row.remove(); renumberRows(); } }, t("studio.lineup.remove")))),
    el("div", { class: "lineup-fields" },
      field("sku", "studio.lineup.sku", el("input", { name: "sku", value: p?.sku ?? "", maxlength: 64, spellcheck: "false" })),
      field("title", "studio.lineup.title", el("input", { name: "title", value: p?.title ?? "", maxlength: 200 })),
      field("price", "studio.lineup.price", el("input", { name: "price", type: "number", min: 0, step: "0.01", value: units(p?.priceCents) })),
      field("memberPrice", "studio.lineup.memberPrice", el("input", { name: "memberPrice", type: "number", min: 0, step: "0.01", value: units(p?.memberPriceCents) })),
      field("currency", "studio.lineup.currency", el("input", { name: "currency", value: p?.currency ?? state.lineup[0]?.currency ?? (lang === "zh-CN" ? "CNY" : "USD"), maxlength: 3, spellcheck: "false" })),
      field("stock", "studio.lineup.stock", el("input", { name: "stock", type: "number", min: 0, step: 1, value: p?.stock ?? "", placeholder: t("studio.lineup.unlimited") })),
      el("label", { class: "lf lf-imageUrl" }, el("span", {}, t("studio.lineup.imageUrl")), imageInput, el("span", { class: "field-error", dataset: { errorFor: "imageUrl" } }))));
  return row;
}

function move(row, by) {
  if (by < 0 && row.previousElementSibling) row.previousElementSibling.before(row);
  if (by > 0 && row.nextElementSibling) row.nextElementSibling.after(row);
  renumberRows();
  row.querySelector(`[data-move="${by < 0 ? "up" : "down"}"]`)?.focus();
}

function renumberRows() {
  const rows = [...$("#lineup-rows").children];
  rows.forEach((row, i) => setText(row.querySelector(".row-number"), t("studio.lineup.position", { n: i + 1 })));
  if (!rows.length) setText($("#lineup-error"), t("studio.lineup.emptyEditor"));
  else if ($("#lineup-error").textContent === t("studio.lineup.emptyEditor")) setText($("#lineup-error"), "");
}

$("#lineup-edit").addEventListener("click", openLineupEditor);
$("#lineup-cancel").addEventListener("click", closeLineupEditor);
$("#lineup-add").addEventListener("click", () => {
  const row = lineupRow(null);
  $("#lineup-rows").append(row);
  renumberRows();
  row.querySelector("input[name=sku]").focus();
});

$("#lineup-editor").addEventListener("submit", async e => {
  e.preventDefault();
  const editor = e.target;
  clearErrors(editor);
  const rows = [...$("#lineup-rows").children];
  const value = (row, name) => row.querySelector(`[name=${name}]`).value.trim();
  const items = rows.map(row => {
    const item = {
      sku: value(row, "sku"),
      title: value(row, "title"),
      currency: value(row, "currency").toUpperCase(),
      stock: value(row, "stock") === "" ? null : Number(value(row, "stock")),
    };
    // An empty price is left out, so the server names it (a null would read as 0, a free product).
    if (value(row, "price") !== "") item.priceCents = cents(value(row, "price"));
    if (value(row, "imageUrl")) item.imageUrl = value(row, "imageUrl");
    // Sent only when set: a member price (会员价) is for shops whose viewers carry a tier.
    if (value(row, "memberPrice") !== "") item.memberPriceCents = cents(value(row, "memberPrice"));
    return item;
  });
  const save = $("#lineup-save");
  save.disabled = true;
  try {
    const saved = await call("PUT", "/lineup", items);
    // Stock left per product comes from the hub; the saved totals are the start until it speaks.
    for (const p of saved) state.remaining.delete(p.sku);
    setLineup(saved);
    closeLineupEditor();
    toast(toasts, t("studio.lineup.saved"), "ok");
  } catch (err) {
    showLineupErrors(err, rows);
  } finally {
    save.disabled = false;
  }
});

/** "[2].priceCents" goes beside row 3's price; anything else under the editor. */
function showLineupErrors(err, rows) {
  const left = [];
  const fieldOf = { priceCents: "price", memberPriceCents: "memberPrice" };
  for (const [path, messages] of Object.entries(err.errors ?? {})) {
    const m = /^\[(\d+)\]\.?(\w*)$/.exec(path);
    const text = messages.map(x => fieldErrorText(x)).join(" ");
    const row = m ? rows[Number(m[1])] : null;
    const slot = row?.querySelector(`[data-error-for="${fieldOf[m[2]] ?? m[2]}"]`);
    if (slot) {
      setText(slot, text);
      slot.closest("label")?.querySelector("input")?.setAttribute("aria-invalid", "true");
    } else left.push(row ? `${t("studio.lineup.position", { n: Number(m[1]) + 1 })}: ${text}` : text);
  }
  if (left.length) setText($("#lineup-error"), left.join(" "));
  else if (!Object.keys(err.errors ?? {}).length) setText($("#lineup-error"), t("studio.errors.failed", { error: err.message }));
}

// ---- flash sale ---------------------------------------------------------------------------------

let saleTimer = 0;
function renderSale() {
  clearInterval(saleTimer);
  const s = state.sale;
  $("#sale-end").disabled = !s;
  const status = $("#sale-status");
  const draw = () => {
    if (!state.sale) { setText(status, t("studio.sale.none")); return; }
    setText(status, t("studio.sale.running", { title: titleOf(s.sku), price: money(s.priceCents, s.currency), remaining: s.remaining,
      quantity: s.quantity, left: countdown(s.endsAt) ?? "00:00" }));
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
    startsInSeconds: f.get("startsIn") ? Math.round(Number(f.get("startsIn"))) : null,
  });
  if (ok) toast(toasts, t("studio.sale.started"), "ok");
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
    o.flashSale ? el("span", { class: "chip chip-sale" }, t("studio.orders.flash")) : null,
    el("span", { class: "order-amount" }, money(o.unitPriceCents * o.quantity, o.currency)),
    el("span", { class: `chip chip-${o.status}` }, has(`studio.orders.status.${o.status}`) ? t(`studio.orders.status.${o.status}`) : o.status))));
  const totals = new Map();
  for (const o of orders) {
    if (o.status !== "confirmed") continue;
    totals.set(o.currency, (totals.get(o.currency) ?? 0) + o.unitPriceCents * o.quantity);
  }
  setText($("#sales-total"), totals.size ? [...totals].map(([c, v]) => money(v, c)).join(" + ") : money(0, state.lineup[0]?.currency ?? "USD"));
}

// ---- start --------------------------------------------------------------------------------------

await loadPlatforms();
if (token) await open();
else signOut();

// ---- the show: rehearsal, next show, reports ---------------------------------------------------------

$("#reports-link").href = `/studio/${encodeURIComponent(channelId)}/shows`;

function renderShowSettings(c, rehearsing) {
  const box = $("#rehearsal");
  if (document.activeElement !== box) box.checked = !!c.rehearsal;
  setText($("#rehearsal-state"), rehearsing ? t("studio.show.rehearsingNow") : c.rehearsal ? t("studio.show.rehearsalArmed") : "");
  const input = $("#next-show-input");
  if (document.activeElement !== input && !input.dataset.dirty) input.value = c.nextShowAt ? localInputValue(new Date(c.nextShowAt)) : "";
}

/** A Date as a datetime-local value (the viewer's own clock, no seconds). */
function localInputValue(d) {
  const pad = n => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

$("#rehearsal").addEventListener("change", async e => {
  const on = e.currentTarget.checked;
  if (!on && state.channel?.ingest && !confirm(t("studio.show.goLiveConfirm"))) {
    e.currentTarget.checked = true;
    return;
  }
  try {
    state.channel = await call("PATCH", "", { rehearsal: on });
    renderChannel();
    toast(toasts, t(on ? "studio.show.rehearsalOn" : "studio.show.rehearsalOff"), "success");
  } catch (err) {
    e.currentTarget.checked = !on;
    if (!(err instanceof ApiError && (err.status === 401 || err.status === 403))) toast(toasts, t("studio.show.saveFailed", { error: err.message }), "error");
  }
});

$("#next-show-input").addEventListener("input", e => { e.currentTarget.dataset.dirty = "1"; });

$("#next-show-form").addEventListener("submit", async e => {
  e.preventDefault();
  const input = $("#next-show-input");
  const at = input.value ? new Date(input.value) : null;
  await saveNextShow(at && !Number.isNaN(at.getTime()) ? at.toISOString() : null);
});
$("#next-show-clear").addEventListener("click", () => saveNextShow(null));

async function saveNextShow(iso) {
  const status = $("#next-show-status");
  try {
    state.channel = await call("PATCH", "", { nextShowAt: iso });
    delete $("#next-show-input").dataset.dirty;
    $("#next-show-input").blur();
    renderChannel();
    setText(status, iso ? t("studio.show.nextShowSaved", { time: dateTimeText(iso) }) : t("studio.show.nextShowCleared"));
    status.classList.remove("error");
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) return;
    setText(status, err.status === 400 ? t("studio.show.nextShowInvalid") : t("studio.show.saveFailed", { error: err.message }));
    status.classList.add("error");
  }
}

function dateTimeText(iso) {
  return new Date(iso).toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
}
