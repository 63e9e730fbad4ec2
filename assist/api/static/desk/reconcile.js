/* A keyed list brought up to date in place: the panel's answers, decisions, actions and fact rows. */

import { placeholder } from "./ui.js";

// Make `list` show `items` in order: reuse the element of each key, create the missing, drop the rest, and
// move an element only when it is out of place.
export function reconcile(list, items, keyOf, create, update, emptyText) {
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
