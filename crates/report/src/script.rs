//! The page script: day and rep pickers, each rep's day table, stop details
//! on hover or click, and a test hook (`#test=REP,DATE`) that runs those
//! actions in the browser and writes what it saw into `#test-results`, so a
//! headless browser's `--dump-dom` can check the page's own behaviour. Any
//! script error is shown on the page (and checked by the browser test).

pub(crate) const SCRIPT: &str = r#"<script>
(function () {
  var errors = document.getElementById('errors');
  window.addEventListener('error', function (e) { errors.textContent += 'error: ' + e.message + '\n'; });
  var day = document.getElementById('day'), rep = document.getElementById('rep');
  var dataEl = document.getElementById('route-data');
  var data = dataEl ? JSON.parse(dataEl.textContent) : null;
  var info = document.getElementById('stop-info');
  // Each day's figures and route groups are parsed when the day is first
  // picked, so the page loads one day's worth whatever the plan's length.
  var parsed = {};
  function dayData(d) {
    if (!parsed[d]) {
      var el = document.querySelector('script.day-data[data-date="' + d + '"]');
      parsed[d] = el ? JSON.parse(el.textContent) : {days: {}, stops: {}};
    }
    return parsed[d];
  }
  function drawDay(d) {
    var src = document.querySelector('script.route-svg[data-date="' + d + '"]');
    if (!src) return;
    document.getElementById('routes').insertAdjacentHTML('beforeend', src.textContent);
    src.parentNode.removeChild(src);
  }
  var table = document.getElementById('day-table');
  function esc(t) {
    return String(t).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }
  function pct(v) { return (v * 100).toFixed(0) + '%'; }
  function renderTable(d, r) {
    var today = dayData(d);
    var html = '<table id="day-summary"><thead><tr><th>rep</th><th>stops</th><th>depart</th><th>back</th><th>travel min</th><th>travel km</th><th>on duty min</th><th title="minutes on duty over the working day">utilisation</th></tr></thead><tbody>';
    data.reps.forEach(function (p) {
      if (r && p.id !== r) return;
      var x = today.days[p.id];
      if (!x) return;
      html += '<tr data-rep="' + esc(p.id) + '"><td>' + esc(p.id) + (p.name ? ' · ' + esc(p.name) : '') +
        '</td><td>' + x.visits + '</td><td>' + esc(x.depart || '–') + '</td><td>' + esc(x.back || '–') +
        '</td><td>' + x.travel_min + '</td><td>' + x.travel_km.toFixed(1) + '</td><td>' + x.work_min +
        '</td><td>' + pct(x.utilisation) + '</td></tr>';
    });
    html += '</tbody></table>';
    if (r) {
      var stops = today.stops[r] || [];
      html += '<table id="stop-list"><thead><tr><th>#</th><th class="l">account</th><th class="l">name</th><th>arrival</th><th>departure</th><th>service min</th><th>travel min</th><th>km</th><th class="l"></th></tr></thead><tbody>';
      stops.forEach(function (s) {
        html += '<tr data-account="' + esc(s[1]) + '"><td>' + s[0] + '</td><td class="l">' + esc(s[1]) +
          '</td><td class="l">' + esc(s[2]) + '</td><td>' + esc(s[3]) + '</td><td>' + esc(s[4]) +
          '</td><td>' + s[5] + '</td><td>' + s[6] + '</td><td>' + s[7].toFixed(1) + '</td><td class="l">' +
          (s[8] ? 'appointment' : '') + (s[9] > 0 ? ' waits ' + s[9] + ' min' : '') + '</td></tr>';
      });
      if (!stops.length) html += '<tr><td colspan="9">no visits this day</td></tr>';
      html += '</tbody></table>';
    } else {
      html += '<p class="note">Pick a rep to see the stop list.</p>';
    }
    table.innerHTML = html;
  }
  function show() {
    var d = day.value, r = rep.value;
    drawDay(d);
    document.querySelectorAll('.route-day').forEach(function (g) {
      var on = g.getAttribute('data-date') === d && (!r || g.getAttribute('data-rep') === r);
      g.style.display = on ? '' : 'none';
    });
    info.textContent = '';
    renderTable(d, r);
  }
  function pick(e) {
    var s = e.target.closest && e.target.closest('.stop');
    // The stop's details are its tooltip (kept once in the page).
    var t = s && s.querySelector('title');
    if (t) info.textContent = t.textContent;
  }
  var map = document.getElementById('map');
  if (day && data) {
    map.addEventListener('click', pick);
    map.addEventListener('mouseover', pick);
    day.addEventListener('change', show);
    rep.addEventListener('change', show);
    show();
  }
  var test = /^#test=([^,]*),(.*)$/.exec(location.hash);
  if (test && day && data) {
    rep.value = decodeURIComponent(test[1]);
    day.value = decodeURIComponent(test[2]);
    show();
    var visible = Array.prototype.filter.call(document.querySelectorAll('.route-day'), function (g) {
      return g.style.display !== 'none';
    });
    var stops = Array.prototype.map.call(document.querySelectorAll('#stop-list tr[data-account]'), function (tr) {
      return tr.getAttribute('data-account');
    });
    var all = visible.length ? visible[0].querySelectorAll('.stop') : [];
    var hovered = null;
    if (all.length > 1) {
      all[all.length - 1].querySelector('circle').dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
      hovered = info.textContent;
    }
    var first = all.length ? all[0] : null;
    if (first) first.querySelector('circle').dispatchEvent(new MouseEvent('click', {bubbles: true}));
    document.getElementById('test-results').textContent = JSON.stringify({
      rep: rep.value, day: day.value, visible_routes: visible.length, stops: stops,
      clicked: first ? first.getAttribute('data-account') : null, info: info.textContent, hovered: hovered
    });
  }
  document.body.setAttribute('data-ready', String(document.querySelectorAll('#territories path.territory').length));
  // For the page-load benchmark: time from navigation start to the end of
  // this script, and the JS heap when the browser reports it.
  document.body.setAttribute('data-script-ms', performance.now().toFixed(0));
  if (performance.memory) document.body.setAttribute('data-heap-mb', (performance.memory.usedJSHeapSize / 1048576).toFixed(1));
})();
</script>"#;
