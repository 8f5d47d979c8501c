// chatda console: a static page over the public /v1 API (same origin, no framework).
// Every piece of data goes into the DOM through textContent, text nodes or
// createElement, never innerHTML, so document text cannot inject markup.
'use strict';

const KEY_STORE = 'chatda.apiKey';
const SVGNS = 'http://www.w3.org/2000/svg';

// There is no spec endpoint, so the console knows the built-in kinds: the title-like
// field, the facets (filterable + aggregatable in src/schema/specs/*.toml; priority is an
// integer, its buckets have numeric keys), the fields of the small line under the title
// and the prose field shown as a snippet. Other kinds get a generic rendering.
const KINDS = {
  concerts: { title: 'title', facets: ['genre', 'city'], prose: 'description',
    meta: ['artists', 'venue', 'city', 'genre', 'start_date', 'end_date', 'price_min', 'price_max'] },
  tickets: { title: 'subject', facets: ['status', 'category', 'priority', 'assignee'], prose: 'body',
    meta: ['status', 'category', 'priority', 'assignee', 'created_at', 'updated_at'] },
};
const LABELS = {
  genre: '장르', city: '도시', status: '상태', category: '분류', priority: '우선순위',
  assignee: '담당자', artists: '출연', venue: '장소', start_date: '시작', end_date: '종료',
  price_min: '최저가', price_max: '최고가', created_at: '생성', updated_at: '수정',
};
const PALETTE = ['#2f6fde', '#e4572e', '#29a35a', '#f3a712', '#8e44ad', '#17a2b8',
  '#d63384', '#6c757d', '#795548', '#20c997', '#fd7e14', '#343a40'];
const STATUS_COLORS = { open: '#e4572e', pending: '#f3a712', resolved: '#29a35a', closed: '#6c757d' };
const NO_SCHEDULES = 'no schedules configured — 설정된 예약 작업이 없습니다.';

// ---------------------------------------------------------------------------
// Small DOM and formatting helpers

const $ = (sel) => document.querySelector(sel);

// el('td', 'num', 12) or el('button', {className: 'swap', type: 'button'}, 'go', node):
// strings and numbers become text nodes, null and undefined are skipped.
function el(tag, props, ...kids) {
  const e = document.createElement(tag);
  if (typeof props === 'string') e.className = props;
  else if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (k === 'dataset') Object.assign(e.dataset, v);
      else e[k] = v;
    }
  }
  for (const kid of kids) {
    if (kid !== null && kid !== undefined) e.append(kid instanceof Node ? kid : String(kid));
  }
  return e;
}

function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}

// An SVG shape with a hover tooltip.
function titled(shape, text) {
  shape.append(svg('title', {}, text));
  return shape;
}

function button(label, props, onClick) {
  const b = el('button', { type: 'button', ...(typeof props === 'string' ? { className: props } : props) }, label);
  b.addEventListener('click', onClick);
  return b;
}

// A table row holding one cell across `span` columns (empty lists, notes).
const wideRow = (text, span) => el('tr', null, el('td', { className: 'empty', colSpan: span }, text));

const isNone = (v) => v === null || v === undefined;
const fmtInt = (n) => (isNone(n) ? '—' : Number(n).toLocaleString('ko-KR'));
const fmtRate = (r) => (isNone(r) ? '—' : `${fmtInt(Math.round(r))}/s`);

function fmtBytes(n) {
  if (isNone(n)) return '—';
  const i = n >= 1024 ? Math.min(4, Math.floor(Math.log2(n) / 10)) : 0;
  return `${(n / 1024 ** i).toFixed(i ? 1 : 0)} ${['B', 'KiB', 'MiB', 'GiB', 'TiB'][i]}`;
}

function fmtSecs(s) {
  if (isNone(s) || !isFinite(s)) return '—';
  s = Math.max(0, Math.round(s));
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  return h ? `${h}h ${m}m` : m ? `${m}m ${sec}s` : `${sec}s`;
}

// Catalog times are unix milliseconds; future fields may be strings or objects.
function fmtTime(t) {
  if (isNone(t) || t === '') return '—';
  if (typeof t === 'number') return new Date(t).toLocaleString('ko-KR', { hour12: false });
  if (typeof t === 'object') return Object.entries(t).map(([k, v]) => `${k}: ${fmtValue(v)}`).join(', ');
  return String(t);
}

function fmtValue(v) {
  if (isNone(v)) return '—';
  if (Array.isArray(v)) return v.map(fmtValue).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isInteger(v) ? fmtInt(v) : String(v);
  if (typeof v === 'boolean') return v ? '예' : '아니오';
  return String(v);
}

// Aggregation buckets are an array, or an object when an aggregation is keyed.
function bucketsOf(agg) {
  const b = agg && agg.buckets;
  if (Array.isArray(b)) return b;
  if (b && typeof b === 'object') return Object.entries(b).map(([key, v]) => ({ key, ...v }));
  return [];
}

// ---------------------------------------------------------------------------
// API access, status line and error banner

class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    Object.assign(this, { status, code, field });
  }
}

