/* The transcript: the turns of the call, who is speaking, and a new call's empty page. */

import { $ } from "../shared/dom.js";
import { call, contextMessage, newCallId } from "./call.js";
import { clearPanel } from "./panel.js";
import { send } from "./stream.js";
import { placeholder } from "./ui.js";

export function addTurn(speaker, text) {
  call.turns.push({ speaker: speaker, text: text });
  const list = $("turns");
  const empty = list.querySelector(".empty");
  if (empty) empty.remove();
  const item = document.createElement("li");
  item.className = "turn " + speaker;
  item.setAttribute("data-testid", "turn");
  item.dataset.speaker = speaker;
  const who = document.createElement("span");
  who.className = "who";
  // Numbered from 1, as the desk names turns ("since turn 3", "the agent said … (turn 4)").
  who.textContent = "turn " + call.turns.length + " · " + speaker;
  item.append(who, document.createTextNode(text));
  list.appendChild(item);
  list.scrollTop = list.scrollHeight;
  send({ type: "turn", speaker: speaker, text: text });
}

export function setSpeaker(speaker) {
  call.speaker = speaker;
  document.querySelectorAll(".speaker .seg").forEach((button) => {
    button.setAttribute("aria-pressed", String(button.dataset.speaker === speaker));
  });
}

export function newCall() {
  call.playing = false;
  call.id = newCallId();
  call.turns = [];
  call.facts = {};
  call.heard = [];
  call.labels = {};
  call.correcting = null;
  call.steps.clear();
  call.suggestion = null;
  call.ended = false;
  call.marks.clear();
  call.actionMarks.clear();
  call.opened.clear();
  call.sent.clear();
  $("turns").replaceChildren(placeholder("No turns yet. Type what the customer says, or play the sample call."));
  $("end-note").textContent = "";
  $("end-call").disabled = false;
  if ($("article-view").open) $("article-view").close();
  clearPanel();
  send({ type: "reset" });
  send(contextMessage());
}
