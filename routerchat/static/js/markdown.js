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

function addCopyButton(pre) {
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
  pre.appendChild(button);
}

export function renderMarkdown(target, source) {
  configure();
  const { text, formulas } = extractMath(source);
  target.innerHTML = window.DOMPurify.sanitize(window.marked.parse(text), PURIFY_OPTIONS);
  restoreMath(target, formulas);
  for (const code of target.querySelectorAll("pre > code")) {
    window.hljs.highlightElement(code);
    addCopyButton(code.parentElement);
  }
}
