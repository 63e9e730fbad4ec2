/* Next-best actions and the procedure's steps: each shown with its state, marked used, dismissed or undone. */

import { el } from "../shared/dom.js";
import { call } from "./call.js";
import { feedbackOnce } from "./feedback.js";
import { send } from "./stream.js";
import { button } from "./ui.js";

const STEP_ICONS = { done: "✓", current: "▶", todo: "○" };
const STEP_WORDS = { done: "done", current: "now", todo: "to do" };
// The action that asks for a missing fact: the decision card already asks, with an input, so it is not listed.
export const ASK_FOR_FACT = "ask-for-fact";

export function newAction() {
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

export function updateAction(li, action) {
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
