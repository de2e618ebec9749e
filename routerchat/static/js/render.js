// Incremental rendering of an answer's Markdown, so that the cost per token stays the same at the
// end of a long answer as at its start, and no frame is blocked for long.
//
// The text is cut into blocks (marked's lexer): a finished block (the next one has begun) is
// rendered once, with highlighting and KaTeX, and never touched again; only the last, open block
// is redone on each frame, plain (code unhighlighted, TeX as typed). Finished blocks wait in a
// queue that is worked through a few milliseconds per frame, newest answer first (opening a chat
// shows its last answer, the one on screen, before the older ones).
//
// A reference-style link ([text][ref]) may be defined in another block ([ref]: https://…): blocks
// render knowing every definition found so far, and a rendered block that mentions a label defined
// later is rendered again once that definition's line is complete.
import { blockEnds, markdownFragment, mentionsLink } from "./markdown.js";

const FRAME_BUDGET_MS = 8;
const waiting = [];   // MarkdownStreams with finished blocks still to render
let frameRequested = false;

function enqueue(stream) {
  const index = waiting.indexOf(stream);
  if (index >= 0) waiting.splice(index, 1);
  waiting.push(stream);
  if (!frameRequested) {
    frameRequested = true;
    requestAnimationFrame(workForOneFrame);
  }
}

function workForOneFrame() {
  const deadline = performance.now() + FRAME_BUDGET_MS;
  const progressed = new Set();
  while (waiting.length && performance.now() < deadline) {
    const stream = waiting[waiting.length - 1];
    progressed.add(stream);
    if (!stream.renderNextBlock()) waiting.pop();
  }
  // Once per frame, not per block: keeping the end in sight reads the layout.
  for (const stream of progressed) stream.onProgress();
  frameRequested = waiting.length > 0;
  if (frameRequested) requestAnimationFrame(workForOneFrame);
}

// The streaming cursor goes at the very end of the text, inside its last paragraph or item.
function cursorHost(root) {
  const lastChild = (node) => {
    let child = node.lastChild;
    while (child?.nodeType === Node.TEXT_NODE && !child.nodeValue.trim()) child = child.previousSibling;
    return child;
  };
  let host = root;
  for (let child = lastChild(host); child?.nodeType === Node.ELEMENT_NODE; child = lastChild(host)) {
    if (child.matches(".math, br, hr, .table-scroll")) break;
    host = child;
  }
  return host;
}

// The answer's direction from its first letter (as dir=auto would, but decided once: dir=auto on
// the whole answer is re-resolved by the browser on every change). Each block also has dir=auto.
const FIRST_LETTER = /\p{L}/u;
const RIGHT_TO_LEFT = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/;

function textDirection(text) {
  const letter = text.match(FIRST_LETTER)?.[0];
  if (!letter) return null;
  return RIGHT_TO_LEFT.test(letter) ? "rtl" : "ltr";
}

export class MarkdownStream {
  // onProgress() runs after the blocks of a frame landed (the view may keep the end in sight).
  constructor(target, onProgress = () => {}) {
    this.target = target;
    this.onProgress = onProgress;
    this.reset();
  }

  reset() {
    this.source = "";
    this.complete = false;
    this.nextUpdateAt = 0;
    this.scanned = 0;        // source[0:scanned] is cut into blocks (rendered or queued)
    this.queue = [];         // blocks not rendered yet
    this.rendered = [];      // blocks rendered: { source, nodes }
    this.links = {};         // link definitions found so far: label → { href, title }
    this.openNodes = [];     // what the open block shows now
    this.fromEnd = false;    // a settled text renders its last blocks (the ones in sight) first
    this.tailStart = null;   // then: the first node rendered so far at the end
    this.cursor = null;
    this.target.replaceChildren();
    this.target.removeAttribute("dir");
    delete this.target.dataset.rendering;
  }

