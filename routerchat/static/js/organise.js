// Organising chats beyond the list itself: the folder dialog (name, instructions, delete), the
// Share dialog (the link, copy, revoke) and the account's shared links in "Usage & data".
import * as api from "./api.js";

const absolute = (path) => new URL(path, window.location.origin).href;

export class FolderDialog {
  // onChanged(): the folders changed (made, renamed, deleted): the sidebar reloads them.
  constructor({ dialog, onChanged }) {
    Object.assign(this, { dialog, onChanged });
    this.form = dialog.querySelector("#folder-form");
    this.name = dialog.querySelector("#folder-name");
    this.instructions = dialog.querySelector("#folder-instructions");
    this.error = dialog.querySelector("#folder-error");
    this.deleteButton = dialog.querySelector("#folder-delete");
    this.form.addEventListener("submit", (event) => { event.preventDefault(); this.save(); });
    dialog.querySelector("#folder-cancel").addEventListener("click", () => dialog.close());
    this.deleteButton.addEventListener("click", () => this.remove());
  }

  // folder: {id, name, instructions}, or null for a new one.
  open(folder = null) {
    this.folder = folder;
    this.dialog.querySelector("#folder-dialog-title").textContent = folder ? "Folder settings" : "New folder";
    this.name.value = folder ? folder.name : "";
    this.instructions.value = folder ? folder.instructions : "";
    this.deleteButton.hidden = !folder;
    this.error.hidden = true;
    this.dialog.showModal();
    this.name.focus();
  }

  async save() {
    const body = { name: this.name.value, instructions: this.instructions.value };
    try {
      await api.send(this.folder ? `/folders/${encodeURIComponent(this.folder.id)}` : "/folders",
        { method: this.folder ? "PATCH" : "POST", body });
    } catch (error) {
      this.error.textContent = error.message;
      this.error.hidden = false;
      return;
    }
    this.dialog.close();
    this.onChanged();
  }

  async remove() {
    if (!confirm(`Delete the folder “${this.folder.name}”? Its chats stay, outside any folder.`)) return;
    try {
      await api.send(`/folders/${encodeURIComponent(this.folder.id)}`, { method: "DELETE" });
    } catch (error) {
      if (error.status !== 404) {
        this.error.textContent = error.message;
        this.error.hidden = false;
        return;
      }
    }
    this.dialog.close();
    this.onChanged();
  }
}

export class ShareDialog {
  constructor({ dialog }) {
    this.dialog = dialog;
    this.url = dialog.querySelector("#share-url");
    this.status = dialog.querySelector("#share-status");
    this.revokeButton = dialog.querySelector("#share-revoke");
    this.copyButton = dialog.querySelector("#share-copy");
    dialog.querySelector("#share-close").addEventListener("click", () => dialog.close());
    this.copyButton.addEventListener("click", () => this.copy());
    this.revokeButton.addEventListener("click", () => this.revoke());
  }

  // Share (or share again: same link, the chat as it is now) and show the link.
  async open(id, title) {
    this.id = id;
    this.dialog.querySelector("#share-chat-title").textContent = title;
    this.url.value = "";
    this.status.textContent = "Making the link…";
    this.revokeButton.disabled = this.copyButton.disabled = true;
    this.dialog.showModal();
    try {
      const { url } = await api.send(`/conversation/${encodeURIComponent(id)}/share`, { method: "POST" });
      this.url.value = absolute(url);
      this.status.textContent = "";
      this.revokeButton.disabled = this.copyButton.disabled = false;
      this.url.select();
    } catch (error) {
      this.status.textContent = `Could not share: ${error.message}`;
    }
  }

  async copy() {
    try {
      await navigator.clipboard.writeText(this.url.value);
      this.status.textContent = "Link copied.";
    } catch (_) {
      this.url.select();
      this.status.textContent = "Copy the selected link (the browser refused the clipboard).";
    }
  }

  async revoke() {
    try {
      await api.send(`/conversation/${encodeURIComponent(this.id)}/share`, { method: "DELETE" });
    } catch (error) {
      if (error.status !== 404) {
        this.status.textContent = `Could not revoke: ${error.message}`;
        return;
      }
    }
    this.url.value = "";
    this.status.textContent = "The link is revoked: it shows nothing any more.";
    this.revokeButton.disabled = this.copyButton.disabled = true;
  }
}

// The account's links, each with its chat's title and a Revoke button.
export class SharedLinks {
  constructor({ list, empty }) {
    Object.assign(this, { list, empty });
  }

  async load() {
    let shares;
    try {
      ({ shares } = await api.send("/shares"));
    } catch (error) {
      this.empty.textContent = error.message;
      this.empty.hidden = false;
      return;
    }
    this.list.replaceChildren(...shares.map((share) => this.row(share)));
    this.empty.hidden = shares.length > 0;
  }

  row(share) {
    const li = document.createElement("li");
    li.className = "shared-link";
    const link = document.createElement("a");
    link.href = share.url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.textContent = share.title;   // text, never HTML
    link.dir = "auto";
    const revoke = document.createElement("button");
    revoke.type = "button";
    revoke.className = "button subtle small shared-link-revoke";
    revoke.textContent = "Revoke";
    revoke.addEventListener("click", async () => {
      await api.send(`/conversation/${encodeURIComponent(share.conversation_id)}/share`, { method: "DELETE" })
        .catch((error) => { if (error.status !== 404) throw error; });
      this.load();
    });
    li.append(link, revoke);
    return li;
  }
}
