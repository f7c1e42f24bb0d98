// The show report pages: /studio/{id}/shows lists the channel's shows, /studio/{id}/shows/{showId} shows one show's
// report (figures, three charts over the show's time line marked where products were pinned and sales ran, the
// by-product, by-referrer and destination tables, a CSV download). The key is the studio's: same sessionStorage entry,
// sent only as a Bearer header (the CSV too: fetched, then saved from a blob URL), never in a URL.
import { $, el, setText } from "./common.js";
import { t, translate, languagePicker, money, number, dateTime, time } from "./i18n.js";
import { seriesChart } from "./show-chart.js";

const [, channelPart, , showPart] = location.pathname.split("/").filter(Boolean);
const channelId = decodeURIComponent(channelPart ?? "");
const showId = showPart ? decodeURIComponent(showPart) : null;
const TOKEN_KEY = `relay.studio.token.${channelId}`;
const channelPath = `/studio/${encodeURIComponent(channelId)}`;
const api = `/api/v1/channels/${encodeURIComponent(channelId)}`;
const PAGE = 20;

let token = sessionStorage.getItem(TOKEN_KEY);
let nextCursor = null;

translate();
$("#header-actions").prepend(languagePicker());
$("#studio-link").href = channelPath;
$("#shows-link").href = `${channelPath}/shows`;
$("#shows-link").hidden = !showId;
document.title = t(showId ? "report.pageTitleShow" : "report.pageTitle", { channel: channelId });
setText($("#title"), channelId);

class ApiError extends Error {
  constructor(status, detail) { super(detail); this.status = status; }
}

async function request(url) {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, cache: "no-store" });
  if (!res.ok) {
    let detail = `${res.status}`;
    try { const p = await res.json(); detail = p.detail ?? p.title ?? detail; } catch { /* not problem+json */ }
    throw new ApiError(res.status, detail);
  }
  return res;
}

const getJson = async url => (await request(url)).json();

// ---- sign in ------------------------------------------------------------------------------------

function signOut(messageKey) {
  sessionStorage.removeItem(TOKEN_KEY);
  token = null;
  $("#shows").hidden = true;
  $("#report").hidden = true;
  $("#login").hidden = false;
  setText($("#login-error"), messageKey ? t(messageKey, { channel: channelId }) : "");
  $("#token-input").focus();
}

$("#sign-out").addEventListener("click", () => signOut());
$("#login-form").addEventListener("submit", async e => {
  e.preventDefault();
  token = $("#token-input").value.trim();
  $("#token-input").value = "";
  await open();
});

function refused(err) {
  if (err.status === 401 || err.status === 403) signOut("report.error.key");
  else if (err.status === 404 && !showId) signOut("report.error.channel");
  else return false;
  return true;
}

