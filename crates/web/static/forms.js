// Put a form's error summary in view and give it focus, so a person (and a
// screen reader) meets the errors first; each line links to its field.
// Pages work without this: the summary is at the top of the form anyway.
(function () {
  function focusSummary() {
    var s = document.querySelector(".error-summary");
    if (!s) return;
    if (!s.hasAttribute("tabindex")) s.setAttribute("tabindex", "-1");
    s.scrollIntoView({ block: "start" });
    s.focus({ preventScroll: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
  // A link in the summary moves focus to its field, not only the scroll.
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest(".error-summary a[href^='#']");
    if (!a) return;
    var el = document.getElementById(a.getAttribute("href").slice(1));
    if (!el) return;
    ev.preventDefault();
    el.scrollIntoView({ block: "center" });
    el.focus();
  });
})();
