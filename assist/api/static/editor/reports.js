/* Loading the admin reports (/v1/reports/*) with the admin key kept in sessionStorage; each report loads and
 * fails on its own. */

import { $, el } from "../shared/dom.js";
import { bearer, errorDetail } from "../shared/http.js";
import { showActions } from "./actions.js";
import { showArticles } from "./articles.js";
import { showCheck } from "./check.js";
import { showGaps } from "./gaps.js";
import { state } from "./state.js";

export const KEY_STORE = "assist.adminKey";

class KeyRefused extends Error {}

async function api(path) {
  const response = await fetch(path, { headers: bearer(sessionStorage.getItem(KEY_STORE)) });
  if (response.status === 401 || response.status === 403) throw new KeyRefused("the admin key was refused");
  if (!response.ok) throw new Error(response.status + ": " + (await errorDetail(response)));
  return response.json();
}

// Each report loads and fails on its own: a slow gap clustering or a missing check endpoint must not hide
// the article numbers.
export async function load() {
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

export function askForKey(message) {
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
