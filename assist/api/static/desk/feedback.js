/* Feedback (POST /v1/feedback): each event about a suggestion sent once, and the call's outcome at its end. */

import { $ } from "../shared/dom.js";
import { errorDetail } from "../shared/http.js";
import { authorization, call } from "./call.js";
import { sleep, toast } from "./ui.js";

// A suggestion is recorded off the server's hot path. The server already waits briefly for one still queued;
// a 404 gets one more try after that before the agent is told.
const FEEDBACK_RETRIES = 1;

export function feedbackOnce(fields) {
  if (!call.suggestion) {
    toast("No suggestion to give feedback on yet", true);
    return Promise.reject(new Error("no suggestion"));
  }
  const body = Object.assign({ suggestion_id: call.suggestion.suggestion_id }, fields);
  const key = [body.suggestion_id, body.event, body.rank || body.action || body.outcome || body.passage_id].join("|");
  if (call.sent.has(key)) return Promise.resolve(null);
  return feedback(body).then((result) => {
    call.sent.add(key);
    return result;
  });
}

async function feedback(body) {
  const headers = Object.assign({ "Content-Type": "application/json" }, authorization());
  for (let attempt = 0; ; attempt++) {
    let response;
    try {
      response = await fetch("/v1/feedback", { method: "POST", headers: headers, body: JSON.stringify(body) });
    } catch (error) {
      toast("Feedback not sent: the server cannot be reached", true);
      throw error;
    }
    if (response.ok) return response.json();
    if (response.status === 404 && attempt < FEEDBACK_RETRIES) {
      await sleep(500);
      continue;
    }
    const text = await errorDetail(response);
    toast("Feedback not recorded (" + response.status + "): " + text, true);
    throw new Error(text);
  }
}

export async function endCall() {
  const note = $("end-note");
  if (call.ended) return;
  if (!call.suggestion) {
    note.textContent = "No suggestion was shown in this call, so there is nothing to record.";
    return;
  }
  const outcome = $("outcome").value;
  $("end-call").disabled = true;
  try {
    await feedbackOnce({ event: "outcome", outcome: outcome });
    call.ended = true;
    call.playing = false;
    note.dataset.state = "ended";
    note.textContent = "Call ended: " + outcome + ". Press New call for the next customer.";
  } catch (error) {
    $("end-call").disabled = false;
    note.textContent = "The outcome was not recorded; try again.";
  }
}
