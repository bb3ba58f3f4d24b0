"""Pure image functions over Pillow images, shared by every studio and tested without Flask.

codec: decode/validate uploads and encode results; geometry: crop windows and exact-size
resizes; saliency: smart-crop windows; overlay: safe-zone drawing; encode: byte-capped output.
"""
