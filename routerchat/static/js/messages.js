// The message list: one .message element per message, assistant text rendered as Markdown (its
// reasoning collapsed above it, its web citations as numbered links below), each with copy, and
// per role: edit (questions), regenerate or retry (the last answer), and a "‹ 2/3 ›" switcher when
// a message has other versions.
import { sentAttachments } from "./attachments.js";
import { renderMarkdown } from "./markdown.js";
import { MarkdownStream } from "./render.js";
import { usageDetail, usageLabel } from "./format.js";
import { enterSends } from "./typing.js";

const STATUS_NOTES = {
  stopped: "Stopped — the answer above is partial.",
  error: "The answer failed.",
};

export class MessageView {
  // actions: { regenerateAnswer(), edit(bubble, text), switchTo(messageId), fork(messageId) }
  // endButton: shown while the reader is above the end ("↓"), it scrolls back there.
  constructor(container, emptyState, actions, endButton) {
    this.container = container;
    this.emptyState = emptyState;
    this.actions = actions;
    this.endButton = endButton;
    this.bubbles = [];
    this.endInSight = true;   // the reader is at the end: growing answers keep it in sight
    this.pinnedTop = 0;       // where scrollToBottom() left the list
    // Any message whose height changes, or the list's own (a title appears above it, the
    // composer grows), while the reader is at the end keeps the end in sight: messages out of
    // sight skip layout (content-visibility: auto), so a jump to the end lays out those that come
    // into sight and the end moves, over several frames on a slow machine.
    this.resizes = new ResizeObserver(() => this.keepEndInSight());
    this.resizes.observe(container);
    container.addEventListener("scroll", () => this.readerScrolled(), { passive: true });
    endButton.addEventListener("click", () => this.scrollToBottom());
    setInterval(() => { for (const bubble of this.bubbles) bubble.refreshTime(); }, 60_000);
  }

  clear() {
    for (const node of [...this.container.children]) {
      if (node !== this.emptyState) node.remove();
    }
    this.resizes.disconnect();
    this.resizes.observe(this.container);
    this.bubbles = [];
    this.setEndInSight(true);
    this.emptyState.hidden = false;
  }

  count() {
    return this.container.querySelectorAll(".message").length;
  }

  isNearBottom() {
    const c = this.container;
    return c.scrollHeight - c.scrollTop - c.clientHeight < 80;
  }

  scrollToBottom() {
    this.container.scrollTop = this.container.scrollHeight;
    this.pinnedTop = this.container.scrollTop;
    this.setEndInSight(true);
  }

  // Only the reader going up leaves the end: the scroll event of our own scrollToBottom() may
  // arrive after the answer grew, when the end is no longer "near".
  readerScrolled() {
    if (this.isNearBottom()) this.setEndInSight(true);
    else if (this.container.scrollTop < this.pinnedTop - 2) this.setEndInSight(false);
  }

  setEndInSight(inSight) {
    this.endInSight = inSight;
    this.endButton.hidden = inSight;
  }

  // A block of an answer landed: stay at the end if the reader was there.
  keepEndInSight() {
    if (this.endInSight) this.scrollToBottom();
  }

  add(message) {
    this.emptyState.hidden = true;
    const bubble = new MessageBubble(message, this.actions, () => this.refreshActions(), () => this.keepEndInSight());
    this.container.appendChild(bubble.element);
    this.resizes.observe(bubble.element);
    this.bubbles.push(bubble);
    this.refreshActions();
    this.scrollToBottom();
    return bubble;
  }

  // Drop this bubble and every one below it (an edited question replaces its branch).
  removeFrom(bubble) {
    const index = this.bubbles.indexOf(bubble);
    if (index < 0) return;
    for (const gone of this.bubbles.splice(index)) {
      this.resizes.unobserve(gone.element);
      gone.element.remove();
    }
    this.refreshActions();
  }

  // Regenerate on the last answer, retry when it failed; nothing while it streams.
  refreshActions() {
    const last = this.bubbles[this.bubbles.length - 1];
    for (const bubble of this.bubbles) bubble.setLast(bubble === last);
  }

