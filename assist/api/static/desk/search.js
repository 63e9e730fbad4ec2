/* The agent's own search of the knowledge base (POST /v1/search), beside what the suggestions offer unasked.
 * A passage found here and used is fed back naming the passage (event "used", passage_id): what the
 * suggestions missed is what learning needs most. */

import { $, el } from "../shared/dom.js";
import { errorDetail } from "../shared/http.js";
import { openArticle } from "./article.js";
import { authorization } from "./call.js";
import { feedbackOnce } from "./feedback.js";
import { plain } from "./passage.js";
import { button, placeholder, toast } from "./ui.js";

const RESULTS = 5;
const SNIPPET_CHARS = 220;

export function watchSearch() {
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const query = $("search-text").value.trim();
    if (query) search(query);
  });
  $("search-close").addEventListener("click", closeResults);
}

async function search(query) {
  const headers = Object.assign({ "Content-Type": "application/json" }, authorization());
  const body = { query: query, limit: RESULTS, customer: { segment: $("segment").value }, agent: { role: $("role").value } };
  let response;
  try {
    response = await fetch("/v1/search", { method: "POST", headers: headers, body: JSON.stringify(body) });
  } catch (error) {
    toast("Search failed: the server cannot be reached", true);
    return;
  }
  if (!response.ok) {
    toast("Search failed (" + response.status + "): " + (await errorDetail(response)), true);
    return;
  }
  showResults((await response.json()).answers);
}

function showResults(answers) {
  const list = $("search-results");
  list.replaceChildren(...(answers.length ? answers.map(result) : [placeholder("Nothing found for that.")]));
  $("search-box").dataset.open = "true";
}

function result(answer) {
  const item = el("li", "search-result");
  item.dataset.passageId = answer.passage_id;
  item.setAttribute("data-testid", "search-result");
  const title = el("div", "search-title");
  title.textContent = answer.title + (answer.section ? " — " + answer.section : "");
  const text = el("div", "search-text");
  const passage = plain(answer.passage).replace(/^\s*- /gm, "").replace(/\s+/g, " ");
  text.textContent = passage.length > SNIPPET_CHARS ? passage.slice(0, SNIPPET_CHARS) + "…" : passage;
  const open = button("Open", "search-open", (event) => openArticle(answer.article_id, event.currentTarget));
  const used = button("Used", "search-used", () => markUsed(answer, used), "Used this passage with the customer");
  const actions = el("div", "buttons");
  actions.append(open, used);
  item.append(title, text, actions);
  return item;
}

async function markUsed(answer, node) {
  try {
    await feedbackOnce({ event: "used", passage_id: answer.passage_id });
  } catch (error) {
    return; // the toast has said why
  }
  node.disabled = true;
  node.textContent = "Used ✓";
}

function closeResults() {
  $("search-results").replaceChildren();
  $("search-box").dataset.open = "false";
  $("search-text").value = "";
}
