// routerchat's page: wires the sidebar, presets, message list, answers and composer together.
import * as api from "./api.js";
import { Answers } from "./answers.js";
import { ChatSettings } from "./chatsettings.js";
import { ComposerFiles } from "./attachments.js";
import { MessageView } from "./messages.js";
import { FolderDialog, SharedLinks, ShareDialog } from "./organise.js";
import { showConversationCost, showConversationTitle, showTitlePending } from "./heading.js";
import { Presets } from "./presets.js";
import { SearchBox } from "./search.js";
import { installShortcuts } from "./shortcuts.js";
import { UsageDialog } from "./usage.js";
import { TitleSettingsDialog } from "./titlesettings.js";
import { Sidebar } from "./sidebar.js";
import { enterSends, touchTyping } from "./typing.js";
import { loadDraft, loadDraftFiles, saveDraft, saveDraftFiles } from "./drafts.js";

const $ = (selector) => document.querySelector(selector);
const APP_NAME = "routerchat";
const NARROW = "(max-width: 760px)";   // the phone layout of app.css
const SIDEBAR_KEY = "routerchat.sidebar";
const maxChars = Number(document.body.dataset.messageMaxChars) || 100000;

const input = $("#message-input");
const sendButton = $("#send-button");
const stopButton = $("#stop-button");
const charCount = $("#char-count");
const view = new MessageView($("#messages"), $("#empty-state"), {
  regenerateAnswer: () => answerAgain({ regenerate: true }),
  edit: (bubble, text) => answerAgain({ edit: bubble.id, message: text }, bubble, text),
  switchTo: (messageId) => switchBranch(messageId),
  fork: (messageId) => forkAt(messageId),
}, $("#scroll-end-button"));

const files = new ComposerFiles({
  button: $("#attach-button"),
  input: $("#file-input"),
  tray: $("#attachment-tray"),
  dropZone: $("#composer"),
  pasteTarget: input,
  onError: (text) => view.notice(text),
  onChange: () => saveDraftFiles(files.uploaded()),
});

// The shown conversation (null for a new chat) and its options (system prompt, parameters).
const state = { conversationId: null, options: null, draftOf: null };   // draftOf: the chat whose draft is shown

const sidebar = new Sidebar({
  list: $("#conversation-list"),
  template: $("#conversation-item-template"),
  loadMore: $("#load-more-button"),
  empty: $("#sidebar-empty"),
  onOpen: (id) => openConversation(id),
  onDeleted: (id) => {   // true when it was the chat shown (Undo opens it again)
    if (id !== state.conversationId) return false;
    newChat();
    return true;
  },
  onTitle: (id, title) => { if (id === state.conversationId) setPageTitle(title); },
  onAnswering: (id) => answers.followUnseen(id),
  onShare: (id, title) => shareDialog.open(id, title),
  onFolderSettings: (folder) => folderDialog.open(folder),
  onChanged: (conversation) => { if (conversation.id === state.conversationId) showChatTools(conversation); },
});
const shareDialog = new ShareDialog({ dialog: $("#share-dialog") });
const folderDialog = new FolderDialog({ dialog: $("#folder-dialog"), onChanged: () => sidebar.load() });
const sharedLinks = new SharedLinks({ list: $("#shared-links"), empty: $("#shared-links-empty") });
$("#new-folder-button").addEventListener("click", () => folderDialog.open());
// Pin and Archive in the open chat's header (the row menu does the same).
function showChatTools(conversation) {
  $("#chat-tools").hidden = !conversation;
  if (!conversation) return;
  for (const [selector, on, label] of [["#pin-chat-button", conversation.pinned, ["Pin", "Unpin"]],
    ["#archive-chat-button", conversation.archived, ["Archive", "Restore"]]]) {
    $(selector).setAttribute("aria-pressed", String(Boolean(on)));
    $(selector).textContent = label[Number(Boolean(on))];
  }
}
for (const [selector, field] of [["#pin-chat-button", "pinned"], ["#archive-chat-button", "archived"]]) {
  $(selector).addEventListener("click", (event) => {
    const on = event.currentTarget.getAttribute("aria-pressed") === "true";
    if (state.conversationId) sidebar.change(state.conversationId, { [field]: !on });
  });
}
$("#archived-button").addEventListener("click", (event) => {
  const archived = event.currentTarget.getAttribute("aria-pressed") !== "true";
  event.currentTarget.setAttribute("aria-pressed", String(archived));
  event.currentTarget.textContent = archived ? "Back to chats" : "Archived";
  sidebar.showArchived(archived);
});

