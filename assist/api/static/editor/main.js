/* The editor's desk: what the feedback says about the knowledge base, so an editor can decide what to write or
 * fix next. Charts are SVG drawn here; all server text goes in as text nodes, never as markup.
 *
 * This module wires the period buttons and the admin key form to the reports and loads them.
 */

import { $ } from "../shared/dom.js";
import { askForKey, KEY_STORE, load } from "./reports.js";
import { state } from "./state.js";

const PERIOD_STORE = "assist.period";
const PERIODS = ["24h", "7d", "30d"];

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
