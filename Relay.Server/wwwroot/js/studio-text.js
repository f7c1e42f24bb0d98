// The server's English texts the studio shows, in the page's language where the reason is known: field errors of a
// 400 (the API's errors stay English, contract "Languages"), a destination's lastError and its platform warnings.
// An unknown text is shown as the server wrote it rather than hidden.
import { t } from "./i18n.js";

// Order matters: the first pattern that matches wins ("is required when url moves …" before "is required").
const FIELD_ERRORS = [
  [/^is required when url moves to another server/, () => t("studio.errors.keyForNewServer")],
  [/^is required for platform/, () => t("studio.errors.urlForPlatform")],
  [/^is required/, () => t("studio.errors.required")],
  [/^must point at a public address/, () => t("studio.errors.publicAddress")],
  [/^must be an rtmp:\/\/ or rtmps:\/\/ URL/, () => t("studio.errors.rtmpUrl")],
  [/^must use rtmps:\/\//, () => t("studio.errors.rtmps")],
  [/^must name the application path/, () => t("studio.errors.appPath")],
  [/^must not carry credentials/, () => t("studio.errors.credentials")],
  [/^must be at most (\d+) characters without spaces/, m => t("studio.errors.keyFormat", { max: m[1] })],
  [/^must be at most (\d+) characters/, m => t("studio.errors.tooLong", { max: m[1] })],
  [/^must be between (\S+) and (\S+)/, m => t("studio.errors.between", { min: m[1], max: m[2] })],
  [/^must be one of 9:16/, () => t("studio.errors.aspect")],
  [/^must be 1-64 characters/, () => t("studio.errors.sku")],
  [/appears more than once/, () => t("studio.errors.duplicateSku")],
  [/^must be a 3-letter ISO 4217 code/, () => t("studio.errors.currency")],
  [/^must be an http\(s\) URL or a path/, () => t("studio.errors.imageUrl")],
  [/^must be 0 or more/, () => t("studio.errors.stock")],
  [/^must have at most (\d+) products/, m => t("studio.errors.tooManyProducts", { max: m[1] })],
  [/^is not a known field/, () => t("studio.errors.unknownField")],
  [/^has the wrong type/, () => t("studio.errors.wrongType")],
];

export function fieldErrorText(message) {
  for (const [pattern, text] of FIELD_ERRORS) {
    const m = pattern.exec(message ?? "");
    if (m) return text(m);
  }
  return message;
}

// A destination's lastError starts with what failed (Relay.Ingest/Egress/Rtmp, Transcode); the detail after it quotes
// the platform and stays in the raw text (data-raw) for support.
const LAST_ERRORS = [
  [/^connection refused/, "studio.health.refused"],
  [/^(connection timed out|no answer within)/, "studio.health.timeout"],
  [/^host not found/, "studio.health.hostNotFound"],
  [/^address refused or not resolved/, "studio.health.addressRefused"],
  [/^authentication failed/, "studio.health.keyRefused"],
  [/^createStream was refused/, "studio.health.keyRefused"],
  [/^TLS handshake failed/, "studio.health.tls"],
  [/^RTMP handshake failed|^server sent invalid RTMP/, "studio.health.protocol"],
  [/^(connection closed|server ended the publish)/, "studio.health.closed"],
  [/^(ffmpeg exited|ffmpeg output ended)/, "studio.health.transcoder"],
  [/^(send failed|connect failed)/, "studio.health.network"],
  [/ takes H\.264 video only and the stream/, "studio.health.codecNotTaken"],
  [/^cannot transcode /, "studio.health.codecNoTranscode"],
  [/^the publisher sends no video track/, "studio.health.noTrack"],
];

export function lastErrorText(error) {
  for (const [pattern, key] of LAST_ERRORS) {
    if (pattern.test(error ?? "")) return t(key);
  }
  return error;
}

const WARNINGS = [
  [/^keyframe interval ([\d.]+) s exceeds (.+)'s ([\d.]+) s/, m => t("studio.warnings.keyframe", { value: m[1], platform: m[2], max: m[3] })],
  [/^video bitrate (\d+) kbps exceeds (.+)'s (\d+) kbps/, m => t("studio.warnings.bitrate", { value: m[1], platform: m[2], max: m[3] })],
  [/^(.+) needs both audio and video/, m => t("studio.warnings.audioVideo", { platform: m[1] })],
  [/^(.+) expects H\.264 video/, m => t("studio.warnings.h264", { platform: m[1] })],
  [/^(.+) expects AAC audio/, m => t("studio.warnings.aac", { platform: m[1] })],
  [/^(.+) accepts only rtmps:\/\/ ingest/, m => t("studio.warnings.rtmps", { platform: m[1] })],
];

export function warningText(warning) {
  for (const [pattern, text] of WARNINGS) {
    const m = pattern.exec(warning ?? "");
    if (m) return text(m);
  }
  return warning;
}
