// Arrears: the behaviour every page shares. Loaded as a file (the CSP allows no inline handlers).
(function () {
  "use strict";
  // The language menu applies the choice at once.
  document.querySelectorAll("select[name=language]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
  // Keyboard: "n" takes the next account, "/" jumps to the first search box, when not typing in a field.
  document.addEventListener("keydown", function (e) {
    var t = e.target.tagName;
    if (t === "INPUT" || t === "TEXTAREA" || t === "SELECT" || e.target.isContentEditable) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "n") {
      var f = document.getElementById("next-form");
      if (f) { e.preventDefault(); f.submit(); }
    }
    if (e.key === "/") {
      var q = document.querySelector("input[name=q]");
      if (q) { e.preventDefault(); q.focus(); }
    }
  });
})();
