// The open conversation's title above the messages (full text on hover; hidden for a new chat),
// and what it cost so far (answers plus its title request; hidden while unknown).
import { formatCost } from "./format.js";

const heading = document.querySelector("#conversation-heading");
const costLine = document.querySelector("#conversation-cost");
let shownCost = null;

export function showConversationTitle(title) {
  heading.textContent = title || "";   // text, never HTML
  heading.title = title || "";
  heading.hidden = !title;
}

export function showConversationCost(cost) {
  shownCost = cost ?? null;
  costLine.textContent = shownCost === null ? "" : `Cost: ${formatCost(shownCost)}`;
  costLine.title = "What this conversation's answers and title cost, as OpenRouter reported it";
  costLine.hidden = shownCost === null;
}

export function addConversationCost(cost) {
  if (cost !== null && cost !== undefined) showConversationCost((shownCost || 0) + cost);
}
