// The reading/annotating page: the page carries the article text, its reading blocks and its
// claims as JSON; this module builds the article with its highlights (highlights.js), the side
// panel, the claim form and the claim card. Claims are written through the API (POST
// /api/v1/claims/, PATCH and DELETE /api/v1/claims/<id>/ with If-Match), which answers with
// the claim in the same shape as the page data's claims; it is merged in. Offsets: offsets.js.
import { claimsFrom } from "./claims.js";
import { articleFragment, codePointIndex } from "./highlights.js";
import { codePointsToRange, expandToWords, rangeToCodePoints } from "./offsets.js";
import { setup as setupMatches } from "./matches.js";
import { setup as setupSuggestions } from "./suggestions.js";

const data = JSON.parse(document.getElementById("annotate-data").textContent);
const textEl = document.querySelector("[data-testid=article-text]");
const panel = document.querySelector(".side-panel");
const listSlot = document.querySelector("[data-role=claim-list-slot]");
const listEl = listSlot.querySelector("[data-testid=claim-list]");
const countEl = document.querySelector("[data-testid=claim-count]");
const form = document.querySelector("[data-testid=claim-form]");
const formTitle = form.querySelector(".form-title");
const preview = form.querySelector("[data-testid=claim-quote]");
const errorsEl = form.querySelector("[data-testid=claim-errors]");
const duplicateEl = form.querySelector("[data-testid=claim-duplicate]");
const deleteButton = form.querySelector("[data-testid=claim-delete]");
const saveLabel = form.querySelector("[data-role=save-label]");
const speakerNote = form.querySelector("[data-testid=speaker-new]");
const statementNote = form.querySelector("[data-testid=statement-new]");
const speakerExtra = form.querySelector("[data-role=speaker-extra]");
const statementExtra = form.querySelector("[data-role=statement-extra]");
const snapBox = form.elements.snap;
const partsEl = form.querySelector("[data-role=suggestion-parts]"); // an accepted suggestion's cue and source
const card = document.querySelector("[data-testid=claim-card]");
const caret = document.querySelector("[data-testid=caret]");
const help = document.querySelector("[data-testid=help-overlay]");
const announcer = document.querySelector("[data-testid=announcer]");
const csrf = form.elements.csrfmiddlewaretoken.value;
const kinds = Array.from(form.elements.kind.options, (o) => o.value).filter(Boolean);
// One breakpoint with site.css: below it the side panel follows the text, the form is a
// bottom sheet and the claim card sits at the bottom of the screen.
const narrow = window.matchMedia("(max-width: 900px)");

// The article text as served (every code point is in the element, the hidden line breaks
// and bullets included) and the UTF-16 index of each of its code points.
const articleText = textEl.textContent;
const cpIndex = codePointIndex(articleText);

let claims = new Map();
let order = [];
let editing = null; // {mode: "create", start, end} | {mode: "edit", id}
let selectedId = null;
let busy = false;
let confirmed = ""; // the new names the user has agreed to create, as checked when they agreed
let extraHighlights = () => []; // drawn beside the claims: the suggestions (suggestions.js)

snapBox.checked = localStorage.getItem("factcheck.snap") === "1";
// "Checked before?": earlier fact-checks of the text being made, or of the selected claim.
// While the form is open the panel is its last part (on a phone, inside the bottom sheet).
const matches = setupMatches({ data });
const matchPanel = document.querySelector("[data-testid=match-panel]");

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

function fold(name) {
  return name.trim().split(/\s+/).join(" ").toLocaleLowerCase();
}

// ------------------------------------------------------------------ rendering

function byTextOrder(a, b) {
  return a.start - b.start || b.end - a.end || a.id - b.id;
}

function withQuote(c) {
  return { ...c, quote: articleText.slice(cpIndex[c.start], cpIndex[c.end]) };
}

/** `text` on one line, cut at a word boundary to at most `limit` characters. */
function excerpt(text, limit) {
  const line = text.split(/\s+/).join(" ").trim();
  const chars = Array.from(line);
  if (chars.length <= limit) return line;
  const cut = chars.slice(0, limit - 1).join("");
  const space = cut.lastIndexOf(" ");
  return `${(space > limit / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.–—-]+$/u, "")}…`;
}

