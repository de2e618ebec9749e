// Model output is untrusted: Markdown becomes HTML only through DOMPurify, code is highlighted
// from text, links open in a new tab without referrer, and nothing in an answer can make the
// browser load a URL by itself (an image, a table background, a prefetch link or a meta refresh
// is a classic way to smuggle conversation data out). So only text-formatting elements survive,
// and the one URL-bearing attribute kept is a[href] with http, https or mailto.
import { extractMath, restoreMath } from "./math.js";

const PURIFY_OPTIONS = {
  ALLOWED_TAGS: [
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
    "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp",
    "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "time", "tr", "u", "ul", "var", "wbr",
  ],
  ALLOWED_ATTR: ["href", "title", "class", "align", "colspan", "rowspan", "start", "reversed", "open",
    "lang", "dir", "datetime", "scope"],
  ALLOWED_URI_REGEXP: /^(?:https?|mailto):/i,
  ALLOW_DATA_ATTR: false,
};

let configured = false;

function configure() {
  if (configured) return;
  configured = true;
  window.marked.setOptions({ gfm: true, breaks: false });
  window.marked.use({ renderer: { image: imagePlaceholder } });
  window.hljs.configure({ ignoreUnescapedHTML: true });
  window.DOMPurify.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "A") {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer nofollow");
    } else {
      node.removeAttribute("href");
    }
  });
}

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (char) => ESCAPES[char]);

// An image never loads by itself (the CSP allows no remote image either): the reader sees that
// one was there, its alt text and its address, and a click opens the address in a new tab.
function imagePlaceholder({ href, text }) {
  const alt = text ? escapeHtml(text) : "image";
  const address = escapeHtml(href || "");
  return `<span class="image-placeholder"><span class="image-kind">Image</span> <span class="image-alt">${alt}</span> `
    + `<a class="image-address" href="${address}" title="Open the image in a new tab">${address}</a></span>`;
}

function copyButton(pre) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "copy-code";
  button.textContent = "Copy";
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(pre.querySelector("code").textContent);
      button.textContent = "Copied";
    } catch (_) {
      button.textContent = "Copy failed";
    }
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  });
  return button;
}

// The language a fence named (```python), beside the Copy button.
function codeTools(pre) {
  const tools = document.createElement("div");
  tools.className = "code-tools";
  const language = pre.querySelector("code")?.className.match(/(?:^|\s)language-([\w+#.-]+)/)?.[1];
  if (language) {
    const label = document.createElement("span");
    label.className = "code-language";
    label.textContent = language;
    tools.append(label);
  }
  tools.append(copyButton(pre));
  pre.prepend(tools);
}

// Wide tables scroll sideways inside the message instead of breaking the words in their cells.
function wrapTable(table) {
  const scroller = document.createElement("div");
  scroller.className = "table-scroll";
  table.replaceWith(scroller);
  scroller.append(table);
}

// Markdown to HTML, knowing the link definitions ([ref]: https://…) of the rest of the answer:
// a block rendered alone still turns its [text][ref] into a link.
function markdownHtml(text, links) {
  const lexer = new window.marked.Lexer();
  Object.assign(lexer.tokens.links, links);
  return window.marked.parser(lexer.lex(text));
}

// Markdown (part of an answer) as sanitized nodes. A finished block gets the expensive work:
// code highlighting and KaTeX; a block still streaming shows code plain and TeX as typed.
// `links`: the answer's link definitions found outside this part (label → { href, title }).
export function markdownFragment(source, { finished = true, links = {} } = {}) {
  configure();
  const { text, formulas } = extractMath(source);
  const fragment = window.DOMPurify.sanitize(markdownHtml(text, links),
    { ...PURIFY_OPTIONS, RETURN_DOM_FRAGMENT: true });
  restoreMath(fragment, formulas, { typeset: finished });
  for (const table of fragment.querySelectorAll("table")) wrapTable(table);
  // Each block finds its own direction (Arabic or Hebrew runs right to left): cheaper than
  // dir=auto on the whole answer, which the browser re-resolves on every change.
  for (const block of fragment.children) block.dir = "auto";
  for (const code of fragment.querySelectorAll("pre > code")) {
    codeTools(code.parentElement);   // before highlighting, which adds the language it guessed
    if (finished) window.hljs.highlightElement(code);
  }
  return fragment;
}

export function renderMarkdown(target, source) {
  target.replaceChildren(markdownFragment(source));
}

// Display math left open ($$ or \[ without its end) must not be cut at a blank line.
function opensDisplayMath(raw) {
  const dollars = raw.split("$$").length - 1;
  return dollars % 2 === 1 || raw.split("\\[").length !== raw.split("\\]").length;
}

// The link definitions ([ref]: https://…) among tokens, nested ones included; the first of a
// label wins, as in CommonMark. Labels are normalized as marked looks them up.
function linkDefinitions(tokens) {
  const links = {};
  window.marked.walkTokens(tokens, (token) => {
    if (token.type === "def" && !Object.hasOwn(links, token.tag)) links[token.tag] = { href: token.href, title: token.title };
  });
  return links;
}

// Whether a part of the text may use one of these link labels ([text][label], [label][] or
// [label]): a cheap test, true now and then for nothing (the part is then rendered again).
export function mentionsLink(source, labels) {
  const text = source.replace(/\s+/g, " ").toLowerCase();
  return labels.some((label) => text.includes(`[${label}]`));
}

// Where the blocks of Markdown end (offsets into `text`), each block one piece of work to render,
// and the link definitions known so far (label → { href, title }).
// While the text streams (`open`), only finished blocks count: the last one may still grow, and
// the one before it too until the next has a complete first line ("2" may become "2. item").
export function blockEnds(text, { open = false } = {}) {
  configure();
  const tokens = window.marked.lexer(text);
  let last = tokens.length;
  if (open) {
    last -= 1;
    while (last > 0 && tokens[last].type === "space") last -= 1;
  }
  const ends = [];
  const tokenEnds = [];
  let offset = 0;
  let mathOpen = false;
  for (let index = 0; index < last; index += 1) {
    const { raw, type } = tokens[index];
    if (text.slice(offset, offset + raw.length) !== raw) break;   // the lexer changed the text
    if (type !== "code" && opensDisplayMath(raw)) mathOpen = !mathOpen;
    offset += raw.length;
    tokenEnds.push(offset);
    if (!mathOpen && type !== "space") ends.push(offset);
    else if (!mathOpen && ends.length) ends[ends.length - 1] = offset;   // blank lines join the block before
  }
  if (open && ends.length && !text.slice(ends[ends.length - 1]).replace(/^\n+/, "").includes("\n")) ends.pop();
  if (!open && ends[ends.length - 1] !== text.length) ends.push(text.length);
  if (!open) return { ends, links: linkDefinitions(tokens) };
  const blocksEnd = ends.length ? ends[ends.length - 1] : 0;
  const finished = tokens.slice(0, tokenEnds.filter((end) => end <= blocksEnd).length);
  return { ends, links: { ...openDefinitions(text.slice(blocksEnd)), ...linkDefinitions(finished) } };
}

// The definitions in the open block whose address is complete (followed by a line end; only a
// title may still come), so that links elsewhere work while the answer streams.
const DEFINITION_LINE = /^ {0,3}\[[^\]\n]+\]:/m;

function openDefinitions(text) {
  if (!DEFINITION_LINE.test(text)) return {};   // most open blocks: no second lexing
  return linkDefinitions(window.marked.lexer(text.slice(0, text.lastIndexOf("\n") + 1)));
}
