// The review queue's "Checked before?": under each claim, its strong matches among its best
// few, or else its one best match (not marked strong), drawn by matches.js. The page carries
// the matches the cache keeps; the others are asked of GET /api/v1/claims/<id>/matches/ (which
// keeps them for the next visit), a few at a time, so the page itself costs the same number
// of queries however many claims it lists.
import { matchItem } from "./matches.js";

const data = JSON.parse(document.getElementById("queue-data").textContent);
const AT_ONCE = 4;

function show(slot, rows) {
  const strong = rows.filter((m) => m.strong);
  const shown = strong.length ? strong : rows.slice(0, 1);
  if (!shown.length) return;
  const list = document.createElement("ol");
  list.className = "match-list";
  list.setAttribute("aria-label", "Earlier fact-checks of this claim");
  list.append(...shown.map(matchItem));
  const title = document.createElement("p");
  title.className = "earlier-title";
  title.textContent = strong.length ? "Checked before:" : "Possibly checked before:";
  slot.replaceChildren(title, list);
  slot.hidden = false;
}

async function ask(id, slot) {
  const params = new URLSearchParams({ limit: String(data.limit) });
  try {
    const response = await fetch(`${data.matchesUrl.replace("/0/", `/${id}/`)}?${params}`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (response.ok) show(slot, await response.json());
  } catch {
    // Nothing shown: the claim is still there to review.
  }
}

const waiting = [];
for (const item of document.querySelectorAll("[data-testid=review-queue] li[data-claim-id]")) {
  const id = item.dataset.claimId;
  const slot = item.querySelector("[data-testid=earlier-checks]");
  const kept = data.kept[id];
  if (kept) show(slot, kept);
  else waiting.push([id, slot]);
}
async function worker() {
  while (waiting.length) await ask(...waiting.shift());
}
await Promise.all(Array.from({ length: Math.min(AT_ONCE, waiting.length) }, worker));
document.documentElement.dataset.queueReady = "1";
