/* Facts: those heard in the call and those the agent typed, labelled and typed after the vocabulary, each
 * correctable; and the input a decision asks one with. */

import { $, el } from "../shared/dom.js";
import { call } from "./call.js";
import { send } from "./stream.js";
import { button, toast } from "./ui.js";
import { FACTS } from "./vocabulary.js";

// One row per fact the decision needs. The row is keyed by the fact's name, so a refresh while the agent is
// typing keeps what was typed.
export function newFactRow(name) {
  const spec = FACTS[name] || { type: "text" };
  const row = el("div", "fact-row");
  const id = "fact-" + name + "-" + Math.random().toString(36).slice(2, 7);
  const label = document.createElement("label");
  label.htmlFor = id;
  const text = factLabel(name);
  const unit = spec.unit && !text.toLowerCase().includes(spec.unit.toLowerCase()) ? " (" + spec.unit + ")" : "";
  label.textContent = text + unit;
  let input;
  if (spec.type === "bool") {
    input = document.createElement("select");
    [["", "choose…"], ["true", "yes"], ["false", "no"]].forEach(([value, text]) => {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = text;
      input.appendChild(option);
    });
  } else {
    const numeric = spec.type === "int" || spec.type === "number";
    input = document.createElement("input");
    input.type = numeric ? "number" : "text";
    if (spec.type === "int") input.step = "1";
    if (numeric) input.min = "0";
    if (spec.type === "number") input.step = "0.01";
  }
  input.id = id;
  input.setAttribute("data-testid", "fact-input");
  input.dataset.fact = name;
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      setFactFrom(input, spec);
    }
  });
  const set = button("Set", "fact-set", () => setFactFrom(input, spec));
  set.dataset.fact = name;
  row.append(label, input, set);
  return row;
}

function setFactFrom(input, spec) {
  const raw = input.value.trim();
  let value;
  if (spec.type === "bool") value = raw === "" ? undefined : raw === "true";
  else if (spec.type === "int") value = /^\d+$/.test(raw) ? parseInt(raw, 10) : undefined;
  else if (spec.type === "number") value = raw !== "" && isFinite(Number(raw)) ? Number(raw) : undefined;
  else value = raw || undefined;
  if (value === undefined) {
    toast(spec.type === "int" ? "Enter a whole number" : "Enter a value first", true);
    input.focus();
    return;
  }
  setFact(input.dataset.fact, value);
}

function setFact(name, value) {
  if (value === null) delete call.facts[name];
  else call.facts[name] = value;
  if (call.correcting === name) call.correcting = null;
  const facts = {};
  facts[name] = value;
  send({ type: "facts", facts: facts });
  showFacts();
}

// The facts the decisions read: the agent's own (typed, the latest) and those the server heard in the call,
// those heard before the need the call now follows last (they belong to the need raised before it).
function factsShown() {
  const heard = call.heard.filter((fact) => fact.source === "speech" && !(fact.name in call.facts));
  const facts = heard.filter((fact) => !earlier(fact)).concat(heard.filter(earlier));
  Object.keys(call.facts).forEach((name) => facts.push({ name: name, value: call.facts[name], source: "desktop" }));
  return facts;
}

// Whether a fact was heard before the customer raised the need the call follows now (after a switch).
function earlier(fact) {
  const procedure = call.suggestion && call.suggestion.procedure;
  return Boolean(procedure && typeof fact.turn === "number" && fact.turn < procedure.since_turn);
}

export function knownFacts() {
  return new Set(factsShown().map((fact) => fact.name));
}

function factLabel(name) {
  const spec = FACTS[name];
  return call.labels[name] || (spec && spec.label) || name.replace(/_/g, " ");
}

// A value as the agent would say it: "yes", "120 days", "$45".
function factValue(name, value) {
  const spec = FACTS[name] || {};
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (spec.unit === "days" && typeof value === "number") return value + (value === 1 ? " day" : " days");
  if (spec.unit === "USD" && typeof value === "number") {
    const whole = Number.isInteger(value);
    return new Intl.NumberFormat("en-US", { style: "currency", currency: "USD",
      minimumFractionDigits: whole ? 0 : 2, maximumFractionDigits: 2 }).format(value);
  }
  return String(value);
}

// The known facts, labelled, each saying where it came from: one the agent typed can be removed (a wrong
// entry is sent as null, which the server drops); one heard in the call says where, and can be corrected
// (what the agent types wins).
export function showFacts() {
  const facts = factsShown();
  // Redrawn only when something changed: a correction being typed keeps its text and focus.
  const signature = JSON.stringify([facts, call.correcting, facts.map((fact) => [factLabel(fact.name), earlier(fact)])]);
  if ($("facts-list").dataset.signature === signature) return;
  $("facts-list").dataset.signature = signature;
  $("facts").hidden = !facts.length && !call.correcting;
  const chips = facts.map((fact) => {
    const chip = el("span", "chip");
    chip.setAttribute("data-testid", "fact");
    chip.dataset.fact = fact.name;
    chip.dataset.source = fact.source;
    const label = el("span", "fact-label");
    label.textContent = factLabel(fact.name) + ":";
    const value = el("strong", "fact-value");
    value.textContent = factValue(fact.name, fact.value);
    const source = el("span", "fact-source");
    chip.append(label, value, source);
    if (fact.source === "speech") {
      const turn = typeof fact.turn === "number" ? " in turn " + (fact.turn + 1) : "";
      const before = earlier(fact) ? " (before this need)" : "";
      if (before) chip.classList.add("earlier");
      source.textContent = "heard" + turn + before + (fact.quote ? ": “" + fact.quote + "”" : "");
      chip.title = "Heard in the call" + turn + (fact.quote ? ": “" + fact.quote + "”" : "") +
        ". Correct it if it is wrong: what you type wins.";
      chip.append(button("Correct", "fact-correct", () => correctFact(fact.name), "Correct " + factLabel(fact.name)));
    } else {
      source.textContent = "set by you";
      chip.append(button("×", "fact-clear", () => setFact(fact.name, null), "Forget " + factLabel(fact.name)));
    }
    return chip;
  });
  if (call.correcting) chips.push(newFactRow(call.correcting));
  $("facts-list").replaceChildren(...chips);
}

function correctFact(name) {
  call.correcting = call.correcting === name ? null : name;
  showFacts();
  const input = $("facts-list").querySelector('[data-testid="fact-input"]');
  if (input) input.focus();
}
