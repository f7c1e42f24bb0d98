// The pages' language: zh-CN or en. The server decides it (?lang=, then the saved choice in the relay_lang cookie,
// then Accept-Language) and writes it into <html lang>, so the first paint and every test see one answer; this
// module translates the static markup (data-i18n attributes) and gives the scripts t(), money and times in it.
import en from "/i18n/en.js";
import zhCN from "/i18n/zh-CN.js";

export const LANGUAGES = [
  { code: "zh-CN", label: "中文" },
  { code: "en", label: "English" },
];

const TABLES = { "en": en, "zh-CN": zhCN };
const COOKIE = "relay_lang";

export const lang = TABLES[document.documentElement.lang] ? document.documentElement.lang : "en";
const table = TABLES[lang];

/**
 * The string for a key in the page's language, with {name} placeholders filled from params. A key missing from
 * the language falls back to English, then to the key itself, so a gap shows up as text a test can find.
 */
export function t(key, params) {
  const template = table[key] ?? en[key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (params[name] ?? whole).toString());
}

/** Whether a key exists (for optional texts such as a refusal reason the server may add later). */
export function has(key) {
  return key in table || key in en;
}

/**
 * Translates static markup under root: data-i18n sets the text, data-i18n-placeholder / -aria-label / -title /
 * -alt set those attributes. Called once on load by every page, and by scripts for markup they clone.
 */
export function translate(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const attr of ["placeholder", "aria-label", "title", "alt"]) {
    const data = "i18n" + attr.split("-").map(p => p[0].toUpperCase() + p.slice(1)).join("");
    for (const node of root.querySelectorAll(`[data-i18n-${attr}]`)) node.setAttribute(attr, t(node.dataset[data]));
  }
}

/** Saves a choice (cookie for the server, one year) and reloads the page in it, dropping ?lang= from the URL. */
export function chooseLanguage(code) {
  if (!TABLES[code]) return;
  document.cookie = `${COOKIE}=${encodeURIComponent(code)}; path=/; max-age=31536000; samesite=lax`;
  const url = new URL(location.href);
  url.searchParams.delete("lang");
  location.assign(url.toString());
}

/** A small select that switches the language (placed by each page in its header). */
export function languagePicker() {
  const select = document.createElement("select");
  select.className = "lang-picker";
  select.setAttribute("aria-label", t("common.language"));
  for (const { code, label } of LANGUAGES) {
    const option = document.createElement("option");
    option.value = code;
    option.textContent = label;
    option.selected = code === lang;
    select.append(option);
  }
  select.addEventListener("change", () => chooseLanguage(select.value));
  return select;
}

const moneyFormats = new Map();
/** Money in the page's language: ¥12.00 / CN¥12.00 / $12.00 as Intl writes it for this language. */
export function money(cents, currency) {
  const key = currency || "CNY";
  if (!moneyFormats.has(key)) {
    try {
      moneyFormats.set(key, new Intl.NumberFormat(lang, { style: "currency", currency: key }));
    } catch {
      moneyFormats.set(key, { format: v => `${v.toFixed(2)} ${key}` });
    }
  }
  return moneyFormats.get(key).format((cents ?? 0) / 100);
}

/** A whole number in the page's language (1,234 / 1,234; 12.3万 is left to callers that want compact). */
export function number(value, options) {
  return new Intl.NumberFormat(lang, options).format(value ?? 0);
}

/** A time of day (hh:mm) in the page's language and the viewer's time zone. */
export function time(date) {
  const d = date instanceof Date ? date : new Date(date);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
}

/** A date and time (e.g. a show's start) in the page's language. */
export function dateTime(date) {
  const d = date instanceof Date ? date : new Date(date);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
}
