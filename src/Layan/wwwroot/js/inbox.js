// The live inbox (INB-2, NOT-1): follows the workspace's event stream (docs/realtime.md), and on
// each batch re-reads this page and swaps the list and the open conversation (whatever is typed
// or chosen and not sent yet stays). Plays the agent's sounds, shows browser notifications, keeps the agent
// online with a heartbeat, and expands /keyword quick replies in the composer (QR-1).
(() => {
  "use strict";
  const root = document.querySelector("[data-inbox]");
  if (!root) return;
  const ws = root.dataset.workspace;
  const me = root.dataset.me;
  const api = `api/v1/workspaces/${ws}`;
  let after = Number(root.dataset.after || 0);
  let lastInput = Date.now();
  let failures = 0;

  // ---- sounds: synthesized, so there is nothing to download ----
  const tones = { chime: [880, 1320], bell: [660, 990, 1320], pop: [440] };
  let audio;
  function play(name) {
    const notes = tones[name];
    if (!notes) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      notes.forEach((f, i) => {
        const o = audio.createOscillator(), g = audio.createGain(), t = audio.currentTime + i * 0.12;
        o.frequency.value = f;
        g.gain.setValueAtTime(0.15, t);
        g.gain.exponentialRampToValueAtTime(0.001, t + 0.25);
        o.connect(g).connect(audio.destination);
        o.start(t);
        o.stop(t + 0.3);
      });
      root.dataset.lastSound = name;
    } catch { /* no audio device */ }
  }

  function notify(text) {
    if (root.dataset.browserNotifications !== "true" || !("Notification" in window) || !document.hidden) return;
    if (Notification.permission === "granted") new Notification(text);
  }
  if (root.dataset.browserNotifications === "true" && "Notification" in window && Notification.permission === "default") {
    document.addEventListener("click", () => Notification.requestPermission(), { once: true });
  }

  // ---- live updates ----
  // A swap between a button's press and its release would lose the click (the release lands on
  // the new button), and one after a form was sent is pointless: swaps wait for the release and
  // stop once the page is leaving.
  let pressing = false, leaving = false, pending = null;
  document.addEventListener("pointerdown", () => { pressing = true; }, true);
  for (const type of ["pointerup", "pointercancel"]) {
    document.addEventListener(type, () => {
      pressing = false;
      // after the click and the submit it may cause, both dispatched in this same task
      setTimeout(() => { if (pending) { const swap = pending; pending = null; swap(); } }, 0);
    }, true);
  }
  document.addEventListener("submit", () => { leaving = true; });
  window.addEventListener("pagehide", () => { leaving = true; });
  window.addEventListener("pageshow", e => { if (e.persisted) leaving = false; });

  // Only the newest read is shown: an older answer arriving late never replaces a newer one.
  let generation = 0;
  async function refresh() {
    const mine = ++generation;
    const response = await fetch(location.href, { credentials: "same-origin" });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    if (mine !== generation) return;
    pending = () => swap(page);
    if (!pressing) { pending = null; swap(page); }
  }

  // What the agent chose or typed and has not sent survives a swap: every field whose value differs
  // from the page's own (a reply half written, a status picked but not saved), matched by its form's
  // handler and its name.
  function fieldKey(field) {
    const handler = field.form ? field.form.querySelector("input[name=_handler]") : null;
    const choice = field.type === "checkbox" || field.type === "radio" ? field.value : "";
    return `${handler ? handler.value : ""}|${field.name}|${choice}`;
  }
  function isDirty(field) {
    if (field.tagName === "SELECT") return [...field.options].some(o => o.selected !== o.defaultSelected);
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    return field.value !== field.defaultValue;
  }
  function unsent(root) {
    const kept = new Map();
    for (const field of root.querySelectorAll("input, select, textarea")) {
      if (field.name && field.type !== "hidden" && isDirty(field)) kept.set(fieldKey(field), field);
    }
    return kept;
  }
  function restore(root, kept) {
    for (const field of root.querySelectorAll("input, select, textarea")) {
      const old = field.name ? kept.get(fieldKey(field)) : null;
      if (!old) continue;
      if (field.type === "checkbox" || field.type === "radio") field.checked = old.checked;
      else field.value = old.value;
    }
  }

  function swap(page) {
    if (leaving) return;
    for (const id of ["inbox-list", "inbox-thread"]) {
      const current = document.getElementById(id), fresh = page.getElementById(id);
      if (!current || !fresh) continue;
      const kept = unsent(current);
      current.replaceWith(fresh);
      restore(fresh, kept);
    }
    bindComposer();
  }

  function handle(batch) {
    if (batch.resync) { location.reload(); return; }
    let changed = false;
    for (const e of batch.events) {
      after = e.seq;
      if (e.type === "typing") continue;
      // the agent's own read receipts change nothing this page shows
      if (e.type === "message.read" && e.data.reader === "agent") continue;
      changed = true;
      if (e.type === "message.created" && e.data.kind === "customer") {
        play(root.dataset.soundMessage);
        notify(root.dataset.newMessage);
      }
      if (e.type === "conversation.assigned" && e.data.assigneeId === me && e.data.by !== me) {
        play(root.dataset.soundAssignment);
        notify(root.dataset.assignedToYou);
      }
    }
    if (changed) refresh();
    root.dataset.after = String(after);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const base = document.baseURI.replace(/^https?:/, scheme);
    const socket = new WebSocket(new URL(`${api}/live?after=${after}`, base));
    socket.onopen = () => { failures = 0; root.dataset.live = "open"; };
    socket.onmessage = m => handle(JSON.parse(m.data));
    socket.onclose = () => {
      root.dataset.live = "closed";
      failures++;
      if (failures > 2) poll(); else setTimeout(connect, Math.min(10000, 1000 * failures));
    };
  }

  // The fallback when WebSockets are blocked: the long poll, same numbers.
  async function poll() {
    root.dataset.live = "polling";
    for (;;) {
      try {
        const r = await fetch(`${api}/events?after=${after}&wait=25`, { credentials: "same-origin" });
        if (r.ok) handle(await r.json()); else await new Promise(res => setTimeout(res, 5000));
      } catch { await new Promise(res => setTimeout(res, 5000)); }
    }
  }

  // ---- presence ----
  for (const type of ["keydown", "mousemove", "pointerdown", "scroll"]) {
    document.addEventListener(type, () => { lastInput = Date.now(); }, { passive: true });
  }
  function heartbeat() {
    fetch(`${api}/presence/heartbeat`, {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ idleSeconds: Math.floor((Date.now() - lastInput) / 1000) })
    }).catch(() => {});
  }

  // ---- the composer: typing indicator and /keyword quick replies ----
  let typingSent = 0;
  function bindComposer() {
    const box = document.querySelector("[data-testid=reply-body]");
    const conversation = root.dataset.conversation;
    if (!box || box.dataset.bound) return;
    box.dataset.bound = "true";
    const replies = new Map((box.dataset.quickReplies || "").split("\u001e").filter(Boolean).map(r => r.split("\u001f")));
    box.addEventListener("input", () => {
      const match = /(^|\s)\/([\w-]+)\s$/.exec(box.value);
      if (match && replies.has(match[2].toLowerCase())) {
        box.value = box.value.slice(0, match.index + match[1].length) + replies.get(match[2].toLowerCase());
      }
      if (conversation && Date.now() - typingSent > 3000) {
        typingSent = Date.now();
        fetch(`${api}/conversations/${conversation}/typing`, { method: "POST", credentials: "same-origin" }).catch(() => {});
      }
    });
    if (conversation) fetch(`${api}/conversations/${conversation}/read`, { method: "POST", credentials: "same-origin" }).catch(() => {});
  }

  bindComposer();
  heartbeat();
  setInterval(heartbeat, 20000);
  connect();
})();
