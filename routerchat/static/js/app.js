// routerchat's page: wires the sidebar, presets, message list, answers and composer together.
import * as api from "./api.js";
import { Answers } from "./answers.js";
import { MessageView } from "./messages.js";
import { showConversationCost, showConversationTitle } from "./heading.js";
import { Presets } from "./presets.js";
import { SearchBox } from "./search.js";
import { installShortcuts } from "./shortcuts.js";
import { UsageDialog } from "./usage.js";
import { Sidebar } from "./sidebar.js";

const $ = (selector) => document.querySelector(selector);
const APP_NAME = "routerchat";
const maxChars = Number(document.body.dataset.messageMaxChars) || 100000;

const input = $("#message-input");
const sendButton = $("#send-button");
const stopButton = $("#stop-button");
const charCount = $("#char-count");
const view = new MessageView($("#messages"), $("#empty-state"), {
  regenerateAnswer: () => answerAgain({ regenerate: true }),
  edit: (bubble, text) => answerAgain({ edit: bubble.id, message: text }, bubble, text),
  switchTo: (messageId) => switchBranch(messageId),
});

const state = { conversationId: null };   // the shown conversation, null for a new chat

const sidebar = new Sidebar({
  list: $("#conversation-list"),
  template: $("#conversation-item-template"),
  loadMore: $("#load-more-button"),
  empty: $("#sidebar-empty"),
  onOpen: (id) => openConversation(id),
  onDeleted: (id) => { if (id === state.conversationId) newChat(); },
  onTitle: (id, title) => { if (id === state.conversationId) setPageTitle(title); },
  onAnswering: (id) => answers.followUnseen(id),
});

const answers = new Answers({
  view,
  sidebar,
  shownId: () => state.conversationId,
  onCreated: (id) => {
    state.conversationId = id;
    sidebar.setActive(id);
    setUrl(id);
  },
  onAnsweringChanged: showAnswering,
  onEndedMeanwhile: (id) => openConversation(id, { pushUrl: false }),
});

new SearchBox({ input: $("#conversation-search"), sidebar });
installShortcuts({
  dialog: $("#shortcuts-dialog"), input, search: $("#conversation-search"), stopButton,
  newChatButton: $("#new-chat-button"), presetButton: (slot) => $(`[data-preset="${slot}"]`),
});
$("#shortcuts-button").addEventListener("click", () => $("#shortcuts-dialog").showModal());
new UsageDialog({ button: $("#usage-button"), dialog: $("#usage-dialog"), onImported: () => sidebar.load() });

const presets = new Presets({
  bar: $("#preset-bar"),
  settingsButton: $("#settings-button"),
  dialog: $("#preset-dialog"),
  activeModel: $("#active-model"),
});

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
  $("#sidebar-toggle").setAttribute("aria-expanded", "false");
}

function newChat() {
  answers.detachBubbles();
  state.conversationId = null;
  view.clear();
  sidebar.setActive(null);
  setPageTitle(null);
  showConversationCost(null);
  setUrl(null);
  showAnswering();
  closeSidebarOnPhone();
  input.focus();
}

function showConversation(conversation) {
  answers.detachBubbles();
  state.conversationId = conversation.id;
  view.showAll(conversation.messages);
  sidebar.setActive(conversation.id);
  setPageTitle(conversation.title);
  showConversationCost(conversation.cost);
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
    setUrl(null);
    showAnswering();
  }
}

// Send the composer's text and stream the answer into a new assistant bubble.
async function sendMessage() {
  const text = input.value;
  if (!text.trim() || answers.isAnswering(state.conversationId)) return;
  if (text.length > maxChars) {
    view.notice(`This message is ${text.length.toLocaleString()} characters long; the limit is ${maxChars.toLocaleString()}.`);
    return;
  }
  const question = view.add({ role: "user", content: text });
  input.value = "";
  autosize();
  const stored = await answers.start({ message: text, conversation_id: state.conversationId, preset: presets.active }, question);
  // Refused before anything was stored: the text comes back, unless another one was typed meanwhile.
  if (!stored && !input.value) {
    input.value = text;
    autosize();
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
  await answers.start({ conversation_id: id, preset: presets.active, ...change }, question);
  if (state.conversationId === id) openConversation(id, { pushUrl: false });
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
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendMessage();
    }
  });
  input.addEventListener("input", autosize);
  stopButton.addEventListener("click", () => answers.stop(state.conversationId));
  $("#new-chat-button").addEventListener("click", newChat);
  $("#theme-toggle").addEventListener("click", toggleTheme);
  $("#sidebar-toggle").addEventListener("click", () => {
    const open = document.body.classList.toggle("sidebar-open");
    $("#sidebar-backdrop").hidden = !open;
    $("#sidebar-toggle").setAttribute("aria-expanded", String(open));
  });
  $("#sidebar-backdrop").addEventListener("click", closeSidebarOnPhone);
  window.addEventListener("popstate", () => {
    const id = new URLSearchParams(location.search).get("c");
    if (id) openConversation(id, { pushUrl: false });
    else newChat();
  });
}

async function start() {
  applyCodeTheme();
  wireEvents();
  const id = new URLSearchParams(location.search).get("c");
  const loads = [presets.load(), sidebar.load()];
  if (id) loads.push(openConversation(id, { pushUrl: false }));
  const results = await Promise.allSettled(loads);
  for (const result of results) {
    if (result.status === "rejected") view.notice(result.reason.message || String(result.reason));
  }
  if (state.conversationId) sidebar.setActive(state.conversationId);
  document.body.dataset.ready = "true";
  input.focus();
}

start();