function element(tag, props = {}, dataset = {}) {
  const el = Object.assign(document.createElement(tag), props);
  Object.assign(el.dataset, dataset);
  return el;
}

function chip(c) {
  return element("span", { className: `chip chip-k-${c.kind} chip-s-${c.status}` }, { testid: "claim-chip" });
}

function rating(c) {
  return c.approved_verdict ? c.approved_verdict.rating_label : "";
}

/** The side panel's entry for one claim (text only ever goes in as textContent). */
function listItem(c) {
  const item = element("li", { className: `claim-item claim-${c.status}` }, { claimId: c.id });
  const pick = element("button", { type: "button", className: "claim-pick" }, { action: "pick" });
  pick.setAttribute("aria-describedby", `claim-meta-${c.id}`);
  const swatch = chip(c);
  swatch.setAttribute("aria-hidden", "true");
  pick.append(swatch, element("q", { className: "claim-quote", textContent: excerpt(c.quote, 160) }));
  const meta = element("span", { className: "claim-meta", id: `claim-meta-${c.id}` });
  if (c.summary) meta.append(element("span", { className: "summary", textContent: c.summary }));
  const who = element("span", { className: "line2" });
  who.append(element("span", { className: "who", textContent: c.speaker_name || "The author" }));
  if (c.statement_title) who.append(" · ", element("span", { className: "statement", textContent: c.statement_title }));
  const line2 = element("span", { className: "line2" });
  line2.append(
    element("span", { className: "badge kind", textContent: data.kinds[c.kind] ?? c.kind }),
    " ",
    element("span", { className: `badge status-${c.status}`, textContent: data.statuses[c.status] ?? c.status }),
  );
  if (c.approved_verdict) {
    line2.append(" ", element("span", { className: "badge verdict", textContent: `Verdict: ${rating(c)}` }, { testid: "claim-verdict" }));
  }
  if (!c.check_worthy) line2.append(" ", element("span", { className: "badge", textContent: "not check-worthy" }));
  meta.append(" ", who, " ", line2);
  const links = element("span", { className: "claim-actions" });
  links.append(element("a", { href: pageUrl(c.id), textContent: "Open" }));
  if (c.editable) {
    links.append(" ", element("button", { type: "button", className: "link", textContent: "Edit" }, { action: "edit", testid: "claim-edit" }));
  }
  if (narrow.matches) {
    links.append(" ", element("button", { type: "button", className: "link", textContent: "Show in the text" }, { action: "pick", testid: "claim-show" }));
  }
  item.append(pick, " ", meta, " ", links);
  return item;
}

function emptyItem() {
  return element("li", { className: "empty", textContent: "No claims yet. Select text in the article to add one." });
}

