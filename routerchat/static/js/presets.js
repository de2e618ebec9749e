// The six preset buttons, the model of the next message (a preset, or a model used once), and the
// dialog that changes a preset's model or picks one for once.
import * as api from "./api.js";
import { modelInfo } from "./format.js";

const FREE_SLOT = Number(document.body.dataset.freeSlot);   // the free-tier preset, as the server says

// Labels short enough for a phone that still tell presets apart: the first word, plus the first
// word that sets it apart when another preset starts the same ("Gemini Pro", "Gemini Flash").
export function shortLabels(labels) {
  const words = labels.map((label) => label.split(/\s+/).filter(Boolean));
  return words.map((own, index) => {
    const others = words.filter((_, j) => j !== index);
    if (own.length <= 1 || !others.some((other) => other[0] === own[0])) return own[0] || "";
    const rest = own.slice(1).filter((word) => !others.some((other) => other.includes(word)));
    return `${own[0]} ${rest.find((word) => !/^[\d.]+$/.test(word)) || rest[0] || own[own.length - 1]}`;
  });
}

export class Presets {
  constructor({ bar, settingsButton, dialog, activeModel }) {
    Object.assign(this, { bar, dialog, activeModel });
    this.presets = [];
    this.models = null;
    this.active = Number(localStorage.getItem("routerchat.preset")) || 1;
    this.oneOff = null;   // a model used without a preset (chosen once, or the open chat's own)
    this.selectedModel = null;
    this.search = dialog.querySelector("#model-search");
    this.list = dialog.querySelector("#model-list");
    this.status = dialog.querySelector("#model-list-status");
    this.error = dialog.querySelector("#preset-error");
    this.saveButton = dialog.querySelector("#preset-save");
    this.useOnceButton = dialog.querySelector("#preset-use-once");
    this.current = dialog.querySelector("#preset-current");

    for (const button of bar.querySelectorAll("[data-preset]")) {
      button.addEventListener("click", () => this.setActive(Number(button.dataset.preset)));
      button.addEventListener("dblclick", () => this.openDialog(Number(button.dataset.preset)));
    }
    settingsButton.addEventListener("click", () => this.openDialog(this.active));
    dialog.querySelector("#preset-cancel").addEventListener("click", () => dialog.close());
    this.search.addEventListener("input", () => this.renderModels());
    this.saveButton.addEventListener("click", () => this.save());
    this.useOnceButton.addEventListener("click", () => this.useOnce());
    for (const radio of dialog.querySelectorAll('input[name="preset-slot"]')) {
      radio.addEventListener("change", () => this.selectSlot(Number(radio.value)));
    }
  }

  async load() {
    const { presets } = await api.send("/presets");
    this.presets = presets;
    this.renderButtons();
    this.setActive(this.active);
    if (this.pendingChatModel) this.followChat(this.pendingChatModel);
  }

  renderButtons() {
    const shorts = shortLabels(this.presets.map((preset) => preset.label));
    this.presets.forEach((preset, index) => this.renderButton(preset, shorts[index]));
  }

  renderButton(preset, short) {
    const button = this.bar.querySelector(`[data-preset="${preset.slot}"]`);
    button.querySelector(".preset-label").textContent = preset.label;
    button.querySelector(".preset-short").textContent = short;
    button.querySelector(".preset-model").textContent = preset.model;
    button.title = `Preset ${preset.slot}: ${preset.model}${preset.slot === FREE_SLOT ? " (free tier)" : ""}`;
  }

  setActive(slot) {
    this.active = slot;
    this.oneOff = null;
    localStorage.setItem("routerchat.preset", String(slot));
    this.showActiveModel();
  }

  // What the next message asks for: {preset} or, for a model used once, {model}.
  choice() {
    return this.oneOff ? { model: this.oneOff } : { preset: this.active };
  }

  // The model the next message goes to.
  currentModel() {
    return this.oneOff || this.preset(this.active)?.model || null;
  }

  // Opening a chat selects its model: the preset holding it (the active one first), else the
  // model as a one-off choice. A chat that never answered changes nothing.
  followChat(model) {
    if (!this.presets.length) {   // the chat opened before the presets arrived: follow it once they do
      this.pendingChatModel = model;
      return;
    }
    this.pendingChatModel = null;
    if (!model || model === this.currentModel()) return;
    const holder = this.presets.find((preset) => preset.model === model);
    if (holder) this.setActive(holder.slot);
    else this.useModel(model);
  }

