"""Reading PDFs with poppler, as a person would check them: text, page size and count, fonts."""

import subprocess
from pathlib import Path


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in out.splitlines())}


def pdf_fonts(path: Path) -> list[list[str]]:
    """Rows of pdffonts: name, type, encoding, emb, sub, uni, …"""
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def page_size_points(path: Path) -> tuple[int, int]:
    size = pdf_info(path)["Page size"].split()
    return round(float(size[0])), round(float(size[2]))


def rasterise(path: Path, folder: Path) -> list[Path]:
    """pdftoppm at low resolution: proves every page renders to an image."""
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(folder / "page")], check=True)
    return sorted(folder.glob("page*.png"))