const answers = new Answers({
  view,
  sidebar,
  shownId: () => state.conversationId,
  onCreated: (id) => {
    saveDraft(null, "");   // what is typed now belongs to the chat just created
    state.conversationId = id;
    state.draftOf = id;
    keepDraft();
    sidebar.setActive(id);
    showChatTools({ id, pinned: false, archived: false });
    setUrl(id);
  },
  onAnsweringChanged: showAnswering,
  onEndedMeanwhile: (id) => openConversation(id, { pushUrl: false }),
});

new SearchBox({ input: $("#conversation-search"), sidebar });
installShortcuts({
  dialog: $("#shortcuts-dialog"), input, search: $("#conversation-search"), stopButton,
  newChatButton: $("#new-chat-button"), presetButton: (slot) => $(`[data-preset="${slot}"]`),
  sidebarToggle: $("#sidebar-toggle"), copyLastAnswer: () => view.lastAnswer()?.copy(),
});
$("#shortcuts-button").addEventListener("click", () => $("#shortcuts-dialog").showModal());
new UsageDialog({ button: $("#usage-button"), dialog: $("#usage-dialog"), onImported: () => sidebar.load(),
  onOpen: () => sharedLinks.load() });
new TitleSettingsDialog({
  button: $("#title-settings-button"), dialog: $("#title-settings-dialog"), conversationId: () => state.conversationId,
});

const presets = new Presets({
  bar: $("#preset-bar"),
  settingsButton: $("#settings-button"),
  dialog: $("#preset-dialog"),
  activeModel: $("#active-model"),
});

new ChatSettings({
  button: $("#chat-settings-button"),
  dialog: $("#chat-settings-dialog"),
  conversation: () => (state.conversationId ? { id: state.conversationId, ...state.options } : null),
  model: () => presets.currentModel(),
  catalog: () => presets.catalog(),
  onSaved: (conversation) => {
    if (conversation.id === state.conversationId) state.options = { system_prompt: conversation.system_prompt, params: conversation.params };
  },
});

const webSearch = $("#web-search-toggle");
webSearch.addEventListener("click", () => {
  webSearch.setAttribute("aria-pressed", String(webSearch.getAttribute("aria-pressed") !== "true"));
});

// What every message of the composer asks for besides its text: the model, and web search when on.
function answerOptions() {
  return { ...presets.choice(), ...(webSearch.getAttribute("aria-pressed") === "true" ? { web_search: true } : {}) };
}

// Only on a routerchat with accounts: end the session and go back to the login page.
$("#logout-button")?.addEventListener("click", async () => {
  await api.send("/logout", { method: "POST" });
  location.assign("/login");
});

function setPageTitle(title) {
  document.title = title ? `${title} · ${APP_NAME}` : APP_NAME;
  showConversationTitle(title);
}

function setUrl(id) {
  const url = id ? `/?c=${encodeURIComponent(id)}` : "/";
  if (location.pathname + location.search !== url) history.pushState({ id }, "", url);
}

// The composer reflects the shown conversation: Stop while its answer runs, Send otherwise.
function showAnswering() {
  const answering = answers.isAnswering(state.conversationId);
  stopButton.hidden = !answering;
  sendButton.disabled = answering;
  document.body.classList.toggle("is-streaming", answering);
}

