// The case page: the guided call one step at a time (Enter advances, Esc goes back), outcome-driven
// fields, and htmx for the tabs and the save. Without this script the call is one form with every
// step shown, and the tabs are plain links: everything still works.
(function () {
  "use strict";
  var RPC = "right_party_contact";

  function value(form, name) {
    var el = form.elements[name];
    return el ? el.value : "";
  }

  function setUp(panel) {
    var form = panel.querySelector("#contact-form");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    var steps = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-step]"));
    var marks = Array.prototype.slice.call(panel.querySelectorAll("#call-steps li"));
    var back = form.querySelector("[data-back]");
    var next = form.querySelector("[data-next]");
    back.hidden = false;
    next.hidden = false;
    var current = 0;

    function skipped(fs) {
      // Not the cardholder reached: no reason, situation or offer to ask for.
      return fs.hasAttribute("data-rpc-only") && value(form, "result") !== RPC;
    }

    function outcome() {
      var offer = value(form, "offer");
      form.querySelectorAll("[data-offer]").forEach(function (el) {
        el.hidden = el.getAttribute("data-offer") !== offer;
      });
      if (offer === "promise" && form.elements.disposition) form.elements.disposition.value = "promise";
      if (offer === "plan" || offer === "concession") {
        if (form.elements.disposition && !form.elements.disposition.value) form.elements.disposition.value = "hardship_claimed";
      }
      // A callback outcome needs its time; an unanswered call offers one (the next try).
      var callback = value(form, "disposition") === "callback" || ["no_answer", "busy", "message_left"].indexOf(value(form, "result")) >= 0;
      form.querySelectorAll("[data-disposition=callback]").forEach(function (el) { el.hidden = !callback; });
    }

    function show(i) {
      current = Math.max(0, Math.min(steps.length - 1, i));
      steps.forEach(function (fs, k) { fs.hidden = k !== current; });
      marks.forEach(function (li, k) {
        if (k === current) li.setAttribute("aria-current", "step"); else li.removeAttribute("aria-current");
        li.classList.toggle("skipped", skipped(steps[k]));
      });
      back.disabled = current === 0;
      next.hidden = current === steps.length - 1;
      outcome();
      var first = steps[current].querySelector("select, input:not([type=hidden]), textarea");
      if (first) first.focus();
    }

    function move(delta) {
      var i = current + delta;
      while (i > 0 && i < steps.length - 1 && skipped(steps[i])) i += delta;
      show(i);
    }

    next.addEventListener("click", function () { move(1); });
    back.addEventListener("click", function () { move(-1); });
    marks.forEach(function (li, k) {
      li.querySelector("a").addEventListener("click", function (e) { e.preventDefault(); show(k); });
    });
    form.addEventListener("change", function (e) {
      if (["offer", "disposition", "result"].indexOf(e.target.name) >= 0) outcome();
    });
    form.addEventListener("keydown", function (e) {
      var tag = e.target.tagName;
      if (e.key === "Escape") { e.preventDefault(); move(-1); return; }
      if (e.key === "Enter" && tag !== "TEXTAREA" && tag !== "BUTTON" && current < steps.length - 1) {
        e.preventDefault();
        move(1);
      }
    });
    // After a refused save, open the first step with an error.
    var wrong = steps.findIndex(function (fs) { return fs.querySelector(".errorlist"); });
    show(wrong >= 0 ? wrong : 0);
  }

  function ready() {
    var panel = document.getElementById("call-panel");
    if (panel) setUp(panel);
    if (!window.htmx) {
      var me = document.getElementById("case-js");
      if (me && me.dataset.htmx) {
        var s = document.createElement("script");
        s.src = me.dataset.htmx;
        // Loaded after the document was parsed, htmx would wait for a DOMContentLoaded that has passed.
        s.addEventListener("load", function () { if (window.htmx) window.htmx.process(document.body); });
        document.head.appendChild(s);
      }
    }
  }

  document.addEventListener("htmx:afterSettle", function () {
    var panel = document.getElementById("call-panel");
    if (panel) setUp(panel);
    var tab = new URLSearchParams(window.location.search).get("tab") || "call";
    document.querySelectorAll(".case-tabs a").forEach(function (a) {
      if (a.id === "tab-" + tab) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    });
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready); else ready();
})();
