/* `assist check`: errors first, then warnings, each at its file and line. */

import { $, el } from "../shared/dom.js";
import { note, span } from "./blocks.js";

export function showCheck(report) {
  const rank = { error: 0, warning: 1 };
  const problems = report.problems.slice().sort((a, b) => (rank[a.severity] ?? 2) - (rank[b.severity] ?? 2) ||
    a.path.localeCompare(b.path) || (a.line || 0) - (b.line || 0));
  const errors = problems.filter((p) => p.severity === "error").length;
  $("check-count").textContent = errors + " errors · " + (problems.length - errors) + " warnings";
  $("check-count").title = report.knowledge_dir;
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
