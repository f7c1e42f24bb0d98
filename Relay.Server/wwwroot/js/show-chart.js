// Small inline-SVG charts for the show report: a line (viewers, messages) or bars (sales per interval) over the
// show's time line, with a vertical mark where a product was pinned or a flash sale ran. No chart library: the
// report needs three plain series, and every node is built with createElementNS (no markup parsing).
import { time } from "./i18n.js";

const NS = "http://www.w3.org/2000/svg";
const W = 640, H = 220, LEFT = 76, RIGHT = 14, TOP = 14, BOTTOM = 28;

function node(name, attrs = {}, text) {
  const n = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

// 0, then a round top: 1, 2, 5 x 10^n at or above the largest value.
function niceMax(value) {
  if (!(value > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map(m => m * p).find(m => m >= value);
}

/**
 * @param {object} o
 * @param {{at: string, value: number}[]} o.points  one per time-line interval (ending at `at`)
 * @param {{at: string, kind: string, label: string}[]} o.markers  pins ("pin") and flash sales ("sale")
 * @param {string} o.start  @param {string} o.end  the show's span
 * @param {"line"|"bars"} o.type  @param {string} o.label  what the chart shows (its accessible name)
 * @param {(v: number) => string} o.format  a value as the page writes it
 */
export function seriesChart({ points, markers, start, end, type, label, format }) {
  const t0 = new Date(start).getTime();
  const t1 = Math.max(new Date(end).getTime(), t0 + 1000);
  const max = niceMax(Math.max(0, ...points.map(p => p.value)));
  const x = at => LEFT + ((new Date(at).getTime() - t0) / (t1 - t0)) * (W - LEFT - RIGHT);
  const y = v => TOP + (1 - v / max) * (H - TOP - BOTTOM);

  const svg = node("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": label, class: `chart-svg chart-type-${type}` });
  for (const v of [0, max / 2, max]) {
    svg.append(node("line", { x1: LEFT, x2: W - RIGHT, y1: y(v), y2: y(v), class: "chart-grid" }));
    svg.append(node("text", { x: LEFT - 6, y: y(v) + 4, class: "chart-axis", "text-anchor": "end" }, format(v)));
  }
  svg.append(node("text", { x: LEFT, y: H - 6, class: "chart-axis" }, time(start)));
  svg.append(node("text", { x: W - RIGHT, y: H - 6, class: "chart-axis", "text-anchor": "end" }, time(end)));

  for (const m of markers) {
    const mx = x(m.at);
    const mark = node("line", { x1: mx, x2: mx, y1: TOP, y2: H - BOTTOM, class: `chart-marker chart-marker-${m.kind}` });
    mark.append(node("title", {}, `${time(m.at)} · ${m.label}`));
    svg.append(mark);
  }

  if (type === "bars") {
    const slot = points.length > 0 ? (W - LEFT - RIGHT) / Math.max(points.length, (t1 - t0) / 1000 / 10) : 0;
    const width = Math.max(2, Math.min(24, slot * 0.8));
    for (const p of points) {
      const bar = node("rect", { x: x(p.at) - width, y: y(p.value), width, height: Math.max(0, y(0) - y(p.value)), class: "chart-point chart-bar" });
      bar.append(node("title", {}, `${time(p.at)} · ${format(p.value)}`));
      svg.append(bar);
    }
  } else {
    if (points.length > 1) {
      svg.append(node("polyline", { points: points.map(p => `${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`).join(" "), class: "chart-line" }));
    }
    for (const p of points) {
      const dot = node("circle", { cx: x(p.at), cy: y(p.value), r: 2.5, class: "chart-point" });
      dot.append(node("title", {}, `${time(p.at)} · ${format(p.value)}`));
      svg.append(dot);
    }
  }
  return svg;
}
