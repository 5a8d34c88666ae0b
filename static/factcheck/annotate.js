// The reading/annotating page: the page carries the article text and its claims as JSON; this
// module builds the highlights (highlights.js) and the side panel from them. Claims are
// written through the API (POST /api/v1/claims/, PATCH and DELETE /api/v1/claims/<id>/ with
// If-Match), which answers with the claim in the same shape as the page data's claims (the
// API's field names, plus `editable`); it is merged in. Offsets: offsets.js.
import { claimsFrom } from "./claims.js";
import { codePointIndex, highlightFragment } from "./highlights.js";
import { codePointsToRange, expandToWords, rangeToCodePoints } from "./offsets.js";

const data = JSON.parse(document.getElementById("annotate-data").textContent);
const textEl = document.querySelector("[data-testid=article-text]");
const listSlot = document.querySelector("[data-role=claim-list-slot]");
const listEl = listSlot.querySelector("[data-testid=claim-list]");
const countEl = document.querySelector("[data-testid=claim-count]");
const form = document.querySelector("[data-testid=claim-form]");
const formTitle = form.querySelector(".form-title");
const preview = form.querySelector("[data-testid=claim-quote]");
const errorsEl = form.querySelector("[data-testid=claim-errors]");
const deleteButton = form.querySelector("[data-testid=claim-delete]");
const snapBox = form.elements.snap;
const help = document.querySelector("[data-testid=help-overlay]");
const announcer = document.querySelector("[data-testid=announcer]");
const csrf = form.elements.csrfmiddlewaretoken.value;
const kinds = Array.from(form.elements.kind.options, (o) => o.value);
const narrow = window.matchMedia("(max-width: 760px)");

// The article text as served (the element holds it as plain text until the highlights go in)
// and the UTF-16 index of each of its code points.
const articleText = textEl.textContent;
const cpIndex = codePointIndex(articleText);

let claims = new Map();
let order = [];
let editing = null; // {mode: "create", start, end} | {mode: "edit", id}
let selectedId = null;
let busy = false;

snapBox.checked = localStorage.getItem("factcheck.snap") === "1";

// ------------------------------------------------------------------ helpers

function say(message) {
  announcer.textContent = message;
}

function apiUrl(id) {
  return id === undefined ? data.claimsUrl : `${data.claimsUrl}${id}/`;
}

function pageUrl(id) {
  return data.claimUrl.replace("/0/", `/${id}/`);
}

// What to say when an error answer has no words of its own.
const STATUS_MESSAGES = {
  403: "You may not change this claim.",
  404: "This claim is gone (deleted by someone else?); reload the page.",
  409: "This was changed by someone else; reload and apply your edit again.",
  412: "This was changed by someone else; reload and apply your edit again.",
};

/** One API write (session cookie, CSRF header; `version` goes out as If-Match). */
async function call(method, url, payload, version) {
  const headers = { "X-CSRFToken": csrf, Accept: "application/json" };
  if (payload !== undefined) headers["Content-Type"] = "application/json";
  if (version !== undefined) headers["If-Match"] = `"${version}"`;
  let response;
  try {
    response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers,
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
  } catch (exc) {
    return { ok: false, status: 0, body: { detail: `Could not reach the server: ${exc.message}` } };
  }
  let body = {};
  if (response.status !== 204) {
    try {
      body = await response.json();
    } catch {
      body = {};
    }
  }
  // DRF's own 404 ("No Claim matches the given query.") does not say what to do.
  if (response.status === 404) body = {};
  if (!response.ok && (body === null || typeof body !== "object" || !Object.keys(body).length)) {
    body = { detail: STATUS_MESSAGES[response.status] || `The server answered ${response.status}.` };
  }
  return { ok: response.ok, status: response.status, body };
}

async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  return response.ok ? response.json() : { results: [] };
}

function marksOf(id) {
  return textEl.querySelectorAll(`mark[data-claim-id="${id}"]`);
}

function itemOf(id) {
  return listSlot.querySelector(`li[data-claim-id="${id}"]`);
}

function isTyping(target) {
  return target.closest("input, textarea, select, [contenteditable]") !== null;
}

// ------------------------------------------------------------------ rendering

function byTextOrder(a, b) {
  return a.start - b.start || b.end - a.end || a.id - b.id;
}

function withQuote(c) {
  return { ...c, quote: articleText.slice(cpIndex[c.start], cpIndex[c.end]) };
}

function truncate(text, limit) {
  const chars = Array.from(text);
  return chars.length > limit ? `${chars.slice(0, limit - 1).join("")}…` : text;
}