function autosize() {
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 240)}px`;
  const length = input.value.length;
  charCount.hidden = length < maxChars * 0.8;
  charCount.textContent = `${length.toLocaleString()} / ${maxChars.toLocaleString()}`;
  charCount.classList.toggle("over", length > maxChars);
}

// Back to typing (not on touch screens, where focusing the input pops up the keyboard).
function focusInput() {
  if (!matchMedia("(pointer: coarse)").matches) input.focus();
}

function closeSidebarOnPhone() {
  document.body.classList.remove("sidebar-open");
  $("#sidebar-backdrop").hidden = true;
  if (matchMedia(NARROW).matches) $("#sidebar-toggle").setAttribute("aria-expanded", "false");
}

// ☰: on a phone the sidebar is a drawer over the chat; on a wider screen it folds away and
// stays folded (remembered in this browser) until ☰ or the shortcut brings it back.
function toggleSidebar() {
  const toggle = $("#sidebar-toggle");
  if (matchMedia(NARROW).matches) {
    const open = document.body.classList.toggle("sidebar-open");
    $("#sidebar-backdrop").hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    return;
  }
  const collapsed = document.body.classList.toggle("sidebar-collapsed");
  localStorage.setItem(SIDEBAR_KEY, collapsed ? "collapsed" : "shown");
  toggle.setAttribute("aria-expanded", String(!collapsed));
}

function newChat() {
  answers.detachBubbles();
  state.conversationId = null;
  state.draftOf = null;
  state.options = null;
  presets.dropOneOff();
  view.clear();
  sidebar.setActive(null);
  setPageTitle(null);
  showConversationCost(null);
  showChatTools(null);
  setUrl(null);
  showAnswering();
  showDraft();
  closeSidebarOnPhone();
  input.focus();
}

// The composer shows the shown chat's draft (each chat keeps its own).
function showDraft() {
  input.value = loadDraft(state.conversationId);
  autosize();
}

function keepDraft() {
  saveDraft(state.conversationId, input.value);
}

function showConversation(conversation) {
  answers.detachBubbles();
  state.conversationId = conversation.id;
  state.options = { system_prompt: conversation.system_prompt, params: conversation.params };
  presets.followChat(conversation.model);
  view.showAll(conversation.messages);
  sidebar.setActive(conversation.id);
  setPageTitle(conversation.title);
  showConversationCost(conversation.cost);
  showChatTools(conversation);
  if (state.draftOf !== conversation.id) showDraft();   // a reload of the same chat keeps the text
  state.draftOf = conversation.id;
  focusInput();
  const last = conversation.messages[conversation.messages.length - 1];
  if (last && last.status === "streaming") answers.reattach(conversation.id, view.bubbles[view.bubbles.length - 1]);
  showAnswering();
}

async function openConversation(id, { pushUrl = true } = {}) {
  closeSidebarOnPhone();
  try {
    const conversation = await api.send(`/conversation/${encodeURIComponent(id)}`);
    showConversation(conversation);
    if (pushUrl) setUrl(conversation.id);
  } catch (error) {
    answers.detachBubbles();
    view.clear();
    view.notice(error.status === 404 ? "This conversation no longer exists." : error.message);
    state.conversationId = null;
    state.options = null;
    setUrl(null);
    showAnswering();
  }
}

// Send the composer's text (and files) and stream the answer into a new assistant bubble.
async function sendMessage() {
  const text = input.value;
  if (!text.trim() || answers.isAnswering(state.conversationId)) return;
  if (text.length > maxChars) {
    view.notice(`This message is ${text.length.toLocaleString()} characters long; the limit is ${maxChars.toLocaleString()}.`);
    return;
  }
  if (files.uploading()) {
    view.notice("Wait until the files are uploaded, then send.");
    return;
  }
  const attached = files.take();
  const question = view.add({ role: "user", content: text, attachments: attached.map((item) => item.file) });
  input.value = "";
  autosize();
  keepDraft();
  const body = { message: text, conversation_id: state.conversationId, ...answerOptions() };
  if (attached.length) body.attachments = attached.map((item) => item.file.id);
  const isNew = !state.conversationId;
  if (isNew) showTitlePending(document.body.dataset.defaultTitle);
  const stored = await answers.start(body, question);
  // Refused before anything was stored: the text and files come back, unless another text was typed meanwhile.
  if (!stored) files.restore(attached);
  if (!stored && isNew && !state.conversationId) showConversationTitle(null);
  if (!stored && !input.value) {
    input.value = text;
    autosize();
    keepDraft();
  }
}

// Regenerate (or retry) the last answer, or send an edited question: a new version beside the
// old one; the shown branch is reloaded afterwards to show the version switcher.
async function answerAgain(change, editedBubble, text) {
  const id = state.conversationId;
  if (!id || answers.isAnswering(id)) return;
  let question = null;
  if (editedBubble) {
    view.removeFrom(editedBubble);
    question = view.add({ role: "user", content: text });
  } else {
    const last = view.bubbles[view.bubbles.length - 1];
    if (last && last.role === "assistant") view.removeFrom(last);
  }
  await answers.start({ conversation_id: id, ...answerOptions(), ...change }, question);
  if (state.conversationId === id) openConversation(id, { pushUrl: false });
}

// "Branch in new chat": a copy of the branch down to this message, opened at once.
async function forkAt(messageId) {
  try {
    const { conversation_id: id } = await api.send(`/conversation/${encodeURIComponent(state.conversationId)}/fork`,
      { method: "POST", body: { message_id: messageId } });
    await sidebar.load();
    await openConversation(id);
  } catch (error) {
    view.notice(`Could not branch into a new chat: ${error.message}`);
  }
}

async function switchBranch(messageId) {
  const id = state.conversationId;
  if (!id) return;
  try {
    showConversation(await api.send(`/conversation/${encodeURIComponent(id)}/branch`,
      { method: "POST", body: { message_id: messageId } }));
  } catch (error) {
    view.notice(error.message);
  }
}

function toggleTheme() {
  const root = document.documentElement;
  const dark = root.dataset.theme ? root.dataset.theme === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
  root.dataset.theme = dark ? "light" : "dark";
  localStorage.setItem("routerchat.theme", root.dataset.theme);
  applyCodeTheme();
}

function applyCodeTheme() {
  const theme = document.documentElement.dataset.theme;
  if (!theme) return;
  $("#hljs-light").media = theme === "light" ? "all" : "not all";
  $("#hljs-dark").media = theme === "dark" ? "all" : "not all";
}

function wireEvents() {
  $("#composer").addEventListener("submit", (event) => {
    event.preventDefault();
    sendMessage();
  });
  input.addEventListener("keydown", (event) => {
    if (enterSends(event)) {
      event.preventDefault();
      sendMessage();
    }
  });
  input.addEventListener("input", () => {
    autosize();
    keepDraft();
  });
  window.addEventListener("pagehide", keepDraft);
  stopButton.addEventListener("click", () => answers.stop(state.conversationId));
  $("#new-chat-button").addEventListener("click", newChat);
  $("#theme-toggle").addEventListener("click", toggleTheme);
  $("#sidebar-toggle").addEventListener("click", toggleSidebar);
  $("#sidebar-backdrop").addEventListener("click", closeSidebarOnPhone);
  window.addEventListener("popstate", () => {
    const id = new URLSearchParams(location.search).get("c");
    if (id) openConversation(id, { pushUrl: false });
    else newChat();
  });
}

async function start() {
  applyCodeTheme();
  const folded = localStorage.getItem(SIDEBAR_KEY) === "collapsed";
  document.body.classList.toggle("sidebar-collapsed", folded);
  $("#sidebar-toggle").setAttribute("aria-expanded", String(!folded && !matchMedia(NARROW).matches));
  if (touchTyping()) {   // Enter adds a line here; Send sends
    input.placeholder = "Message…";
    $("#empty-hint").textContent = "Pick a model above, type below, tap Send. Enter starts a new line.";
  }
  wireEvents();
  const id = new URLSearchParams(location.search).get("c");
  if (!id) showDraft();
  const loads = [presets.load(), sidebar.load(), files.keep(loadDraftFiles())];
  if (id) loads.push(openConversation(id, { pushUrl: false }));
  const results = await Promise.allSettled(loads);
  for (const result of results) {
    if (result.status === "rejected") view.notice(result.reason.message || String(result.reason));
  }
  document.body.dataset.ready = "true";
  input.focus();
}

start();
