// The message list: one .message element per message, assistant text rendered as Markdown.
import { renderMarkdown } from "./markdown.js";

const STATUS_NOTES = {
  stopped: "Stopped — the answer above is partial.",
  error: "The answer failed.",
};

export class MessageView {
  constructor(container, emptyState) {
    this.container = container;
    this.emptyState = emptyState;
  }

  clear() {
    for (const node of [...this.container.children]) {
      if (node !== this.emptyState) node.remove();
    }
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
    const bubble = new MessageBubble(message);
    this.container.appendChild(bubble.element);
    this.scrollToBottom();
    return bubble;
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

export class MessageBubble {
  constructor({ role, content = "", model = null, status = "complete", error = null }) {
    this.role = role;
    this.content = content;
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
    meta.append(this.roleLabel, this.modelLabel);

    this.body = document.createElement("div");
    this.body.className = "message-body";
    this.note = document.createElement("div");
    this.note.className = "message-note";
    this.note.hidden = true;
    this.element.append(meta, this.body, this.note);

    this.setModel(model);
    this.render();
    if (status !== "complete" && status !== "streaming") this.finish({ status, error });
  }

  setModel(model) {
    this.modelLabel.textContent = model || "";
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

  finish({ status, model, error }) {
    if (this.pending) {
      cancelAnimationFrame(this.pending);
      this.pending = null;
    }
    this.render();
    this.element.dataset.status = status;
    if (model) this.setModel(model);
    const text = error || STATUS_NOTES[status];
    if (status !== "complete" && text) {
      this.note.textContent = text;
      this.note.hidden = false;
      this.note.classList.toggle("is-error", status === "error");
    }
  }
}
