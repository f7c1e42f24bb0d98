// The admin console: channels (create, rename, delete, rotate keys, open their pages), the cluster's nodes, and the
// dead-lettered orders with a re-send. The admin token lives in sessionStorage only and goes out as a Bearer header.
import { $, el, setText, toast } from "./common.js";
import { t, translate, languagePicker, money, dateTime, number } from "./i18n.js";

const TOKEN_KEY = "relay.admin.token";
const toasts = $("#toasts");
let token = sessionStorage.getItem(TOKEN_KEY);

translate();
$("#header-actions").prepend(languagePicker());

class ApiError extends Error {
  constructor(status, detail, errors) { super(detail); this.status = status; this.errors = errors ?? {}; }
}

async function call(method, path, body) {
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    cache: "no-store",
  });
  if (res.status === 401 || res.status === 403) {
    signOut(t("admin.login.refused"));
    throw new ApiError(res.status, "unauthorized");
  }
  if (!res.ok) {
    let detail = `${res.status}`, errors;
    try { const p = await res.json(); detail = p.detail ?? p.title ?? detail; errors = p.errors; } catch { /* not problem+json */ }
    throw new ApiError(res.status, detail, errors);
  }
  return res.status === 204 || res.status === 202 && res.headers.get("content-length") === "0" ? null : res.json();
}

/** A problem's field errors as one line ("id: must be lowercase"), else its detail. API errors stay English by contract. */
function describe(err) {
  const fields = Object.entries(err.errors ?? {}).map(([field, messages]) => `${field}: ${[].concat(messages).join(", ")}`);
  return fields.length ? fields.join("; ") : err.message;
}

// ---- sign in ------------------------------------------------------------------------------------

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  token = null;
  clearInterval(timer);
  $("#console").hidden = true;
  $("#sign-out").hidden = true;
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

let timer;
async function open() {
  try {
    await refreshChannels();
  } catch (err) {
    if (err.status !== 401 && err.status !== 403) setText($("#login-error"), t("admin.login.unreachable", { error: err.message }));
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $("#login").hidden = true;
  $("#console").hidden = false;
  $("#sign-out").hidden = false;
  await Promise.allSettled([refreshNodes(), refreshDeadLetters()]);
  clearInterval(timer);
  // Live states, node heartbeats and new dead letters change without anyone touching the console.
  timer = setInterval(() => { refreshChannels().catch(() => {}); refreshNodes().catch(() => {}); refreshDeadLetters().catch(() => {}); }, 5000);
}

$("#refresh").addEventListener("click", () => Promise.allSettled([refreshChannels(), refreshNodes(), refreshDeadLetters()]));

// ---- channels -----------------------------------------------------------------------------------

async function refreshChannels() {
  const list = await call("GET", "/channels");
  const body = $("#channels tbody");
  body.replaceChildren(...list.map(channelRow));
  $("#channels-empty").hidden = list.length > 0;
}

function channelRow(c) {
  const id = encodeURIComponent(c.id);
  return el("tr", { dataset: { channel: c.id } },
    el("td", {}, el("strong", { class: "channel-title" }, c.title), el("br"), el("code", { class: "muted" }, c.id)),
    el("td", {}, el("span", { class: `badge ${c.live ? "badge-live" : "badge-offline"}` }, t(c.live ? "admin.state.live" : "admin.state.offline"))),
    el("td", {}, number(c.destinations)),
    el("td", {}, el("div", { class: "cell-actions" },
      el("a", { class: "btn btn-small", href: `/studio/${id}`, onclick: () => openStudio(c.id) }, t("admin.pages.studio")),
      el("a", { class: "btn btn-small btn-ghost", href: `/watch/${id}`, target: "_blank", rel: "noopener" }, t("admin.pages.watch")),
      el("a", { class: "btn btn-small btn-ghost", href: `/replay/${id}`, onclick: () => openStudio(c.id) }, t("admin.pages.replay")))),
    el("td", {}, el("div", { class: "cell-actions" },
      el("button", { class: "btn btn-small", type: "button", onclick: () => rename(c) }, t("admin.action.rename")),
      el("button", { class: "btn btn-small", type: "button", onclick: () => rotate(c, "stream-key") }, t("admin.action.streamKey")),
      el("button", { class: "btn btn-small", type: "button", onclick: () => rotate(c, "host-key") }, t("admin.action.hostKey")),
      el("button", { class: "btn btn-small btn-danger", type: "button", onclick: () => remove(c) }, t("admin.action.delete")))));
}

/** The studio and replay pages keep their key per tab in sessionStorage: hand them the admin token for this tab. */
function openStudio(channelId) {
  sessionStorage.setItem(`relay.studio.token.${channelId}`, token);
}

$("#create-form").addEventListener("submit", async e => {
  e.preventDefault();
  setText($("#create-error"), "");
  const id = $("#create-id").value.trim();
  try {
    const created = await call("POST", "/channels", { title: $("#create-title").value.trim(), ...(id ? { id } : {}) });
    $("#create-form").reset();
    await refreshChannels();
    showSecrets(t("admin.secret.createdHeading", { title: created.title }), t("admin.secret.createdHint"), [
      [t("admin.secret.ingestUrl"), created.ingestUrl],
      [t("admin.secret.streamKey"), created.streamKey],
      [t("admin.secret.backupStreamKey"), created.backupStreamKey],
      [t("admin.secret.hostKey"), created.hostKey],
      [t("admin.secret.studioUrl"), created.studioUrl],
      [t("admin.secret.watchUrl"), created.watchUrl],
    ]);
  } catch (err) {
    if (err.status === 409) setText($("#create-error"), t("admin.create.taken", { id }));
    else setText($("#create-error"), t("admin.create.failed", { error: describe(err) }));
  }
});

function rename(c) {
  const dialog = $("#rename-dialog");
  $("#rename-input").value = c.title;
  setText($("#rename-error"), "");
  dialog.dataset.channel = c.id;
  dialog.showModal();
}

$("#rename-cancel").addEventListener("click", () => $("#rename-dialog").close());
$("#rename-form").addEventListener("submit", async e => {
  e.preventDefault();
  const dialog = $("#rename-dialog");
  try {
    await call("PATCH", `/channels/${encodeURIComponent(dialog.dataset.channel)}`, { title: $("#rename-input").value.trim() });
    dialog.close();
    toast(toasts, t("admin.rename.done"), "success");
    await refreshChannels();
  } catch (err) {
    setText($("#rename-error"), t("admin.rename.failed", { error: describe(err) }));
  }
});

async function rotate(c, which) {
  const question = which === "stream-key" ? "admin.rotate.streamKeyConfirm" : "admin.rotate.hostKeyConfirm";
  if (!confirm(t(question, { title: c.title }))) return;
  try {
    const answer = await call("POST", `/channels/${encodeURIComponent(c.id)}/${which}/rotate`);
    if (which === "stream-key") {
      showSecrets(t("admin.rotate.streamKeyHeading", { title: c.title }), t("admin.rotate.streamKeyHint"),
        [[t("admin.secret.streamKey"), answer.streamKey]]);
    } else {
      showSecrets(t("admin.rotate.hostKeyHeading", { title: c.title }), t("admin.rotate.hostKeyHint"),
        [[t("admin.secret.hostKey"), answer.hostKey]]);
    }
  } catch (err) {
    toast(toasts, t("admin.rotate.failed", { error: describe(err) }), "error");
  }
}

async function remove(c) {
  const question = c.live ? "admin.delete.confirmLive" : "admin.delete.confirm";
  if (!confirm(t(question, { title: c.title, id: c.id }))) return;
  try {
    await call("DELETE", `/channels/${encodeURIComponent(c.id)}`);
    toast(toasts, t("admin.delete.done", { title: c.title }), "success");
    await refreshChannels();
  } catch (err) {
    toast(toasts, t("admin.delete.failed", { error: describe(err) }), "error");
  }
}

/** A new secret is shown once, with a copy button each: the API never shows it whole again. */
function showSecrets(title, hint, rows) {
  setText($("#secret-title"), title);
  setText($("#secret-hint"), hint);
  $("#secret-list").replaceChildren(...rows.flatMap(([label, value]) => [
    el("dt", {}, label),
    el("dd", {}, el("code", { class: "secret" }, value),
      el("button", { class: "btn btn-small", type: "button", onclick: e => copy(value, e.currentTarget) }, t("admin.copy"))),
  ]));
  $("#secret-dialog").showModal();
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    setText(button, t("admin.copied"));
  } catch {
    // Clipboard refused (plain http, permissions): select the text so Ctrl+C works.
    const range = document.createRange();
    range.selectNodeContents(button.previousElementSibling);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    setText(button, t("admin.copyManually"));
  }
}

