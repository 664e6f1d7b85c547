"""The shared receipts: a PNG picture and a PDF document from the same rows, published under
unguessable names and served by the action server's media route."""

from __future__ import annotations

from actions.common import media
from actions.common.receipts import publish_receipt, render_pdf, render_png

ROWS = [("Receipt No.", "R123"), ("To card", "•••• 0023"), ("Amount", "1,500.00 UAH"),
        ("Total", "1,505.00 UAH"), ("Status", "Completed")]


def test_png_and_pdf_from_the_same_rows():
    png = render_png("Payment receipt", ROWS, "footer")
    pdf = render_pdf("Payment receipt", ROWS, "footer")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-64:]


def test_published_under_unguessable_names(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path))
    monkeypatch.setenv("MEDIA_BASE_URL", "https://bot.example/media")
    image_url, pdf_url = publish_receipt("Transfer receipt", ROWS, "footer")
    for url, suffix in ((image_url, ".png"), (pdf_url, ".pdf")):
        name = url.rsplit("/", 1)[1]
        assert url.startswith("https://bot.example/media/") and name.endswith(suffix)
        assert media.NAME_RE.match(name) and (tmp_path / name).is_file()
    assert not media.NAME_RE.match("../etc/passwd.pdf")
