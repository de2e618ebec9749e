// The conversation list: one [data-conversation-id] item per conversation, newest first,
// with inline rename (Enter saves, Escape cancels), "Regenerate title" and delete.
import * as api from "./api.js";
import { highlight, searchWords } from "./search.js";

// Sidebar groups by last activity, like ChatGPT's: [label, newest age in days it covers].
const GROUPS = [["Today", 0], ["Yesterday", 1], ["Previous 7 days", 7], ["Previous 30 days", 30], ["Older", Infinity]];

export function groupLabel(updated, now = new Date()) {
  const midnight = (date) => new Date(date.getFullYear(), date.getMonth(), date.getDate());
  const days = Math.round((midnight(now) - midnight(updated)) / 86400000);
  return GROUPS.find(([, upTo]) => days <= upTo)[0];
}

export class Sidebar {
  constructor({ list, template, loadMore, empty, onOpen, onDeleted, onTitle, onAnswering }) {
    Object.assign(this, { list, template, loadMore, empty, onOpen, onDeleted, onTitle, onAnswering });
    this.next = null;
    this.query = "";      // the search shown, "" for the plain list
    this.loads = 0;       // answers to older requests (slower typing) are dropped
    this.emptyText = empty.textContent;
    this.loadMore.addEventListener("click", () => this.load({ more: true }));
  }

  search(query) {
    if (query === this.query) return Promise.resolve();
    this.query = query;
    return this.load();
  }

  item(id) {
    return this.list.querySelector(`[data-conversation-id="${CSS.escape(id)}"]`);
  }

  async load({ more = false } = {}) {
    const params = new URLSearchParams();
    if (this.query) params.set("q", this.query);
    if (more && this.next) params.set("before", this.next);
    const load = ++this.loads;
    const query = params.toString();
    const page = await api.send(`/conversations${query ? `?${query}` : ""}`);
    if (load !== this.loads) return;
    if (!more) this.list.replaceChildren();
    for (const conversation of page.conversations) {
      if (!this.item(conversation.id)) this.list.appendChild(this.build(conversation));
    }
    this.next = page.next;
    this.loadMore.hidden = !page.next;
    this.listChanged();
  }

  items() {
    return [...this.list.querySelectorAll("[data-conversation-id]")];
  }

  listChanged() {
    this.regroup();
    this.updateEmpty();
  }

  updateEmpty() {
    this.showEmpty(this.query ? `No chat contains “${this.query}”.` : this.emptyText);
    this.empty.hidden = this.items().length > 0;
  }

  // Date headings before the first chat of each group (the items stay newest first).
  regroup() {
    for (const heading of this.list.querySelectorAll(".conversation-group")) heading.remove();
    let current = null;
    for (const li of this.items()) {
      const label = groupLabel(new Date(li.dataset.updatedAt || Date.now()));
      if (label === current) continue;
      const heading = document.createElement("li");
      heading.className = "conversation-group";
      heading.textContent = label;
      li.before(heading);
      current = label;
    }
  }

  showEmpty(text) {
    this.empty.textContent = text;
    this.empty.hidden = false;
  }

