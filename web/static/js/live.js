// live.js — keeps the table of a real-time dataset current (Socle, MIT licence).
// The table's region names its event stream (data-events-url); on each
// change the page is fetched again, marked as a reload (not a new view),
// and its table body and record count replace the shown ones. Changes are
// coalesced: at most one reload per second. No inline script, no build.
(function () {
  "use strict";
  var region = document.querySelector("[data-events-url]");
  if (!region || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var pending = null;
  var busy = false;

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var body = doc.querySelector("#records tbody");
    var status = doc.getElementById("records-status");
    var cur = document.querySelector("#records tbody");
    if (body && cur) {
      cur.replaceWith(document.importNode(body, true));
    }
    var curStatus = document.getElementById("records-status");
    if (status && curStatus) {
      curStatus.textContent = status.textContent;
    }
  }

  function reload() {
    pending = null;
    if (busy) {
      schedule();
      return;
    }
    busy = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Socle-Live": "1" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(swap)
      .catch(function () { /* the next change tries again */ })
      .then(function () { busy = false; });
  }

  function schedule() {
    if (pending === null) {
      pending = window.setTimeout(reload, 1000);
    }
  }

  var es = new EventSource(region.getAttribute("data-events-url"));
  es.addEventListener("change", schedule);
  es.addEventListener("reload", schedule);
  es.addEventListener("open", function () {
    region.setAttribute("data-live", "on"); // listening (tests wait for it)
  });
  es.addEventListener("error", function () {
    region.setAttribute("data-live", "off"); // EventSource reconnects by itself
  });
})();
