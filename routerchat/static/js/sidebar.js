// The conversation list: one [data-conversation-id] item per conversation, newest first,
// with inline rename (Enter saves, Escape cancels), "Regenerate title" and delete. Pinned chats
// head the list, each folder is a collapsible section (drop a chat on it to move it there), and
// the row's ⋯ menu pins, archives, moves and shares; the Archived view lists archived chats alone.
import * as api from "./api.js";
import { saveDraft } from "./drafts.js";
import { showUndoToast } from "./toast.js";
import { highlight, searchWords } from "./search.js";

// Sidebar groups by last activity, like ChatGPT's: [label, newest age in days it covers].
const GROUPS = [["Today", 0], ["Yesterday", 1], ["Previous 7 days", 7], ["Previous 30 days", 30], ["Older", Infinity]];

export function groupLabel(updated, now = new Date()) {
  const midnight = (date) => new Date(date.getFullYear(), date.getMonth(), date.getDate());
  const days = Math.round((midnight(now) - midnight(updated)) / 86400000);
  return GROUPS.find(([, upTo]) => days <= upTo)[0];
}

const DRAG_TYPE = "application/x-routerchat-conversation";

// A conversation's downloads: [label, address] pairs for a row's menu.
function exportEntries(id) {
  const url = (format) => `/conversation/${encodeURIComponent(id)}/export?format=${format}`;
  return [["Export as Markdown", url("md")], ["Export as JSON", url("json")]];
}

