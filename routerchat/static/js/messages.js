// The message list: one .message element per message, assistant text rendered as Markdown,
// each with copy, and per role: edit (questions), regenerate or retry (the last answer), and a
// "‹ 2/3 ›" switcher when a message has other versions.
import { renderMarkdown } from "./markdown.js";
import { usageDetail, usageLabel } from "./format.js";

const STATUS_NOTES = {
  stopped: "Stopped — the answer above is partial.",
  error: "The answer failed.",
};

export class MessageView {
  // actions: { regenerateAnswer(), edit(bubble, text), switchTo(messageId) }
  constructor(container, emptyState, actions) {
    this.container = container;
    this.emptyState = emptyState;
    this.actions = actions;
    this.bubbles = [];
    setInterval(() => { for (const bubble of this.bubbles) bubble.refreshTime(); }, 60_000);
  }

  clear() {
    for (const node of [...this.container.children]) {
      if (node !== this.emptyState) node.remove();
    }
    this.bubbles = [];
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
  }

  add(message) {
    this.emptyState.hidden = true;
    const bubble = new MessageBubble(message, this.actions, () => this.refreshActions());
    this.container.appendChild(bubble.element);
    this.bubbles.push(bubble);
    this.refreshActions();
    this.scrollToBottom();
    return bubble;
  }

  // Drop this bubble and every one below it (an edited question replaces its branch).
  removeFrom(bubble) {
    const index = this.bubbles.indexOf(bubble);
    if (index < 0) return;
    for (const gone of this.bubbles.splice(index)) gone.element.remove();
    this.refreshActions();
  }

  // Regenerate on the last answer, retry when it failed; nothing while it streams.
  refreshActions() {
    const last = this.bubbles[this.bubbles.length - 1];
    for (const bubble of this.bubbles) bubble.setLast(bubble === last);
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
                created_at: createdAt = null, version = 1, versions = 1, siblings = [] },
              actions = {}, onChange = () => {}) {
    this.id = id;
    this.role = role;
    this.content = content;
    this.status = status;
    this.actions = actions;
    this.onChange = onChange;
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
    this.body.dir = "auto";   // Arabic or Hebrew runs right to left
    this.note = document.createElement("div");
    this.note.className = "message-note";
    this.note.hidden = true;
    this.toolbar = this.buildToolbar(version, siblings);
    this.element.append(meta, this.body, this.note, this.toolbar);

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
    bar.append(this.copyButton);
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

  // Edit in place: Enter sends the new version, Escape (or an unchanged text) cancels.
  startEdit() {
    const editor = document.createElement("textarea");
    editor.className = "message-editor";
    editor.value = this.content;
    editor.setAttribute("aria-label", "Edit your message");
    editor.rows = Math.min(10, this.content.split("\n").length + 1);
    const finish = (send) => {
      editor.replaceWith(this.body);
      this.toolbar.hidden = false;
      const text = editor.value;
      if (send && text.trim() && text !== this.content) this.actions.edit(this, text);
    };
    editor.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        finish(true);
      } else if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        finish(false);
      }
    });
    this.body.replaceWith(editor);
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

  render() {
    if (this.role === "assistant") renderMarkdown(this.body, this.content);
    else this.body.textContent = this.content;
  }

  // Re-render at most once per animation frame while chunks pour in.
  append(text) {
    this.content += text;
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = null;
      this.render();
    });
  }

  finish({ status, model, error, usage }) {
    if (this.pending) {
      cancelAnimationFrame(this.pending);
      this.pending = null;
    }
    this.render();
    this.status = status;
    this.element.dataset.status = status;
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
