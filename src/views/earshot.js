// Earshot works without JavaScript; this only adds conveniences.

// "Similar feedback" while typing on the feedback form: asks the search
// index for items like the text so far. Titles are inserted as text, never
// as HTML.
(function () {
  const body = document.getElementById("body");
  const title = document.getElementById("title");
  const box = document.getElementById("similar");
  if (!body || !box) return;
  const list = box.querySelector("ul");
  let timer = null;
  let asked = "";

  async function lookUp() {
    const text = ((title && title.value) || "") + " " + body.value;
    if (text.trim().length < 12) {
      box.hidden = true;
      list.replaceChildren();
      asked = "";
      return;
    }
    if (text === asked) return;
    asked = text;
    try {
      const response = await fetch("/api/v1/search/similar?text=" + encodeURIComponent(text), {
        credentials: "same-origin",
        headers: { accept: "application/json" },
      });
      if (!response.ok) return;
      const { hits } = await response.json();
      list.replaceChildren(
        ...hits.map((hit) => {
          const item = document.createElement("li");
          const link = document.createElement("a");
          link.href = hit.url;
          link.target = "_blank";
          link.textContent = hit.title;
          const note = document.createElement("span");
          note.className = "hint";
          note.textContent = " (opens in a new tab)";
          item.append(link, note);
          return item;
        }),
      );
      box.hidden = hits.length === 0;
    } catch (_) {
      // Suggestions are a nicety; typing goes on without them.
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 400);
  }
  body.addEventListener("input", schedule);
  if (title) title.addEventListener("input", schedule);
})();
