/*
 * Layan web chat widget (HLP-4). The protocol is docs/widget.md.
 *   <script src="https://host/widget.js" data-workspace="WORKSPACE-ID" async></script>
 * Optional: data-user-email, data-user-hash (identity verification), data-language (en, id, es).
 * Plain ES2019, no build step, no dependencies; keep it under 30 KB gzipped. ASCII only (text
 * outside ASCII is written \uXXXX) so the host page's character encoding never matters.
 */
(function () {
  'use strict';

  // An async script still has document.currentScript while it runs: take it before anything awaits.
  const script = document.currentScript || document.querySelector('script[data-workspace][src*="widget.js"]');
  if (!script || window.LayanWidget) return;
  const WS = (script.getAttribute('data-workspace') || '').trim();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(WS)) {
    if (window.console) console.warn('Layan widget: data-workspace must be the workspace id');
    return;
  }
  const ORIGIN = new URL(script.src, location.href).origin;
  const API = ORIGIN + '/api/v1/widget/' + WS;
  const USER_EMAIL = (script.getAttribute('data-user-email') || '').trim();
  const USER_HASH = (script.getAttribute('data-user-hash') || '').trim();
  const STORE_KEY = 'layan.widget.' + WS;
  const DELAYS = [1000, 2000, 5000, 10000];
  const IMAGE_PREVIEW_MAX = 2 * 1024 * 1024;

  // ---- strings ----

  const STRINGS = {
    en: {
      title: 'Chat with us',
      open: 'Open chat',
      openUnread: 'Open chat ({n} new)',
      close: 'Close chat',
      intro: 'Hi! Tell us how we can help.',
      offlineIntro: 'Nobody is online right now. Leave a message and we will answer by email.',
      name: 'Name',
      email: 'Email',
      required: 'required',
      department: 'Department',
      message: 'Message',
      start: 'Start chat',
      sendOffline: 'Send message',
      send: 'Send',
      attach: 'Attach a file',
      placeholder: 'Write a message\u2026',
      messages: 'Conversation messages',
      you: 'You',
      agent: 'Agent',
      queue: 'You are number {n} in the queue \u2014 about {m} min',
      waiting: 'An agent will be with you shortly',
      joined: '{name} joined',
      typingName: '{name} is typing\u2026',
      typing: 'Typing\u2026',
      seen: 'Seen',
      resolved: 'This conversation was resolved; write again to reopen',
      offlineThanks: 'Thanks! We will answer by email.',
      loading: 'Loading\u2026',
      unavailable: 'Chat is not available right now.',
      reconnecting: 'Reconnecting\u2026',
      retry: 'Try again',
      dismiss: 'Dismiss',
      slowDown: 'Too many requests. Please wait a moment and try again.',
      network: 'Cannot reach the server. Check your connection.',
      generic: 'Something went wrong. Please try again.',
      tooLarge: 'The file is larger than {size}.',
      badType: 'Only images (PNG, JPEG) and PDF files can be attached.',
      emailNeeded: 'Enter your email address so we can answer you.',
      messageNeeded: 'Write your message.',
      uploading: 'Uploading {name}\u2026',
    },
    id: {
      title: 'Chat dengan kami',
      open: 'Buka chat',
      openUnread: 'Buka chat ({n} baru)',
      close: 'Tutup chat',
      intro: 'Halo! Ceritakan apa yang bisa kami bantu.',
      offlineIntro: 'Saat ini tidak ada yang online. Tinggalkan pesan dan kami akan membalas lewat email.',
      name: 'Nama',
      email: 'Email',
      required: 'wajib',
      department: 'Departemen',
      message: 'Pesan',
      start: 'Mulai chat',
      sendOffline: 'Kirim pesan',
      send: 'Kirim',
      attach: 'Lampirkan berkas',
      placeholder: 'Tulis pesan\u2026',
      messages: 'Pesan percakapan',
      you: 'Anda',
      agent: 'Agen',
      queue: 'Anda nomor {n} dalam antrean \u2014 sekitar {m} menit',
      waiting: 'Seorang agen akan segera melayani Anda',
      joined: '{name} bergabung',
      typingName: '{name} sedang mengetik\u2026',
      typing: 'Sedang mengetik\u2026',
      seen: 'Dilihat',
      resolved: 'Percakapan ini telah diselesaikan; tulis lagi untuk membukanya kembali',
      offlineThanks: 'Terima kasih! Kami akan membalas lewat email.',
      loading: 'Memuat\u2026',
      unavailable: 'Chat tidak tersedia saat ini.',
      reconnecting: 'Menyambungkan kembali\u2026',
      retry: 'Coba lagi',
      dismiss: 'Tutup pemberitahuan',
      slowDown: 'Terlalu banyak permintaan. Tunggu sebentar lalu coba lagi.',
      network: 'Tidak dapat terhubung ke server. Periksa koneksi Anda.',
      generic: 'Terjadi kesalahan. Silakan coba lagi.',
      tooLarge: 'Berkas lebih besar dari {size}.',
      badType: 'Hanya gambar (PNG, JPEG) dan PDF yang dapat dilampirkan.',
      emailNeeded: 'Masukkan alamat email Anda agar kami dapat membalas.',
      messageNeeded: 'Tulis pesan Anda.',
      uploading: 'Mengunggah {name}\u2026',
    },
    es: {
      title: 'Chatee con nosotros',
      open: 'Abrir el chat',
      openUnread: 'Abrir el chat ({n} nuevos)',
      close: 'Cerrar el chat',
      intro: '\u00a1Hola! Cu\u00e9ntenos en qu\u00e9 podemos ayudarle.',
      offlineIntro: 'Ahora mismo no hay nadie conectado. Deje un mensaje y le responderemos por correo electr\u00f3nico.',
      name: 'Nombre',
      email: 'Correo electr\u00f3nico',
      required: 'obligatorio',
      department: 'Departamento',
      message: 'Mensaje',
      start: 'Iniciar el chat',
      sendOffline: 'Enviar mensaje',
      send: 'Enviar',
      attach: 'Adjuntar un archivo',
      placeholder: 'Escriba un mensaje\u2026',
      messages: 'Mensajes de la conversaci\u00f3n',
      you: 'Usted',
      agent: 'Agente',
      queue: 'Es el n\u00famero {n} en la cola \u2014 unos {m} min',
      waiting: 'Un agente le atender\u00e1 en breve',
      joined: '{name} se ha unido',
      typingName: '{name} est\u00e1 escribiendo\u2026',
      typing: 'Escribiendo\u2026',
      seen: 'Visto',
      resolved: 'Esta conversaci\u00f3n se ha resuelto; escriba de nuevo para reabrirla',
      offlineThanks: '\u00a1Gracias! Le responderemos por correo electr\u00f3nico.',
      loading: 'Cargando\u2026',
      unavailable: 'El chat no est\u00e1 disponible en este momento.',
      reconnecting: 'Reconectando\u2026',
      retry: 'Reintentar',
      dismiss: 'Descartar',
      slowDown: 'Demasiadas solicitudes. Espere un momento e int\u00e9ntelo de nuevo.',
      network: 'No se puede conectar con el servidor. Compruebe su conexi\u00f3n.',
      generic: 'Algo sali\u00f3 mal. Int\u00e9ntelo de nuevo.',
      tooLarge: 'El archivo supera los {size}.',
      badType: 'Solo se pueden adjuntar im\u00e1genes (PNG, JPEG) y PDF.',
      emailNeeded: 'Escriba su correo electr\u00f3nico para que podamos responderle.',
      messageNeeded: 'Escriba su mensaje.',
      uploading: 'Subiendo {name}\u2026',
    },
  };

  function pickLanguage() {
    const wanted = [script.getAttribute('data-language'), document.documentElement.lang, navigator.language];
    for (const w of wanted) {
      let code = (w || '').trim().slice(0, 2).toLowerCase();
      if (code === 'in') code = 'id'; // the old code for Indonesian
      if (code) return STRINGS[code] ? code : 'en';
    }
    return 'en';
  }
  const LANG = pickLanguage();
  const T = STRINGS[LANG];

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, (all, key) => (values[key] === undefined ? all : String(values[key])));
  }

  function sizeOf(bytes) {
    return bytes >= 1048576 ? Math.round(bytes / 104857.6) / 10 + ' MB' : Math.max(1, Math.round(bytes / 1024)) + ' KB';
  }

  function timeOf(at) {
    const d = new Date(at);
    return isNaN(d) ? '' : d.toLocaleTimeString(LANG, { hour: '2-digit', minute: '2-digit' });
  }

  // ---- the saved session: {conversationId, token, after, offline} ----

  let session = null;
  function loadSession() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORE_KEY) || 'null');
      if (saved && typeof saved.token === 'string' && saved.token) {
        session = { conversationId: saved.conversationId, token: saved.token, after: Number(saved.after) || 0, offline: !!saved.offline };
      }
    } catch (_) {
      session = null;
    }
  }
  function saveSession() {
    try {
      if (session) localStorage.setItem(STORE_KEY, JSON.stringify(session));
      else localStorage.removeItem(STORE_KEY);
    } catch (_) {
      // storage blocked: the chat lasts as long as the page
    }
  }

  // ---- the API ----

  class ApiError extends Error {
    constructor(status, message, code, retryAfter, fields) {
      super(message);
      this.status = status;
      this.code = code || null;
      this.retryAfter = retryAfter || 0;
      this.fields = fields || null;
    }
  }

  function headers(json) {
    const result = { Accept: 'application/json', 'Accept-Language': LANG };
    if (session) result['X-Visitor-Token'] = session.token;
    if (json) result['Content-Type'] = 'application/json';
    return result;
  }

  /** A failed answer as an ApiError: the problem's localized title, never a stack trace. */
  function failure(status, problem, retryHeader) {
    const p = problem && typeof problem === 'object' ? problem : {};
    const retryAfter = Number(p.retryAfter || retryHeader) || 0;
    if (status === 429) return new ApiError(429, T.slowDown, 'rate_limited', retryAfter || 5);
    if (status === 0) return new ApiError(0, T.network, 'network');
    const title = p.code && typeof p.title === 'string' && p.title.length < 300 ? p.title : status === 404 ? T.unavailable : T.generic;
    return new ApiError(status, title, p.code, retryAfter, p.errors);
  }

  async function api(method, path, body, signal) {
    let response;
    try {
      response = await fetch(API + path, {
        method,
        headers: headers(body !== undefined),
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        mode: 'cors',
        signal,
      });
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      throw failure(0);
    }
    let data = null;
    if (response.status !== 204 && /json/.test(response.headers.get('Content-Type') || '')) {
      try {
        data = await response.json();
      } catch (_) {
        data = null;
      }
    }
    if (!response.ok) throw failure(response.status, data, response.headers.get('Retry-After'));
    return data;
  }

  // ---- DOM helpers (text only ever goes in through textContent) ----

  function h(tag, attrs, children) {
    const el = document.createElement(tag);
    for (const key in attrs || {}) {
      const value = attrs[key];
      if (value === null || value === undefined || value === false) continue;
      if (key === 'text') el.textContent = value;
      else if (key.slice(0, 2) === 'on') el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children || []) if (child) el.append(child);
    return el;
  }

  const ICONS = {
    chat: 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z',
    close: 'M6 6l12 12M18 6L6 18',
    clip: 'M21 11.5l-8.6 8.6a5 5 0 0 1-7.1-7.1l8.6-8.6a3.3 3.3 0 0 1 4.7 4.7l-8.6 8.6a1.7 1.7 0 0 1-2.4-2.4l7.9-7.9',
    send: 'M4 12l16-8-6 16-3-6.5L4 12z',
  };
  function icon(name) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', ICONS[name]);
    svg.append(path);
    return svg;
  }

  const CSS = `
:host{all:initial}
*{box-sizing:border-box}
.root{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#111827}
[hidden]{display:none!important}
button,input,select,textarea{font:inherit;color:inherit}
svg{width:22px;height:22px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
:focus-visible{outline:3px solid #111827;outline-offset:2px;box-shadow:0 0 0 2px #fff}
.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:58px;height:58px;border-radius:50%;border:2px solid transparent;background:#1d4ed8;color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.3);display:flex;align-items:center;justify-content:center}
.launcher:hover{background:#1e40af}
.launcher svg{width:28px;height:28px}
.badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#b91c1c;color:#fff;font-size:12px;font-weight:700;line-height:22px;text-align:center}
.panel{position:fixed;right:20px;bottom:90px;z-index:2147483000;width:380px;max-width:calc(100vw - 24px);height:580px;max-height:calc(100vh - 110px);display:flex;flex-direction:column;background:#fff;border:1px solid #d1d5db;border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.25);overflow:hidden}
.header{display:flex;align-items:center;gap:8px;padding:12px 12px 12px 16px;background:#1d4ed8;color:#fff}
.heading{flex:1;min-width:0}
.title{margin:0;font-size:16px;font-weight:700}
.subtitle{margin:0;font-size:13px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.icon-btn{flex:none;width:40px;height:40px;display:inline-flex;align-items:center;justify-content:center;border:1px solid transparent;border-radius:8px;background:transparent;color:inherit;cursor:pointer}
.icon-btn:hover{background:rgba(0,0,0,.08)}
.header .icon-btn:hover{background:rgba(255,255,255,.18)}
.icon-btn[disabled]{opacity:.5;cursor:default}
.status{padding:0 16px;font-size:13px;color:#374151;background:#eff6ff}
.status>*{margin:0;padding:8px 0}
.status>*+*{border-top:1px solid #dbeafe}
.error{display:flex;align-items:center;gap:8px;padding:8px 8px 8px 16px;background:#fef2f2;color:#7f1d1d;border-bottom:1px solid #fecaca;font-size:14px}
.error-text{flex:1}
.link-btn{border:0;background:none;padding:4px;color:#1d4ed8;text-decoration:underline;cursor:pointer;font-weight:600}
.error .link-btn{color:#7f1d1d}
.error .icon-btn{width:32px;height:32px}
.error svg{width:16px;height:16px}
.body{flex:1;min-height:0;display:flex;flex-direction:column;overflow:auto}
.loading{margin:auto;color:#4b5563}
.prechat{display:flex;flex-direction:column;gap:12px;padding:16px}
.intro{margin:0}
.field{display:flex;flex-direction:column;gap:4px}
.field label{font-size:13px;font-weight:600;color:#374151}
.input{width:100%;padding:9px 10px;border:1px solid #6b7280;border-radius:8px;background:#fff;font-size:16px}
.input[aria-invalid=true]{border-color:#b91c1c;border-width:2px}
textarea.input{resize:none;min-height:44px}
.primary{padding:10px 16px;border:1px solid transparent;border-radius:8px;background:#1d4ed8;color:#fff;font-weight:600;cursor:pointer}
.primary:hover{background:#1e40af}
.primary[disabled]{opacity:.6;cursor:default}
.log{flex:1;min-height:0;overflow-y:auto;display:flex;flex-direction:column;gap:10px;padding:16px;outline-offset:-3px}
.log>*{flex:none}
.msg{display:flex;flex-direction:column;max-width:85%}
.msg.customer{align-self:flex-end;align-items:flex-end}
.msg.agent{align-self:flex-start;align-items:flex-start}
.msg.system,.note{align-self:center;max-width:100%;text-align:center;color:#4b5563;font-size:13px}
.note{margin:0}
.author{font-size:12px;font-weight:600;color:#374151;margin:0 0 2px}
.bubble{padding:8px 12px;border-radius:14px;overflow-wrap:anywhere}
.customer .bubble{background:#1d4ed8;color:#fff;border-bottom-right-radius:4px}
.agent .bubble{background:#f1f5f9;color:#111827;border:1px solid #e2e8f0;border-bottom-left-radius:4px}
.text{margin:0;white-space:pre-wrap}
.file{display:flex;flex-direction:column;align-items:flex-start;gap:4px;margin:4px 0 0;padding:0;border:0;background:none;color:inherit;text-decoration:underline;cursor:pointer;text-align:left}
.thumb{display:block;max-width:220px;max-height:220px;border-radius:8px;background:#fff}
.meta{font-size:11px;color:#4b5563;margin-top:2px}
.receipt{margin-left:6px;font-weight:600}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
.typing{padding:0 16px 4px;font-size:13px;font-style:italic;color:#4b5563;min-height:0}
.typing:empty{display:none}
.upload{display:flex;align-items:center;gap:8px;padding:4px 16px;font-size:13px;color:#374151}
.upload progress{flex:1}
.composer{display:flex;align-items:flex-end;gap:4px;padding:8px;border-top:1px solid #e5e7eb}
.composer .input{flex:1;max-height:120px}
.send{background:#1d4ed8;color:#fff}
.send:hover{background:#1e40af}
@media (max-width:480px){.panel{right:0;bottom:0;width:100vw;max-width:100vw;height:100%;max-height:100%;border-radius:0;border:0}}
@media (forced-colors:active){.launcher,.primary,.send,.bubble{border:1px solid CanvasText}}
`;

  // ---- the widget's DOM ----

  const badge = h('span', { class: 'badge', part: 'badge', 'aria-hidden': 'true', hidden: true });
  const launcher = h('button', {
    type: 'button', class: 'launcher', part: 'launcher', 'data-testid': 'launcher',
    'aria-label': T.open, 'aria-expanded': 'false', 'aria-controls': 'layan-panel', onclick: () => (isOpen ? close() : open()),
  }, [icon('chat'), badge]);

  const subtitle = h('p', { class: 'subtitle', part: 'subtitle', 'data-testid': 'subtitle' });
  const closeButton = h('button', {
    type: 'button', class: 'icon-btn', part: 'close', 'data-testid': 'close', 'aria-label': T.close, onclick: () => close(),
  }, [icon('close')]);

  const queueLine = h('p', { class: 'queue', part: 'queue', 'data-testid': 'queue', hidden: true });
  const noticeLine = h('p', { class: 'notice', part: 'notice', 'data-testid': 'notice', hidden: true });
  const connectionLine = h('p', { class: 'connection', part: 'connection', 'data-testid': 'connection', hidden: true, text: T.reconnecting });
  const statusBar = h('div', { class: 'status', part: 'status', role: 'status' }, [queueLine, noticeLine, connectionLine]);

  const errorText = h('span', { class: 'error-text', part: 'error-text' });
  const retryButton = h('button', { type: 'button', class: 'link-btn', part: 'retry', 'data-testid': 'retry', text: T.retry, hidden: true });
  const errorBox = h('div', { class: 'error', part: 'error', role: 'alert', 'data-testid': 'error', hidden: true }, [
    errorText, retryButton,
    h('button', { type: 'button', class: 'icon-btn', part: 'dismiss', 'aria-label': T.dismiss, onclick: () => clearError() }, [icon('close')]),
  ]);

  const loadingLine = h('p', { class: 'loading', part: 'loading', text: T.loading });
  const log = h('div', {
    class: 'log', part: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': T.messages, 'data-testid': 'log', tabindex: '0', hidden: true,
  });
  const body = h('div', { class: 'body', part: 'body' }, [loadingLine, log]);

  const typingLine = h('div', { class: 'typing', part: 'typing', 'data-testid': 'typing', 'aria-live': 'polite' });
  const uploadLabel = h('span', { class: 'upload-label' });
  const uploadBar = h('progress', { max: '1', value: '0', part: 'progress' });
  const uploadLine = h('div', { class: 'upload', part: 'upload', 'data-testid': 'upload', hidden: true }, [uploadLabel, uploadBar]);

  const fileInput = h('input', {
    type: 'file', accept: 'image/png,image/jpeg,application/pdf', hidden: true, tabindex: '-1', 'data-testid': 'attach-input', onchange: onFile,
  });
  const attachButton = h('button', {
    type: 'button', class: 'icon-btn', part: 'attach', 'data-testid': 'attach', 'aria-label': T.attach, onclick: () => fileInput.click(),
  }, [icon('clip')]);
  const textarea = h('textarea', {
    class: 'input', part: 'composer', 'data-testid': 'composer', rows: '1', maxlength: '10000', 'aria-label': T.message, placeholder: T.placeholder,
    oninput: onComposerInput, onkeydown: onComposerKey,
  });
  const sendButton = h('button', { type: 'submit', class: 'icon-btn send', part: 'send', 'data-testid': 'send', 'aria-label': T.send }, [icon('send')]);
  const composer = h('form', { class: 'composer', part: 'composer-form', hidden: true, onsubmit: (e) => { e.preventDefault(); send(); } }, [
    attachButton, fileInput, textarea, sendButton,
  ]);

  const panel = h('div', {
    id: 'layan-panel', class: 'panel', part: 'panel', role: 'dialog', 'aria-label': T.title, 'data-testid': 'panel', tabindex: '-1', hidden: true,
  }, [
    h('div', { class: 'header', part: 'header' }, [
      h('div', { class: 'heading' }, [h('h2', { class: 'title', part: 'title', text: T.title }), subtitle]),
      closeButton,
    ]),
    statusBar, errorBox, body, typingLine, uploadLine, composer,
  ]);

  const rootEl = h('div', {
    class: 'root', part: 'root', lang: LANG,
    onkeydown: (e) => {
      if ((e.key === 'Escape' || e.key === 'Esc') && isOpen) {
        e.stopPropagation();
        close();
      }
    },
  }, [launcher, panel]);

  // ---- state ----

  let config = null;
  let booting = null;
  let isOpen = false;
  let unread = 0;
  let status = null;
  let assigned = false;
  let agentName = null;
  let queue = null;
  let seenUpTo = 0;
  let unreadAgent = false;
  let sending = false;
  let lastTypingSent = 0;
  let firstView = true;
  const messages = []; // {item, el, time}, oldest first
  const byId = new Map();
  const blobs = new Map();
  const receipt = h('span', { class: 'receipt', part: 'receipt', 'data-testid': 'receipt', text: T.seen });
  let typingTimer = 0;
  let readTimer = 0;
  let refreshTimer = 0;

  // ---- errors ----

  function showError(message, retry) {
    errorText.textContent = message;
    retryButton.hidden = !retry;
    retryButton.onclick = retry ? () => {
      clearError();
      focusInside();
      retry();
    } : null;
    errorBox.hidden = false;
  }
  function clearError() {
    errorBox.hidden = true;
    errorText.textContent = '';
  }

  // ---- opening and closing ----

  function open() {
    isOpen = true;
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    unread = 0;
    updateLauncher();
    boot();
    focusInside();
    scrollDown();
    scheduleRead();
    if (waiting()) refreshSoon(0);
  }

  function close() {
    if (!isOpen) return;
    isOpen = false;
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    updateLauncher();
    launcher.focus();
  }

  function focusInside() {
    if (!isOpen) return;
    const active = shadow.activeElement;
    if (active && active !== panel && active !== launcher && active !== closeButton) return;
    const form = body.querySelector('form');
    const target = form ? form.querySelector('input,select,textarea') : !composer.hidden ? textarea : closeButton;
    target.focus();
  }

  function updateLauncher() {
    badge.textContent = unread ? String(unread) : '';
    badge.hidden = !unread || isOpen;
    launcher.setAttribute('aria-label', isOpen ? T.close : unread ? fmt(T.openUnread, { n: unread }) : T.open);
  }

  // ---- start-up ----

  function boot() {
    if (!booting) {
      booting = (async () => {
        loadingLine.hidden = false;
        try {
          config = await api('GET', '/config');
        } catch (e) {
          booting = null;
          loadingLine.hidden = true;
          showError(e.message, boot);
          return;
        }
        subtitle.textContent = config.workspace || '';
        if (session) await resume();
        else showPrechat();
      })();
    }
    return booting;
  }

  /** Back into the saved conversation: its state now, then its events from there on. */
  async function resume() {
    try {
      await loadConversation(true);
    } catch (e) {
      if (e.status === 404) {
        forget();
        showPrechat();
      } else {
        loadingLine.hidden = true;
        showError(e.message, resume);
      }
      return;
    }
    showConversation();
    startLive();
  }

  function forget() {
    stopLive();
    session = null;
    saveSession();
    for (const m of messages) m.el.remove();
    messages.length = 0;
    byId.clear();
    log.textContent = '';
    status = null;
    assigned = false;
    agentName = null;
    queue = null;
    seenUpTo = 0;
    firstView = true;
    renderStatus();
  }

  // ---- the pre-chat (and offline) form ----

  function showPrechat() {
    loadingLine.hidden = true;
    log.hidden = true;
    composer.hidden = true;
    const offline = !config.online;
    const controls = {};
    const field = (key, label, control) => {
      control.id = 'layan-' + key;
      control.setAttribute('data-testid', 'prechat-' + key);
      control.setAttribute('part', 'input prechat-' + key);
      control.classList.add('input');
      controls[key] = control;
      return h('div', { class: 'field', part: 'field' }, [h('label', { for: control.id, text: label }), control]);
    };
    const askEmail = !USER_EMAIL && (config.askEmail || offline);
    const departments = Array.isArray(config.departments) ? config.departments : [];
    const start = h('button', { type: 'submit', class: 'primary', part: 'start', 'data-testid': 'prechat-start', text: offline ? T.sendOffline : T.start });
    const form = h('form', { class: 'prechat', part: 'prechat', 'data-testid': 'prechat', novalidate: true }, [
      h('p', { class: 'intro', part: 'intro', 'data-testid': offline ? 'offline-intro' : 'intro', text: offline ? T.offlineIntro : T.intro }),
      config.askName && field('name', T.name, h('input', { type: 'text', autocomplete: 'name', maxlength: '100' })),
      askEmail && field('email', offline ? T.email + ' (' + T.required + ')' : T.email,
        h('input', { type: 'email', autocomplete: 'email', maxlength: '254', required: offline, 'aria-required': offline ? 'true' : null })),
      config.askDepartment && departments.length > 1 && field('department', T.department,
        h('select', {}, departments.map((d) => h('option', { value: d.id, text: d.name })))),
      field('message', T.message, h('textarea', { rows: '4', maxlength: '10000', required: true, 'aria-required': 'true' })),
      start,
    ]);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      startChat(form, controls, start, offline);
    });
    const old = body.querySelector('form');
    if (old) old.remove();
    body.prepend(form);
    focusInside();
  }

  async function startChat(form, controls, start, offline) {
    const value = (key) => (controls[key] ? controls[key].value.trim() : '');
    for (const key in controls) controls[key].removeAttribute('aria-invalid');
    const email = USER_EMAIL || value('email');
    const invalid = (key, message) => {
      controls[key].setAttribute('aria-invalid', 'true');
      controls[key].focus();
      showError(message);
    };
    if (offline && !email && controls.email) return invalid('email', T.emailNeeded);
    if (!value('message')) return invalid('message', T.messageNeeded);
    const request = {
      name: value('name') || null,
      email: email || null,
      departmentId: value('department') || null,
      message: value('message'),
      identityHash: USER_EMAIL && USER_HASH && config.identityVerification ? USER_HASH : null,
      offline,
    };
    start.disabled = true;
    clearError();
    let started;
    try {
      started = await api('POST', '/conversations', request);
    } catch (e) {
      if (e.code === 'identity_invalid' && request.identityHash) {
        // The page's signature does not match (e.g. the secret was rotated): chat unverified rather than not at all.
        if (window.console) console.warn('Layan widget: identity verification failed; starting an unverified chat');
        request.identityHash = null;
        try {
          started = await api('POST', '/conversations', request);
        } catch (again) {
          e = again;
        }
      }
      if (!started) {
        start.disabled = false;
        markFields(controls, e.fields);
        showError(e.message);
        return;
      }
    }
    session = { conversationId: started.conversationId, token: started.visitorToken, after: 0, offline };
    saveSession();
    form.remove();
    loadingLine.hidden = false;
    await resume();
    focusInside();
  }

  function markFields(controls, fields) {
    const names = { name: 'name', email: 'email', departmentId: 'department', message: 'message', body: 'message' };
    let first = null;
    for (const key in fields || {}) {
      const control = controls[names[key]];
      if (control) {
        control.setAttribute('aria-invalid', 'true');
        first = first || control;
      }
    }
    if (first) first.focus();
  }

  // ---- the conversation ----

  function showConversation() {
    loadingLine.hidden = true;
    log.hidden = false;
    composer.hidden = false;
    focusInside();
    scrollDown();
  }

  /** GET /conversation; with `restart`, the event stream continues from the answer's lastSequence. */
  async function loadConversation(restart) {
    const view = await api('GET', '/conversation');
    if (!session) return;
    session.conversationId = view.conversationId;
    for (const item of view.messages || []) addMessage(item);
    for (const item of view.messages || []) {
      if (item.kind === 'agent' && !item.readAt) unreadAgent = true;
    }
    // A periodic refresh answered after the stream moved past it: its status and assignee are older than ours.
    if (!restart && (Number(view.lastSequence) || 0) < session.after) {
      queue = view.queue || null;
      renderStatus();
      scheduleRead();
      return;
    }
    const name = view.agentName || null;
    if (name && name !== agentName && !firstView) addNote(fmt(T.joined, { name }));
    firstView = false;
    status = view.status;
    assigned = !!name;
    agentName = name;
    queue = view.queue || null;
    if (restart) {
      session.after = Number(view.lastSequence) || 0;
      saveSession();
    }
    renderStatus();
    scheduleRead();
  }

  function waiting() {
    return !!session && !session.offline && status === 'open' && !assigned;
  }

  function renderStatus() {
    const set = (el, text) => {
      if (el.textContent !== text) el.textContent = text;
      el.hidden = !text;
    };
    let line = '';
    if (waiting()) {
      line = queue && queue.position
        ? fmt(T.queue, { n: queue.position, m: Math.max(1, Math.round((queue.estimatedWaitSeconds || 0) / 60)) })
        : T.waiting;
    }
    set(queueLine, line);
    set(noticeLine, !session ? '' : status === 'resolved' ? T.resolved : session.offline && status === 'open' && !assigned ? T.offlineThanks : '');
    subtitle.textContent = agentName || (config && config.workspace) || '';
    if (waiting() && !refreshTimer) {
      refreshTimer = setInterval(() => {
        if (isOpen && document.visibilityState === 'visible') refreshSoon(0);
      }, 10000);
    } else if (!waiting() && refreshTimer) {
      clearInterval(refreshTimer);
      refreshTimer = 0;
    }
  }

  let refreshPending = 0;
  function refreshSoon(delay) {
    clearTimeout(refreshPending);
    refreshPending = setTimeout(() => {
      if (session) loadConversation(false).catch(() => {});
    }, delay === undefined ? 300 : delay);
  }

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 60;
  }
  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  /** Adds a message once (the visitor's own arrive both as the POST's answer and as an event), in time order. */
  function addMessage(item) {
    if (!item || !item.id || byId.has(item.id)) return false;
    if (session && session.conversationId && item.conversationId && item.conversationId !== session.conversationId) return false;
    const record = { item, el: renderMessage(item), time: Date.parse(item.at) || Date.now() };
    byId.set(item.id, record);
    let i = messages.length;
    while (i > 0 && messages[i - 1].time > record.time) i--;
    const next = messages[i];
    messages.splice(i, 0, record);
    const stick = nearBottom();
    log.insertBefore(record.el, next ? next.el : null);
    if (item.kind === 'customer' && item.readAt) seenUpTo = Math.max(seenUpTo, record.time);
    placeReceipt();
    if (stick || item.kind === 'customer') scrollDown();
    return true;
  }

  function addNote(text) {
    const stick = nearBottom();
    log.append(h('p', { class: 'note', part: 'note', 'data-testid': 'note', text }));
    if (stick) scrollDown();
  }

  function renderMessage(item) {
    const kind = item.kind === 'agent' || item.kind === 'system' ? item.kind : 'customer';
    const el = h('div', { class: 'msg ' + kind, part: 'message message-' + kind, 'data-testid': 'message', 'data-id': item.id, 'data-kind': kind });
    if (kind === 'agent') el.append(h('p', { class: 'author', part: 'author', text: item.authorName || T.agent }));
    if (kind === 'customer') el.append(h('span', { class: 'sr-only', text: T.you + ': ' }));
    const bubble = h('div', { class: kind === 'system' ? 'system-text' : 'bubble', part: 'bubble' });
    if (item.body) bubble.append(h('p', { class: 'text', part: 'text', text: item.body }));
    if (item.attachmentName) bubble.append(renderAttachment(item));
    el.append(bubble);
    if (kind !== 'system') el.append(h('div', { class: 'meta', part: 'meta' }, [h('time', { datetime: item.at, text: timeOf(item.at) })]));
    return el;
  }

  function renderAttachment(item) {
    const label = item.attachmentName + (item.attachmentSize ? ' (' + sizeOf(item.attachmentSize) + ')' : '');
    const button = h('button', { type: 'button', class: 'file', part: 'attachment', 'data-testid': 'attachment' }, [h('span', { text: label })]);
    button.addEventListener('click', () => openAttachment(item));
    if (/^image\/(png|jpeg)$/.test(item.attachmentType || '') && (item.attachmentSize || 0) <= IMAGE_PREVIEW_MAX) {
      blobOf(item).then((url) => button.prepend(h('img', { class: 'thumb', part: 'image', src: url, alt: '' }))).catch(() => {});
    }
    return button;
  }

  /** The attachment needs the token header, so it is fetched and shown from an object URL. */
  function blobOf(item) {
    let url = blobs.get(item.id);
    if (!url) {
      url = fetch(API + '/attachments/' + item.id, { headers: Object.assign(headers(false), { Accept: '*/*' }), credentials: 'omit', mode: 'cors' })
        .then((response) => {
          if (!response.ok) throw failure(response.status);
          return response.blob();
        })
        .then((blob) => URL.createObjectURL(blob), (e) => {
          blobs.delete(item.id);
          throw e instanceof ApiError ? e : failure(0);
        });
      blobs.set(item.id, url);
    }
    return url;
  }

  function openAttachment(item) {
    // Opened now, while the click still counts as the visitor's, and pointed at the file once it is here.
    const win = window.open('', '_blank');
    blobOf(item).then((url) => {
      if (win && !win.closed) {
        try {
          win.opener = null;
        } catch (_) {
          // not ours to change
        }
        win.location.href = url;
      } else {
        const a = h('a', { href: url, download: item.attachmentName || 'attachment' });
        rootEl.append(a);
        a.click();
        a.remove();
      }
    }, (e) => {
      if (win) win.close();
      showError(e.message);
    });
  }

  function placeReceipt() {
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i];
      if (m.item.kind === 'customer' && m.time <= seenUpTo) {
        const meta = m.el.querySelector('.meta');
        if (meta && receipt.parentNode !== meta) meta.append(receipt);
        return;
      }
    }
    receipt.remove();
  }

  function showTyping(name) {
    typingLine.textContent = name ? fmt(T.typingName, { name }) : T.typing;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, 4000);
  }
  function hideTyping() {
    clearTimeout(typingTimer);
    typingLine.textContent = '';
  }

  // ---- events ----

  function onEvent(type, data) {
    if (!session || !data || (data.conversationId && session.conversationId && data.conversationId !== session.conversationId)) return;
    if (type === 'message.created') {
      if (addMessage(data) && data.kind === 'agent') {
        hideTyping();
        unreadAgent = true;
        if (!visible()) {
          unread++;
          updateLauncher();
        }
        scheduleRead();
      }
    } else if (type === 'conversation.assigned') {
      if (data.assigned) {
        const name = data.assigneeName || null;
        if (name && name !== agentName) addNote(fmt(T.joined, { name }));
        assigned = true;
        agentName = name || agentName;
        queue = null;
      } else {
        assigned = false;
        agentName = null;
        refreshSoon();
      }
      renderStatus();
    } else if (type === 'conversation.updated') {
      status = data.status;
      renderStatus();
      if (waiting()) refreshSoon();
    } else if (type === 'message.read') {
      if (data.reader === 'agent') {
        seenUpTo = Math.max(seenUpTo, Date.parse(data.upTo) || Date.now());
        placeReceipt();
      }
    } else if (type === 'typing') {
      if (data.who === 'agent') showTyping(data.name || agentName);
    }
  }

  /** One batch from the socket or the long poll; false when it asked for a resync (which restarts the stream). */
  async function onBatch(batch, generation) {
    if (!batch || generation !== liveGeneration) return false;
    if (batch.resync) {
      resync();
      return false;
    }
    resyncs = 0;
    for (const frame of batch.events || []) {
      try {
        onEvent(frame.type, frame.data);
      } catch (e) {
        if (window.console) console.error('Layan widget:', e);
      }
    }
    if (session && typeof batch.lastSequence === 'number') {
      session.after = batch.lastSequence;
      saveSession();
    }
    return true;
  }

  // ---- live connection: WebSocket, else long poll ----

  let liveGeneration = 0;
  let socket = null;
  let socketEverOpened = false;
  let socketFailures = 0;
  let longPoll = false;
  let attempt = 0;
  let reconnectTimer = 0;
  let pollAbort = null;
  let resyncs = 0;

  function stopLive() {
    liveGeneration++;
    clearTimeout(reconnectTimer);
    if (socket) {
      socket.onclose = socket.onmessage = socket.onopen = null;
      try {
        socket.close();
      } catch (_) {
        // already closed
      }
      socket = null;
    }
    if (pollAbort) pollAbort.abort();
    pollAbort = null;
  }

  function startLive() {
    stopLive();
    if (!session) return;
    const generation = liveGeneration;
    if (longPoll || typeof WebSocket !== 'function') poll(generation);
    else openSocket(generation);
  }

  function retryLater(generation, wait) {
    connectionLine.hidden = attempt < 1;
    const delay = wait || DELAYS[Math.min(attempt, DELAYS.length - 1)];
    attempt++;
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(() => {
      if (generation !== liveGeneration || !session) return;
      if (longPoll) poll(generation);
      else openSocket(generation);
    }, delay);
  }

  function connected() {
    attempt = 0;
    connectionLine.hidden = true;
  }

  function openSocket(generation) {
    let opened = false;
    let ws;
    try {
      ws = new WebSocket(ORIGIN.replace(/^http/, 'ws') + '/api/v1/widget/' + WS + '/live');
    } catch (_) {
      longPoll = true;
      poll(generation);
      return;
    }
    socket = ws;
    ws.onopen = () => {
      opened = true;
      socketEverOpened = true;
      ws.send(JSON.stringify({ type: 'hello', token: session.token, after: session.after }));
      connected();
    };
    ws.onmessage = (e) => {
      let batch = null;
      try {
        batch = JSON.parse(e.data);
      } catch (_) {
        return;
      }
      onBatch(batch, generation);
    };
    ws.onclose = (e) => {
      if (generation !== liveGeneration) return;
      socket = null;
      if (!opened && !socketEverOpened && ++socketFailures >= 2) {
        // WebSockets look blocked here (a proxy, a firewall): long poll instead.
        longPoll = true;
        poll(generation);
        return;
      }
      if (e.code === 1008) {
        // The server does not know the token (any more), or the hello was not understood.
        resync();
        return;
      }
      retryLater(generation);
    };
  }

  async function poll(generation) {
    while (session && generation === liveGeneration) {
      pollAbort = typeof AbortController === 'function' ? new AbortController() : null;
      let batch;
      try {
        batch = await api('GET', '/events?after=' + encodeURIComponent(session.after) + '&wait=25', undefined, pollAbort && pollAbort.signal);
      } catch (e) {
        if (generation !== liveGeneration || (e && e.name === 'AbortError')) return;
        if (e.status === 404) resync();
        else retryLater(generation, e.status === 429 ? e.retryAfter * 1000 : 0);
        return;
      }
      if (generation !== liveGeneration) return;
      connected();
      if (!(await onBatch(batch, generation))) return;
    }
  }

  /**
   * Resync (or the token was refused): reload the conversation and stream on from its lastSequence.
   * A 404 means the conversation is gone for good: forget it and offer a new chat. Repeated
   * resyncs without a normal batch in between back off like reconnects.
   */
  function resync() {
    stopLive();
    const generation = liveGeneration;
    const delay = resyncs ? DELAYS[Math.min(resyncs - 1, DELAYS.length - 1)] : 0;
    resyncs++;
    reconnectTimer = setTimeout(async () => {
      try {
        await loadConversation(true);
      } catch (e) {
        if (generation !== liveGeneration) return;
        if (e.status === 404) {
          forget();
          if (config) showPrechat();
        } else {
          connectionLine.hidden = false;
          resync();
        }
        return;
      }
      if (generation === liveGeneration) startLive();
    }, delay);
  }

  // ---- writing ----

  async function send() {
    const text = textarea.value.trim();
    if (!text || sending || !session) return;
    sending = true;
    try {
      const item = await api('POST', '/messages', { body: text });
      if (textarea.value.trim() === text) textarea.value = '';
      autosize();
      clearError();
      addMessage(item);
    } catch (e) {
      showError(e.message, send);
    } finally {
      sending = false;
    }
  }

  function onComposerKey(e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  }

  function onComposerInput() {
    autosize();
    const now = Date.now();
    if (session && textarea.value.trim() && now - lastTypingSent >= 3000) {
      lastTypingSent = now;
      api('POST', '/typing').catch(() => {});
    }
  }

  function autosize() {
    textarea.style.height = 'auto';
    textarea.style.height = Math.min(textarea.scrollHeight + 2, 120) + 'px';
  }

  function onFile() {
    const file = fileInput.files && fileInput.files[0];
    fileInput.value = '';
    if (!file || !session) return;
    const max = (config && config.maxAttachmentBytes) || 10 * 1024 * 1024;
    if (!/^(image\/(png|jpeg)|application\/pdf)$/.test(file.type) && !/\.(png|jpe?g|pdf)$/i.test(file.name)) return showError(T.badType);
    if (file.size > max) return showError(fmt(T.tooLarge, { size: sizeOf(max) }));
    upload(file);
  }

  function upload(file) {
    clearError();
    const xhr = new XMLHttpRequest();
    xhr.open('POST', API + '/attachments');
    const h2 = headers(false);
    for (const key in h2) xhr.setRequestHeader(key, h2[key]);
    uploadLabel.textContent = fmt(T.uploading, { name: file.name });
    uploadBar.value = 0;
    uploadLine.hidden = false;
    attachButton.disabled = true;
    const done = () => {
      uploadLine.hidden = true;
      attachButton.disabled = false;
    };
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) uploadBar.value = e.loaded / e.total;
    };
    xhr.onload = () => {
      done();
      let data = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch (_) {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) addMessage(data);
      else showError(failure(xhr.status, data, xhr.getResponseHeader('Retry-After')).message, () => upload(file));
    };
    xhr.onerror = () => {
      done();
      showError(T.network, () => upload(file));
    };
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  }

  // ---- read receipts ----

  function visible() {
    return isOpen && document.visibilityState === 'visible';
  }

  function scheduleRead() {
    if (!unreadAgent || !visible() || !session) return;
    clearTimeout(readTimer);
    readTimer = setTimeout(() => {
      if (!unreadAgent || !visible() || !session) return;
      unreadAgent = false;
      api('POST', '/read').catch(() => {
        unreadAgent = true;
      });
    }, 800);
  }

  // ---- go ----

  let shadow = null;
  function mount() {
    const host = document.createElement('div');
    host.id = 'layan-widget';
    host.setAttribute('data-testid', 'layan-widget');
    shadow = host.attachShadow({ mode: 'open' });
    shadow.append(h('style', { text: CSS }), rootEl);
    document.body.append(host);
    document.addEventListener('visibilitychange', () => {
      if (visible()) {
        unread = 0;
        updateLauncher();
      }
      scheduleRead();
      if (document.visibilityState === 'visible' && isOpen && waiting()) refreshSoon(0);
    });
    window.addEventListener('online', () => {
      if (session && attempt > 0) startLive();
    });
    loadSession();
    // A visitor with a conversation hears the agent even before opening the panel.
    if (session) boot();
  }

  window.LayanWidget = { open: () => open(), close: () => close() };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
