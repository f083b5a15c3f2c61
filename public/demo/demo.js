// The demo widget: starts a chat with the demo front end, renders items, survives refresh.
// All transcript content is rendered with textContent (it is untrusted input).
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const STORE = 'gatewayDemoChat';
  let session = JSON.parse(sessionStorage.getItem(STORE) || 'null');
  let socket = null;
  let lastSeq = 0;
  let typingTimer = null;
  const rendered = new Map();

  function showError(text) {
    $('error').textContent = text;
    $('error').hidden = !text;
  }

  function setState(status) {
    $('state').textContent = status;
    $('state').className = `state ${status}`;
    if (status === 'ended') $('send-form').querySelectorAll('input, button').forEach((el) => { el.disabled = true; });
  }

  function label(item) {
    const ct = item.contentType || '';
    if (ct.endsWith('participant.joined')) return `${item.displayName || item.participantRole} joined`;
    if (ct.endsWith('participant.left')) return `${item.displayName || item.participantRole} left`;
    if (ct.endsWith('chat.ended')) return 'Chat ended';
    if (ct.endsWith('transfer.succeeded')) return 'Transferred';
    if (item.type === 'ATTACHMENT') return `Attachment: ${(item.attachments || []).map((a) => a.name).join(', ')}`;
    return ct.split('.').pop();
  }

  function render(item) {
    let li = rendered.get(item.seq);
    if (!li) {
      li = document.createElement('li');
      rendered.set(item.seq, li);
      $('items').appendChild(li);
    }
    li.className = item.type === 'EVENT' ? 'EVENT' : item.participantRole || '';
    li.textContent = '';
    const meta = document.createElement('span');
    meta.className = 'meta';
    const read = item.receipts && item.receipts.readAt ? ' · read' : item.receipts && item.receipts.deliveredAt ? ' · delivered' : '';
    meta.textContent = `${item.displayName || item.participantRole || ''} · ${new Date(item.absoluteTime).toLocaleTimeString()}${read}`;
    const body = document.createElement('span');
    body.textContent = item.type === 'MESSAGE' ? item.content || '' : label(item);
    li.append(meta, body);
    li.dataset.id = item.id;
    li.scrollIntoView({ block: 'end' });
    li._item = item;
  }

  function connect() {
    $('start').hidden = true;
    $('chat').hidden = false;
    // auth as a function: every automatic reconnection sends the newest lastSeq.
    socket = io('/chat', { auth: (cb) => cb({ token: session.sessionToken, lastSeq }) });
    socket.on('connect_error', (err) => {
      if (err.message === 'UNAUTHENTICATED') {
        sessionStorage.removeItem(STORE);
        showError('This chat is no longer available.');
        setTimeout(() => location.reload(), 1500);
      } else showError(`Connection problem: ${err.message}`);
    });
    socket.on('connect', () => showError(''));
    socket.on('disconnect', () => setState('reconnecting'));
    socket.on('chat:state', (s) => setState(s.status));
    socket.on('chat:item', (item) => {
      lastSeq = item.seq;
      render(item);
      if (item.participantRole !== 'CUSTOMER' && item.type === 'MESSAGE') {
        socket.emit('chat:read', { messageId: item.id }, () => undefined);
        $('typing').hidden = true;
      }
    });
    socket.on('chat:typing', (t) => {
      $('typing').textContent = `${t.displayName || 'Agent'} is typing…`;
      $('typing').hidden = false;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => { $('typing').hidden = true; }, 12000);
    });
    socket.on('chat:receipt', (r) => {
      const li = rendered.get(r.seq);
      if (li && li._item) render({ ...li._item, receipts: { deliveredAt: r.deliveredAt, readAt: r.readAt } });
    });
    socket.on('chat:ended', () => setState('ended'));
  }

  async function start(event) {
    event.preventDefault();
    showError('');
    const config = await fetch('/v1/demo/config').then((r) => r.json());
    if (!config.publicKey) return showError('No demo front end: is the gateway in emulator mode?');
    const body = { displayName: $('name').value.trim() || 'Guest' };
    if ($('first').value.trim()) body.initialMessage = { contentType: 'text/plain', content: $('first').value.trim() };
    const res = await fetch('/v1/chats', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-frontend-key': config.publicKey, 'idempotency-key': crypto.randomUUID() },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) return showError(json.error ? json.error.message : 'Could not start the chat.');
    session = json;
    sessionStorage.setItem(STORE, JSON.stringify(session));
    connect();
  }

  $('start-form').addEventListener('submit', (e) => void start(e));
  $('send-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const content = $('message').value;
    if (!content.trim() || !socket) return;
    $('message').value = '';
    socket.emit('chat:send', { content, clientMessageId: crypto.randomUUID() }, (ack) => {
      if (!ack.ok) showError(ack.error.message);
    });
  });
  $('message').addEventListener('input', () => socket && socket.emit('chat:typing', {}, () => undefined));
  $('end').addEventListener('click', () => socket && socket.emit('chat:end', {}, () => undefined));

  fetch('/v1/demo/config').then((r) => r.json()).then((c) => {
    if (c.agentConsoleUrl) $('console').href = c.agentConsoleUrl;
    else $('console').parentElement.hidden = true;
  }, () => undefined);

  if (session) connect();
  else $('start').hidden = false;
})();
