// What chats cost (GET /usage), and the user's data: export everything, import a file with progress.
import * as api from "./api.js";
import { formatCost, formatCount } from "./format.js";

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

export class UsageDialog {
  constructor({ button, dialog, onImported }) {
    Object.assign(this, { dialog, onImported });
    this.table = dialog.querySelector("#usage-table tbody");
    this.total = dialog.querySelector("#usage-total");
    this.progress = dialog.querySelector("#import-progress");
    this.status = dialog.querySelector("#import-status");
    this.file = dialog.querySelector("#import-file");
    button.addEventListener("click", () => this.open());
    dialog.querySelector("#usage-close").addEventListener("click", () => dialog.close());
    this.file.addEventListener("change", () => {
      if (this.file.files.length) this.upload(this.file.files[0]);
    });
  }

  open() {
    this.dialog.showModal();
    this.loadUsage();
  }

  async loadUsage() {
    this.total.textContent = "Loading…";
    try {
      this.render(await api.send("/usage?days=30"));
    } catch (error) {
      this.total.textContent = error.message;
    }
  }

  render(report) {
    this.total.textContent = `Total: ${formatCost(report.total_cost)}`;
    const rows = report.by_model.map((row) => {
      const tr = document.createElement("tr");
      tr.append(cell(row.model || "unknown model"), cell(formatCount(row.requests)),
        cell(`${formatCount(row.prompt_tokens)} / ${formatCount(row.completion_tokens)}`), cell(formatCost(row.cost)));
      return tr;
    });
    const titles = document.createElement("tr");
    titles.className = "usage-titles";
    titles.append(cell("Conversation titles"), cell(formatCount(report.titles.requests)), cell(""),
      cell(formatCost(report.titles.cost)));
    this.table.replaceChildren(...rows, titles);
  }

  // XMLHttpRequest rather than fetch: it reports upload progress for large files.
  upload(file) {
    const form = new FormData();
    form.append("file", file);
    const request = new XMLHttpRequest();
    request.open("POST", "/import");
    request.responseType = "json";
    this.progress.hidden = false;
    this.progress.removeAttribute("value");
    this.status.textContent = `Uploading ${file.name}…`;
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) this.progress.value = event.loaded / event.total;
      if (event.loaded === event.total) this.status.textContent = "Importing…";
    });
    request.addEventListener("load", () => this.finished(request));
    request.addEventListener("error", () => this.done("Could not reach the routerchat server."));
    request.send(form);
  }

  finished(request) {
    const body = request.response || {};
    if (request.status !== 200) {
      this.done(body.error || `The import failed (status ${request.status}).`);
      return;
    }
    const skipped = body.skipped.map((s) => `“${s.title}” (${s.why})`).join(", ");
    this.done(`Imported ${body.imported} chat${body.imported === 1 ? "" : "s"}.${skipped ? ` Skipped: ${skipped}` : ""}`);
    this.onImported();
  }

  done(text) {
    this.progress.hidden = true;
    this.status.textContent = text;
    this.file.value = "";
  }
}
