/* ImageStudio: the one global every page script uses (no framework, no build step).
   Core helpers: API calls, URL templates, element building, errors, busy state, files, downloads.
   inputs.js adds the image inputs (upload), studio_forms.js the studio form pieces and maskpainter.js
   ImageStudio.MaskPainter. */
(function () {
  "use strict";
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  /** Fill a URL the page rendered with placeholders: url("/a/__asset_id__", {asset_id: "x"}) is "/a/x". */
  function url(template, params) {
    return template.replace(/__([a-z_]+)__/g, (match, key) => {
      if (!params || params[key] === undefined) { throw new Error("No value for " + match + " in " + template); }
      return encodeURIComponent(params[key]);
    });
  }

  /** The file name a response's Content-Disposition gives, or "". */
  function attachmentName(response) {
    const match = /filename="?([^";]+)"?/.exec(response.headers.get("Content-Disposition") || "");
    return match ? match[1] : "";
  }

  /** Call the JSON API with the session cookie and CSRF header; throws Error(detail) carrying
      the HTTP `status`. `json` is sent as the body. Answers: parsed JSON, null for 204, else a
      File named by the server. */
  async function api(href, options) {
    const opts = Object.assign({ method: "GET", headers: {} }, options || {});
    opts.headers = Object.assign({ "X-CSRFToken": csrf(), "Accept": "application/json" }, opts.headers);
    if (opts.json !== undefined) {
      opts.body = JSON.stringify(opts.json);
      opts.headers["Content-Type"] = "application/json";
      delete opts.json;
    }
    const response = await fetch(href, opts);
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok) {
      let detail = response.status + " " + response.statusText, errors = null;
      if (type.includes("json")) {
        const answer = await response.json();
        detail = answer.detail || detail;
        errors = answer.errors || null;
      }
      throw Object.assign(new Error(detail), { status: response.status, errors });
    }
    if (response.status === 204) { return null; }
    if (type.includes("json")) { return response.json(); }
    const blob = await response.blob();
    return new File([blob], attachmentName(response), { type: blob.type });
  }

  /** Build an element: el("a", {class: "button", href}, "Download"). Null or undefined attributes are left out. */
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => { if (v !== null && v !== undefined) { node.setAttribute(k, v); } });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  /** Show a message in an error box, or hide the box when the message is empty. */
  function showError(box, message) {
    box.textContent = message || "";
    box.classList.toggle("hidden", !message);
  }

  /* What to do about a result past the output limit, by what would have made it. */
  const OUTPUT_ADVICE = { "Result": "Crop or shrink the image first.", "Outpaint result": "Expand it less.",
                          "Requested output": "Choose a smaller size." };

  /* The API's sentences are exact and stable for clients; a marketer gets these instead. The
     first pattern that matches a message wins; anything else is shown as the API wrote it. */
  const PLAIN = [
    [/^(Primary image payload is required|image_base64 is required.*)$/, "Add an image first: drop one in, or choose one from your library."],
    [/^Control image payload is required$/, "Add the control image first: your sketch, structure or photo."],
    [/^Invalid base64 image payload$/, "That file isn't an image we can read. Use a PNG, JPEG, WebP, GIF, BMP, TIFF or AVIF file."],
    [/^Image file is truncated or corrupt$/, "That image file is damaged or incomplete. Export it again and retry."],
    [/^Image is larger than the ([\d.]+) MB limit$/, "That image is over the $1 MB limit. Compress it first, or use a smaller one."],
    [/^Image is (\d+x\d+) pixels, more than the .* pixel limit$/, "That image ($1 px) has too many pixels. Use a smaller one."],
    [/^(Result|Outpaint result|Requested output) (\d+)x(\d+) has a side over the (\d+) px limit$/,
     (whole, what, width, height, side) => "The result would be " + width + "×" + height + " px, and " + side +
       " px a side is the most it can be. " + OUTPUT_ADVICE[what]],
    [/^Insufficient credits/, "You have run out of credits for this month. Ask an admin for more, or use the sandbox."],
    [/^The server is busy/, "The studio is busy right now. Try again in a few seconds."],
    [/^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$/, "Choose a value from $1 to $2."],
    [/^Must be between (\S+) and (\S+) pixels\.$/, "Choose a size from $1 to $2 pixels."],
    [/^Must be greater than or equal to (\S+)\.$/, "Use at least $1."],
    [/^Not a valid (integer|number)\.$/, "Enter a number."],
    [/^(Missing data for required field|Must not be empty)\.$/, "This is needed."],
    [/^The mask is empty/, "Paint over the part to change first (in white)."],
    [/^(Prompt is required.*|prompt is required.*)$/, "Describe what you want in the prompt."],
    [/^Both prompt and search_prompt are required.*$/, "Say what to find and what to put in its place."],
    [/^Both prompt and select_prompt are required.*$/, "Say what to recolour and the colours you want."],
    [/^Outpaint needs at least one of expand_left.*$/, "Expand at least one side by 1 to 2000 px."],
    [/^Relight needs a background: send background_image_base64.*$/,
     "Add a background reference image, or describe the background in the prompt."],
    [/^Must be a hex colour such as (#\w+)\.$/, "Use a colour code like $1."],
  ];

  /** A message in plain words (PLAIN), for people rather than API clients. */
  function plainWords(message) {
    const text = String(message || "");
    const item = /^item (\d+): (.*)$/.exec(text);   // a list's entry, as the API numbers them
    if (item) { return "Entry " + item[1] + ": " + plainWords(item[2]); }
    for (const [pattern, sentence] of PLAIN) {
      if (pattern.test(text)) { return text.replace(pattern, sentence); }
    }
    return text;
  }

  /** Each field's message beside the field, in plain words, cleared as soon as it is edited. */
  function showFieldErrors(form, errors) {
    form.querySelectorAll("[data-field-error]").forEach((node) => node.remove());
    form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
    let shown = 0;
    Object.entries(errors || {}).forEach(([field, messages]) => {
      const control = form.elements[field] ||
        form.querySelector('[data-upload="' + field.replace(/_(base64|asset_id)$/, "").replace(/(.)_image$/, "$1") + '"] .dropzone');
      if (!control || !control.closest) { return; }
      const place = control.closest("label, .upload") || control;
      const note = el("p", { class: "field-error", "data-field-error": field, role: "alert" },
                      [].concat(messages).map(plainWords).join(" "));
      place.appendChild(note);
      if (control.setAttribute) { control.setAttribute("aria-invalid", "true"); }
      const clear = () => { note.remove(); control.removeAttribute("aria-invalid"); };
      control.addEventListener("input", clear, { once: true });
      control.addEventListener("change", clear, { once: true });
      shown += 1;
    });
    return shown;
  }

  /** Run `work` with `button` disabled and `progress` shown (either may be null). */
  async function busy(button, progress, work) {
    if (button) { button.disabled = true; }
    if (progress) { progress.classList.add("active"); }
    try {
      return await work();
    } finally {
      if (button) { button.disabled = false; }
      if (progress) { progress.classList.remove("active"); }
    }
  }

  /** On each `type` event of `target`: clear `error`, run work(event) under busy(button, progress),
      and show a thrown Error's message in `error`. A submit event's default is prevented. */
  function handle(target, type, work, options) {
    const { button = null, progress = null, error = null } = options || {};
    const form = target.tagName === "FORM" ? target : null;
    target.addEventListener(type, async (event) => {
      if (type === "submit") { event.preventDefault(); }
      if (error) { showError(error, ""); }
      if (form) { showFieldErrors(form, null); }
      try {
        await busy(button, progress, () => work(event));
      } catch (err) {
        if (!error) { throw err; }
        const atFields = form ? showFieldErrors(form, err.errors) : 0;
        showError(error, atFields ? "Please check the highlighted field" + (atFields > 1 ? "s" : "") + "." : plainWords(err.message));
      }
    });
  }

  /** Ask in the page rather than in a native dialog. `box` holds [data-confirm-text],
      [data-confirm-yes] and [data-confirm-no]: it is shown with `question`, focus on the answer
      `focus` names ("yes", or "no" where keeping is the safe answer), and hidden once answered.
      Resolves true on yes, false on no or Escape; focus then returns to `back` (by default what
      had it; null leaves it to the caller). */
  function confirmStep(box, question, { focus = "yes", back = document.activeElement } = {}) {
    const yes = box.querySelector("[data-confirm-yes]");
    const no = box.querySelector("[data-confirm-no]");
    box.querySelector("[data-confirm-text]").textContent = question;
    box.classList.remove("hidden");
    (focus === "no" ? no : yes).focus();
    return new Promise((resolve) => {
      const listening = new AbortController();
      const answer = (value) => {
        listening.abort();
        box.classList.add("hidden");
        if (back && back.focus) { back.focus(); }
        resolve(value);
      };
      yes.addEventListener("click", () => answer(true), { signal: listening.signal });
      no.addEventListener("click", () => answer(false), { signal: listening.signal });
      box.addEventListener("keydown", (event) => { if (event.key === "Escape") { answer(false); } },
                           { signal: listening.signal });
    });
  }

  /** handle(form, "submit", work) with the form's submit button, [data-progress] and [data-error].
      The page renders that button disabled, and it is enabled here: clicked before this script
      ran, the form would be sent natively (a GET of the page with the fields in its URL). */
  function submit(form, work, options) {
    const button = form.querySelector("button[type=submit]");
    handle(form, "submit", work, Object.assign({
      button,
      progress: form.querySelector("[data-progress]"),
      error: form.querySelector("[data-error]"),
    }, options));
    if (button) { button.disabled = false; }
  }

  /** Read a File as a data URL. */
  function readFile(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(new Error("Could not read " + file.name));
      reader.readAsDataURL(file);
    });
  }

  /** Load a data URL into an <img> and resolve with {dataUrl, previewUrl, width, height, image}:
      `dataUrl` is what is sent, `previewUrl` what is shown (the same here; see drawable). */
  function loadImage(dataUrl) {
    return new Promise((resolve, reject) => {
      const image = new Image();
      image.onload = () => resolve({ dataUrl, previewUrl: dataUrl, width: image.naturalWidth,
                                     height: image.naturalHeight, image });
      image.onerror = () => reject(new Error("Invalid base64 image payload"));
      image.src = dataUrl;
    });
  }

  /** An image the browser cannot draw (a TIFF) as loadImage's answer: the server's drawable copy
      (`POST /preview`) is shown, while `dataUrl` and the size stay the file's own. `input` is
      {image_base64} or {image_asset_id}. */
  async function drawable(input, dataUrl) {
    const found = await api(document.querySelector('meta[name="preview-url"]').content,
                            { method: "POST", json: input });
    const shown = await loadImage(found.preview);
    return { dataUrl, previewUrl: found.preview, width: found.width, height: found.height, image: shown.image };
  }

  /** Wire a drop zone and its (hidden) file input: a click, Enter or Space opens the picker, and
      onFile(file) gets each file dropped or picked. What the file holds is the caller's to check. */
  function dropzone(zone, input, onFile) {
    zone.addEventListener("click", () => input.click());
    zone.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); }
    });
    zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.classList.remove("over");
      if (e.dataTransfer.files[0]) { onFile(e.dataTransfer.files[0]); }
    });
    input.addEventListener("change", () => { if (input.files[0]) { onFile(input.files[0]); } });
  }

  /** The page's `?asset=<id>`: an image from the library to start from ("Use in …"), or null. */
  function startingAsset() {
    return new URLSearchParams(window.location.search).get("asset");
  }

  /** One of the user's assets as an input: {file, dataUrl, assetId}; requests then name it by
      id, so its bytes are not sent back to the server. */
  async function loadAsset(assetId) {
    const file = await api(url(document.querySelector('meta[name="asset-url"]').content, { asset_id: assetId }),
                           { headers: { Accept: "image/*" } });
    return { file, dataUrl: await readFile(file), assetId };
  }

  /** `{<field>_asset_id}` for an input taken from the library, else `{<field>_base64}`. */
  function imageInput(field, value) {
    if (!value) { return {}; }
    return value.assetId ? { [field + "_asset_id"]: value.assetId } : { [field + "_base64"]: value.dataUrl };
  }

  /** The download name of a studio result or asset: the API's `file_name`, never derived here. */
  function downloadName(result) {
    return result.file_name || "";
  }

  /** Download a URL, data URL or Blob; a File from api() keeps the server's name unless one is given. */
  function download(href, fileName) {
    const a = document.createElement("a");
    a.href = typeof href === "string" ? href : URL.createObjectURL(href);
    a.download = fileName || (typeof href === "string" ? "" : href.name || "");
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  // The IndexedDB database where inputs.js remembers each page's image input (forgotten on sign-out).
  const inputStore = "image-studio-inputs";

  window.ImageStudio = { csrf, url, api, el, showError, busy, handle, submit, confirmStep, readFile, loadImage, drawable,
                         dropzone, downloadName, download, startingAsset, loadAsset, imageInput, plainWords,
                         inputStore };
})();

/* Markup behaviours the Content-Security-Policy keeps out of inline attributes:
   <select data-autosubmit> submits its form on change; [data-aspect="w / h"] sets its aspect ratio;
   the top bar's "More" menu closes on Escape or a click elsewhere; remembered inputs are forgotten
   on signing out. */
(function () {
  "use strict";
  const more = document.querySelector(".nav-more");
  if (more) {
    document.addEventListener("click", (event) => { if (!more.contains(event.target)) { more.open = false; } });
    more.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && more.open) { more.open = false; more.querySelector("summary").focus(); }
    });
  }
  // Inputs a studio page remembers (inputs.js) belong to whoever is signed in: forget them on
  // signing out, and on any page nobody is signed in to.
  const logout = document.querySelector("form.logout");
  const forget = () => window.indexedDB.deleteDatabase(window.ImageStudio.inputStore);
  if (!logout) { forget(); }
  else { logout.addEventListener("submit", forget); }
  document.querySelectorAll("[data-autosubmit]").forEach((control) => {
    control.addEventListener("change", () => control.form.submit());
  });
  document.querySelectorAll("[data-aspect]").forEach((box) => { box.style.aspectRatio = box.dataset.aspect; });
})();
