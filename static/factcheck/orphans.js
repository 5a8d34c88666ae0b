// The orphan list of the annotation page: claims a correction of the article left without
// their words. A desk member selects the words a claim now refers to and re-attaches it
// (POST <claims>/<id>/reattach/), or a moderator closes it (PATCH status "rejected").
import { rangeToCodePoints } from "./offsets.js";

const list = document.querySelector('[data-testid="orphan-list"]');
const root = document.querySelector('[data-testid="article-text"]');
const shown = list.querySelector('[data-testid="orphan-selection"]');
const claimsUrl = list.dataset.claimsUrl;
const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
let chosen = null;

// The last words selected in the article: kept while the focus moves to a button.
document.addEventListener("selectionchange", () => {
  const selection = document.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
  const range = selection.getRangeAt(0);
  if (!root.contains(range.commonAncestorContainer)) return;
  const span = rangeToCodePoints(root, range);
  if (!span || !span.quote.trim()) return;
  chosen = span;
  shown.textContent = `Selected: “${span.quote}”`;
  for (const button of list.querySelectorAll('[data-action="reattach"]')) button.disabled = false;
});

async function send(item, url, method, body) {
  const error = item.querySelector('[data-testid="orphan-error"]');
  error.hidden = true;
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRFToken": csrf,
      "If-Match": `"${item.dataset.version}"`,
    },
    body: JSON.stringify(body),
  });
  if (response.ok) {
    window.location.reload();
    return;
  }
  let message = `Not saved (${response.status}).`;
  try {
    const data = await response.json();
    message = data.detail || Object.values(data).flat().join(" ") || message;
  } catch {
    // not JSON: keep the status
  }
  error.textContent = message;
  error.hidden = false;
}

list.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const item = button.closest('[data-testid="orphan"]');
  const url = `${claimsUrl}${item.dataset.claim}/`;
  if (button.dataset.action === "reattach" && chosen) {
    send(item, `${url}reattach/`, "POST", { start: chosen.start, end: chosen.end });
  } else if (button.dataset.action === "close") {
    send(item, url, "PATCH", {
      status: "rejected",
      moderation_note: "Orphaned by a correction of the article; closed.",
    });
  }
});