async function open() {
  if (!token) { signOut(); return; }
  try {
    if (showId) await openReport();
    else await openList();
  } catch (err) {
    if (err instanceof ApiError && refused(err)) return;
    const target = showId ? $("#report-error") : $("#shows-error");
    $("#login").hidden = true;
    (showId ? $("#report") : $("#shows")).hidden = false;
    setText(target, err instanceof ApiError && err.status === 404 ? t("report.error.show") : t("report.error.unreachable", { detail: err.message }));
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $("#login").hidden = true;
  // The title is a nicety: a failure leaves the channel id.
  getJson(api).then(c => setText($("#title"), c.title)).catch(() => {});
}

// ---- the list -----------------------------------------------------------------------------------

function duration(seconds) {
  const s = Math.max(0, Math.round(seconds ?? 0));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h > 0 ? t("report.duration.hours", { h, m }) : m > 0 ? t("report.duration.minutes", { m, s: r }) : t("report.duration.seconds", { s: r });
}

async function openList(more = false) {
  const page = await getJson(`${api}/shows?limit=${PAGE}${more && nextCursor ? `&cursor=${encodeURIComponent(nextCursor)}` : ""}`);
  nextCursor = page.nextCursor;
  $("#shows").hidden = false;
  const rows = page.items.map(s => el("tr", {},
    el("td", {}, el("time", { datetime: s.startedAt }, dateTime(s.startedAt))),
    el("td", {}, duration(s.durationSeconds)),
    el("td", {}, s.live ? el("span", { class: "chip chip-live" }, t("report.list.live")) : t("report.list.ended")),
    el("td", { class: "num" }, el("a", { class: "btn btn-small", href: `${channelPath}/shows/${encodeURIComponent(s.showId)}` }, t("report.list.view")))));
  if (more) $("#shows-body").append(...rows);
  else $("#shows-body").replaceChildren(...rows);
  $("#shows-empty").hidden = $("#shows-body").children.length > 0;
  $("#shows-table").hidden = $("#shows-body").children.length === 0;
  $("#shows-more").hidden = !nextCursor;
}

$("#shows-more").addEventListener("click", () => openList(true).catch(err => setText($("#shows-error"), t("report.error.unreachable", { detail: err.message }))));

// ---- one report ---------------------------------------------------------------------------------

function percent(ratio) {
  return number(ratio, { style: "percent", maximumFractionDigits: 1 });
}

function figure(key, value) {
  return el("div", { class: "figure", dataset: { figure: key } }, el("dt", {}, t(`report.figure.${key}`)), el("dd", {}, value));
}

function markerLabel(m) {
  const product = m.title ?? m.sku ?? "";
  switch (m.kind) {
    case "pinned": return t("report.marker.pinned", { product });
    case "unpinned": return t("report.marker.unpinned");
    case "flashSale": return t("report.marker.flashSale", { product, quantity: m.quantity ?? 0 });
    case "flashSaleEnded": return t("report.marker.flashSaleEnded");
    default: return m.kind;
  }
}

async function openReport() {
  const r = await getJson(`${api}/shows/${encodeURIComponent(showId)}/report`);
  $("#report").hidden = false;
  const cur = r.currency ?? "CNY";
  const titles = new Map(r.bySku.map(s => [s.sku, s.title]));
  for (const m of r.markers) if (m.sku && !m.title && titles.get(m.sku)) m.title = titles.get(m.sku);

  setText($("#report-when"), r.live
    ? t("report.summary.live", { start: dateTime(r.startedAt), duration: duration(r.durationSeconds) })
    : t("report.summary.when", { start: dateTime(r.startedAt), end: time(r.endedAt), duration: duration(r.durationSeconds) }));
  $("#figures").replaceChildren(
    figure("gmv", money(r.gmvCents, cur)),
    figure("orders", number(r.orders)),
    figure("units", number(r.units)),
    figure("conversion", percent(r.conversion)),
    figure("peakViewers", number(r.peakViewers)),
    figure("averageViewers", number(r.averageViewers, { maximumFractionDigits: 1 })),
    figure("uniqueViewers", number(r.uniqueViewers)),
    figure("buyers", number(r.buyers)),
    figure("messages", number(r.messages)),
    figure("likes", number(r.likes)),
    figure("follows", number(r.follows)),
    figure("duration", duration(r.durationSeconds)));

  const end = r.endedAt ?? r.timeline.at(-1)?.at ?? new Date().toISOString();
  const markers = r.markers.filter(m => m.kind === "pinned" || m.kind === "flashSale")
    .map(m => ({ at: m.at, kind: m.kind === "pinned" ? "pin" : "sale", label: markerLabel(m) }));
  const chart = (id, labelKey, type, value, format) => $(id).append(seriesChart({
    points: r.timeline.map(p => ({ at: p.at, value: value(p) })), markers, start: r.startedAt, end, type, label: t(labelKey), format }));
  for (const id of ["#chart-viewers", "#chart-messages", "#chart-sales"]) $(id).querySelector("svg")?.remove();
  chart("#chart-viewers", "report.charts.viewers", "line", p => p.viewers, v => number(Math.round(v)));
  chart("#chart-messages", "report.charts.messages", "line", p => p.messages, v => number(Math.round(v)));
  chart("#chart-sales", "report.charts.sales", "bars", p => p.gmvCents, v => money(v, cur));
  $("#markers").replaceChildren(...r.markers.map(m => el("li", { class: `marker marker-${m.kind}` },
    el("time", { datetime: m.at }, time(m.at)), markerLabel(m))));

  $("#sku-body").replaceChildren(...r.bySku.map(s => el("tr", {},
    el("td", {}, s.title ?? s.sku, el("span", { class: "sub" }, s.sku)),
    el("td", { class: "num" }, number(s.orders)),
    el("td", { class: "num" }, number(s.units)),
    el("td", { class: "num" }, money(s.gmvCents, s.currency)))));
  $("#sku-empty").hidden = r.bySku.length > 0;
  $("#ref-body").replaceChildren(...r.byReferrer.map(s => el("tr", {},
    el("td", {}, s.referrer ?? t("report.referrers.direct")),
    el("td", { class: "num" }, number(s.buyers)),
    el("td", { class: "num" }, number(s.orders)),
    el("td", { class: "num" }, money(s.gmvCents, cur)))));
  $("#ref-empty").hidden = r.byReferrer.length > 0;
  $("#dest-body").replaceChildren(...r.destinations.map(d => el("tr", {},
    el("td", {}, d.name ?? t("report.destinations.deleted"), el("span", { class: "sub" }, d.platform ?? d.id)),
    el("td", { class: "num" }, duration(d.liveSeconds)),
    el("td", { class: "num" }, number(d.reconnects)))));
  $("#dest-empty").hidden = r.destinations.length > 0;
}

$("#csv").addEventListener("click", async () => {
  const button = $("#csv");
  button.disabled = true;
  try {
    const res = await request(`${api}/shows/${encodeURIComponent(showId)}/report?format=csv`);
    const name = /filename="?([^";]+)"?/.exec(res.headers.get("Content-Disposition") ?? "")?.[1] ?? "show.csv";
    const url = URL.createObjectURL(await res.blob());
    const link = el("a", { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (err) {
    setText($("#report-error"), t("report.error.csv", { detail: err.message }));
  } finally {
    button.disabled = false;
  }
});

open();