  lastAnswer() {
    return this.bubbles.findLast((bubble) => bubble.role === "assistant") || null;
  }

  notice(text) {
    this.emptyState.hidden = true;
    const note = document.createElement("div");
    note.className = "notice";
    note.setAttribute("role", "alert");
    note.textContent = text;
    this.container.appendChild(note);
    this.scrollToBottom();
    return note;
  }

  showAll(messages) {
    this.clear();
    for (const message of messages) this.add(message);
  }
}

function button(className, label, title, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = `message-action ${className}`;
  element.textContent = label;
  element.title = title;
  element.setAttribute("aria-label", title);
  element.addEventListener("click", onClick);
  return element;
}

// "just now", "5 min ago", "3 h ago", "yesterday", then the date; the full time is on hover.
export function relativeTime(moment, now = new Date()) {
  const seconds = (now - moment) / 1000;
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  if (moment >= midnight) return `${Math.floor(seconds / 3600)} h ago`;
  if (midnight - moment <= 86400000) return "yesterday";
  const sameYear = moment.getFullYear() === now.getFullYear();
  return moment.toLocaleDateString(undefined, { day: "numeric", month: "short", ...(sameYear ? {} : { year: "numeric" }) });
}

export class MessageBubble {
  constructor({ id = null, role, content = "", model = null, status = "complete", error = null, usage = null,
                created_at: createdAt = null, version = 1, versions = 1, siblings = [], reasoning = null,
                reasoning_seconds: reasoningSeconds = null, citations = [],
                attachments = [] },
              actions = {}, onChange = () => {}, onRendered = () => {}) {
    this.id = id;
    this.role = role;
    this.content = content;
    this.status = status;
    this.actions = actions;
    this.onChange = onChange;
    this.onRendered = onRendered;
    this.element = document.createElement("div");
    this.element.className = "message";
    this.element.dataset.role = role;
    this.element.dataset.status = status;

    const meta = document.createElement("div");
    meta.className = "message-meta";
    this.roleLabel = document.createElement("span");
    this.roleLabel.className = "message-role";
    this.roleLabel.textContent = role === "user" ? "You" : "Assistant";
    this.modelLabel = document.createElement("span");
    this.modelLabel.className = "message-model";
    this.costLabel = document.createElement("span");
    this.costLabel.className = "message-cost";
    this.time = document.createElement("time");
    this.time.className = "message-time";
    meta.append(this.roleLabel, this.modelLabel, this.costLabel, this.time);

    this.body = document.createElement("div");
    this.body.className = "message-body";
    if (role === "user") this.body.dir = "auto";   // Arabic or Hebrew runs right to left (answers: per block)
    this.note = document.createElement("div");
    this.note.className = "message-note";
    this.note.hidden = true;
    this.toolbar = this.buildToolbar(version, siblings);
    this.reasoning = new ReasoningView(reasoning, reasoningSeconds, status === "streaming", onRendered);
    this.citations = document.createElement("ol");
    this.citations.className = "citations";
    this.citations.setAttribute("aria-label", "Sources");
    this.element.append(meta, this.reasoning.element, this.body, this.citations, this.note, this.toolbar);
    this.setCitations(citations);
    if (role === "assistant") this.markdown = new MarkdownStream(this.body, onRendered);
    if (attachments.length) this.body.after(sentAttachments(attachments));

    this.setModel(model);
    this.setUsage(usage);
    this.setTime(createdAt ? new Date(createdAt) : new Date());
    this.render();
    if (status !== "complete" && status !== "streaming") this.finish({ status, error });
  }

