// Chat page of the rxjs-langchain web demo: plain browser JS, no build step.
// SSE mode: POST /api/chat/stream, read the body with fetch and parse the events;
// Stop aborts the fetch (the server then aborts the model request).
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

/** Feeds text into a spec-following SSE parser; calls onEvent(name, data) per event. */
function sseParser(onEvent) {
  let buffer = '';
  let event = '';
  let data = [];
  return function feed(text) {
    buffer += text;
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop(); // the last piece may be an incomplete line
    for (const line of lines) {
      if (line === '') {
        if (data.length > 0) onEvent(event || 'message', data.join('\n'));
        event = '';
        data = [];
      } else if (line[0] !== ':') {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value[0] === ' ') value = value.slice(1);
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
    }
  };
}

async function askOverSSE(question) {
  const controller = new AbortController();
  let ended = false;
  startReply(() => {
    controller.abort();
    finishReply('stopped', 'stopped');
  });
  try {
    const response = await fetch('/api/chat/stream', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question }),
      signal: controller.signal,
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      return finishReply('error', body.error || 'HTTP ' + response.status);
    }
    const feed = sseParser((name, data) => {
      const payload = JSON.parse(data);
      if (name === 'chunk') appendText(payload.text);
      else if (name === 'done') { ended = true; finishReply('done'); }
      else if (name === 'error') { ended = true; finishReply('error', payload.message); }
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      feed(value);
    }
    if (!ended) finishReply('error', 'connection closed before the end of the reply');
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
