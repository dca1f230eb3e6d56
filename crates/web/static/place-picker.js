// Place picker: an autocomplete list under every input marked
// `data-place-picker`. Typing a name (diacritics optional) lists units with
// their parents and era from /api/v1/admin-units/search; arrow keys move,
// Enter or a click chooses, Escape closes. The input then holds the unit's
// code (and the form's "as of" field the date that code is read at). Without
// this script the field still takes a code or a name, and the "Find by name"
// link opens a plain search-and-choose page.
(function () {
  "use strict";
  if (window.placePickerReady) return;
  window.placePickerReady = true;
  var seq = 0;

  function setup(input) {
    var id = input.id || "place-" + (++seq);
    input.id = id;
    var list = document.createElement("ul");
    list.id = id + "-listbox";
    list.className = "place-listbox";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var chosen = document.createElement("span");
    chosen.className = "place-chosen";
    chosen.setAttribute("aria-live", "polite");
    var box = input.closest(".place-picker") || input.parentNode;
    box.appendChild(list);
    box.appendChild(chosen);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var items = [];
    var active = -1;
    var timer = null;
    var lastQ = "";
    var lang = document.documentElement.lang || "vi";

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(i) {
      var opts = list.querySelectorAll("[role=option]");
      opts.forEach(function (o, k) { o.setAttribute("aria-selected", k === i ? "true" : "false"); });
      active = i;
      if (i >= 0 && opts[i]) {
        input.setAttribute("aria-activedescendant", opts[i].id);
        opts[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function choose(i) {
      var p = items[i];
      if (!p) return;
      input.value = p.code;
      var asOf = input.getAttribute("data-as-of");
      if (asOf) {
        var f = input.form && input.form.elements[asOf];
        if (f) f.value = p.as_of || "";
      }
      chosen.textContent = p.label;
      close();
    }
    function render(data) {
      items = data.items || [];
      list.textContent = "";
      items.forEach(function (p, k) {
        var li = document.createElement("li");
        li.id = id + "-opt-" + k;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = p.label + " · " + p.code;
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(k); });
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      highlight(items.length ? 0 : -1);
    }
    function search() {
      var q = input.value.trim();
      if (q === lastQ) return;
      lastQ = q;
      if (q.length < 2 || /^[0-9]+$/.test(q) || q === "VN") { close(); return; }
      var url = "/api/v1/admin-units/search?limit=10&q=" + encodeURIComponent(q);
      var level = input.getAttribute("data-level");
      if (level) url += "&level=" + encodeURIComponent(level);
      fetch(url, { headers: { "Accept": "application/json", "Accept-Language": lang }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (d) { if (input.value.trim() === q) render(d); })
        .catch(function () { close(); });
    }
    input.addEventListener("input", function () {
      chosen.textContent = "";
      clearTimeout(timer);
      timer = setTimeout(search, 180);
    });
    input.addEventListener("keydown", function (ev) {
      if (list.hidden) {
        if (ev.key === "ArrowDown" && items.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); highlight(0); ev.preventDefault(); }
        return;
      }
      if (ev.key === "ArrowDown") { highlight(Math.min(active + 1, items.length - 1)); ev.preventDefault(); }
      else if (ev.key === "ArrowUp") { highlight(Math.max(active - 1, 0)); ev.preventDefault(); }
      else if (ev.key === "Enter") { if (active >= 0) { choose(active); ev.preventDefault(); } }
      else if (ev.key === "Escape") { close(); ev.preventDefault(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 120); });
  }

  function init() {
    document.querySelectorAll("input[data-place-picker]").forEach(setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
