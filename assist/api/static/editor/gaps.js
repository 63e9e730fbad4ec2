/* Gaps: the questions no article answered well, grouped, largest group first, each expandable to every
 * question in it. */

import { $, el } from "../shared/dom.js";
import { list, note, span } from "./blocks.js";

export function showGaps(report) {
  const groups = report.groups.slice().sort((a, b) => b.size - a.size);
  const questions = groups.reduce((n, g) => n + g.size, 0);
  $("gaps-count").textContent = groups.length + " groups · " + questions + " questions";
  if (!groups.length) {
    $("gaps").replaceChildren(note("No gaps in this period: every question found a good answer."));
    return;
  }
  $("gaps").replaceChildren(...groups.map(gapGroup));
}

function gapGroup(group) {
  const details = el("details", "gap-group");
  details.setAttribute("data-testid", "gap-group");
  const summary = document.createElement("summary");
  const best = group.best_article ? "closest: " + group.best_article +
    (group.best_score === null ? "" : " (" + group.best_score.toFixed(2) + ")") : "no article comes close";
  // Closed, a group still shows how it was asked (the examples); open, it lists every question in it.
  const main = el("div", "gap-main");
  main.appendChild(span("gap-rep", "“" + group.representative + "”"));
  const others = group.examples.filter((e) => e !== group.representative);
  if (others.length) main.appendChild(span("gap-examples", "also: " + others.map((e) => "“" + e + "”").join(" · ")));
  summary.append(span("gap-size", "×" + group.size), main, span("gap-best", best));
  details.appendChild(summary);
  details.append(note("All " + group.members.length + " questions:"), list(group.members.map((m) => m.text),
    group.members.map((m) => m.suggestion_id)));
  return details;
}
