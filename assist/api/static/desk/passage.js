/* A passage drawn from the knowledge base's markdown, as text nodes only, with the query's words and the
 * sentence to say marked. */

// The knowledge base's markdown as plain text: what the agent says or pastes.
export function plain(text) {
  return text.replace(/\*\*/g, "").replace(/^#{1,6}\s+/gm, "").trim();
}

// Markdown as the knowledge base writes it: **bold**, line breaks, "- " items and "#" headings. Built from
// text nodes, so nothing in the passage can become markup. The sentence to say, when given, is marked too.
export function renderPassage(target, text, highlights, say) {
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
export function showSay(passage) {
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