  // The text so far, while it streams: new finished blocks are queued, the open one is redone.
  update(source) {
    const start = performance.now();
    this.take(source);
    this.complete = false;
    this.queueBlocks(blockEnds(source.slice(this.scanned), { open: true }));
    this.showOpen(source.slice(this.scanned), { cursor: true });
    // A big open block (a long table or code block) is redone less often: a third of the time at most.
    this.nextUpdateAt = performance.now() + 2 * (performance.now() - start);
  }

  // Whether update() is worth its cost on this frame (the caller tries again on the next one).
  wantsUpdate() {
    return performance.now() >= this.nextUpdateAt;
  }

  // The whole text, no more to come: every block left is queued and rendered from the end, the
  // last one at once (it replaces what the open block showed), the others a few per frame.
  finish(source) {
    if (this.complete && source === this.source) return;
    this.take(source);
    this.complete = true;
    this.showOpen("", { cursor: false });
    this.queueBlocks(blockEnds(source.slice(this.scanned)));
    this.fromEnd = true;
    this.renderNextBlock();
  }

  // A text that does not continue the one shown (a re-attach starts over) is rendered anew.
  take(source) {
    if (!source.startsWith(this.source.slice(0, this.scanned))) this.reset();
    this.source = source;
    if (!this.target.dir) this.target.dir = textDirection(source) || "";
  }

  // ends: offsets into the text after `scanned` where the next blocks end; links: the link
  // definitions found in that text.
  queueBlocks({ ends, links }) {
    this.learnLinks(links);
    if (!ends.length) return;
    let start = this.scanned;
    for (const end of ends) {
      this.queue.push(this.source.slice(start, this.scanned + end));
      start = this.scanned + end;
    }
    this.scanned = start;
    enqueue(this);
    this.markRendering();
  }

  // Called by the frame loop: render one queued block; false when none is left.
  renderNextBlock() {
    if (!this.queue.length) return false;
    const source = this.fromEnd ? this.queue.pop() : this.queue.shift();
    const fragment = markdownFragment(source, { links: this.links });
    this.rendered.push({ source, nodes: [...fragment.childNodes] });
    if (this.fromEnd) {
      const first = fragment.firstChild;
      this.target.insertBefore(fragment, this.tailStart);
      if (first) this.tailStart = first;
    } else {
      const before = this.openNodes.find((node) => node.parentNode === this.target) || null;
      this.target.insertBefore(fragment, before);
    }
    this.markRendering();
    return this.queue.length > 0;
  }

  // New definitions (the first of a label wins) make links of blocks rendered before them.
  learnLinks(links) {
    const labels = Object.keys(links).filter((label) => !Object.hasOwn(this.links, label));
    if (!labels.length) return;
    for (const label of labels) this.links[label] = links[label];
    for (const block of this.rendered) {
      if (block.nodes.length && mentionsLink(block.source, labels)) this.renderAgain(block);
    }
  }

  renderAgain(block) {
    const fragment = markdownFragment(block.source, { links: this.links });
    const nodes = [...fragment.childNodes];
    block.nodes[0].before(fragment);
    if (this.tailStart === block.nodes[0]) this.tailStart = nodes[0];
    for (const node of block.nodes) node.remove();
    block.nodes = nodes;
  }

  showOpen(text, { cursor }) {
    for (const node of this.openNodes) node.remove();
    this.cursor?.remove();
    this.cursor = null;
    const fragment = text.trim() ? markdownFragment(text, { finished: false, links: this.links })
      : document.createDocumentFragment();
    this.openNodes = [...fragment.childNodes];
    this.target.append(fragment);
    if (cursor && this.target.childNodes.length) {
      this.cursor = document.createElement("span");
      this.cursor.className = "stream-cursor";
      this.cursor.setAttribute("aria-hidden", "true");
      cursorHost(this.target).append(this.cursor);
    }
  }

  // data-rendering is set while blocks wait in the queue (tests and benchmarks wait on it).
  markRendering() {
    if (this.queue.length) this.target.dataset.rendering = "true";
    else delete this.target.dataset.rendering;
  }
}
