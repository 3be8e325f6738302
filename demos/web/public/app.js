// Chat page of the rxjs-langchain web demo: plain browser JS, no build step.
// SSE mode: POST /api/chat/stream with the page's conversationId, read the body with fetch and
// parse the events; a dropped connection resumes with Last-Event-ID (on whichever instance answers);
// Stop posts /api/chat/:id/stop (the instance that runs the model aborts it) and stops reading.
// WebSocket mode: one socket to /ws, {type:'ask'} / {type:'stop'} in, chunk/done/error out.
'use strict';

const log = document.getElementById('log');
const form = document.getElementById('ask');
const input = document.getElementById('question');
const sendButton = document.getElementById('send');
const stopButton = document.getElementById('stop');

let current = null; // { bubble, stop() } of the reply being streamed

// Follow the reply while the user is at the bottom of the log; once they scroll up, leave them there
// until they scroll back down (or ask again). `autoTop` is where we last scrolled to, so our own
// scrolling (and text arriving) is never mistaken for the user's.
let following = true;
let autoTop = 0;
log.addEventListener('scroll', () => {
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
  if (atBottom) following = true;
  else if (log.scrollTop < autoTop - 1) following = false;
});

function follow() {
  if (!following) return;
  log.scrollTop = log.scrollHeight;
  autoTop = log.scrollTop;
}

fetch('/api/info').then((r) => r.json()).then((info) => {
  document.getElementById('model').textContent = 'model: ' + info.model;
}, () => undefined);

function mode() {
  return document.querySelector('input[name="mode"]:checked').value;
}

function addMessage(role, text) {
  const el = document.createElement('div');
  el.className = 'msg ' + role;
  el.textContent = text;
  log.appendChild(el);
  follow();
  return el;
}

function startReply(stop) {
  const bubble = addMessage('assistant streaming', '');
  bubble.dataset.state = 'streaming';
  current = { bubble, stop };
  sendButton.disabled = true;
  stopButton.disabled = false;
}

function appendText(text) {
  if (!current) return;
  current.bubble.insertBefore(document.createTextNode(text), current.bubble.querySelector('.note'));
  follow();
}

function finishReply(state, note) {
  if (!current) return;
  const { bubble } = current;
  bubble.classList.remove('streaming');
  bubble.dataset.state = state; // done | stopped | error
  if (state === 'error') bubble.classList.add('error');
  if (note) {
    const n = document.createElement('span');
    n.className = 'note';
    n.textContent = note;
    bubble.appendChild(n);
    follow();
  }
  current = null;
  sendButton.disabled = false;
  stopButton.disabled = true;
  input.focus();
}

// ---- SSE over fetch -------------------------------------------------------

/** Feeds text into a spec-following SSE parser; calls onEvent(name, data, id) per event (id: its id: field, if any). */
function sseParser(onEvent) {
  let buffer = '';
  let event = '';
  let id;
  let data = [];
  return function feed(text) {
    buffer += text;
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop(); // the last piece may be an incomplete line
    for (const line of lines) {
      if (line === '') {
        if (data.length > 0) onEvent(event || 'message', data.join('\n'), id);
        event = '';
        id = undefined;
        data = [];
      } else if (line[0] !== ':') {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value[0] === ' ') value = value.slice(1);
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'id' && !value.includes('\0')) id = value;
      }
    }
  };
}

// One conversation per page load: the server keeps its history (in Redis with REDIS_URL).
const conversationId = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now());
const MAX_RESUMES = 5;

async function askOverSSE(question) {
  const controller = new AbortController();
  let ended = false;
  let lastEventId = '';
  startReply(() => {
    // The model runs on the server whether or not we read: ask it to stop, then stop reading.
    fetch('/api/chat/' + encodeURIComponent(conversationId) + '/stop', { method: 'POST' }).catch(() => undefined);
    controller.abort();
    finishReply('stopped', 'stopped');
  });
  const onEvent = (name, data, id) => {
    if (id !== undefined) lastEventId = id;
    const payload = JSON.parse(data);
    if (name === 'chunk') appendText(payload.text);
    else if (name === 'done') { ended = true; finishReply(payload.stopped ? 'stopped' : 'done', payload.stopped ? 'stopped' : ''); }
    else if (name === 'error') { ended = true; finishReply('error', payload.message); }
  };
  try {
    for (let attempt = 0; !ended; attempt++) {
      if (attempt > MAX_RESUMES) return finishReply('error', 'connection lost');
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      let response;
      try {
        response = await fetch('/api/chat/stream', {
          method: 'POST',
          // A resume sends the id of the last event it got; the server replays what came after.
          headers: { 'content-type': 'application/json', ...(lastEventId && { 'last-event-id': lastEventId }) },
          body: JSON.stringify({ question, conversationId }),
          signal: controller.signal,
        });
      } catch (err) {
        if (err.name === 'AbortError') throw err;
        continue; // the network dropped: try to resume
      }
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        return finishReply('error', body.error || 'HTTP ' + response.status);
      }
      const feed = sseParser(onEvent); // a new parser per connection: a cut frame is dropped, not glued to the next
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          feed(value);
        }
      } catch (err) {
        if (err.name === 'AbortError') throw err;
      }
      if (!ended && !lastEventId) return finishReply('error', 'connection closed before the reply started');
    }
  } catch (err) {
    if (err.name !== 'AbortError') finishReply('error', String(err.message || err));
  }
}

// ---- WebSocket ------------------------------------------------------------

let socket = null;
let socketReady = null;

function openSocket() {
  if (socket && socket.readyState <= WebSocket.OPEN) return socketReady;
  socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
  socketReady = new Promise((resolve, reject) => {
    socket.addEventListener('open', () => resolve(socket), { once: true });
    socket.addEventListener('error', () => reject(new Error('WebSocket connection failed')), { once: true });
  });
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'chunk') appendText(message.text);
    else if (message.type === 'done') finishReply(message.stopped ? 'stopped' : 'done', message.stopped ? 'stopped' : '');
    else if (message.type === 'error') finishReply('error', message.message);
  });
  socket.addEventListener('close', () => {
    socket = null;
    finishReply('error', 'connection closed');
  });
  return socketReady;
}

async function askOverWebSocket(question) {
  startReply(() => {
    if (socket) socket.send(JSON.stringify({ type: 'stop' }));
    stopButton.disabled = true; // the server answers with done {stopped: true}
  });
  try {
    const ws = await openSocket();
    ws.send(JSON.stringify({ type: 'ask', question }));
  } catch (err) {
    finishReply('error', err.message);
  }
}

// ---- UI -------------------------------------------------------------------

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const question = input.value.trim();
  if (!question || current) return;
  following = true; // asking again brings the conversation back into view
  addMessage('user', question);
  input.value = '';
  if (mode() === 'ws') askOverWebSocket(question);
  else askOverSSE(question);
});

stopButton.addEventListener('click', () => {
  if (current) current.stop();
});