const enc = encodeURIComponent;

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  const key = sessionStorage.getItem(KEY_STORE);
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'network_error', `서버에 연결할 수 없습니다: ${e.message}`, null);
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { /* not JSON: the text is the message */ }
  if (!res.ok) {
    const err = (data && data.error) || {};
    throw new ApiError(res.status, err.code || `http_${res.status}`,
      err.message || text.slice(0, 300) || res.statusText, err.field || null);
  }
  return data;
}

const setStatus = (...parts) => $('#status').replaceChildren(...parts);

function clearError() {
  $('#error').hidden = true;
  $('#error-text').textContent = '';
  $('#key-input').classList.remove('need-key');
}

function showError(e) {
  if (!(e instanceof ApiError)) {
    console.error(e);
    e = new ApiError(0, 'client_error', String((e && e.message) || e), null);
  }
  let text = `${e.code}: ${e.message}`;
  if (e.field) text += ` (field: ${e.field})`;
  if (e.status === 401) {
    text = `API 키가 필요합니다. 오른쪽 위 "API 키"에 키를 입력하고 저장한 뒤 다시 시도하세요.\n${text}`;
    const input = $('#key-input');
    input.classList.add('need-key');
    // Do not steal the focus from someone typing a query.
    if (!document.activeElement || document.activeElement === document.body) input.focus();
  }
  $('#error-text').textContent = text;
  $('#error').hidden = false;
  setStatus('오류');
}

// ---------------------------------------------------------------------------
// Routing: #/search/<kind>, #/indexes, #/jobs, #/schedules, #/charts

const PAGES = {
  search: showSearch, indexes: showIndexes, jobs: showJobs, schedules: showSchedules, charts: showCharts,
};
let currentPage = null;

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  const page = PAGES[parts[0]] ? parts[0] : 'search';
  const arg = parts[1] ? decodeURIComponent(parts[1]) : '';
  currentPage = page;
  stopJobsTimer();
  clearError();
  setStatus();
  document.querySelectorAll('section.page').forEach((sec) => { sec.hidden = sec.id !== `page-${page}`; });
  document.querySelectorAll('#nav a').forEach((a) => a.classList.toggle('active', a.dataset.page === page));
  PAGES[page](arg).catch(showError);
}

async function listIndexes() {
  const data = await api('GET', '/v1/indexes');
  return (data && data.indexes) || [];
}

// ---------------------------------------------------------------------------
// 1. Search

// selected: field -> [raw bucket keys]; seq: only the newest answer is drawn (typing
// races); explain: dropped once the server refuses the key.
const search = { kind: '', selected: {}, seq: 0, suggestSeq: 0, explain: true, timer: 0 };

async function showSearch(kindArg) {
  const kinds = (await listIndexes()).map((i) => i.alias);
  let kind = kindArg;
  if (!kind) {
    // Back to the kind last searched, else concerts, else the first.
    kind = [search.kind, 'concerts', kinds[0]].find((k) => k && kinds.includes(k));
    if (!kind) {
      $('#hits').replaceChildren(el('li', 'empty', '인덱스가 없습니다.'));
      return;
    }
    history.replaceState(null, '', `#/search/${enc(kind)}`);
  }
  const options = kinds.includes(kind) ? kinds : [...kinds, kind];
  $('#kind-select').replaceChildren(...options.map((k) => el('option', { value: k }, k)));
  $('#kind-select').value = kind;
  if (kind !== search.kind) {
    search.kind = kind;
    search.selected = {};
    $('#suggestions').replaceChildren();
  }
  await runSearch();
}

const kindConfig = (kind) => KINDS[kind] || { title: null, facets: [], meta: [], prose: null };
const termsAgg = (field) => ({ terms: { field, size: 20 } });

// The filter from the checked facets, leaving out `except` (for that field's own buckets).
function facetFilter(except) {
  const filter = {};
  for (const [field, values] of Object.entries(search.selected)) {
    if (field !== except && values.length) filter[field] = values;
  }
  return Object.keys(filter).length ? filter : null;
}

async function postSearch(kind, body) {
  const path = `/v1/indexes/${enc(kind)}/search`;
  try {
    return await api('POST', path, body);
  } catch (e) {
    // `explain` is newer than some servers, which refuse unknown keys: drop it for good.
    if (body.explain && e.status === 400 && /explain/.test(e.message)) {
      search.explain = false;
      const { explain, ...rest } = body;
      return api('POST', path, rest);
    }
    throw e;
  }
}

async function runSearch() {
  const { kind } = search;
  if (!kind) return;
  const seq = ++search.seq;
  const cfg = kindConfig(kind);
  const q = $('#search-box').value;
  const body = { q, limit: 20, highlight: true };
  if (search.explain) body.explain = true;
  if (cfg.facets.length) body.aggs = Object.fromEntries(cfg.facets.map((f) => [f, termsAgg(f)]));
  const filter = facetFilter(null);
  if (filter) body.filter = filter;
  // A field with checked values gets its buckets from the same search without its own
  // filter (disjunctive facets), so the values not checked stay visible to add.
  const sides = Object.keys(filter || {}).map(async (field) => {
    const side = { q, aggs: { [field]: termsAgg(field) } };
    const others = facetFilter(field);
    if (others) side.filter = others;
    const res = await api('POST', `/v1/indexes/${enc(kind)}/aggregate`, side);
    return [field, res.aggregations && res.aggregations[field]];
  });
  setStatus('검색 중…');
  let res;
  let sideAggs;
  try {
    [res, sideAggs] = await Promise.all([postSearch(kind, body), Promise.all(sides)]);
  } catch (e) {
    if (seq === search.seq) showError(e);
    return;
  }
  if (seq !== search.seq || currentPage !== 'search') return;
  clearError();
  renderTotal(res);
  renderFacets(cfg, { ...(res.aggregations || {}), ...Object.fromEntries(sideAggs) });
  renderHits(cfg, res.hits || []);
  setStatus(`${kind} 검색 완료`);
}

