/* assist agent desk: the call on the left, what the knowledge base says about it on the right.
 *
 * The page holds the call (context, turns, facts) itself and streams it to WS /v1/stream; the server answers
 * with suggestions. Because the page is the source of truth, a dropped socket loses nothing: on reconnect the
 * whole call is sent again. Server text is only ever put in the page as text nodes (never innerHTML), so a
 * passage that contains markup shows as markup, it does not run.
 */
"use strict";

(function () {
  // ---------------------------------------------------------------------------------------------------------
  // Constants

  // The facts the served knowledge base's policies read, typed so the agent gets the right input: name → {type,
  // label, unit}, from GET /v1/vocabulary (so a fact added to the vocabulary shows here with no change to this
  // file). Until it has come, or for a fact missing from it, a fact gets a plain text input and its name as label.
  let FACTS = {};
  const VERDICTS = {
    allowed: { icon: "✓", text: "Allowed" },
    denied: { icon: "✕", text: "Not allowed" },
    ask: { icon: "?", text: "Ask first" },
  };
  // Thumbs drawn as SVG (paths after Feather Icons, MIT): agent desktops often lack a colour emoji font,
  // and a missing 👍 glyph shows as an empty box.
  const THUMB_UP = "M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 " +
    "1-2-2v-7a2 2 0 0 1 2-2h3";
  const THUMB_DOWN = "M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3zm7-13h2.67A2.31 " +
    "2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17";
  const STEP_ICONS = { done: "✓", current: "▶", todo: "○" };
  const STEP_WORDS = { done: "done", current: "now", todo: "to do" };
  // The action that asks for a missing fact: the decision card already asks, with an input, so it is not listed.
  const ASK_FOR_FACT = "ask-for-fact";
  const LINKS_SHOWN = 2; // links to other articles on a collapsed answer card

  const params = new URLSearchParams(location.search);
  // ?speed=10 plays the sample call ten times faster (the browser tests use it); 1.2 s a turn reads naturally.
  const SPEED = Math.min(100, Math.max(0.1, Number(params.get("speed")) || 1));
  const TURN_GAP_MS = 1200 / SPEED;
  const DEBUG = params.get("debug") === "1"; // ?debug=1 shows the suggestion id, index version and timing
  const RETRY_MAX_MS = 8000;
  // A suggestion is recorded off the server's hot path. The server already waits briefly for one still queued;
  // a 404 gets one more try after that before the agent is told.
  const FEEDBACK_RETRIES = 1;

  const $ = (id) => document.getElementById(id);

  // ---------------------------------------------------------------------------------------------------------
  // The call: everything the server needs to rebuild it after a reconnect

  const call = {
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

  function newCallId() {
    const random = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2)).slice(0, 12);
    return "call-" + random;
  }

  function contextMessage() {
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

  // ---------------------------------------------------------------------------------------------------------
  // The socket

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

  function connect() {
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
  function send(message) {
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

  // The client key, as HTTP requests carry it (the socket sends it in its first message instead).
  function authorization() {
    const key = $("api-key").value.trim();
    return key ? { Authorization: "Bearer " + key } : {};
  }

  async function loadVocabulary() {
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

  // ---------------------------------------------------------------------------------------------------------
  // Transcript

  function addTurn(speaker, text) {
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

  function setSpeaker(speaker) {
    call.speaker = speaker;
    document.querySelectorAll(".speaker .seg").forEach((button) => {
      button.setAttribute("aria-pressed", String(button.dataset.speaker === speaker));
    });
  }

  function newCall() {
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

  async function playSample() {
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

  // ---------------------------------------------------------------------------------------------------------
  // The suggestion panel: lists are updated in place, keyed, so cards the agent is reading stay put

  function showSuggestion(suggestion) {
    call.suggestion = suggestion;
    const focused = document.activeElement;
    showMeter(suggestion);
    showProcedure(suggestion.procedure);
    call.heard = suggestion.facts || [];
    call.heard.forEach((fact) => (call.labels[fact.name] = fact.label));
    showFacts();
    reconcile($("answers"), suggestion.answers, (a) => a.article_id, newAnswer, updateAnswer,
      "No answer in the knowledge base matches yet.");
    $("answers").querySelectorAll(".passage").forEach(showSay); // measured once the cards are in the page
    reconcile($("decisions"), suggestion.empowerment, (d) => d.action, newDecision, updateDecision,
      "No decision applies yet.");
    // Steps are numbered in the order the procedure lists them: only steps have a status.
    let step = 0;
    const actions = suggestion.next_best_actions.filter((a) => a.action !== ASK_FOR_FACT)
      .map((a) => Object.assign({ step: a.status ? ++step : 0 }, a));
    reconcile($("actions"), actions, (a) => a.action + "|" + a.label, newAction, updateAction,
      "Nothing to suggest yet.");
    showCurrentStep();
    // Moving a card that holds focus blurs it in Chromium; give focus back so typing a fact is not interrupted.
    if (focused && focused !== document.activeElement && document.contains(focused)) focused.focus({ preventScroll: true });
    $("took").textContent = suggestion.suggestion_id + " · index " + suggestion.index_version + " · " +
      suggestion.took_ms + " ms";
  }

  function clearPanel() {
    showMeter(null);
    showProcedure(null);
    $("answers").replaceChildren(placeholder("Suggestions appear here once the customer has said something."));
    $("decisions").replaceChildren(placeholder("No decision applies yet."));
    $("actions").replaceChildren(placeholder("Nothing to suggest yet."));
    $("took").textContent = "";
    showFacts();
  }

  // "Following: <title>", and since when and why. Redrawn only when the procedure changes, which is when the
  // customer raises a new need: a strip that flickers on every turn would draw the eye for nothing.
  function showProcedure(procedure) {
    const signature = procedure ? JSON.stringify([procedure.article_id, procedure.title, procedure.since_turn,
      procedure.reason]) : "";
    if (signature === call.procedure) return;
    call.procedure = signature;
    const strip = document.querySelector(".procedure");
    strip.dataset.articleId = procedure ? procedure.article_id : "";
    strip.querySelector(".procedure-none").hidden = Boolean(procedure);
    strip.querySelector(".procedure-title").hidden = !procedure;
    $("procedure-why").hidden = !procedure;
    $("procedure-title").textContent = procedure ? procedure.title : "";
    // The strip says the turn itself (numbered from 1, as the transcript is); the reason's own "(turn N)"
    // would repeat it, counted from 0.
    const why = procedure ? procedure.reason.replace(/\s*\(turn \d+\)\s*$/, "") : "";
    $("procedure-why").textContent = procedure ? "since turn " + (procedure.since_turn + 1) + " — " + why : "";
  }

  // The current step in view in its list, however many steps are done above it; only the list scrolls, never
  // the page.
  function showCurrentStep() {
    const list = $("actions");
    const current = list.querySelector('[data-status="current"]');
    if (!current) return;
    const box = list.getBoundingClientRect();
    const item = current.getBoundingClientRect();
    if (item.top < box.top) list.scrollTop -= box.top - item.top;
    else if (item.bottom > box.bottom) list.scrollTop += Math.min(item.bottom - box.bottom, item.top - box.top);
  }

  function showMeter(suggestion) {
    const meter = document.querySelector(".meter");
    const value = suggestion ? suggestion.confidence : null;
    meter.dataset.value = value === null ? "" : String(value);
    meter.dataset.level = value === null ? "" : value < 0.4 ? "low" : value < 0.7 ? "mid" : "high";
    $("confidence-fill").style.width = value === null ? "0" : Math.round(value * 100) + "%";
    $("confidence-text").textContent = value === null ? "–" : Math.round(value * 100) + "%";
    const gap = Boolean(suggestion && suggestion.knowledge_gap);
    const outside = gap && Boolean(suggestion.off_topic);  // answered: by where to point the caller
    $("gap").hidden = !gap || outside;
    $("gap-note").hidden = !gap || outside;
    $("off-topic").hidden = !outside;
    $("off-topic-note").hidden = !outside;
    document.querySelector(".answers-panel").dataset.gap = String(gap);
  }

  // Make `list` show `items` in order: reuse the element of each key, create the missing, drop the rest, and
  // move an element only when it is out of place.
  function reconcile(list, items, keyOf, create, update, emptyText) {
    const existing = new Map();
    Array.from(list.children).forEach((child) => {
      if (child.dataset.key) existing.set(child.dataset.key, child);
    });
    const seen = new Map();
    const wanted = items.map((item, index) => {
      let key = keyOf(item);
      const n = (seen.get(key) || 0) + 1; // the same key twice (ungrouped answers): keep both
      seen.set(key, n);
      if (n > 1) key += "#" + n;
      let node = existing.get(key);
      existing.delete(key);
      if (!node) {
        node = create(item);
        node.dataset.key = key;
      }
      update(node, item, index);
      return node;
    });
    existing.forEach((node) => node.remove());
    list.querySelectorAll(":scope > .empty").forEach((node) => node.remove());
    wanted.forEach((node, index) => {
      if (list.children[index] !== node) list.insertBefore(node, list.children[index] || null);
    });
    if (!items.length && emptyText) list.appendChild(placeholder(emptyText));
  }

  function placeholder(text) {
    const li = document.createElement("li");
    li.className = "empty";
    li.textContent = text;
    return li;
  }

  // ---- answers

  function newAnswer(answer) {
    const li = el("li", "answer");
    li.setAttribute("data-testid", "answer");
    const head = el("div", "answer-head");
    head.append(el("span", "rank"), el("h3", "title"), el("span", "section"));
    const say = el("p", "say-line");
    say.setAttribute("data-testid", "say");
    const passage = el("div", "passage");
    passage.setAttribute("data-testid", "passage");
    const links = el("div", "links");
    const buttons = el("div", "answer-buttons");
    buttons.append(
      button("Open", "open", () => toggleOpen(li)),
      button("Copy", "copy", () => copyAnswer(li)),
      button("Used", "used", () => markAnswer(li, "used")),
      iconButton(THUMB_UP, "thumbs-up", () => markAnswer(li, "thumbs_up"), "Helpful"),
      iconButton(THUMB_DOWN, "thumbs-down", () => askWhyNot(li), "Not helpful"),
    );
    li.append(head, say, passage, el("p", "why"), el("p", "more"), links, buttons, commentForm(li));
    return li;
  }

  function updateAnswer(li, answer, index) {
    li.dataset.articleId = answer.article_id;
    li.dataset.passageId = answer.passage_id;
    li.dataset.rank = String(index + 1);
    li.querySelector(".rank").textContent = index + 1 + ".";
    li.querySelector(".title").textContent = answer.title;
    li.querySelector(".section").textContent = answer.section ? "§ " + answer.section : "";
    // In a knowledge gap the passages are weak guesses: no sentence is offered to be said.
    const gap = Boolean(call.suggestion && call.suggestion.knowledge_gap);
    const say = !gap && answer.say ? plain(answer.say) : "";
    const sayLine = li.querySelector(".say-line");
    sayLine.hidden = !(say && index === 0);
    sayLine.replaceChildren();
    if (!sayLine.hidden) {
      const label = el("span", "say-label");
      label.textContent = "Say: ";
      sayLine.append(label, document.createTextNode(say));
    }
    // Re-render the passage only when it changed: a stable DOM keeps the agent's text selection.
    const signature = [answer.passage, say, answer.highlights.join("\u0001")].join("\u0000");
    const passage = li.querySelector(".passage");
    if (passage.dataset.signature !== signature) {
      renderPassage(passage, answer.passage, answer.highlights, say);
      passage.dataset.signature = signature;
    }
    li.querySelector(".why").textContent = answer.why ? "Why: " + answer.why : "";
    const sections = [];
    (answer.more || []).forEach((m) => {
      const name = m.section || "introduction";
      if (name !== answer.section && !sections.includes(name)) sections.push(name);
    });
    li.querySelector(".more").textContent = sections.length ? "Also in this article: " + sections.join(" · ") : "";
    updateLinks(li.querySelector(".links"), answer.links || []);
    const open = call.opened.has(answer.article_id);
    li.classList.toggle("open", open);
    li.querySelector('[data-testid="open"]').setAttribute("aria-expanded", String(open));
    li.querySelector('[data-testid="open"]').textContent = open ? "Close" : "Open";
    const marks = call.marks.get(answer.article_id) || new Set();
    pressed(li, "used", marks.has("used"));
    pressed(li, "thumbs-up", marks.has("thumbs_up"));
    pressed(li, "thumbs-down", marks.has("thumbs_down"));
  }

  // Other articles the passage names ("see recover-username"), each opened in the desk. A collapsed card lists
  // the first LINKS_SHOWN and says how many more there are; Open shows them all.
  function updateLinks(target, links) {
    const signature = links.map((link) => link.article_id).join(" ");
    if (target.dataset.signature === signature) return;
    target.dataset.signature = signature;
    const buttons = links.map((link, index) => {
      const open = button("Open: " + link.title, "article-link", () => openArticle(link.article_id, open));
      open.classList.add("link");
      open.classList.toggle("extra", index >= LINKS_SHOWN);
      open.dataset.articleId = link.article_id;
      return open;
    });
    if (links.length > LINKS_SHOWN) {
      const more = button("+" + (links.length - LINKS_SHOWN) + " more", "more-links",
        () => toggleOpen(target.closest(".answer")), "Show all the articles this passage names");
      more.classList.add("link", "more-links");
      buttons.push(more);
    }
    target.replaceChildren(...buttons);
    target.hidden = !links.length;
  }

  // The knowledge base's markdown as plain text: what the agent says or pastes.
  function plain(text) {
    return text.replace(/\*\*/g, "").replace(/^#{1,6}\s+/gm, "").trim();
  }

  // Markdown as the knowledge base writes it: **bold**, line breaks, "- " items and "#" headings. Built from
  // text nodes, so nothing in the passage can become markup. The sentence to say, when given, is marked too.
  function renderPassage(target, text, highlights, say) {
    target.replaceChildren();
    target.scrollTop = 0;
    const words = highlightPattern(highlights);
    // Each line as runs of plain and bold text, the markup gone; the sentence to say is found in that text.
    const lines = text.split("\n").map((line) => {
      const heading = /^#{1,6}\s+/.exec(line);
      line = heading ? line.slice(heading[0].length) : line.replace(/^\s*[-*]\s+/, "• ");
      const runs = line.split(/\*\*(.+?)\*\*/).map((part, j) => ({ text: part, bold: j % 2 === 1 }));
      return { heading: Boolean(heading), runs: runs.filter((run) => run.text) };
    });
    const span = sayRange(lines.map((line) => line.runs.map((run) => run.text).join("")).join("\n"), say);
    let at = 0; // offset of the run in the whole text
    lines.forEach((line, i) => {
      if (i) target.appendChild(document.createElement("br"));
      const parent = line.heading ? target.appendChild(document.createElement("strong")) : target;
      line.runs.forEach((run) => {
        // A run is cut where the sentence to say begins and ends, so that its part is put inside the mark.
        const cuts = [0, run.text.length];
        if (span) [span[0] - at, span[1] - at].forEach((c) => c > 0 && c < run.text.length && cuts.push(c));
        cuts.sort((a, b) => a - b);
        for (let k = 0; k + 1 < cuts.length; k++) {
          const piece = run.text.slice(cuts[k], cuts[k + 1]);
          const start = at + cuts[k];
          let into = parent;
          if (span && start >= span[0] && start < span[1]) into = sayMark(parent);
          if (run.bold) into = into.appendChild(document.createElement("strong"));
          appendMarked(into, piece, words);
        }
        at += run.text.length;
      });
      at += 1; // the line break
    });
  }

  // Where `say` is in `text`, the white space between its words free; null when it is not found.
  function sayRange(text, say) {
    const words = (say || "").split(/\s+/).filter(Boolean).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    if (!words.length) return null;
    const found = new RegExp(words.join("\\s+")).exec(text);
    return found ? [found.index, found.index + found[0].length] : null;
  }

  // The mark the sentence to say goes in: the last one in `parent` when it is still open, else a new one.
  function sayMark(parent) {
    const last = parent.lastChild;
    if (last && last.nodeName === "MARK" && last.classList.contains("say-mark")) return last;
    const mark = parent.appendChild(document.createElement("mark"));
    mark.className = "say-mark";
    return mark;
  }

  // A collapsed passage shows its first lines: when the sentence to say is further down, it is scrolled into
  // them (the top fades, so the agent sees there is more above).
  function showSay(passage) {
    const mark = passage.querySelector("mark.say-mark");
    let top = 0;
    if (mark && !passage.closest(".open")) {
      const offset = mark.getBoundingClientRect().top - passage.getBoundingClientRect().top + passage.scrollTop;
      const line = parseFloat(getComputedStyle(passage).lineHeight) || 20;
      if (offset + mark.getBoundingClientRect().height > passage.clientHeight - line) top = Math.max(0, offset - line);
    }
    passage.scrollTop = top;
    passage.classList.toggle("scrolled", top > 0);
  }

  function highlightPattern(highlights) {
    const terms = (highlights || []).filter(Boolean).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    if (!terms.length) return null;
    terms.sort((a, b) => b.length - a.length); // the longest first, so "return" does not cut "returns"
    // Whole words, allowing a plural or -ed/-ing: highlights are the query's words, the passage inflects them.
    return new RegExp("(?<![\\p{L}\\p{N}])(?:" + terms.join("|") + ")(?:s|es|ed|ing)?(?![\\p{L}\\p{N}])", "giu");
  }

  function appendMarked(parent, text, pattern) {
    if (!pattern) {
      parent.appendChild(document.createTextNode(text));
      return;
    }
    let last = 0;
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      parent.appendChild(document.createElement("mark")).textContent = m[0];
      last = m.index + m[0].length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function answerOf(li) {
    const rank = Number(li.dataset.rank);
    return call.suggestion && call.suggestion.answers[rank - 1];
  }

  function toggleOpen(li) {
    const articleId = li.dataset.articleId;
    const open = !call.opened.has(articleId);
    if (open) call.opened.add(articleId);
    else call.opened.delete(articleId);
    li.classList.toggle("open", open);
    const button = li.querySelector('[data-testid="open"]');
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? "Close" : "Open";
    showSay(li.querySelector(".passage"));
    if (open) feedbackOnce({ event: "opened", rank: Number(li.dataset.rank) }).catch(() => {});
  }

  async function copyAnswer(li) {
    const answer = answerOf(li);
    if (!answer) return;
    const text = answer.passage.replace(/\*\*(.+?)\*\*/g, "$1"); // agents paste into chat: no markdown
    const copied = await copyText(text);
    const button = li.querySelector('[data-testid="copy"]');
    button.textContent = copied ? "Copied ✓" : "Copy failed";
    setTimeout(() => (button.textContent = "Copy"), 1500);
    if (copied) feedbackOnce({ event: "copied", rank: Number(li.dataset.rank) }).catch(() => {});
  }

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (error) {
      // No clipboard permission (an http page, a locked-down desktop): the old selection-based copy.
      const area = document.createElement("textarea");
      area.value = text;
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      const ok = document.execCommand("copy");
      area.remove();
      return ok;
    }
  }

  async function markAnswer(li, event, comment) {
    const articleId = li.dataset.articleId;
    const marks = call.marks.get(articleId) || new Set();
    if (marks.has(event)) return;
    const body = { event: event, rank: Number(li.dataset.rank) };
    if (comment) body.comment = comment;
    li.querySelector('[data-testid="' + testidOf(event) + '"]').setAttribute("aria-busy", "true");
    try {
      await feedbackOnce(body);
      marks.add(event);
      call.marks.set(articleId, marks);
      pressed(li, testidOf(event), true); // pressed only once stored: what the agent sees is what counts
      toast(event === "used" ? "Marked as used" : "Thanks, noted");
    } catch (error) {
      /* feedback() has said why */
    } finally {
      li.querySelector('[data-testid="' + testidOf(event) + '"]').removeAttribute("aria-busy");
    }
  }

  function testidOf(event) {
    return event.replace("_", "-");
  }

  // 👎 asks, inline and optionally, what was wrong: Enter sends, Escape sends nothing.
  function commentForm(li) {
    const form = el("form", "comment");
    form.hidden = true;
    const input = document.createElement("input");
    input.maxLength = 1000;
    input.placeholder = "What was wrong? (optional)";
    input.setAttribute("aria-label", "What was wrong with this answer");
    input.setAttribute("data-testid", "comment");
    const submit = button("Send", "send-thumbs-down", null, "Send: not helpful");
    submit.type = "submit";
    form.append(input, submit);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      form.hidden = true;
      markAnswer(li, "thumbs_down", input.value.trim());
      input.value = "";
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        form.hidden = true;
        li.querySelector('[data-testid="thumbs-down"]').focus();
      }
    });
    return form;
  }

  function askWhyNot(li) {
    if ((call.marks.get(li.dataset.articleId) || new Set()).has("thumbs_down")) return;
    const form = li.querySelector(".comment");
    form.hidden = false;
    form.scrollIntoView({ block: "nearest" }); // the last card's form opens below the fold of its list
    form.querySelector("input").focus({ preventScroll: true });
  }

  // ---- decisions

  function newDecision() {
    const li = el("li", "decision");
    li.setAttribute("data-testid", "decision");
    const head = el("div", "decision-head");
    head.append(el("span", "verdict"), el("span", "label"), el("span", "limit"));
    li.append(head, el("p", "explanation"), el("div", "rule"), el("div", "fact-rows"));
    return li;
  }

  function updateDecision(li, decision) {
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

  // One row per fact the decision needs. The row is keyed by the fact's name, so a refresh while the agent is
  // typing keeps what was typed.
  function newFactRow(name) {
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

  function knownFacts() {
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
  function showFacts() {
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

  // ---- next-best actions

  function newAction() {
    const li = el("li", "action");
    li.setAttribute("data-testid", "next-action");
    const buttons = el("div", "action-buttons");
    buttons.append(
      button("Used", "action-used", () => markAction(li, "used")),
      button("Dismiss", "dismiss", () => markAction(li, "dismissed")),
      button("Undo", "step-undo", () => unmarkStep(li), "Not done after all"),
    );
    const icon = el("span", "icon");
    icon.setAttribute("role", "img");
    li.append(icon, el("span", "label"), buttons, el("p", "reason"));
    return li;
  }

  function updateAction(li, action) {
    li.dataset.action = action.action;
    li.dataset.status = action.status || "";
    li.dataset.setAside = String(Boolean(action.set_aside));
    li.dataset.marked = String(Boolean(action.status) && call.steps.has(action.action));
    const icon = li.querySelector(".icon");
    const aside = action.set_aside && action.status !== "done";
    icon.textContent = aside ? "–" : STEP_ICONS[action.status] || "•";
    icon.title = aside ? "not needed" : STEP_WORDS[action.status] || "suggestion";
    icon.setAttribute("aria-label", icon.title);
    // The step's number and its state in words too (the icon alone is easy to miss): "now" on the current one
    // ("stops here" where a denial set it aside: the procedure ends there), in the tooltip and for screen readers
    // on the others.
    const where = action.status !== "current" ? "" : aside ? " — stops here" : " — now";
    li.querySelector(".label").textContent = (action.step ? action.step + ". " : "") + action.label + where;
    li.querySelector(".label").title = action.status ? icon.title : "";
    li.querySelector(".reason").textContent = reasonOf(action);
    const mark = call.actionMarks.get(li.dataset.key);
    li.classList.toggle("dismissed", mark === "dismissed");
    li.querySelector('[data-testid="action-used"]').setAttribute("aria-pressed", String(mark === "used"));
    li.querySelector('[data-testid="dismiss"]').setAttribute("aria-pressed", String(mark === "dismissed"));
  }

  // A step's reason starts "step 2 of <article id>": the number is on the step and the procedure strip names
  // the article, so only the evidence is left ("done: the agent said …").
  function reasonOf(action) {
    if (!action.status) return action.reason;
    const evidence = action.reason.replace(/^step \d+ of [\w.-]+(;\s*)?/, "");
    return evidence.charAt(0).toUpperCase() + evidence.slice(1);
  }

  async function markAction(li, event) {
    if (call.actionMarks.get(li.dataset.key) === event) return;
    // "Used" on a procedure step marks it done: the server moves on to the next one.
    if (event === "used" && li.dataset.status) markStep(li.dataset.action, true);
    try {
      await feedbackOnce({ event: event, action: li.dataset.action });
      call.actionMarks.set(li.dataset.key, event);
      li.classList.toggle("dismissed", event === "dismissed");
      li.querySelector('[data-testid="action-used"]').setAttribute("aria-pressed", String(event === "used"));
      li.querySelector('[data-testid="dismiss"]').setAttribute("aria-pressed", String(event === "dismissed"));
    } catch (error) {
      /* feedback() has said why */
    }
  }

  function markStep(action, done) {
    if (done) call.steps.add(action);
    else call.steps.delete(action);
    send({ type: "step", action: action, done: done });
  }

  function unmarkStep(li) {
    markStep(li.dataset.action, false);
    call.actionMarks.delete(li.dataset.key);
    li.dataset.marked = "false";
    li.querySelector('[data-testid="action-used"]').setAttribute("aria-pressed", "false");
  }

  // ---- an article a passage names, opened over the desk

  let articleOpener = null; // the link that opened the article: focus goes back to it on close

  async function openArticle(articleId, opener) {
    const query = new URLSearchParams({ segment: $("segment").value, role: $("role").value });
    const headers = authorization();
    let article;
    try {
      const response = await fetch("/v1/articles/" + encodeURIComponent(articleId) + "?" + query, { headers: headers });
      if (!response.ok) {
        toast(response.status === 404 ? "That article is not available to you" :
          "Could not open the article (" + response.status + ")", true);
        return;
      }
      article = await response.json();
    } catch (error) {
      toast("Could not open the article: the server cannot be reached", true);
      return;
    }
    showArticle(article, opener);
  }

  function showArticle(article, opener) {
    const view = $("article-view");
    view.dataset.articleId = article.article_id;
    $("article-view-title").textContent = article.title;
    // Passages of one section come one after another: one heading for them all.
    const body = [];
    let section = null;
    article.sections.forEach((part) => {
      if (part.section !== section) {
        section = part.section;
        if (section) {
          const heading = el("h3", "article-section");
          heading.textContent = section;
          body.push(heading);
        }
      }
      const text = el("div", "article-text");
      renderPassage(text, part.text, [], "");
      body.push(text);
    });
    $("article-body").replaceChildren(...body);
    $("article-body").scrollTop = 0;
    articleOpener = opener || null;
    // Not modal: the call goes on while the agent reads, and the composer stays in reach.
    if (!view.open) view.show();
    $("article-close").focus();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Feedback and the end of the call

  function feedbackOnce(fields) {
    if (!call.suggestion) {
      toast("No suggestion to give feedback on yet", true);
      return Promise.reject(new Error("no suggestion"));
    }
    const body = Object.assign({ suggestion_id: call.suggestion.suggestion_id }, fields);
    const key = [body.suggestion_id, body.event, body.rank || body.action || body.outcome].join("|");
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
      const detail = await response.json().then((j) => j.detail, () => response.statusText);
      const text = typeof detail === "string" ? detail : JSON.stringify(detail);
      toast("Feedback not recorded (" + response.status + "): " + text, true);
      throw new Error(text);
    }
  }

  async function endCall() {
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

  // ---------------------------------------------------------------------------------------------------------
  // Small helpers

  function el(tag, className) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    return node;
  }

  function button(text, testid, onClick, label) {
    const node = document.createElement("button");
    node.type = "button";
    node.textContent = text;
    node.setAttribute("data-testid", testid);
    if (label) {
      node.setAttribute("aria-label", label);
      node.title = label;
    }
    if (onClick) node.addEventListener("click", onClick);
    return node;
  }

  function iconButton(path, testid, onClick, label) {
    const node = button("", testid, onClick, label);
    node.classList.add("icon-button");
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const shape = document.createElementNS("http://www.w3.org/2000/svg", "path");
    shape.setAttribute("d", path);
    svg.appendChild(shape);
    node.appendChild(svg);
    return node;
  }

  function pressed(li, testid, on) {
    li.querySelector('[data-testid="' + testid + '"]').setAttribute("aria-pressed", String(on));
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  let toastTimer = null;
  function toast(text, bad) {
    const node = $("toast");
    node.textContent = text;
    node.classList.toggle("bad", Boolean(bad));
    node.classList.add("show");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => node.classList.remove("show"), bad ? 5000 : 1800);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Wiring

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
    $("article-close").addEventListener("click", () => $("article-view").close());
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && $("article-view").open) $("article-view").close();
    });
    // Focus goes back to the link that opened the article.
    $("article-view").addEventListener("close", () => {
      if (articleOpener && document.contains(articleOpener)) articleOpener.focus({ preventScroll: true });
    });
    $("took").hidden = !DEBUG;
    $("new-call").addEventListener("click", newCall);
    $("end-call").addEventListener("click", endCall);
    connect();
  }

  start();
})();