function renderText() {
  const items = [...claims.values(), ...extraHighlights()];
  textEl.replaceChildren(articleFragment(document, articleText, data.blocks, items, cpIndex));
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
  if (selectedId !== null && !claims.has(selectedId)) {
    selectedId = null;
    if (!editing) matches.clear();
  }
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

/** Scroll the side panel (not the page) so that the claim's entry shows. */
function revealInPanel(item) {
  if (narrow.matches) return; // the panel is below the text: leave the reading position alone
  const top = item.offsetTop - panel.offsetTop;
  if (top < panel.scrollTop || top + item.offsetHeight > panel.scrollTop + panel.clientHeight) {
    panel.scrollTop = top - panel.clientHeight / 3;
  }
}

function selectClaim(id, { scrollText = false, scrollList = false, focusItem = false } = {}) {
  if (!claims.has(id)) return;
  selectedId = id;
  markSelected(id);
  // While a new claim is being made, the panel stays on its text.
  if (editing?.mode !== "create") matches.forClaim(id);
  const first = marksOf(id)[0];
  if (scrollText && first) first.scrollIntoView({ block: "center", behavior: "smooth" });
  const item = itemOf(id);
  if (item && (scrollList || focusItem)) revealInPanel(item);
  if (item && focusItem && !narrow.matches) item.querySelector("[data-action=pick]").focus({ preventScroll: true });
  flash(id);
  const c = claims.get(id);
  say(`Claim: ${c.quote.slice(0, 80)}${c.speaker_name ? `, said by ${c.speaker_name}` : ""}, ${c.status}.`);
}

function step(delta) {
  if (!order.length) return;
  const at = order.indexOf(selectedId);
  const next = at === -1 ? (delta > 0 ? 0 : order.length - 1) : (at + delta + order.length) % order.length;
  selectClaim(order[next], { scrollText: true, scrollList: true, focusItem: true });
  showCard(order[next]);
}

// ------------------------------------------------------------------ the claim card

function showCard(id, anchor = marksOf(id)[0]) {
  const c = claims.get(id);
  if (!c) return;
  card.dataset.claimId = String(id);
  card.querySelector("[data-role=quote]").replaceChildren(chip(c), element("q", { textContent: excerpt(c.quote, 200) }));
  const facts = [
    ["Speaker", c.speaker_name || "The author"],
    ["Statement", c.statement_title || "—"],
    ["Kind", data.kinds[c.kind] ?? c.kind],
    ["Status", data.statuses[c.status] ?? c.status],
    ["Rating", rating(c) || "none yet"],
  ];
  card.querySelector("[data-role=facts]").replaceChildren(
    ...facts.flatMap(([k, v]) => [element("dt", { textContent: k }), element("dd", { textContent: v })]),
  );
  const links = [element("a", { href: pageUrl(id), textContent: "Open" })];
  if (c.editable) links.push(element("button", { type: "button", className: "link", textContent: "Edit" }, { action: "edit" }));
  card.querySelector("[data-role=actions]").replaceChildren(...links.flatMap((l) => [l, " "]));
  card.hidden = false;
  if (narrow.matches || !anchor) {
    card.style.left = "";
    card.style.top = "";
    return;
  }
  // Beside the highlight, below it (or above when there is no room), inside the window.
  const rect = anchor.getBoundingClientRect();
  const width = card.offsetWidth;
  const left = Math.min(Math.max(8, rect.left), document.documentElement.clientWidth - width - 8);
  const below = rect.bottom + 6 + card.offsetHeight < window.innerHeight;
  card.style.left = `${left + window.scrollX}px`;
  card.style.top = `${(below ? rect.bottom + 6 : rect.top - card.offsetHeight - 6) + window.scrollY}px`;
}

function hideCard() {
  card.hidden = true;
  delete card.dataset.claimId;
}

let hoverTimer = null;
textEl.addEventListener("mouseover", (event) => {
  const mark = event.target.closest("mark[data-claim-id]");
  if (!mark || narrow.matches || !form.hidden) return;
  clearTimeout(hoverTimer);
  hoverTimer = setTimeout(() => {
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed) return;
    showCard(Number(mark.dataset.claimId), mark);
  }, 250);
});
textEl.addEventListener("mouseout", (event) => {
  if (event.target.closest("mark[data-claim-id]")) clearTimeout(hoverTimer);
});
card.addEventListener("click", (event) => {
  const action = event.target.closest("[data-action]")?.dataset.action;
  if (action === "close-card") hideCard();
  if (action === "edit") {
    const id = Number(card.dataset.claimId);
    hideCard();
    edit(id);
  }
});
document.addEventListener("click", (event) => {
  if (!card.hidden && !card.contains(event.target) && !event.target.closest("mark[data-claim-id]")) hideCard();
});

// ------------------------------------------------------------------ the claim form

