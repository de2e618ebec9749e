// The open conversation's title above the messages (full text on hover; hidden for a new chat).
const heading = document.querySelector("#conversation-heading");

export function showConversationTitle(title) {
  heading.textContent = title || "";   // text, never HTML
  heading.title = title || "";
  heading.hidden = !title;
}
