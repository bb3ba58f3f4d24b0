/* ImageStudio jobs: run a studio call as an asynchronous job (`Prefer: respond-async`), poll its
   status URL, show "3 of 10 done" with a <progress> bar and a Cancel button, hand each new job
   document to the page so finished images appear at once, and find a running job again after a
   reload (the job is remembered in localStorage under the page's key). Plain polling: every
   request is short, so it works the same through gunicorn's gthread workers. */
(function () {
  "use strict";
  const S = window.ImageStudio;
  const PREFIX = "image-studio.job.";
  const FINISHED = ["succeeded", "failed", "cancelled"];
  const CONTEXT_LIMIT = 1500000;  // characters; a bigger context (an uploaded photo) is not kept
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /* ---- the job a page is following, kept across reloads ------------------------------- */
  function remember(key, record) {
    const bare = JSON.stringify(Object.assign({}, record, { context: null }));
    const full = JSON.stringify(record);
    try {
      localStorage.setItem(PREFIX + key, full.length <= CONTEXT_LIMIT ? full : bare);
    } catch (err) {  // over the quota: the job is still worth finding again, without its context
      try { localStorage.setItem(PREFIX + key, bare); } catch (e) { /* storage is off: no resume */ }
    }
  }
  function recall(key) {
    try { return JSON.parse(localStorage.getItem(PREFIX + key)); } catch (err) { return null; }
  }
  function forget(key, jobId) {
    const record = recall(key);
    if (record && (!jobId || record.job_id === jobId)) { localStorage.removeItem(PREFIX + key); }
  }

  /** "3 of 10 variations done", "Cancelled · 1 of 4 variations done". */
  function describe(doc, noun) {
    const { done, total } = doc.progress;
    const text = done + " of " + total + " " + (total === 1 ? noun.replace(/s$/, "") : noun) + " done";
    const prefix = { queued: "Queued · ", failed: "Failed · ", cancelled: "Cancelled · " }[doc.status] || "";
    return prefix + text;
  }

  /** The progress block ([data-job]: <progress data-job-bar>, [data-job-text], [data-job-cancel]);
      either the block or the Cancel button may be missing. */
  function progressView(box, cancelButton, noun, afterCancel) {
    const find = (selector) => (box ? box.querySelector(selector) : null);
    const bar = find("[data-job-bar]");
    const text = find("[data-job-text]");
    const cancel = cancelButton || find("[data-job-cancel]");
    const say = (message) => { if (text) { text.textContent = message; } };
    let statusUrl = null;
    const onCancel = async () => {
      cancel.disabled = true;
      try { await cancelJob(statusUrl); afterCancel(); } catch (err) { say(err.message); } finally { cancel.disabled = false; }
    };
    return {
      start(url) {
        statusUrl = url;
        if (box) { box.classList.remove("hidden"); }
        if (bar) { bar.removeAttribute("value"); }
        say("Queued…");
        if (cancel) { cancel.classList.remove("hidden"); cancel.addEventListener("click", onCancel); }
      },
      show(doc) {
        if (bar) { bar.max = Math.max(1, doc.progress.total); bar.value = doc.progress.done; }
        say(describe(doc, noun));
        if (box) { box.dataset.status = doc.status; }
      },
      stop() {
        if (cancel) { cancel.classList.add("hidden"); cancel.removeEventListener("click", onCancel); }
      },
    };
  }

  /** How long to wait before poll `n` (from 0): 150 ms, then half as long again each time, up
      to 2 s (from the eighth poll, ~5 s in). Social's renders end within a second, and a
      fixed 0.7 s kept their previews back by up to 0.7 s; a provider's job of a minute is read
      ~35 times, under RATELIMIT_JOB_STATUS's 300 a minute even with several pages open. */
  function pollDelay(n) { return Math.min(2000, Math.round(150 * Math.pow(1.5, n))); }

  /** Poll an accepted job to its end, `pollDelay` apart. */
  async function follow(key, record, options) {
    const { onProgress = null, progressBox = null, cancelButton = null, noun = "images" } = options || {};
    let wake = () => {};
    const pause = (ms) => new Promise((resolve) => { wake = resolve; setTimeout(resolve, ms); });
    const view = progressView(progressBox, cancelButton, noun, () => wake());  // a cancel polls at once
    let polls = 0;
    let seen = "";
    let misses = 0;
    view.start(record.status_url);
    try {
      for (;;) {
        let doc;
        try {
          doc = await S.api(record.status_url);
          misses = 0;
        } catch (err) {
          // A 404 (another account, a wiped database) will not heal: forget the job. A dropped
          // connection may: try again, and after a few misses leave it for a reload to resume.
          if (err.status === 404) { forget(key, record.job_id); throw err; }
          if (++misses >= 5) { throw err; }
          await sleep(2000);
          continue;
        }
        view.show(doc);
        const signature = doc.status + ":" + doc.progress.done + ":" + doc.items.length;
        if (signature !== seen) {
          seen = signature;
          if (onProgress) { onProgress(doc); }
        }
        if (FINISHED.includes(doc.status)) {
          forget(key, record.job_id);
          if (doc.status === "succeeded") { return doc.result; }
          if (doc.status === "failed") { throw new Error((doc.error && doc.error.detail) || "The job failed"); }
          throw Object.assign(new Error("Cancelled"), { cancelled: true });
        }
        await pause(pollDelay(polls++));
      }
    } finally {
      view.stop();
    }
  }

  /** POST `body` to a studio URL as a job and follow it; resolves with the synchronous body.
      options: {key (the page's, for a reload), context (small data to keep with it), onProgress(doc),
      progressBox, cancelButton, noun}. Throws Error(detail) when it fails, Error("Cancelled") when cancelled. */
  async function runJob(href, body, options) {
    const opts = options || {};
    const accepted = await S.api(href, { method: "POST", json: body, headers: { "Prefer": "respond-async" } });
    if (!accepted || !accepted.status_url) { return accepted; }  // the server answered at once
    const record = { job_id: accepted.job_id, status_url: accepted.status_url, context: opts.context ?? null };
    if (opts.key) { remember(opts.key, record); }
    return follow(opts.key, record, opts);
  }

  /** The job the page under `key` was following before a reload, followed to its end:
      {result, context}, or null when there is none (or it is gone). Throws as runJob does. */
  async function resumeJob(key, options) {
    const record = recall(key);
    if (!record || !record.status_url) { return null; }
    try {
      return { result: await follow(key, record, options), context: record.context };
    } catch (err) {
      if (err.status === 404) { return null; }
      throw err;
    }
  }

  /** Cancel a queued or running job (DELETE its status URL); the job document, or null when it
      had already finished. */
  async function cancelJob(statusUrl) {
    try {
      return await S.api(statusUrl, { method: "DELETE" });
    } catch (err) {
      if (err.status === 409) { return null; }
      throw err;
    }
  }

  /** Put a card for each new item of `doc` into `grid`, in slot order: card(item) builds one.
      A grid that showed another job is emptied first. */
  function showItems(grid, doc, card) {
    if (grid.dataset.job !== doc.job_id) { grid.replaceChildren(); grid.dataset.job = doc.job_id; }
    doc.items.forEach((item) => {
      if (grid.querySelector(':scope > [data-slot="' + item.slot + '"]')) { return; }
      const node = card(item);
      node.dataset.slot = item.slot;
      const after = Array.from(grid.children).find((child) => Number(child.dataset.slot) > item.slot);
      grid.insertBefore(node, after || null);
    });
  }

  /** Wire a studio form to run as a job and to pick its job up again after a reload.
      prepare() → {href, body, context} (throw to show a message); render(result, context) shows
      the finished result; onProgress(doc) shows items as they finish. Uses the form's submit
      button, [data-progress], [data-error] and [data-job] block. */
  function submitJob(form, options) {
    const { key, prepare, render, onProgress = null, noun = "images" } = options;
    const handlers = { key, noun, onProgress, progressBox: form.querySelector("[data-job]") };
    S.submit(form, async () => {
      const { href, body, context = null } = await prepare();
      render(await runJob(href, body, Object.assign({ context }, handlers)), context);
    });
    if (!recall(key)) { return; }
    const error = form.querySelector("[data-error]");
    S.busy(form.querySelector("button[type=submit]"), form.querySelector("[data-progress]"), async () => {
      const resumed = await resumeJob(key, handlers);
      if (resumed) { render(resumed.result, resumed.context || null); }
    }).catch((err) => S.showError(error, err.message));
  }

  Object.assign(S, { runJob, resumeJob, cancelJob, pollDelay, showItems, submitJob });
})();
