// The sidebar's search box: results as you type, Escape clears, hits highlighted as text (never HTML).

const DIACRITICS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;

// The same folding as the server's search (routerchat/search/text.py): no case, no accents.
function fold(text) {
  return text.normalize("NFKD").replace(DIACRITICS, "").normalize("NFC").toLowerCase();
}

export function searchWords(query) {
  return [...new Set(query.split(/\s+/).filter(Boolean))];
}

// Fill `element` with `text`, wrapping each case- and accent-insensitive hit of `words` in <mark>.
export function highlight(element, text, words) {
  let folded = "";
  const origin = [];   // for each folded character, the index of the original one
  for (let i = 0; i < text.length; i += 1) {
    const piece = fold(text[i]);
    folded += piece;
    for (let k = 0; k < piece.length; k += 1) origin.push(i);
  }
  const marked = new Array(text.length).fill(false);
  for (const word of words.map(fold).filter(Boolean)) {
    for (let at = folded.indexOf(word); at >= 0; at = folded.indexOf(word, at + 1)) {
      for (let k = origin[at]; k <= origin[at + word.length - 1]; k += 1) marked[k] = true;
    }
  }
  element.replaceChildren();
  let start = 0;
  for (let i = 1; i <= text.length; i += 1) {
    if (i === text.length || marked[i] !== marked[start]) {
      const piece = text.slice(start, i);
      if (marked[start]) {
        const mark = document.createElement("mark");
        mark.textContent = piece;
        element.append(mark);
      } else {
        element.append(piece);
      }
      start = i;
    }
  }
}

export class SearchBox {
  constructor({ input, sidebar, delay = 200 }) {
    Object.assign(this, { input, sidebar, delay });
    this.timer = null;
    input.addEventListener("input", () => this.schedule());
    input.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && input.value) {
        event.preventDefault();
        event.stopPropagation();
        this.clear();
      }
    });
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), this.delay);
  }

  async run() {
    try {
      await this.sidebar.search(this.input.value.trim());
    } catch (error) {
      this.sidebar.showEmpty(error.message);
    }
  }

  clear() {
    clearTimeout(this.timer);
    this.input.value = "";
    this.run();
  }
}
