//! The what-if page script: select accounts (click, or a lasso drawn with the
//! pointer), assign them, recount every criterion's balance and the travel
//! indicator, undo, export the edited `assignment.csv`. A test hook
//! (`#whatif=TERRITORY,x0,y0,x1,y1`) draws a lasso round that rectangle of
//! the map with real pointer events, assigns, exports, undoes, and writes what
//! it saw into `#test-results`.

pub(crate) const SCRIPT: &str = r#"<script>
(function () {
  var el = document.getElementById('whatif-data');
  if (!el) return;
  var data = JSON.parse(el.textContent);
  var map = document.getElementById('map');
  var circles = document.querySelectorAll('#accounts circle');
  var A = data.accounts, T = data.territories, C = data.criteria;
  // With every account drawn as a circle, edits restyle the circles; when
  // accounts are shaded cells, selected and edited accounts get marks of
  // their own, placed by the map's transform.
  var points = circles.length === A.length;
  var f = (map.getAttribute('data-frame') || '0 0 1 1 0').split(' ').map(Number);
  function px(i) { return [f[4] + (A[i][6] - f[0]) * f[2], f[4] + (f[1] - A[i][5]) * f[3]]; }
  var marks = {}, layer = null;
  var original = A.map(function (a) { return a[1]; });
  var current = original.slice();
  var selected = {};
  var history = [];
  var SVGNS = 'http://www.w3.org/2000/svg';
  function km(i, t) {
    var c = T[t].centre, lat = A[i][5], lon = A[i][6];
    var x = (lon - c[1]) * Math.cos((lat + c[0]) * Math.PI / 360) * 111.32, y = (lat - c[0]) * 111.32;
    return Math.sqrt(x * x + y * y);
  }
  function recount(assign) {
    var sums = T.map(function () { return C.map(function () { return 0; }); });
    var dist = 0, n = 0;
    A.forEach(function (a, i) {
      var t = assign[i];
      if (t === null || t === undefined) return;
      C.forEach(function (_, c) { sums[t][c] += a[7][c] || 0; });
      dist += km(i, t); n += 1;
    });
    var worst = C.map(function (_, c) {
      return T.reduce(function (w, t, j) {
        var target = t.targets[c];
        return Math.max(w, target > 0 ? Math.abs(sums[j][c] - target) / target : 0);
      }, 0);
    });
    return {sums: sums, worst: worst, mean_km: n ? dist / n : 0};
  }
  var before = recount(original);
  function pct(v) { return (v * 100).toFixed(1) + '%'; }
  function esc(t) { return String(t).replace(/[&<>"]/g, function (c) { return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]; }); }
  function render() {
    var now = recount(current);
    var html = '<table id="whatif-criteria"><thead><tr><th>criterion</th><th>tolerance</th><th>worst in the plan</th><th>worst now</th><th></th></tr></thead><tbody>';
    C.forEach(function (c, k) {
      var ok = now.worst[k] <= c.tolerance + 1e-9;
      html += '<tr data-criterion="' + esc(c.name) + '"><td>' + esc(c.name) + '</td><td>±' + pct(c.tolerance) + '</td><td>' + pct(before.worst[k]) +
        '</td><td class="' + (ok ? 'ok' : 'miss') + '">' + pct(now.worst[k]) + '</td><td class="' + (ok ? 'ok' : 'miss') + '">' + (ok ? '✓' : '✗') + '</td></tr>';
    });
    html += '<tr id="whatif-travel"><td>travel indicator</td><td></td><td>' + before.mean_km.toFixed(2) + ' km</td><td>' + now.mean_km.toFixed(2) +
      ' km</td><td class="l note">mean distance from an account to its territory centre</td></tr></tbody></table>';
    document.getElementById('whatif-balance').innerHTML = html;
    var rows = '<table><thead><tr><th>territory</th>' + C.map(function (c) { return '<th>' + esc(c.name) + '</th><th>vs target</th>'; }).join('') + '</tr></thead><tbody>';
    T.forEach(function (t, j) {
      rows += '<tr data-id="' + esc(t.id) + '"><td>' + esc(t.id) + '</td>';
      C.forEach(function (c, k) {
        var v = now.sums[j][k], target = t.targets[k], d = target > 0 ? v / target - 1 : 0;
        rows += '<td data-value="' + v.toFixed(3) + '">' + (Math.round(v * 10) / 10) + '</td><td class="' + (Math.abs(d) > c.tolerance + 1e-9 ? 'miss' : '') + '">' + (d >= 0 ? '+' : '') + pct(d) + '</td>';
      });
      rows += '</tr>';
    });
    document.getElementById('whatif-territories').innerHTML = rows + '</tbody></table>';
    document.getElementById('selected-count').textContent = Object.keys(selected).length + ' selected';
  }
  function mark(i) {
    var edited = current[i] !== original[i];
    if (!points) {
      if (!layer) { layer = document.createElementNS(SVGNS, 'g'); layer.setAttribute('id', 'whatif-marks'); map.appendChild(layer); }
      var m = marks[i];
      if (!selected[i] && !edited) { if (m) { m.remove(); delete marks[i]; } return; }
      if (!m) {
        var q = px(i);
        m = marks[i] = document.createElementNS(SVGNS, 'circle');
        m.setAttribute('cx', q[0].toFixed(1)); m.setAttribute('cy', q[1].toFixed(1)); m.setAttribute('r', '2.4');
        m.setAttribute('fill', 'none'); m.setAttribute('data-id', A[i][0]);
        layer.appendChild(m);
      }
      m.setAttribute('stroke', selected[i] ? '#d7191c' : '#111');
      m.setAttribute('stroke-width', '1.4');
      return;
    }
    var c = circles[i];
    if (!c) return;
    c.setAttribute('r', selected[i] || edited ? '3.6' : '2.2');
    c.setAttribute('stroke', selected[i] ? '#d7191c' : (edited ? '#111' : (A[i][2] === 'prospect' ? '#333' : 'none')));
    c.setAttribute('stroke-width', selected[i] || edited ? '1.6' : '0.7');
  }
  function toggle(i, on) { if (on) selected[i] = true; else delete selected[i]; mark(i); }
  function index(c) { return Array.prototype.indexOf.call(circles, c); }
  map.addEventListener('click', function (e) {
    if (!points || document.getElementById('lasso-mode').checked) return;
    var i = index(e.target.closest ? e.target.closest('#accounts circle') : null);
    if (i >= 0) { toggle(i, !selected[i]); render(); }
  });
  function svgPoint(e) {
    var p = map.createSVGPoint(); p.x = e.clientX; p.y = e.clientY;
    return p.matrixTransform(map.getScreenCTM().inverse());
  }
  var lasso = null, ring = [];
  map.addEventListener('pointerdown', function (e) {
    if (!document.getElementById('lasso-mode').checked) return;
    e.preventDefault();
    ring = [svgPoint(e)];
    lasso = document.createElementNS(SVGNS, 'polyline');
    lasso.setAttribute('id', 'lasso'); lasso.setAttribute('fill', 'rgba(215,25,28,0.08)');
    lasso.setAttribute('stroke', '#d7191c'); lasso.setAttribute('stroke-dasharray', '4 3');
    map.appendChild(lasso);
  });
  map.addEventListener('pointermove', function (e) {
    if (!lasso) return;
    ring.push(svgPoint(e));
    lasso.setAttribute('points', ring.map(function (p) { return p.x + ',' + p.y; }).join(' '));
  });
  function inside(x, y) {
    var c = false;
    for (var k = 0, m = ring.length - 1; k < ring.length; m = k++) {
      var a = ring[k], b = ring[m];
      if ((a.y > y) !== (b.y > y) && x < a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x)) c = !c;
    }
    return c;
  }
  map.addEventListener('pointerup', function () {
    if (!lasso) return;
    if (points) {
      Array.prototype.forEach.call(circles, function (c, i) {
        if (inside(+c.getAttribute('cx'), +c.getAttribute('cy'))) toggle(i, true);
      });
    } else {
      for (var i = 0; i < A.length; i++) {
        var q = px(i);
        if (inside(q[0], q[1])) toggle(i, true);
      }
    }
    lasso.remove(); lasso = null; ring = [];
    render();
  });
  var target = document.getElementById('assign-to');
  document.getElementById('assign').addEventListener('click', function () {
    var t = T.findIndex(function (x) { return x.id === target.value; });
    var step = [];
    Object.keys(selected).forEach(function (k) { var i = +k; step.push([i, current[i]]); current[i] = t; });
    if (!step.length) return;
    history.push(step);
    selected = {};
    step.forEach(function (s) { mark(s[0]); });
    render();
  });
  document.getElementById('undo').addEventListener('click', function () {
    var step = history.pop();
    if (!step) return;
    step.forEach(function (s) { current[s[0]] = s[1]; mark(s[0]); });
    render();
  });
  document.getElementById('clear').addEventListener('click', function () {
    Object.keys(selected).forEach(function (k) { toggle(+k, false); });
    render();
  });
  function csvField(v) { v = String(v); return /[",\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; }
  function exported() {
    var out = 'account,territory,previous_territory,moved,locked,status,workload_hours\n';
    A.forEach(function (a, i) {
      var t = current[i], o = original[i];
      var edited = t !== o;
      out += [a[0], t === null ? '' : T[t].id, o === null ? '' : T[o].id, edited, edited || a[4], a[2], a[3].toFixed(3)].map(csvField).join(',') + '\n';
    });
    return out;
  }
  document.getElementById('export').addEventListener('click', function () {
    var link = document.getElementById('download');
    link.href = URL.createObjectURL(new Blob([exported()], {type: 'text/csv'}));
    link.hidden = false;
    link.click();
  });
  render();
  var test = /^#whatif=([^,]*),([-\d.]+),([-\d.]+),([-\d.]+),([-\d.]+)$/.exec(location.hash);
  if (test) {
    var t0 = performance.now();
    var ctm = map.getScreenCTM();
    function at(x, y) { var p = map.createSVGPoint(); p.x = x; p.y = y; return p.matrixTransform(ctm); }
    var x0 = +test[2], y0 = +test[3], x1 = +test[4], y1 = +test[5];
    document.getElementById('lasso-mode').checked = true;
    [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]].forEach(function (q, k) {
      var p = at(q[0], q[1]);
      map.dispatchEvent(new PointerEvent(k === 0 ? 'pointerdown' : 'pointermove', {clientX: p.x, clientY: p.y, bubbles: true}));
    });
    map.dispatchEvent(new PointerEvent('pointerup', {bubbles: true}));
    var picked = Object.keys(selected).map(function (k) { return A[+k][0]; });
    target.value = decodeURIComponent(test[1]);
    document.getElementById('assign').click();
    var table = {};
    document.querySelectorAll('#whatif-territories tr[data-id]').forEach(function (tr) {
      table[tr.getAttribute('data-id')] = Array.prototype.map.call(tr.querySelectorAll('td[data-value]'), function (td) { return +td.getAttribute('data-value'); });
    });
    var worst = Array.prototype.map.call(document.querySelectorAll('#whatif-criteria tr[data-criterion] td:nth-child(4)'), function (td) { return td.textContent; });
    var csv = exported();
    document.getElementById('undo').click();
    var restored = current.every(function (t, i) { return t === original[i]; });
    document.getElementById('test-results').textContent = JSON.stringify({selected: picked, sums: table, worst: worst, csv: csv, restored: restored, ms: Math.round(performance.now() - t0)});
  }
})();
</script>"#;
