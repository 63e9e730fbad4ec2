/* Actions: allowed / denied / ask stacked per action and segment, and the rules that decided most. */

import { $, el } from "../shared/dom.js";
import { note, span } from "./blocks.js";
import { COLOURS, svgEl, svgText } from "./charts.js";

export function showActions(report) {
  const rows = report.actions.slice().sort((a, b) => a.action.localeCompare(b.action) ||
    String(a.segment).localeCompare(String(b.segment)));
  if (!rows.length) {
    $("actions-chart").replaceChildren(note("No decision was made in this period."));
  } else {
    $("actions-chart").replaceChildren(drawActionChart(rows));
  }
  const rules = report.rules.slice().sort((a, b) => b.decisions - a.decisions).slice(0, 10);
  const most = Math.max(1, ...rules.map((r) => r.decisions));
  $("rules").replaceChildren(...rules.map((r) => {
    const li = document.createElement("li");
    li.setAttribute("data-testid", "rule");
    const code = document.createElement("code");
    code.textContent = r.rule;
    code.title = r.rule;
    const bar = el("span", "rbar");
    bar.style.width = Math.max(2, (r.decisions / most) * 100) + "%";
    li.append(code, el("span", ""), span("n", String(r.decisions)));
    li.children[1].appendChild(bar);
    return li;
  }));
  if (!rules.length) $("rules").replaceChildren(note("No rule decided anything in this period."));
}

function drawActionChart(rows) {
  const width = 480, label = 200, row = 20, right = 40;
  const total = (r) => r.allowed + r.denied + r.ask;
  const scale = (width - label - right) / Math.max(1, ...rows.map(total));
  const svg = svgEl("svg", { viewBox: "0 0 " + width + " " + rows.length * row, class: "chart", role: "img",
    "aria-label": "Decisions per action and segment" });
  rows.forEach((r, i) => {
    const y = i * row;
    svg.appendChild(svgText(r.action + " · " + (r.segment || "any"), label - 6, y + 14, "end", 32));
    let x = label;
    ["allowed", "denied", "ask"].forEach((kind) => {
      if (!r[kind]) return;
      const rect = svgEl("rect", { x: x, y: y + 3, width: r[kind] * scale, height: 14, fill: COLOURS[kind] });
      const tip = svgEl("title", {});
      tip.textContent = r.action + " · " + (r.segment || "any") + ": " + r[kind] + " " + kind;
      rect.appendChild(tip);
      svg.appendChild(rect);
      x += r[kind] * scale;
    });
    svg.appendChild(svgText(String(total(r)), x + 4, y + 14, "start"));
  });
  return svg;
}