function element(tag, props = {}, dataset = {}) {
  const el = Object.assign(document.createElement(tag), props);
  Object.assign(el.dataset, dataset);
  return el;
}

/** The side panel's entry for one claim (text only ever goes in as textContent). */
function listItem(c) {
  const item = element("li", { className: "claim-item" }, { claimId: c.id });
  const pick = element("button", { type: "button", className: "claim-pick" }, { action: "pick" });
  pick.setAttribute("aria-describedby", `claim-meta-${c.id}`);
  pick.append(element("span", { className: "claim-quote", textContent: truncate(c.summary || c.quote, 140) }));
  const meta = element("span", { className: "claim-meta", id: `claim-meta-${c.id}` });
  meta.append(element("span", { className: "who", textContent: c.speaker_name || "The author" }));
  if (c.statement_title) meta.append(" · ", element("span", { className: "statement", textContent: c.statement_title }));
  const line2 = element("span", { className: "line2" });
  line2.append(
    element("span", { className: "badge kind", textContent: data.kinds[c.kind] ?? c.kind }),
    " ",
    element("span", { className: `badge status-${c.status}`, textContent: data.statuses[c.status] ?? c.status }),
  );
  if (c.approved_verdict) {
    const label = c.approved_verdict.rating_label;
    line2.append(" ", element("span", { className: "badge verdict", textContent: `Verdict: ${label}` }, { testid: "claim-verdict" }));
  }
  if (!c.check_worthy) line2.append(" ", element("span", { className: "badge", textContent: "not check-worthy" }));
  meta.append(" ", line2);
  const links = element("span", { className: "claim-actions" });
  links.append(element("a", { href: pageUrl(c.id), textContent: "Open" }));
  if (c.editable) {
    links.append(" ", element("button", { type: "button", className: "link", textContent: "Edit" }, { action: "edit", testid: "claim-edit" }));
  }
  item.append(pick, " ", meta, " ", links);
  return item;
}

function emptyItem() {
  return element("li", { className: "empty", textContent: "No claims yet. Select text in the article to add one." });
}

function renderText() {
  textEl.replaceChildren(highlightFragment(document, articleText, [...claims.values()], cpIndex));
}

function renderList() {
  listEl.replaceChildren(...(order.length ? order.map((id) => listItem(claims.get(id))) : [emptyItem()]));
}

function renderCount() {
  countEl.textContent = `(${order.length})`;
}

/** Everything from `list` (the page's claims): highlights, side panel, count. */
function renderAll(list) {
  claims = new Map(list.map((c) => [c.id, withQuote(c)]));
  order = [...claims.values()].sort(byTextOrder).map((c) => c.id);
  renderText();
  renderList();
  renderCount();
}

/** One claim saved (new or changed: the API's answer) or deleted: the highlights again, one
 * list entry. */
function applyChange(id, claim) {
  itemOf(id)?.remove();
  if (claim) claims.set(id, withQuote(claim));
  else claims.delete(id);
  order = [...claims.values()].sort(byTextOrder).map((c) => c.id);
  renderText();
  listEl.querySelector("li.empty")?.remove();
  if (claim) {
    const next = order[order.indexOf(id) + 1];
    listEl.insertBefore(listItem(claims.get(id)), next === undefined ? null : itemOf(next));
  } else if (!order.length) {
    listEl.append(emptyItem());
  }
  renderCount();
  if (selectedId !== null && !claims.has(selectedId)) selectedId = null;
  if (selectedId !== null) markSelected(selectedId);
}

function flash(id) {
  for (const mark of marksOf(id)) {
    mark.classList.remove("flash");
    void mark.offsetWidth; // restart the animation
    mark.classList.add("flash");
    mark.addEventListener("animationend", () => mark.classList.remove("flash"), { once: true });
  }
}

function markSelected(id) {
  for (const el of document.querySelectorAll(".is-selected")) el.classList.remove("is-selected");
  for (const el of document.querySelectorAll("[aria-current=true]")) el.removeAttribute("aria-current");
  for (const mark of marksOf(id)) mark.classList.add("is-selected");
  const item = itemOf(id);
  if (item) {
    item.classList.add("is-selected");
    item.setAttribute("aria-current", "true");
  }
}

