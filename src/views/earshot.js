// Earshot works without JavaScript; this only adds conveniences. It is
// served by Earshot itself (no inline script, so the Content-Security-Policy
// stays strict), and it inserts what people wrote as text, never as HTML.

// A form that came back with problems: focus the summary that lists them.
(function () {
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
})();

// "Already said or planned?" while typing on the feedback form: items like
// the text so far that this person may open, including public roadmap
// items ("already planned: …") and shipped ones.
(function () {
  const body = document.getElementById("body");
  const title = document.getElementById("title");
  const box = document.getElementById("similar");
  if (!body || !box) return;
  const list = box.querySelector("ul");
  let timer = null;
  let asked = "";

  function label(hit) {
    if (hit.kind !== "roadmap_item") return "";
    return hit.status === "shipped" ? "Already shipped: " : "Already planned: ";
  }

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
          link.textContent = label(hit) + hit.title;
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

// Pickers: a <select data-picker="pain_point"> becomes a search box. What
// is typed is looked up by title in the page's own list and in the search
// index; choosing a result sets the select, which the form sends as before.
(function () {
  let pickers = 0;

  function enhance(select) {
    pickers += 1;
    const kind = select.dataset.picker;
    const prompt = select.dataset.pickerPrompt || "Choose…";
    const box = document.createElement("div");
    box.className = "picker";
    const input = document.createElement("input");
    input.type = "text";
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.placeholder = prompt.replace("Choose", "Type to find") ;
    // The label now names the search box.
    input.id = select.id;
    select.id = select.id + "-list";
    if (select.form && select.getAttribute("form")) input.setAttribute("form", select.getAttribute("form"));
    const list = document.createElement("ul");
    list.setAttribute("role", "listbox");
    list.id = "picker-" + pickers;
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    select.hidden = true;
    select.tabIndex = -1;
    // The browser asks for a choice in the box people see, not the hidden list.
    input.required = select.required;
    select.required = false;
    select.after(box);
    box.append(input, list);
    const chosen = select.selectedOptions[0];
    if (chosen && chosen.value) input.value = chosen.textContent;

    let active = -1;
    let timer = null;
    let results = [];

    function show(found) {
      results = found;
      active = found.length ? 0 : -1;
      list.replaceChildren(
        ...found.map((result, index) => {
          const option = document.createElement("li");
          option.setAttribute("role", "option");
          option.id = list.id + "-" + index;
          option.textContent = result.title;
          option.addEventListener("mousedown", (event) => {
            event.preventDefault();
            choose(result);
          });
          return option;
        }),
      );
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", String(!list.hidden));
      mark();
    }

    function mark() {
      [...list.children].forEach((option, index) => option.setAttribute("aria-selected", String(index === active)));
      if (active >= 0) input.setAttribute("aria-activedescendant", list.id + "-" + active);
      else input.removeAttribute("aria-activedescendant");
    }

    function choose(result) {
      let option = [...select.options].find((candidate) => candidate.value === String(result.id));
      if (!option) {
        option = new Option(result.title, String(result.id));
        select.add(option);
      }
      select.value = String(result.id);
      input.value = result.title;
      show([]);
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    async function lookUp() {
      const text = input.value.trim().toLowerCase();
      if (!text) {
        select.value = "";
        show([]);
        return;
      }
      const found = [...select.options]
        .filter((option) => option.value && option.textContent.toLowerCase().includes(text))
        .map((option) => ({ id: option.value, title: option.textContent }));
      show(found.slice(0, 8));
      if (!kind || text.length < 3) return;
      try {
        const query = input.value.trim() + " kind:" + kind;
        const response = await fetch("/api/v1/search?limit=8&q=" + encodeURIComponent(query), {
          credentials: "same-origin",
          headers: { accept: "application/json" },
        });
        if (!response.ok || input.value.trim().toLowerCase() !== text) return;
        const { hits } = await response.json();
        for (const hit of hits) {
          if (!found.some((known) => String(known.id) === String(hit.id))) {
            found.push({ id: hit.id, title: hit.title });
          }
        }
        show(found.slice(0, 8));
      } catch (_) {
        // The page's own list still works.
      }
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(lookUp, 150);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" && results.length) {
        active = (active + 1) % results.length;
        mark();
        event.preventDefault();
      } else if (event.key === "ArrowUp" && results.length) {
        active = (active - 1 + results.length) % results.length;
        mark();
        event.preventDefault();
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        choose(results[active]);
        event.preventDefault();
      } else if (event.key === "Escape") {
        show([]);
      }
    });
    input.addEventListener("blur", () => setTimeout(() => show([]), 100));
  }

  document.querySelectorAll("select[data-picker]").forEach(enhance);
})();

// Inbox filters apply as they change (text after a pause).
(function () {
  const form = document.querySelector("form[data-autosubmit]");
  if (!form) return;
  let timer = null;
  form.addEventListener("change", () => form.requestSubmit());
  form.querySelectorAll("input[type=search]").forEach((input) =>
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => form.requestSubmit(), 600);
    }),
  );
})();

