"""All calls to Tesseract live in this package (ocr.tesseract)."""
