// The Titles dialog: the account's title model and prompt (GET/PUT /settings), and "Try on this chat"
// (POST /conversation/<id>/title-preview), which shows the would-be title without saving anything.
import * as api from "./api.js";

const WHY = {
  upstream_error: "the title model failed",
  unusable: "the model gave no title",
  assistant_talk: "the model talked to the user instead",
  too_long: "the model's title was too long",
};

export class TitleSettingsDialog {
  constructor({ button, dialog, conversationId }) {
    Object.assign(this, { dialog, conversationId });
    this.model = dialog.querySelector("#title-model-input");
    this.prompt = dialog.querySelector("#title-prompt-input");
    this.status = dialog.querySelector("#title-settings-status");
    this.preview = dialog.querySelector("#title-preview");
    this.tryButton = dialog.querySelector("#title-try");
    button.addEventListener("click", () => this.open());
    dialog.querySelector("#title-settings-close").addEventListener("click", () => dialog.close());
    dialog.querySelector("#title-settings-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.save();
    });
    this.tryButton.addEventListener("click", () => this.tryOnThisChat());
  }

  async open() {
    this.preview.hidden = true;
    this.tryButton.disabled = !this.conversationId();
    this.tryButton.title = this.conversationId() ? "Ask the title model for the open chat without saving anything"
      : "Open a chat with an answer to try the settings on it";
    this.dialog.showModal();
    this.say("Loading…");
    try {
      const settings = await api.send("/settings");
      this.model.value = settings.title_model || "";
      this.prompt.value = settings.title_prompt || "";
      this.say("");
    } catch (error) {
      this.say(error.message, true);
    }
  }

  values() {
    return { title_model: this.model.value.trim() || null, title_prompt: this.prompt.value.trim() ? this.prompt.value : null };
  }

  async save() {
    this.say("Saving…");
    try {
      await api.send("/settings", { method: "PUT", body: this.values() });
      this.say("Saved: new titles use these settings.");
    } catch (error) {
      this.say(error.message, true);
    }
  }

  async tryOnThisChat() {
    const id = this.conversationId();
    if (!id) return;
    this.preview.hidden = true;
    this.say("Asking the title model…");
    this.tryButton.disabled = true;
    try {
      const result = await api.send(`/conversation/${encodeURIComponent(id)}/title-preview`,
        { method: "POST", body: this.values() });
      this.showPreview(result);
      this.say("");
    } catch (error) {
      this.say(error.message, true);
    } finally {
      this.tryButton.disabled = false;
    }
  }

  // Model text is untrusted: it only ever goes in as textContent.
  showPreview(result) {
    this.dialog.querySelector("#title-preview-title").textContent = result.title;
    const why = result.title_source === "fallback"
      ? `(the fallback from the first message: ${WHY[result.rule] || `rule ${result.rule}`}; model ${result.model})`
      : `(from ${result.model}; not saved)`;
    this.dialog.querySelector("#title-preview-why").textContent = why;
    this.preview.hidden = false;
  }

  say(text, isError = false) {
    this.status.textContent = text;
    this.status.classList.toggle("error", isError);
  }
}
