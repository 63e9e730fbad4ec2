/* The sample call: its turns played into the transcript one by one, as if the customer and agent spoke. */

import { $ } from "../shared/dom.js";
import { call } from "./call.js";
import { SPEED } from "./options.js";
import { addTurn, newCall } from "./transcript.js";
import { sleep, toast } from "./ui.js";

const TURN_GAP_MS = 1200 / SPEED;

export async function playSample() {
  if (call.playing) {
    call.playing = false; // the loop below stops before its next turn
    return;
  }
  let sample;
  try {
    const response = await fetch("/static/sample-call.json");
    if (!response.ok) throw new Error("HTTP " + response.status);
    sample = await response.json();
  } catch (error) {
    toast("could not load the sample call: " + error.message, true);
    return;
  }
  if (sample.customer) {
    $("customer-id").value = sample.customer.id || $("customer-id").value;
    if (sample.customer.segment) $("segment").value = sample.customer.segment;
  }
  if (sample.agent) {
    $("agent-id").value = sample.agent.id || $("agent-id").value;
    if (sample.agent.role) $("role").value = sample.agent.role;
  }
  newCall();
  call.playing = true;
  const button = $("play");
  button.textContent = "■ Stop";
  button.setAttribute("aria-pressed", "true");
  const id = call.id;
  for (let i = 0; i < sample.turns.length; i++) {
    if (i) await sleep(TURN_GAP_MS);
    if (!call.playing || call.id !== id) break; // stopped, or a new call began meanwhile
    addTurn(sample.turns[i].speaker, sample.turns[i].text);
  }
  if (call.id === id) call.playing = false;
  button.textContent = "▶ Play sample call";
  button.setAttribute("aria-pressed", "false");
  button.dataset.done = String(call.id === id);
}
