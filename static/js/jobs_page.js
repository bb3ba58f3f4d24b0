/* Jobs page: recent jobs with status, progress, duration, cost and their images; refreshed every
   2 s while any job is queued or running; a Cancel button on each of those. */
(function () {
  "use strict";
  const S = window.ImageStudio;
  const { el } = S;
  const table = document.getElementById("jobs");
  const rows = document.getElementById("jobs-rows");
  const errorBox = document.getElementById("jobs-error");
  const LIVE = ["queued", "running"];
  let timer = null;

  const seconds = (value) => (value === null || value === undefined ? "–" : value.toFixed(1) + " s");
  const when = (iso) => (iso ? new Date(iso).toLocaleString() : "–");

  function credits(doc) {
    const c = doc.credits || {};
    const text = (c.charged ?? 0) + " charged";
    return c.refunded ? text + ", " + c.refunded + " refunded" : text;
  }

  function images(doc) {
    const cell = el("td", { class: "images" });
    doc.items.filter((item) => item.url).forEach((item, index) => {
      if (index) { cell.append(" "); }
      cell.append(el("a", { href: item.url, target: "_blank", rel: "noopener", title: item.file_name }, String(item.slot + 1)));
    });
    return cell;
  }

  function row(doc) {
    const tr = el("tr", { "data-job-id": doc.job_id, "data-status": doc.status });
    const status = el("td", { class: "status" }, "");
    status.append(el("span", { class: "badge" }, doc.status));
    if (doc.error) { status.append(el("br"), el("small", { class: "muted" }, doc.error.detail)); }
    const action = el("td", {});
    if (LIVE.includes(doc.status)) {
      const cancel = el("button", { type: "button", class: "danger cancel" }, "Cancel");
      S.handle(cancel, "click", async () => { await S.cancelJob(doc.status_url); await refresh(); },
               { button: cancel, error: errorBox });
      action.append(cancel);
    }
    tr.append(el("td", { class: "operation" }, doc.operation), status,
              el("td", { class: "progress-cell" }, doc.progress.done + " of " + doc.progress.total),
              el("td", {}, when(doc.created_at)), el("td", {}, seconds(doc.duration)),
              el("td", { class: "credits" }, credits(doc)), images(doc), action);
    return tr;
  }

  async function refresh() {
    clearTimeout(timer);
    try {
      const body = await S.api(table.dataset.listUrl);
      rows.replaceChildren(...body.jobs.map(row));
      if (!body.jobs.length) {
        const empty = el("tr");
        empty.append(el("td", { colspan: 8, class: "empty" }, "No jobs yet. Run one in a studio and it appears here."));
        rows.append(empty);
      }
      document.getElementById("jobs-total").textContent = body.total + " job" + (body.total === 1 ? "" : "s");
      S.showError(errorBox, "");
      if (body.jobs.some((doc) => LIVE.includes(doc.status))) { timer = setTimeout(refresh, 2000); }
    } catch (err) {
      S.showError(errorBox, err.message);
      timer = setTimeout(refresh, 2000);
    }
  }

  refresh();
})();
