// Model output is untrusted: Markdown becomes HTML only through DOMPurify, code is highlighted
// from text, links open in a new tab without referrer, and remote images are not loaded
// (an image URL is a classic way to smuggle conversation data out).
import { extractMath, restoreMath } from "./math.js";

const PURIFY_OPTIONS = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ["style", "img", "form", "input", "button", "textarea", "select", "iframe", "video", "audio", "picture", "source"],
  FORBID_ATTR: ["style", "srcset"],
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