  useModel(model) {
    this.oneOff = model;
    this.showActiveModel();
  }

  // A new chat starts on the last preset chosen, not on the previous chat's one-off model.
  dropOneOff() {
    if (this.oneOff) this.setActive(this.active);
  }

  showActiveModel() {
    for (const button of this.bar.querySelectorAll("[data-preset]")) {
      button.setAttribute("aria-pressed", String(!this.oneOff && Number(button.dataset.preset) === this.active));
    }
    const preset = this.preset(this.active);
    this.activeModel.textContent = this.oneOff ? `${this.oneOff} (once)` : (preset ? preset.model : "");
    this.activeModel.classList.toggle("one-off", Boolean(this.oneOff));
    this.activeModel.title = this.oneOff ? "A model used without a preset; click a preset to go back"
      : "Model of the selected preset";
  }

  // The catalog (GET /models, loaded once); null when it cannot be fetched.
  async catalog() {
    if (!this.models) this.models = (await api.send("/models")).models;
    return this.models;
  }

  preset(slot) {
    return this.presets.find((p) => p.slot === slot);
  }

  async openDialog(slot) {
    this.dialog.querySelector(`input[name="preset-slot"][value="${slot}"]`).checked = true;
    this.search.value = "";
    this.dialog.showModal();
    this.selectSlot(slot);
    if (!this.models) {
      this.status.textContent = "Loading models…";
      try {
        await this.catalog();
        this.status.textContent = "";
      } catch (error) {
        this.status.textContent = error.message;
        return;
      }
    }
    this.renderModels();
    this.search.focus();
  }

  selectSlot(slot) {
    this.slot = slot;
    this.selectedModel = null;
    this.saveButton.disabled = true;
    this.useOnceButton.disabled = true;
    this.saveButton.textContent = `Save to preset ${slot}`;
    this.error.hidden = true;
    const preset = this.preset(slot);
    this.current.textContent = preset
      ? `Preset ${slot} uses ${preset.model}.${slot === FREE_SLOT ? " Preset 6 is the free tier: only free models are listed." : ""}`
      : "";
    if (this.models) this.renderModels();
  }

  visibleModels() {
    const words = this.search.value.toLowerCase().split(/\s+/).filter(Boolean);
    return this.models.filter((model) => {
      if (this.slot === FREE_SLOT && !model.free) return false;
      const haystack = `${model.name} ${model.id}`.toLowerCase();
      return words.every((word) => haystack.includes(word));
    });
  }

  renderModels() {
    if (!this.models) return;   // typed before the list arrived: rendered once it does
    const models = this.visibleModels();
    const current = this.preset(this.slot);
    this.list.replaceChildren(...models.slice(0, 200).map((model) => {
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      item.dataset.modelId = model.id;
      item.tabIndex = 0;
      const name = document.createElement("span");
      name.className = "model-name";
      name.textContent = model.name;
      const id = document.createElement("span");
      id.className = "model-id";
      id.textContent = model.id;
      const info = document.createElement("span");
      info.className = "model-info";
      info.textContent = modelInfo(model);
      item.append(name, id, info);
      const selected = model.id === (this.selectedModel || (current && current.model));
      item.setAttribute("aria-selected", String(selected));
      item.addEventListener("click", () => this.choose(model.id));
      item.addEventListener("keydown", (event) => {
        if (event.key === "Enter") { event.preventDefault(); this.choose(model.id); this.save(); }
      });
      return item;
    }));
    this.status.textContent = models.length ? (models.length > 200 ? `Showing 200 of ${models.length}; refine the search.` : "")
      : "No model matches.";
  }

  choose(modelId) {
    this.selectedModel = modelId;
    this.saveButton.disabled = false;
    this.useOnceButton.disabled = false;
    for (const item of this.list.children) {
      item.setAttribute("aria-selected", String(item.dataset.modelId === modelId));
    }
  }

  useOnce() {
    if (!this.selectedModel) return;
    this.useModel(this.selectedModel);
    this.dialog.close();
  }

  async save() {
    if (!this.selectedModel) return;
    this.error.hidden = true;
    try {
      const preset = await api.send(`/presets/${this.slot}`, { method: "PUT", body: { model: this.selectedModel } });
      this.presets = this.presets.map((p) => (p.slot === preset.slot ? preset : p));
      this.renderButtons();
      this.setActive(preset.slot);
      this.dialog.close();
    } catch (error) {
      this.error.textContent = error.message;
      this.error.hidden = false;
    }
  }
}
