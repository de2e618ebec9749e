// What chats cost (GET /usage), and the user's data: export everything, import a file with progress.
import * as api from "./api.js";
import { formatCost, formatCount } from "./format.js";

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

// A model id may break after its "/" (provider/model) on a narrow screen, not inside a word.
function modelCell(id) {
  const td = document.createElement("td");
  id.split(/(?<=\/)/).forEach((part, index) => {
    if (index) td.append(document.createElement("wbr"));
    td.append(part);
  });
  return td;
}

export class UsageDialog {
  constructor({ button, dialog, onImported, onOpen = () => {} }) {
    Object.assign(this, { dialog, onImported, onOpen });
    this.table = dialog.querySelector("#usage-table tbody");
    this.total = dialog.querySelector("#usage-total");
    this.credits = dialog.querySelector("#usage-credits");
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
    this.onOpen();
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
    this.showCredits(report.credits);
    const rows = report.by_model.map((row) => {
      const tr = document.createElement("tr");
      tr.append(modelCell(row.model || "unknown model"), cell(formatCount(row.requests)),
        cell(`${formatCount(row.prompt_tokens)} / ${formatCount(row.completion_tokens)}`), cell(formatCost(row.cost)));
      return tr;
    });
    const titles = document.createElement("tr");
    titles.className = "usage-titles";
    titles.append(cell("Conversation titles"), cell(formatCount(report.titles.requests)), cell(""),
      cell(formatCost(report.titles.cost)));
    this.table.replaceChildren(...rows, titles);
  }

  // The key's credit left and the free-model requests left today (OpenRouter's GET /key); hidden
  // when the upstream has no such endpoint.
  showCredits(credits) {
    this.credits.hidden = !credits;
    if (!credits) return;
    const parts = [];
    if (typeof credits.limit_remaining === "number") {
      const of = typeof credits.limit === "number" ? ` of ${formatCost(credits.limit)}` : "";
      parts.push(`Credit left: ${formatCost(credits.limit_remaining)}${of}`);
    } else if (typeof credits.usage === "number") {
      parts.push(`Credit used: ${formatCost(credits.usage)} (no limit set)`);
    }
    if (typeof credits.free_model_daily_requests === "number") {
      parts.push(`Free-model requests left today: ${formatCount(credits.free_model_daily_requests)}`);
    }
    if (credits.is_free_tier) parts.push("free tier");
    this.credits.textContent = parts.join(" · ");
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
