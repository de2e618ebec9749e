// TeX in answers: $…$ and \(…\) inline, $$…$$ and \[…\] as a block, rendered with KaTeX.
//
// Formulas are cut out of the Markdown before it is parsed (so `_` and `*` inside them stay TeX),
// replaced by placeholders, and put back into the sanitized DOM as text; KaTeX then renders them
// into elements it builds itself, with `trust: false` (no \href, \url or HTML extensions), so
// model output never becomes markup. KaTeX is loaded the first time an answer has math.

const OPEN = "\uE000";
const CLOSE = "\uE001";
const PLACEHOLDER = /\uE000(\d+)\uE001/g;
const KATEX_OPTIONS = { throwOnError: false, trust: false, strict: "ignore", maxSize: 20, maxExpand: 500, output: "htmlAndMathml" };

let loading = null;

// Split text into formulas and the rest, skipping fenced code blocks and inline code spans.
export function extractMath(source) {
  const text = source.replace(/[\uE000\uE001]/g, "");
  const formulas = [];
  let out = "";
  let i = 0;
  let lineStart = true;
  let fence = null;
  while (i < text.length) {
    if (lineStart) {
      const line = text.slice(i, text.indexOf("\n", i) < 0 ? text.length : text.indexOf("\n", i));
      const marker = line.match(/^ {0,3}(`{3,}|~{3,})/);
      if (fence ? marker && marker[1][0] === fence[0] && marker[1].length >= fence.length : marker) {
        fence = fence ? null : marker[1];
      }
      if (fence || marker) {
        out += line;
        i += line.length;
        lineStart = false;
        continue;
      }
    }
    const char = text[i];
    if (char === "\n") {
      out += char;
      i += 1;
      lineStart = true;
      continue;
    }
    lineStart = false;
    if (char === "`") {
      const run = text.slice(i).match(/^`+/)[0];
      const end = text.indexOf(run, i + run.length);
      const stop = end < 0 ? i + run.length : end + run.length;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    const found = matchFormula(text, i);
    if (found) {
      out += `${OPEN}${formulas.length}${CLOSE}`;
      formulas.push({ tex: found.tex, display: found.display, source: text.slice(i, found.end) });
      i = found.end;
      continue;
    }
    if (char === "\\" && (text[i + 1] === "$" || text[i + 1] === "\\")) {
      out += text.slice(i, i + 2);
      i += 2;
      continue;
    }
    out += char;
    i += 1;
  }
  return { text: out, formulas };
}

function matchFormula(text, i) {
  const pairs = [["$$", "$$", true], ["\\[", "\\]", true], ["\\(", "\\)", false]];
  for (const [open, close, display] of pairs) {
    if (!text.startsWith(open, i)) continue;
    const end = text.indexOf(close, i + open.length);
    const tex = end < 0 ? "" : text.slice(i + open.length, end);
    if (tex.trim() && (display || !tex.includes("\n"))) return { tex, display, end: end + close.length };
    return null;
  }
  if (text[i] !== "$") return null;
  // Inline $…$ as Pandoc reads it: "$5 and $10" is money, not math.
  if (!text[i + 1] || /\s/.test(text[i + 1])) return null;
  for (let j = i + 1; j < text.length && text[j] !== "\n"; j += 1) {
    if (text[j] === "\\") { j += 1; continue; }
    if (text[j] !== "$") continue;
    if (/\s/.test(text[j - 1]) || /\d/.test(text[j + 1] || "")) return null;
    return { tex: text.slice(i + 1, j), display: false, end: j + 1 };
  }
  return null;
}

// Put the formulas back into the sanitized DOM (an element or a fragment) as text; KaTeX then
// renders them unless `typeset` is false (a block still streaming shows its TeX as typed).
export function restoreMath(target, formulas, { typeset: render = true } = {}) {
  if (!formulas.length) return;
  const walker = document.createTreeWalker(target, NodeFilter.SHOW_TEXT);
  const nodes = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeValue.includes(OPEN)) nodes.push(node);
  }
  const holders = [];
  for (const node of nodes) {
    const pieces = node.nodeValue.split(PLACEHOLDER);
    const fragment = document.createDocumentFragment();
    pieces.forEach((piece, index) => {
      if (index % 2 === 0) {
        if (piece) fragment.append(piece);
        return;
      }
      const formula = formulas[Number(piece)];
      const holder = document.createElement(formula.display ? "div" : "span");
      holder.className = formula.display ? "math math-display" : "math";
      holder.dataset.tex = formula.tex;
      holder.textContent = formula.source;   // shown as typed until KaTeX arrives (or if it fails)
      fragment.append(holder);
      holders.push(holder);
    });
    node.replaceWith(fragment);
  }
  if (render) typeset(holders);
}

// The holders are kept (not looked up again): a fragment's nodes move into the page before
// KaTeX has loaded.
function typeset(holders) {
  if (!window.katex) {
    // One task per block once KaTeX is there, not every waiting block in one long task.
    loadKatex().then(() => setTimeout(() => typeset(holders)), () => {});
    return;
  }
  for (const holder of holders) {
    try {
      window.katex.render(holder.dataset.tex, holder, { ...KATEX_OPTIONS, displayMode: holder.classList.contains("math-display") });
      holder.dataset.rendered = "true";
    } catch (_) { /* leave the TeX as text */ }
  }
}

function loadKatex() {
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const style = document.createElement("link");
      style.rel = "stylesheet";
      style.href = new URL("../vendor/katex/katex.min.css", import.meta.url).href;
      document.head.append(style);
      const script = document.createElement("script");
      script.src = new URL("../vendor/katex/katex.min.js", import.meta.url).href;
      script.onload = resolve;
      script.onerror = reject;
      document.head.append(script);
    });
  }
  return loading;
}
