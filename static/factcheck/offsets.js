// DOM range <-> code-point offsets: the one place the browser's UTF-16 meets the server's
// code points (factcheck/text.py is the Python twin). Pure: no globals; DOM objects are passed in.

const TEXT_NODE = 3;
const SHOW_TEXT = 4;
const PRECEDING = 2; // Node.DOCUMENT_POSITION_PRECEDING

function isHigh(unit) {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLow(unit) {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** Number of code points in `text` (Python's len()). */
export function codePointLength(text) {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    if (isHigh(text.charCodeAt(i)) && isLow(text.charCodeAt(i + 1))) i++;
    n++;
  }
  return n;
}

/**
 * Code-point offset of UTF-16 `offset` in `text`. An offset inside a surrogate pair moves to
 * the start of that character, or past it when `roundUp` (used for the end of a range).
 */
export function utf16ToCodePoint(text, offset, roundUp = false) {
  if (!Number.isInteger(offset) || offset < 0 || offset > text.length) {
    throw new RangeError(`UTF-16 offset ${offset} is outside the text (0..${text.length}).`);
  }
  let cp = 0;
  for (let i = 0; i < offset; i++) {
    if (isHigh(text.charCodeAt(i)) && isLow(text.charCodeAt(i + 1))) {
      if (i + 1 === offset) return roundUp ? cp + 1 : cp;
      i++;
    }
    cp++;
  }
  return cp;
}

/** UTF-16 offset of code-point `offset` in `text`. */
export function codePointToUtf16(text, offset) {
  if (!Number.isInteger(offset) || offset < 0) {
    throw new RangeError(`code-point offset ${offset} is negative or not a whole number.`);
  }
  let i = 0;
  for (let cp = 0; cp < offset; cp++) {
    if (i >= text.length) {
      throw new RangeError(`code-point offset ${offset} is past the end of the text.`);
    }
    i += isHigh(text.charCodeAt(i)) && isLow(text.charCodeAt(i + 1)) ? 2 : 1;
  }
  return i;
}

/** UTF-16 offset in root.textContent of the boundary point (node, offset), clamped to root. */
export function boundaryToUtf16(root, node, offset) {
  if (node !== root && !root.contains(node)) {
    // eslint-disable-next-line no-bitwise
    return root.compareDocumentPosition(node) & PRECEDING ? 0 : root.textContent.length;
  }
  const before = root.ownerDocument.createRange();
  before.selectNodeContents(root);
  before.setEnd(node, offset);
  // Range#toString() concatenates Text node data exactly as textContent does (no layout).
  return before.toString().length;
}

/**
 * The code-point span {start, end, quote} of a DOM Range inside `root`, or null when the
 * range holds none of root's text. `quote` is exactly text[start:end] in Python terms.
 */
export function rangeToCodePoints(root, range) {
  const text = root.textContent;
  const s16 = boundaryToUtf16(root, range.startContainer, range.startOffset);
  const e16 = boundaryToUtf16(root, range.endContainer, range.endOffset);
  if (e16 <= s16) return null;
  const start = utf16ToCodePoint(text, s16);
  const end = utf16ToCodePoint(text, e16, true);
  return { start, end, quote: sliceCodePoints(text, start, end) };
}

/** text[start:end] with code-point offsets. */
export function sliceCodePoints(text, start, end) {
  return text.slice(codePointToUtf16(text, start), codePointToUtf16(text, end));
}

function locate(root, u16) {
  const walker = root.ownerDocument.createTreeWalker(root, SHOW_TEXT);
  let seen = 0;
  let last = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const len = node.data.length;
    if (u16 <= seen + len) return { node, offset: u16 - seen };
    seen += len;
    last = node;
  }
  if (last) return { node: last, offset: last.data.length };
  return { node: root, offset: 0 };
}

/** A DOM Range over code points [start, end) of root's text. */
export function codePointsToRange(root, start, end) {
  const text = root.textContent;
  const s = locate(root, codePointToUtf16(text, start));
  const e = locate(root, codePointToUtf16(text, end));
  const range = root.ownerDocument.createRange();
  range.setStart(s.node, s.offset);
  range.setEnd(e.node, e.offset);
  return range;
}

const WORD = /[\p{L}\p{N}\p{M}\p{S}\u200d\ufe0f'’-]/u;
const SPACE = /\s/u;

/**
 * Widen code points [start, end) to whole words and trim surrounding whitespace, by the same
 * rule as text.expand_to_words: letters, digits, marks, symbols and joiners make words, so a
 * combining accent or an emoji ZWJ sequence is never cut. Returns null for whitespace only.
 */
export function expandToWords(text, start, end) {
  const chars = Array.from(text);
  if (!(start >= 0 && end > start && end <= chars.length)) {
    throw new RangeError(`span ${start}..${end} is outside the text (0..${chars.length}).`);
  }
  const word = (i) => WORD.test(chars[i]);
  while (start < end && SPACE.test(chars[start])) start++;
  while (end > start && SPACE.test(chars[end - 1])) end--;
  if (start === end) return null;
  while (start > 0 && word(start - 1) && word(start)) start--;
  while (end < chars.length && word(end) && word(end - 1)) end++;
  return { start, end };
}
