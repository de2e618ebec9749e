// routerchat's page: wires the sidebar, presets, message list and composer together.
import * as api from "./api.js";
import { MessageView } from "./messages.js";
import { showConversationTitle } from "./heading.js";
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
const view = new MessageView($("#messages"), $("#empty-state"));

const state = { conversationId: null, streaming: null };

const sidebar = new Sidebar({
  list: $("#conversation-list"),
  template: $("#conversation-item-template"),
  loadMore: $("#load-more-button"),
  empty: $("#sidebar-empty"),
  onOpen: (id) => openConversation(id),
  onDeleted: (id) => { if (id === state.conversationId) newChat(); },
  onTitle: (id, title) => { if (id === state.conversationId) setPageTitle(title); },
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

function setStreaming(streaming) {
  stopButton.hidden = !streaming;
  sendButton.disabled = streaming;
  document.body.classList.toggle("is-streaming", streaming);
}

function autosize() {
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 240)}px`;
  const length = input.value.length;
  charCount.hidden = length < maxChars * 0.8;
  charCount.textContent = `${length.toLocaleString()} / ${maxChars.toLocaleString()}`;
  charCount.classList.toggle("over", length > maxChars);
}

function closeSidebarOnPhone() {
  document.body.classList.remove("sidebar-open");
  $("#sidebar-backdrop").hidden = true;
  $("#sidebar-toggle").setAttribute("aria-expanded", "false");
}

function stopStreaming() {
  if (state.streaming) state.streaming.controller.abort();
}

function newChat() {
  stopStreaming();
  state.conversationId = null;
  view.clear();
  sidebar.setActive(null);
  setPageTitle(null);
  setUrl(null);
  closeSidebarOnPhone();
  input.focus();
}

async function openConversation(id, { pushUrl = true } = {}) {
  stopStreaming();
  closeSidebarOnPhone();
  try {
    const conversation = await api.send(`/conversation/${encodeURIComponent(id)}`);
    state.conversationId = conversation.id;
    view.showAll(conversation.messages);
    sidebar.setActive(conversation.id);
    setPageTitle(conversation.title);
    if (pushUrl) setUrl(conversation.id);
  } catch (error) {
    view.clear();
    view.notice(error.status === 404 ? "This conversation no longer exists." : error.message);
    state.conversationId = null;
    setUrl(null);
  }
}

// Send the composer's text and stream the answer into a new assistant bubble.
async function sendMessage() {
  const text = input.value;
  if (!text.trim() || state.streaming) return;
  if (text.length > maxChars) {
    view.notice(`This message is ${text.length.toLocaleString()} characters long; the limit is ${maxChars.toLocaleString()}.`);
    return;
  }
  const controller = new AbortController();
  state.streaming = { controller };
  setStreaming(true);
  const question = view.add({ role: "user", content: text });
  const answer = view.add({ role: "assistant", status: "streaming" });
  input.value = "";
  autosize();

  let conversationId = state.conversationId;
  let started = false;
  let outcome = null;
  try {
    const body = { message: text, conversation_id: conversationId, preset: presets.active };
    for await (const event of api.chatEvents(body, controller.signal)) {
      if (event.type === "conversation") {
        started = true;
        if (!conversationId) {
          conversationId = event.conversation_id;
          sidebar.addNew(conversationId);
          sidebar.setActive(conversationId);
          setUrl(conversationId);
        }
        state.conversationId = conversationId;
      } else if (event.type === "chunk") {
        const follow = view.isNearBottom();
        answer.append(event.content);
        if (follow) view.scrollToBottom();
      } else if (event.type === "done") {
        outcome = "done";
        answer.finish({ status: "complete", model: event.model });
      } else if (event.type === "error") {
        outcome = "error";
        answer.finish({ status: "error", error: event.error });
      }
    }
    if (!outcome) {
      outcome = "error";
      answer.finish({ status: "error", error: "The connection to the server ended before the answer was complete." });
    }
  } catch (error) {
    if (error.name === "AbortError") {
      outcome = "stopped";
      answer.finish({ status: "stopped" });
    } else if (!started) {
      // Refused before anything was stored: say why and give the text back.
      question.element.remove();
      answer.element.remove();
      view.notice(error.message);
      if (!input.value) input.value = text;
      autosize();
    } else {
      outcome = "error";
      answer.finish({ status: "error", error: "Lost the connection to the routerchat server while the answer was streaming." });
    }
  } finally {
    state.streaming = null;
    setStreaming(false);
  }
  if (!conversationId || !outcome) return;
  sidebar.moveToTop(conversationId);
  if (view.count() === 2 && conversationId === state.conversationId) {
    // First exchange: the server started a title; join it (a stopped answer is stored a moment later).
    if (outcome === "stopped") setTimeout(() => sidebar.name(conversationId), 800);
    else sidebar.name(conversationId);
  }
  // A later answer retries a fallback title on the server: show the new title when it lands.
  else if (outcome === "done" && sidebar.hasFallbackTitle(conversationId)) sidebar.name(conversationId, { untilGenerated: true });
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
  stopButton.addEventListener("click", stopStreaming);
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
