/* Small pieces of the desk's page: buttons, the empty-list placeholder, the toast, a pause. */

import { $ } from "../shared/dom.js";

export function placeholder(text) {
  const li = document.createElement("li");
  li.className = "empty";
  li.textContent = text;
  return li;
}

export function button(text, testid, onClick, label) {
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

export function iconButton(path, testid, onClick, label) {
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

export function pressed(li, testid, on) {
  li.querySelector('[data-testid="' + testid + '"]').setAttribute("aria-pressed", String(on));
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

let toastTimer = null;
export function toast(text, bad) {
  const node = $("toast");
  node.textContent = text;
  node.classList.toggle("bad", Boolean(bad));
  node.classList.add("show");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => node.classList.remove("show"), bad ? 5000 : 1800);
}