// Which form field shows the errors of each API field (the span's under the quote preview).
const FORM_FIELD = {
  kind: "kind",
  speaker: "speaker",
  speaker_name: "speaker",
  speaker_kind: "speaker_kind",
  statement: "statement",
  statement_title: "statement",
  statement_kind: "statement_kind",
  statement_date: "statement_date",
  statement_url: "statement_url",
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

function currentSpan() {
  if (!editing) return null;
  let { start, end } = editing.mode === "create" ? editing : claims.get(editing.id);
  if (editing.mode === "create" && snapBox.checked && !editing.suggestion) ({ start, end } = expandToWords(articleText, start, end) || { start, end });
  return { start, end };
}

function spanPreview() {
  const span = currentSpan();
  if (!span) return;
  preview.textContent = articleText.slice(cpIndex[span.start], cpIndex[span.end]);
  checkDuplicate();
  matches.forText(preview.textContent);
}

/** Claims already on exactly the span being made: a warning, and the choice to edit one. */
function checkDuplicate() {
  const span = editing?.mode === "create" ? currentSpan() : null;
  const same = span ? [...claims.values()].filter((c) => c.start === span.start && c.end === span.end) : [];
  duplicateEl.hidden = same.length === 0;
  saveLabel.textContent = same.length ? "Save a second claim" : "Save";
  if (!same.length) return;
  const c = same[0];
  duplicateEl.dataset.claimId = String(c.id);
  duplicateEl.querySelector("[data-role=duplicate-text]").textContent =
    `This exact text is already ${same.length === 1 ? "a claim" : `${same.length} claims`}: ` +
    `${data.kinds[c.kind] ?? c.kind} by ${c.speaker_name || "the author"} (${data.statuses[c.status] ?? c.status}). ` +
    "Edit it, or save a second claim on the same words.";
  duplicateEl.querySelector("[data-action=edit-duplicate]").hidden = !c.editable;
}

function openForm(state, rect) {
  editing = state;
  confirmed = "";
  hideCard();
  showErrors(null);
  if (state.mode === "create") {
    formTitle.textContent = "New claim";
    form.reset();
    form.elements.kind.value = "";
    form.elements.check_worthy.checked = true;
    snapBox.checked = localStorage.getItem("factcheck.snap") === "1";
    deleteButton.hidden = true;
    partsEl.hidden = true;
    if (state.suggestion) fillFromSuggestion(state.suggestion);
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
    matches.forClaim(c.id);
    deleteButton.hidden = false;
    deleteButton.textContent = "Delete";
    delete deleteButton.dataset.armed;
    duplicateEl.hidden = true;
    saveLabel.textContent = "Save";
  }
  lastStatementSpeaker = null;
  checkNames();
  form.append(matchPanel);
  form.hidden = false;
  panel.scrollTop = 0;
  if (narrow.matches && rect) keepAboveSheet(rect);
  form.elements.speaker.focus({ preventScroll: true });
}

/** Accepting a suggestion: the form holds what the detector proposed, to change before saving. */
function fillFromSuggestion(s) {
  const f = form.elements;
  formTitle.textContent = "Accept suggestion";
  f.kind.value = s.kind;
  f.speaker.value = s.speaker ? s.speaker.name : "";
  if (s.speaker) f.speaker_kind.value = s.speaker.kind;
  f.statement.value = s.statement ? s.statement.title : "";
  if (s.statement) {
    f.statement_kind.value = s.statement.kind;
    f.statement_date.value = s.statement.date || "";
  }
  f.check_worthy.checked = s.kind !== "author_claim" || s.check_worthiness >= 0.5;
  snapBox.checked = false; // the span is the suggestion's
  // The cue and source mention the detector read, kept unless unticked.
  for (const [name, part] of [["cue", s.cue], ["source", s.source_mention]]) {
    const label = partsEl.querySelector(`[data-part=${name}]`);
    label.hidden = !part;
    label.querySelector("q").textContent = part ? part.text : "";
  }
  partsEl.hidden = !s.cue && !s.source_mention;
}

/** On a phone the form is a sheet over the lower part of the screen: scroll the selected
 * text into the part it leaves free. */
function keepAboveSheet(rect) {
  const free = window.innerHeight - form.offsetHeight;
  if (rect.top < 8 || rect.bottom > free - 8) window.scrollBy(0, rect.top - Math.max(8, Math.min(free / 3, free - rect.height - 8)));
}

// The sheet grows when the fields of a new speaker or statement appear: keep the text above it.
new ResizeObserver(() => {
  const span = narrow.matches && !form.hidden && currentSpan();
  if (span) keepAboveSheet(codePointsToRange(textEl, span.start, span.end).getBoundingClientRect());
}).observe(form);

function closeForm({ keepSelection = false, caretAt = null } = {}) {
  const hadFocus = form.contains(document.activeElement);
  const was = editing;
  form.hidden = true;
  editing = null;
  form.after(matchPanel);
  if (selectedId !== null && claims.has(selectedId)) matches.forClaim(selectedId);
  else matches.clear();
  if (!keepSelection) window.getSelection()?.removeAllRanges();
  if (hadFocus) {
    // Give focus back where the work was: the claim's list entry, or the text (with the
    // caret after the claim, so the keyboard can go on from there).
    const pick = was?.mode === "edit" && !caretAt && itemOf(was.id)?.querySelector("[data-action=pick]");
    if (pick) pick.focus({ preventScroll: true });
    else {
      textEl.focus({ preventScroll: true });
      if (caretAt !== null) placeCaret(caretAt);
    }
  }
}

/** The names the form would create (not yet known to the server), from the suggestions. */
let nameCheck = Promise.resolve({ speaker: false, statement: false });
let newNames = { speaker: false, statement: false };

function checkNames() {
  const speaker = form.elements.speaker.value.trim();
  const statement = form.elements.statement.value.trim();
  nameCheck = loadStatements().then((known) => {
    const titles = new Set(known.titles.map(fold));
    newNames = {
      speaker: Boolean(speaker) && known.speaker === null,
      statement: Boolean(statement) && !titles.has(fold(statement)),
    };
    speakerNote.hidden = !newNames.speaker;
    speakerNote.textContent = newNames.speaker ? `New speaker: “${speaker}” will be created on save.` : "";
    speakerExtra.hidden = !newNames.speaker;
    statementNote.hidden = !newNames.statement;
    const whose = speaker ? (known.speaker ?? speaker) : "no speaker";
    statementNote.textContent = newNames.statement ? `New statement of ${whose}: “${statement}” will be created on save.` : "";
    statementExtra.hidden = !newNames.statement;
    return newNames;
  });
  return nameCheck;
}

function namesToCreate(names) {
  const f = form.elements;
  return [
    names.speaker && `the new speaker “${f.speaker.value.trim()}”`,
    names.statement && `the new statement “${f.statement.value.trim()}”`,
  ].filter(Boolean);
}

/** Client-side checks the API cannot make for us: an explicit kind. */
function formProblems() {
  if (!form.elements.kind.value) return { kind: ["Choose a kind (keys 1–4): whose words are these, and how are they reported?"] };
  return null;
}

async function save() {
  if (!editing || busy) return;
  const problems = formProblems();
  if (problems) {
    showErrors(problems);
    form.elements.kind.focus();
    return;
  }
  busy = true;
  const f = form.elements;
  let result;
  try {
    const names = await checkNames();
    // An edit that would make a new speaker or statement (a typo, often) says so first.
    const creates = namesToCreate(names);
    if (editing.mode === "edit" && creates.length && confirmed !== creates.join()) {
      confirmed = creates.join();
      showErrors({ detail: [`Saving creates ${creates.join(" and ")}. Save again to confirm, or pick an existing name.`] });
      saveLabel.textContent = "Create and save";
      return;
    }
    // The API's names; empty speaker and statement names clear them (the author's own claim).
    const payload = {
      kind: f.kind.value,
      speaker_name: f.speaker.value.trim(),
      statement_title: f.statement.value.trim(),
      summary: f.summary.value.trim(),
      check_worthy: f.check_worthy.checked,
    };
    if (names.speaker) payload.speaker_kind = f.speaker_kind.value;
    if (names.statement) {
      payload.statement_kind = f.statement_kind.value;
      if (f.statement_date.value) payload.statement_date = f.statement_date.value;
      if (f.statement_url.value.trim()) payload.statement_url = f.statement_url.value.trim();
    }
    if (editing.mode === "create" && editing.suggestion) {
      // The suggestion's span, cue and source mention; the form's choices as overrides.
      const s = editing.suggestion;
      if (s.cue && !f.keep_cue.checked) Object.assign(payload, { cue_start: null, cue_end: null });
      if (s.source_mention && !f.keep_source.checked) Object.assign(payload, { source_start: null, source_end: null });
      result = await call("POST", `${data.suggestionUrl}${editing.suggestion.id}/accept/`, payload);
    } else if (editing.mode === "create") {
      const { start, end } = currentSpan();
      // The server widens the span again by the same rule.
      result = await call("POST", apiUrl(), { ...payload, snap: snapBox.checked, article: data.article, start, end });
    } else {
      const c = claims.get(editing.id);
      result = await call("PATCH", apiUrl(c.id), payload, c.version);
    }
  } finally {
    busy = false;
  }
  if (!result) return;
  if (!result.ok) {
    showErrors(result.body);
    return;
  }
  const created = editing.mode === "create";
  const accepted = editing.suggestion;
  const claim = result.body;
  if (accepted) document.dispatchEvent(new CustomEvent("factcheck:accepted", { detail: { suggestion: accepted.id, claim: claim.id } }));
  // Suggestions may now hold a new speaker or statement.
  lastSpeakerQuery = null;
  lastStatementSpeaker = null;
  closeForm({ caretAt: created ? claim.end : null });
  applyChange(claim.id, claim);
  selectClaim(claim.id, { scrollList: true });
  say(accepted ? "Suggestion accepted: claim saved." : created ? "Claim saved." : "Claim updated.");
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
  openForm({ mode: "edit", id }, first ? first.getBoundingClientRect() : null);
}

// Suggestions: speakers as you type, and the chosen speaker's statements.
let speakerTimer = null;
let lastSpeakerQuery = null;
let lastStatementSpeaker = null;
let lastStatements = Promise.resolve({ speaker: null, titles: [] });

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

/** The speaker the server knows by the typed name (null if none) and its statements' titles;
 * asked again only when the name changes (or after a save, which may have made either). */
function loadStatements() {
  const speaker = form.elements.speaker.value.trim();
  if (speaker === lastStatementSpeaker) return lastStatements;
  lastStatementSpeaker = speaker;
  lastStatements = (async () => {
    if (!speaker) {
      fillDatalist("statement-options", []);
      return { speaker: null, titles: [] };
    }
    const body = await getJson(`${data.statementsUrl}?speaker=${encodeURIComponent(speaker)}`);
    const titles = (body.results || []).map((s) => s.title);
    fillDatalist("statement-options", titles);
    return { speaker: body.speaker ?? null, titles };
  })();
  return lastStatements;
}

form.elements.speaker.addEventListener("input", () => {
  clearTimeout(speakerTimer);
  speakerTimer = setTimeout(() => {
    loadSpeakers();
    checkNames();
  }, 150);
});
form.elements.speaker.addEventListener("change", checkNames);
form.elements.statement.addEventListener("input", () => {
  clearTimeout(speakerTimer);
  speakerTimer = setTimeout(checkNames, 150);
});
form.elements.statement.addEventListener("focus", loadStatements);
form.elements.speaker.addEventListener("focus", loadSpeakers, { once: true });
form.elements.kind.addEventListener("change", () => showErrors(null));
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
  if (action === "edit-duplicate") edit(Number(duplicateEl.dataset.claimId));
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
  hideCaret();
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
  if (!mark) return;
  const id = Number(mark.dataset.claimId);
  // The card shows the claim where it is; the list scrolls only beside the text (bug: on a
  // phone the list is far below, and jumping there lost the reading position).
  selectClaim(id, { scrollList: true });
  showCard(id, mark);
});

