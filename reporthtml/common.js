// reel reporthtml: helpers shared by report.html and the ladder comparison
// page. Everything shown comes from the JSON data block and is put in the
// page with textContent or as attribute values, never as HTML.
'use strict';
window.reelReport = {
  plots: [],       // {id, plot (uPlot), series (count without x), points}
  errors: [],
  ready: false,
  drawnMs: null,   // ms from navigation start until every plot was drawn
  seek: function () { return false; },
};
window.addEventListener('error', function (e) { window.reelReport.errors.push(String(e.message)); });

var reelUI = (function () {
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === 'class') e.className = attrs[k];
        else e.setAttribute(k, attrs[k]);
      });
    }
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function pad(n, w) { var s = String(n); while (s.length < w) s = '0' + s; return s; }
  // tc formats seconds as HH:MM:SS:FF at fps frames per second.
  function tc(sec, fps) {
    var f = Math.max(0, Math.round(sec * fps));
    var r = Math.round(fps) || 25;
    var ff = f % r, s = Math.floor(f / r);
    return pad(Math.floor(s / 3600), 2) + ':' + pad(Math.floor(s / 60) % 60, 2) + ':' + pad(s % 60, 2) + ':' + pad(ff, 2);
  }
  function fmt(v, d) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    return Number(v).toFixed(d === undefined ? 2 : d);
  }
  var palette = ['#4e79a7', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#9c755f', '#bab0ac', '#ff9da7'];
  var kindColor = { hull: '#333', predicted: '#f28e2b', measured: '#e15759', reference: '#888',
    a: '#4e79a7', b: '#e15759', 'dropped-a': '#a0b8d8', 'dropped-b': '#f0a8a8' };
  function width(node) { return Math.max(320, Math.min(1100, (node.clientWidth || 760) - 4)); }

  // rdPlot draws a rate–quality plot (log bitrate) into node.
  function rdPlot(node, rd) {
    if (!rd || !rd.series || rd.series.length === 0) {
      node.appendChild(el('p', { class: 'note' }, 'No rate–quality points in this report.'));
      return null;
    }
    var g = 0;
    var series = [{ label: 'kbps', value: function (u, v) { return v == null ? '–' : fmt(v, 0) + ' kbps'; } }];
    rd.series.forEach(function (s) {
      var color = kindColor[s.kind] || palette[g++ % palette.length];
      var o = { label: s.label, stroke: color, fill: undefined, spanGaps: true, width: s.line ? 1.5 : 0,
        points: { show: true, size: s.kind === 'grid' ? 5 : 8, space: 0, fill: color, stroke: color },
        value: function (u, v) { return fmt(v, 2); } };
      if (!s.line) o.paths = function () { return null; };
      series.push(o);
    });
    var opts = {
      width: width(node), height: 360, series: series,
      scales: { x: { time: false, distr: 3, log: 10 }, y: { auto: true } },
      axes: [{ label: 'bitrate (kbps, log)' }, { label: 'VMAF' }],
      cursor: { points: { size: 6 } },
    };
    var u = new uPlot(opts, [rd.x].concat(rd.series.map(function (s) { return s.y; })), node);
    window.reelReport.plots.push({ id: node.id, plot: u, series: rd.series.length, points: rd.x.length });
    return u;
  }
  return { el: el, tc: tc, fmt: fmt, rdPlot: rdPlot, width: width };
})();