  buildToolbar(version, siblings) {
    const bar = document.createElement("div");
    bar.className = "message-actions";
    if (siblings.length > 1) {
      const switcher = document.createElement("span");
      switcher.className = "version-switcher";
      const label = document.createElement("span");
      label.className = "version-label";
      label.textContent = `${version}/${siblings.length}`;
      const previous = button("version-prev", "‹", "Previous version", () => this.actions.switchTo(siblings[version - 2]));
      const next = button("version-next", "›", "Next version", () => this.actions.switchTo(siblings[version]));
      previous.disabled = version <= 1;
      next.disabled = version >= siblings.length;
      switcher.append(previous, label, next);
      bar.append(switcher);
    }
    this.copyButton = button("message-copy", "Copy", "Copy the whole message", () => this.copy());
    this.forkButton = button("message-fork", "Branch in new chat",
      "Branch in new chat (up to here; this chat stays as it is)", () => this.actions.fork(this.id));
    bar.append(this.copyButton, this.forkButton);
    if (this.role === "user") {
      this.editButton = button("message-edit", "Edit", "Edit and send again", () => this.startEdit());
      bar.append(this.editButton);
    } else {
      this.regenerateAnswerButton = button("message-regenerate", "Regenerate", "Write another answer",
        () => this.actions.regenerateAnswer());
      this.retryButton = button("message-retry", "Retry", "Try this answer again", () => this.actions.regenerateAnswer());
      bar.append(this.regenerateAnswerButton, this.retryButton);
    }
    return bar;
  }

  setId(id) {
    this.id = id;
    this.onChange();
  }

  // Only the last answer offers regenerate (retry when it failed); edits need a stored question.
  setLast(last) {
    const settled = this.status !== "streaming";
    this.toolbar.hidden = !settled;
    if (this.editButton) this.editButton.hidden = this.id === null;
    this.forkButton.hidden = this.id === null;
    if (this.regenerateAnswerButton) {
      this.regenerateAnswerButton.hidden = !(last && settled && this.status !== "error");
      this.retryButton.hidden = !(last && this.status === "error");
    }
  }

  async copy() {
    try {
      await navigator.clipboard.writeText(this.content);
      this.copyButton.textContent = "Copied";
    } catch (_) {
      this.copyButton.textContent = "Copy failed";
    }
    setTimeout(() => { this.copyButton.textContent = "Copy"; }, 1500);
  }