  build({ id, title, title_source, snippet, updated_at: updatedAt, answering }) {
    const li = this.template.content.firstElementChild.cloneNode(true);
    li.dataset.conversationId = id;
    li.dataset.updatedAt = updatedAt || new Date().toISOString();
    li.dataset.titleSource = title_source;
    li.querySelector(".conversation-title").textContent = title;
    if (this.query) this.showHits(li, title, snippet);
    if (answering) queueMicrotask(() => this.onAnswering(id));   // once the item is in the list
    const link = li.querySelector(".conversation-link");
    link.href = `/?c=${encodeURIComponent(id)}`;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      this.onOpen(id);
    });
    li.querySelector(".rename-button").addEventListener("click", () => this.startRename(li));
    li.querySelector(".regenerate-button").addEventListener("click", () => this.regenerateTitle(id));
    li.querySelector(".delete-button").addEventListener("click", () => this.remove(id));
    li.querySelector(".export-button").addEventListener("click", (event) => this.toggleExportMenu(event.currentTarget, id));
    return li;
  }

  // Search results: the title and a plain-text snippet, hits highlighted.
  showHits(li, title, snippet) {
    const words = searchWords(this.query);
    highlight(li.querySelector(".conversation-title"), title, words);
    if (!snippet) return;
    const text = document.createElement("span");
    text.className = "conversation-snippet";
    highlight(text, snippet, words);
    li.querySelector(".conversation-link").append(text);
  }

  // The conversation's export menu: Markdown or JSON, as downloads.
  toggleExportMenu(button, id) {
    const open = this.list.querySelector(".export-menu");
    if (open) open.remove();
    for (const other of this.list.querySelectorAll(".export-button")) other.setAttribute("aria-expanded", "false");
    if (open && open.dataset.for === id) return;
    const menu = document.createElement("div");
    menu.className = "export-menu";
    menu.dataset.for = id;
    menu.setAttribute("role", "menu");
    for (const [format, label] of [["md", "Markdown"], ["json", "JSON"]]) {
      const link = document.createElement("a");
      link.href = `/conversation/${encodeURIComponent(id)}/export?format=${format}`;
      link.setAttribute("download", "");
      link.setAttribute("role", "menuitem");
      link.textContent = `Export as ${label}`;
      link.addEventListener("click", () => menu.remove());
      menu.append(link);
    }
    button.setAttribute("aria-expanded", "true");
    button.closest(".conversation-item").append(menu);
    menu.querySelector("a").focus();
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { menu.remove(); button.setAttribute("aria-expanded", "false"); button.focus(); }
    });
  }

  addNew(id) {
    if (this.item(id)) return;
    this.list.prepend(this.build({ id, title: document.body.dataset.defaultTitle, title_source: "default" }));
    this.listChanged();
  }

  moveToTop(id) {
    const li = this.item(id);
    if (!li) return;
    li.dataset.updatedAt = new Date().toISOString();
    this.list.prepend(li);
    this.listChanged();
  }

  setActive(id) {
    for (const li of this.items()) {
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
    return Boolean(id) && this.item(id)?.dataset.titleSource === "default";
  }

  hasFallbackTitle(id) {
    return Boolean(id) && this.item(id)?.dataset.titleSource === "fallback";
  }

  // "naming…" beside the title while the server generates it.
  setNaming(id, naming) {
    const li = this.item(id);
    if (!li) return;
    li.classList.toggle("naming", naming);
    li.querySelector(".naming-status").hidden = !naming;
  }

  // Ask the server for the title; it joins a generation under way. Retries while the answer
  // is not stored yet (409) or another process is still generating. With `untilGenerated`
  // (after a later answer, when the server retries a fallback) a fallback also counts as "not yet".
  async requestTitle(id, { force = false, attempt = 0, untilGenerated = false } = {}) {
    this.setNaming(id, true);
    const retryLater = () => {
      if (attempt >= 3) return false;
      setTimeout(() => this.requestTitle(id, { attempt: attempt + 1, untilGenerated }), 1000 * 2 ** attempt);
      return true;
    };
    try {
      const url = `/conversation/${encodeURIComponent(id)}/summarize${force ? "?force=1" : ""}`;
      const result = await api.send(url, { method: "POST" });
      const pending = result.title_source === "default" || (untilGenerated && result.title_source === "fallback");
      if (pending && retryLater()) return;
      this.setTitle(id, result.title, result.title_source);
    } catch (error) {
      if (error.status === 409 && retryLater()) return;
      console.warn("routerchat: could not name the conversation", error);
    }
    this.setNaming(id, false);
  }

  regenerateTitle(id) {
    return this.requestTitle(id, { force: true });
  }

  startRename(li) {
    const title = li.querySelector(".conversation-title");
    const input = document.createElement("input");
    input.className = "rename-input";
    input.maxLength = Number(document.body.dataset.titleMaxChars);
    input.value = title.textContent;
    input.setAttribute("aria-label", "New title");
    let finished = false;
    const finish = async (save) => {
      if (finished) return;
      finished = true;
      const value = input.value.trim();
      input.replaceWith(title);
      li.classList.remove("renaming");
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
    li.classList.add("renaming");   // the row's buttons step aside for the input
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
    this.listChanged();
    this.onDeleted(id);
  }
}
