// reel serve's page script. It reads the page's data from the JSON block
// #page-data and builds DOM nodes with textContent only: nothing from a
// title is ever parsed as HTML.
(function () {
  "use strict";
  var dataEl = document.getElementById("page-data");
  if (!dataEl) return;
  var data = JSON.parse(dataEl.textContent);

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // The titles list: refreshed from /api/titles every few seconds.
  function listPage() {
    var tbody = document.getElementById("rows");
    var live = document.getElementById("live");
    function row(t) {
      var tr = el("tr", "title st-" + t.state);
      tr.setAttribute("data-state", t.state);
      var a = el("a", "title-link", t.title_id);
      a.setAttribute("href", t.href);
      var td = el("td"); td.appendChild(a); tr.appendChild(td);
      td = el("td"); td.appendChild(el("span", "badge " + t.state, t.label)); tr.appendChild(td);
      td = el("td");
      if (t.stage) {
        td.appendChild(document.createTextNode(t.stage + " "));
        var p = el("progress"); p.max = 1; p.value = t.fraction || 0; td.appendChild(p);
      }
      tr.appendChild(td);
      tr.appendChild(el("td", "", t.started_text));
      tr.appendChild(el("td", "detail", t.detail || ""));
      return tr;
    }
    function refresh() {
      var url = "/api/titles";
      var params = [];
      if (data.query) params.push("q=" + encodeURIComponent(data.query));
      if (data.campaign) params.push("campaign=" + encodeURIComponent(data.campaign));
      if (params.length) url += "?" + params.join("&");
      fetch(url, {credentials: "same-origin", cache: "no-store"}).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      }).then(function (rows) {
        // Keep the focused link focused across a refresh.
        var focused = document.activeElement && document.activeElement.classList.contains("title-link") ?
          document.activeElement.getAttribute("href") : null;
        var frag = document.createDocumentFragment();
        if (rows.length === 0) {
          var tr = el("tr", "empty"); var td = el("td", "", data.query ? "No titles match." : "No titles.");
          td.colSpan = 5; tr.appendChild(td); frag.appendChild(tr);
        }
        rows.forEach(function (t) { frag.appendChild(row(t)); });
        tbody.replaceChildren(frag);
        if (focused) {
          var links = tbody.querySelectorAll("a.title-link");
          for (var i = 0; i < links.length; i++) if (links[i].getAttribute("href") === focused) links[i].focus();
        }
        live.textContent = "";
        live.dataset.updated = String(Date.now());
      }).catch(function (e) { live.textContent = "Refresh failed: " + e.message; });
    }
    setInterval(refresh, 3000);
  }

  // A title's page: the package in hls.js; while the title runs, its
  // stages refreshed, and the page reloaded when its state changes.
  function titlePage() {
    var video = document.getElementById("player");
    if (video && data.hls) {
      if (window.Hls && window.Hls.isSupported()) {
        var hls = new window.Hls();
        hls.loadSource(data.hls);
        hls.attachMedia(video);
        window.reelHls = hls;
      } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
        video.src = data.hls;
      }
    }
    // A held title's rungs: switch between them, seek to a blocker.
    var rungPlayer = document.getElementById("rung-player");
    if (rungPlayer) {
      var load = function (href, then) {
        if (rungPlayer.getAttribute("src") === href) { then(); return; }
        rungPlayer.addEventListener("loadedmetadata", function once() {
          rungPlayer.removeEventListener("loadedmetadata", once);
          then();
        });
        rungPlayer.setAttribute("src", href);
      };
      document.querySelectorAll("button.rung").forEach(function (b) {
        b.addEventListener("click", function () { load(b.dataset.href, function () {}); });
      });
      document.querySelectorAll("button.seek").forEach(function (b) {
        b.addEventListener("click", function () {
          var href = rungPlayer.getAttribute("src");
          document.querySelectorAll("button.rung").forEach(function (r) {
            if (r.dataset.name === b.dataset.stream) href = r.dataset.href;
          });
          load(href, function () {
            rungPlayer.currentTime = Number(b.dataset.seconds);
            rungPlayer.play().catch(function () {});
          });
        });
      });
    }
    if (data.status !== "running") return;
    var rows = document.getElementById("stage-rows");
    setInterval(function () {
      fetch(data.status_url, {credentials: "same-origin", cache: "no-store"}).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      }).then(function (st) {
        var gate = st.gate ? st.gate.state : "";
        if (st.status !== data.status || gate !== (data.gate || "")) {
          // Never reload while a reviewer is typing a note.
          var note = document.getElementById("note");
          if (!note || note.value === "") window.location.reload();
          return;
        }
        if (!rows || !st.stages) return;
        var frag = document.createDocumentFragment();
        st.stages.forEach(function (s) {
          var tr = el("tr");
          tr.appendChild(el("td", "", s.name));
          tr.appendChild(el("td", "", s.state + (s.error ? ": " + s.error : "")));
          var td = el("td"); var p = el("progress"); p.max = 1;
          p.value = s.state === "done" ? 1 : (s.live_total ? Math.min(1, s.live_done / s.live_total) : 0);
          td.appendChild(p); tr.appendChild(td);
          frag.appendChild(tr);
        });
        rows.replaceChildren(frag);
      }).catch(function () {});
    }, 3000);
  }

  if (data.page === "list") listPage();
  if (data.page === "title") titlePage();
})();
