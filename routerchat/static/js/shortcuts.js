// Keyboard shortcuts, listed in the help dialog (`?`). They act through the page's own controls
// (the same buttons a mouse would press), so each does exactly what its button does.

const isMac = /Mac|iPhone|iPad/.test(navigator.platform);
const MOD = isMac ? "⌘" : "Ctrl";

// [keys shown in the help, description, test on a keydown event, action name]
export const SHORTCUTS = [
  [`${MOD}+Shift+O`, "New chat", (e) => mod(e) && e.shiftKey && e.code === "KeyO", "newChat"],
  [`${MOD}+K`, "Search chats", (e) => mod(e) && !e.shiftKey && e.code === "KeyK", "search"],
  ["Shift+Esc", "Focus the message box", (e) => e.shiftKey && e.key === "Escape", "focusInput"],
  ["Esc", "Stop the answer", (e) => !e.shiftKey && e.key === "Escape", "stop"],
  [`${MOD}+Shift+S`, "Show or hide the sidebar", (e) => mod(e) && e.shiftKey && e.code === "KeyS", "sidebar"],
  [`${MOD}+Shift+C`, "Copy the last answer", (e) => mod(e) && e.shiftKey && e.code === "KeyC", "copyLastAnswer"],
  ["Alt+1 … Alt+6", "Choose preset 1 to 6", (e) => e.altKey && !mod(e) && /^Digit[1-6]$/.test(e.code), "preset"],
  ["Enter / Shift+Enter", "Send / new line (in the message box)", () => false, null],
  ["?", "Show these shortcuts", (e) => e.key === "?" && !typing(e.target), "help"],
];

function mod(event) {
  return isMac ? event.metaKey : event.ctrlKey;
}

function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

export function installShortcuts({ dialog, input, search, stopButton, newChatButton, presetButton, sidebarToggle,
                                   copyLastAnswer }) {
  const actions = {
    sidebar: () => sidebarToggle.click(),
    copyLastAnswer,
    newChat: () => newChatButton.click(),
    search: () => { search.focus(); search.select(); },
    focusInput: () => input.focus(),
    stop: () => {
      if (stopButton.hidden) return false;
      stopButton.click();
      return true;
    },
    preset: (event) => presetButton(Number(event.code.slice(-1))).click(),
    help: () => dialog.showModal(),
  };
  renderHelp(dialog.querySelector("#shortcut-list"));
  dialog.querySelector("#shortcuts-close").addEventListener("click", () => dialog.close());
  stopButton.addEventListener("click", () => input.focus());
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.isComposing || document.querySelector("dialog[open]")) return;
    const shortcut = SHORTCUTS.find(([, , matches, action]) => action && matches(event));
    if (!shortcut) return;
    if (actions[shortcut[3]](event) === false) return;   // Escape with no answer running: leave it alone
    event.preventDefault();
  });
}

function renderHelp(list) {
  list.replaceChildren(...SHORTCUTS.map(([keys, description]) => {
    const row = document.createElement("div");
    const term = document.createElement("dt");
    for (const [index, key] of keys.split(/(\s*[+/…]\s*)/).entries()) {
      if (index % 2) term.append(key);
      else if (key) {
        const kbd = document.createElement("kbd");
        kbd.textContent = key;
        term.append(kbd);
      }
    }
    const detail = document.createElement("dd");
    detail.textContent = description;
    row.append(term, detail);
    return row;
  }));
}
