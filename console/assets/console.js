// wmsbridge console: the live parts. Every page works without this file;
// it adds live setup progress (server-sent events) and the sales history
// warning while a date is picked.
(function () {
  "use strict";

  function show(el, text) {
    if (!el) { return; }
    el.textContent = text || "";
    el.hidden = !text;
  }

  function liveSetup() {
    var root = document.getElementById("setup");
    if (!root || !window.EventSource) { return; }
    var wasRunning = root.getAttribute("data-running") === "true";
    var source = new EventSource(root.getAttribute("data-events"));
    source.addEventListener("state", function (e) {
      var st = JSON.parse(e.data);
      st.steps.forEach(function (s) {
        var li = document.getElementById("step-" + s.step);
        if (!li) { return; }
        var field = function (name) { return li.querySelector('[data-field="' + name + '"]'); };
        var badge = field("status");
        badge.textContent = s.status;
        badge.className = "badge status-" + s.status;
        var bar = field("bar");
        if (s.percent >= 0) {
          bar.max = 100;
          bar.value = Math.round(s.percent);
          bar.textContent = Math.round(s.percent) + "%";
        } else {
          bar.removeAttribute("value");
        }
        field("text").textContent = s.text;
        show(field("note"), s.note);
        show(field("error"), s.error);
      });
      var summary = document.getElementById("setup-summary");
      if (summary) {
        summary.textContent = st.running ? "Setup is running." :
          (st.finished ? "Setup is finished: orders flow and the chosen messages go to the shop." : "Setup is not finished.");
      }
      // The buttons depend on whether a run is going on: draw the page
      // again when that changes.
      if (st.running !== wasRunning) {
        source.close();
        window.location.reload();
      }
    });
  }

  function historyWarning() {
    var input = document.getElementById("f-sales_history_since");
    var warn = document.getElementById("f-sales_history_since-warn");
    if (!input || !warn) { return; }
    var limit = input.getAttribute("data-limit");
    if (!limit) { return; }
    var check = function () {
      // Empty means one year back: older than the limit too.
      warn.hidden = !(input.value === "" || input.value < limit);
    };
    input.addEventListener("input", check);
    input.addEventListener("change", check);
  }

  document.addEventListener("DOMContentLoaded", function () {
    liveSetup();
    historyWarning();
  });
}());
