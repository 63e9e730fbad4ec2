/* Answer cards: the passage, the sentence to say, links to other articles, and Open, Copy, Used, 👍 and 👎. */

import { el } from "../shared/dom.js";
import { openArticle } from "./article.js";
import { call } from "./call.js";
import { feedbackOnce } from "./feedback.js";
import { plain, renderPassage, showSay } from "./passage.js";
import { button, iconButton, pressed, toast } from "./ui.js";

// Thumbs drawn as SVG (paths after Feather Icons, MIT): agent desktops often lack a colour emoji font,
// and a missing 👍 glyph shows as an empty box.
const THUMB_UP = "M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 " +
  "1-2-2v-7a2 2 0 0 1 2-2h3";
const THUMB_DOWN = "M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3zm7-13h2.67A2.31 " +
  "2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17";

const LINKS_SHOWN = 2; // links to other articles on a collapsed answer card

export function newAnswer(answer) {
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

export function updateAnswer(li, answer, index) {
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