listSlot.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  const item = event.target.closest("li[data-claim-id]");
  if (!button || !item) return;
  const id = Number(item.dataset.claimId);
  if (button.dataset.action === "pick") {
    selectClaim(id, { scrollText: true });
    if (narrow.matches) showCard(id);
  }
  if (button.dataset.action === "edit") edit(id);
});

// Keyboard reading: Tab to the text and a caret appears at the start (or where it was left);
// arrows move it (Ctrl/Alt + arrows by word, Home/End to the line's ends), Shift + arrows
// select from it. Chromium moves no caret in text that is not editable, so this is done here
// with Selection.modify, and the caret is drawn (a collapsed selection is invisible).
const ARROWS = {
  ArrowRight: ["forward", "character"],
  ArrowLeft: ["backward", "character"],
  ArrowDown: ["forward", "line"],
  ArrowUp: ["backward", "line"],
  Home: ["backward", "lineboundary"],
  End: ["forward", "lineboundary"],
};
let caretCp = 0; // where the caret was left, in code points

function placeCaret(cp) {
  const range = codePointsToRange(textEl, cp, cp);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  drawCaret();
}

function drawCaret() {
  const selection = window.getSelection();
  if (document.activeElement !== textEl || !selection.rangeCount || !textEl.contains(selection.focusNode)) {
    hideCaret();
    return;
  }
  const range = document.createRange();
  range.setStart(selection.focusNode, selection.focusOffset);
  const rect = range.getClientRects()[0] || range.getBoundingClientRect();
  if (!rect || (!rect.height && !rect.top)) {
    hideCaret();
    return;
  }
  caretCp = rangeToCodePoints(textEl, (() => {
    const r = document.createRange();
    r.setStart(textEl, 0);
    r.setEnd(selection.focusNode, selection.focusOffset);
    return r;
  })())?.end ?? 0;
  caret.hidden = false;
  caret.style.left = `${rect.left + window.scrollX}px`;
  caret.style.top = `${rect.top + window.scrollY}px`;
  caret.style.height = `${rect.height || 20}px`;
}