function renderTotal(res) {
  const t = res.total || {};
  const ge = t.relation === 'gte' ? '≥' : '';
  let text = `${ge}${fmtInt(t.value)}건 · ${Number(res.took_ms || 0).toFixed(1)} ms`;
  if (res.relaxed) text += ' · 일부 단어 일치 포함';
  $('#total').textContent = text;
}

const sameKey = (a, b) => String(a) === String(b);

function renderFacets(cfg, aggs) {
  $('#facets').replaceChildren(...cfg.facets.map((field) => {
    const selected = search.selected[field] || [];
    const buckets = bucketsOf(aggs[field]).map((b) => ({ key: b.key, count: b.doc_count }));
    // Keep checked values visible even when nothing matches them any more.
    for (const v of selected) {
      if (!buckets.some((b) => sameKey(b.key, v))) buckets.push({ key: v, count: 0 });
    }
    const div = el('div', { className: 'facet', dataset: { field } },
      el('h3', null, LABELS[field] || field, el('span', 'field', field)));
    if (!buckets.length) div.append(el('div', 'empty', '값 없음'));
    for (const b of buckets) {
      const input = el('input', {
        type: 'checkbox',
        value: String(b.key),
        checked: selected.some((v) => sameKey(v, b.key)),
        dataset: { field, key: JSON.stringify(b.key) }, // JSON keeps numbers numbers (priority)
      });
      div.append(el('label', null, input, el('span', 'key', b.key), el('span', 'count', fmtInt(b.count))));
    }
    return div;
  }));
}

function onFacetChange(event) {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== 'checkbox') return;
  const { field } = input.dataset;
  const key = JSON.parse(input.dataset.key);
  const values = (search.selected[field] || []).filter((v) => !sameKey(v, key));
  if (input.checked) values.push(key);
  if (values.length) search.selected[field] = values;
  else delete search.selected[field];
  runSearch();
}

// Appends `text` to `parent` with the spans wrapped in <mark>. Span offsets count Unicode
// scalar values (characters), so the text is split with Array.from rather than indexed
// as UTF-16. `offset`: where `text` starts in the value the spans refer to.
function appendMarked(parent, text, spans, offset = 0) {
  const chars = Array.from(text);
  let at = 0;
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    const start = Math.max(s.start - offset, at);
    const end = Math.min(s.end - offset, chars.length);
    if (end <= start) continue;
    if (start > at) parent.append(chars.slice(at, start).join(''));
    parent.append(el('mark', null, chars.slice(start, end).join('')));
    at = end;
  }
  if (at < chars.length) parent.append(chars.slice(at).join(''));
  return parent;
}

// The spans of value `value` of `field` (list fields number their values).
const spansOf = (hit, field, value) =>
  ((hit.highlight && hit.highlight[field]) || []).filter((s) => (s.value || 0) === value);

// A field value (or list of values) with its highlights.
function markedValue(hit, field, value) {
  const span = el('span');
  (Array.isArray(value) ? value : [value]).forEach((v, i) => {
    if (i) span.append(', ');
    if (typeof v === 'string') appendMarked(span, v, spansOf(hit, field, i));
    else span.append(fmtValue(v));
  });
  return span;
}

// About `max` characters of prose around its first highlight.
function snippet(hit, field, text, max = 180) {
  const chars = Array.from(text);
  const spans = spansOf(hit, field, 0);
  const first = spans.length ? Math.min(...spans.map((s) => s.start)) : 0;
  const from = chars.length <= max ? 0 : Math.max(0, Math.min(first - 40, chars.length - max));
  const div = el('div', 'hit-snippet', from > 0 ? '…' : null);
  appendMarked(div, chars.slice(from, from + max).join(''), spans, from);
  if (from + max < chars.length) div.append('…');
  return div;
}

