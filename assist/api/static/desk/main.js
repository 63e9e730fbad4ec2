/* The agent desk: the call on the left, what the knowledge base says about it on the right.
 *
 * The page holds the call (context, turns, facts) itself and streams it to WS /v1/stream; the server answers
 * with suggestions. Because the page is the source of truth, a dropped socket loses nothing: on reconnect the
 * whole call is sent again. Server text is only ever put in the page as text nodes (never innerHTML), so a
 * passage that contains markup shows as markup, it does not run.
 *
 * This module wires the page's controls to the modules beside it and opens the stream.
 */

import { $ } from "../shared/dom.js";
import { watchArticleView } from "./article.js";
import { call, contextMessage } from "./call.js";
import { endCall } from "./feedback.js";
import { DEBUG } from "./options.js";
import { playSample } from "./sample.js";
import { watchSearch } from "./search.js";
import { connect, send } from "./stream.js";
import { addTurn, newCall, setSpeaker } from "./transcript.js";

function start() {
  const savedKey = sessionStorage.getItem("assist.clientKey");
  if (savedKey) $("api-key").value = savedKey;
  ["segment", "role", "customer-id", "agent-id"].forEach((id) => {
    $(id).addEventListener("change", () => send(contextMessage()));
  });
  $("api-key").addEventListener("change", () => {
    const key = $("api-key").value.trim();
    if (key) sessionStorage.setItem("assist.clientKey", key);
    else sessionStorage.removeItem("assist.clientKey");
    send(contextMessage());
  });
  document.querySelectorAll(".speaker .seg").forEach((b) => {
    b.addEventListener("click", () => setSpeaker(b.dataset.speaker));
  });
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("turn-text");
    const text = input.value.trim();
    if (!text) return;
    addTurn(call.speaker, text);
    input.value = "";
    input.focus();
  });
  // No inline handlers: the Content-Security-Policy allows scripts from /static only.
  for (const id of ["context-form", "end-form"]) $(id).addEventListener("submit", (event) => event.preventDefault());
  $("play").addEventListener("click", playSample);
  watchArticleView();
  watchSearch();
  $("took").hidden = !DEBUG;
  $("new-call").addEventListener("click", newCall);
  $("end-call").addEventListener("click", endCall);
  connect();
}

start();
