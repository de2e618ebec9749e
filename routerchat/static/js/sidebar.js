// The conversation list: one [data-conversation-id] item per conversation, newest first,
// with inline rename (Enter saves, Escape cancels), "Regenerate title" and delete.
import * as api from "./api.js";

export class Sidebar {
  constructor({ list, template, loadMore, empty, onOpen, onDeleted, onTitle }) {
    Object.assign(this, { list, template, loadMore, empty, onOpen, onDeleted, onTitle });
    this.next = null;
    this.loadMore.addEventListener("click", () => this.load({ more: true }));
  }

  item(id) {
    return this.list.querySelector(`[data-conversation-id="${CSS.escape(id)}"]`);
  }

  async load({ more = false } = {}) {
    const query = more && this.next ? `?before=${encodeURIComponent(this.next)}` : "";
    const page = await api.send(`/conversations${query}`);
    if (!more) this.list.replaceChildren();
    for (const conversation of page.conversations) {
      if (!this.item(conversation.id)) this.list.appendChild(this.build(conversation));
    }
    this.next = page.next;
    this.loadMore.hidden = !page.next;
    this.updateEmpty();
  }

  updateEmpty() {
    this.empty.hidden = this.list.children.length > 0;
  }

  build({ id, title, title_source }) {
    const li = this.template.content.firstElementChild.cloneNode(true);
    li.dataset.conversationId = id;
    li.dataset.titleSource = title_source;
    li.querySelector(".conversation-title").textContent = title;
    const link = li.querySelector(".conversation-link");
    link.href = `/?c=${encodeURIComponent(id)}`;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      this.onOpen(id);
    });
    li.querySelector(".rename-button").addEventListener("click", () => this.startRename(li));
    li.querySelector(".regenerate-button").addEventListener("click", () => this.regenerate(id));
    li.querySelector(".delete-button").addEventListener("click", () => this.remove(id));
    return li;
  }

  addNew(id) {
    if (this.item(id)) return;
    this.list.prepend(this.build({ id, title: "New Conversation", title_source: "default" }));
    this.updateEmpty();
  }

  moveToTop(id) {
    const li = this.item(id);
    if (li && li !== this.list.firstElementChild) this.list.prepend(li);
  }

  setActive(id) {
    for (const li of this.list.children) {
      const active = li.dataset.conversationId === id;
      li.classList.toggle("active", active);
      li.querySelector(".conversation-link").toggleAttribute("aria-current", active);
    }
  }

  setTitle(id, title, source) {
    const li = this.item(id);
    if (!li) return;
    li.querySelector(".conversation-title").textContent = title;   // text, never HTML
    li.dataset.titleSource = source;
    this.onTitle(id, title);
  }

  // An answer is under way in this conversation (shown even while another one is open).
  setAnswering(id, answering) {
    const li = this.item(id);
    if (li) li.classList.toggle("answering", answering);
  }

  hasDefaultTitle(id) {
    const li = id && this.item(id);
    return Boolean(li) && li.dataset.titleSource === "default";
  }

  setNaming(id, naming) {
    const li = this.item(id);
    if (li) li.classList.toggle("naming", naming);
  }

  // Ask the server for the title; it joins a generation under way. Retries while the answer
  // is not stored yet (409) or another process is still generating.
  async name(id, { force = false, attempt = 0 } = {}) {
    this.setNaming(id, true);
    const retryLater = () => {
      if (attempt >= 3) return false;
      setTimeout(() => this.name(id, { attempt: attempt + 1 }), 1000 * 2 ** attempt);
      return true;
    };
    try {
      const url = `/conversation/${encodeURIComponent(id)}/summarize${force ? "?force=1" : ""}`;
      const result = await api.send(url, { method: "POST" });
      if (result.title_source === "default" && retryLater()) return;
      this.setTitle(id, result.title, result.title_source);
    } catch (error) {
      if (error.status === 409 && retryLater()) return;
      console.warn("routerchat: could not name the conversation", error);
    }
    this.setNaming(id, false);
  }

  regenerate(id) {
    return this.name(id, { force: true });
  }

  startRename(li) {
    const title = li.querySelector(".conversation-title");
    const input = document.createElement("input");
    input.className = "rename-input";
    input.maxLength = 100;
    input.value = title.textContent;
    input.setAttribute("aria-label", "New title");
    let finished = false;
    const finish = async (save) => {
      if (finished) return;
      finished = true;
      const value = input.value.trim();
      input.replaceWith(title);
      if (!save || !value || value === title.textContent) return;
      try {
        const conversation = await api.send(`/conversation/${encodeURIComponent(li.dataset.conversationId)}`,
          { method: "PATCH", body: { title: value } });
        this.setTitle(conversation.id, conversation.title, conversation.title_source);
      } catch (error) {
        alert(`Could not rename: ${error.message}`);
      }
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); finish(true); }
      if (event.key === "Escape") { event.preventDefault(); finish(false); }
    });
    input.addEventListener("blur", () => finish(true));
    title.replaceWith(input);
    input.focus();
    input.select();
  }

  async remove(id) {
    const li = this.item(id);
    const title = li ? li.querySelector(".conversation-title").textContent : "this chat";
    if (!confirm(`Delete “${title}”? This cannot be undone.`)) return;
    try {
      await api.send(`/conversation/${encodeURIComponent(id)}`, { method: "DELETE" });
    } catch (error) {
      if (error.status !== 404) {
        alert(`Could not delete: ${error.message}`);
        return;
      }
    }
    if (li) li.remove();
    this.updateEmpty();
    this.onDeleted(id);
  }
}
