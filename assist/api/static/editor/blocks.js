/* Small blocks of text the reports are built from: a span, a note, a list. */

import { el } from "../shared/dom.js";

export function span(className, text) {
  const node = el("span", className);
  node.textContent = text;
  return node;
}

export function note(text) {
  const p = el("p", "note");
  p.textContent = text;
  return p;
}

export function list(texts, titles) {
  const ul = document.createElement("ul");
  texts.forEach((text, i) => {
    const li = document.createElement("li");
    li.textContent = text;
    if (titles) li.title = titles[i];
    ul.appendChild(li);
  });
  return ul;
}
