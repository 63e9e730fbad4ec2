/* The decisions (empowerment) panel: what the agent may do, up to what limit, and the facts a decision
 * still needs asked. */

import { el } from "../shared/dom.js";
import { knownFacts, newFactRow } from "./facts.js";
import { DEBUG } from "./options.js";
import { reconcile } from "./reconcile.js";

const VERDICTS = {
  allowed: { icon: "✓", text: "Allowed" },
  denied: { icon: "✕", text: "Not allowed" },
  ask: { icon: "?", text: "Ask first" },
};

export function newDecision() {
  const li = el("li", "decision");
  li.setAttribute("data-testid", "decision");
  const head = el("div", "decision-head");
  head.append(el("span", "verdict"), el("span", "label"), el("span", "limit"));
  li.append(head, el("p", "explanation"), el("div", "rule"), el("div", "fact-rows"));
  return li;
}

export function updateDecision(li, decision) {
  li.dataset.action = decision.action;
  li.dataset.decision = decision.decision;
  const verdict = VERDICTS[decision.decision] || { icon: "", text: decision.decision };
  li.querySelector(".verdict").textContent = verdict.icon + " " + verdict.text;
  li.querySelector(".label").textContent = decision.label;
  li.querySelector(".limit").textContent = decision.limit ? "up to " + money(decision.limit) : "";
  li.querySelector(".explanation").textContent = decision.explanation;
  // Rule and article ids are for whoever maintains the policies (?debug=1); the agent has the explanation.
  li.querySelector(".rule").hidden = !DEBUG;
  li.querySelector(".rule").textContent = "rule " + decision.rule +
    (decision.source_article ? " · from " + decision.source_article : "");
  // Asked once: a fact already known, typed or heard, gets no input.
  const known = knownFacts();
  const needs = decision.decision === "ask" ? (decision.needs || []).filter((name) => !known.has(name)) : [];
  reconcile(li.querySelector(".fact-rows"), needs, (name) => name, newFactRow, () => {}, null);
}

function money(limit) {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: limit.currency }).format(limit.amount);
  } catch (error) {
    return limit.amount + " " + limit.currency;
  }
}