function renderHits(cfg, hits) {
  if (!hits.length) {
    $('#hits').replaceChildren(el('li', 'empty', '결과가 없습니다.'));
    return;
  }
  $('#hits').replaceChildren(...hits.map((hit) => {
    const src = hit.source || {};
    const titleField = cfg.title || Object.keys(src).find((k) => typeof src[k] === 'string');
    const titleText = titleField && !isNone(src[titleField]) ? String(src[titleField]) : `#${hit.id}`;
    const li = el('li', { className: 'hit', dataset: { id: String(hit.id) } },
      el('div', 'hit-head',
        appendMarked(el('span', 'hit-title'), titleText, spansOf(hit, titleField, 0)),
        el('span', 'hit-id', `#${hit.id}`),
        el('span', 'score', Number(hit.score || 0).toFixed(3))));

    const metaFields = cfg.meta.length ? cfg.meta
      : Object.keys(src).filter((k) => k !== titleField && typeof src[k] !== 'object').slice(0, 6);
    const meta = el('div', 'hit-meta');
    for (const f of metaFields) {
      if (isNone(src[f]) || src[f] === '') continue;
      meta.append(el('span', 'item', el('span', 'label', `${LABELS[f] || f} `), markedValue(hit, f, src[f])));
    }
    if (meta.childNodes.length) li.append(meta);
    if (cfg.prose && typeof src[cfg.prose] === 'string' && src[cfg.prose]) {
      li.append(snippet(hit, cfg.prose, src[cfg.prose]));
    }

    // The score's explanation: hidden when the server sends none.
    const details = el('details', 'explain', el('summary', null, '점수 설명 (explain)'));
    if (hit.explain && typeof hit.explain === 'object') details.append(explainTree(hit.explain));
    else details.hidden = true;
    li.append(details);
    return li;
  }));
}

// {"value", "description", "details": [same shape], "context": [strings]} as nested lists.
function explainTree(node) {
  const value = typeof node.value === 'number' ? node.value.toFixed(4) : fmtValue(node.value);
  const li = el('li', null, el('span', 'ex-value', value), el('span', 'ex-desc', node.description || ''));
  if (Array.isArray(node.context) && node.context.length) {
    li.append(el('div', 'ex-context', node.context.join('; ')));
  }
  for (const child of Array.isArray(node.details) ? node.details : []) {
    if (child && typeof child === 'object') li.append(explainTree(child));
  }
  return el('ul', null, li);
}

function onSearchInput() {
  clearTimeout(search.timer);
  search.timer = setTimeout(() => {
    runSearch();
    suggest();
  }, 150);
}

// Suggestions are a convenience: their errors are not worth a banner.
async function suggest() {
  const q = $('#search-box').value.trim();
  const seq = ++search.suggestSeq;
  if (!q || !search.kind) return;
  try {
    const res = await api('GET', `/v1/indexes/${enc(search.kind)}/suggest?q=${enc(q)}&limit=8`);
    if (seq !== search.suggestSeq) return;
    const texts = [...new Set((res.suggestions || []).map((s) => String(s.text)))];
    $('#suggestions').replaceChildren(...texts.map((t) => el('option', { value: t })));
  } catch (_) { /* ignored: the search itself reports errors */ }
}

// ---------------------------------------------------------------------------
// 2. Indexes, versions, swap, rollback, reindex

// The version a rollback would serve: the newest ready version older than the live one
// that a reindex built (the catalog's rollback_target: job_id not null).
function previousVersion(idx) {
  const older = (idx.versions || []).filter((v) => v.version < idx.live_version
    && v.state === 'ready' && !isNone(v.job_id));
  return older.length ? Math.max(...older.map((v) => v.version)) : null;
}

// `quiet`: after an action, whose outcome stays on the status line.
async function showIndexes(_arg, quiet = false) {
  if (!quiet) setStatus('불러오는 중…');
  const indexes = await listIndexes();
  if (currentPage !== 'indexes') return;
  const table = $('#versions');
  for (const tb of table.querySelectorAll('tbody')) tb.remove();
  table.append(...indexes.map(kindRows));
  if (!indexes.length) table.append(el('tbody', null, wideRow('인덱스가 없습니다.', 7)));
  if (!quiet) setStatus(`인덱스 ${indexes.length}개`);
}

// One <tbody> per kind: a head row with the kind's actions, then its versions, newest first.
function kindRows(idx) {
  const { alias: kind, live_version: live } = idx;
  const previous = previousVersion(idx);
  const rollback = button(previous === null ? '롤백' : `롤백 → v${previous}`,
    { className: 'rollback danger', id: `rollback-${kind}` },
    () => adminAction(`${kind}: v${live}에서 v${previous}(으)로 롤백할까요?`,
      `/v1/aliases/${enc(kind)}/rollback`, undefined, (r) => `${kind} 롤백 완료: v${r.version}`));
  if (previous === null) {
    rollback.disabled = true;
    rollback.title = '롤백할 이전 완료 버전이 없습니다';
  }
  const reindex = button('재색인', { className: 'reindex', dataset: { kind } }, () => startReindex(kind));
  const tbody = el('tbody', { className: 'kind', dataset: { kind } },
    el('tr', 'kind-head', el('th', { colSpan: 7 }, kind,
      el('span', 'info', `live v${live} · 문서 ${fmtInt(idx.docs)}`),
      el('span', 'actions', rollback, reindex))));
  for (const m of idx.analyzer_mismatches || []) {
    tbody.append(el('tr', null, el('td', { className: 'warn', colSpan: 7 }, `⚠ ${m}`)));
  }

  for (const v of [...(idx.versions || [])].sort((a, b) => b.version - a.version)) {
    const mark = v.version === live ? 'live' : v.version === previous ? 'previous' : '';
    const act = el('td');
    if (v.state === 'ready' && v.version !== live) {
      act.append(button(`v${v.version}로 전환`, { className: 'swap', dataset: { version: v.version } },
        () => adminAction(`${kind}: live를 v${live}에서 v${v.version}(으)로 전환할까요?`,
          `/v1/aliases/${enc(kind)}/swap`, { version: v.version }, () => `${kind} → v${v.version} 전환 완료`)));
    }
    // The catalog's count dates from the last reindex or swap; the live index knows better.
    const docs = v.version === live ? idx.docs : v.docs;
    tbody.append(el('tr', { className: `version ${mark}`.trim(), dataset: { version: v.version } },
      el('td', null, `v${v.version}`, mark ? el('span', 'badge', mark) : null),
      el('td', `state state-${v.state}`, v.state),
      el('td', 'num', fmtInt(docs)),
      el('td', 'num', fmtBytes(v.size_bytes)),
      el('td', null, fmtTime(v.created_at)),
      el('td', null, isNone(v.job_id) ? '—' : `#${v.job_id}`),
      act));
  }
  return tbody;
}

