// The campaign page: a histogram of the titles' BD-rate (uPlot bars).
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('reel-data').textContent);
  window.reelReport.data = data;
  var node = document.getElementById('hist-plot');
  var bins = data.histogram || [];
  if (bins.length === 0) {
    node.appendChild(reelUI.el('p', { class: 'note' }, 'No title has a BD-rate yet.'));
  } else {
    var x = bins.map(function (b) { return (b.lo + b.hi) / 2; });
    var y = bins.map(function (b) { return b.n; });
    var w = bins[0].hi - bins[0].lo;
    var opts = {
      width: reelUI.width(node), height: 300,
      scales: { x: { time: false, range: [bins[0].lo, bins[bins.length - 1].hi] }, y: { range: [0, Math.max.apply(null, y) + 1] } },
      axes: [{ label: 'BD-rate against the previous encode (%)' }, { label: 'titles' }],
      series: [
        { label: 'BD-rate', value: function (u, v) { return v == null ? '–' : reelUI.fmt(v - w / 2, 1) + '% to ' + reelUI.fmt(v + w / 2, 1) + '%'; } },
        { label: 'titles', stroke: '#4e79a7', fill: 'rgba(78,121,167,0.6)', width: 1,
          paths: uPlot.paths.bars({ size: [0.95, Infinity], align: 0 }), points: { show: false } },
      ],
      legend: { live: true },
    };
    var u = new uPlot(opts, [x, y], node);
    window.reelReport.plots.push({ id: node.id, plot: u, series: 1, points: x.length });
  }
  window.reelReport.drawnMs = performance.now();
  window.reelReport.ready = true;
})();
