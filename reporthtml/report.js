// report.html: per-rung plots, worst moments, the QC events table and
// the player. Data: the JSON block #reel-data (see reporthtml.pageData).
(function () {
  'use strict';
  var R = window.reelReport;
  var el = reelUI.el, tc = reelUI.tc, fmt = reelUI.fmt;
  var data = JSON.parse(document.getElementById('reel-data').textContent);
  R.data = data;
  var fps = data.fps || 25;

  // Player.
  var video = document.getElementById('player');
  var timeOut = document.getElementById('player-time');
  function showTime() {
    if (timeOut && video) timeOut.textContent = tc(video.currentTime, fps) + ' (' + video.currentTime.toFixed(3) + ' s)';
  }
  if (video && data.player) {
    if (window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls({ enableWorker: true });
      hls.on(window.Hls.Events.ERROR, function (ev, d) {
        if (d && d.fatal) R.errors.push('hls.js: ' + d.type + ' ' + d.details);
      });
      hls.loadSource(data.player.master);
      hls.attachMedia(video);
      R.hls = hls;
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = data.player.master;
    }
    video.addEventListener('timeupdate', showTime);
    video.addEventListener('seeked', showTime);
  }
  // seek moves the player to t seconds; false when there is no player.
  R.seek = function (t) {
    if (!video || !data.player) return false;
    video.currentTime = Math.max(0, t);
    showTime();
    if (timeOut) timeOut.textContent = tc(t, fps) + ' (' + Number(t).toFixed(3) + ' s)';
    return true;
  };

  // Notes.
  var notes = document.getElementById('notes');
  data.notes.forEach(function (n) { notes.appendChild(el('li', null, n)); });

  // Rate–quality.
  reelUI.rdPlot(document.getElementById('rd-plot'), data.rd);

  // Per rung.
  var bandColor = { blocker: 'rgba(200,0,30,0.18)', error: 'rgba(200,0,30,0.18)', warning: 'rgba(240,140,0,0.18)', info: 'rgba(40,90,200,0.12)' };
  function crfAt(frame, rung) {
    var c = data.chunks, lo = 0, hi = c.length - 1;
    if (!rung.crfs || c.length === 0) return null;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (c[mid] <= frame) lo = mid; else hi = mid - 1; }
    return rung.crfs[lo];
  }
  function rungData(rung, frames, vmaf, psnr) {
    var out = [frames.map(function (f) { return f / fps; }), vmaf];
    if (rung.psnr) out.push(psnr);
    if (rung.crfs) out.push(frames.map(function (f) { return crfAt(f, rung); }));
    return out;
  }
  function drawMarks(rung) {
    return function (u) {
      var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
      ctx.save();
      rung.bands.forEach(function (b) {
        var x0 = u.valToPos(b.start, 'x', true), x1 = u.valToPos(Math.max(b.end, b.start + 1 / fps), 'x', true);
        ctx.fillStyle = bandColor[b.severity] || 'rgba(120,120,120,0.15)';
        ctx.fillRect(x0, top, Math.max(1, x1 - x0), h);
      });
      ctx.lineWidth = 1;
      ctx.strokeStyle = '#333';
      ctx.beginPath();
      data.shots.forEach(function (f) {
        var x = Math.round(u.valToPos(f / fps, 'x', true)) + 0.5;
        ctx.moveTo(x, top); ctx.lineTo(x, top + 8);
      });
      ctx.stroke();
      ctx.strokeStyle = '#7a3';
      ctx.beginPath();
      data.chunks.forEach(function (f) {
        var x = Math.round(u.valToPos(f / fps, 'x', true)) + 0.5;
        ctx.moveTo(x, top + h); ctx.lineTo(x, top + h - 8);
      });
      ctx.stroke();
      ctx.restore();
    };
  }
  var list = document.getElementById('rung-list');
  data.rungs.forEach(function (rung, i) {
    var sec = el('div', { class: 'rung', id: 'rung-' + i });
    sec.appendChild(el('h3', null, rung.label));
    rung.notes.forEach(function (n) { sec.appendChild(el('p', { class: 'note' }, n)); });
    var node = el('div', { class: 'plot rung-plot', id: 'rung-plot-' + i, role: 'img',
      'aria-label': 'per-frame VMAF' + (rung.psnr ? ' and PSNR' : '') + ' of rung ' + rung.id + ' over time' });
    sec.appendChild(node);
    list.appendChild(sec);
    var series = [
      { label: 'time', value: function (u, v) { return v == null ? '–' : tc(v, fps); } },
      { label: 'VMAF', stroke: '#e15759', width: 1, scale: 'q', value: function (u, v) { return fmt(v); } },
    ];
    if (rung.psnr) series.push({ label: 'PSNR-Y (dB)', stroke: '#4e79a7', width: 1, scale: 'q', value: function (u, v) { return fmt(v); } });
    if (rung.crfs) series.push({ label: 'chunk CRF', stroke: '#59a14f', width: 1.5, scale: 'crf',
      paths: uPlot.paths.stepped({ align: 1 }), value: function (u, v) { return fmt(v, 1); } });
    var axes = [{ label: 'time', values: function (u, vs) { return vs.map(function (v) { return tc(v, fps).slice(0, 8); }); } },
      { label: 'VMAF / PSNR dB', scale: 'q' }];
    if (rung.crfs) axes.push({ label: 'CRF', scale: 'crf', side: 1, grid: { show: false } });
    var opts = { width: reelUI.width(list), height: 220, series: series, axes: axes,
      scales: { x: { time: false }, q: { auto: true }, crf: { auto: true } },
      hooks: { drawClear: [drawMarks(rung)] } };
    var u = new uPlot(opts, rungData(rung, rung.frames, rung.vmaf, rung.psnr), node);
    var entry = { id: node.id, rung: rung.id, plot: u, series: series.length - 1, points: rung.frames.length, full: false };
    R.plots.push(entry);

    if (rung.scores) {
      var p = el('p');
      var btn = el('button', { type: 'button', class: 'full-res', id: 'full-res-' + i }, 'Load every frame');
      var link = el('a', { href: rung.scores, class: 'scores-link' }, 'scores JSON (every frame)');
      var status = el('span', { class: 'note', 'aria-live': 'polite' });
      btn.addEventListener('click', function () {
        status.textContent = ' loading…';
        fetch(rung.scores).then(function (r) {
          if (!r.ok) throw new Error('HTTP ' + r.status);
          return r.json();
        }).then(function (j) {
          var frames = [], vm = [], ps = [];
          (j.frames || []).forEach(function (f) {
            var m = f.metrics || {};
            frames.push(f.frameNum);
            vm.push(m.vmaf === undefined ? null : m.vmaf);
            ps.push(m.psnr_y === undefined ? null : m.psnr_y);
          });
          u.setData(rungData(rung, frames, vm, ps));
          entry.points = frames.length;
          entry.full = true;
          status.textContent = ' ' + frames.length + ' frames';
        }).catch(function (e) { status.textContent = ' could not load: ' + e.message; });
      });
      p.appendChild(btn);
      p.appendChild(document.createTextNode(' '));
      p.appendChild(link);
      p.appendChild(status);
      sec.appendChild(p);
    }

    if (rung.worst.length > 0) {
      sec.appendChild(el('h4', null, 'Worst 1% moments'));
      var ol = el('ol', { class: 'worst' });
      rung.worst.forEach(function (m) {
        var what = 'frame ' + m.frame + ' at ' + m.tc + ', VMAF ' + fmt(m.vmaf);
        var li = el('li', { class: 'moment', tabindex: '0', 'data-seconds': String(m.seconds),
          'aria-label': 'Seek the player to ' + what });
        if (m.source) li.appendChild(el('img', { src: m.source, loading: 'lazy', alt: 'Source, ' + what }));
        if (m.rung) li.appendChild(el('img', { src: m.rung, loading: 'lazy', alt: 'Rung ' + rung.id + ', ' + what }));
        li.appendChild(el('p', null, m.tc + ' · VMAF ' + fmt(m.vmaf)));
        li.appendChild(el('p', null, 'frames ' + m.start_frame + '–' + m.end_frame));
        li.addEventListener('click', function () { R.seek(m.seconds); });
        li.addEventListener('keydown', function (e) { if (e.key === 'Enter') { e.preventDefault(); R.seek(m.seconds); } });
        ol.appendChild(li);
      });
      sec.appendChild(ol);
    }
  });
  if (data.rungs.length === 0) list.appendChild(el('p', { class: 'note' }, 'No rungs in this report.'));

  // QC events table.
  var events = data.events.map(function (e, i) { e.index = i; return e; });
  var sevRank = { blocker: 0, error: 0, warning: 1, info: 2 };
  var tbody = document.querySelector('#events tbody');
  var filter = document.getElementById('severity-filter');
  var count = document.getElementById('events-count');
  data.severities.forEach(function (s) { filter.appendChild(el('option', { value: s }, s)); });
  var sortKey = 'start', sortDir = 1;
  function cmp(a, b) {
    var x = a[sortKey], y = b[sortKey];
    if (sortKey === 'severity') { x = sevRank[x] === undefined ? 9 : sevRank[x]; y = sevRank[y] === undefined ? 9 : sevRank[y]; }
    var c = (typeof x === 'number' && typeof y === 'number') ? x - y : String(x).localeCompare(String(y));
    return c * sortDir || a.index - b.index;
  }
  function renderEvents() {
    var sev = filter.value;
    var rows = events.filter(function (e) { return !sev || e.severity === sev; }).sort(cmp);
    tbody.textContent = '';
    rows.forEach(function (e) {
      var tr = el('tr', { tabindex: '0', class: 'event sev-' + e.severity, 'data-index': String(e.index), 'data-start': String(e.start) });
      tr.appendChild(el('td', null, e.check));
      tr.appendChild(el('td', null, e.stream));
      tr.appendChild(el('td', { class: 'severity' }, e.severity));
      tr.appendChild(el('td', null, e.start_tc));
      tr.appendChild(el('td', null, e.end_tc));
      tr.appendChild(el('td', null, fmt(e.value, 3)));
      tr.appendChild(el('td', null, fmt(e.threshold, 3)));
      tr.appendChild(el('td', { class: 'detail' }, e.detail));
      var td = el('td');
      if (e.thumb) td.appendChild(el('img', { src: e.thumb, loading: 'lazy', alt: e.check + ' on ' + e.stream + ' at ' + e.start_tc }));
      tr.appendChild(td);
      tr.addEventListener('click', function () { R.seek(e.start); });
      tr.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') { ev.preventDefault(); R.seek(e.start); } });
      tbody.appendChild(tr);
    });
    count.textContent = rows.length + ' of ' + events.length + ' events';
    document.querySelectorAll('#events th button').forEach(function (b) {
      if (b.dataset.key === sortKey) b.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
      else b.removeAttribute('aria-sort');
    });
  }
  document.querySelectorAll('#events th button').forEach(function (b) {
    b.addEventListener('click', function () {
      if (sortKey === b.dataset.key) sortDir = -sortDir; else { sortKey = b.dataset.key; sortDir = 1; }
      renderEvents();
    });
  });
  filter.addEventListener('change', renderEvents);
  renderEvents();
  R.sortEvents = function (key, dir) { sortKey = key; sortDir = dir < 0 ? -1 : 1; renderEvents(); };

  R.drawnMs = performance.now();
  R.ready = true;
})();
