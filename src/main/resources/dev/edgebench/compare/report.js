// edgebench compare report: draws the charts from the embedded compare document.
// Sets on <body>: data-charts (how many charts the page has), data-rendered (how many finished
// drawing), data-painted (how many put pixels on their canvas), data-errors (script errors seen),
// data-render-complete="true" once every chart has rendered. The browser test reads these.
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

  var doc = JSON.parse(document.getElementById('edgebench-data').textContent);
  var EB = window.ChartErrorBars;
  Chart.register(EB.BarWithErrorBarsController, EB.BarWithErrorBar, window['chartjs-plugin-annotation']);

  var COLORS = { slower: '#d62728', worse: '#d62728', faster: '#2ca02c', better: '#2ca02c', unchanged: '#7f7f7f',
                 inconclusive: '#e6a700', failed: '#000000' };
  var BASE = 'rgba(31,119,180,0.75)', CUR = 'rgba(255,127,14,0.75)';
  var total = 0, rendered = 0, painted = 0;

  var counter = {
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
  };
  Chart.register(counter);
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  function section(parent, title, note) {
    var box = document.createElement('div');
    box.className = 'chart';
    var h = document.createElement('h3');
    h.textContent = title;
    box.appendChild(h);
    if (note) {
      var p = document.createElement('p');
      p.className = 'note';
      p.textContent = note;
      box.appendChild(p);
    }
    var wrap = document.createElement('div');
    wrap.className = 'canvas-wrap';
    var canvas = document.createElement('canvas');
    wrap.appendChild(canvas);
    box.appendChild(wrap);
    parent.appendChild(box);
    return { canvas: canvas, wrap: wrap };
  }
  function pct(r) { return (r - 1) * 100; }
  function fmt(x) {
    if (x === null || x === undefined || isNaN(x)) { return '—'; }
    var a = Math.abs(x);
    return a >= 1000 ? x.toFixed(0) : a >= 100 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toPrecision(3);
  }

  var plan = [];

  // 1. per metric: baseline vs current means with their 95% CI
  var groups = {};
  doc.metrics.forEach(function (m) {
    var key = m.metric + ' (' + m.unit + ')';
    (groups[key] = groups[key] || []).push(m);
  });
  Object.keys(groups).forEach(function (key) {
    var rows = groups[key];
    plan.push(function (parent) {
      var s = section(parent, key + ': baseline vs current',
        'Bars: mean; whiskers: 95% CI of the mean (Student t). ' + (rows[0].higherIsBetter ? 'Higher is better.' : 'Lower is better.'));
      s.wrap.style.height = Math.max(220, 60 + rows.length * 48) + 'px';
      function pts(side) {
        return rows.map(function (m) {
          var st = m[side];
          if (!st) { return { y: NaN, yMin: NaN, yMax: NaN }; }
          return { y: st.mean, yMin: st.ci95Low === null ? st.mean : st.ci95Low, yMax: st.ci95High === null ? st.mean : st.ci95High };
        });
      }
      return new Chart(s.canvas, {
        type: 'barWithErrorBars',
        data: { labels: rows.map(function (m) { return m.name; }),
                datasets: [{ label: 'baseline', data: pts('baseline'), backgroundColor: BASE },
                           { label: 'current', data: pts('current'), backgroundColor: CUR }] },
        options: { scales: { y: { beginAtZero: true, title: { display: true, text: rows[0].unit } } },
                   plugins: { legend: { position: 'top' } } }
      });
    });
  });

  // 2. ratio chart: change with its bootstrap CI, threshold band
  function ratioChart(title, rows, label, thresholdOf, note) {
    if (!rows.length) { return; }
    plan.push(function (parent) {
      var s = section(parent, title, note);
      s.wrap.style.height = Math.max(200, 70 + rows.length * 30) + 'px';
      var t = thresholdOf(rows[0]) * 100;
      var same = rows.every(function (r) { return thresholdOf(r) === thresholdOf(rows[0]); });
      var data = rows.map(function (r) {
        var lo = r.ratio.low === null ? r.ratio.estimate : r.ratio.low, hi = r.ratio.high === null ? r.ratio.estimate : r.ratio.high;
        return { x: pct(r.ratio.estimate), xMin: pct(lo), xMax: pct(hi) };
      });
      var annotations = {};
      if (same) {
        annotations.band = { type: 'box', xMin: -t, xMax: t, backgroundColor: 'rgba(127,127,127,0.12)', borderWidth: 0,
                             label: { display: true, content: '±' + (+t.toFixed(2)) + '% threshold', position: 'start', font: { size: 10 } } };
      }
      annotations.zero = { type: 'line', xMin: 0, xMax: 0, borderColor: '#444', borderWidth: 1 };
      return new Chart(s.canvas, {
        type: 'barWithErrorBars',
        data: { labels: rows.map(label),
                datasets: [{ label: 'change, current vs baseline (%)', data: data,
                             backgroundColor: rows.map(function (r) { return COLORS[r.verdict] || '#999'; }) }] },
        options: { indexAxis: 'y',
                   scales: { x: { title: { display: true, text: 'change of current vs baseline, % (whiskers: 95% bootstrap CI)' } } },
                   plugins: { legend: { display: false }, annotation: { annotations: annotations },
                              tooltip: { callbacks: { label: function (ctx) {
                                var r = rows[ctx.dataIndex];
                                return r.verdict + ': ' + fmt(pct(r.ratio.estimate)) + '% [' + fmt(pct(r.ratio.low)) + ', ' + fmt(pct(r.ratio.high)) + ']';
                              } } } } }
      });
    });
  }
  var withRatio = doc.metrics.filter(function (m) { return m.ratio.estimate !== null; });
  ratioChart('Change per benchmark (ratio of ' + doc.method.statistic + 's)', withRatio,
    function (m) { return m.name + ' · ' + m.metric; }, function (m) { return m.threshold; },
    'Colour = verdict: red slower, green faster, grey unchanged, amber inconclusive. The shaded band is the threshold: a verdict needs the whole CI outside it.');
  ratioChart('Change of latency percentiles', doc.latency.filter(function (l) { return l.ratio.estimate !== null; }),
    function (l) { return l.name + ' · ' + l.tag + ' p' + l.percentile; }, function (l) { return l.threshold; },
    'Lower is better: a positive change is a slower (worse) latency. Whiskers: 95% CI, resampling measurement iterations.');

  // 3. latency percentile curves from the hlogs
  function xOf(p) { return Math.log10(100 / (100 - p)); }
  doc.curves.forEach(function (cv) {
    plan.push(function (parent) {
      var s = section(parent, cv.tag + ' latency percentiles: ' + cv.name,
        'HdrHistogram percentile curve, all measured iterations pooled. x: percentile (log scale of 1/(1−p)); y: ms.');
      s.wrap.style.height = '280px';
      function pts(arr) { return arr.map(function (p) { return { x: xOf(p[0]), y: p[1] / 1000 }; }); }
      var all = cv.baseline.concat(cv.current).map(function (p) { return p[1]; });
      var lo = Math.min.apply(null, all), hi = Math.max.apply(null, all);
      return new Chart(s.canvas, {
        type: 'line',
        data: { datasets: [{ label: 'baseline', data: pts(cv.baseline), borderColor: BASE, backgroundColor: BASE, pointRadius: 0, stepped: true },
                           { label: 'current', data: pts(cv.current), borderColor: CUR, backgroundColor: CUR, pointRadius: 0, stepped: true }] },
        options: { parsing: false,
                   scales: { x: { type: 'linear', min: 0, title: { display: true, text: 'percentile' },
                                  ticks: { stepSize: 1, callback: function (v) { return (100 - 100 / Math.pow(10, v)).toFixed(Math.max(0, v - 2)) + '%'; } } },
                             y: { type: hi / Math.max(lo, 1e-9) > 20 ? 'logarithmic' : 'linear', title: { display: true, text: 'ms' } } } }
      });
    });
  });

  // 4. request-load sweeps: throughput vs latency (one line per side), and goodput per step
  (doc.sweeps || []).forEach(function (sw) {
    function line(side, yKey) {
      return sw.points.filter(function (p) { return p[side + 'OutputTokS'] !== null && p[side + yKey] !== null; })
        .map(function (p) { return { x: p[side + 'OutputTokS'], y: p[side + yKey], step: p.step }; });
    }
    [['TpotMs', 'time per output token (TPOT, ms)'], ['TtftP50Ms', 'time to first token (p50, ms)']].forEach(function (yk) {
      plan.push(function (parent) {
        var s = section(parent, 'Throughput vs ' + yk[1] + ' over the ' + sw.axis + ' sweep: ' + sw.name,
          'Each point one ' + sw.axis + ' step (mean over its samples), in increasing order along each line; x: output tok/s.'
          + ' Down and to the right is better.');
        s.wrap.style.height = '300px';
        return new Chart(s.canvas, {
          type: 'line',
          data: { datasets: [{ label: doc.baseline.label, data: line('baseline', yk[0]), borderColor: BASE, backgroundColor: BASE, pointRadius: 4 },
                             { label: doc.current.label, data: line('current', yk[0]), borderColor: CUR, backgroundColor: CUR, pointRadius: 4 }] },
          options: { parsing: false,
                     scales: { x: { type: 'linear', title: { display: true, text: 'output tok/s' } },
                               y: { type: 'linear', beginAtZero: true, title: { display: true, text: 'ms' } } },
                     plugins: { tooltip: { callbacks: { label: function (ctx) {
                       return ctx.dataset.label + ', ' + sw.axis + ' ' + ctx.raw.step + ': ' + fmt(ctx.raw.x) + ' tok/s, ' + fmt(ctx.raw.y) + ' ms';
                     } } } } }
        });
      });
    });
    plan.push(function (parent) {
      var s = section(parent, 'Goodput per ' + sw.axis + ' step: ' + sw.name,
        'Requests per second that met every SLO (the run\'s --slo; without one, every request that finished), mean over the samples.');
      s.wrap.style.height = '260px';
      return new Chart(s.canvas, {
        type: 'bar',
        data: { labels: sw.points.map(function (p) { return sw.axis + ' ' + p.step; }),
                datasets: [{ label: doc.baseline.label, data: sw.points.map(function (p) { return p.baselineGoodputReqS; }), backgroundColor: BASE },
                           { label: doc.current.label, data: sw.points.map(function (p) { return p.currentGoodputReqS; }), backgroundColor: CUR }] },
        options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'req/s' } } } }
      });
    });
  });

  total = plan.length;
  body.setAttribute('data-charts', String(total));
  if (total === 0) { body.setAttribute('data-render-complete', 'true'); }
  var parent = document.getElementById('charts');
  plan.forEach(function (draw) {
    try { draw(parent); } catch (e) { errors.push(String(e && e.message || e)); showErrors(); }
  });
})();
