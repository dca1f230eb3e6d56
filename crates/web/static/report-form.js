// Unit report form: nothing typed is lost.
// - Every keystroke is kept in localStorage (per report and version), so a
//   reload or a crash restores what was typed but not yet saved.
// - A draft is saved in the background every 20 seconds while there are
//   unsaved changes (PUT /api/v1/reports/{id} with the version read); a
//   conflict (someone else saved) stops the background save and tells the user
//   to save with the button, which shows both versions.
(function () {
  'use strict';
  var form = document.getElementById('report-form');
  if (!form || !window.localStorage || !window.fetch) { return; }
  var id = form.getAttribute('data-report');
  var key = 'langnghe-report-' + id;
  var versionInput = document.getElementById('f-version');
  var status = document.getElementById('autosave-status');
  var note = document.getElementById('restore-note');
  var csrf = form.querySelector('input[name="csrf_token"]').value;
  var dirty = false;
  var stopped = false;

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && el.type === 'text') || (el.tagName === 'INPUT' && !el.type));
    });
  }
  function snapshot() {
    var data = {};
    fields().forEach(function (el) { data[el.name] = el.value; });
    return data;
  }
  function store() {
    try {
      localStorage.setItem(key, JSON.stringify({ version: versionInput.value, at: Date.now(), fields: snapshot() }));
    } catch (e) { /* storage full or disabled: the background save still runs */ }
  }
  function restore() {
    var raw = localStorage.getItem(key);
    if (!raw) { return; }
    var saved;
    try { saved = JSON.parse(raw); } catch (e) { localStorage.removeItem(key); return; }
    if (!saved || saved.version !== versionInput.value) { localStorage.removeItem(key); return; }
    var changed = false;
    fields().forEach(function (el) {
      if (Object.prototype.hasOwnProperty.call(saved.fields, el.name) && saved.fields[el.name] !== el.value) {
        el.value = saved.fields[el.name];
        changed = true;
      }
    });
    if (changed) {
      dirty = true;
      if (note) { note.hidden = false; }
    }
  }
  function payload() {
    var data = snapshot();
    var body = { version: parseInt(versionInput.value, 10), lines: [] };
    ['results', 'difficulties', 'causes', 'proposals'].forEach(function (k) {
      if (Object.prototype.hasOwnProperty.call(data, k)) { body[k] = data[k]; }
    });
    var ids = {};
    Object.keys(data).forEach(function (name) {
      var m = /^(value|comment)-(\d+)$/.exec(name);
      if (m) { ids[m[2]] = true; }
    });
    Object.keys(ids).forEach(function (lineId) {
      body.lines.push({ id: parseInt(lineId, 10), value: data['value-' + lineId], comment: data['comment-' + lineId] });
    });
    return body;
  }
  function autosave() {
    if (!dirty || stopped) { return; }
    dirty = false;
    fetch('/api/v1/reports/' + id, {
      method: 'PUT',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf, 'Accept': 'application/json' },
      body: JSON.stringify(payload())
    }).then(function (res) {
      if (res.ok) {
        return res.json().then(function (view) {
          versionInput.value = String(view.version);
          form.setAttribute('data-version', String(view.version));
          localStorage.removeItem(key);
          if (status) { status.textContent = (status.getAttribute('data-saved') || document.documentElement.lang === 'en' ? 'Draft saved at ' : 'Đã tự động lưu nháp lúc ') + new Date().toLocaleTimeString(); }
        });
      }
      if (res.status === 409) {
        stopped = true;
        if (status) { status.textContent = document.documentElement.lang === 'en' ? 'Someone else saved this report: press Save to compare.' : 'Người khác vừa lưu báo cáo này: bấm Lưu để so sánh hai phiên bản.'; }
      } else {
        dirty = true;
      }
      return null;
    }).catch(function () { dirty = true; });
  }
  restore();
  form.addEventListener('input', function () { dirty = true; store(); });
  form.addEventListener('submit', function () { stopped = true; });
  window.setInterval(autosave, 20000);
}());