// A confirmed POST, its outcome on the status line, then the table again.
async function adminAction(question, path, body, done) {
  if (!confirm(question)) return;
  clearError();
  try {
    setStatus(done((await api('POST', path, body)) || {}));
  } catch (e) {
    showError(e);
  }
  await showIndexes('', true).catch(showError);
}

async function startReindex(kind) {
  if (!confirm(`${kind}를 소스에서 다시 색인할까요? 새 버전을 만들고, 끝나면 live로 전환합니다.`)) return;
  clearError();
  try {
    const res = await api('POST', `/v1/indexes/${enc(kind)}/reindex`);
    setStatus(`${kind} 재색인 시작: `, el('a', { href: '#/jobs' }, `작업 #${res.job_id}`));
  } catch (e) {
    showError(e);
  }
  await showIndexes('', true).catch(showError);
}

// ---------------------------------------------------------------------------
// 3. Jobs: list, progress, auto-refresh, details, cancel

// selected: the job shown in #job-detail; detailState: its state when last drawn.
const jobs = { timer: 0, token: 0, selected: null, detailState: null };
const isActive = (job) => job.state === 'running' || job.state === 'queued';

function stopJobsTimer() {
  clearTimeout(jobs.timer);
  jobs.timer = 0;
  jobs.token += 1; // answers of requests already in flight are dropped
}

async function showJobs() {
  jobs.selected = null;
  $('#job-detail').hidden = true;
  $('#job-detail').replaceChildren();
  await loadJobs();
}

async function loadJobs() {
  const token = jobs.token;
  let data;
  try {
    data = await api('GET', '/v1/jobs?limit=50');
  } catch (e) {
    if (token === jobs.token) showError(e);
    return; // no auto-refresh after an error (a 401 would repeat every second)
  }
  if (token !== jobs.token || currentPage !== 'jobs') return;
  const list = (data && data.jobs) || [];
  renderCounts((data && data.counts) || {});
  renderJobs(list);
  const selected = list.find((j) => j.id === jobs.selected);
  if (selected && (isActive(selected) || selected.state !== jobs.detailState)) {
    await showJobDetail(selected.id);
  }
  // The status line is left to actions (cancel); the list says enough.
  if (list.some(isActive) && token === jobs.token) jobs.timer = setTimeout(loadJobs, 1000);
}

// The state with the optional `position` (queued) and `attempt` fields.
function stateText(job) {
  let s = job.state;
  if (job.state === 'queued' && !isNone(job.position)) s += ` (대기 #${job.position})`;
  if (!isNone(job.attempt)) s += ` · 시도 ${job.attempt}`;
  if (job.cancel_requested && isActive(job)) s += ' · 취소 요청됨';
  return s;
}

// Jobs per state, above the table: "running 1 · queued 1 · failed 2 …".
function renderCounts(counts) {
  const box = $('#job-counts');
  if (!box) return;
  box.replaceChildren(...Object.entries(counts).map(([state, n]) =>
    el('span', `count state-${state}`, `${state} ${fmtInt(n)}`)));
}

function renderJobs(list) {
  const tbody = $('#jobs tbody');
  if (!list.length) {
    tbody.replaceChildren(wideRow('작업이 없습니다.', 8));
    return;
  }
  tbody.replaceChildren(...list.map((job) => {
    const progress = el('td');
    if (job.state === 'running') {
      const bar = el('progress', 'job-progress');
      if (job.total_estimate) { // without an estimate the bar stays indeterminate
        bar.max = job.total_estimate;
        bar.value = Math.min(job.processed || 0, job.total_estimate);
      }
      progress.append(bar);
    }
    progress.append(`${fmtInt(job.processed)} / ${fmtInt(job.total_estimate)}`);
    const cancel = isActive(job) ? button('취소', 'cancel danger', (event) => {
      event.stopPropagation(); // not a row click
      cancelJob(job.id);
    }) : null;
    // A failed or cancelled reindex can run again (an import needs its file again).
    const retry = (job.state === 'failed' || job.state === 'cancelled') && job.action !== 'import'
      ? button('재시도', 'retry', (event) => {
        event.stopPropagation();
        retryJob(job.id);
      }) : null;
    // `action`: reindex or import (newer servers); only an import is worth a word.
    const action = job.action && job.action !== 'reindex' ? ` (${job.action})` : null;
    const tr = el('tr', { className: job.id === jobs.selected ? 'job selected' : 'job', dataset: { id: job.id } },
      el('td', null, job.id), el('td', null, job.kind, action),
      el('td', `state state-${job.state}`, stateText(job)), progress,
      el('td', 'num', fmtRate(job.rate)),
      el('td', 'num', isActive(job) ? fmtSecs(job.eta_secs) : '—'),
      el('td', 'num', fmtInt(job.failed_rows)), el('td', null, cancel, retry));
    tr.addEventListener('click', () => selectJob(job.id));
    return tr;
  }));
}