function selectClaim(id, { scrollText = false, scrollList = false, focusItem = false } = {}) {
  if (!claims.has(id)) return;
  selectedId = id;
  markSelected(id);
  const first = marksOf(id)[0];
  if (scrollText && first) first.scrollIntoView({ block: "center", behavior: "smooth" });
  const item = itemOf(id);
  if (item && (scrollList || focusItem)) item.scrollIntoView({ block: "nearest" });
  if (item && focusItem) item.querySelector("[data-action=pick]").focus({ preventScroll: true });
  flash(id);
  const c = claims.get(id);
  say(`Claim: ${c.quote.slice(0, 80)}${c.speaker_name ? `, said by ${c.speaker_name}` : ""}, ${c.status}.`);
}

function step(delta) {
  if (!order.length) return;
  const at = order.indexOf(selectedId);
  const next = at === -1 ? (delta > 0 ? 0 : order.length - 1) : (at + delta + order.length) % order.length;
  selectClaim(order[next], { scrollText: true, scrollList: true, focusItem: true });
}

// ------------------------------------------------------------------ the claim form

function place(rect) {
  if (narrow.matches) {
    form.style.top = "";
    form.style.left = "";
    return;
  }
  const width = form.offsetWidth || 360;
  const left = Math.min(Math.max(8, rect.left + window.scrollX), window.scrollX + document.documentElement.clientWidth - width - 8);
  form.style.left = `${Math.max(8, left)}px`;
  form.style.top = `${rect.bottom + window.scrollY + 8}px`;
}

// Which form field shows the errors of each API field (the span's under the quote preview).
const FORM_FIELD = {
  kind: "kind",
  speaker: "speaker",
  speaker_name: "speaker",
  statement: "statement",
  statement_title: "statement",
  summary: "summary",
  check_worthy: "check_worthy",
  start: "quote",
  end: "quote",
  quote: "quote",
  prefix: "quote",
  suffix: "quote",
  snap: "quote",
};
// Error answers' keys that are not messages.
const NOT_MESSAGES = new Set(["current_version"]);

/** An API error answer in the form: DRF's {"field": ["message", ...]} next to each field,
 * {"detail": "..."} (and fields the form lacks) in the box at the top. */
function showErrors(body) {
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const el of form.querySelectorAll(".field-errors")) {
    el.replaceChildren();
    el.hidden = true;
  }
  const general = [];
  let count = 0;
  for (const [key, value] of Object.entries(body || {})) {
    if (NOT_MESSAGES.has(key)) continue;
    const messages = [].concat(value).filter((m) => typeof m === "string" && m);
    const slot = FORM_FIELD[key] && document.getElementById(`claim-${FORM_FIELD[key]}-errors`);
    count += messages.length;
    if (!slot) {
      const label = key === "detail" || key === "non_field_errors" ? "" : `${key.replaceAll("_", " ")}: `;
      general.push(...messages.map((m) => label + m));
      continue;
    }
    slot.textContent = [slot.textContent, ...messages].filter(Boolean).join(" "); // start and end share one
    slot.hidden = false;
    form.elements[FORM_FIELD[key]]?.setAttribute?.("aria-invalid", "true");
  }
  errorsEl.replaceChildren(...general.map((line) => element("p", { textContent: line })));
  errorsEl.hidden = general.length === 0;
  if (count && !general.length) say(`Not saved: ${count === 1 ? "one problem" : `${count} problems`}, shown by the fields.`);
}

function spanPreview() {
  if (!editing) return;
  let { start, end } = editing.mode === "create" ? editing : claims.get(editing.id);
  if (snapBox.checked) ({ start, end } = expandToWords(articleText, start, end) || { start, end });
  preview.textContent = articleText.slice(cpIndex[start], cpIndex[end]);
}

function openForm(state, rect) {
  editing = state;
  showErrors(null);
  if (state.mode === "create") {
    formTitle.textContent = "New claim";
    form.reset();
    form.elements.check_worthy.checked = true;
    snapBox.checked = localStorage.getItem("factcheck.snap") === "1";
    deleteButton.hidden = true;
    spanPreview();
  } else {
    const c = claims.get(state.id);
    formTitle.textContent = "Edit claim";
    form.elements.kind.value = c.kind;
    form.elements.speaker.value = c.speaker_name;
    form.elements.statement.value = c.statement_title;
    form.elements.summary.value = c.summary;
    form.elements.check_worthy.checked = c.check_worthy;
    snapBox.checked = false;
    preview.textContent = c.quote;
    deleteButton.hidden = false;
    deleteButton.textContent = "Delete";
    delete deleteButton.dataset.armed;
    loadStatements();
  }
  form.hidden = false;
  place(rect);
  form.elements.speaker.focus({ preventScroll: true });
}

