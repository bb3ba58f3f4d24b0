/* Create Studio pages: the generator (live estimate, results grid) and the persona manager. */
(function () {
  "use strict";

  const list = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);
  const el = (tag, attrs, text) => {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) { node.textContent = text; }
    return node;
  };
  const showError = (box, message) => {
    box.textContent = message || "";
    box.classList.toggle("hidden", !message);
  };

  /* ---- Create page ------------------------------------------------------------------- */
  function createPage(form) {
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
        const body = await Studio.api(form.dataset.estimateUrl, { method: "POST",
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
      const body = await Studio.api(form.dataset.providersUrl);
      Object.entries(body.providers).forEach(([name, info]) => {
        providers[name] = info;
        const label = info.name + (info.configured ? "" : " (not configured)");
        const option = el("option", { value: name }, label);
        option.disabled = !info.configured;
        f.provider.appendChild(option);
      });
    }

    async function loadPersonas() {
      const body = await Studio.api(form.dataset.personasUrl);
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
        const ext = r.mime_type.split("/")[1].replace("jpeg", "jpg");
        card.append(
          el("img", { src: "data:" + r.mime_type + ";base64," + r.image_base64, alt: "Variation " + r.variation,
                      width: r.width, height: r.height }),
          el("p", { class: "size" }, r.width + "×" + r.height + " px"),
          el("p", { class: "muted" }, r.provider + (r.model ? " / " + r.model : "") + (r.seed !== null && r.seed !== undefined ? " · seed " + r.seed : "")),
          el("a", { class: "button download", href: r.url, download: "create-" + r.variation + "." + ext }, "Download"));
        grid.appendChild(card);
      });
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      showError(errorBox, "");
      if (!f.prompt.value.trim()) { showError(errorBox, "Please enter a prompt."); return; }
      try {
        await Studio.busy(document.getElementById("generate"), document.getElementById("create-progress"), async () => {
          renderResults(await Studio.api(form.dataset.createUrl, { method: "POST", json: requestBody() }));
        });
      } catch (err) {
        showError(errorBox, err.message);
      }
    });
    form.addEventListener("input", schedule);
    form.addEventListener("change", (event) => {
      if (event.target === f.provider) { fillModels(); }
      if (event.target === f.persona_id) { f.use_persona.checked = Boolean(f.persona_id.value); }
      schedule();
    });
    Promise.all([loadProviders(), loadPersonas()])
      .catch((err) => showError(errorBox, err.message))
      .finally(estimate);
  }

  /* ---- Personas page ----------------------------------------------------------------- */
  function personasPage(form) {
    const f = form.elements;
    const url = form.dataset.personasUrl;
    const errorBox = document.getElementById("persona-error");
    const grid = document.getElementById("persona-list");

    function reset() {
      form.reset();
      f.id.value = "";
      document.getElementById("persona-form-title").textContent = "New persona";
      document.getElementById("persona-cancel").classList.add("hidden");
    }

    function edit(p) {
      f.id.value = p.id;
      f.name.value = p.name;
      f.description.value = p.description || "";
      f.brand_keywords.value = p.brand_keywords.join(", ");
      f.color_palette.value = p.color_palette.join(", ");
      f.style_preset.value = p.style_preset || "";
      f.negative_terms.value = p.negative_terms.join(", ");
      document.getElementById("persona-form-title").textContent = "Edit " + p.name;
      document.getElementById("persona-cancel").classList.remove("hidden");
      f.name.focus();
    }

    function card(p) {
      const node = el("article", { class: "card persona", "data-persona-id": p.id });
      const swatches = el("p", { class: "swatches" });
      p.color_palette.forEach((c) => {
        const s = el("span", { class: "swatch", title: c });
        s.style.background = c;
        swatches.appendChild(s);
      });
      const editButton = el("button", { type: "button", class: "edit" }, "Edit");
      const deleteButton = el("button", { type: "button", class: "danger delete" }, "Delete");
      editButton.addEventListener("click", () => edit(p));
      deleteButton.addEventListener("click", async () => {
        try { await Studio.api(url + "/" + p.id, { method: "DELETE" }); await load(); }
        catch (err) { showError(errorBox, err.message); }
      });
      node.append(el("h3", {}, p.name), el("p", { class: "muted" }, p.description || ""),
        el("p", {}, "Keywords: " + (p.brand_keywords.join(", ") || "–")), swatches,
        el("p", {}, "Style: " + (p.style_preset || "–")),
        el("p", {}, "Avoid: " + (p.negative_terms.join(", ") || "–")), editButton, deleteButton);
      return node;
    }

    async function load() {
      const body = await Studio.api(url);
      grid.replaceChildren(...body.personas.map(card));
      document.getElementById("persona-count").textContent = body.total + " persona" + (body.total === 1 ? "" : "s");
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      showError(errorBox, "");
      const body = { name: f.name.value, description: f.description.value || null,
                     brand_keywords: list(f.brand_keywords.value), color_palette: list(f.color_palette.value),
                     style_preset: f.style_preset.value || null, negative_terms: list(f.negative_terms.value) };
      try {
        await Studio.api(f.id.value ? url + "/" + f.id.value : url, { method: f.id.value ? "PUT" : "POST", json: body });
        reset();
        await load();
      } catch (err) {
        showError(errorBox, err.message);
      }
    });
    document.getElementById("persona-cancel").addEventListener("click", reset);
    load().catch((err) => showError(errorBox, err.message));
  }

  const createForm = document.getElementById("create-form");
  if (createForm) { createPage(createForm); }
  const personaForm = document.getElementById("persona-form");
  if (personaForm) { personasPage(personaForm); }
})();
