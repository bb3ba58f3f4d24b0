/* Compress page: a preset or custom format, quality and target size; a live computed estimate;
   the result with its sizes, a before/after and a zoom at 100% (delivery.js). */
(function () {
  "use strict";
  const S = window.ImageStudio;
  const D = S.delivery;
  const form = document.getElementById("compress-form");
  if (!form) { return; }
  const f = form.elements;
  const presets = Object.fromEntries(JSON.parse(form.dataset.presets).map((p) => [p.id, p]));
  const estimateBox = form.querySelector("[data-estimate]");
  const state = { ticket: 0, timer: null };
  const image = S.upload(form, "image", () => schedule(), { onClear: () => schedule() });

  function applyPreset(id) {
    const preset = presets[id];
    if (!preset) { return; }
    f.format.value = preset.format;
    f.quality.value = preset.quality;
    f.target_size_kb.value = preset.target_size_kb || "";
  }

  function body() {
    const values = S.values(form);
    return { ...S.imageInput("image", image.value), format: values.format,
             quality: Number(f.quality.value), target_size_kb: values.target_size_kb,
             strip_metadata: f.strip_metadata.checked, progressive: f.progressive.checked, optimize: f.optimize.checked };
  }

  function sync() {
    const lossless = f.format.value === "png";
    S.toggleFields(form, { quality: !lossless, progressive: f.format.value === "jpeg" });
    form.querySelector("[data-quality-value]").textContent = f.quality.value;
    const help = { png: "PNG is lossless: a target size reduces the number of colours instead.",
                   jpeg: "JPEG has no transparency: it is flattened on white.",
                   webp: "WebP keeps transparency and is about a third smaller than JPEG.",
                   avif: "AVIF is the smallest at the same quality, and slower to make." };
    form.querySelector("[data-format-help]").textContent = help[f.format.value] || "";
  }

  async function estimate() {
    const ticket = ++state.ticket;
    if (!image.value) { estimateBox.textContent = "choose an image"; return; }
    const sent = body();
    if (sent.target_size_kb) {
      estimateBox.textContent = "at most " + sent.target_size_kb + " KB (the quality is searched to fit)";
      return;
    }
    estimateBox.textContent = "estimating…";
    try {
      const answer = await S.api(form.dataset.estimateUrl, { method: "POST", json:
        Object.assign(S.imageInput("image", image.value), { format: sent.format, quality: sent.quality }) });
      if (ticket !== state.ticket) { return; }
      estimateBox.textContent = "≈ " + D.kb(answer.estimated_size_kb * 1024) + " (" +
        (answer.estimated_reduction_percent >= 0 ? "−" + answer.estimated_reduction_percent : "+" + -answer.estimated_reduction_percent) +
        "% from " + D.kb(answer.original_size_kb * 1024) + ")";
    } catch (err) {
      if (ticket === state.ticket) { estimateBox.textContent = err.message; }
    }
  }
  function schedule() { sync(); clearTimeout(state.timer); state.timer = setTimeout(estimate, 300); }

  form.querySelectorAll("input[name=preset]").forEach((radio) => radio.addEventListener("change", () => {
    applyPreset(radio.value); schedule();
  }));
  ["format", "quality", "target_size_kb"].forEach((name) => f[name].addEventListener("input", () => {
    f.preset.value = "custom"; schedule();
  }));

  S.submit(form, async () => {
    if (!image.value) { throw new Error("Choose an image to compress first"); }
    const result = await S.api(form.dataset.compressUrl, { method: "POST", json: body() });
    const quality = result.quality_used ? " quality " + result.quality_used : result.metadata.colors ? " " + result.metadata.colors + " colours" : " lossless";
    const change = result.reduction_percent >= 0 ? "−" + result.reduction_percent + "%" : "+" + -result.reduction_percent + "% (larger)";
    await D.showDelivered(document.querySelector("[data-result]"), image.value, result,
      D.kb(result.original_size_kb * 1024) + " → " + D.kb(result.compressed_size_kb * 1024) + " · " + change + " · " +
      result.compression_ratio + ":1 · " + result.format.toUpperCase() + quality + " · " + result.width + "×" + result.height + " px");
  });
  applyPreset(f.preset.value);
  sync();
})();
