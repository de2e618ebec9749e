// The chat settings panel (☷ in the header): the open chat's system prompt and parameters (only
// those its model takes, from the model list's `supported_parameters`), and the account's
// instructions for every chat.
import * as api from "./api.js";

const PARAMS = ["temperature", "top_p", "max_tokens", "reasoning_effort"];
// The name in `supported_parameters` that says a model takes each parameter.
const SUPPORTED_AS = { temperature: "temperature", top_p: "top_p", max_tokens: "max_tokens", reasoning_effort: "reasoning" };

export class ChatSettings {
  // conversation(): the open chat ({id, system_prompt, params}) or null; model(): its model;
  // catalog(): the model list; onSaved(conversation): the chat as PATCH answered it.
  constructor({ button, dialog, conversation, model, catalog, onSaved }) {
    Object.assign(this, { dialog, conversation, model, catalog, onSaved });
    this.$ = (selector) => dialog.querySelector(selector);
    this.error = this.$("#chat-settings-error");
    button.addEventListener("click", () => this.open());
    this.$("#chat-settings-cancel").addEventListener("click", () => dialog.close());
    this.$("#chat-settings-save").addEventListener("click", () => this.save());
  }

  input(name) {
    return this.$(`#param-${name}`);
  }

  async open() {
    this.error.hidden = true;
    const chat = this.conversation();
    this.$("#chat-options").hidden = !chat;
    if (chat) {
      this.$("#system-prompt-input").value = chat.system_prompt || "";
      for (const name of PARAMS) this.input(name).value = chat.params?.[name] ?? "";
    }
    this.dialog.showModal();
    const [settings] = await Promise.all([api.send("/settings").catch((error) => this.fail(error)),
      chat ? this.showSupported() : null]);
    if (settings) this.$("#instructions-input").value = settings.instructions;
  }

  // Only the parameters the chat's model takes; all of them when the list does not know the model.
  async showSupported() {
    const model = this.model();
    let entry = null;
    try {
      entry = (await this.catalog()).find((m) => m.id === model) || null;
    } catch (_) { /* the model list is unreachable: show every parameter */ }
    const supported = entry ? new Set(entry.supported_parameters) : null;
    let shown = 0;
    for (const name of PARAMS) {
      const takes = !supported || supported.has(SUPPORTED_AS[name]) || Boolean(this.input(name).value);
      this.dialog.querySelector(`[data-param="${name}"]`).hidden = !takes;
      shown += takes ? 1 : 0;
    }
    this.$("#params-none").hidden = shown > 0;
    this.$("#params-model").textContent = model ? `Parameters for ${model}${entry ? "" : " (not in the model list: all shown)"}` : "";
  }

  paramsFromForm() {
    const params = {};
    for (const name of PARAMS) {
      const raw = this.input(name).value.trim();
      params[name] = raw === "" ? null : (name === "reasoning_effort" ? raw : Number(raw));
    }
    return params;
  }

  async save() {
    this.error.hidden = true;
    const chat = this.conversation();
    try {
      await api.send("/settings", { method: "PUT", body: { instructions: this.$("#instructions-input").value } });
      if (chat) {
        const saved = await api.send(`/conversation/${encodeURIComponent(chat.id)}`, {
          method: "PATCH",
          body: { system_prompt: this.$("#system-prompt-input").value || null, params: this.paramsFromForm() },
        });
        this.onSaved(saved);
      }
      this.dialog.close();
    } catch (error) {
      this.fail(error);
    }
  }

  fail(error) {
    this.error.textContent = error.message;
    this.error.hidden = false;
    return null;
  }
}
