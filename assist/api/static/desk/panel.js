/* The suggestion panel: confidence, the procedure followed, facts, answers, decisions and next-best actions.
 * Lists are updated in place, keyed, so cards the agent is reading stay put. */

import { $ } from "../shared/dom.js";
import { ASK_FOR_FACT, newAction, updateAction } from "./actions.js";
import { newAnswer, updateAnswer } from "./answers.js";
import { call } from "./call.js";
import { newDecision, updateDecision } from "./decisions.js";
import { showFacts } from "./facts.js";
import { showSay } from "./passage.js";
import { reconcile } from "./reconcile.js";
import { placeholder } from "./ui.js";

export function showSuggestion(suggestion) {
  call.suggestion = suggestion;
  const focused = document.activeElement;
  showMeter(suggestion);
  showProcedure(suggestion.procedure);
  call.heard = suggestion.facts || [];
  call.heard.forEach((fact) => (call.labels[fact.name] = fact.label));
  showFacts();
  reconcile($("answers"), suggestion.answers, (a) => a.article_id, newAnswer, updateAnswer,
    "No answer in the knowledge base matches yet.");
  $("answers").querySelectorAll(".passage").forEach(showSay); // measured once the cards are in the page
  reconcile($("decisions"), suggestion.empowerment, (d) => d.action, newDecision, updateDecision,
    "No decision applies yet.");
  // Steps are numbered in the order the procedure lists them: only steps have a status.
  let step = 0;
  const actions = suggestion.next_best_actions.filter((a) => a.action !== ASK_FOR_FACT)
    .map((a) => Object.assign({ step: a.status ? ++step : 0 }, a));
  reconcile($("actions"), actions, (a) => a.action + "|" + a.label, newAction, updateAction,
    "Nothing to suggest yet.");
  showCurrentStep();
  // Moving a card that holds focus blurs it in Chromium; give focus back so typing a fact is not interrupted.
  if (focused && focused !== document.activeElement && document.contains(focused)) focused.focus({ preventScroll: true });
  $("took").textContent = suggestion.suggestion_id + " · index " + suggestion.index_version + " · " +
    suggestion.took_ms + " ms";
}

export function clearPanel() {
  showMeter(null);
  showProcedure(null);
  $("answers").replaceChildren(placeholder("Suggestions appear here once the customer has said something."));
  $("decisions").replaceChildren(placeholder("No decision applies yet."));
  $("actions").replaceChildren(placeholder("Nothing to suggest yet."));
  $("took").textContent = "";
  showFacts();
}

// "Following: <title>", and since when and why. Redrawn only when the procedure changes, which is when the
// customer raises a new need: a strip that flickers on every turn would draw the eye for nothing.
function showProcedure(procedure) {
  const signature = procedure ? JSON.stringify([procedure.article_id, procedure.title, procedure.since_turn,
    procedure.reason]) : "";
  if (signature === call.procedure) return;
  call.procedure = signature;
  const strip = document.querySelector(".procedure");
  strip.dataset.articleId = procedure ? procedure.article_id : "";
  strip.querySelector(".procedure-none").hidden = Boolean(procedure);
  strip.querySelector(".procedure-title").hidden = !procedure;
  $("procedure-why").hidden = !procedure;
  $("procedure-title").textContent = procedure ? procedure.title : "";
  // The strip says the turn itself (numbered from 1, as the transcript is); the reason's own "(turn N)"
  // would repeat it, counted from 0.
  const why = procedure ? procedure.reason.replace(/\s*\(turn \d+\)\s*$/, "") : "";
  $("procedure-why").textContent = procedure ? "since turn " + (procedure.since_turn + 1) + " — " + why : "";
}

// The current step in view in its list, however many steps are done above it; only the list scrolls, never
// the page.
function showCurrentStep() {
  const list = $("actions");
  const current = list.querySelector('[data-status="current"]');
  if (!current) return;
  const box = list.getBoundingClientRect();
  const item = current.getBoundingClientRect();
  if (item.top < box.top) list.scrollTop -= box.top - item.top;
  else if (item.bottom > box.bottom) list.scrollTop += Math.min(item.bottom - box.bottom, item.top - box.top);
}

function showMeter(suggestion) {
  const meter = document.querySelector(".meter");
  const value = suggestion ? suggestion.confidence : null;
  meter.dataset.value = value === null ? "" : String(value);
  meter.dataset.level = value === null ? "" : value < 0.4 ? "low" : value < 0.7 ? "mid" : "high";
  $("confidence-fill").style.width = value === null ? "0" : Math.round(value * 100) + "%";
  $("confidence-text").textContent = value === null ? "–" : Math.round(value * 100) + "%";
  const gap = Boolean(suggestion && suggestion.knowledge_gap);
  const outside = gap && Boolean(suggestion.off_topic);  // answered: by where to point the caller
  $("gap").hidden = !gap || outside;
  $("gap-note").hidden = !gap || outside;
  $("off-topic").hidden = !outside;
  $("off-topic-note").hidden = !outside;
  document.querySelector(".answers-panel").dataset.gap = String(gap);
}
