// The open conversation's row above the messages: its title (full text on hover), what it cost so
// far (answers plus its title request; hidden while unknown) and its Pin and Archive buttons. A new
// chat has no row until its first question is sent; from then on the row keeps its height, so
// nothing below it moves when the tools, the title or the cost arrive.
import { formatCost } from "./format.js";

const header = document.querySelector("#chat-header");
const heading = document.querySelector("#conversation-heading");
const costLine = document.querySelector("#conversation-cost");
let shownCost = null;

export function showConversationTitle(title) {
  heading.textContent = title || "";   // text, never HTML
  heading.title = title || "";
  heading.classList.remove("pending");
  header.hidden = !title;
}

// A new chat's first question is on its way: the row appears with the default title, shown as
// waiting, until the conversation's own title replaces it.
export function showTitlePending(defaultTitle) {
  showConversationTitle(defaultTitle);
  heading.classList.add("pending");
}

export function showConversationCost(cost) {
  shownCost = cost ?? null;
  costLine.replaceChildren();
  if (shownCost !== null) {   // text, never HTML; the label is left out on a phone
    costLine.append(Object.assign(document.createElement("span"), { className: "cost-label", textContent: "Cost: " }),
      formatCost(shownCost));
  }
  costLine.title = "What this conversation's answers and title cost, as OpenRouter reported it";
  costLine.hidden = shownCost === null;
}

export function addConversationCost(cost) {
  if (cost !== null && cost !== undefined) showConversationCost((shownCost || 0) + cost);
}
