"""Moved to `diagnostics.services.pdf_render` (the worker renders the PDF jobs); importable from
here still."""

from diagnostics.services.pdf_render import CHROMIUM_FLAGS, PDF_TIMEOUT_S, chromium_path, render_pdf

__all__ = ["CHROMIUM_FLAGS", "PDF_TIMEOUT_S", "chromium_path", "render_pdf"]
