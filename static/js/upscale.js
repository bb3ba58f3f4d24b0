/* Upscale Studio page: shows the exact output size (and the mode auto picks) before submitting;
   the upscale runs as a job (jobs.js). */
(function () {
  "use strict";
  const S = window.ImageStudio;
  const form = document.getElementById("upscale-form");
  const settings = JSON.parse(form.dataset.settings);
  const image = S.upload(form, "image", () => plan());

  /** Same rules as the service: both targets exact, one keeps the aspect, else the preset. */
  function target(w, h, v) {
    if (v.target_width && v.target_height) { return [v.target_width, v.target_height]; }
    if (v.target_width) { return [v.target_width, Math.max(1, Math.round(h * v.target_width / w))]; }
    if (v.target_height) { return [Math.max(1, Math.round(w * v.target_height / h)), v.target_height]; }
    if (v.preset) {
      const scale = settings.presets[v.preset] / Math.max(w, h);
      return [Math.max(1, Math.round(w * scale)), Math.max(1, Math.round(h * scale))];
    }
    return null;
  }

  function plan() {
    const v = S.values(form);
    const img = image.value;
    let mode = v.mode;
    let text = "upload an image";
    if (img) {
      const size = target(img.width, img.height, v);
      if (mode === "auto") {
        mode = size && Math.max(...size) >= settings.auto_conservative_side ? "conservative" : "fast";
      }
      if (size) {
        text = size[0] + "×" + size[1] + " px";
      } else if (mode === "fast") {
        const scale = Math.min(settings.fast_factor, Math.sqrt(settings.fast_max_pixels / (img.width * img.height)));
        text = scale > 1 ? Math.round(img.width * scale) + "×" + Math.round(img.height * scale) + " px"
          : "none: this image is already larger than a fast upscale makes; choose a target size or a preset";
      } else {
        text = img.width * img.height < settings.natural_pixels ? "about 4 megapixels (the provider's size)"
          : "none: this image is already larger than the provider's 4 megapixels; choose a target size or a preset";
      }
    }
    document.getElementById("planned-size").textContent = text;
    document.getElementById("planned-mode").textContent = v.mode === "auto" && img ? "(auto runs " + mode + ")" : "";
    const reshaped = Boolean(img && v.target_width && v.target_height &&
                             img.width * v.target_height !== img.height * v.target_width);
    const fit = form.elements.fit.value;
    S.toggleFields(form, { prompt: mode !== "fast", fit: reshaped, pad: reshaped && fit === "pad" });
    document.getElementById("planned-fit").textContent = reshaped ? fitPlan(img, v.target_width, v.target_height, fit) : "";
  }

  /** What the service will do when both sides change the shape (upscale/service.py fit_for). */
  function fitPlan(img, width, height, fit) {
    if (fit === "stretch") {
      return "The picture will be stretched to " + width + "×" + height + " px: shapes will look distorted.";
    }
    if (fit === "pad") {
      const scale = Math.min(width / img.width, height / img.height);
      return "The whole picture is enlarged to " + Math.min(width, Math.round(img.width * scale)) + "×" +
        Math.min(height, Math.round(img.height * scale)) + " px and padded to " + width + "×" + height + " px.";
    }
    const scale = Math.min(img.width / width, img.height / height);
    return "The most interesting " + Math.round(width * scale) + "×" + Math.round(height * scale) +
      " px of the picture is kept, then enlarged to " + width + "×" + height + " px: nothing is stretched.";
  }

  form.querySelectorAll("select, input[type=number]").forEach((el) => el.addEventListener("input", plan));
  form.querySelectorAll("select").forEach((el) => el.addEventListener("change", plan));
  S.submitJob(form, { key: "upscale", prepare: () => {
    if (!image.value) { throw new Error("Primary image payload is required"); }
    const body = Object.assign(S.values(form), S.imageInput("image", image.value));
    return { href: form.dataset.upscaleUrl, body, context: { before: image.value.previewUrl } };
  }, render: (result, context) => {
    S.showResult(document.querySelector("[data-result]"), (context && context.before) || result.image_base64, result);
  } });
  plan();
})();
