// Staff page. Everything that comes from the API is untrusted: it only ever reaches the page through
// textContent / text nodes, never innerHTML, and never becomes a URL.
'use strict';

(function () {
  const TOKEN_KEY = 'staffToken';
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const FILTERS = ['q', 'status', 'from', 'to', 'frontendId', 'customerId', 'contactId'];
  const $ = (id) => document.getElementById(id);
  let nextCursor = null;
  let lastQuery = null;
  let currentChatId = null;

  // ---- token (sessionStorage only: gone when the tab closes; never a cookie, localStorage or URL)
  const token = {
    get: () => sessionStorage.getItem(TOKEN_KEY),
    set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
    clear: () => sessionStorage.removeItem(TOKEN_KEY),
  };

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function api(path) {
    const res = await fetch(path, { headers: { authorization: 'Bearer ' + token.get() }, cache: 'no-store' });
    if (!res.ok) throw await apiError(res);
    return res;
  }

  async function apiError(res) {
    let code = 'HTTP_' + res.status;
    let message = res.statusText || 'Request failed';
    try {
      const body = await res.json();
      if (body && body.error) {
        code = String(body.error.code);
        message = String(body.error.message);
        if (Array.isArray(body.error.details) && body.error.details.length) {
          message += ' ' + body.error.details.map((d) => String(d.field) + ' ' + String(d.message)).join('; ');
        }
      }
    } catch (_) { /* not JSON */ }
    return new ApiError(res.status, code, message);
  }

  function status(text, kind) {
    const el = $('status');
    el.textContent = text || '';
    el.className = 'status' + (kind ? ' ' + kind : '');
  }

  function handle(err) {
    if (err instanceof ApiError && err.status === 401) {
      token.clear();
      showOnly('sign-in-view');
      status('Your token was refused (expired or revoked). Sign in again.');
      return;
    }
    status(err instanceof ApiError ? err.code + ': ' + err.message : 'Something went wrong: ' + String(err && err.message));
  }

  function showOnly(id) {
    for (const view of ['sign-in-view', 'search-view', 'chat-view']) $(view).hidden = view !== id;
    const signedIn = id !== 'sign-in-view';
    $('sign-out').hidden = !signedIn;
    $('who').hidden = !signedIn;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fmtTime(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
  }

  // ---- routing: #/search?q=… and #/chats/{chatId}
  function parseHash() {
    const hash = location.hash.replace(/^#/, '') || '/search';
    const chat = /^\/chats\/([^/?#]+)$/.exec(hash);
    if (chat) return { view: 'chat', chatId: decodeURIComponent(chat[1]) };
    const qs = hash.startsWith('/search') ? hash.slice('/search'.length).replace(/^\?/, '') : '';
    return { view: 'search', params: new URLSearchParams(qs) };
  }

  async function route() {
    status('');
    if (!token.get()) {
      showOnly('sign-in-view');
      $('token').focus();
      return;
    }
    const r = parseHash();
    if (r.view === 'chat') return openChat(r.chatId);
    showOnly('search-view');
    fillForm(r.params);
    return runSearch(r.params);
  }

  // ---- sign in
  async function signIn(event) {
    event.preventDefault();
    const value = $('token').value.trim();
    if (!value) return;
    token.set(value);
    $('token').value = '';
    if (await loadWho()) await route();
  }

  async function loadWho() {
    try {
      const me = await (await api('/v1/admin/me')).json();
      $('who').textContent = String(me.name) + ' (' + String(me.role) + ')';
      return true;
    } catch (err) {
      handle(err);
      return false;
    }
  }

  function signOut() {
    token.clear();
    $('who').textContent = '';
    $('results').tBodies[0].replaceChildren();
    $('transcript').replaceChildren();
    showOnly('sign-in-view');
    status('Signed out.', 'info');
  }

  // ---- search
  function toLocalInput(iso) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return '';
    const pad = (n) => String(n).padStart(2, '0');
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + pad(d.getHours()) + ':' + pad(d.getMinutes());
  }

  function fillForm(params) {
    const form = $('search-form');
    for (const name of FILTERS) {
      const value = params.get(name) || '';
      form.elements[name].value = name === 'from' || name === 'to' ? (value ? toLocalInput(value) : '') : value;
    }
  }

  function submitSearch(event) {
    event.preventDefault();
    const form = $('search-form');
    const params = new URLSearchParams();
    for (const name of FILTERS) {
      let value = form.elements[name].value.trim();
      if (!value) continue;
      if (name === 'from' || name === 'to') {
        const d = new Date(value);
        if (Number.isNaN(d.getTime())) continue;
        value = d.toISOString();
      }
      params.set(name, value);
    }
    const hash = '#/search' + (params.toString() ? '?' + params.toString() : '');
    if (location.hash === hash) void route();
    else location.hash = hash;
  }

  async function runSearch(params, cursor) {
    const query = new URLSearchParams();
    for (const name of FILTERS) if (params.get(name)) query.set(name, params.get(name));
    query.set('limit', '50');
    if (cursor) query.set('cursor', cursor);
    lastQuery = params;
    const tbody = $('results').tBodies[0];
    if (!cursor) tbody.replaceChildren();
    $('more').hidden = true;
    $('no-results').hidden = true;
    try {
      const page = await (await api('/v1/admin/chats?' + query.toString())).json();
      for (const chat of page.chats) tbody.appendChild(resultRow(chat));
      nextCursor = page.nextCursor;
      $('more').hidden = !nextCursor;
      $('no-results').hidden = tbody.rows.length > 0;
    } catch (err) {
      handle(err);
    }
  }

  function resultRow(chat) {
    const tr = el('tr');
    tr.dataset.chatId = UUID.test(chat.chatId) ? chat.chatId : '';
    const started = el('td');
    const link = el('a', null, fmtTime(chat.startedAt));
    if (UUID.test(chat.chatId)) link.href = '#/chats/' + chat.chatId;
    started.appendChild(link);
    tr.appendChild(started);
    tr.appendChild(el('td', null, chat.status));
    tr.appendChild(el('td', null, chat.displayName + (chat.customerId ? ' · ' + chat.customerId : '')));
    tr.appendChild(el('td', null, chat.itemCount));
    tr.appendChild(el('td', null, fmtTime(chat.lastMessageAt)));
    const snippet = el('td', 'snippet');
    if (typeof chat.snippet === 'string') appendSnippet(snippet, chat.snippet);
    tr.appendChild(snippet);
    return tr;
  }

  /** The API marks hits with [[ and ]]; they become <mark> elements holding text nodes. */
  function appendSnippet(parent, snippet) {
    const parts = snippet.split(/(\[\[|\]\])/);
    let inHit = false;
    for (const part of parts) {
      if (part === '[[') inHit = true;
      else if (part === ']]') inHit = false;
      else if (part) parent.appendChild(inHit ? el('mark', null, part) : document.createTextNode(part));
    }
  }

  // ---- one transcript
  async function openChat(chatId) {
    showOnly('chat-view');
    $('transcript').replaceChildren();
    $('chat-meta').replaceChildren();
    $('chat-title').textContent = '';
    currentChatId = null;
    if (!UUID.test(chatId)) {
      status('That is not a chat id.');
      return;
    }
    status('Loading…', 'info');
    try {
      const body = await (await api('/v1/admin/chats/' + encodeURIComponent(chatId))).json();
      currentChatId = chatId;
      renderChat(body.chat, body.items);
      status('');
    } catch (err) {
      handle(err);
    }
  }

  function renderChat(chat, items) {
    $('chat-title').textContent = chat.displayName + ' — ' + fmtTime(chat.startedAt);
    const meta = $('chat-meta');
    const rows = [
      ['Chat', chat.chatId], ['Front end', chat.frontendId], ['Status', chat.status + (chat.endReason ? ' (' + chat.endReason + ')' : '')],
      ['Customer', chat.customerId || '—'], ['Contact', chat.contactId], ['Started', fmtTime(chat.startedAt)],
      ['Ended', fmtTime(chat.endedAt) || '—'], ['Items', chat.itemCount],
    ];
    if (chat.transcriptIncomplete) rows.push(['Note', 'Transcript incomplete: the chat ended while no gateway held it.']);
    for (const [k, v] of rows) {
      meta.appendChild(el('dt', null, k));
      meta.appendChild(el('dd', null, v));
    }
    const list = $('transcript');
    const frag = document.createDocumentFragment();
    for (const item of items) frag.appendChild(itemNode(item));
    list.appendChild(frag);
    if (!items.length) list.appendChild(el('li', null, 'No stored items.'));
  }

  function itemNode(item) {
    const li = el('li', 'type-' + safeClass(item.type) + ' role-' + safeClass(item.participantRole));
    const head = el('div', 'item-head');
    const time = el('time', null, fmtTime(item.absoluteTime));
    time.dateTime = String(item.absoluteTime);
    time.title = String(item.absoluteTime);
    head.appendChild(el('span', 'seq', '#' + item.seq));
    head.appendChild(time);
    head.appendChild(el('span', 'name', item.displayName || item.participantRole || 'system'));
    head.appendChild(el('span', 'role', item.participantRole || ''));
    li.appendChild(head);
    if (item.type === 'EVENT') {
      const what = String(item.contentType || '').replace(/^application\/vnd\.amazonaws\.connect\.event\./, '');
      li.appendChild(el('div', 'content', what + (item.content ? ': ' + item.content : '')));
    } else if (item.content !== undefined) {
      li.appendChild(el('div', 'content', item.content));
    }
    if (Array.isArray(item.attachments) && item.attachments.length) {
      li.appendChild(el('div', 'attachments', 'Attachments: ' + item.attachments.map((a) => a.name + ' (' + a.contentType + ', ' + a.status + ')').join(', ')));
    }
    if (item.receipts) {
      const parts = [];
      if (item.receipts.deliveredAt) parts.push('delivered ' + fmtTime(item.receipts.deliveredAt));
      if (item.receipts.readAt) parts.push('read ' + fmtTime(item.receipts.readAt));
      li.appendChild(el('div', 'receipts', parts.join(' · ')));
    }
    return li;
  }

  function safeClass(value) {
    return String(value || 'none').replace(/[^A-Za-z_-]/g, '');
  }

  // ---- export: fetch with the token as a header, then save the blob
  async function exportChat(format) {
    if (!currentChatId) return;
    status('Preparing ' + format + ' export…', 'info');
    try {
      const res = await api('/v1/admin/chats/' + currentChatId + '/export?format=' + encodeURIComponent(format));
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = 'chat-' + currentChatId + '.' + format;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      status('Exported ' + format + '.', 'info');
    } catch (err) {
      handle(err);
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('sign-in-form').addEventListener('submit', (e) => void signIn(e));
    $('sign-out').addEventListener('click', signOut);
    $('search-form').addEventListener('submit', submitSearch);
    $('more').addEventListener('click', () => void runSearch(lastQuery || new URLSearchParams(), nextCursor));
    for (const button of document.querySelectorAll('.exports button')) {
      button.addEventListener('click', () => void exportChat(button.dataset.format));
    }
    window.addEventListener('hashchange', () => void route());
    if (token.get()) void loadWho().then((ok) => ok && route());
    else void route();
  });
})();
