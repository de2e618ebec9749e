// The shared page: a read-only copy of a chat. The server wrote each message's text as plain
// text; answers become Markdown here through the app's own sanitizing renderer (markdown.js),
// so a shared answer can run no script and load nothing, exactly as in the app.
import { renderMarkdown } from "./markdown.js";

for (const body of document.querySelectorAll('.message[data-role="assistant"] .message-body')) {
  renderMarkdown(body, body.textContent);
}
