/* Edit Studio page: operation fields from the metadata endpoint, mask painter, outpaint preview;
   the edit runs as a job (jobs.js), and an outpaint's comparison shows the original at its place. */
(function () {
  "use strict";
  const S = window.ImageStudio;
  const form = document.getElementById("edit-form");
  const select = form.querySelector("select[name=operation]");
  const stage = document.getElementById("edit-stage");
  const photo = stage.querySelector("[data-photo]");
  const preview = document.getElementById("outpaint-preview");
  const painter = new S.MaskPainter(stage.querySelector("[data-mask]"));
  const maskError = stage.querySelector("[data-mask-error]");
  // The operations that change only what is painted: with nothing painted there is nothing to do.
  const PAINT_FIRST = { erase: "Paint over the area to erase first.", inpaint: "Paint over the area to change first." };
  let operations = {};

  const primary = S.upload(form, "image", (image) => {
    photo.src = image.previewUrl;
    painter.reset(image.width, image.height);
    stage.classList.remove("hidden");
    refresh();
  }, { onClear: () => stage.classList.add("hidden") });
  const background = S.upload(form, "background");
  const lighting = S.upload(form, "lighting");

  function fields() { return (operations[select.value] || {}).fields || {}; }

  function expansion() {
    const get = (side) => Math.max(0, Number(form.querySelector("[name=expand_" + side + "]").value) || 0);
    return { left: get("left"), right: get("right"), up: get("up"), down: get("down") };
  }

  /** Draw the grown canvas: the image at its offset inside the expanded area. */
  function drawOutpaint() {
    const image = primary.value;
    if (!image) { return; }
    const e = expansion();
    preview.width = image.width + e.left + e.right;
    preview.height = image.height + e.up + e.down;
    const ctx = preview.getContext("2d");
    ctx.fillStyle = "#c7d2fe";
    ctx.fillRect(0, 0, preview.width, preview.height);
    ctx.drawImage(image.image, e.left, e.up, image.width, image.height);   // a TIFF's copy may be smaller
    document.getElementById("outpaint-size").textContent =
      "Result: " + preview.width + "×" + preview.height + " px";
  }

  /** The message beside the mask (and the canvas marked invalid), or none. */
  function maskMessage(text) {
    maskError.textContent = text || "";
    maskError.classList.toggle("hidden", !text);
    painter.overlay.toggleAttribute("aria-invalid", !!text);
  }

  /** Where the original sits inside the outpainted result, as fractions of it (scale-free). */
  function placement() {
    const image = primary.value;
    const e = expansion();
    const width = image.width + e.left + e.right, height = image.height + e.up + e.down;
    return { left: e.left / width, top: e.up / height, width: image.width / width, height: image.height / height };
  }

  function refresh() {
    maskMessage("");
    const info = operations[select.value] || {};
    const f = fields();
    S.toggleFields(form.closest(".studio"), f);
    document.getElementById("operation-description").textContent = info.description || "";
    stage.querySelector("[data-mask]").classList.toggle("hidden", !f.mask);
    stage.querySelector(".mask-tools").classList.toggle("hidden", !f.mask);
    preview.classList.toggle("hidden", !f.expansion);
    stage.querySelector(".mask-stage").classList.toggle("hidden", !!f.expansion);
    drawOutpaint();
  }

  select.addEventListener("change", refresh);
  form.querySelectorAll("[name^=expand_]").forEach((el) => el.addEventListener("input", drawOutpaint));
  stage.querySelectorAll("[name=tool]").forEach((el) =>
    el.addEventListener("change", () => { painter.mode = el.value; }));
  const brush = stage.querySelector("[name=brush_size]");
  brush.addEventListener("input", () => { painter.size = Number(brush.value); });
  stage.querySelector("[data-clear]").addEventListener("click", () => painter.clear());
  painter.overlay.addEventListener("pointerdown", () => maskMessage(""));

  S.submitJob(form, { key: "edit", prepare: () => {
    if (!primary.value) { throw new Error("Primary image payload is required"); }
    const v = S.values(form);
    const f = fields();
    if (f.mask && !painter.painted && PAINT_FIRST[select.value]) {
      maskMessage(PAINT_FIRST[select.value]);
      throw new Error(PAINT_FIRST[select.value]);
    }
    const body = Object.assign(v, {
      ...S.imageInput("image", primary.value),
      mask_base64: f.mask ? painter.toDataURL() : null,
      ...(f.background ? S.imageInput("background_image", background.value) : {}),
      ...(f.lighting ? S.imageInput("lighting_image", lighting.value) : {}),
    });
    ["left", "right", "up", "down"].forEach((side) => { body["expand_" + side] = f.expansion ? expansion()[side] : 0; });
    const context = { before: primary.value.previewUrl, placement: f.expansion ? placement() : null };
    return { href: form.dataset.processUrl, body, context };
  }, render: (result, context) => {
    // After a reload the original may be gone (too big to keep): the result stands in for it.
    const panel = document.querySelector("[data-result]");
    if (context && context.before) { S.showResult(panel, context.before, result, context.placement); }
    else { S.showResult(panel, result.image_base64, result); }
  } });

  S.operations(form.dataset.operationsUrl, select).then((ops) => {
    operations = ops;
    if (ops.inpaint) { select.value = "inpaint"; }
    refresh();
  }).catch((error) => S.showError(form.querySelector("[data-error]"), error.message));
})();