function closeForm({ keepSelection = false } = {}) {
  const hadFocus = form.contains(document.activeElement);
  const was = editing;
  form.hidden = true;
  editing = null;
  if (!keepSelection) window.getSelection()?.removeAllRanges();
  if (hadFocus) {
    // Give focus back where the work was: the claim's list entry, or the text.
    const pick = was?.mode === "edit" && itemOf(was.id)?.querySelector("[data-action=pick]");
    (pick || textEl).focus({ preventScroll: true });
  }
}

async function save() {
  if (!editing || busy) return;
  busy = true;
  const f = form.elements;
  // The API's names; empty speaker and statement names clear them (the author's own claim).
  const payload = {
    kind: f.kind.value,
    speaker_name: f.speaker.value.trim(),
    statement_title: f.statement.value.trim(),
    summary: f.summary.value.trim(),
    check_worthy: f.check_worthy.checked,
    snap: snapBox.checked, // the server widens the span again by the same rule
  };
  let result;
  try {
    if (editing.mode === "create") {
      let { start, end } = editing;
      if (snapBox.checked) ({ start, end } = expandToWords(articleText, start, end) || editing);
      result = await call("POST", apiUrl(), { ...payload, article: data.article, start, end });
    } else {
      const c = claims.get(editing.id);
      result = await call("PATCH", apiUrl(c.id), payload, c.version);
    }
  } finally {
    busy = false;
  }
  if (!result.ok) {
    showErrors(result.body);
    return;
  }
  const created = editing.mode === "create";
  const claim = result.body;
  closeForm();
  applyChange(claim.id, claim);
  selectClaim(claim.id, { scrollList: true });
  say(created ? "Claim saved." : "Claim updated.");
  document.dispatchEvent(new CustomEvent("factcheck:saved", { detail: { id: claim.id } }));
}

async function remove() {
  if (editing?.mode !== "edit") return;
  if (!deleteButton.dataset.armed) {
    deleteButton.dataset.armed = "1";
    deleteButton.textContent = "Really delete?";
    return;
  }
  const id = editing.id;
  const result = await call("DELETE", apiUrl(id), undefined, claims.get(id).version);
  if (!result.ok) {
    showErrors(result.body);
    return;
  }
  closeForm();
  applyChange(id, null);
  say("Claim deleted.");
}

function edit(id) {
  const c = claims.get(id);
  if (!c || !c.editable) return;
  selectClaim(id);
  const first = marksOf(id)[0];
  const rect = first ? first.getBoundingClientRect() : textEl.getBoundingClientRect();
  openForm({ mode: "edit", id }, rect);
}

// Suggestions: speakers as you type, and the chosen speaker's statements.
let speakerTimer = null;
let lastSpeakerQuery = null;
let lastStatementSpeaker = null;

function fillDatalist(id, values) {
  const list = document.getElementById(id);
  list.replaceChildren(...values.map((v) => Object.assign(document.createElement("option"), { value: v })));
}

async function loadSpeakers() {
  const q = form.elements.speaker.value.trim();
  if (q === lastSpeakerQuery) return;
  lastSpeakerQuery = q;
  const body = await getJson(`${data.speakersUrl}?q=${encodeURIComponent(q)}`);
  fillDatalist("speaker-options", body.results.map((s) => s.name));
}

async function loadStatements() {
  const speaker = form.elements.speaker.value.trim();
  if (speaker === lastStatementSpeaker) return;
  lastStatementSpeaker = speaker;
  if (!speaker) {
    fillDatalist("statement-options", []);
    return;
  }
  const body = await getJson(`${data.statementsUrl}?speaker=${encodeURIComponent(speaker)}`);
  fillDatalist("statement-options", body.results.map((s) => s.title));
}

form.elements.speaker.addEventListener("input", () => {
  clearTimeout(speakerTimer);
  speakerTimer = setTimeout(() => {
    loadSpeakers();
    loadStatements();
  }, 150);
});
form.elements.speaker.addEventListener("change", loadStatements);
form.elements.statement.addEventListener("focus", loadStatements);
form.elements.speaker.addEventListener("focus", loadSpeakers, { once: true });
snapBox.addEventListener("change", () => {
  localStorage.setItem("factcheck.snap", snapBox.checked ? "1" : "0");
  spanPreview();
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  save();
});
form.addEventListener("click", (event) => {
  const action = event.target.closest("[data-action]")?.dataset.action;
  if (action === "cancel") closeForm();
  if (action === "delete") remove();
});

