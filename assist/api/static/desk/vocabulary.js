/* The served knowledge base's vocabulary (GET /v1/vocabulary): the facts its policies read, typed, and the
 * segments and roles the context selects offer. */

import { $ } from "../shared/dom.js";
import { authorization, call } from "./call.js";
import { showSuggestion } from "./panel.js";

// The facts the served knowledge base's policies read, typed so the agent gets the right input: name → {type,
// label, unit}, from GET /v1/vocabulary (so a fact added to the vocabulary shows here with no change to this
// file). Until it has come, or for a fact missing from it, a fact gets a plain text input and its name as label.
export let FACTS = {};

export async function loadVocabulary() {
  let vocabulary;
  try {
    const response = await fetch("/v1/vocabulary", { headers: authorization() });
    if (!response.ok) return; // no index yet, say: asked again on the next connection
    vocabulary = await response.json();
  } catch (error) {
    return;
  }
  const facts = {};
  vocabulary.facts.forEach((fact) => (facts[fact.name] = { type: fact.type, label: fact.label, unit: fact.unit }));
  FACTS = facts;
  offer($("segment"), vocabulary.segments);
  offer($("role"), vocabulary.roles);
  if (!call.suggestion) return;
  // Fact inputs drawn before the vocabulary came are drawn again, typed.
  document.querySelectorAll("#decisions .fact-rows").forEach((rows) => rows.replaceChildren());
  showSuggestion(call.suggestion);
}

// A select offers the vocabulary's values in its order; the value chosen stays chosen (and offered) whatever
// the vocabulary says, so nothing the agent picked changes under them.
function offer(select, values) {
  const chosen = select.value;
  const wanted = values.includes(chosen) ? values : values.concat([chosen]);
  if (!values.length || Array.from(select.options, (o) => o.value).join("\n") === wanted.join("\n")) return;
  select.replaceChildren(...wanted.map((value) => {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = value;
    return option;
  }));
  select.value = chosen;
}