async function selectJob(id) {
  jobs.selected = id;
  for (const tr of document.querySelectorAll('#jobs tbody tr')) {
    tr.classList.toggle('selected', tr.dataset.id === String(id));
  }
  await showJobDetail(id);
}

async function showJobDetail(id) {
  let job;
  try {
    job = await api('GET', `/v1/jobs/${enc(id)}`);
  } catch (e) {
    showError(e);
    return;
  }
  if (jobs.selected !== id || currentPage !== 'jobs') return;
  jobs.detailState = job.state;
  const rows = [
    ['상태', stateText(job)], ['대상 버전', isNone(job.target_version) ? null : `v${job.target_version}`],
    ['끝나면 전환', job.swap], ['처리 / 예상', `${fmtInt(job.processed)} / ${fmtInt(job.total_estimate)}`],
    ['실패 행', job.failed_rows], ['속도', fmtRate(job.rate)], ['남은 시간', fmtSecs(job.eta_secs)],
    ['시작', fmtTime(job.started_at)], ['끝', fmtTime(job.finished_at)],
    ['마지막 신호', fmtTime(job.heartbeat_at)], ['체크포인트', job.checkpoint],
    ['취소 요청', !!job.cancel_requested],
  ];
  if (job.action) rows.unshift(['동작', job.action]);
  if (job.input) rows.push(['입력', job.input]);
  if (!isNone(job.attempt)) rows.push(['시도', job.attempt]);
  if (!isNone(job.position)) rows.push(['대기 순서', job.position]);
  if (job.error) rows.push(['오류', job.error]);
  const dl = el('dl', null, ...rows.flatMap(([k, v]) => [el('dt', null, k), el('dd', null, fmtValue(v))]));

  // row_errors: [{row_id, field, reason}] (at most 1,000; failed_rows counts them all).
  const errors = job.row_errors || [];
  const more = job.failed_rows > errors.length ? ` / ${fmtInt(job.failed_rows)}` : '';
  const table = errors.length
    ? el('table', 'grid row-errors',
      el('thead', null, el('tr', null, el('th', null, '행 id'), el('th', null, '필드'), el('th', null, '이유'))),
      el('tbody', null, ...errors.map((r) => el('tr', null,
        el('td', null, fmtValue(r.row_id ?? r.row)), el('td', null, fmtValue(r.field)),
        el('td', null, fmtValue(r.reason))))))
    : el('p', 'empty', '행 오류가 없습니다.');
  // attempts: [{attempt, target_version, started_at, finished_at, state, error}].
  const attempts = job.attempts || [];
  const tried = attempts.length
    ? el('table', 'grid attempts',
      el('thead', null, el('tr', null, el('th', null, '시도'), el('th', null, '버전'),
        el('th', null, '시작'), el('th', null, '끝'), el('th', null, '상태'), el('th', null, '오류'))),
      el('tbody', null, ...attempts.map((a) => el('tr', null,
        el('td', null, a.attempt), el('td', null, `v${a.target_version}`),
        el('td', null, fmtTime(a.started_at)), el('td', null, fmtTime(a.finished_at)),
        el('td', `state state-${a.state}`, a.state), el('td', null, fmtValue(a.error))))))
    : null;
  const box = $('#job-detail');
  box.replaceChildren(el('h3', null, `작업 #${job.id} · ${job.kind}`), dl,
    ...(tried ? [el('h3', null, `시도 (${attempts.length})`), tried] : []),
    el('h3', null, `행 오류 (${fmtInt(errors.length)}${more})`), table);
  box.hidden = false;
}

async function cancelJob(id) {
  if (!confirm(`작업 #${id}을(를) 취소할까요? live 인덱스는 그대로입니다.`)) return;
  clearError();
  try {
    await api('POST', `/v1/jobs/${enc(id)}/cancel`);
    setStatus(`작업 #${id} 취소 요청함`);
  } catch (e) {
    showError(e);
  }
  stopJobsTimer();
  await loadJobs();
}

async function retryJob(id) {
  clearError();
  try {
    const job = await api('POST', `/v1/jobs/${enc(id)}/retry`);
    setStatus(`작업 #${id} 재시도: ${stateText(job)}`);
  } catch (e) {
    showError(e);
  }
  stopJobsTimer();
  await loadJobs();
}

// ---------------------------------------------------------------------------
// 4. Schedules (the route may not exist on this server: a 404 means none)

