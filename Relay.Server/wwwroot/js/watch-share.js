// The watch page's Share button (docs/live-room.md, "Share codes"): the viewer's link is /watch/{id}?ref={shareCode}.
// The system share sheet (Web Share API) when the browser has one, else our sheet with "Copy link" and a QR code
// drawn by the relay (/watch/{id}/qr.svg?ref=, server-rendered SVG, no third party).
import { $, setText } from "./common.js";
import { t } from "./i18n.js";

let link = null;

/** Shows the Share button once the viewer has a share code (hosts and tokenless guests have none). */
export function setShareCode(channelId, shareCode) {
  const button = $("#share");
  if (!button) return;
  if (!shareCode) {
    link = null;
    button.hidden = true;
    return;
  }
  link = new URL(`/watch/${encodeURIComponent(channelId)}?ref=${encodeURIComponent(shareCode)}`, location.origin).href;
  $("#share-link").value = link;
  $("#share-qr").src = `/watch/${encodeURIComponent(channelId)}/qr.svg?ref=${encodeURIComponent(shareCode)}`;
  button.hidden = false;
}

async function share() {
  if (!link) return;
  if (typeof navigator.share === "function") {
    try {
      await navigator.share({ title: document.title, text: t("watch.share.text"), url: link });
      return;
    } catch (err) {
      if (err?.name === "AbortError") return; // the viewer closed the system sheet
    }
  }
  setText($("#share-status"), "");
  $("#share-dialog").showModal();
}

async function copy() {
  const input = $("#share-link");
  try {
    await navigator.clipboard.writeText(input.value);
    setText($("#share-status"), t("watch.share.copied"));
  } catch {
    input.focus();
    input.select();
    setText($("#share-status"), t("watch.share.copyManually"));
  }
}

$("#share")?.addEventListener("click", share);
$("#share-copy")?.addEventListener("click", copy);
$("#share-close")?.addEventListener("click", () => $("#share-dialog").close());
