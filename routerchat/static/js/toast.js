// "Deleted … Undo": a change that waits about five seconds before it is made, so a slip of the
// finger can be taken back. The change is made when the toast ends, when another toast takes its
// place, or at once when the page is left (a request with keepalive outlives the page).
const SECONDS = 5;
let current = null;   // { element, timer, commit }

function dismiss() {
  const shown = current;
  current = null;
  clearTimeout(shown.timer);
  shown.element.remove();
  return shown;
}

// Make the waiting change now (keepalive: the page is going away).
export function commitPending({ keepalive = false } = {}) {
  if (current) dismiss().commit({ keepalive });
}

window.addEventListener("pagehide", () => commitPending({ keepalive: true }));

export function showUndoToast(text, { onUndo, onCommit }) {
  commitPending();
  const element = document.createElement("div");
  element.className = "toast";
  element.setAttribute("role", "status");
  const message = document.createElement("span");
  message.className = "toast-text";
  message.textContent = text;
  const undo = document.createElement("button");
  undo.type = "button";
  undo.className = "button toast-undo";
  undo.textContent = "Undo";
  undo.addEventListener("click", () => {
    if (current?.element === element) dismiss();
    onUndo();
  });
  element.append(message, undo);
  document.body.append(element);
  current = { element, commit: onCommit, timer: setTimeout(() => commitPending(), SECONDS * 1000) };
}