async function showSchedules() {
  const tbody = $('#schedules tbody');
  setStatus('불러오는 중…');
  let data;
  try {
    data = await api('GET', '/v1/schedules');
  } catch (e) {
    tbody.replaceChildren();
    if (e.status !== 404) throw e;
    tbody.append(wideRow(NO_SCHEDULES, 6));
    setStatus();
    return;
  }
  if (currentPage !== 'schedules') return;
  const list = (data && data.schedules) || [];
  tbody.replaceChildren(...list.map((s) => el('tr', null,
    el('td', null, fmtValue(s.kind)), el('td', null, fmtValue(s.action)),
    el('td', 'mono', fmtValue(s.cron)), el('td', null, fmtValue(s.time_zone)),
    el('td', null, fmtTime(s.next_run)), el('td', null, fmtTime(s.last_run)))));
  if (!list.length) tbody.append(wideRow(NO_SCHEDULES, 6));
  setStatus(`예약 ${list.length}개`);
}

// ---------------------------------------------------------------------------
// 5. Charts (hand-drawn SVG)

const CHART_W = 1160;
const CHART_H = 340;
const MARGIN = { left: 56, right: 150, top: 16, bottom: 48 }; // right: room for the legend

async function showCharts() {
  setStatus('불러오는 중…');
  const kinds = new Set((await listIndexes()).map((i) => i.alias));
  if (currentPage !== 'charts') return;
  await Promise.all([
    drawChart('#chart-tickets', kinds.has('tickets'), 'tickets', ticketsChart),
    drawChart('#chart-concerts', kinds.has('concerts'), 'concerts', concertsChart),
  ]);
  setStatus('차트 준비됨');
}

async function drawChart(sel, present, kind, build) {
  const body = $(`${sel} .chart-body`);
  if (!present) {
    body.replaceChildren(el('p', 'note', `${kind} 인덱스가 없어 이 차트를 그릴 수 없습니다.`));
    return;
  }
  body.replaceChildren(el('p', 'note', '불러오는 중…'));
  try {
    body.replaceChildren(await build());
  } catch (e) {
    body.replaceChildren(el('p', 'note', `차트를 그릴 수 없습니다: ${e.code || ''} ${e.message}`));
    showError(e);
  }
}

async function aggregate(kind, aggs) {
  const res = await api('POST', `/v1/indexes/${enc(kind)}/aggregate`, { aggs });
  return (res && res.aggregations) || {};
}

async function ticketsChart() {
  const aggs = await aggregate('tickets', { per_day: {
    date_histogram: { field: 'created_at', calendar_interval: 'day' },
    aggs: { status: { terms: { field: 'status' } } } } });
  // Empty days come back too; keep the last 30 days that have tickets.
  const days = bucketsOf(aggs.per_day).filter((b) => b.doc_count > 0).slice(-30);
  if (!days.length) return el('p', 'note', '티켓이 없습니다.');
  const order = Object.keys(STATUS_COLORS);
  const rank = (s) => (order.includes(s) ? order.indexOf(s) : order.length);
  const statuses = [...new Set(days.flatMap((d) => bucketsOf(d.status).map((b) => String(b.key))))]
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const series = statuses.map((s, i) => ({
    name: s,
    color: STATUS_COLORS[s] || PALETTE[i % PALETTE.length],
    values: days.map((d) => (bucketsOf(d.status).find((x) => sameKey(x.key, s)) || {}).doc_count || 0),
  }));
  return stackedBars(days.map(dayLabel), series, '날짜', '티켓 수');
}

async function concertsChart() {
  const aggs = await aggregate('concerts', { genre: {
    terms: { field: 'genre' },
    aggs: { month: { date_histogram: { field: 'start_date', calendar_interval: 'month' } } } } });
  const genres = bucketsOf(aggs.genre);
  if (!genres.length) return el('p', 'note', '공연이 없습니다.');
  // Every genre has the same month buckets (empty ones included), but merge to be safe.
  const months = [...new Set(genres.flatMap((g) => bucketsOf(g.month).map(monthLabel)))].sort().slice(-48);
  const series = genres.map((g, i) => {
    const counts = new Map(bucketsOf(g.month).map((b) => [monthLabel(b), b.doc_count]));
    return { name: String(g.key), color: PALETTE[i % PALETTE.length], values: months.map((m) => counts.get(m) || 0) };
  });
  return lineChart(months, series, '월', '공연 수');
}

// key_as_string is RFC 3339 in the request's zone (its local date); key is epoch ms.
function bucketDate(b) {
  if (typeof b.key_as_string === 'string') return b.key_as_string;
  return typeof b.key === 'number' ? new Date(b.key).toISOString() : String(b.key);
}
const dayLabel = (b) => bucketDate(b).slice(0, 10);
const monthLabel = (b) => bucketDate(b).slice(0, 7);

// 0, step, 2·step… up to at least max, with step 1, 2 or 5 × 10^k (and at least 1:
// the charts count documents).
function niceTicks(max, count = 5) {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw));
  const ticks = [];
  for (let i = 0; ticks.length === 0 || ticks[ticks.length - 1] < max; i += 1) ticks.push(i * step);
  return ticks;
}

