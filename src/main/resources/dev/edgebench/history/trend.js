// edgebench history trend page: one chart per series from the embedded history document: the
// per-run mean with its 95% CI as a band, the change points as vertical lines labelled with the
// shift and its CI, and each segment's mean between change points.
// Sets on <body>: data-charts, data-rendered, data-painted, data-errors, data-changes (change
// lines drawn) and data-render-complete="true" once every chart has rendered; the browser test reads them.
(function () {
  'use strict';
  var body = document.body;
  var errors = [];
  function showErrors() {
    body.setAttribute('data-errors', String(errors.length));
    var el = document.getElementById('errors');
    if (el && errors.length) {
      el.textContent = 'Script errors: ' + errors.join(' | ');
      el.hidden = false;
    }
  }
  window.addEventListener('error', function (e) { errors.push(String(e.message || e)); showErrors(); });
  showErrors();

  var doc = JSON.parse(document.getElementById('edgebench-history').textContent);
  Chart.register(window['chartjs-plugin-annotation']);
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  var total = doc.series.length, rendered = 0, painted = 0, changeLines = 0;
  Chart.register({
    id: 'edgebenchCounter',
    afterRender: function (chart) {
      if (chart.$edgebenchCounted) { return; }
      chart.$edgebenchCounted = true;
      rendered++;
      try {
        var c = chart.canvas, d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, n = 0;
        for (var i = 3; i < d.length; i += 16) { if (d[i] !== 0) { n++; if (n > 50) { break; } } }
        if (n > 50) { painted++; }
      } catch (e) { errors.push('pixel check: ' + e.message); }
      body.setAttribute('data-rendered', String(rendered));
      body.setAttribute('data-painted', String(painted));
      if (rendered === total) { body.setAttribute('data-render-complete', 'true'); }
      showErrors();
    }
  });
  function fmt(x) {
    if (x === null || x === undefined || isNaN(x)) { return '—'; }
    var a = Math.abs(x);
    return a >= 1000 ? x.toFixed(0) : a >= 100 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toPrecision(3);
  }
  function pct(x) { return (x >= 0 ? '+' : '') + x.toFixed(1) + '%'; }

  body.setAttribute('data-charts', String(total));
  if (total === 0) { body.setAttribute('data-render-complete', 'true'); }
  var parent = document.getElementById('charts');
  doc.series.forEach(function (s) {
    try {
      var box = document.createElement('div');
      box.className = 'chart' + (s.changes.length ? ' changed' : '');
      var h = document.createElement('h3');
      h.textContent = s.name;
      box.appendChild(h);
      var p = document.createElement('p');
      p.className = 'note';
      p.textContent = s.metric + ' (' + s.unit + ', ' + (s.higherIsBetter ? 'higher' : 'lower') + ' is better) · ' + s.device + ' · '
        + s.configuration + ' · ' + s.points.length + ' runs' + (s.gaps ? ' · ' + s.gaps + ' run(s) without a value' : '')
        + (s.skipped ? ' · ' + s.skipped : '');
      box.appendChild(p);
      var wrap = document.createElement('div');
      wrap.className = 'canvas-wrap';
      wrap.style.height = '260px';
      var canvas = document.createElement('canvas');
      wrap.appendChild(canvas);
      box.appendChild(wrap);
      parent.appendChild(box);

      var annotations = {};
      var cuts = [0];
      s.changes.forEach(function (c, i) {
        changeLines++;
        cuts.push(c.index);
        annotations['change' + i] = {
          type: 'line', xMin: c.index - 0.5, xMax: c.index - 0.5, borderColor: c.direction === 'slower' ? '#d62728' : '#2ca02c',
          borderWidth: 2, label: { display: true, position: 'start', font: { size: 11 },
            content: pct(c.changePct) + (c.lowPct === null ? '' : ' [' + pct(c.lowPct) + ', ' + pct(c.highPct) + ']') + ' at #' + (c.index + 1) } };
      });
      cuts.push(s.points.length);
      cuts.sort(function (a, b) { return a - b; });
      for (var k = 0; k + 1 < cuts.length; k++) {
        var seg = s.points.slice(cuts[k], cuts[k + 1]), sum = 0;
        seg.forEach(function (q) { sum += q.mean; });
        annotations['segment' + k] = { type: 'line', xMin: cuts[k], xMax: cuts[k + 1] - 1, yMin: sum / seg.length, yMax: sum / seg.length,
          borderColor: 'rgba(68,68,68,0.7)', borderDash: [6, 4], borderWidth: 1 };
      }
      var labels = s.points.map(function (q, i) { return '#' + (i + 1) + ' ' + q.label; });
      new Chart(canvas, {
        type: 'line',
        data: { labels: labels, datasets: [
          { label: '95% CI low', data: s.points.map(function (q) { return q.lo === null ? q.mean : q.lo; }), pointRadius: 0, borderWidth: 0, fill: false },
          { label: '95% CI of the run mean', data: s.points.map(function (q) { return q.hi === null ? q.mean : q.hi; }), pointRadius: 0, borderWidth: 0,
            fill: '-1', backgroundColor: 'rgba(31,119,180,0.18)' },
          { label: 'run mean', data: s.points.map(function (q) { return q.mean; }), borderColor: 'rgba(31,119,180,1)',
            backgroundColor: 'rgba(31,119,180,1)', pointRadius: 2.5, borderWidth: 1.5 }] },
        options: { scales: { y: { title: { display: true, text: s.unit } }, x: { ticks: { maxRotation: 60, autoSkip: true } } },
                   plugins: { legend: { labels: { filter: function (it) { return it.text !== '95% CI low'; } } },
                              annotation: { annotations: annotations },
                              tooltip: { callbacks: { label: function (ctx) {
                                var q = s.points[ctx.dataIndex];
                                return q.runId + ': ' + fmt(q.mean) + ' [' + fmt(q.lo) + ', ' + fmt(q.hi) + '], n = ' + q.n;
                              } } } } }
      });
    } catch (e) { errors.push(String(e && e.message || e)); showErrors(); }
  });
  body.setAttribute('data-changes', String(changeLines));
})();
