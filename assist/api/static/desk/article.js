/* An article a passage names, fetched (GET /v1/articles/{id}) and opened over the desk. */

import { $, el } from "../shared/dom.js";
import { authorization } from "./call.js";
import { renderPassage } from "./passage.js";
import { toast } from "./ui.js";

let articleOpener = null; // the link that opened the article: focus goes back to it on close

export async function openArticle(articleId, opener) {
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

// Closed by its button or Escape; focus goes back to the link that opened the article.
export function watchArticleView() {
  $("article-close").addEventListener("click", () => $("article-view").close());
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && $("article-view").open) $("article-view").close();
  });
  $("article-view").addEventListener("close", () => {
    if (articleOpener && document.contains(articleOpener)) articleOpener.focus({ preventScroll: true });
  });
}
