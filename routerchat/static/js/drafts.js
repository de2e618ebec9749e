// What was typed and not sent, kept per chat in this browser (localStorage): switching chats,
// a reload, or a session that ended and a login in between bring it back. The files uploaded for
// it (the composer's chips, which stay while switching chats) are kept too.
// On a routerchat with accounts, each account has its own (a browser may be shared): another
// account logging in sees none of them, and they are back when their own account logs in again.
const account = document.body.dataset.account;
const scope = account ? `${encodeURIComponent(account)}/` : "";   // "" without accounts
const PREFIX = `routerchat.draft.${scope}`;
const FILES_KEY = `routerchat.draftFiles.${scope}`;

const keyOf = (conversationId) => PREFIX + (conversationId || "new");

export function loadDraft(conversationId) {
  try {
    return localStorage.getItem(keyOf(conversationId)) || "";
  } catch (_) {
    return "";   // storage refused (private mode, quota): drafts are a convenience
  }
}

export function saveDraft(conversationId, text) {
  try {
    if (text.trim()) localStorage.setItem(keyOf(conversationId), text);
    else localStorage.removeItem(keyOf(conversationId));
  } catch (_) { /* as above */ }
}

// The summaries ({ id, name, type, size }) of the files in the composer.
export function loadDraftFiles() {
  try {
    const files = JSON.parse(localStorage.getItem(FILES_KEY) || "[]");
    return Array.isArray(files) ? files : [];
  } catch (_) {
    return [];
  }
}

export function saveDraftFiles(files) {
  try {
    if (files.length) localStorage.setItem(FILES_KEY, JSON.stringify(files));
    else localStorage.removeItem(FILES_KEY);
  } catch (_) { /* as above */ }
}
