// The dashboard's live updates and actions, in plain JavaScript.
//
// The server pushes batches of {id, html} over an EventSource; each piece replaces the
// element with that id (one card, one agent, the event list). Whenever the stream
// (re)opens, the page fetches a snapshot of the whole board, so nothing missed while it
// was away stays missing. Batches that arrive during that fetch are applied afterwards
// only if they are newer than the snapshot (`seq`).
(() => {
  "use strict";

  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const live = document.getElementById("live");
  let seq = Number(document.getElementById("board").dataset.seq || 0);
  let waiting = null; // batches received while a snapshot is being fetched
  let source = null;
  let retryMs = 1000;

  function setLive(state, text) {
    live.dataset.state = state;
    live.querySelector(".live-text").textContent = text;
  }

  function toLogin(response) {
    if (response.status === 401) {
      window.location.assign("/login");
      return true;
    }
    return false;
  }

  // Replace one element by fresh HTML; open job lists and replies ([data-keep]) stay.
  function swap(id, html, flash) {
    const old = document.getElementById(id);
    if (!old) return false;
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const fresh = template.content.firstElementChild;
    old.querySelectorAll("[data-keep]").forEach((kept) => {
      const slot = fresh.querySelector(`[id="${CSS.escape(kept.id)}"]`);
      if (slot) slot.replaceWith(kept);
    });
    old.replaceWith(fresh);
    refreshTimes(fresh);
    if (flash && fresh.classList.contains("card")) fresh.classList.add("flash");
    return true;
  }

  // The tab's title counts the devices that need a person, for a page left in the background.
  const baseTitle = document.title;
  function updateTitle() {
    const count = (selector) => Number(document.querySelector(selector)?.textContent || 0);
    const down = count(".tile-error .tile-num") + count(".tile-offline .tile-num");
    document.title = down ? `(${down}) ${baseTitle}` : baseTitle;
  }

  function apply(batch) {
    if (waiting) {
      waiting.push(batch);
      return;
    }
    if (batch.resync) {
      snapshot();
      return;
    }
    for (const update of batch.updates || []) {
      if (!swap(update.id, update.html, true)) {
        snapshot(); // something new appeared that the page does not have yet
        return;
      }
    }
    seq = Math.max(seq, batch.seq || 0);
    document.body.dataset.seq = String(seq);
    updateTitle();
  }

  async function snapshot() {
    if (waiting) return;
    waiting = [];
    try {
      const response = await fetch("/api/snapshot", { cache: "no-store", headers: { Accept: "application/json" } });
      if (toLogin(response)) return;
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const data = await response.json();
      swap("board", data.html, false);
      seq = data.seq;
      document.body.dataset.seq = String(seq);
      updateTitle();
    } catch (error) {
      setLive("down", "Reconnecting…");
    } finally {
      const queued = waiting || [];
      waiting = null;
      for (const batch of queued) {
        if (batch.resync || batch.seq > seq) apply(batch);
      }
    }
  }

  function connect() {
    source = new EventSource("/events");
    source.addEventListener("hello", () => {
      setLive("live", "Live");
      retryMs = 1000;
      snapshot();
    });
    source.addEventListener("update", (event) => apply(JSON.parse(event.data)));
    source.addEventListener("error", () => {
      setLive("down", "Reconnecting…");
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (e.g. the server answered 401): check the login, then retry.
        source.close();
        setTimeout(reconnect, retryMs);
        retryMs = Math.min(retryMs * 2, 15000);
      }
    });
  }

  async function reconnect() {
    try {
      const response = await fetch("/api/snapshot", { cache: "no-store" });
      if (toLogin(response)) return;
    } catch (error) {
      // the manager is away; the EventSource below retries
    }
    connect();
  }

  // "14 min ago" texts drift; redraw them every 30 s.
  function agoText(iso) {
    const seconds = (Date.now() - Date.parse(iso)) / 1000;
    if (!isFinite(seconds)) return "";
    if (seconds < 60) return "just now";
    if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
    if (seconds < 48 * 3600) return `${Math.floor(seconds / 3600)} h ago`;
    return `${Math.floor(seconds / 86400)} days ago`;
  }

  function refreshTimes(root) {
    root.querySelectorAll(".ago[data-time]").forEach((element) => {
      element.textContent = agoText(element.dataset.time);
    });
  }

  // --- actions ---

  function showReply(extra, tone, text) {
    let reply = extra.querySelector(".reply");
    if (!reply) {
      reply = document.createElement("p");
      reply.setAttribute("role", "status");
      extra.prepend(reply);
    }
    reply.className = `reply reply-${tone}`;
    reply.textContent = text;
  }

  function cell(row, text) {
    const td = document.createElement("td");
    td.textContent = text;
    row.append(td);
    return td;
  }

  function jobButton(job, command, label, danger) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = danger ? "btn btn-small btn-danger" : "btn btn-small";
    button.dataset.action = command;
    button.dataset.job = String(job.id);
    button.textContent = label;
    return button;
  }

  function showJobs(extra, jobs) {
    extra.querySelector(".jobs")?.remove();
    if (!jobs.length) return;
    const table = document.createElement("table");
    table.className = "jobs";
    const head = table.createTHead().insertRow();
    for (const title of ["Job", "Document", "State", ""]) {
      const th = document.createElement("th");
      th.textContent = title;
      head.append(th);
    }
    const body = table.createTBody();
    for (const job of jobs) {
      const row = body.insertRow();
      row.dataset.job = String(job.id);
      cell(row, String(job.id));
      cell(row, [job.title, job.owner].filter(Boolean).join(" · ") || "—");
      cell(row, job.state || "");
      const buttons = cell(row, "");
      buttons.className = "job-buttons";
      if (job.state === "held") buttons.append(jobButton(job, "job_release", "Release"));
      else buttons.append(jobButton(job, "job_hold", "Hold"));
      buttons.append(jobButton(job, "job_cancel", "Cancel", true));
    }
    extra.append(table);
  }

  async function send(card, extra, body) {
    const response = await fetch("/api/action", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
    if (toLogin(response)) return null;
    return response.json();
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const card = button.closest(".card");
    const extra = card.querySelector("[data-keep]");
    const body = {
      site: card.dataset.site, agent: card.dataset.agent, device: card.dataset.device,
      command: button.dataset.action,
    };
    if (button.dataset.job) body.job = Number(button.dataset.job);
    if (body.command === "job_cancel" && !window.confirm(`Cancel job ${body.job}? It will not print.`)) return;
    button.disabled = true;
    showReply(extra, "pending", `${button.textContent.trim()}: waiting for ${card.dataset.agent}…`);
    try {
      const answer = await send(card, extra, body);
      if (!answer) return;
      showReply(extra, answer.ok ? "ok" : "error", answer.message);
      if (answer.ok && body.command === "queue_status") showJobs(extra, answer.result.jobs || []);
      if (answer.ok && body.job) {
        const listed = await send(card, extra, { ...body, command: "queue_status", job: undefined });
        if (listed && listed.ok) showJobs(extra, listed.result.jobs || []);
      }
    } catch (error) {
      showReply(extra, "error", "The dashboard could not reach the manager: check the network and try again.");
    } finally {
      button.disabled = false;
    }
  });

  refreshTimes(document);
  updateTitle();
  setInterval(() => refreshTimes(document), 30000);
  connect();
})();
