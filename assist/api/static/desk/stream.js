/* The stream: WS /v1/stream, reconnected with back-off, the whole call replayed on each connection, and the
 * server's suggestions, acks and errors handed to the page. */

import { $ } from "../shared/dom.js";
import { call, contextMessage } from "./call.js";
import { showSuggestion } from "./panel.js";
import { toast } from "./ui.js";
import { FACTS, loadVocabulary } from "./vocabulary.js";

const RETRY_MAX_MS = 8000;

const conn = {
  ws: null,
  sent: 0, // messages sent on this socket: the server's seq counts the same way
  replayUntil: 0, // the seq of the last message of the post-connect replay
  pending: null, // a suggestion message held back while the replay runs, so the panel does not flicker
  resetAt: 0, // the seq of the last reset: a suggestion computed before it belongs to the previous call
  retries: 0,
  timer: null,
  vocabularyAsked: false, // GET /v1/vocabulary, once a connection until it has come
};

export function connect() {
  if (conn.ws || conn.timer) return;
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const ws = new WebSocket(scheme + location.host + "/v1/stream");
  conn.ws = ws;
  setStatus(conn.retries ? "reconnecting" : "connecting", conn.retries ? "reconnecting…" : "connecting…");
  ws.onopen = () => {
    if (ws !== conn.ws) return;
    conn.sent = 0;
    conn.vocabularyAsked = false;
    ["acked", "shown"].forEach((name) => progress(name, 0));
    conn.resetAt = 0;
    conn.pending = null;
    replayCall();
    setStatus("connected", "connected");
  };
  ws.onmessage = (event) => {
    if (ws === conn.ws) receive(JSON.parse(event.data));
  };
  ws.onclose = (event) => {
    if (ws !== conn.ws) return;
    conn.ws = null;
    closed(event);
  };
}

// The whole call again, in the order that computes the fewest throw-away suggestions: context and facts
// first (no turn yet, so no suggestion), then the turns.
function replayCall() {
  rawSend(contextMessage());
  if (Object.keys(call.facts).length) rawSend({ type: "facts", facts: Object.assign({}, call.facts) });
  call.steps.forEach((action) => rawSend({ type: "step", action: action, done: true }));
  call.turns.forEach((turn) => rawSend({ type: "turn", speaker: turn.speaker, text: turn.text }));
  conn.replayUntil = conn.sent;
}

function rawSend(message) {
  conn.ws.send(JSON.stringify(message));
  conn.sent += 1;
  progress("sent", conn.sent);
}

// How far the socket has got, on the page for tools that drive it (the browser tests): messages sent, the
// last acknowledged, and the message the shown suggestion was computed after. A suggestion that would not
// differ from the one shown is not pushed at all.
function progress(name, seq) {
  document.body.dataset[name] = String(seq);
}

// Send now when connected; otherwise the call state already holds the change and the replay will carry it.
export function send(message) {
  if (conn.ws && conn.ws.readyState === WebSocket.OPEN) {
    rawSend(message);
    if (message.type === "reset") conn.resetAt = conn.sent;
  } else if (!conn.ws) {
    clearTimeout(conn.timer);
    conn.timer = null;
    connect();
  }
}

function receive(message) {
  if (message.type === "suggestion") {
    if (message.seq < conn.resetAt) return;
    if (message.seq >= conn.replayUntil) {
      conn.pending = null;
      showSuggestion(message.suggestion);
      progress("shown", message.seq);
    } else {
      conn.pending = message;
    }
  } else if (message.type === "ack") {
    progress("acked", message.seq);
    // An ack means the socket's key was accepted: the vocabulary is asked for with it, once a connection.
    if (!conn.vocabularyAsked && !Object.keys(FACTS).length) {
      conn.vocabularyAsked = true;
      loadVocabulary();
    }
    if (message.seq >= conn.replayUntil && conn.pending) {
      showSuggestion(conn.pending.suggestion);
      progress("shown", conn.pending.seq);
      conn.pending = null;
    }
  } else if (message.type === "error") {
    toast(message.detail || "the server reported an error", true);
    setStatus("connected", "connected · last error: " + (message.detail || "?"));
  }
}

function closed(event) {
  if (event.code === 4401) {
    // Retrying with the same key would be refused again: wait for the agent to change it (or to type).
    setStatus("error", "API key refused: check the key field");
    return;
  }
  if (event.code === 4408) {
    // Idle calls are closed by the server; the next thing the agent does reconnects.
    setStatus("idle", "idle: reconnects when you type");
    return;
  }
  const why = { 1013: "server busy", 4400: "bad message", 4413: "message too large",
    4429: "too many messages" }[event.code];
  const delay = Math.min(RETRY_MAX_MS, 500 * Math.pow(2, conn.retries));
  conn.retries += 1;
  setStatus("reconnecting", (why ? why + "; " : "connection lost; ") + "reconnecting in " +
    Math.ceil(delay / 1000) + " s…");
  conn.timer = setTimeout(() => {
    conn.timer = null;
    connect();
  }, delay);
}

function setStatus(state, text) {
  const el = $("status");
  el.dataset.state = state;
  el.textContent = text;
  el.title = text;
  if (state === "connected") conn.retries = 0;
}
