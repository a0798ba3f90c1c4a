// hyperviseur.js — live updates of the hyperviseur's home (Socle, MIT licence).
// The map names the event stream (data-events-url, /hyperviseur/events).
// On each event (an alert opened or changed, new observations, a work
// order) the map re-reads its GeoJSON (map.js's socleReload) and the page
// is fetched again (X-Socle-Live: the server skips the indicator tiles)
// to replace the counts and the alert panel. Events are coalesced: at most
// one refresh a second. A panel holding the keyboard focus (a comment
// being typed) is left alone until the focus leaves it. No inline script,
// no build step.
(function () {
  "use strict";
  var map = document.querySelector("[data-events-url]");
  if (!map || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var status = document.getElementById("hv-live-status");
  var parts = ["hv-live-counts", "hv-live-alerts"];
  var pending = null;
  var busy = false;
  var refreshes = 0;

  function say(attr, value) {
    if (status) {
      status.textContent = (status.getAttribute(attr) || "").replace("%s", value || "");
    }
  }

  // swap replaces the live parts of the page; it reports whether one had
  // to be kept (focused) and needs another try.
  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var again = false;
    parts.forEach(function (id) {
      var fresh = doc.getElementById(id);
      var cur = document.getElementById(id);
      if (!fresh || !cur) {
        return;
      }
      if (cur.contains(document.activeElement) && document.activeElement !== document.body) {
        again = true;
        return;
      }
      cur.replaceWith(document.importNode(fresh, true));
    });
    return again;
  }

  function refresh() {
    pending = null;
    if (busy) {
      schedule();
      return;
    }
    busy = true;
    if (map.socleReload) {
      map.socleReload();
    }
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Socle-Live": "1" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        if (swap(html)) {
          schedule();
        }
        refreshes++;
        document.body.setAttribute("data-live-refreshes", String(refreshes));
        say("data-updated-text", new Date().toLocaleTimeString(document.documentElement.lang || "fr"));
      })
      .catch(function () { /* the next event tries again */ })
      .then(function () { busy = false; });
  }

  function schedule() {
    if (pending === null) {
      pending = window.setTimeout(refresh, 1000);
    }
  }

  var es = new EventSource(map.getAttribute("data-events-url"));
  ["alert", "devices", "workorder", "reload"].forEach(function (name) {
    es.addEventListener(name, schedule);
  });
  es.addEventListener("open", function () {
    map.setAttribute("data-live", "on");
    say("data-on-text");
  });
})();