// What every chart shares: y grid and ticks, x labels, axis titles, legend. Returns the
// <svg> and the y scale.
function chartFrame(labels, series, ymax, xTitle, yTitle, xAt) {
  const root = svg('svg', { viewBox: `0 0 ${CHART_W} ${CHART_H}`, role: 'img', 'aria-label': `${yTitle} / ${xTitle}` });
  const plotW = CHART_W - MARGIN.left - MARGIN.right;
  const plotH = CHART_H - MARGIN.top - MARGIN.bottom;
  const bottom = MARGIN.top + plotH;
  const ticks = niceTicks(ymax);
  const top = ticks[ticks.length - 1];
  const y = (v) => bottom - (v / top) * plotH;
  const axis = svg('g', { class: 'axis' });
  for (const t of ticks) {
    root.append(svg('line', { class: 'grid-line', x1: MARGIN.left, x2: MARGIN.left + plotW, y1: y(t), y2: y(t) }));
    axis.append(svg('text', { x: MARGIN.left - 6, y: y(t) + 4, 'text-anchor': 'end' }, fmtInt(t)));
  }
  axis.append(svg('line', { x1: MARGIN.left, x2: MARGIN.left, y1: MARGIN.top, y2: bottom }));
  axis.append(svg('line', { x1: MARGIN.left, x2: MARGIN.left + plotW, y1: bottom, y2: bottom }));
  // Thin the x labels out so they never overlap (about 16 at most); days drop the year.
  const every = Math.max(1, Math.ceil(labels.length / 16));
  const last = labels.length - 1;
  labels.forEach((label, i) => {
    if (i !== last && (i % every !== 0 || last - i < every)) return;
    axis.append(svg('text', { x: xAt(i), y: bottom + 16, 'text-anchor': 'middle' },
      label.length === 10 ? label.slice(5) : label));
  });
  const midX = MARGIN.left + plotW / 2;
  const midY = MARGIN.top + plotH / 2;
  axis.append(svg('text', { class: 'axis-title', x: midX, y: CHART_H - 8, 'text-anchor': 'middle' }, xTitle));
  axis.append(svg('text', { class: 'axis-title', x: 14, y: midY, 'text-anchor': 'middle',
    transform: `rotate(-90 14 ${midY})` }, yTitle));
  root.append(axis);

  const legend = svg('g', { class: 'legend' });
  const lx = CHART_W - MARGIN.right + 20;
  series.forEach((s, i) => {
    const ly = MARGIN.top + 6 + i * 20;
    legend.append(svg('rect', { x: lx, y: ly, width: 12, height: 12, fill: s.color, rx: 2 }));
    legend.append(svg('text', { x: lx + 18, y: ly + 10 }, s.name));
  });
  root.append(legend);
  return { root, y };
}

function stackedBars(labels, series, xTitle, yTitle) {
  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + s.values[i], 0));
  const band = (CHART_W - MARGIN.left - MARGIN.right) / labels.length;
  const xAt = (i) => MARGIN.left + band * (i + 0.5);
  const { root, y } = chartFrame(labels, series, Math.max(...totals), xTitle, yTitle, xAt);
  const bars = svg('g', { class: 'bars' });
  const width = Math.max(2, band * 0.7);
  labels.forEach((label, i) => {
    let base = 0;
    for (const s of series) {
      const v = s.values[i];
      if (!v) continue;
      bars.append(titled(svg('rect', { x: xAt(i) - width / 2, y: y(base + v), width,
        height: y(base) - y(base + v), fill: s.color }), `${label} · ${s.name}: ${fmtInt(v)}`));
      base += v;
    }
  });
  root.append(bars);
  return root;
}

function lineChart(labels, series, xTitle, yTitle) {
  const plotW = CHART_W - MARGIN.left - MARGIN.right;
  const xAt = (i) => MARGIN.left + (labels.length > 1 ? (plotW / (labels.length - 1)) * i : plotW / 2);
  const ymax = Math.max(...series.flatMap((s) => s.values));
  const { root, y } = chartFrame(labels, series, ymax, xTitle, yTitle, xAt);
  const lines = svg('g', { class: 'lines' });
  for (const s of series) {
    const points = s.values.map((v, i) => `${xAt(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    lines.append(titled(svg('polyline', { points, fill: 'none', stroke: s.color, 'stroke-width': 2 }), s.name));
    s.values.forEach((v, i) => lines.append(titled(svg('circle', { cx: xAt(i), cy: y(v), r: 2.5, fill: s.color }),
      `${labels[i]} · ${s.name}: ${fmtInt(v)}`)));
  }
  root.append(lines);
  return root;
}

// ---------------------------------------------------------------------------
// Start-up: key, listeners, first route

function saveKey() {
  const key = $('#key-input').value.trim();
  if (key) sessionStorage.setItem(KEY_STORE, key);
  else sessionStorage.removeItem(KEY_STORE);
  route(); // the current page again, with the new key
  setStatus(key ? 'API 키를 저장했습니다 (이 탭에서만).' : 'API 키를 지웠습니다.');
}

function init() {
  const input = $('#key-input');
  input.value = sessionStorage.getItem(KEY_STORE) || '';
  $('#key-save').addEventListener('click', saveKey);
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') saveKey(); });
  $('#error-close').addEventListener('click', clearError);

  const box = $('#search-box');
  box.addEventListener('input', onSearchInput);
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { clearTimeout(search.timer); runSearch(); }
  });
  $('#kind-select').addEventListener('change', (e) => { location.hash = `#/search/${enc(e.target.value)}`; });
  $('#facets').addEventListener('change', onFacetChange);

  window.addEventListener('hashchange', route);
  route();
}

// A deferred script runs before DOMContentLoaded, with the document parsed already.
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
