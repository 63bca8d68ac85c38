// The ladder comparison page: A and B on one rate–quality plot.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('reel-data').textContent);
  window.reelReport.data = data;
  reelUI.rdPlot(document.getElementById('rd-plot'), data.rd);
  window.reelReport.drawnMs = performance.now();
  window.reelReport.ready = true;
})();
