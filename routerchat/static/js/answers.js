// Answers run on the server; the page follows them. `followers` holds one per conversation with an
// answer under way (this tab's, or one it re-attached to), shown or not: leaving a conversation only
// detaches its bubble, the answer goes on unseen and the sidebar marks the conversation as answering.
import * as api from "./api.js";
import { addConversationCost } from "./heading.js";

export class Answers {
  // What the answers need from the page around them:
  //   shownId()              the shown conversation's id, null for a new chat
  //   onCreated(id)          the shown new chat's first question created its conversation
  //   onAnsweringChanged()   an answer started or ended (the composer shows Stop or Send)
  //   onEndedMeanwhile(id)   the answer to re-attach to had ended: show what was stored
  constructor({ view, sidebar, shownId, onCreated, onAnsweringChanged, onEndedMeanwhile }) {
    Object.assign(this, { view, sidebar, shownId, onCreated, onAnsweringChanged, onEndedMeanwhile });
    this.followers = new Map();   // conversation id -> { conversationId, controller, bubble }
  }

  isAnswering(conversationId) {
    return this.followers.has(conversationId);
  }

  // Bubbles belong to the shown conversation only; answers elsewhere keep running unseen.
  detachBubbles() {
    for (const follower of this.followers.values()) follower.bubble = null;
  }

  // An answer running in a conversation that is not shown (another tab's, or from before a
  // reload): follow it unseen, so the sidebar shows it answering until it ends.
  followUnseen(conversationId) {
    if (!this.followers.has(conversationId)) this.reattach(conversationId, null);
  }

  // Stop is the only way to end an answer early: the server closes the upstream and stores it.
  async stop(conversationId) {
    if (!this.followers.has(conversationId)) return;
    try {
      await api.send(`/conversation/${encodeURIComponent(conversationId)}/stop`, { method: "POST" });
    } catch (error) {
      this.view.notice(error.message);
    }
  }

  // Re-attach to an answer that runs on the server: the first chunk repeats everything so far.
  async reattach(conversationId, bubble) {
    this.followers.get(conversationId)?.controller.abort();
    const follower = { conversationId, controller: new AbortController(), bubble };
    if (bubble) bubble.restartFollowing();
    try {
      const outcome = await this.follow(follower, api.answerEvents(conversationId, follower.controller.signal));
      if (outcome === null && follower.bubble && !follower.controller.signal.aborted) {
        this.onEndedMeanwhile(conversationId);
      }
    } catch (error) {
      if (follower.bubble) this.view.notice(error.message);
    }
  }

  // POST /chat and follow the answer it starts; `question` is the bubble asking (new or edited).
  // Resolves to false when /chat refused before storing anything (the caller gives the text back).
  async start(body, question) {
    const answer = this.view.add({ role: "assistant", status: "streaming" });
    const follower = { conversationId: body.conversation_id || null, controller: new AbortController(), bubble: answer };
    let stored = false;
    // The first event says where /chat stored the question and the answer (a new chat's
    // conversation only exists from then on).
    const onStored = (event) => {
      stored = true;
      if (question) question.setId(event.user_message_id);
      answer.setId(event.message_id);
      answer.setModel(event.model);
      if (follower.conversationId) return;
      follower.conversationId = event.conversation_id;
      this.sidebar.addNew(follower.conversationId);
      if (this.shownId() === null && follower.bubble) this.onCreated(follower.conversationId);
      this.track(follower);
    };
    async function* events() {
      for await (const event of api.chatEvents(body, follower.controller.signal)) {
        if (event.type === "conversation") onStored(event);
        else yield event;
      }
    }
    try {
      const outcome = await this.follow(follower, events());
      if (!outcome && follower.bubble) {
        answer.finish({ status: "error", error: "The connection to the server ended before the answer was complete." });
      }
    } catch (error) {
      if (!stored) {
        // Refused before anything was stored: say why.
        this.view.removeFrom(question || answer);
        this.view.notice(error.message);
        return false;
      }
      if (follower.bubble) answer.finish({ status: "error", error: "Lost the connection to the routerchat server while the answer was streaming." });
    }
    if (follower.conversationId) this.sidebar.moveToTop(follower.conversationId);
    return true;
  }

  track(follower) {
    const id = follower.conversationId;
    if (!id) return;   // a new chat's answer is tracked once /chat says where it is stored
    this.followers.set(id, follower);
    this.sidebar.setAnswering(id, true);
    this.onAnsweringChanged();
  }

  untrack(follower) {
    const id = follower.conversationId;
    // A re-attach replaces the follower: the conversation still answers.
    if (id && this.followers.get(id) === follower) {
      this.followers.delete(id);
      this.sidebar.setAnswering(id, false);
    }
    this.onAnsweringChanged();
  }

  // Follow an answer's events into whichever bubble is attached (none while another conversation
  // is shown). Returns "done", "error", "stopped", or null when the following was given up.
  async follow(follower, events) {
    this.track(follower);
    let outcome = null;
    try {
      for await (const event of events) {
        const bubble = follower.bubble;
        if (event.type === "chunk" && bubble) {
          bubble.append(event.content);   // the view keeps the end in sight if the reader is there
        } else if (event.type === "reasoning" && bubble) {
          bubble.appendReasoning(event.content);
        } else if (event.type === "done") {
          outcome = "done";
          bubble?.finish({ status: "complete", model: event.model, usage: event.usage, citations: event.citations });
          if (follower.conversationId === this.shownId()) addConversationCost(event.usage?.cost);
        } else if (event.type === "error") {
          outcome = event.stopped ? "stopped" : "error";
          bubble?.finish(event.stopped ? { status: "stopped" } : { status: "error", error: event.error });
        }
        // The answer has ended: the composer is free at once, not when the server closes the stream.
        if (outcome) break;
      }
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    } finally {
      this.untrack(follower);
    }
    // The server titles a conversation after its first answer; join that (also for an answer
    // that ended while this tab looked elsewhere).
    const id = follower.conversationId;
    if (outcome && this.sidebar.hasDefaultTitle(id)) this.sidebar.requestTitle(id);
    // A later answer retries a fallback title on the server: show the new title when it lands.
    else if (outcome === "done" && this.sidebar.hasFallbackTitle(id)) this.sidebar.requestTitle(id, { untilGenerated: true });
    return outcome;
  }
}