  // Edit in place: Save & send (or Enter with a keyboard) sends the new version; Cancel, Escape
  // or an unchanged text cancels.
  startEdit() {
    const editor = document.createElement("textarea");
    editor.className = "message-editor";
    editor.value = this.content;
    editor.setAttribute("aria-label", "Edit your message");
    editor.rows = Math.min(10, this.content.split("\n").length + 1);
    const buttons = document.createElement("div");
    buttons.className = "edit-actions";
    const finish = (send) => {
      editor.replaceWith(this.body);
      buttons.remove();
      this.toolbar.hidden = false;
      const text = editor.value;
      if (send && text.trim() && text !== this.content) this.actions.edit(this, text);
    };
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button edit-cancel";
    cancel.textContent = "Cancel";
    cancel.addEventListener("click", () => finish(false));
    const save = document.createElement("button");
    save.type = "button";
    save.className = "button primary edit-save";
    save.textContent = "Save & send";
    save.addEventListener("click", () => finish(true));
    buttons.append(cancel, save);
    editor.addEventListener("keydown", (event) => {
      if (enterSends(event)) {
        event.preventDefault();
        finish(true);
      } else if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        finish(false);
      }
    });
    this.body.replaceWith(editor);
    editor.after(buttons);
    this.toolbar.hidden = true;
    editor.focus();
  }

  setModel(model) {
    this.modelLabel.textContent = model || "";
  }

  setUsage(usage) {
    this.usage = usage;
    this.costLabel.textContent = usageLabel(usage);
    this.costLabel.title = usageDetail(usage);
  }

  setTime(moment) {
    this.moment = moment;
    this.time.dateTime = moment.toISOString();
    this.time.title = moment.toLocaleString(undefined, { dateStyle: "full", timeStyle: "medium" });
    this.refreshTime();
  }

  refreshTime() {
    this.time.textContent = relativeTime(this.moment);
  }

  // An answer still streaming renders incrementally (render.js); a settled one all at once.
  render() {
    if (!this.markdown) this.body.textContent = this.content;
    else if (this.status === "streaming") this.markdown.update(this.content);
    else this.markdown.finish(this.content);
  }

  // A re-attach repeats everything so far: start the text and the reasoning over.
  restartFollowing() {
    this.content = "";
    this.reasoning.text = "";
  }

  appendReasoning(text) {
    this.reasoning.append(text);
  }

  // Numbered links to the web pages the answer cites (http and https only; no preview is fetched).
  setCitations(citations) {
    const safe = (citations || []).filter((c) => /^https?:\/\//i.test(c.url));
    this.citations.replaceChildren(...safe.map((citation) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = citation.url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.referrerPolicy = "no-referrer";
      link.textContent = citation.title || citation.url;   // text, never HTML
      link.title = citation.url;
      item.append(link);
      return item;
    }));
    this.citations.hidden = safe.length === 0;
  }

  // Re-render at most once per animation frame while chunks pour in.
  append(text) {
    this.reasoning.answerStarted();
    this.content += text;
    if (!this.pending) this.pending = requestAnimationFrame(() => this.renderOnFrame());
  }

  renderOnFrame() {
    if (this.markdown && !this.markdown.wantsUpdate()) {
      this.pending = requestAnimationFrame(() => this.renderOnFrame());
      return;
    }
    this.pending = null;
    this.render();
    this.onRendered();
  }

  finish({ status, model, error, usage, citations }) {
    if (this.pending) {
      cancelAnimationFrame(this.pending);
      this.pending = null;
    }
    this.reasoning.finish();
    if (citations) this.setCitations(citations);
    this.status = status;
    this.element.dataset.status = status;
    this.render();
    if (model) this.setModel(model);
    if (usage !== undefined) this.setUsage(usage);
    const text = error || STATUS_NOTES[status];
    if (status !== "complete" && text) {
      this.note.textContent = text;
      this.note.hidden = false;
      this.note.classList.toggle("is-error", status === "error");
    }
    this.onChange();
  }
}

// A model's reasoning above its answer: open while it streams ("Thinking…"), then collapsed as
// "Thought for N s". Untrusted text: rendered as sanitized Markdown like the answer.
export class ReasoningView {
  constructor(text, seconds, streaming, onRendered = () => {}) {
    this.onRendered = onRendered;
    this.text = text || "";
    this.seconds = seconds;
    this.startedAt = null;
    this.endedAt = null;
    this.element = document.createElement("details");
    this.element.className = "reasoning";
    this.summary = document.createElement("summary");
    this.body = document.createElement("div");
    this.body.className = "reasoning-body";
    this.body.dir = "auto";
    this.element.append(this.summary, this.body);
    this.streaming = streaming;
    this.render();
  }

  append(text) {
    if (this.startedAt === null) this.startedAt = performance.now();
    this.text += text;
    this.streaming = true;
    this.element.open = true;
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = null;
      this.render();
      this.onRendered();
    });
  }

  // The first piece of the answer ends the thinking (more reasoning may still come between chunks).
  answerStarted() {
    if (this.startedAt !== null && this.endedAt === null) {
      this.endedAt = performance.now();
      this.seconds = (this.endedAt - this.startedAt) / 1000;
      this.streaming = false;
      this.element.open = false;
      this.render();
    }
  }

  finish() {
    if (this.pending) {
      cancelAnimationFrame(this.pending);
      this.pending = null;
    }
    if (this.startedAt !== null && this.endedAt === null) this.seconds = (performance.now() - this.startedAt) / 1000;
    if (this.streaming) this.element.open = false;
    this.streaming = false;
    this.render();
  }

  render() {
    this.element.hidden = !this.text;
    this.element.classList.toggle("is-streaming", this.streaming);
    this.summary.textContent = this.streaming ? "Thinking…"
      : (this.seconds === null || this.seconds === undefined ? "Thoughts" : `Thought for ${Math.max(1, Math.round(this.seconds))} s`);
    renderMarkdown(this.body, this.text);
  }
}
