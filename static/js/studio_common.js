/* What the edit, upscale and control pages share: uploads, field toggles, submit, result. */
(function () {
  "use strict";

  /** Load a data URL into an <img> and resolve with {dataUrl, width, height, image}. */
  function loadImage(dataUrl) {
    return new Promise((resolve, reject) => {
      const image = new Image();
      image.onload = () => resolve({ dataUrl, width: image.naturalWidth, height: image.naturalHeight, image });
      image.onerror = () => reject(new Error("Invalid base64 image payload"));
      image.src = dataUrl;
    });
  }

  /** Wire a [data-upload] block (file picker + drag and drop); onImage gets the loaded image. */
  function upload(form, name, onImage) {
    const block = form.querySelector('[data-upload="' + name + '"]');
    const zone = block.querySelector(".dropzone");
    const info = block.querySelector(".upload-info");
    const state = { value: null };
    Studio.dropzone(zone, block.querySelector("input[type=file]"), async (file, dataUrl) => {
      try {
        state.value = await loadImage(dataUrl);
        info.textContent = file.name + " · " + state.value.width + "×" + state.value.height + " px";
        zone.classList.add("filled");
        if (onImage) { onImage(state.value); }
      } catch (error) { showError(form, error.message); }
    });
    return state;
  }

  /** Show the [data-field] blocks whose field is true in the operation's metadata. */
  function toggleFields(root, fields) {
    root.querySelectorAll("[data-field]").forEach((el) => {
      el.classList.toggle("hidden", !el.dataset.field.split(" ").some((name) => fields[name]));
    });
  }

  /** Named form values of visible controls: empty text is null, data-number inputs are numbers. */
  function values(form) {
    const out = {};
    form.querySelectorAll("input[name], select[name], textarea[name]").forEach((el) => {
      if (el.type === "file" || el.closest(".hidden")) { return; }
      const text = el.value.trim();
      out[el.name] = text === "" ? null : (el.dataset.number !== undefined ? Number(text) : text);
    });
    return out;
  }

  function showError(form, message) {
    const box = form.querySelector("[data-error]");
    box.textContent = message || "";
    box.classList.toggle("hidden", !message);
  }

  /** Run `work` with the button disabled and progress shown; errors appear beside the form. */
  function submit(form, work) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      showError(form, "");
      const button = form.querySelector("button[type=submit]");
      try {
        await Studio.busy(button, form.querySelector("[data-progress]"), work);
      } catch (error) { showError(form, error.message); }
    });
  }

  /** Fill the result panel: before/after slider, exact size, provider and cost, download. */
  function showResult(panel, beforeSrc, result, name) {
    const after = panel.querySelector("[data-after]");
    const before = panel.querySelector("[data-before]");
    const slider = panel.querySelector("[data-slider]");
    after.src = result.image_base64;
    before.src = beforeSrc;
    const clip = () => { before.style.clipPath = "inset(0 " + (100 - slider.value) + "% 0 0)"; };
    slider.oninput = clip;
    clip();
    panel.querySelector("[data-result-size]").textContent = result.width + "×" + result.height + " px";
    const meta = result.metadata || {};
    panel.querySelector("[data-result-info]").textContent = "Provider " + result.provider +
      (result.model ? " (" + result.model + ")" : "") + " · " + (meta.cost ?? 0) + " credits · " +
      (meta.processing_time ?? "?") + " s";
    const link = panel.querySelector("[data-download]");
    link.href = result.url;
    link.download = name + "-" + result.asset_id + "." + (result.image_base64.split(";")[0].split("/")[1] || "png");
    panel.classList.remove("hidden");
  }

  /** GET the operations metadata and fill a <select>; returns the operations object. */
  async function operations(url, select) {
    const ops = (await Studio.api(url)).operations;
    select.innerHTML = "";
    Object.entries(ops).forEach(([key, info]) => select.add(new Option(info.label, key)));
    return ops;
  }

  window.StudioKit = { loadImage, upload, toggleFields, values, showError, submit, showResult, operations };
})();