// ---- nodes ----------------------------------------------------------------------------------------

async function refreshNodes() {
  const nodes = await call("GET", "/nodes");
  $("#nodes tbody").replaceChildren(...nodes.map(n => el("tr", { dataset: { node: n.id } },
    el("td", {}, el("strong", {}, n.id), n.internalUrl ? [el("br"), el("code", { class: "muted" }, n.internalUrl)] : null),
    el("td", {}, el("span", { class: `badge ${n.ready ? "badge-ok" : "badge-offline"}` }, t(n.ready ? "admin.nodes.ready" : "admin.nodes.notReady"))),
    el("td", {}, number(n.liveChannels)),
    el("td", {}, number(n.connections)),
    el("td", {}, dateTime(n.startedAt)),
    el("td", {}, dateTime(n.lastSeen)))));
}

// ---- dead letters -----------------------------------------------------------------------------------

async function refreshDeadLetters() {
  const list = await call("GET", "/dead-letters");
  $("#dead tbody").replaceChildren(...list.map(({ channelId, order: o }) => el("tr", { dataset: { order: o.orderId } },
    el("td", {}, el("code", {}, o.orderId)),
    el("td", {}, el("code", {}, channelId)),
    el("td", {}, t("admin.dead.line", { sku: o.sku, quantity: o.quantity })),
    el("td", {}, money(o.unitPriceCents * o.quantity, o.currency)),
    el("td", {}, number(o.attempts)),
    el("td", { class: "error-text" }, o.lastError ?? ""),
    el("td", {}, dateTime(o.createdAt)),
    el("td", {}, el("button", { class: "btn btn-small btn-primary", type: "button", onclick: e => resend(o, e.currentTarget) }, t("admin.dead.resend"))))));
  $("#dead-empty").hidden = list.length > 0;
}

async function resend(order, button) {
  button.disabled = true;
  try {
    await call("POST", `/orders/${encodeURIComponent(order.orderId)}/redeliver`);
    toast(toasts, t("admin.dead.resent", { order: order.orderId }), "success");
    await refreshDeadLetters();
  } catch (err) {
    button.disabled = false;
    toast(toasts, t("admin.dead.resendFailed", { error: describe(err) }), "error");
  }
}

if (token) open();
else signOut();