// ------------------------------------------------------------------ selection

function selectionSpan() {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!range.intersectsNode(textEl)) return null;
  const span = rangeToCodePoints(textEl, range);
  if (!span || !span.quote.trim()) return null;
  return { span, rect: range.getBoundingClientRect() };
}

function openFromSelection() {
  if (!data.canAnnotate) return;
  const found = selectionSpan();
  if (!found) return;
  openForm({ mode: "create", start: found.span.start, end: found.span.end }, found.rect);
}

// The form opens just after mouse-up, once the browser has settled the selection; a key
// pressed in between (keyboard selection) cancels that.
let mouseToken = 0;
textEl.addEventListener("mouseup", () => {
  const token = ++mouseToken;
  setTimeout(() => token === mouseToken && openFromSelection(), 0);
});
document.addEventListener("keydown", () => mouseToken++, { capture: true });

textEl.addEventListener("click", (event) => {
  const selection = window.getSelection();
  if (selection && !selection.isCollapsed) return;
  const mark = event.target.closest("mark[data-claim-id]");
  if (mark) selectClaim(Number(mark.dataset.claimId), { scrollList: true });
});

listSlot.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  const item = event.target.closest("li[data-claim-id]");
  if (!button || !item) return;
  const id = Number(item.dataset.claimId);
  if (button.dataset.action === "pick") selectClaim(id, { scrollText: true });
  if (button.dataset.action === "edit") edit(id);
});

// Keyboard selection: Tab to the text (or click to place the caret), then Shift + arrows
// (Ctrl/Alt + Shift + arrows by word). Chromium extends only a range, not a caret, in text that
// is not editable, so the extension is done here with Selection.modify.
const ARROWS = {
  ArrowRight: ["forward", "character"],
  ArrowLeft: ["backward", "character"],
  ArrowDown: ["forward", "line"],
  ArrowUp: ["backward", "line"],
};
textEl.addEventListener("keydown", (event) => {
  const move = ARROWS[event.key];
  if (!move || !event.shiftKey || event.metaKey) return;
  const selection = window.getSelection();
  if (!selection.rangeCount || !textEl.contains(selection.anchorNode)) {
    const walker = document.createTreeWalker(textEl, NodeFilter.SHOW_TEXT);
    const first = walker.nextNode();
    if (!first) return;
    selection.collapse(first, 0);
  }
  const granularity = (event.ctrlKey || event.altKey) && move[1] === "character" ? "word" : move[1];
  selection.modify("extend", move[0], granularity);
  event.preventDefault();
});

document.addEventListener("keyup", (event) => {
  if (event.key === "Shift" && !isTyping(event.target) && form.hidden) openFromSelection();
});

document.addEventListener("keydown", (event) => {
  const inForm = form.contains(event.target);
  if (!form.hidden && (event.ctrlKey || event.metaKey) && event.key === "Enter") {
    event.preventDefault();
    save();
    return;
  }
  if (event.key === "Escape" && !form.hidden && !help.open) {
    event.preventDefault();
    closeForm();
    return;
  }
  if (!form.hidden && /^[1-4]$/.test(event.key) && (event.altKey || !isTyping(event.target) || event.target.name === "kind")) {
    event.preventDefault();
    form.elements.kind.value = kinds[Number(event.key) - 1];
    return;
  }
  if (inForm || isTyping(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "?") {
    event.preventDefault();
    if (help.open) help.close();
    else help.showModal();
  } else if (event.key === "j") {
    step(1);
  } else if (event.key === "k") {
    step(-1);
  } else if (event.key === "e" && selectedId !== null) {
    edit(selectedId);
  } else if (event.key === "o" && selectedId !== null) {
    window.location.assign(pageUrl(selectedId));
  }
});

document.querySelector("[data-testid=help-button]").addEventListener("click", () => help.showModal());

renderAll(claimsFrom(data.claims));

// Deep link: /articles/1/#claim-7 selects claim 7.
const fromHash = /^#claim-(\d+)$/.exec(window.location.hash);
if (fromHash) selectClaim(Number(fromHash[1]), { scrollText: true, scrollList: true });

// Exposed for tests, the benchmark and the console.
export function rangeOf(start, end) {
  return codePointsToRange(textEl, start, end);
}

/** Build the highlights and/or the side panel again from the claims in hand (the benchmark). */
export function rerender({ text = true, list = true } = {}) {
  if (text) renderText();
  if (list) renderList();
  return claims.size;
}
document.documentElement.dataset.annotateReady = "1";
