/* `assist check`: which version is live and what blocks a publish, then errors first and warnings, each at its
 * file and line. */

import { $, el } from "../shared/dom.js";
import { note, span } from "./blocks.js";

export function showCheck(report) {
  const rank = { error: 0, warning: 1 };
  const problems = report.problems.slice().sort((a, b) => (rank[a.severity] ?? 2) - (rank[b.severity] ?? 2) ||
    a.path.localeCompare(b.path) || (a.line || 0) - (b.line || 0));
  const errors = problems.filter((p) => p.severity === "error").length;
  $("check-count").textContent = errors + " errors · " + (problems.length - errors) + " warnings";
  $("check-count").title = report.knowledge_dir;
  $("publish").replaceChildren(...publishState(report, errors));
  if (!problems.length) {
    $("check").replaceChildren(note("assist check finds nothing wrong in " + report.knowledge_dir + "."));
    return;
  }
  const table = document.createElement("table");
  const body = table.createTBody();
  problems.forEach((p) => {
    const tr = body.insertRow();
    tr.setAttribute("data-testid", "problem");
    tr.dataset.severity = p.severity;
    const sev = tr.insertCell();
    sev.appendChild(span("sev " + p.severity, p.severity === "error" ? "✕ error" : "! warning"));
    const where = tr.insertCell();
    const code = document.createElement("code");
    code.textContent = p.path + (p.line ? ":" + p.line : "");
    where.appendChild(code);
    tr.insertCell().textContent = p.message;
  });
  const wrap = el("div", "table-wrap");
  wrap.appendChild(table);
  $("check").replaceChildren(wrap);
}

// What an editor asks before publishing: what agents see now, whether the tree has changed since, and what
// would refuse the build (the check's errors).
function publishState(report, errors) {
  const live = note(report.live_version ? "Live: version " + report.live_version +
    (report.unpublished ? " · the knowledge tree has changed since it was built (not yet published)" :
      " · built from the knowledge tree as it is now") +
    " · ranked by " + (report.ranker_version ? "the learned ranker " + report.ranker_version +
      " (assist learn rollback undoes it)" : "the hand weights (no learned ranker published)")
    : "Live: no version is loaded yet");
  live.setAttribute("data-testid", "live-version");
  const blocks = note(errors ? "Publishing is blocked by " + errors + (errors === 1 ? " error" : " errors") +
    " below: assist index build refuses the tree until they are fixed." : "Nothing blocks a publish.");
  blocks.setAttribute("data-testid", "publish-blockers");
  blocks.dataset.blocked = String(errors > 0);
  const parts = [live, blocks];
  if (report.refused_version) {
    const refused = note("Refused: version " + report.refused_version + " failed verification (" +
      report.refused_because + "); the live version kept serving.");
    refused.setAttribute("data-testid", "refused-version");
    parts.push(refused);
  }
  return parts;
}
