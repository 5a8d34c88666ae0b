// The detector's suggestions on the reading page (docs/suggestions.md): drawn apart from claims
// (dashed, pale; highlights.js), listed in the side panel, and decided with the keyboard:
// n / N next / previous, a accept (fills the claim form, saved through it to
// POST /api/v1/suggestions/<id>/accept/), r reject. A moderator accepts all at or above a
// confidence. Only desk members get the data (the page leaves it out for everyone else).
// annotate.js owns the form and the claims; it hands this module what it needs (`setup`).
import { suggestionItems } from "./highlights.js";

export function setup(page) {
  const { data, element, excerpt, say, call, isTyping } = page;
  const section = document.querySelector("[data-testid=suggestions]");
  if (!section || !data.suggestionsUrl) return;
  const listEl = section.querySelector("[data-testid=suggestion-list]");
  const countEl = section.querySelector("[data-testid=suggestion-count]");
  const button = section.querySelector("[data-testid=suggest-button]");
  const aboveForm = section.querySelector("[data-testid=accept-above-form]");
  const errorsEl = section.querySelector("[data-testid=suggestion-errors]");
  const kinds = data.kinds;

  let pending = (data.suggestions || []).filter((s) => s.status === "pending");
  let selected = null;

  page.setExtraHighlights(() => suggestionItems(pending));

  const percent = (x) => `${Math.round(x * 100)}%`;
  const byId = (id) => pending.find((s) => s.id === id);
  const itemOf = (id) => listEl.querySelector(`li[data-suggestion-id="${id}"]`);
  const marksOf = (id) => document.querySelectorAll(`mark[data-suggestion-id="${id}"]`);

  function showError(message) {
    errorsEl.textContent = message || "";
    errorsEl.hidden = !message;
  }

  function who(s) {
    if (!s.speaker) return "The author";
    return s.speaker.id === null ? `${s.speaker.name} (new)` : s.speaker.name;
  }

  function listItem(s) {
    const item = element("li", { className: "suggestion-item" }, { suggestionId: s.id });
    const pick = element("button", { type: "button", className: "suggestion-pick" }, { action: "pick-suggestion" });
    pick.setAttribute("aria-describedby", `suggestion-meta-${s.id}`);
    pick.append(element("q", { className: "claim-quote", textContent: excerpt(s.quote, 160) }));
    const meta = element("span", { className: "claim-meta", id: `suggestion-meta-${s.id}` });
    const line = element("span", { className: "line2" });
    line.append(element("span", { className: "who", textContent: who(s) }, { testid: "suggestion-speaker" }));
    if (s.statement) {
      const title = s.statement.id === null ? `${s.statement.title} (new)` : s.statement.title;
      line.append(" · ", element("span", { className: "statement", textContent: title }, { testid: "suggestion-statement" }));
    }
    const badges = element("span", { className: "line2" });
    badges.append(
      element("span", { className: "badge kind", textContent: kinds[s.kind] ?? s.kind }),
      " ",
      element("span", { className: "badge", textContent: `confidence ${percent(s.confidence)}` }, { testid: "suggestion-confidence" }),
    );
    meta.append(line, " ", badges);
    const actions = element("span", { className: "claim-actions" });
    actions.append(
      element("button", { type: "button", className: "link", textContent: "Accept" }, { action: "accept-suggestion", testid: "suggestion-accept" }),
      " ",
      element("button", { type: "button", className: "link", textContent: "Reject" }, { action: "reject-suggestion", testid: "suggestion-reject" }),
    );
    item.append(pick, " ", meta, " ", actions);
    return item;
  }

  function render() {
    listEl.replaceChildren(
      ...(pending.length
        ? pending.map(listItem)
        : [element("li", { className: "empty", textContent: "No pending suggestions. Press Suggest to run the detector." })]),
    );
    countEl.textContent = `(${pending.length})`;
    page.renderText();
    if (selected !== null) markSelected(selected);
  }

  function markSelected(id) {
    for (const el of document.querySelectorAll(".is-suggestion-selected")) el.classList.remove("is-suggestion-selected");
    for (const el of listEl.querySelectorAll("[aria-current]")) el.removeAttribute("aria-current");
    for (const mark of marksOf(id)) mark.classList.add("is-suggestion-selected");
    const item = itemOf(id);
    if (item) {
      item.classList.add("is-suggestion-selected");
      item.setAttribute("aria-current", "true");
    }
  }

  function select(id, { scroll = true, focus = true } = {}) {
    const s = byId(id);
    if (!s) return;
    selected = id;
    markSelected(id);
    const first = marksOf(id)[0];
    if (scroll && first) first.scrollIntoView({ block: "center", behavior: "smooth" });
    if (focus) itemOf(id)?.querySelector("[data-action=pick-suggestion]").focus({ preventScroll: true });
    say(`Suggestion: ${s.quote.slice(0, 80)}, ${who(s)}, confidence ${percent(s.confidence)}. a: accept, r: reject.`);
  }

  function step(delta) {
    if (!pending.length) {
      say("No pending suggestions.");
      return;
    }
    const at = pending.findIndex((s) => s.id === selected);
    const next = at === -1 ? (delta > 0 ? 0 : pending.length - 1) : (at + delta + pending.length) % pending.length;
    select(pending[next].id);
  }

  function drop(id) {
    const at = pending.findIndex((s) => s.id === id);
    pending = pending.filter((s) => s.id !== id);
    if (selected === id) selected = pending.length ? pending[Math.min(at, pending.length - 1)].id : null;
    render();
  }

  function accept(id) {
    const s = byId(id);
    if (!s || !page.canAnnotate()) return;
    selected = id;
    page.openSuggestion(s, marksOf(id)[0]?.getBoundingClientRect() ?? null);
  }

  async function reject(id) {
    const s = byId(id);
    if (!s) return;
    const result = await call("POST", `${data.suggestionUrl}${id}/reject/`);
    if (!result.ok && result.status !== 409) {
      showError(result.body.detail || `The server answered ${result.status}.`);
      return;
    }
    showError("");
    drop(id);
    if (selected !== null) select(selected, { scroll: true });
    else section.querySelector("h2").focus?.();
    say(result.ok ? "Suggestion rejected." : "Someone decided that suggestion already.");
  }

  async function run() {
    button.disabled = true;
    button.textContent = "Suggesting…";
    const result = await call("POST", data.suggestionsUrl);
    button.disabled = false;
    button.textContent = "Suggest";
    if (!result.ok) {
      showError(result.body.detail || `The server answered ${result.status}.`);
      return;
    }
    showError("");
    pending = result.body.filter((s) => s.status === "pending");
    selected = null;
    render();
    say(pending.length ? `${pending.length} suggestions. Press n for the first.` : "The detector found nothing to suggest.");
  }

  button?.addEventListener("click", run);

  aboveForm?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const confidence = Number(aboveForm.elements.confidence.value);
    const result = await call("POST", data.acceptAboveUrl, { confidence });
    if (!result.ok) {
      const body = result.body;
      showError([].concat(body.detail ?? body.confidence ?? `The server answered ${result.status}.`).join(" "));
      return;
    }
    showError("");
    const made = new Set(result.body.claims.map((c) => c.start * 1e9 + c.end));
    for (const claim of result.body.claims) page.claimSaved(claim);
    pending = pending.filter((s) => !(s.confidence >= confidence && made.has(s.start * 1e9 + s.end)));
    selected = null;
    render();
    say(`${result.body.accepted} suggestions accepted.`);
  });

  listEl.addEventListener("click", (event) => {
    const action = event.target.closest("[data-action]")?.dataset.action;
    const item = event.target.closest("li[data-suggestion-id]");
    if (!action || !item) return;
    const id = Number(item.dataset.suggestionId);
    if (action === "pick-suggestion") select(id, { focus: false });
    if (action === "accept-suggestion") accept(id);
    if (action === "reject-suggestion") reject(id);
  });

  page.textEl.addEventListener("click", (event) => {
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed) return;
    const mark = event.target.closest("mark[data-suggestion-id]");
    if (mark && !event.target.closest("mark[data-claim-id]")) select(Number(mark.dataset.suggestionId), { scroll: false });
  });

  // The claim form saved an accepted suggestion: it is a claim now.
  document.addEventListener("factcheck:accepted", (event) => {
    const id = event.detail.suggestion;
    pending = pending.filter((s) => s.id !== id);
    if (selected === id) selected = null;
    render();
  });

  document.addEventListener("keydown", (event) => {
    if (page.formIsOpen() || isTyping(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    const shortcuts = {
      n: () => step(1),
      N: () => step(-1),
      a: () => {
        if (selected === null && pending.length) select(pending[0].id);
        if (selected !== null) accept(selected);
      },
      r: () => selected !== null && reject(selected),
    };
    const runKey = shortcuts[event.key];
    if (!runKey) return;
    event.preventDefault();
    runKey();
  });

  render();
}
