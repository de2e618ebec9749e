// Talking to the routerchat server: JSON requests with readable errors, and the SSE chat stream.

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

async function errorFromResponse(response) {
  let message = `The server answered with status ${response.status}.`;
  let reason = null;
  try {
    const data = await response.json();
    if (data && typeof data.error === "string") message = data.error;
    if (data && typeof data.reason === "string") reason = data.reason;
  } catch (_) { /* not JSON: keep the generic message */ }
  const error = new ApiError(message, response.status);
  error.reason = reason;
  return error;
}

function loginUrl(reason) {
  const next = `next=${encodeURIComponent(location.pathname + location.search)}`;
  return reason === "session_cookies" ? `/login?notice=cookies&${next}` : `/login?${next}`;
}

// fetch() with a JSON body, turning "no answer" and 4xx/5xx into ApiError with readable text.
async function request(url, { method = "GET", body, signal, keepalive = false } = {}) {
  const options = { method, signal, keepalive, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, options);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError("Could not reach the routerchat server. Check that it is running.", 0);
  }
  if (!response.ok) {
    const error = await errorFromResponse(response);
    // The session ended (logged out elsewhere, password changed): log in again. When the browser
    // sent two session cookies (one planted by another site), the login page says so.
    // The login page brings the person back to the open chat (its draft is kept in drafts.js).
    if (response.status === 401 && url !== "/login") location.assign(loginUrl(error.reason));
    throw error;
  }
  return response;
}

export async function send(url, options) {
  const response = await request(url, options);
  return response.status === 204 ? null : response.json();
}

// POST /chat and yield its events ({type: "conversation" | "chunk" | "done" | "error", ...}).
export async function* chatEvents(body, signal) {
  const response = await request("/chat", { method: "POST", body, signal });
  yield* parseEventStream(response.body, signal);
}

async function* parseEventStream(body, signal) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).replace(/^ /, ""))
          .join("\n");
        if (data) yield JSON.parse(data);   // comment lines (": ping") carry no data
      }
    }
  } finally {
    reader.cancel().catch(() => {});   // left early (aborted, or the answer ended): let go of it
  }
}

// GET /conversation/<id>/stream: the running answer's events (everything so far first), or
// nothing at all when no answer is running (204).
export async function* answerEvents(conversationId, signal) {
  const response = await request(`/conversation/${encodeURIComponent(conversationId)}/stream`, { signal });
  if (response.status === 204) return;
  yield* parseEventStream(response.body, signal);
}
