/* Articles: a chart of the most shown, a sortable table of all, and the list never shown. */

import { $ } from "../shared/dom.js";
import { note } from "./blocks.js";
import { COLOURS, svgEl, svgText } from "./charts.js";
import { state } from "./state.js";

const CHART_TOP = 15;

// The articles table: column, heading, how to show and compare its values.
const COLUMNS = [
  { key: "article_id", label: "Article", kind: "text" },
  { key: "shown", label: "Shown", kind: "int" },
  { key: "shown_first", label: "First", kind: "int", title: "shown as the first answer" },
  { key: "opened", label: "Opened", kind: "int" },
  { key: "used", label: "Used", kind: "int" },
  { key: "used_rate", label: "Use rate", kind: "pct", title: "used, per time shown" },
  { key: "thumbs_up", label: "Helpful", kind: "int", title: "thumbs up" },
  { key: "thumbs_down", label: "Unhelpful", kind: "int", title: "thumbs down" },
  { key: "resolved_when_used", label: "Resolved", kind: "pct",
    title: "of the calls that used it, the share that ended resolved" },
  { key: "found", label: "Found", kind: "int",
    title: "used after the agent found it by search: the suggestions did not show it" },
];

export function showArticles(report) {
  state.articles = report.articles;
  const shown = report.articles.filter((a) => a.shown > 0).length;
  $("articles-count").textContent = shown + " shown · " + report.never_shown.length + " never shown";
  drawArticleChart(report.articles);
  drawTable();
  $("never-count").textContent = String(report.never_shown.length);
  $("never").replaceChildren(...report.never_shown.slice().sort().map((id) => {
    const li = document.createElement("li");
    li.textContent = id;
    return li;
  }));
  if (!report.never_shown.length) $("never").replaceChildren(note("Every article was shown at least once."));
}

function drawArticleChart(articles) {
  const top = articles.slice().sort((a, b) => b.shown - a.shown || b.used - a.used).slice(0, CHART_TOP);
  if (!top.length) {
    $("articles-chart").replaceChildren(note("No suggestion was shown in this period."));
    return;
  }
  const width = 640, label = 190, row = 18, right = 60;
  const max = Math.max(1, ...top.map((a) => a.shown));
  const scale = (width - label - right) / max;
  const svg = svgEl("svg", { viewBox: "0 0 " + width + " " + top.length * row, class: "chart", role: "img",
    "aria-label": "Times shown and used, top " + top.length + " articles" });
  top.forEach((a, i) => {
    const y = i * row;
    const g = svgEl("g", {});
    const tip = svgEl("title", {});
    tip.textContent = a.article_id + ": shown " + a.shown + ", used " + a.used;
    g.appendChild(tip);
    g.appendChild(svgText(a.article_id, label - 6, y + 13, "end", 28));
    // "used" drawn inside "shown": an article is used on some of the calls it is shown in.
    g.appendChild(svgEl("rect", { x: label, y: y + 3, width: Math.max(1, a.shown * scale), height: 12,
      fill: COLOURS.shown }));
    g.appendChild(svgEl("rect", { x: label, y: y + 5, width: Math.min(a.used, a.shown) * scale, height: 8,
      fill: COLOURS.used }));
    g.appendChild(svgText(a.used + " / " + a.shown, label + a.shown * scale + 4, y + 13, "start"));
    svg.appendChild(g);
  });
  $("articles-chart").replaceChildren(svg);
}

function drawTable() {
  const table = $("articles-table");
  const headRow = table.tHead.rows[0];
  headRow.replaceChildren(...COLUMNS.map((column) => {
    const th = document.createElement("th");
    th.scope = "col";
    if (column.kind !== "text") th.className = "num";
    if (column.title) th.title = column.title;
    if (state.sort.key === column.key) th.setAttribute("aria-sort", state.sort.descending ? "descending" : "ascending");
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = column.label;
    b.dataset.sort = column.key;
    b.addEventListener("click", () => sortBy(column.key));
    th.appendChild(b);
    return th;
  }));
  const rows = state.articles.slice().sort(compare);
  table.tBodies[0].replaceChildren(...rows.map((article) => {
    const tr = document.createElement("tr");
    tr.setAttribute("data-testid", "article-row");
    tr.dataset.articleId = article.article_id;
    COLUMNS.forEach((column) => {
      const td = document.createElement("td");
      td.dataset.col = column.key;
      if (column.kind !== "text") td.className = "num";
      td.textContent = format(article[column.key], column.kind);
      tr.appendChild(td);
    });
    return tr;
  }));
  if (!rows.length) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = COLUMNS.length;
    td.className = "note";
    td.textContent = "No article was shown in this period.";
    tr.appendChild(td);
    table.tBodies[0].appendChild(tr);
  }
}

function sortBy(key) {
  const same = state.sort.key === key;
  // Numbers sort high-first on the first click (the interesting end); names A–Z.
  state.sort = { key: key, descending: same ? !state.sort.descending : key !== "article_id" };
  drawTable();
  const button = document.querySelector('#articles-table th button[data-sort="' + key + '"]');
  if (button) button.focus();
}

function compare(a, b) {
  const { key, descending } = state.sort;
  const x = a[key], y = b[key];
  let order;
  if (x === null || y === null) order = x === y ? 0 : x === null ? -1 : 1; // unknown sorts as the lowest
  else order = typeof x === "string" ? x.localeCompare(y) : x - y;
  if (order === 0) order = a.article_id.localeCompare(b.article_id) * (descending ? -1 : 1);
  return descending ? -order : order;
}

function format(value, kind) {
  if (value === null || value === undefined) return "–";
  if (kind === "pct") return Math.round(value * 100) + "%";
  return String(value);
}
