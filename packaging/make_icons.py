"""Draw the app icon and write it as PNG (several sizes), ICO (Windows) and ICNS (macOS).

The icon is drawn in code so it can be regenerated at any size without a design tool; the
generated files are committed under resources/ so builds need no display or extra tools.
Run: ``QT_QPA_PLATFORM=offscreen python packaging/make_icons.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QLinearGradient, QPainter, QPainterPath, QPen

OUT = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)


def draw(size: int) -> QImage:
    img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 1024.0
    rect = QRectF(64 * s, 64 * s, 896 * s, 896 * s)
    grad = QLinearGradient(rect.topLeft(), rect.bottomRight())
    grad.setColorAt(0.0, QColor("#3b5bfd"))
    grad.setColorAt(1.0, QColor("#13b5a6"))
    path = QPainterPath()
    path.addRoundedRect(rect, 200 * s, 200 * s)
    p.fillPath(path, grad)
    # A speech waveform turning into text lines: bars on the left, lines on the right.
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(255, 255, 255, 240))
    bars = (0.30, 0.55, 0.85, 0.60, 0.40)
    bar_w = 62 * s
    for i, h in enumerate(bars):
        x = 190 * s + i * 92 * s
        height = h * 520 * s
        p.drawRoundedRect(QRectF(x, 512 * s - height / 2, bar_w, height), bar_w / 2, bar_w / 2)
    pen = QPen(QColor(255, 255, 255, 230), 58 * s, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    for i, length in enumerate((190, 140, 170)):
        y = (372 + i * 140) * s
        p.drawLine(QPointF(690 * s, y), QPointF((690 + length) * s - 60 * s, y))
    p.end()
    return img


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        draw(size).save(str(OUT / f"app-{size}.png"))
    draw(512).save(str(OUT / "app.png"))
    ok_ico = draw(256).save(str(OUT / "app.ico"), "ICO")
    ok_icns = draw(1024).save(str(OUT / "app.icns"), "ICNS")
    print(f"wrote {OUT} (ico: {ok_ico}, icns: {ok_icns})")
    del app
    return 0 if ok_ico and ok_icns else 1


if __name__ == "__main__":
    sys.exit(main())