function hideCaret() {
  caret.hidden = true;
}

textEl.addEventListener("focus", () => {
  const selection = window.getSelection();
  if (!selection.rangeCount || !textEl.contains(selection.anchorNode)) placeCaret(Math.min(caretCp, cpIndex.length - 1));
  else drawCaret();
});
textEl.addEventListener("blur", hideCaret);
textEl.addEventListener("mouseup", () => setTimeout(drawCaret, 0));

textEl.addEventListener("keydown", (event) => {
  const move = ARROWS[event.key];
  if (!move || event.metaKey) return;
  const selection = window.getSelection();
  if (!selection.rangeCount || !textEl.contains(selection.anchorNode)) placeCaret(0);
  const byWord = (event.ctrlKey || event.altKey) && move[1] === "character";
  selection.modify(event.shiftKey ? "extend" : "move", move[0], byWord ? "word" : move[1]);
  event.preventDefault();
  drawCaret();
  const at = caret.getBoundingClientRect();
  if (at.top < 0 || at.bottom > window.innerHeight) caret.scrollIntoView({ block: "nearest" });
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
  if (event.key === "Escape" && !help.open) {
    if (!form.hidden) {
      event.preventDefault();
      closeForm();
      return;
    }
    if (!card.hidden) {
      hideCard();
      return;
    }
  }
  if (!form.hidden && /^[1-4]$/.test(event.key) && (event.altKey || !isTyping(event.target) || event.target.name === "kind")) {
    event.preventDefault();
    form.elements.kind.value = kinds[Number(event.key) - 1];
    showErrors(null);
    return;
  }
  if (inForm || isTyping(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
  // A shortcut's key must not also do its default (bug: `e` typed "e" into the speaker
  // field the edit form had just focused).
  const shortcuts = {
    "?": () => (help.open ? help.close() : help.showModal()),
    j: () => step(1),
    k: () => step(-1),
    e: () => selectedId !== null && edit(selectedId),
    o: () => selectedId !== null && window.location.assign(pageUrl(selectedId)),
  };
  const run = shortcuts[event.key];
  if (!run) return;
  event.preventDefault();
  run();
});

document.querySelector("[data-testid=help-button]").addEventListener("click", () => help.showModal());

// Colour the highlights by kind or by status (remembered per browser).
const colourBy = document.querySelector(".colour-by");
function setColouring(mode) {
  document.body.dataset.colour = mode;
  for (const radio of colourBy.querySelectorAll("input")) radio.checked = radio.value === mode;
}
colourBy.addEventListener("change", (event) => {
  localStorage.setItem("factcheck.colour", event.target.value);
  setColouring(event.target.value);
});
setColouring(localStorage.getItem("factcheck.colour") === "status" ? "status" : "kind");

renderAll(claimsFrom(data.claims));

setupSuggestions({
  data,
  textEl,
  element,
  excerpt,
  say,
  call,
  isTyping,
  renderText,
  canAnnotate: () => data.canAnnotate,
  formIsOpen: () => !form.hidden,
  setExtraHighlights: (items) => {
    extraHighlights = items;
  },
  claimSaved: (claim) => applyChange(claim.id, claim),
  openSuggestion: (s, rect) => openForm({ mode: "create", start: s.start, end: s.end, suggestion: s }, rect),
});

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
