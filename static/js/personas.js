/* Personas page (brand kits for Create and Social): list, create, edit and delete personas; the
   palette is edited as colour swatches, the logo is the shared image input (inputs.js), the font
   chosen against a live sample the server draws in it. */
(function () {
  "use strict";
  const S = window.ImageStudio;
  const { el } = S;
  const form = document.getElementById("persona-form");
  const f = form.elements;
  const urls = form.dataset;
  const errorBox = document.getElementById("persona-error");
  const grid = document.getElementById("persona-list");
  const palette = document.getElementById("palette");
  const swatches = document.getElementById("palette-swatches");
  const addColour = document.getElementById("add-colour");
  const maxColours = Number(palette.dataset.maxColours);
  const logoPreview = document.getElementById("logo-preview");
  const sample = document.getElementById("font-sample");
  const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
  const SAMPLE_TEXT = "Summer sale · Shop now";
  const list = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);
  const sixDigits = (hex) => (hex.length === 4 ? "#" + [...hex.slice(1)].map((c) => c + c).join("") : hex).toLowerCase();

  /* --- the palette: one swatch per colour, a picker and its hex code (the code is what is sent) --- */
  function renumber() {
    [...swatches.children].forEach((item, index) => {
      const n = index + 1;
      item.querySelector(".swatch-name").textContent = "Colour " + n;
      item.querySelector(".hex-name").textContent = "Colour " + n + " hex code";
      item.querySelector("input.hex").name = "colour_" + n;
      item.querySelector("button").setAttribute("aria-label", "Remove colour " + n);
    });
    const count = swatches.children.length;
    addColour.disabled = count >= maxColours;
    document.getElementById("palette-status").textContent = count >= maxColours
      ? "The palette is full: " + maxColours + " colours at most."
      : count + " of " + maxColours + " colours";
  }

  function addSwatch(hex) {
    const picker = el("input", { type: "color", value: sixDigits(hex) });
    const code = el("input", { type: "text", class: "hex", value: hex, maxlength: "7", spellcheck: "false",
                               autocomplete: "off" });
    const remove = el("button", { type: "button", class: "remove-colour" }, "Remove");
    const item = el("li", { class: "swatch-edit" });
    const pickerLabel = el("label", { class: "swatch-label" });
    pickerLabel.append(el("span", { class: "swatch-name" }), picker);
    const codeLabel = el("label", { class: "hex-label" });
    codeLabel.append(el("span", { class: "hex-name visually-hidden" }), code);
    item.append(pickerLabel, codeLabel, remove);
    picker.addEventListener("input", () => {
      code.value = picker.value;
      code.dispatchEvent(new Event("input"));   // clears an error shown at this colour
    });
    code.addEventListener("input", () => {
      if (HEX.test(code.value.trim())) { picker.value = sixDigits(code.value.trim()); }
    });
    remove.addEventListener("click", () => {
      const next = item.nextElementSibling || item.previousElementSibling;
      item.remove();
      renumber();
      (next ? next.querySelector("input[type=color]") : addColour).focus();
    });
    swatches.appendChild(item);
    renumber();
    return picker;
  }

  function setPalette(colours) {
    swatches.replaceChildren();
    colours.forEach(addSwatch);
    renumber();
  }

  const colours = () => [...swatches.querySelectorAll("input.hex")].map((input) => input.value.trim());

  /** The API numbers a palette's faults "item N: ..."; each goes to its swatch's hex code. */
  function atSwatches(errors) {
    const out = Object.assign({}, errors);
    const messages = out.color_palette || [];
    delete out.color_palette;
    messages.forEach((message) => {
      const item = /^item (\d+): (.*)$/.exec(message);
      const key = item && swatches.children[Number(item[1]) - 1] ? "colour_" + item[1] : "color_palette";
      out[key] = (out[key] || []).concat(key === "color_palette" ? message : item[2]);
    });
    return out;
  }

  /* --- the logo: what the input holds is the persona's logo. Editing puts the saved one in it
     (by asset id, so saving unchanged sends that id back); emptying it removes the logo. Saving
     or cancelling forgets the input, so the next persona does not start with this one's logo. --- */
  let logoRemoved = false;  // emptied by the user: the saved logo is to go (logo_asset_id: null)

  function showLogo(src) {
    const image = document.getElementById("logo-preview-image");
    logoPreview.classList.toggle("hidden", !src);
    if (src) { image.src = src; } else { image.removeAttribute("src"); }
  }

  const logo = S.upload(form, "logo", (value) => {
    logoRemoved = false;
    showLogo(value.previewUrl);
  }, { onClear: () => {
    logoRemoved = true;
    showLogo(null);
  } });

  /** The logo's part of the body; a saved logo still loading into the input is left as it is. */
  function logoFields() {
    if (logo.value) { return S.imageInput("logo", logo.value); }
    return logoRemoved && f.id.value ? { logo_asset_id: null } : {};
  }

  /* --- the font: the sample is drawn by the server, so it shows what the overlay will draw --- */
  function showSample() {
    const text = f.name.value.trim() || SAMPLE_TEXT;
    const option = f.font.selectedOptions[0];
    if (!option) { return; }
    sample.src = S.url(urls.fontSampleUrl, { font_id: option.value }) + "?text=" + encodeURIComponent(text);
    sample.alt = "“" + text + "” in " + option.textContent;
  }

  /* --- the form --- */
  /** The form as a new persona; the logo input is left as it is (on arrival it may be restoring
      the logo of a new persona begun before navigating away). */
  function startNew() {
    form.reset();
    f.id.value = "";
    setPalette([]);
    logoRemoved = false;
    showSample();
    document.getElementById("persona-form-title").textContent = "New persona";
    document.getElementById("persona-cancel").classList.add("hidden");
  }

  /** Done with the form (saved, cancelled, or its persona deleted): a new persona, no logo. */
  function reset() {
    startNew();
    logo.forget();
    showLogo(null);
  }

  function edit(p) {
    reset();
    f.id.value = p.id;
    f.name.value = p.name;
    f.description.value = p.description || "";
    f.brand_keywords.value = p.brand_keywords.join(", ");
    setPalette(p.color_palette);
    if (p.logo_asset_id) {
      showLogo(p.logo_url);
      logo.useAsset(p.logo_asset_id, { note: "the saved logo" });
    }
    f.font.value = p.font || f.font.options[0].value;
    f.style_preset.value = p.style_preset || "";
    f.negative_terms.value = p.negative_terms.join(", ");
    showSample();
    document.getElementById("persona-form-title").textContent = "Edit " + p.name;
    document.getElementById("persona-cancel").classList.remove("hidden");
    f.name.focus();
  }

  /** Delete asks first, in the card: "Delete <name>?" with Delete and Keep (Keep, the safe
      answer, has focus); Keep or Escape puts the card's buttons back, focus on its Delete. */
  async function confirmDelete(node, p, actions) {
    const box = el("div", { class: "confirm", role: "group", "aria-labelledby": "confirm-" + p.id });
    box.append(el("p", { id: "confirm-" + p.id, "data-confirm-text": "" }),
      el("button", { type: "button", class: "danger confirm-delete", "data-confirm-yes": "" }, "Delete"),
      el("button", { type: "button", class: "keep", "data-confirm-no": "" }, "Keep"));
    actions.classList.add("hidden");
    node.appendChild(box);
    const sure = await S.confirmStep(box, "Delete " + p.name + "?", { focus: "no", back: null });
    box.remove();
    actions.classList.remove("hidden");
    if (!sure) {
      actions.querySelector("button.delete").focus();
      return;
    }
    await S.api(S.url(urls.deleteUrl, { persona_id: p.id }), { method: "DELETE" });
    if (f.id.value === p.id) { reset(); }
    await load();
  }

  function swatchList(colours) {
    const ul = el("ul", { class: "swatches", "aria-label": "Colour palette" });
    colours.forEach((c) => {
      const chip = el("span", { class: "swatch", "aria-hidden": "true" });
      chip.style.background = c;
      const li = el("li", {});
      li.append(chip, el("span", { class: "swatch-code" }, c));
      ul.appendChild(li);
    });
    return ul;
  }

  function card(p) {
    const node = el("article", { class: "card persona", "data-persona-id": p.id });
    const head = el("div", { class: "persona-head" });
    if (p.logo_url) { head.appendChild(el("img", { class: "persona-logo", src: p.logo_url, alt: "Logo of " + p.name })); }
    head.appendChild(el("h3", {}, p.name));
    const font = [...f.font.options].find((o) => o.value === p.font);
    const actions = el("div", { class: "persona-actions" });
    const editButton = el("button", { type: "button", class: "edit" }, "Edit");
    const deleteButton = el("button", { type: "button", class: "danger delete" }, "Delete");
    editButton.addEventListener("click", () => edit(p));
    S.handle(deleteButton, "click", () => confirmDelete(node, p, actions), { error: errorBox });
    actions.append(editButton, deleteButton);
    node.append(head, el("p", { class: "muted" }, p.description || ""),
      el("p", {}, "Keywords: " + (p.brand_keywords.join(", ") || "–")),
      p.color_palette.length ? swatchList(p.color_palette) : el("p", {}, "Colours: –"),
      el("p", { class: "persona-font" }, "Font: " + (font ? font.textContent : f.font.options[0].textContent)),
      el("p", {}, "Style: " + (p.style_preset || "–")),
      el("p", {}, "Avoid: " + (p.negative_terms.join(", ") || "–")), actions);
    return node;
  }

  async function load() {
    const body = await S.api(urls.personasUrl);
    grid.replaceChildren(...body.personas.map(card));
    document.getElementById("persona-count").textContent = body.total + " persona" + (body.total === 1 ? "" : "s");
  }

  S.submit(form, async () => {
    const body = Object.assign({
      name: f.name.value, description: f.description.value || null, brand_keywords: list(f.brand_keywords.value),
      color_palette: colours(), font: f.font.value || null, style_preset: f.style_preset.value || null,
      negative_terms: list(f.negative_terms.value),
    }, logoFields());
    try {
      if (f.id.value) {
        await S.api(S.url(urls.updateUrl, { persona_id: f.id.value }), { method: "PUT", json: body });
      } else {
        await S.api(urls.createUrl, { method: "POST", json: body });
      }
    } catch (err) {
      if (err.errors) { err.errors = atSwatches(err.errors); }
      throw err;
    }
    reset();
    await load();
  });
  addColour.addEventListener("click", () => addSwatch(colours().length ? "#ffffff" : "#000000").focus());
  document.getElementById("remove-logo").addEventListener("click", logo.clear);
  f.font.addEventListener("change", showSample);
  f.name.addEventListener("change", showSample);
  document.getElementById("persona-cancel").addEventListener("click", reset);
  startNew();
  load().catch((err) => S.showError(errorBox, err.message));
})();
