/* Campaign page: a CSV of Create rows, previewed with each row's problems and a live estimate
   (nothing is spent), then run as one batch job through jobs.js (progress, Cancel, resumed after
   a reload), its images shown as they finish and the campaign ZIP offered at the end. */
(function () {
  "use strict";
  const S = window.ImageStudio;
  const { el } = S;
  const form = document.getElementById("batch-form");
  if (!form) { return; }
  const $ = (id) => document.getElementById(id);
  const f = form.elements;
  const errorBox = $("batch-error");
  const KEY = "batch";                          // jobs.js remembers the running job under this key
  const SAVED = "image-studio.batch.campaign";  // and this page the rows and options it was sent
  const MAX_ROWS = 100;
  const INTEGERS = ["num_variations", "width", "height", "seed", "steps"];
  const NUMBERS = ["guidance_scale"];
  const BOOLEANS = ["enhance_prompt", "use_persona"];
  const TEXTS = ["prompt", "negative_prompt", "template_id", "style_preset", "provider", "model", "quality",
                 "aspect_ratio", "persona_id", "output_format"];
  const COLUMNS = [...TEXTS, ...INTEGERS, ...NUMBERS, ...BOOLEANS];
  const ITEM_ERROR = /^item (\d+)(?:\.([\w.]+))?:\s*(.*)$/;
  const state = { campaign: null, ticket: 0, timer: null, ready: false, running: false, jobId: null, done: 0 };
  const plural = (n, noun) => n + " " + noun + (n === 1 ? "" : "s");
  const credits = (n) => String(Math.round(n * 100) / 100);

  /* ---- the CSV ------------------------------------------------------------------------ */
  /** Records of RFC 4180 text: quoted fields may hold commas, line breaks and doubled quotes. */
  function parseCsv(text) {
    const records = [];
    let record = [], field = "", quoted = false;
    const endField = () => { record.push(field); field = ""; };
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c !== '"') { field += c; } else if (text[i + 1] === '"') { field += '"'; i++; } else { quoted = false; }
      } else if (c === '"' && !field.trim()) {
        quoted = true; field = "";
      } else if (c === ",") {
        endField();
      } else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") { i++; }
        endField(); records.push(record); record = [];
      } else {
        field += c;
      }
    }
    if (quoted) { throw new Error("The CSV ends inside a quoted field"); }
    if (field || record.length) { endField(); records.push(record); }
    return records.filter((r) => r.some((value) => value.trim()));
  }

  /** A cell as the Create body takes it; empty cells are left out (the defaults apply). A value
      its column cannot take is sent as written, so the estimate names the row and the column. */
  function typed(name, raw) {
    const text = raw.trim();
    if (!text) { return name === "prompt" ? "" : undefined; }
    if (INTEGERS.includes(name)) { return /^[+-]?\d+$/.test(text) ? Number(text) : text; }
    if (NUMBERS.includes(name)) { return Number.isFinite(Number(text)) ? Number(text) : text; }
    if (BOOLEANS.includes(name)) {
      const word = text.toLowerCase();
      if (["true", "yes", "y", "1"].includes(word)) { return true; }
      return ["false", "no", "n", "0"].includes(word) ? false : text;
    }
    return text;
  }

  /** {fileName, columns (known, in CSV order), ignored (the other headers), rows (Create bodies)}. */
  function readCampaign(text, fileName) {
    const [header, ...records] = parseCsv(text.replace(/^\uFEFF/, ""));
    if (!header) { throw new Error(fileName + " is empty"); }
    const names = header.map((name) => name.trim().toLowerCase().replace(/[\s-]+/g, "_"));
    if (!names.includes("prompt")) { throw new Error(fileName + " has no prompt column: its first row names the columns"); }
    if (!records.length) { throw new Error(fileName + " has a header row but no rows"); }
    const rows = records.map((record) => {
      const item = {};
      names.forEach((name, k) => {
        const value = COLUMNS.includes(name) ? typed(name, record[k] || "") : undefined;
        if (value !== undefined) { item[name] = value; }
      });
      return item;
    });
    return { fileName, rows, columns: [...new Set(names.filter((n) => COLUMNS.includes(n)))],
             ignored: [...new Set(header.filter((h, k) => h.trim() && !COLUMNS.includes(names[k])).map((h) => h.trim()))] };
  }

  /* ---- the preview and its estimate ------------------------------------------------------ */
  function socialOptions() {
    const platforms = Array.from(form.querySelectorAll("input[name=platforms]:checked"), (box) => box.value);
    return platforms.length ? { platforms, all_formats: f.all_formats.checked, crop_mode: f.crop_mode.value,
                                output_format: f.output_format.value } : null;
  }
  function setSocial(social) {
    form.querySelectorAll("input[name=platforms]").forEach((box) => { box.checked = Boolean(social && social.platforms.includes(box.value)); });
    if (social) { f.all_formats.checked = social.all_formats; f.crop_mode.value = social.crop_mode; f.output_format.value = social.output_format; }
  }
  const requestBody = () => ({ items: state.campaign.rows, social: socialOptions() });
  const rowAt = (index) => $("rows").tBodies[0].querySelector('tr[data-row="' + index + '"]');
  const cell = (value) => value === true ? "yes" : value === false ? "no" : value === undefined ? "" : String(value);

  function renderRows() {
    const { fileName, columns, ignored, rows } = state.campaign;
    const table = $("rows");
    const head = el("tr");
    ["Row", ...columns, "Images", "Credits", "Check"].forEach((name) => head.appendChild(el("th", {}, name)));
    table.tHead.replaceChildren(head);
    table.tBodies[0].replaceChildren(...rows.map((row, k) => {
      const tr = el("tr", { "data-row": k + 1 });
      tr.appendChild(el("td", {}, String(k + 1)));
      columns.forEach((name) => tr.appendChild(el("td", { "data-column": name }, cell(row[name]))));
      tr.append(el("td", { class: "images" }), el("td", { class: "credits" }), el("td", { class: "check" }));
      return tr;
    }));
    table.classList.remove("hidden");
    $("rows-summary").textContent = plural(rows.length, "row") + " from " + fileName;
    $("csv-info").textContent = fileName + " · " + plural(rows.length, "row");
    $("csv-ignored").textContent = ignored.length ? "Ignored columns: " + ignored.join(", ") : "";
  }

  function setReady(ready) {
    state.ready = ready;
    $("start").disabled = !ready || state.running;
  }

  function showEstimate(answer) {
    let made = 0, renditions = 0;
    answer.items.forEach((item) => {
      const tr = rowAt(item.index);
      made += item.images; renditions += item.renditions;
      tr.querySelector(".images").textContent = item.images + (item.renditions ? " + " + item.renditions + " social" : "");
      tr.querySelector(".credits").textContent = credits(item.credits);
      tr.querySelector(".check").replaceChildren(el("span", { class: "badge" }, "OK"));
    });
    $("estimate-total").textContent = plural(answer.total_images, "image") + " · " + credits(answer.total_credits) + " credits";
    $("estimate-detail").textContent = plural(made, "generated image") + (renditions ? " + " + plural(renditions, "social rendition") : "") +
      "; nothing is spent until you start.";
  }

  function showProblems({ rows, general }) {
    const lines = [...general];
    rows.forEach((texts, index) => {
      const tr = rowAt(index);
      if (tr) { tr.dataset.invalid = "true"; tr.querySelector(".check").replaceChildren(...texts.map((t) => el("div", { class: "alert error" }, t))); }
      texts.forEach((text) => lines.push("Row " + index + ": " + text));
    });
    $("estimate-total").textContent = rows.size ? "fix " + plural(rows.size, "row") + " first" : "unavailable";
    $("estimate-detail").textContent = "";
    const box = $("rows-error");
    box.replaceChildren(el("strong", {}, "The campaign cannot start yet:"), el("ul", {}));
    lines.forEach((line) => box.lastChild.appendChild(el("li", {}, line)));
    box.classList.remove("hidden");
  }

  function clearChecks() {
    $("rows-error").classList.add("hidden");
    $("rows").tBodies[0].querySelectorAll("tr").forEach((tr) => {
      delete tr.dataset.invalid;
      tr.querySelectorAll(".images, .credits, .check").forEach((td) => td.replaceChildren());
    });
  }

  /** POST JSON as ImageStudio.api does, keeping a refusal's per-field `errors` on the Error. */
  async function post(href, json) {
    const response = await fetch(href, { method: "POST", body: JSON.stringify(json), headers: {
      "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": S.csrf() } });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw Object.assign(new Error(answer.detail || response.status + " " + response.statusText),
                          { status: response.status, errors: answer.errors || {} });
    }
    return answer;
  }

  /** A refused estimate's problems: {rows: Map(row number → [text]), general: [text]}. */
  function explain(err) {
    const rows = new Map();
    const general = [];
    const add = (index, text) => rows.set(index, [...(rows.get(index) || []), text]);
    const errors = err.errors || {};
    (errors.items || []).forEach((text) => {
      const match = ITEM_ERROR.exec(text);
      if (match) { add(Number(match[1]), (match[2] ? match[2] + ": " : "") + match[3]); } else { general.push(text); }
    });
    (errors.social || []).forEach((text) => general.push("Social options: " + text));
    if (!errors.items && !errors.social) { general.push(err.message); }
    return { rows, general };
  }

  async function estimate() {
    clearTimeout(state.timer);
    const ticket = ++state.ticket;
    setReady(false);
    if (!state.campaign) { return; }
    clearChecks();
    if (state.campaign.rows.length > MAX_ROWS) {
      showProblems({ rows: new Map(), general: ["A campaign holds at most " + MAX_ROWS + " rows; this CSV has " + state.campaign.rows.length + "."] });
      return;
    }
    $("estimate-total").textContent = "estimating…";
    const sent = requestBody();
    let answer = null, problems = null;
    try {
      answer = await post(form.dataset.estimateUrl, sent);
    } catch (err) {
      problems = explain(err);
    }
    if (ticket !== state.ticket) { return; }
    if (answer) { showEstimate(answer); setReady(true); } else { showProblems(problems); }
  }
  /** A changed option: the shown estimate is stale at once (Start waits), the new one follows a pause. */
  function schedule() {
    clearTimeout(state.timer);
    state.ticket++;
    setReady(false);
    if (state.campaign) { $("estimate-total").textContent = "estimating…"; }
    state.timer = setTimeout(estimate, 250);
  }

  /* ---- the job -------------------------------------------------------------------------- */
  function card(title, image, attrs) {
    const node = el("article", Object.assign({ class: "card result" }, attrs));
    node.appendChild(el("h3", {}, title));
    if (image.error) {
      node.classList.add("failed");
      node.appendChild(el("p", { class: "alert error" }, image.error));
      return node;
    }
    node.append(el("img", { src: image.url, alt: title, width: image.width, height: image.height }),
                el("p", { class: "size" }, image.width + "×" + image.height + " px"),
                el("a", { class: "button download", href: image.url, download: S.downloadName(image) }, "Download"));
    return node;
  }

  /** Each image the job has stored so far, in the order it was made (a poll only adds to them). */
  function showProgress(doc) {
    const grid = $("results");
    state.jobId = doc.job_id;
    state.done = doc.progress.done;
    if (grid.dataset.job !== doc.job_id) { grid.replaceChildren(); grid.dataset.job = doc.job_id; }
    doc.items.slice(grid.children.length).forEach((item) => grid.appendChild(card(item.file_name || "Image " + item.n, item, { "data-n": item.n })));
    $("results-summary").textContent = doc.progress.done + " of " + doc.progress.total + " images";
  }

  /** The finished campaign, row by row: each variation, then its social renditions. */
  function showResult(result) {
    const grid = $("results");
    grid.replaceChildren();
    result.items.forEach((item) => {
      if (!item.success) { grid.appendChild(card("Row " + item.index, { error: item.error }, { "data-item": item.index })); }
      item.images.forEach((image) => {
        const title = "Row " + image.item + " · variation " + image.variation;
        const attrs = { "data-item": image.item, "data-variation": image.variation };
        grid.appendChild(card(title, image, attrs));
        if (image.social_error) { grid.lastChild.appendChild(el("p", { class: "alert error" }, "Social sizes: " + image.social_error)); }
        (image.renditions || []).forEach((r) => grid.appendChild(card(title + " · " + r.platform + " " + r.format, r,
          Object.assign({ "data-platform": r.platform }, attrs))));
      });
    });
    $("results-summary").textContent = plural(result.total_images, "image") + " generated, " +
      plural(result.total_renditions, "social rendition") + ", " + result.total_failed + " failed";
  }

  function offerZip(label) {
    const link = $("download-zip");
    link.href = S.url(form.dataset.zipUrl, { job_id: state.jobId });
    link.textContent = label;
    link.classList.remove("hidden");
  }

  /** Follow a job (runJob or resumeJob) with the inputs locked; the result, or what was made. */
  async function follow(work) {
    state.running = true;
    state.jobId = null;
    setReady(state.ready);
    form.querySelectorAll("input, select").forEach((control) => { control.disabled = true; });
    S.showError(errorBox, "");
    $("download-zip").classList.add("hidden");
    try {
      const result = await work();
      if (result) { showResult(result); offerZip("Download ZIP"); }
    } catch (err) {
      S.showError(errorBox, err.message);
      if (state.jobId && state.done) { offerZip("Download ZIP (images made so far)"); }
    } finally {
      localStorage.removeItem(SAVED);
      state.running = false;
      form.querySelectorAll("input, select").forEach((control) => { control.disabled = false; });
      setReady(state.ready);
    }
  }
  const jobOptions = { key: KEY, noun: "images", progressBox: $("batch-job"), onProgress: showProgress };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!state.ready || state.running) { return; }
    const sent = requestBody();
    try { localStorage.setItem(SAVED, JSON.stringify({ campaign: state.campaign, social: sent.social })); } catch (err) { /* storage off or full */ }
    follow(() => S.runJob(form.dataset.batchUrl, sent, jobOptions));
  });
  form.addEventListener("change", (event) => { if (event.target !== $("csv-file")) { schedule(); } });

  /* ---- choosing a CSV ------------------------------------------------------------------- */
  const zone = $("csv-dropzone");
  const input = $("csv-file");
  async function take(file) {
    if (!file || state.running) { return; }
    S.showError(errorBox, "");
    try {
      state.campaign = readCampaign(await file.text(), file.name);
    } catch (err) {
      state.campaign = null;
      $("rows").classList.add("hidden");
      $("rows-error").classList.add("hidden");
      $("csv-info").textContent = $("csv-ignored").textContent = "";
      $("estimate-total").textContent = "choose a CSV";
      S.showError(errorBox, err.message);
      estimate();
      return;
    }
    renderRows();
    estimate();
  }
  zone.addEventListener("click", () => input.click());
  zone.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } });
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => { e.preventDefault(); zone.classList.remove("over"); take(e.dataTransfer.files[0]); });
  input.addEventListener("change", () => { const file = input.files[0]; input.value = ""; take(file); });

  /* ---- after a reload: the campaign that was running ---------------------------------------- */
  let saved = null;
  try { saved = JSON.parse(localStorage.getItem(SAVED)); } catch (err) { saved = null; }
  if (saved && saved.campaign) {
    state.campaign = saved.campaign;
    setSocial(saved.social);
    renderRows();
  }
  follow(async () => { const resumed = await S.resumeJob(KEY, jobOptions); return resumed && resumed.result; });
  estimate();
})();
