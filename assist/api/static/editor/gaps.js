/* Gaps: the customer needs no article answered well, grouped and labelled by their words, largest group first,
 * each with why its needs are listed, and expandable to every need in it with its own reasons. */

import { $, el } from "../shared/dom.js";
import { note, span } from "./blocks.js";

// The reasons a need is listed (assist.feedback.gaps.GapReason), as an editor reads them.
const REASONS = {
  no_answer: "no answer",
  off_topic: "off topic",
  low_confidence: "low confidence",
  passed_over: "answers passed over",
  thumbs_down: "thumbs-down on the answer used",
};

function reasonText(reason) {
  return REASONS[reason] || reason.replace(/_/g, " ");
}

export function showGaps(report) {
  const groups = report.groups.slice().sort((a, b) => b.size - a.size);
  const questions = groups.reduce((n, g) => n + g.size, 0);
  $("gaps-count").textContent = groups.length + " groups · " + questions + " needs";
  if (!groups.length) {
    $("gaps").replaceChildren(note("No gaps in this period: every need found a good answer."));
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
  if (group.label.length) {
    const label = span("gap-label", group.label.join(" · "));
    label.setAttribute("data-testid", "gap-label");
    main.appendChild(label);
  }
  main.appendChild(span("gap-rep", "“" + group.representative + "”"));
  const why = span("gap-reasons", "why: " + group.reasons.map((r) => reasonText(r.reason) + " ×" + r.count)
    .join(" · "));
  why.setAttribute("data-testid", "gap-reasons");
  main.appendChild(why);
  const others = group.examples.filter((e) => e !== group.representative);
  if (others.length) main.appendChild(span("gap-examples", "also: " + others.map((e) => "“" + e + "”").join(" · ")));
  summary.append(span("gap-size", "×" + group.size), main, span("gap-best", best));
  details.appendChild(summary);
  const ul = document.createElement("ul");
  group.members.forEach((m) => {
    const li = document.createElement("li");
    li.title = m.suggestion_id;
    li.append(m.text + " ", span("gap-why", "(" + m.reasons.map(reasonText).join(", ") + ")"));
    ul.appendChild(li);
  });
  details.append(note("All " + group.members.length + " needs:"), ul);
  return details;
}
