/* assist editor's desk: what the feedback says about the knowledge base, so an editor can decide what to
 * write or fix next. Reads the admin reports (/v1/reports/*) with an admin key kept in sessionStorage.
 * Charts are SVG drawn here; all server text goes in as text nodes, never as markup.
 */
"use strict";

(function () {
  const KEY_STORE = "assist.adminKey";
  const PERIOD_STORE = "assist.period";
  const PERIODS = ["24h", "7d", "30d"];
  const SVG = "http://www.w3.org/2000/svg";
  const COLOURS = { shown: "#b9cdf0", used: "#1f5fbf", allowed: "#1a7f37", denied: "#b42318", ask: "#d08a00" };
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
  ];

  const $ = (id) => document.getElementById(id);
  const state = { period: "7d", articles: [], sort: { key: "shown", descending: true } };

  class KeyRefused extends Error {}

  // ---------------------------------------------------------------------------------------------------------
  // Loading

  async function api(path) {
    const response = await fetch(path, { headers: { Authorization: "Bearer " + sessionStorage.getItem(KEY_STORE) } });
    if (response.status === 401 || response.status === 403) throw new KeyRefused("the admin key was refused");
    if (!response.ok) {
      const detail = await response.json().then((j) => j.detail, () => response.statusText);
      throw new Error(response.status + ": " + (typeof detail === "string" ? detail : JSON.stringify(detail)));
    }
    return response.json();
  }

  // Each report loads and fails on its own: a slow gap clustering or a missing check endpoint must not hide
  // the article numbers.
  async function load() {
    if (!sessionStorage.getItem(KEY_STORE)) {
      askForKey("");
      return;
    }
    setStatus("loading", "loading " + state.period + "…");
    const since = "?since=" + encodeURIComponent(state.period);
    const jobs = [
      ["gaps", api("/v1/reports/gaps" + since).then(showGaps)],
      ["articles", api("/v1/reports/articles" + since).then(showArticles)],
      ["actions", api("/v1/reports/actions" + since).then(showActions)],
      ["check", api("/v1/reports/check").then(showCheck)],
    ];
    const results = await Promise.allSettled(jobs.map((job) => job[1]));
    if (results.some((r) => r.status === "rejected" && r.reason instanceof KeyRefused)) {
      sessionStorage.removeItem(KEY_STORE);
      askForKey("That admin key was refused. Enter a valid one.");
      return;
    }
    const failed = [];
    results.forEach((result, i) => {
      if (result.status === "rejected") {
        failed.push(jobs[i][0]);
        showError(jobs[i][0], result.reason);
      }
    });
    $("reports").hidden = false;
    $("key-form").hidden = true;
    $("forget-key").hidden = false;
    document.body.dataset.loaded = state.period; // the browser tests wait on this
    setStatus(failed.length ? "error" : "connected", failed.length ? "failed: " + failed.join(", ") :
      "period " + state.period + " · " + new Date().toLocaleTimeString());
  }

  function showError(report, error) {
    const target = { gaps: "gaps", articles: "articles-chart", actions: "actions-chart", check: "check" }[report];
    const p = el("p", "report-error");
    p.textContent = "Could not load the " + report + " report: " + error.message;
    $(target).replaceChildren(p);
  }

  function askForKey(message) {
    $("reports").hidden = true;
    $("key-form").hidden = false;
    $("forget-key").hidden = true;
    $("key-error").textContent = message;
    setStatus("idle", "");
    $("admin-key").focus();
  }

  function setStatus(stateName, text) {
    $("status").dataset.state = stateName;
    $("status").textContent = text;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Gaps: largest group first, each expandable to every question in it

  function showGaps(report) {
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

  // ---------------------------------------------------------------------------------------------------------
  // Articles: a chart of the most shown, a sortable table of all, and the list never shown

  function showArticles(report) {
    state.articles = report.articles;
    $("articles-count").textContent = report.articles.length + " shown · " + report.never_shown.length + " never shown";
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

  // ---------------------------------------------------------------------------------------------------------
  // Actions: allowed / denied / ask stacked per action and segment, and the rules that decided most

  function showActions(report) {
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

  // ---------------------------------------------------------------------------------------------------------
  // `assist check`: errors first, then warnings, each at its file and line

  function showCheck(report) {
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

  // ---------------------------------------------------------------------------------------------------------
  // Small helpers

  function el(tag, className) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    return node;
  }

  function span(className, text) {
    const node = el("span", className);
    node.textContent = text;
    return node;
  }

  function note(text) {
    const p = el("p", "note");
    p.textContent = text;
    return p;
  }

  function list(texts, titles) {
    const ul = document.createElement("ul");
    texts.forEach((text, i) => {
      const li = document.createElement("li");
      li.textContent = text;
      if (titles) li.title = titles[i];
      ul.appendChild(li);
    });
    return ul;
  }

  function svgEl(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    Object.keys(attributes).forEach((name) => node.setAttribute(name, attributes[name]));
    return node;
  }

  // A label cut to `max` characters (the full text in its tooltip), so long ids do not run into the bars.
  function svgText(text, x, y, anchor, max) {
    const node = svgEl("text", { x: x, y: y, "text-anchor": anchor });
    node.textContent = max && text.length > max ? text.slice(0, max - 1) + "…" : text;
    if (max && text.length > max) {
      const tip = svgEl("title", {});
      tip.textContent = text;
      node.appendChild(tip);
    }
    return node;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Wiring

  function setPeriod(period) {
    state.period = period;
    sessionStorage.setItem(PERIOD_STORE, period);
    document.querySelectorAll(".period button").forEach((b) => {
      b.setAttribute("aria-pressed", String(b.dataset.period === period));
    });
  }

  function start() {
    const asked = new URLSearchParams(location.search).get("since");
    const saved = sessionStorage.getItem(PERIOD_STORE);
    setPeriod(PERIODS.includes(asked) ? asked : PERIODS.includes(saved) ? saved : "7d");
    document.querySelectorAll(".period button").forEach((b) => {
      b.addEventListener("click", () => {
        setPeriod(b.dataset.period);
        load();
      });
    });
    $("refresh").addEventListener("click", load);
    $("forget-key").addEventListener("click", () => {
      sessionStorage.removeItem(KEY_STORE);
      askForKey("");
    });
    $("key-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const key = $("admin-key").value.trim();
      if (!key) return;
      sessionStorage.setItem(KEY_STORE, key);
      $("admin-key").value = "";
      load();
    });
    load();
  }

  start();
})();
