/* Lightbox: any <img data-zoom> on any page opens large in a modal <dialog>, at "Fit" or at
   "100%" (one image pixel per CSS pixel, scrolled or dragged when larger than the window),
   with a download link; ← and → step through the page's other zoomable images. The thumbnail
   becomes a keyboard button, and focus goes back to it when the dialog closes.
   Optional attributes: data-zoom="<full-size URL>" (else the image's own src) and
   data-file-name="<download name>". */
(function () {
  "use strict";
  const { el } = window.ImageStudio;
  let dialog = null;
  let parts = null;
  let current = null;

  const source = (thumb) => thumb.dataset.zoom || thumb.currentSrc || thumb.src;
  const zoomable = () => Array.from(document.querySelectorAll("img[data-zoom]"))
    .filter((img) => img.getClientRects().length > 0);

  /** Make a thumbnail reachable and operable from the keyboard. */
  function enhance(img) {
    if (img.dataset.zoomReady) { return; }
    img.dataset.zoomReady = "1";
    img.tabIndex = 0;
    img.setAttribute("role", "button");
    img.setAttribute("aria-haspopup", "dialog");
    img.setAttribute("title", "Open larger");
  }

  function build() {
    const title = el("h2", { id: "lightbox-title", class: "lightbox-title" });
    const count = el("span", { class: "lightbox-count muted" });
    const fit = el("button", { type: "button", "data-lightbox-mode": "fit", "aria-pressed": "true" }, "Fit");
    const actual = el("button", { type: "button", "data-lightbox-mode": "actual", "aria-pressed": "false" }, "100%");
    const prev = el("button", { type: "button", "aria-label": "Previous image", "data-lightbox-step": "-1" }, "‹");
    const next = el("button", { type: "button", "aria-label": "Next image", "data-lightbox-step": "1" }, "›");
    const save = el("a", { class: "button", "data-lightbox-download": "" }, "Download");
    const close = el("button", { type: "button", class: "primary", "data-lightbox-close": "" }, "Close");
    const image = el("img", { class: "lightbox-image", alt: "" });
    const stage = el("div", { class: "lightbox-stage fit", tabindex: "0", role: "region",
                              "aria-label": "Image (drag or scroll to move around at 100%)" });
    const zoom = el("div", { class: "lightbox-zoom", role: "group", "aria-label": "Zoom" });
    zoom.append(fit, actual);
    const bar = el("div", { class: "lightbox-bar" });
    bar.append(title, count, zoom, prev, next, save, close);
    stage.appendChild(image);
    dialog = el("dialog", { class: "lightbox", "aria-labelledby": "lightbox-title" });
    dialog.append(bar, stage);
    document.body.appendChild(dialog);
    parts = { title, count, fit, actual, prev, next, save, close, image, stage };

    fit.addEventListener("click", () => mode("fit"));
    actual.addEventListener("click", () => mode("actual"));
    prev.addEventListener("click", () => step(-1));
    next.addEventListener("click", () => step(1));
    close.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => { if (current && current.isConnected) { current.focus(); } });
    dialog.addEventListener("click", (event) => { if (event.target === dialog) { dialog.close(); } });
    dialog.addEventListener("keydown", (event) => {
      const panning = event.target === stage && stage.classList.contains("actual");
      if (panning || event.altKey || event.ctrlKey || event.metaKey) { return; }
      if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
        event.preventDefault();
        step(event.key === "ArrowLeft" ? -1 : 1);
      }
    });
    drag(stage);
  }

  /** At 100%, a pointer drag moves the view like a hand on a sheet of paper. */
  function drag(stage) {
    let start = null;
    stage.addEventListener("pointerdown", (event) => {
      if (!stage.classList.contains("actual") || event.button !== 0) { return; }
      start = { x: event.clientX, y: event.clientY, left: stage.scrollLeft, top: stage.scrollTop };
      stage.setPointerCapture(event.pointerId);
      stage.classList.add("dragging");
      event.preventDefault();
    });
    stage.addEventListener("pointermove", (event) => {
      if (!start) { return; }
      stage.scrollLeft = start.left - (event.clientX - start.x);
      stage.scrollTop = start.top - (event.clientY - start.y);
    });
    const stop = () => { start = null; stage.classList.remove("dragging"); };
    stage.addEventListener("pointerup", stop);
    stage.addEventListener("pointercancel", stop);
  }

  function mode(name) {
    const { stage, image, fit, actual } = parts;
    stage.classList.toggle("fit", name === "fit");
    stage.classList.toggle("actual", name === "actual");
    fit.setAttribute("aria-pressed", String(name === "fit"));
    actual.setAttribute("aria-pressed", String(name === "actual"));
    const natural = () => {
      image.width = image.naturalWidth;
      image.height = image.naturalHeight;
    };
    if (name === "actual") {
      if (image.complete && image.naturalWidth) { natural(); } else { image.addEventListener("load", natural, { once: true }); }
    } else {
      image.removeAttribute("width");
      image.removeAttribute("height");
    }
    stage.scrollTo(0, 0);
  }

  function show(thumb) {
    const { title, count, save, image, prev, next } = parts;
    const all = zoomable();
    current = thumb;
    const label = thumb.alt || "Image";
    title.textContent = label;
    count.textContent = all.length > 1 ? (all.indexOf(thumb) + 1) + " of " + all.length : "";
    [prev, next].forEach((button) => button.classList.toggle("hidden", all.length < 2));
    image.alt = label;
    image.src = source(thumb);
    save.href = source(thumb);
    save.setAttribute("download", thumb.dataset.fileName || "");
    mode(parts.stage.classList.contains("actual") ? "actual" : "fit");
  }

  function step(delta) {
    const all = zoomable();
    if (all.length < 2) { return; }
    const index = all.indexOf(current);
    show(all[(index + delta + all.length) % all.length]);
  }

  function open(thumb) {
    if (!dialog) { build(); }
    mode("fit");
    show(thumb);
    if (!dialog.open) { dialog.showModal(); }
    parts.close.focus();
  }

  document.addEventListener("click", (event) => {
    const thumb = event.target.closest("img[data-zoom]");
    if (thumb && !thumb.closest("dialog.lightbox")) { event.preventDefault(); open(thumb); }
  });
  document.addEventListener("keydown", (event) => {
    const thumb = event.target.closest && event.target.closest("img[data-zoom]");
    if (thumb && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); open(thumb); }
  });
  document.querySelectorAll("img[data-zoom]").forEach(enhance);
  new MutationObserver((records) => records.forEach((record) => record.addedNodes.forEach((node) => {
    if (node.nodeType !== 1) { return; }
    if (node.matches("img[data-zoom]")) { enhance(node); }
    node.querySelectorAll("img[data-zoom]").forEach(enhance);
  }))).observe(document.body, { childList: true, subtree: true });
})();
