// Earlier fact-checks of the same claim (GET /api/v1/factchecks/match/?q= for a text,
// GET /api/v1/claims/<id>/matches/ for a claim; each item Match.as_dict()), drawn one way
// wherever they show: `matchItem`, used by the reading page's "Checked before?" (`setup`) and
// the review queue (queue.js). Each shows its score, a "strong match" mark only when the API
// says strong, the earlier quote, speaker, rating, date and a link to the public fact-check.
// Every value goes in as text (DOM nodes, never innerHTML).
//
// On the reading page annotate.js calls `forText` (the text being made into a claim),
// `forClaim` (the selected claim) and `clear`. A request is sent once the selection has
// settled (a drag asks once), and one no longer wanted is aborted.

const PAUSE_MS = 250;

function el(tag, props = {}, dataset = {}) {
  const node = Object.assign(document.createElement(tag), props);
  Object.assign(node.dataset, dataset);
  return node;
}

/** One earlier fact-check as a list item. */
export function matchItem(m) {
  const li = el("li", { className: `match-item${m.strong ? " is-strong" : ""}` }, { matchClaim: m.claim });
  const head = el("p", { className: "match-head" });
  if (m.strong) head.append(el("span", { className: "badge strong-match", textContent: "Strong match" }, { testid: "strong-match" }), " ");
  head.append(
    el("span", { className: "badge", textContent: `score ${m.score.toFixed(2)}` }, { testid: "match-score" }),
    " ",
    el("span", { className: "badge verdict", textContent: m.rating || "No rating" }, { testid: "match-rating" }),
  );
  const quote = el("q", { className: "match-quote", textContent: m.quote }, { testid: "match-quote" });
  const meta = el("p", { className: "claim-meta" });
  meta.append(el("span", { className: "who", textContent: m.speaker || "The author" }, { testid: "match-speaker" }));
  if (m.date) meta.append(" · ", el("time", { dateTime: m.date, textContent: m.date }, { testid: "match-date" }));
  const link = el("a", { href: m.url, textContent: "Read the fact-check" }, { testid: "match-link" });
  const words = Array.from(m.quote);
  link.append(el("span", { className: "visually-hidden", textContent: `: ${words.slice(0, 60).join("")}${words.length > 60 ? "…" : ""}` }));
  const open = el("p", { className: "match-open" });
  open.append(link);
  li.append(head, quote, meta, open);
  return li;
}

export function setup({ data }) {
  const section = document.querySelector("[data-testid=match-panel]");
  if (!section || !data.matchUrl) return { forText() {}, forClaim() {}, clear() {} };
  const listEl = section.querySelector("[data-testid=match-list]");
  const statusEl = section.querySelector("[data-testid=match-status]");
  const forEl = section.querySelector("[data-testid=match-for]");
  const maxChars = data.matchMaxChars || 200;

  let wanted = null; // the URL of what is shown or being asked for
  let timer = null;
  let inFlight = null; // its AbortController

  /** At most `maxChars` code points of `text`, on one line, cut between words. */
  function query(text) {
    const line = text.split(/\s+/).join(" ").trim();
    const chars = Array.from(line);
    if (chars.length <= maxChars) return line;
    const cut = chars.slice(0, maxChars).join("");
    const space = cut.lastIndexOf(" ");
    return space > maxChars / 2 ? cut.slice(0, space) : cut;
  }

  function status(message) {
    statusEl.textContent = message;
  }

  function stop() {
    clearTimeout(timer);
    inFlight?.abort();
    inFlight = null;
  }

  function show(matches) {
    listEl.replaceChildren(...matches.map(matchItem));
    const strong = matches.filter((m) => m.strong).length;
    if (!matches.length) status("No earlier fact-check found.");
    else {
      const found = matches.length === 1 ? "1 earlier fact-check" : `${matches.length} earlier fact-checks`;
      status(`${found}${strong ? ` (${strong === 1 ? "1 strong match" : `${strong} strong matches`})` : ""}.`);
    }
  }

  async function ask(url) {
    inFlight = new AbortController();
    const { signal } = inFlight;
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, signal });
      if (url !== wanted) return;
      if (!response.ok) {
        listEl.replaceChildren();
        const why = response.status === 429 ? "too many requests; try again in a minute" : `the server answered ${response.status}`;
        status(`Could not look for earlier fact-checks: ${why}.`);
        wanted = null; // the same selection asks again
        return;
      }
      const matches = await response.json();
      if (url === wanted) show(matches);
    } catch (exc) {
      if (signal.aborted || url !== wanted) return; // a newer selection took over
      listEl.replaceChildren();
      status(`Could not look for earlier fact-checks: ${exc.message}`);
      wanted = null;
    } finally {
      if (inFlight?.signal === signal) inFlight = null;
    }
  }

  function want(url, label) {
    if (url === wanted) return;
    stop();
    wanted = url;
    section.hidden = false;
    section.setAttribute("aria-busy", "true");
    forEl.textContent = label;
    listEl.replaceChildren();
    status("Looking for earlier fact-checks…");
    timer = setTimeout(() => ask(url).finally(() => inFlight || section.removeAttribute("aria-busy")), PAUSE_MS);
  }

  return {
    /** The text being made into a claim. */
    forText(text) {
      const q = query(text || "");
      if (!q) return this.clear();
      const params = new URLSearchParams({ q, limit: String(data.matchLimit || 5) });
      want(`${data.matchUrl}?${params}`, "for the selected text");
    },
    /** An existing claim (its own fact-check is never among them). */
    forClaim(id) {
      const params = new URLSearchParams({ limit: String(data.matchLimit || 5) });
      want(`${data.claimMatchesUrl.replace("/0/", `/${id}/`)}?${params}`, "for the selected claim");
    },
    clear() {
      stop();
      wanted = null;
      section.hidden = true;
      section.removeAttribute("aria-busy");
      listEl.replaceChildren();
      status("");
    },
  };
}
