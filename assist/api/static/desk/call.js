/* The call as the page holds it: everything the server needs to rebuild it after a reconnect, and the
 * agent's context and key as the server is sent them. */

import { $ } from "../shared/dom.js";
import { bearer } from "../shared/http.js";

export const call = {
  id: newCallId(),
  turns: [],
  facts: {}, // what the agent typed on the desktop: it wins over what was heard
  heard: [], // the facts of the latest suggestion, as the server labels them
  labels: {}, // per fact, the server's label, once seen
  correcting: null, // the heard fact the agent is correcting, if any
  steps: new Set(), // procedure steps the agent marked done
  procedure: "", // what the procedure strip shows, so that it is redrawn only when it changes
  speaker: "customer",
  suggestion: null, // the latest suggestion: feedback is always about what the agent is looking at
  ended: false,
  playing: false,
  marks: new Map(), // per article, the feedback the agent gave in this call ("used", "thumbs_up", …)
  actionMarks: new Map(), // per next-best action key: "used" / "dismissed"
  opened: new Set(), // articles whose full passage is open
  sent: new Set(), // "suggestion|event|target": the same event about the same suggestion goes once
};

export function newCallId() {
  const random = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2)).slice(0, 12);
  return "call-" + random;
}

export function contextMessage() {
  const message = {
    type: "context",
    conversation_id: call.id,
    customer: { id: $("customer-id").value.trim() || "anonymous", segment: $("segment").value, attributes: {} },
    agent: { id: $("agent-id").value.trim() || "agent", role: $("role").value },
    issue: null,
    group_by_article: true,
  };
  const key = $("api-key").value.trim();
  if (key) message.api_key = key;
  return message;
}

// The client key, as HTTP requests carry it (the socket sends it in its first message instead).
export function authorization() {
  return bearer($("api-key").value.trim());
}
