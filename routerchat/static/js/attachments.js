// Files in messages: the composer's tray (paperclip, drag and drop, paste; a chip per file with
// its name, size, a thumbnail for images and a remove button; each file is uploaded at once),
// and the files a sent message shows (thumbnails and chips that open the file).

const MAX_FILES = 10;
const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/webp", "image/gif"]);

export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function fileUrl(id) {
  return `/attachment/${encodeURIComponent(id)}`;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// The preview of one file: a thumbnail for an image, a document mark otherwise.
function preview(file) {
  if (file.id && IMAGE_TYPES.has(file.type)) {
    const image = element("img", "attachment-thumb");
    image.src = fileUrl(file.id);
    image.alt = file.name;
    image.loading = "lazy";
    return image;
  }
  return element("span", "attachment-icon", file.type === "application/pdf" ? "PDF" : "TXT");
}

function label(file) {
  const text = element("span", "attachment-label");
  text.append(element("span", "attachment-name", file.name), element("span", "attachment-size", formatSize(file.size)));
  text.title = file.name;
  return text;
}

// The files a sent message carries: each opens in a new tab (images and PDFs show there).
export function sentAttachments(files) {
  const list = element("div", "message-attachments");
  for (const file of files) {
    const link = element("a", `attachment-chip${IMAGE_TYPES.has(file.type) ? " is-image" : ""}`);
    link.href = fileUrl(file.id);
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.dataset.attachmentId = file.id;
    link.append(preview(file), label(file));
    list.append(link);
  }
  return list;
}

async function uploadFile(file) {
  const form = new FormData();
  form.append("file", file, file.name || "pasted file");
  let response;
  try {
    response = await fetch("/attachments", { method: "POST", body: form });
  } catch (_) {
    throw new Error("Could not reach the routerchat server to upload the file.");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${file.name || "The file"}: ${data.error || `upload failed (${response.status}).`}`);
  return data;
}

// Whether the server still has this file for the current account (HEAD: no bytes are sent).
async function stillUploaded(summary) {
  if (typeof summary?.id !== "string") return false;
  try {
    return (await fetch(fileUrl(summary.id), { method: "HEAD" })).ok;
  } catch (_) {
    return false;
  }
}

export class ComposerFiles {
  // { button, input (type=file), tray, dropZone, pasteTarget, onError(text), onChange() }
  constructor({ button, input, tray, dropZone, pasteTarget, onError, onChange = () => {} }) {
    this.input = input;
    this.tray = tray;
    this.dropZone = dropZone;
    this.onError = onError;
    this.onChange = onChange;
    this.items = [];   // { file (server summary, null while uploading), chip, upload (promise) }
    button.addEventListener("click", () => input.click());
    input.addEventListener("change", () => {
      this.add([...input.files]);
      input.value = "";
    });
    pasteTarget.addEventListener("paste", (event) => {
      const pasted = [...(event.clipboardData?.files || [])];
      if (!pasted.length) return;
      event.preventDefault();
      this.add(pasted);
    });
    for (const name of ["dragenter", "dragover"]) {
      dropZone.addEventListener(name, (event) => {
        if (!event.dataTransfer?.types.includes("Files")) return;
        event.preventDefault();
        dropZone.classList.add("is-dropping");
      });
    }
    dropZone.addEventListener("dragleave", (event) => {
      if (!dropZone.contains(event.relatedTarget)) dropZone.classList.remove("is-dropping");
    });
    dropZone.addEventListener("drop", (event) => {
      dropZone.classList.remove("is-dropping");
      if (!event.dataTransfer?.files.length) return;
      event.preventDefault();
      this.add([...event.dataTransfer.files]);
    });
  }

  add(files) {
    const room = MAX_FILES - this.items.length;
    if (files.length > room) this.onError(`A message may carry at most ${MAX_FILES} files.`);
    for (const file of files.slice(0, Math.max(0, room))) this.addOne(file);
  }

  addOne(file) {
    const item = this.newItem({ name: file.name || "pasted file", size: file.size });
    item.upload = uploadFile(file).then((summary) => this.markUploaded(item, summary), (error) => {
      this.remove(item);
      this.onError(error.message);
    }).finally(() => this.onChange());
    this.onChange();
  }

  // Files uploaded before (a kept draft's) come back as chips: those the server still has for
  // this account. Another account's, or one removed unsent after a day, is dropped quietly.
  async keep(summaries) {
    const found = await Promise.all(summaries.map(stillUploaded));
    const kept = summaries.filter((_, index) => found[index]).slice(0, MAX_FILES - this.items.length);
    for (const summary of kept) this.markUploaded(this.newItem(summary), summary);
    this.onChange();
  }

  // A chip in the tray for a file being uploaded: its name, size and a remove button.
  newItem({ name, size }) {
    const item = { file: null, chip: element("div", "attachment-chip is-uploading") };
    item.chip.append(element("span", "attachment-icon", "…"), label({ name, size }));
    const remove = element("button", "attachment-remove", "×");
    remove.type = "button";
    remove.title = `Remove ${name}`;
    remove.setAttribute("aria-label", remove.title);
    remove.addEventListener("click", () => this.remove(item));
    item.chip.append(remove);
    this.items.push(item);
    this.tray.append(item.chip);
    this.tray.hidden = false;
    return item;
  }

  markUploaded(item, summary) {
    item.file = summary;
    item.chip.classList.remove("is-uploading");
    item.chip.dataset.attachmentId = summary.id;
    item.chip.firstChild.replaceWith(preview(summary));
  }

  remove(item) {
    this.items = this.items.filter((other) => other !== item);
    item.chip.remove();
    this.tray.hidden = this.items.length === 0;
    this.onChange();
  }

  // The uploaded files' summaries (what a kept draft stores).
  uploaded() {
    return this.items.filter((item) => item.file !== null).map((item) => item.file);
  }

  uploading() {
    return this.items.some((item) => item.file === null);
  }

  // The uploaded files, taken out of the tray for sending; `restore` puts them back (a refused message).
  take() {
    const taken = this.items.filter((item) => item.file !== null);
    for (const item of taken) this.remove(item);
    return taken;
  }

  restore(taken) {
    for (const item of taken) {
      this.items.push(item);
      this.tray.append(item.chip);
    }
    this.tray.hidden = this.items.length === 0;
    this.onChange();
  }
}
