// Claim highlights built in the browser: the article text cut at every claim boundary, each
// piece wrapped in one <mark> per claim covering it (outermost first), so that the element's
// textContent stays exactly the article text. The twin of factcheck/templatetags/
// factcheck_pages.py (claim_levels, highlight_segments), which the claim and public pages use;
// tests/browser/test_highlights_js.py checks that both cut the same text the same way.
// Pure: no globals; the document is passed in. Offsets are code points (Python indexes).

export const MAX_LEVEL_CLASS = 3;

function isHigh(unit) {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLow(unit) {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/**
 * UTF-16 index of every code point of `text`, plus its length at the end: one pass, so
 * converting a thousand claims' offsets costs no more than reading the text once.
 */
export function codePointIndex(text) {
  const index = new Uint32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    index[cp++] = i;
    if (isHigh(text.charCodeAt(i)) && isLow(text.charCodeAt(i + 1))) i++;
  }
  index[cp] = text.length;
  return index.subarray(0, cp + 1);
}

function byTextOrder(a, b) {
  return a.start - b.start || b.end - a.end || a.id - b.id;
}

/** A nesting level per claim id: the lowest level free of every overlapping earlier claim. */
export function claimLevels(claims) {
  const levels = new Map();
  let open = []; // [end, level] of claims still overlapping
  for (const c of [...claims].sort(byTextOrder)) {
    open = open.filter(([end]) => end > c.start);
    const used = new Set(open.map(([, level]) => level));
    let level = 0;
    while (used.has(level)) level++;
    levels.set(c.id, level);
    open.push([c.end, level]);
  }
  return levels;
}

/**
 * Cut code points [0, length) at every claim boundary: [{start, end, covering}] with the
 * claims covering each piece, outermost (lowest level) first. Claims outside the text are
 * left out, as the server does.
 */
export function segments(length, claims, extraCuts = []) {
  const inside = claims.filter((c) => c.start >= 0 && c.start < c.end && c.end <= length);
  const levels = claimLevels(inside);
  const cuts = [...new Set([0, length, ...extraCuts, ...inside.flatMap((c) => [c.start, c.end])])].sort((a, b) => a - b);
  const byStart = [...inside].sort((a, b) => a.start - b.start);
  const out = [];
  let active = [];
  let i = 0;
  for (let k = 0; k + 1 < cuts.length; k++) {
    const a = cuts[k];
    while (i < byStart.length && byStart[i].start <= a) active.push(byStart[i++]);
    active = active.filter((c) => c.end > a);
    const covering = [...active].sort((x, y) => levels.get(x.id) - levels.get(y.id) || x.id - y.id);
    out.push({ start: a, end: cuts[k + 1], covering, levels });
  }
  return out;
}

function appendPiece(doc, parent, text, index, piece) {
  const node = doc.createTextNode(text.slice(index[piece.start], index[piece.end]));
  for (const c of piece.covering) {
    const mark = doc.createElement("mark");
    const level = `hl-${Math.min(piece.levels.get(c.id), MAX_LEVEL_CLASS)}`;
    if (c.suggestion !== undefined) {
      // A detector's suggestion (not a claim): drawn apart, dashed and pale (site.css).
      mark.dataset.suggestionId = String(c.suggestion);
      mark.className = `hl ${level} hl-suggestion${c.kind ? ` hl-k-${c.kind}` : ""}`;
      parent.appendChild(mark);
      parent = mark;
      continue;
    }
    mark.dataset.claimId = String(c.id);
    mark.className = `hl ${level} hl-${c.status}${c.kind ? ` hl-k-${c.kind}` : ""}`;
    parent.appendChild(mark);
    parent = mark;
  }
  parent.appendChild(node);
}

/**
 * Suggestions (the API's shape) as items `segments` takes beside claims: ids that no claim
 * has (negative), and `suggestion` holding their own id.
 */
export function suggestionItems(suggestions) {
  return suggestions.map((s) => ({ id: -s.id, suggestion: s.id, start: s.start, end: s.end, kind: s.kind }));
}

/**
 * A DocumentFragment of `text` with the claims' highlights: nested
 * <mark data-claim-id class="hl hl-LEVEL hl-STATUS hl-k-KIND">. Text goes in as text nodes only.
 */
export function highlightFragment(doc, text, claims, index = codePointIndex(text)) {
  const length = index.length - 1;
  const fragment = doc.createDocumentFragment();
  for (const piece of segments(length, claims)) appendPiece(doc, fragment, text, index, piece);
  return fragment;
}

const BLOCK_TAGS = { p: "p", h: "h2", li: "li" };

/**
 * The article as paragraphs, subheadings and list items (`blocks`: text.reading_blocks, as
 * [kind, start, body, bodyEnd, end] code points tiling the text) with the claims' highlights.
 * Each block shows [body, bodyEnd); its lead (a bullet) and the line breaks after it stay in
 * the document, in <span class="cut" hidden>, so textContent is still exactly `text` and every
 * offset keeps its meaning. A claim across blocks has marks in each, hidden parts included.
 */
export function articleFragment(doc, text, blocks, claims, index = codePointIndex(text)) {
  const length = index.length - 1;
  const fragment = doc.createDocumentFragment();
  const cuts = blocks.flatMap(([, start, body, bodyEnd]) => [start, body, bodyEnd]);
  const pieces = segments(length, claims, cuts);
  let p = 0;
  let list = null;
  for (const [kind, start, body, bodyEnd, end] of blocks) {
    const el = doc.createElement(BLOCK_TAGS[kind] || "p");
    el.className = `blk blk-${kind}`;
    if (kind === "li") {
      if (!list) {
        list = doc.createElement("ul");
        list.className = "blk-list";
        fragment.appendChild(list);
      }
      list.appendChild(el);
    } else {
      list = null;
      fragment.appendChild(el);
    }
    for (const [from, to, hidden] of [[start, body, true], [body, bodyEnd, false], [bodyEnd, end, true]]) {
      if (from === to) continue;
      let parent = el;
      if (hidden) {
        parent = doc.createElement("span");
        parent.className = "cut";
        parent.hidden = true;
        el.appendChild(parent);
      }
      while (p < pieces.length && pieces[p].end <= to) {
        if (pieces[p].start >= from) appendPiece(doc, parent, text, index, pieces[p]);
        p++;
      }
    }
  }
  return fragment;
}
