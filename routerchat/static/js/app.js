// routerchat's page: wires the sidebar, presets, message list and composer together.
import * as api from "./api.js";
import { MessageView } from "./messages.js";
import { addConversationCost, showConversationCost, showConversationTitle } from "./heading.js";
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
  regenerate: () => answerAgain({ regenerate: true }),
  edit: (bubble, text) => answerAgain({ edit: bubble.id, message: text }, bubble, text),
  switchTo: (messageId) => switchBranch(messageId),
});

// Answers run on the server; the page follows them. `followers` holds one per conversation
// with an answer under way (this tab's, or one it re-attached to), shown or not: leaving a
// conversation only detaches its bubble, and the sidebar marks it as answering.
const state = { conversationId: null };
const followers = new Map();   // conversation id -> { controller, bubble }

const sidebar = new Sidebar({
  list: $("#conversation-list"),
  template: $("#conversation-item-template"),
  loadMore: $("#load-more-button"),
  empty: $("#sidebar-empty"),
  onOpen: (id) => openConversation(id),
  onDeleted: (id) => { if (id === state.conversationId) newChat(); },
  onTitle: (id, title) => { if (id === state.conversationId) setPageTitle(title); },
  // Answers running in other conversations (another tab, or before a reload): follow them unseen,
  // so the sidebar shows them answering until they end.
  onAnswering: (id) => { if (!followers.has(id)) reattach(id, null); },
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
  const answering = state.conversationId !== null && followers.has(state.conversationId);
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

// Stop is the only way to end an answer early: the server closes the upstream and stores it.
async function stopAnswer() {
  const id = state.conversationId;
  if (!id || !followers.has(id)) return;
  try {
    await api.send(`/conversation/${encodeURIComponent(id)}/stop`, { method: "POST" });
  } catch (error) {
    view.notice(error.message);
  }
}

// Bubbles belong to the shown conversation only; answers elsewhere keep running unseen.
function detachBubbles() {
  for (const follower of followers.values()) follower.bubble = null;
}

function newChat() {
  detachBubbles();
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
  detachBubbles();
  state.conversationId = conversation.id;
  view.showAll(conversation.messages);
  sidebar.setActive(conversation.id);
  setPageTitle(conversation.title);
  showConversationCost(conversation.cost);
  focusInput();
  const last = conversation.messages[conversation.messages.length - 1];
  if (last && last.status === "streaming") reattach(conversation.id, view.bubbles[view.bubbles.length - 1]);
  showAnswering();
}

async function openConversation(id, { pushUrl = true } = {}) {
  closeSidebarOnPhone();
  try {
    const conversation = await api.send(`/conversation/${encodeURIComponent(id)}`);
    showConversation(conversation);
    if (pushUrl) setUrl(conversation.id);
  } catch (error) {
    detachBubbles();
    view.clear();
    view.notice(error.status === 404 ? "This conversation no longer exists." : error.message);
    state.conversationId = null;
    setUrl(null);
    showAnswering();
  }
}

function track(follower) {
  const id = follower.conversationId;
  if (!id) return;
  followers.set(id, follower);
  sidebar.setAnswering(id, true);
  showAnswering();
}

function untrack(follower) {
  const id = follower.conversationId;
  if (id && followers.get(id) === follower) {
    followers.delete(id);
    sidebar.setAnswering(id, false);
  }
  showAnswering();
}

// Follow an answer's events into whichever bubble is attached (none while another conversation
// is shown). Returns "done", "error", "stopped", or null when the following was given up.
async function follow(follower, events) {
  track(follower);
  let outcome = null;
  try {
    for await (const event of events) {
      const bubble = follower.bubble;
      if (event.type === "chunk" && bubble) {
        const near = view.isNearBottom();
        bubble.append(event.content);
        if (near) view.scrollToBottom();
      } else if (event.type === "done") {
        outcome = "done";
        if (bubble) bubble.finish({ status: "complete", model: event.model, usage: event.usage });
        if (follower.conversationId === state.conversationId) addConversationCost(event.usage?.cost);
      } else if (event.type === "error") {
        outcome = event.stopped ? "stopped" : "error";
        if (bubble) bubble.finish(event.stopped ? { status: "stopped" } : { status: "error", error: event.error });
      }
    }
  } catch (error) {
    if (error.name !== "AbortError") throw error;
  } finally {
    untrack(follower);
  }
  // The server titles a conversation after its first answer; join that (also for an answer
  // that ended while this tab looked elsewhere).
  const id = follower.conversationId;
  if (outcome && sidebar.hasDefaultTitle(id)) sidebar.name(id);
  // A later answer retries a fallback title on the server: show the new title when it lands.
  else if (outcome === "done" && sidebar.hasFallbackTitle(id)) sidebar.name(id, { untilGenerated: true });
  return outcome;
}

// Re-attach to an answer that runs on the server: the first chunk repeats everything so far.
async function reattach(conversationId, bubble) {
  const previous = followers.get(conversationId);
  if (previous) previous.controller.abort();
  const follower = { conversationId, controller: new AbortController(), bubble };
  if (bubble) bubble.content = "";
  try {
    const outcome = await follow(follower, api.answerEvents(conversationId, follower.controller.signal));
    if (outcome === null && follower.bubble && !follower.controller.signal.aborted) {
      openConversation(conversationId, { pushUrl: false });   // it ended meanwhile: show what was stored
    }
  } catch (error) {
    if (follower.bubble) view.notice(error.message);
  }
}

// POST /chat and follow the answer it starts; `question` is the bubble asking (new or edited).
async function startAnswer(body, question, text) {
  const answer = view.add({ role: "assistant", status: "streaming" });
  const follower = { conversationId: body.conversation_id || null, controller: new AbortController(), bubble: answer };
  let started = false;
  async function* events() {
    for await (const event of api.chatEvents(body, follower.controller.signal)) {
      if (event.type !== "conversation") {
        yield event;
        continue;
      }
      started = true;
      if (question) question.setId(event.user_message_id);
      answer.setId(event.message_id);
      if (!follower.conversationId) {
        follower.conversationId = event.conversation_id;
        sidebar.addNew(follower.conversationId);
        if (state.conversationId === null && follower.bubble) {
          state.conversationId = follower.conversationId;
          sidebar.setActive(follower.conversationId);
          setUrl(follower.conversationId);
        }
        track(follower);
      }
    }
  }
  let outcome = null;
  try {
    outcome = await follow(follower, events());
    if (!outcome && follower.bubble) {
      outcome = "error";
      answer.finish({ status: "error", error: "The connection to the server ended before the answer was complete." });
    }
  } catch (error) {
    if (!started) {
      // Refused before anything was stored: say why and give the text back.
      view.removeFrom(question || answer);
      view.notice(error.message);
      if (text !== undefined && !input.value) input.value = text;
      autosize();
      return null;
    }
    outcome = "error";
    if (follower.bubble) answer.finish({ status: "error", error: "Lost the connection to the routerchat server while the answer was streaming." });
  }
  if (follower.conversationId) sidebar.moveToTop(follower.conversationId);
  return outcome;
}

// Send the composer's text and stream the answer into a new assistant bubble.
async function sendMessage() {
  const text = input.value;
  if (!text.trim() || (state.conversationId && followers.has(state.conversationId))) return;
  if (text.length > maxChars) {
    view.notice(`This message is ${text.length.toLocaleString()} characters long; the limit is ${maxChars.toLocaleString()}.`);
    return;
  }
  const question = view.add({ role: "user", content: text });
  input.value = "";
  autosize();
  await startAnswer({ message: text, conversation_id: state.conversationId, preset: presets.active }, question, text);
}

// Regenerate (or retry) the last answer, or send an edited question: a new version beside the
// old one; the shown branch is reloaded afterwards to show the version switcher.
async function answerAgain(change, editedBubble, text) {
  const id = state.conversationId;
  if (!id || followers.has(id)) return;
  let question = null;
  if (editedBubble) {
    view.removeFrom(editedBubble);
    question = view.add({ role: "user", content: text });
  } else {
    const last = view.bubbles[view.bubbles.length - 1];
    if (last && last.role === "assistant") view.removeFrom(last);
  }
  await startAnswer({ conversation_id: id, preset: presets.active, ...change }, question);
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
  stopButton.addEventListener("click", stopAnswer);
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
