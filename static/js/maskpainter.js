/* ImageStudio.MaskPainter: brush and eraser strokes over an image, exported as a white-on-black
   PNG at the image's own pixel size (white = edit), which is what the edit API expects. */
(function () {
  "use strict";

  class MaskPainter {
    /** `overlay` is the visible canvas laid over the image; strokes are mirrored on a hidden mask. */
    constructor(overlay) {
      this.overlay = overlay;
      this.mask = document.createElement("canvas");
      this.mode = "brush";
      this.size = 40;
      this.painted = false;
      this.last = null;
      overlay.addEventListener("pointerdown", (e) => this._start(e));
      overlay.addEventListener("pointermove", (e) => this._move(e));
      ["pointerup", "pointerleave", "pointercancel"].forEach((name) =>
        overlay.addEventListener(name, () => { this.last = null; }));
    }

    /** Size both canvases to the image's pixels and start blank. */
    reset(width, height) {
      [this.overlay, this.mask].forEach((c) => { c.width = width; c.height = height; });
      this.clear();
    }

    clear() {
      this.overlay.getContext("2d").clearRect(0, 0, this.overlay.width, this.overlay.height);
      const ctx = this.mask.getContext("2d");
      ctx.fillStyle = "#000";
      ctx.fillRect(0, 0, this.mask.width, this.mask.height);
      this.painted = false;
    }

    /** The mask as a PNG data URL, or null when nothing was painted. */
    toDataURL() {
      return this.painted ? this.mask.toDataURL("image/png") : null;
    }

    _point(event) {
      const rect = this.overlay.getBoundingClientRect();
      const scale = this.overlay.width / rect.width;
      return { x: (event.clientX - rect.left) * scale, y: (event.clientY - rect.top) * scale, scale };
    }

    _start(event) {
      event.preventDefault();
      this.overlay.setPointerCapture?.(event.pointerId);
      this.last = this._point(event);
      this._stroke(this.last, this.last);
    }

    _move(event) {
      if (!this.last) { return; }
      const point = this._point(event);
      this._stroke(this.last, point);
      this.last = point;
    }

    _stroke(from, to) {
      const erase = this.mode === "eraser";
      const width = this.size * to.scale;
      const line = (ctx, colour, composite) => {
        ctx.globalCompositeOperation = composite;
        ctx.strokeStyle = colour;
        ctx.lineWidth = width;
        ctx.lineCap = ctx.lineJoin = "round";
        ctx.beginPath();
        ctx.moveTo(from.x, from.y);
        ctx.lineTo(to.x + 0.01, to.y);
        ctx.stroke();
      };
      line(this.overlay.getContext("2d"), "#ff2d6f", erase ? "destination-out" : "source-over");
      line(this.mask.getContext("2d"), erase ? "#000" : "#fff", "source-over");
      if (!erase) { this.painted = true; }
    }
  }

  window.ImageStudio.MaskPainter = MaskPainter;
})();
