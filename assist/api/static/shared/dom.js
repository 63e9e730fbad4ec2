/* What both desks build their pages with: an element by id, a new element with a class. */

export const $ = (id) => document.getElementById(id);

export function el(tag, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}
