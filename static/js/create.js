/* Create Studio page: the template picker, a summary of the request as the server resolves it
   (POST …/create/preview of the very body Generate sends), and a results grid that fills in as
   the job (jobs.js) makes each variation and is scrolled into view. */
(function () {
  "use strict";
  const S = window.ImageStudio;
  const { el } = S;
  const form = document.getElementById("create-form");
  const f = form.elements;
  const errorBox = document.getElementById("create-error");
  const summary = document.getElementById("request-summary");
  const field = (name) => summary.querySelector('[data-summary="' + name + '"]');
  const grid = document.getElementById("results");
  const picker = document.getElementById("template-grid");
  const platform = document.getElementById("template-platform");
  const providers = {};
  let previewTicket = 0;
  let described = null;   // the JSON of the body the summary shows
  let revealed = false;
  let timer = null;

  function requestBody() {
    const body = { prompt: f.prompt.value, provider: f.provider.value, quality: f.quality.value,
                   enhance_prompt: f.enhance_prompt.checked, use_persona: f.use_persona.checked };
    ["template_id", "model", "style_preset", "aspect_ratio", "negative_prompt", "persona_id"].forEach((name) => {
      if (f[name].value.trim()) { body[name] = f[name].value.trim(); }
    });
    ["width", "height", "steps", "seed", "num_variations"].forEach((name) => {
      if (f[name].value !== "") { body[name] = parseInt(f[name].value, 10); }
    });
    if (f.guidance_scale.value !== "") { body.guidance_scale = parseFloat(f.guidance_scale.value); }
    return body;
  }

  /* ---- the summary: what this body will send and cost, resolved by the server --------- */
  /** "stability / core"; a model named like its provider (the sandbox's) once. */
  function providerLabel({ provider, model }) {
    return provider + (model && model !== provider ? " / " + model : "");
  }

  function showSummary(answer) {
    field("style").textContent = answer.style_preset || "none";
    field("size").textContent = answer.width + "×" + answer.height + " px" +
      (answer.aspect_ratio ? " (" + answer.aspect_ratio + ")" : "");
    field("provider").textContent = providerLabel(answer) + " · " + answer.quality;
    field("variations").textContent = String(answer.num_variations);
    field("cost").textContent = answer.estimated_cost + " " + answer.currency;
    S.showError(field("problem"), "");
  }

  /** A refusal in plain words, naming each field ("width: Choose a value from 64 to 4096."). */
  function showProblem(err) {
    ["style", "size", "provider", "variations", "cost"].forEach((name) => { field(name).textContent = "—"; });
    const fields = Object.entries(err.errors || {}).map(([name, messages]) =>
      name.replace(/_/g, " ") + ": " + [].concat(messages).map(S.plainWords).join(" "));
    S.showError(field("problem"), "Not ready to send: " + (fields.length ? fields.join("; ") : S.plainWords(err.message)));
  }

  /** Describe `body` in the summary; the answer of an older call never overwrites a newer one. */
  async function describe(body) {
    const ticket = ++previewTicket;
    described = JSON.stringify(body);
    summary.setAttribute("aria-busy", "true");
    try {
      const answer = await S.api(form.dataset.previewUrl, { method: "POST", json: body });
      if (ticket === previewTicket) { showSummary(answer); }
    } catch (err) {
      if (ticket === previewTicket) { showProblem(err); }
    } finally {
      if (ticket === previewTicket) { summary.removeAttribute("aria-busy"); }
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const body = requestBody();
      if (JSON.stringify(body) !== described) { describe(body); }
    }, 200);
  }

  /* ---- the template picker: radio cards, filtered by platform -------------------------- */
  function filterTemplates() {
    picker.querySelectorAll(".template-option").forEach((option) => {
      const input = option.querySelector("input");
      const shown = !platform.value || !input.value || input.checked || option.dataset.platform === platform.value;
      option.classList.toggle("hidden", !shown);
    });
  }

  function showChosenTemplate() {
    const chosen = picker.querySelector("input:checked");
    if (chosen && chosen.value) { picker.scrollTop = chosen.closest(".template-option").offsetTop - 4; }
  }

  function fillModels() {
    const info = providers[f.provider.value];
    f.model.replaceChildren(el("option", { value: "" }, "Provider default"));
    (info ? info.models : []).forEach((m) => f.model.appendChild(el("option", { value: m }, m)));
    f.model.disabled = !info;
  }

  async function loadProviders() {
    const body = await S.api(form.dataset.providersUrl);
    Object.entries(body.providers).forEach(([name, info]) => {
      providers[name] = info;
      const label = info.name + (info.configured ? "" : " (not configured)");
      const option = el("option", { value: name }, label);
      option.disabled = !info.configured;
      f.provider.appendChild(option);
    });
  }

  async function loadPersonas() {
    const body = await S.api(form.dataset.personasUrl);
    body.personas.forEach((p) => f.persona_id.appendChild(
      el("option", { value: p.id }, p.name + (p.style_preset ? " · " + p.style_preset : ""))));
  }

  /** "More like this" from the Library: the form takes the image's recorded settings (the
      page carries them as JSON), the seed left empty so a new one is drawn. A choice no longer
      offered (a model gone from the list) keeps the form's own. */
  function applyLike() {
    const data = document.getElementById("create-like");
    if (!data) { return; }
    Object.entries(JSON.parse(data.textContent)).forEach(([name, value]) => {
      const input = f[name];
      if (!input) { return; }
      const text = value === null || value === undefined ? "" : String(value);
      if (input.type === "checkbox") {
        input.checked = Boolean(value);
      } else if (input.tagName === "SELECT") {
        if ([...input.options].some((option) => option.value === text && !option.disabled)) { input.value = text; }
        if (input === f.provider) { fillModels(); }
      } else {
        input.value = text;   // a text field, or the template radios (a RadioNodeList)
      }
    });
    f.seed.value = "";
    filterTemplates();
    showChosenTemplate();
  }

  /* ---- results ------------------------------------------------------------------------- */
  /** Bring the first result into view (below the form on a phone), once per run. */
  function reveal() {
    const first = grid.firstElementChild;
    if (revealed || !first) { return; }
    revealed = true;
    const top = first.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight - 80) {
      const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      first.scrollIntoView({ block: "start", behavior: smooth ? "smooth" : "auto" });
    }
  }

  const thumbnail = (src, slot, image) => el("img", {
    src, alt: "Variation " + slot, width: image.width, height: image.height,
    "data-zoom": "", "data-file-name": S.downloadName(image) });

  /** A variation as the job stores it, shown before the whole result is in. */
  function itemCard(item) {
    const card = el("article", { class: "card result", "data-variation": item.slot + 1 });
    if (item.error) {
      card.classList.add("failed");
      card.append(el("h3", {}, "Variation " + (item.slot + 1)), el("p", { class: "alert error" }, item.error));
      return card;
    }
    card.append(
      thumbnail(item.url, item.slot + 1, item),
      el("p", { class: "size" }, item.width + "×" + item.height + " px"),
      el("p", { class: "muted" }, item.provider),
      el("a", { class: "button download", href: item.url, download: S.downloadName(item) }, "Download"));
    return card;
  }

  function renderProgress(doc) {
    S.showItems(grid, doc, itemCard);
    document.getElementById("results-summary").textContent =
      doc.progress.done + " of " + doc.progress.total + " variations done";
    reveal();
  }

  /** "More like this" (the same settings, a new seed: the form is sent again) and "Use in …"
      the other studios, by this image's asset id. */
  function nextSteps(r) {
    const steps = el("div", { class: "next-steps" });
    const more = el("button", { type: "button", class: "more-like-this" }, "More like this");
    more.addEventListener("click", () => {
      f.seed.value = "";
      form.requestSubmit();
    });
    steps.appendChild(more);
    const template = document.getElementById("use-in-template");
    steps.appendChild(template.content.firstElementChild.cloneNode(true));
    steps.querySelectorAll("[data-use-in] a[data-href]").forEach((link) => {
      link.href = S.url(link.dataset.href, { asset_id: r.asset_id });
    });
    return steps;
  }

  function renderResults(body) {
    grid.replaceChildren();
    document.getElementById("results-summary").textContent =
      body.total_generated + " generated, " + body.total_failed + " failed · " + body.request.dimensions +
      " · " + providerLabel(body.request) + " · prompt sent: " + body.request.enhanced_prompt;
    body.results.forEach((r) => {
      const card = el("article", { class: "card result", "data-variation": r.variation });
      if (!r.success) {
        card.classList.add("failed");
        card.append(el("h3", {}, "Variation " + r.variation), el("p", { class: "alert error" }, r.error));
        grid.appendChild(card);
        return;
      }
      card.append(
        thumbnail("data:" + r.mime_type + ";base64," + r.image_base64, r.variation, r),
        el("p", { class: "size" }, r.width + "×" + r.height + " px"),
        el("p", { class: "muted" }, providerLabel(r) + (r.seed !== null && r.seed !== undefined ? " · seed " + r.seed : "")),
        el("a", { class: "button download", href: r.url, download: S.downloadName(r) }, "Download"),
        nextSteps(r));
      grid.appendChild(card);
    });
    reveal();
  }

  S.submitJob(form, { key: "create", noun: "variations", onProgress: renderProgress, render: renderResults,
    prepare: async () => {
      if (!f.prompt.value.trim()) { throw new Error("Please enter a prompt."); }
      const body = requestBody();
      clearTimeout(timer);
      if (JSON.stringify(body) !== described) { await describe(body); }   // the summary shows what is sent
      revealed = false;
      return { href: form.dataset.createUrl, body };
    } });
  form.addEventListener("input", schedule);
  form.addEventListener("change", (event) => {
    if (event.target === f.provider) { fillModels(); }
    if (event.target === f.persona_id) { f.use_persona.checked = Boolean(f.persona_id.value); }
    if (event.target === platform || event.target.name === "template_id") { filterTemplates(); }
    schedule();
  });
  showChosenTemplate();
  Promise.all([loadProviders(), loadPersonas()])
    .catch((err) => S.showError(errorBox, err.message))
    .finally(() => { applyLike(); describe(requestBody()); });
})();