export class Sidebar {
  constructor({ list, template, loadMore, empty, onOpen, onDeleted, onTitle, onAnswering, onShare, onFolderSettings,
    onChanged }) {
    Object.assign(this, { list, template, loadMore, empty, onOpen, onDeleted, onTitle, onAnswering, onShare,
      onFolderSettings, onChanged });
    this.next = null;
    this.query = "";      // the search shown, "" for the plain list
    this.archived = false;  // the Archived view
    this.folders = [];    // [{id, name, instructions}], by name
    this.collapsed = new Set(JSON.parse(localStorage.getItem("routerchat.collapsedFolders") || "[]"));
    this.folderNext = new Map();   // folder id -> the cursor of its older chats not shown yet
    this.loads = 0;       // answers to older requests (slower typing) are dropped
    this.activeId = null;  // the open chat: its row is marked again whenever the list is rebuilt
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

  showArchived(archived) {
    this.archived = archived;
    return this.load();
  }

  async loadFolders() {
    this.folders = (await api.send("/folders")).folders;
    this.listChanged();
  }

  async load({ more = false } = {}) {
    const params = new URLSearchParams();
    if (this.query) params.set("q", this.query);
    else if (this.archived) params.set("archived", "1");
    if (more && this.next) params.set("before", this.next);
    const load = ++this.loads;
    const query = params.toString();
    const [page, folders] = await Promise.all([api.send(`/conversations${query ? `?${query}` : ""}`),
      more ? null : api.send("/folders")]);
    // A folder holds its own chats however old they are, not only those among the newest.
    const folderPages = folders && !query ? await this.firstFolderPages(folders.folders) : [];
    if (load !== this.loads) return;
    if (folders) this.folders = folders.folders;
    if (!more) this.list.replaceChildren();
    for (const conversation of page.conversations) {
      // The Archived view searches archived chats only; the list's search finds every chat.
      if (this.archived && this.query && !conversation.archived) continue;
      this.add(conversation);
    }
    if (!more) this.folderNext.clear();
    for (const [folder, folderPage] of folderPages) this.addFolderPage(folder.id, folderPage);
    this.next = page.next;
    this.loadMore.hidden = !page.next;
    this.setActive(this.activeId);
    this.listChanged();
  }

  add(conversation) {
    if (!this.item(conversation.id)) this.list.appendChild(this.build(conversation));
  }

  firstFolderPages(folders) {
    return Promise.all(folders.map(async (folder) => [folder, await this.folderPage(folder.id)]));
  }

  folderPage(folderId, before = null) {
    const params = new URLSearchParams({ folder: folderId });
    if (before) params.set("before", before);
    return api.send(`/conversations?${params}`);
  }

  addFolderPage(folderId, page) {
    for (const conversation of page.conversations) this.add(conversation);
    if (page.next) this.folderNext.set(folderId, page.next);
    else this.folderNext.delete(folderId);
  }

  async loadMoreOfFolder(folderId) {
    const page = await this.folderPage(folderId, this.folderNext.get(folderId));
    this.addFolderPage(folderId, page);
    this.listChanged();
  }

  items() {
    return [...this.list.querySelectorAll("[data-conversation-id]:not([hidden])")];   // hidden: deleted, undo pending
  }

  listChanged() {
    this.regroup();
    this.updateEmpty();
  }

  updateEmpty() {
    const nothing = this.archived ? "No archived chats." : this.emptyText;
    this.showEmpty(this.query ? `No chat contains “${this.query}”.` : nothing);
    this.empty.hidden = this.items().length > 0;
  }

  // Sections, in this order: Pinned, then one per folder (collapsible; a chat dropped on its
  // heading moves into it), then the other chats under date headings (each part stays newest first).
  regroup() {
    for (const heading of this.list.querySelectorAll(".conversation-group, .folder-section, .folder-more")) heading.remove();
    const items = this.items();
    const pinned = items.filter((li) => li.dataset.pinned === "true");
    const sections = this.query || this.archived ? [] : this.folders.map((folder) => [folder,
      items.filter((li) => li.dataset.folderId === folder.id && li.dataset.pinned !== "true")]);
    const inSections = new Set([...pinned, ...sections.flatMap(([, members]) => members)]);
    const rest = items.filter((li) => !inSections.has(li));
    if (pinned.length) this.list.append(this.heading("Pinned"), ...pinned);
    for (const [folder, members] of sections) {
      this.list.append(this.folderHeading(folder, members.length), ...members);
      for (const li of members) li.classList.toggle("folded", this.collapsed.has(folder.id));
      if (this.folderNext.has(folder.id) && !this.collapsed.has(folder.id)) this.list.append(this.folderMore(folder));
    }
    let current = null;
    for (const li of rest) {
      li.classList.remove("folded");
      const label = this.archived && !this.query ? "Archived" : groupLabel(new Date(li.dataset.updatedAt || Date.now()));
      if (label !== current) this.list.append(this.heading(label));
      this.list.append(li);
      current = label;
    }
  }

  heading(label) {
    const heading = document.createElement("li");
    heading.className = "conversation-group";
    heading.textContent = label;
    return heading;
  }

  folderHeading(folder, count) {
    const heading = document.createElement("li");
    heading.className = "folder-section";
    heading.dataset.folderId = folder.id;
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "folder-toggle";
    toggle.setAttribute("aria-expanded", String(!this.collapsed.has(folder.id)));
    toggle.textContent = `${this.collapsed.has(folder.id) ? "▸" : "▾"} ${folder.name}`;
    toggle.title = `${count} chat${count === 1 ? "" : "s"} in “${folder.name}”`;
    toggle.addEventListener("click", () => this.toggleFolder(folder.id));
    const settings = document.createElement("button");
    settings.type = "button";
    settings.className = "icon-button small folder-settings-button";
    settings.title = "Folder settings";
    settings.setAttribute("aria-label", `Settings of the folder ${folder.name}`);
    settings.textContent = "⚙";
    settings.addEventListener("click", () => this.onFolderSettings(folder));
    heading.append(toggle, settings);
    heading.addEventListener("dragover", (event) => {
      if (!event.dataTransfer.types.includes(DRAG_TYPE)) return;
      event.preventDefault();
      heading.classList.add("drop-target");
    });
    heading.addEventListener("dragleave", () => heading.classList.remove("drop-target"));
    heading.addEventListener("drop", (event) => {
      event.preventDefault();
      heading.classList.remove("drop-target");
      const id = event.dataTransfer.getData(DRAG_TYPE);
      if (id) this.change(id, { folder_id: folder.id });
    });
    return heading;
  }

  // The folder's older chats, one page at a time.
  folderMore(folder) {
    const item = document.createElement("li");
    item.className = "folder-more";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button subtle";
    button.textContent = `More in “${folder.name}”`;
    button.addEventListener("click", () => {
      button.disabled = true;
      this.loadMoreOfFolder(folder.id).catch((error) => {
        button.disabled = false;
        alert(`Could not load the folder: ${error.message}`);
      });
    });
    item.append(button);
    return item;
  }

  toggleFolder(folderId) {
    if (this.collapsed.has(folderId)) this.collapsed.delete(folderId);
    else this.collapsed.add(folderId);
    localStorage.setItem("routerchat.collapsedFolders", JSON.stringify([...this.collapsed]));
    this.regroup();
  }

  // Pin, archive or move a chat (PATCH), then show it where it now belongs; the changed chat
  // (null when the change was refused).
  async change(id, fields) {
    let conversation;
    try {
      conversation = await api.send(`/conversation/${encodeURIComponent(id)}`, { method: "PATCH", body: fields });
    } catch (error) {
      alert(`Could not change the chat: ${error.message}`);
      return null;
    }
    this.onChanged(conversation);
    const li = this.item(id);
    if (!li) {
      // Restored (or archived) from the header while the other list shows: it belongs here now.
      if (!this.query && conversation.archived === this.archived) await this.load();
      return conversation;
    }
    if (!this.query && conversation.archived !== this.archived) li.remove();
    else this.mark(li, conversation);
    this.listChanged();
    return conversation;
  }

  mark(li, { pinned, archived, folder_id: folderId }) {
    li.dataset.pinned = String(Boolean(pinned));
    li.dataset.archived = String(Boolean(archived));
    li.dataset.folderId = folderId || "";
    li.classList.toggle("archived", Boolean(archived));
    // Pins come first, newest first: a new pin goes to the top of the list.
    if (pinned && li.isConnected) this.list.prepend(li);
  }

  showEmpty(text) {
    this.empty.textContent = text;
    this.empty.hidden = false;
  }

  build({ id, title, title_source, snippet, updated_at: updatedAt, answering, pinned, archived, folder_id: folderId }) {
    const li = this.template.content.firstElementChild.cloneNode(true);
    li.dataset.conversationId = id;
    this.mark(li, { pinned, archived, folder_id: folderId });
    li.draggable = true;
    li.addEventListener("dragstart", (event) => {
      event.dataTransfer.setData(DRAG_TYPE, id);
      event.dataTransfer.effectAllowed = "move";
    });
    li.dataset.updatedAt = updatedAt || new Date().toISOString();
    li.dataset.titleSource = title_source;
    li.querySelector(".conversation-title").textContent = title;
    li.querySelector(".conversation-link").title = title;   // the whole title, where the row's buttons cover its end
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
    li.querySelector(".organise-button").addEventListener("click", (event) => this.toggleOrganiseMenu(event.currentTarget, id));
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

  // A row's menu (one open at a time): `entries` are [label, href or action] pairs.
  toggleMenu(button, id, kind, entries) {
    const open = this.list.querySelector(".export-menu");
    if (open) open.remove();
    for (const other of this.list.querySelectorAll("[aria-haspopup]")) other.setAttribute("aria-expanded", "false");
    if (open && open.dataset.for === `${kind}:${id}`) return;
    const menu = document.createElement("div");
    menu.className = `export-menu ${kind}-menu`;
    menu.dataset.for = `${kind}:${id}`;
    menu.setAttribute("role", "menu");
    for (const [label, target] of entries) {
      const entry = document.createElement(typeof target === "string" ? "a" : "button");
      if (typeof target === "string") {
        entry.href = target;
        entry.setAttribute("download", "");
      } else {
        entry.type = "button";
        entry.addEventListener("click", target);
      }
      entry.setAttribute("role", "menuitem");
      entry.textContent = label;
      entry.addEventListener("click", () => menu.remove());
      menu.append(entry);
    }
    button.setAttribute("aria-expanded", "true");
    button.closest(".conversation-item").append(menu);
    menu.querySelector("[role=menuitem]").focus();
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { menu.remove(); button.setAttribute("aria-expanded", "false"); button.focus(); }
    });
  }