// Inbox keys: j/k move, e opens, x selects, l links the selection, ? help.
(function () {
  const table = document.getElementById("inbox-items");
  if (!table) return;
  const rows = [...table.querySelectorAll("tbody tr")];
  const help = document.getElementById("keys");
  let current = -1;

  function move(step) {
    if (!rows.length) return;
    if (current >= 0) rows[current].classList.remove("current");
    current = Math.min(rows.length - 1, Math.max(0, current + step));
    rows[current].classList.add("current");
    rows[current].querySelector("a.item-link").focus();
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    const row = rows[current];
    switch (event.key) {
      case "j":
        move(1);
        break;
      case "k":
        move(current < 0 ? 1 : -1);
        break;
      case "e": {
        // With no row chosen yet, the first one: the newest waiting.
        const target = row || rows[0];
        if (target) window.location.href = target.querySelector("a.item-link").href;
        break;
      }
      case "x":
        if (row) {
          const box = row.querySelector("input[type=checkbox]");
          box.checked = !box.checked;
        }
        break;
      case "l": {
        const picker = document.getElementById("bulk_pain_point");
        if (picker) picker.focus();
        break;
      }
      case "?":
        if (help) help.open = !help.open;
        break;
      default:
        return;
    }
    event.preventDefault();
  });
})();

// The triage form saves without a reload ("Save"); "Save and next item"
// and Ctrl+Enter go on to the next item. Any problem falls back to an
// ordinary post, which shows the form again with the problems marked.
(function () {
  const form = document.querySelector("form[data-save-inline]");
  if (!form) return;
  const region = document.createElement("p");
  region.className = "notice";
  region.setAttribute("role", "status");
  region.hidden = true;
  form.prepend(region);

  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      const next = form.querySelector("button[value=next]");
      event.preventDefault();
      form.requestSubmit(next || undefined);
    }
  });

  form.addEventListener("submit", async (event) => {
    if (event.submitter && event.submitter.value === "next") return;
    event.preventDefault();
    const fields = new URLSearchParams(new FormData(form, event.submitter));
    try {
      const response = await fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
        body: fields,
      });
      if (!response.ok) throw new Error("not saved");
      const { message } = await response.json();
      region.textContent = message;
      region.hidden = false;
      for (const name of ["note", "new_pain_point"]) {
        const field = form.elements.namedItem(name);
        if (field) field.value = "";
      }
    } catch (_) {
      form.submit();
    }
  });
})();

// A table wider than a phone scrolls inside the page; keyboard users need
// to reach it to scroll it, and screen readers need its name.
(function () {
  function mark() {
    document.querySelectorAll("main table:not(.feedback)").forEach((table) => {
      if (table.scrollWidth > table.clientWidth + 1) {
        table.tabIndex = 0;
        table.setAttribute("role", "region");
        const heading = table.previousElementSibling;
        if (!table.hasAttribute("aria-label")) {
          table.setAttribute("aria-label", (heading && heading.textContent.trim()) || "Table");
        }
      } else if (table.getAttribute("role") === "region") {
        table.removeAttribute("tabindex");
        table.removeAttribute("role");
      }
    });
  }
  mark();
  window.addEventListener("resize", mark);
})();
