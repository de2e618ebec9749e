// How Enter behaves: with a hardware keyboard it sends (Shift+Enter adds a line); on a touch
// screen without a fine pointer (a phone's on-screen keyboard, which has no Shift+Enter) it adds
// a line and the Send button sends.
export function touchTyping() {
  return matchMedia("(pointer: coarse)").matches && !matchMedia("(any-pointer: fine)").matches;
}

export function enterSends(event) {
  return event.key === "Enter" && !event.shiftKey && !event.isComposing && !touchTyping();
}