  // The conversation's export menu: Markdown or JSON, as downloads.
  toggleExportMenu(button, id) {
    this.toggleMenu(button, id, "export", exportEntries(id));
  }

  // Everything a row can do (its other buttons show on the open chat's row only): rename,
  // regenerate the title, pin, archive, move to a folder, share, export, delete.
  toggleOrganiseMenu(button, id) {
    const li = this.item(id);
    const pinned = li.dataset.pinned === "true";
    const archived = li.dataset.archived === "true";
    const entries = [
      ["Rename", () => this.startRename(li)],
      ["Regenerate title", () => this.regenerateTitle(id)],
      [pinned ? "Unpin" : "Pin", () => this.change(id, { pinned: !pinned })],
      [archived ? "Restore from archive" : "Archive", () => this.change(id, { archived: !archived })],
      ...this.folders.filter((folder) => folder.id !== li.dataset.folderId)
        .map((folder) => [`Move to folder “${folder.name}”`, () => this.change(id, { folder_id: folder.id })]),
    ];
    if (li.dataset.folderId) entries.push(["Take out of its folder", () => this.change(id, { folder_id: null })]);
    entries.push(["Share…", () => this.onShare(id, li.querySelector(".conversation-title").textContent)],
      ...exportEntries(id), ["Delete", () => this.remove(id)]);
    this.toggleMenu(button, id, "organise", entries);
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
    this.activeId = id;
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
    li.querySelector(".conversation-link").title = title;
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

  // The row goes at once and the shown chat closes; the DELETE waits for the Undo toast to end.
  remove(id) {
    const li = this.item(id);
    const title = li ? li.querySelector(".conversation-title").textContent : "this chat";
    if (li) li.hidden = true;
    this.listChanged();
    const wasShown = this.onDeleted(id);
    showUndoToast(`Deleted “${title}”.`, {
      onUndo: () => {
        this.restore(li);
        if (wasShown) this.onOpen(id);
      },
      onCommit: ({ keepalive }) => this.deleteNow(id, li, keepalive),
    });
  }

  restore(li) {
    if (!li) return;
    li.hidden = false;
    this.listChanged();
  }

  async deleteNow(id, li, keepalive) {
    try {
      await api.send(`/conversation/${encodeURIComponent(id)}`, { method: "DELETE", keepalive });
    } catch (error) {
      if (error.status !== 404) {
        this.restore(li);
        alert(`Could not delete: ${error.message}`);
        return;
      }
    }
    li?.remove();
    this.listChanged();
    saveDraft(id, "");
  }
}
