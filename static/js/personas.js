/* Personas page (brand kits for Create): list, create, edit and delete personas. */
(function () {
  "use strict";
  const S = window.ImageStudio;
  const { el } = S;
  const form = document.getElementById("persona-form");
  const f = form.elements;
  const urls = form.dataset;
  const errorBox = document.getElementById("persona-error");
  const grid = document.getElementById("persona-list");
  const list = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);

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
    S.handle(deleteButton, "click", async () => {
      await S.api(S.url(urls.deleteUrl, { persona_id: p.id }), { method: "DELETE" });
      await load();
    }, { error: errorBox });
    node.append(el("h3", {}, p.name), el("p", { class: "muted" }, p.description || ""),
      el("p", {}, "Keywords: " + (p.brand_keywords.join(", ") || "–")), swatches,
      el("p", {}, "Style: " + (p.style_preset || "–")),
      el("p", {}, "Avoid: " + (p.negative_terms.join(", ") || "–")), editButton, deleteButton);
    return node;
  }

  async function load() {
    const body = await S.api(urls.personasUrl);
    grid.replaceChildren(...body.personas.map(card));
    document.getElementById("persona-count").textContent = body.total + " persona" + (body.total === 1 ? "" : "s");
  }

  S.submit(form, async () => {
    const body = { name: f.name.value, description: f.description.value || null,
                   brand_keywords: list(f.brand_keywords.value), color_palette: list(f.color_palette.value),
                   style_preset: f.style_preset.value || null, negative_terms: list(f.negative_terms.value) };
    if (f.id.value) {
      await S.api(S.url(urls.updateUrl, { persona_id: f.id.value }), { method: "PUT", json: body });
    } else {
      await S.api(urls.createUrl, { method: "POST", json: body });
    }
    reset();
    await load();
  });
  document.getElementById("persona-cancel").addEventListener("click", reset);
  load().catch((err) => S.showError(errorBox, err.message));
})();
