// The page's behaviour. The pure functions at the top are exported for the Node tests;
// the rest runs only in a browser.

function cleanNote(text) {
  return String(text).replace(/\s+/g, " ").trim();
}

function addNote(notes, text) {
  const note = cleanNote(text);
  if (!note) return notes;
  return [...notes, note];
}

function loadNotes(storage) {
  try {
    const value = JSON.parse(storage.getItem("notes") || "[]");
    return Array.isArray(value) ? value.filter((n) => typeof n === "string") : [];
  } catch {
    return [];
  }
}

if (typeof module !== "undefined") {
  module.exports = { cleanNote, addNote, loadNotes };
}

if (typeof document !== "undefined") {
  document.addEventListener("DOMContentLoaded", () => {
    const list = document.getElementById("note-list");
    const form = document.getElementById("note-form");
    const input = document.getElementById("note-text");
    let notes = loadNotes(window.localStorage);

    function render() {
      list.replaceChildren(...notes.map((note) => {
        const item = document.createElement("li");
        item.textContent = note;
        return item;
      }));
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      notes = addNote(notes, input.value);
      window.localStorage.setItem("notes", JSON.stringify(notes));
      input.value = "";
      render();
    });

    document.getElementById("year").textContent = new Date().getFullYear();
    render();
  });
}
