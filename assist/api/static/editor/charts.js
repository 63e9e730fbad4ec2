/* What the SVG charts are drawn with: their colours, elements and cut labels. */

const SVG = "http://www.w3.org/2000/svg";
export const COLOURS = { shown: "#b9cdf0", used: "#1f5fbf", allowed: "#1a7f37", denied: "#b42318", ask: "#d08a00" };

export function svgEl(tag, attributes) {
  const node = document.createElementNS(SVG, tag);
  Object.keys(attributes).forEach((name) => node.setAttribute(name, attributes[name]));
  return node;
}

// A label cut to `max` characters (the full text in its tooltip), so long ids do not run into the bars.
export function svgText(text, x, y, anchor, max) {
  const node = svgEl("text", { x: x, y: y, "text-anchor": anchor });
  node.textContent = max && text.length > max ? text.slice(0, max - 1) + "…" : text;
  if (max && text.length > max) {
    const tip = svgEl("title", {});
    tip.textContent = text;
    node.appendChild(tip);
  }
  return node;
}
