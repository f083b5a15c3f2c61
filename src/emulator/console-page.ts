/** The agent console at /emulator/: plain HTML and JS over the control API, no build step. */
export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Connect emulator · agent console</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 320px 1fr; height: 100vh; }
  aside { border-right: 1px solid #ddd; overflow: auto; }
  h1 { font-size: 16px; margin: 12px; }
  .contact { padding: 8px 12px; border-top: 1px solid #eee; cursor: pointer; }
  .contact.sel { background: #e8f0fe; }
  .contact small { color: #666; display: block; }
  main { display: flex; flex-direction: column; min-width: 0; }
  #toolbar { padding: 8px; border-bottom: 1px solid #ddd; display: flex; gap: 6px; flex-wrap: wrap; align-items: center; }
  #items { flex: 1; overflow: auto; padding: 8px 12px; }
  .item { margin: 4px 0; white-space: pre-wrap; word-break: break-word; }
  .item .meta { color: #888; font-size: 12px; margin-right: 6px; }
  .AGENT { color: #0b57d0; } .CUSTOMER { color: #146c2e; } .SYSTEM, .event { color: #777; font-style: italic; }
  form { display: flex; gap: 6px; padding: 8px; border-top: 1px solid #ddd; }
  form input { flex: 1; padding: 6px; }
  #status { color: #b3261e; }
</style>
</head>
<body>
<aside>
  <h1>Contacts</h1>
  <label style="margin:0 12px"><input type="checkbox" id="activeOnly" checked> active only</label>
  <div id="contacts"></div>
</aside>
<main>
  <div id="toolbar">
    <strong id="title">Select a contact</strong>
    <button data-act="agent/join">Join</button>
    <button data-act="agent/typing">Typing</button>
    <button data-act="read">Read last</button>
    <button data-act="agent/leave">Leave</button>
    <button data-act="transfer">Transfer</button>
    <button data-act="stop">Stop</button>
    <button data-act="expire">Expire</button>
    <span id="status"></span>
  </div>
  <div id="items"></div>
  <form id="send"><input id="text" placeholder="Message as the agent" autocomplete="off" maxlength="1024"><button>Send</button></form>
</main>
<script>
(() => {
  const $ = (id) => document.getElementById(id);
  let selected = null;
  let lastCustomerMessage = null;
  let shown = '';

  async function call(method, path, body) {
    const res = await fetch('/emulator/' + path, {
      method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined,
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error((data.error && data.error.message) || res.statusText);
    return data;
  }
  const say = (text) => { $('status').textContent = text || ''; };

  async function refreshContacts() {
    const { contacts } = await call('GET', 'contacts' + ($('activeOnly').checked ? '?status=ACTIVE' : ''));
    const list = $('contacts');
    list.replaceChildren(...contacts.slice().reverse().map((c) => {
      const div = document.createElement('div');
      div.className = 'contact' + (c.contactId === selected ? ' sel' : '');
      div.textContent = c.customerDisplayName || '(no name)';
      const small = document.createElement('small');
      const typing = c.customerTypingAt && Date.now() - Date.parse(c.customerTypingAt) < 10000;
      small.textContent = c.status + (c.agentJoined ? ' · agent joined' : '') + (typing ? ' · typing…' : '') + ' · ' + c.contactId;
      if (c.contactId === selected) $('title').textContent = c.contactId + (typing ? ' — customer is typing…' : '');
      div.append(small);
      div.onclick = () => { selected = c.contactId; shown = ''; refreshContacts(); refreshItems(); };
      return div;
    }));
  }

  async function refreshItems() {
    if (!selected) return;
    const { items } = await call('GET', 'contacts/' + selected + '/transcript');
    const key = JSON.stringify(items);
    if (key === shown) return;
    shown = key;
    lastCustomerMessage = null;
    $('items').replaceChildren(...items.map((it) => {
      const div = document.createElement('div');
      const role = it.ParticipantRole || 'SYSTEM';
      div.className = 'item ' + (it.Type === 'MESSAGE' ? role : 'event');
      const meta = document.createElement('span');
      meta.className = 'meta';
      meta.textContent = it.AbsoluteTime.slice(11, 19) + ' ' + (it.DisplayName || '') ;
      const body = document.createElement('span');
      if (it.Type === 'MESSAGE') body.textContent = it.Content;
      else if (it.Type === 'ATTACHMENT') body.textContent = '[attachment] ' + it.Attachments.map((a) => a.AttachmentName).join(', ');
      else body.textContent = '[' + (it.ContentType || '').replace('application/vnd.amazonaws.connect.event.', '') + ']';
      const receipts = it.MessageMetadata && it.MessageMetadata.Receipts;
      if (receipts && receipts.length) body.textContent += receipts.some((r) => r.ReadTimestamp) ? '  ✓✓ read' : '  ✓ delivered';
      if (it.Type === 'MESSAGE' && role === 'CUSTOMER') lastCustomerMessage = it.Id;
      div.append(meta, body);
      return div;
    }));
    $('items').scrollTop = $('items').scrollHeight;
  }

  $('toolbar').addEventListener('click', async (e) => {
    const act = e.target.dataset && e.target.dataset.act;
    if (!act || !selected) return;
    try {
      say('');
      if (act === 'read') {
        if (!lastCustomerMessage) return say('no customer message to read');
        await call('POST', 'contacts/' + selected + '/agent/read', { messageId: lastCustomerMessage });
      } else if (act === 'transfer') {
        selected = (await call('POST', 'contacts/' + selected + '/transfer')).contactId;
      } else {
        await call('POST', 'contacts/' + selected + '/' + act, {});
      }
      await refreshItems();
      await refreshContacts();
    } catch (err) { say(err.message); }
  });

  $('send').addEventListener('submit', async (e) => {
    e.preventDefault();
    const content = $('text').value;
    if (!content || !selected) return;
    try {
      await call('POST', 'contacts/' + selected + '/agent/messages', { content });
      $('text').value = '';
      say('');
      await refreshItems();
    } catch (err) { say(err.message); }
  });
  $('activeOnly').onchange = refreshContacts;

  const tick = () => Promise.all([refreshContacts(), refreshItems()]).catch((err) => say(err.message));
  tick();
  setInterval(tick, 1500);
})();
</script>
</body>
</html>
`;
