// align review: the page. Hand-written, no dependencies.
// Every piece of text from the server goes into the DOM as a text node
// (textContent / append of strings), never as HTML.
'use strict';

(function () {
  const state = {
    project: null, tid: null, rows: [], cur: 0, who: '', generation: null, lastEvent: 0,
    moved: new Set(), sel: new Map(), form: null, pendingReload: false, busy: false,
  };
  const params = new URLSearchParams(location.search);
  const POLL = params.has('poll') ? Number(params.get('poll')) : 5000;
  const KEY_WHO = 'align-review-editor';
  const DECISION_LABEL = {'accept': 'accepted', 'false-positive': 'false positive', 'fixed': 'fixed'};

  // ------------------------------------------------------------------ DOM helpers

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : String(c));  // strings become text nodes
    }
    return el;
  }
  const $ = (id) => document.getElementById(id);

  function say(message, bad) {
    const st = $('status');
    st.textContent = message || '';
    st.className = bad ? 'bad' : '';
  }

  function requestId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + '-' + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  }

  // ------------------------------------------------------------------ API

  async function api(method, path, body) {
    const opt = {method, headers: {'Accept': 'application/json'}, credentials: 'same-origin'};
    if (body !== undefined) {
      opt.headers['Content-Type'] = 'application/json';
      opt.body = JSON.stringify(Object.assign({who: state.who, request: requestId()}, body));
    }
    let res;
    try {
      res = await fetch(path, opt);
    } catch (e) {
      return {ok: false, status: 0, data: {message: 'the server cannot be reached: ' + e}};
    }
    let data;
    try { data = await res.json(); } catch (e) { data = {message: res.status + ' ' + res.statusText}; }
    return {ok: res.ok, status: res.status, data};
  }

  const tpath = (what) => '/api/translations/' + encodeURIComponent(state.tid) + '/' + what;

  // ------------------------------------------------------------------ loading

  async function loadProject() {
    const r = await api('GET', '/api/project');
    if (!r.ok) { say(r.data.message || 'cannot load the project', true); return; }
    state.project = r.data;
    $('title').textContent = r.data.title ? 'Review: ' + r.data.title : 'Review';
    document.title = $('title').textContent;
    const sel = $('tid');
    sel.replaceChildren(...r.data.translations.map((t) => h('option', {value: t}, t)));
    const wanted = params.get('t');
    state.tid = r.data.translations.includes(wanted) ? wanted : r.data.translations[0];
    sel.value = state.tid;
    state.lastEvent = r.data.last_event;
    await loadRows();
  }

  async function loadRows(keepId) {
    const keep = keepId !== undefined ? keepId : (state.rows[state.cur] || {}).id;
    const r = await api('GET', tpath('rows'));
    if (!r.ok) { say(r.data.message || 'cannot load the rows', true); return; }
    state.rows = r.data.rows;
    state.generation = r.data.generation;
    state.lastEvent = Math.max(state.lastEvent, r.data.last_event);
    const at = state.rows.findIndex((x) => x.id === keep);
    state.cur = at >= 0 ? at : Math.min(state.cur, state.rows.length - 1);
    renderUnplaced(r.data.unplaced_flags);
    render();
  }

  // ------------------------------------------------------------------ rendering

  function openFlags(row) {
    return row.flags.filter((f) => !f.decision || f.decision.decision === 'accept');
  }

  function renderCounts() {
    const rows = state.rows;
    const approved = rows.filter((r) => r.approved).length;
    const edited = rows.filter((r) => r.origin === 'edited').length;
    const flags = rows.reduce((n, r) => n + r.flags.length, 0);
    const decided = rows.reduce((n, r) => n + r.flags.filter((f) => f.decision).length, 0);
    $('counts').textContent = rows.length + ' rows · ' + approved + ' approved · ' + edited + ' edited · ' +
      flags + ' flags, ' + decided + ' decided';
    const p = state.project;
    $('sub').textContent = p ? p.source_segments + ' source segments · translations ' + p.translations.join(', ') +
      ' · project ' + p.db : '';
    $('colhead-t').textContent = 'Translation: ' + state.tid;
  }

  function segs(list, lang) {
    if (!list.length) return h('div', {class: 'empty'}, lang === 'zh' ? '— no source: added by the translator —' : '— not translated —');
    return list.map((s) => h('span', {class: 'seg' + (s.heading ? ' h' : '')}, h('span', {class: 'ix'}, '§' + s.index), s.text));
  }

  function selectedFlag(row) {
    const keys = row.flags.map((f) => f.key);
    const chosen = state.sel.get(row.id);
    if (chosen && keys.includes(chosen)) return chosen;
    const undecided = row.flags.find((f) => !f.decision);
    return undecided ? undecided.key : (row.flags[0] || {}).key;
  }

  function renderFlag(row, f, selected) {
    const closed = f.decision && f.decision.decision !== 'accept';
    const dec = f.decision ? h('div', {class: 'dec'},
      h('b', {class: 'd-' + f.decision.decision}, DECISION_LABEL[f.decision.decision] || f.decision.decision),
      ' by ', f.decision.who, ', ', when(f.decision.at), f.decision.comment ? ': ' + f.decision.comment : '') : null;
    const btn = (label, decision, key) => h('button', {type: 'button', 'data-decision': String(decision),
      title: label + ' (' + key + ')', onclick: () => { state.sel.set(row.id, f.key); openDecision(row, f, decision); }}, label);
    return h('div', {class: 'flag' + (closed ? ' closed' : '') + (selected ? ' sel' : ''), 'data-flag': f.key},
      h('span', {class: 'badge k-' + f.kind.replace(/[^a-z-]/g, '')}, f.kind),
      h('span', {class: 'msg'}, f.message), dec,
      h('div', {class: 'btns'}, btn('Accept', 'accept', '1'), btn('False positive', 'false-positive', '2'),
        btn('Fixed', 'fixed', '3'), f.decision ? btn('Undecide', null, '0') : null));
  }

  function when(iso) {
    return String(iso || '').replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  }

  function renderRow(row, i) {
    const sel = selectedFlag(row);
    const cls = ['row'];
    if (openFlags(row).length) cls.push('flagged');
    if (row.approved) cls.push('approved');
    if (i === state.cur) cls.push('cur');
    if (state.moved.has(row.id)) cls.push('moved');
    const low = row.confidence < 0.35 && row.status === 'machine';
    const side = h('div', {class: 'side'},
      row.flags.map((f) => renderFlag(row, f, row.flags.length > 1 && f.key === sel)),
      row.comments.map((c) => h('div', {class: 'cmt'}, h('div', {class: 'by'}, c.who + ', ' + when(c.at)), c.text)),
      h('div', {class: 'btns'},
        h('button', {type: 'button', 'data-act': 'approve', title: 'a', onclick: () => { go(i); approve(row); }},
          row.approved ? 'Unapprove' : 'Approve'),
        i + 1 < state.rows.length ? h('button', {type: 'button', 'data-act': 'merge', title: 'm',
          onclick: () => { go(i); merge(row); }}, 'Merge ↓') : null,
        row.src.length + row.tgt.length > 1 ? h('button', {type: 'button', 'data-act': 'split', title: 's',
          onclick: () => { go(i); openSplit(row); }}, 'Split') : null,
        h('button', {type: 'button', 'data-act': 'comment', title: 'c', onclick: () => { go(i); openComment(row); }},
          'Comment')));
    if (state.form && state.form.rowId === row.id) side.append(state.form.el);
    return h('div', {class: cls.join(' '), id: 'r-' + row.id, 'data-id': row.id, 'data-version': row.version,
      onclick: (e) => { if (e.target.closest('button,textarea,input,select')) return; go(i); }},
      h('div', {class: 'n'}, h('div', {class: 'pos'}, row.position),
        h('span', {class: 'st st-' + row.status}, row.status),
        h('div', {class: 'conf' + (low ? ' low' : '')}, row.status === 'machine' ? row.confidence.toFixed(2) : '')),
      h('div', {class: 's', lang: 'zh'}, segs(row.source, 'zh')),
      h('div', {class: 't', lang: 'en'}, segs(row.target, 'en')),
      side);
  }

  function render() {
    const frag = document.createDocumentFragment();
    state.rows.forEach((row, i) => frag.append(renderRow(row, i)));
    $('rows').replaceChildren(frag);
    renderCounts();
    if (state.form) {
      const input = state.form.el.querySelector('textarea,input');
      if (input && document.activeElement !== input) input.focus();
    }
  }

  function renderUnplaced(flags) {
    $('unplaced').replaceChildren(...(flags || []).map((f) => h('li', {}, h('span', {class: 'badge k-' + f.kind.replace(/[^a-z-]/g, '')}, f.kind), f.message)));
  }

  function go(i, scroll) {
    if (i < 0 || i >= state.rows.length) return;
    const old = $('r-' + (state.rows[state.cur] || {}).id);
    if (old) old.classList.remove('cur');
    state.cur = i;
    const el = $('r-' + state.rows[i].id);
    if (el) {
      el.classList.add('cur');
      if (scroll) el.scrollIntoView({block: 'nearest'});
    }
  }

  // ------------------------------------------------------------------ results

  function applyResult(data) {
    if (data.translation && data.translation !== state.tid) {
      say(data.summary + ' (in translation ' + data.translation + ')');
      return;
    }
    const removed = new Set(data.removed || []);
    const byId = new Map((data.rows || []).map((r) => [r.id, r]));
    const keep = (state.rows[state.cur] || {}).id;
    let rows = state.rows.filter((r) => !removed.has(r.id) && !byId.has(r.id));
    rows = rows.concat(data.rows || []).sort((a, b) => a.order - b.order);
    rows.forEach((r, k) => { r.position = k + 1; });
    state.rows = rows;
    if (data.generation) state.generation = data.generation;
    state.moved = new Set(data.moved || []);
    if (data.last_event) state.lastEvent = Math.max(state.lastEvent, data.last_event);
    let at = rows.findIndex((r) => r.id === keep);
    if (at < 0 && data.rows && data.rows.length) at = rows.findIndex((r) => r.id === data.rows[0].id);
    state.cur = at >= 0 ? at : Math.min(state.cur, rows.length - 1);
    render();
    let msg = data.summary || 'saved';
    if (data.moved && data.moved.length) {
      const pos = rows.filter((r) => state.moved.has(r.id)).map((r) => r.position);
      msg += ' (moved: row' + (pos.length > 1 ? 's ' : ' ') + pos.join(', ') + ')';
    }
    say(msg);
  }

  async function edit(action, body, onConflict) {
    if (!state.who) { askWho(); return false; }
    if (state.busy) return false;
    state.busy = true;
    try {
      const path = action === 'undo' || action === 'redo' ? '/api/' + action : tpath(action);
      const r = await api('POST', path, body);
      if (r.ok) {
        applyResult(r.data);
        if (r.data.event === null) say(r.data.summary);
        return true;
      }
      if (r.status === 409) {
        if (onConflict) onConflict();
        if (r.data.reload || !(r.data.rows || []).length || (r.data.translation && r.data.translation !== state.tid)) {
          await loadRows();
        } else {
          applyResult({rows: r.data.rows, removed: [], summary: ''});
        }
        say('Not saved — ' + r.data.message, true);
        return false;
      }
      say('Not saved — ' + (r.data.message || ('error ' + r.status)), true);
      return false;
    } finally {
      state.busy = false;
    }
  }

  const ref = (row) => ({id: row.id, version: row.version});

  // ------------------------------------------------------------------ actions

  function approve(row) {
    return edit('approve', {row: ref(row), approved: !row.approved});
  }

  function merge(row) {
    const i = state.rows.indexOf(row);
    const next = state.rows[i + 1];
    if (!next) { say('the last row has no next row to merge with', true); return; }
    return edit('merge', {rows: [ref(row), ref(next)], realign: true});
  }

  function closeForm() {
    state.form = null;
    render();
    if (state.pendingReload) { state.pendingReload = false; loadRows(); }
  }

  function formKeys(e, save) {
    if (e.key === 'Escape') { e.preventDefault(); closeForm(); }
    else if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); save(); }
  }

  function openComment(row, text) {
    const ta = h('textarea', {'aria-label': 'Comment', maxlength: 4000, placeholder: 'Comment on this row (Enter saves, Shift+Enter new line, Esc cancels)'});
    ta.value = text || '';
    const save = async () => {
      const value = ta.value;
      if (!value.trim()) { say('a comment needs some text', true); return; }
      const current = state.rows.find((r) => r.id === row.id) || row;
      let kept = false;
      const ok = await edit('comment', {row: ref(current), text: value}, () => { kept = true; });
      if (ok) closeForm();
      else if (kept) { const again = state.rows.find((r) => r.id === row.id); if (again) openComment(again, value); }
    };
    const el = h('div', {class: 'form', 'data-form': 'comment'}, ta, h('div', {class: 'line'},
      h('button', {type: 'button', class: 'primary', onclick: save}, 'Save comment'),
      h('button', {type: 'button', onclick: closeForm}, 'Cancel')));
    ta.addEventListener('keydown', (e) => formKeys(e, save));
    state.form = {rowId: row.id, el};
    render();
  }

  function openDecision(row, flag, decision, text) {
    if (decision === null) {
      return edit('decide', {row: ref(row), flag: flag.key, decision: null, comment: ''});
    }
    const input = h('input', {type: 'text', 'aria-label': 'Comment on the decision', maxlength: 4000,
      placeholder: 'why (optional) — Enter saves, Esc cancels'});
    input.value = text !== undefined ? text : (flag.decision ? flag.decision.comment : '');
    const save = async () => {
      const value = input.value;
      const current = state.rows.find((r) => r.id === row.id) || row;
      let kept = false;
      const ok = await edit('decide', {row: ref(current), flag: flag.key, decision, comment: value}, () => { kept = true; });
      if (ok) closeForm();
      else if (kept) {
        const again = state.rows.find((r) => r.id === row.id);
        const f = again && again.flags.find((x) => x.key === flag.key);
        if (f) openDecision(again, f, decision, value);
      }
    };
    const el = h('div', {class: 'form', 'data-form': 'decide'},
      h('div', {class: 'line'}, h('b', {}, (DECISION_LABEL[decision] || decision) + ': '), flag.kind), input,
      h('div', {class: 'line'}, h('button', {type: 'button', class: 'primary', onclick: save}, 'Save decision'),
        h('button', {type: 'button', onclick: closeForm}, 'Cancel')));
    input.addEventListener('keydown', (e) => formKeys(e, save));
    state.form = {rowId: row.id, el};
    render();
  }

  function openSplit(row) {
    const ns = row.src.length, nt = row.tgt.length;
    if (ns + nt < 2) { say('a row of one segment cannot be split', true); return; }
    let a = ns > 1 ? Math.ceil(ns / 2) : ns, b = nt > 1 ? Math.ceil(nt / 2) : (ns > 1 ? nt : 0);
    if ((a === 0 && b === 0) || (a === ns && b === nt)) { a = ns > 0 ? 1 : 0; b = ns > 0 ? 0 : 1; }
    const sa = h('input', {type: 'number', min: 0, max: ns, 'aria-label': 'source segments in the first part'});
    const tb = h('input', {type: 'number', min: 0, max: nt, 'aria-label': 'target segments in the first part'});
    sa.value = a; tb.value = b;
    const save = async () => {
      const current = state.rows.find((r) => r.id === row.id) || row;
      const ok = await edit('split', {row: ref(current), src_at: Number(sa.value), tgt_at: Number(tb.value), realign: true});
      if (ok) closeForm();
    };
    const el = h('div', {class: 'form', 'data-form': 'split'},
      h('div', {class: 'line'}, 'First part: ', sa, ' of ' + ns + ' source and ', tb, ' of ' + nt + ' target segments'),
      h('div', {class: 'line'}, h('button', {type: 'button', class: 'primary', onclick: save}, 'Split'),
        h('button', {type: 'button', onclick: closeForm}, 'Cancel')));
    for (const x of [sa, tb]) x.addEventListener('keydown', (e) => formKeys(e, save));
    state.form = {rowId: row.id, el};
    render();
  }

  function realign() {
    return edit('realign', {generation: state.generation});
  }

  function nextFlag(step) {
    for (let i = state.cur + step; i >= 0 && i < state.rows.length; i += step) {
      if (openFlags(state.rows[i]).length) { go(i, true); return; }
    }
    say('no more open flags ' + (step > 0 ? 'below' : 'above'));
  }

  function decideKey(decision) {
    const row = state.rows[state.cur];
    if (!row || !row.flags.length) { say('this row has no flag', true); return; }
    const key = selectedFlag(row);
    const flag = row.flags.find((f) => f.key === key);
    if (decision === null && !flag.decision) { say('this flag has no decision to take back', true); return; }
    openDecision(row, flag, decision);
  }

  // ------------------------------------------------------------------ keys

  function onKey(e) {
    if (e.target.closest && e.target.closest('input,textarea,select')) return;
    if (e.altKey || e.metaKey) return;
    const row = state.rows[state.cur];
    if (e.ctrlKey) {
      if (e.key === 'z' || e.key === 'Z') { e.preventDefault(); edit(e.shiftKey ? 'redo' : 'undo', {}); }
      return;
    }
    const actions = {
      'j': () => go(state.cur + 1, true), 'k': () => go(state.cur - 1, true),
      'ArrowDown': () => go(state.cur + 1, true), 'ArrowUp': () => go(state.cur - 1, true),
      'n': () => nextFlag(1), 'p': () => nextFlag(-1),
      'a': () => row && approve(row), 'm': () => row && merge(row), 's': () => row && openSplit(row),
      'c': () => row && openComment(row), '1': () => decideKey('accept'), '2': () => decideKey('false-positive'),
      '3': () => decideKey('fixed'), '0': () => decideKey(null), 'u': () => edit('undo', {}), 'U': () => edit('redo', {}),
      'r': () => realign(), '?': () => { $('help').hidden = !$('help').hidden; },
      'Tab': () => {
        if (!row || row.flags.length < 2) return false;
        const keys = row.flags.map((f) => f.key);
        state.sel.set(row.id, keys[(keys.indexOf(selectedFlag(row)) + (e.shiftKey ? keys.length - 1 : 1)) % keys.length]);
        render();
      },
      'Escape': () => { if (state.form) closeForm(); else say(''); },
    };
    const act = actions[e.key];
    if (act && act() !== false) e.preventDefault();
  }

  // ------------------------------------------------------------------ the editor's name

  function askWho() {
    $('who-form').hidden = false;
    $('who-input').value = state.who;
    $('who-input').focus();
  }

  function setWho(name) {
    state.who = name.trim().slice(0, 80);
    try { localStorage.setItem(KEY_WHO, state.who); } catch (e) { /* private mode: kept for this page */ }
    $('who-name').textContent = state.who || '—';
  }

  // ------------------------------------------------------------------ others' edits

  async function poll() {
    if (!(POLL > 0)) return;
    const r = await api('GET', '/api/events?after=' + state.lastEvent + '&limit=200');
    if (r.ok) {
      const here = r.data.events.some((e) => e.translation === state.tid);
      if (here) {
        if (state.form || state.busy) state.pendingReload = true;
        else await loadRows();
      }
      state.lastEvent = Math.max(state.lastEvent, r.data.last_event);
    }
    setTimeout(poll, POLL);
  }

  // ------------------------------------------------------------------ start

  function start() {
    let saved = '';
    try { saved = localStorage.getItem(KEY_WHO) || ''; } catch (e) { saved = ''; }
    setWho(saved);
    $('who-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const name = $('who-input').value.trim();
      if (!name) return;
      setWho(name);
      $('who-form').hidden = true;
      say('Editing as ' + state.who);
    });
    $('who-change').addEventListener('click', askWho);
    $('undo').addEventListener('click', () => edit('undo', {}));
    $('redo').addEventListener('click', () => edit('redo', {}));
    $('realign').addEventListener('click', realign);
    $('help-toggle').addEventListener('click', () => { $('help').hidden = !$('help').hidden; });
    $('tid').addEventListener('change', (e) => { state.tid = e.target.value; state.cur = 0; state.form = null; state.moved = new Set(); loadRows(-1); });
    document.addEventListener('keydown', onKey);
    if (!state.who) askWho();
    loadProject().then(() => { if (POLL > 0) setTimeout(poll, POLL); });
  }

  start();
})();
