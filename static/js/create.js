/* Create Studio page: template-aware settings summary, live cost estimate, results grid that
   fills in as the job (jobs.js) makes each variation. */
(function () {
  "use strict";
  const S = window.ImageStudio;
  const { el } = S;
  const form = document.getElementById("create-form");
  const f = form.elements;
  const autoRoutes = JSON.parse(document.getElementById("auto-routes").textContent);
  const errorBox = document.getElementById("create-error");
  const cost = document.getElementById("cost-estimate");
  const summary = document.getElementById("settings-summary");
  const providers = {};
  let estimateTicket = 0;
  let timer = null;

  const template = () => f.template_id.selectedOptions[0] && f.template_id.value ? f.template_id.selectedOptions[0].dataset : null;
  const quality = () => (template() && f.quality.value === "standard") ? template().quality : f.quality.value;

  function route() {
    if (f.provider.value !== "auto") { return [f.provider.value, f.model.value || null]; }
    const key = template() ? template().recommended : "";
    return (autoRoutes[key] || autoRoutes[""])[quality()];
  }

  function describe() {
    const t = template();
    const parts = [];
    if (t && !f.width.value && !f.height.value) { parts.push("size " + t.width + "×" + t.height + " px from the template"); }
    if (t && !f.style_preset.value) { parts.push("style " + t.style); }
    const [provider, model] = route();
    parts.push("runs on " + provider + (model ? " / " + model : ""), quality() + " quality");
    summary.textContent = parts.join(" · ");
  }

  async function estimate() {
    describe();
    const ticket = ++estimateTicket;
    const [provider, model] = route();
    const count = Math.min(10, Math.max(1, parseInt(f.num_variations.value, 10) || 1));
    try {
      const body = await S.api(form.dataset.estimateUrl, { method: "POST",
        json: { provider, model, operation: "generate", num_images: count } });
      if (ticket === estimateTicket) {
        cost.textContent = body.estimated_cost + " credits (" + body.provider + (body.model ? " / " + body.model : "") + ")";
      }
    } catch (err) {
      if (ticket === estimateTicket) { cost.textContent = "unavailable: " + err.message; }
    }
  }
  const schedule = () => { clearTimeout(timer); timer = setTimeout(estimate, 200); };

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
    body.personas.forEach((p) => f.persona_id.appendChild(el("option", { value: p.id }, p.name)));
  }

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

  /** A variation as the job stores it, shown before the whole result is in. */
  function itemCard(item) {
    const card = el("article", { class: "card result", "data-variation": item.slot + 1 });
    if (item.error) {
      card.classList.add("failed");
      card.append(el("h3", {}, "Variation " + (item.slot + 1)), el("p", { class: "alert error" }, item.error));
      return card;
    }
    card.append(
      el("img", { src: item.url, alt: "Variation " + (item.slot + 1), width: item.width, height: item.height }),
      el("p", { class: "size" }, item.width + "×" + item.height + " px"),
      el("p", { class: "muted" }, item.provider),
      el("a", { class: "button download", href: item.url, download: S.downloadName(item) }, "Download"));
    return card;
  }

  function renderProgress(doc) {
    S.showItems(document.getElementById("results"), doc, itemCard);
    document.getElementById("results-summary").textContent =
      doc.progress.done + " of " + doc.progress.total + " variations done";
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
    const grid = document.getElementById("results");
    grid.replaceChildren();
    document.getElementById("results-summary").textContent =
      body.total_generated + " generated, " + body.total_failed + " failed · " + body.request.dimensions +
      " · " + body.request.provider + (body.request.model ? " / " + body.request.model : "") +
      " · prompt sent: " + body.request.enhanced_prompt;
    body.results.forEach((r) => {
      const card = el("article", { class: "card result", "data-variation": r.variation });
      if (!r.success) {
        card.classList.add("failed");
        card.append(el("h3", {}, "Variation " + r.variation), el("p", { class: "alert error" }, r.error));
        grid.appendChild(card);
        return;
      }
      card.append(
        el("img", { src: "data:" + r.mime_type + ";base64," + r.image_base64, alt: "Variation " + r.variation,
                    width: r.width, height: r.height }),
        el("p", { class: "size" }, r.width + "×" + r.height + " px"),
        el("p", { class: "muted" }, r.provider + (r.model ? " / " + r.model : "") + (r.seed !== null && r.seed !== undefined ? " · seed " + r.seed : "")),
        el("a", { class: "button download", href: r.url, download: S.downloadName(r) }, "Download"),
        nextSteps(r));
      grid.appendChild(card);
    });
  }

  S.submitJob(form, { key: "create", noun: "variations", onProgress: renderProgress, render: renderResults,
    prepare: () => {
      if (!f.prompt.value.trim()) { throw new Error("Please enter a prompt."); }
      return { href: form.dataset.createUrl, body: requestBody() };
    } });
  form.addEventListener("input", schedule);
  form.addEventListener("change", (event) => {
    if (event.target === f.provider) { fillModels(); }
    if (event.target === f.persona_id) { f.use_persona.checked = Boolean(f.persona_id.value); }
    schedule();
  });
  Promise.all([loadProviders(), loadPersonas()])
    .catch((err) => S.showError(errorBox, err.message))
    .finally(estimate);
})();
